//! `aml-rollout endpoint list | show | create | get-credentials | delete`.

use aml_rollout::azure::az_yaml::endpoint_from_yaml;
use aml_rollout::azure::{AzureError, FailureKind};
use serde::Serialize;
use serde_json::{Value, json};

use super::args::{DeleteEndpointArgs, EndpointCommand, FileArg, GetCredentialsArgs, NameArg};
use super::change::Change;
use super::confirm::confirm_delete;
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Output, print_fields, print_json, print_table, split_text};
use super::views::{ChangeStatus, ChangeView, EndpointView, split_json, split_of};

pub async fn run(ctx: &Context, command: EndpointCommand) -> CliResult<()> {
    match command {
        EndpointCommand::List => list(ctx).await,
        EndpointCommand::Show(args) => show(ctx, args).await,
        EndpointCommand::Create(args) => create(ctx, args).await,
        EndpointCommand::GetCredentials(args) => get_credentials(ctx, args).await,
        EndpointCommand::Delete(args) => delete(ctx, args).await,
    }
}

async fn list(ctx: &Context) -> CliResult<()> {
    let endpoints = ctx.client.list_endpoints(&ctx.workspace).await?;
    let views: Vec<EndpointView> = endpoints.iter().map(EndpointView::new).collect();
    match ctx.output {
        Output::Json => print_json(&views),
        Output::Table => {
            let rows: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.name.clone(),
                        v.kind.to_string(),
                        v.auth_mode.clone(),
                        v.provisioning_state.clone().unwrap_or_default(),
                        split_text(&v.traffic),
                        split_text(&v.mirror_traffic),
                    ]
                })
                .collect();
            print_table(
                &["NAME", "KIND", "AUTH", "STATE", "TRAFFIC", "MIRROR"],
                &rows,
            );
            Ok(())
        }
    }
}

async fn show(ctx: &Context, args: NameArg) -> CliResult<()> {
    let endpoint = ctx.client.get_endpoint(&ctx.workspace, &args.name).await?;
    let view = EndpointView::new(&endpoint);
    match ctx.output {
        Output::Json => print_json(&view),
        Output::Table => {
            print_endpoint_fields(&view);
            Ok(())
        }
    }
}

fn print_endpoint_fields(view: &EndpointView) {
    print_fields(&[
        ("name", view.name.clone()),
        ("kind", view.kind.to_string()),
        ("auth_mode", view.auth_mode.clone()),
        (
            "provisioning_state",
            view.provisioning_state.clone().unwrap_or_default(),
        ),
        ("traffic", split_text(&view.traffic)),
        ("mirror_traffic", split_text(&view.mirror_traffic)),
        ("scoring_uri", view.scoring_uri.clone().unwrap_or_default()),
        ("location", view.location.clone()),
        ("description", view.description.clone().unwrap_or_default()),
    ]);
}

/// Reads an az ml YAML file named on the command line.
pub fn read_yaml_file(path: &std::path::Path) -> CliResult<(String, String)> {
    let display = path.display().to_string();
    let text = aml_rollout::operator_file::read_text(path, aml_rollout::operator_file::AZ_ML_YAML)
        .map_err(|e| CliError::Usage(format!("cannot read {display}: {e}")))?;
    Ok((display, text))
}

/// True when the service says the resource does not exist.
pub fn is_not_found(error: &AzureError) -> bool {
    error.kind() == Some(FailureKind::NotFound)
}

async fn create(ctx: &Context, args: FileArg) -> CliResult<()> {
    ctx.ensure_writable("create an endpoint")?;
    let (file, text) = read_yaml_file(&args.file)?;
    let workspace = ctx.client.get_workspace(&ctx.workspace).await?;
    let spec = endpoint_from_yaml(&file, &text, &workspace.location)?;
    // Like `az ml online-endpoint create`: never overwrite an existing endpoint.
    match ctx.client.get_endpoint(&ctx.workspace, &spec.name).await {
        Ok(_) => {
            return Err(CliError::Usage(format!(
                "an endpoint named {} already exists; change it with `aml-rollout traffic`/`mirror`, or delete it first; nothing was sent",
                spec.name
            )));
        }
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(e.into()),
    }
    let summary = json!({
        "auth_mode": spec.body.pointer("/properties/authMode").cloned().unwrap_or(Value::Null),
        "kind": if spec.body.pointer("/properties/compute").is_some() { "kubernetes" } else { "managed" },
    });
    let change = Change {
        action: "endpoint create".to_string(),
        endpoint: spec.name.clone(),
        deployment: None,
        before: Value::Null,
        after: summary,
        az_command: Some(format!(
            "az ml online-endpoint create --file {}",
            shell_quote(&file)
        )),
    };
    let (view, _) = change
        .run(
            ctx,
            ctx.client
                .begin_put_endpoint(&ctx.workspace, &spec.name, &spec.body),
        )
        .await?;
    print_change(ctx, &view, &format!("endpoint {} created", spec.name))
}

#[derive(Debug, Serialize)]
struct CredentialsView {
    name: String,
    auth_mode: String,
    /// True when the secrets below are masked (without --show-secrets).
    masked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secondary_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry_time_utc: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

const MASK: &str = "******** (pass --show-secrets to print)";

async fn get_credentials(ctx: &Context, args: GetCredentialsArgs) -> CliResult<()> {
    let endpoint = ctx.client.get_endpoint(&ctx.workspace, &args.name).await?;
    let mode = endpoint.properties.auth_mode.clone();
    let reveal = |secret: Option<String>| {
        secret.map(|s| {
            if args.show_secrets {
                s
            } else {
                MASK.to_string()
            }
        })
    };
    let mut view = CredentialsView {
        name: endpoint.name.clone(),
        auth_mode: mode.clone(),
        masked: !args.show_secrets,
        primary_key: None,
        secondary_key: None,
        access_token: None,
        expiry_time_utc: None,
        note: None,
    };
    match mode.to_ascii_lowercase().as_str() {
        "key" => {
            let keys = ctx.client.list_keys(&ctx.workspace, &endpoint.name).await?;
            view.primary_key = reveal(keys.primary_key);
            view.secondary_key = reveal(keys.secondary_key);
        }
        "amltoken" => {
            let token = ctx.client.get_token(&ctx.workspace, &endpoint.name).await?;
            view.access_token = reveal(token.access_token);
            view.expiry_time_utc = Some(token.expiry_time_utc);
        }
        "aadtoken" => {
            view.masked = false;
            view.note = Some(
                "this endpoint takes Microsoft Entra tokens: get one with `az account get-access-token --resource https://ml.azure.com`".to_string(),
            );
        }
        other => {
            return Err(CliError::Failed(format!(
                "endpoint {} uses auth mode {other:?}, which aml-rollout does not know",
                endpoint.name
            )));
        }
    }
    match ctx.output {
        Output::Json => print_json(&view),
        Output::Table => {
            let mut fields = vec![("name", view.name), ("auth_mode", view.auth_mode)];
            for (name, value) in [
                ("primary_key", view.primary_key),
                ("secondary_key", view.secondary_key),
                ("access_token", view.access_token),
                ("note", view.note),
            ] {
                if let Some(value) = value {
                    fields.push((name, value));
                }
            }
            if let Some(expiry) = view.expiry_time_utc {
                fields.push(("expiry_time_utc", expiry.to_string()));
            }
            print_fields(&fields);
            Ok(())
        }
    }
}

async fn delete(ctx: &Context, args: DeleteEndpointArgs) -> CliResult<()> {
    ctx.ensure_writable("delete an endpoint")?;
    let endpoint = ctx.client.get_endpoint(&ctx.workspace, &args.name).await?;
    confirm_delete(
        &format!("endpoint {} and all its deployments", endpoint.name),
        &endpoint.name,
        args.yes,
    )?;
    let change = Change {
        action: "endpoint delete".to_string(),
        endpoint: endpoint.name.clone(),
        deployment: None,
        before: split_json(&split_of(&endpoint)),
        after: Value::Null,
        az_command: Some(format!(
            "az ml online-endpoint delete --name {} --yes",
            shell_quote(&endpoint.name)
        )),
    };
    let (view, _) = change
        .run(
            ctx,
            ctx.client
                .begin_delete_endpoint(&ctx.workspace, &endpoint.name),
        )
        .await?;
    print_change(ctx, &view, &format!("endpoint {} deleted", endpoint.name))
}

/// The table form of a change: one sentence (or "accepted" for --no-wait), then the az
/// equivalent.
pub fn print_change(ctx: &Context, view: &ChangeView, done: &str) -> CliResult<()> {
    match ctx.output {
        Output::Json => print_json(view),
        Output::Table => {
            let sentence = match view.status {
                ChangeStatus::Succeeded => done.to_string(),
                ChangeStatus::Accepted => format!(
                    "{}: accepted by the service, still running (--no-wait)",
                    view.action
                ),
            };
            println!("{}", aml_rollout::logstream::sanitize_inline(&sentence));
            if let Some(az) = &view.az_command {
                println!(
                    "az equivalent: {}",
                    aml_rollout::logstream::sanitize_inline(az)
                );
            }
            Ok(())
        }
    }
}

/// Quotes a word for a shell command shown to the operator, unless it needs none.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
