//! `aml-rollout endpoint list | show | create | get-credentials | delete`.

use serde::Serialize;

use super::args::{DeleteEndpointArgs, EndpointCommand, FileArg, GetCredentialsArgs, NameArg};
use super::change::apply;
use super::confirm::confirm_delete;
use super::context::Context;
use super::error::CliResult;
use super::output::{Output, print_fields, print_json, print_table, split_text};
use super::views::{ChangeStatus, ChangeView, EndpointView};

pub(super) async fn run(ctx: &Context, command: EndpointCommand) -> CliResult<()> {
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

async fn create(ctx: &Context, args: FileArg) -> CliResult<()> {
    ctx.ensure_writable("create an endpoint")?;
    let prepared = ctx.ops.prepare_create_endpoint(&args.file).await?;
    let name = prepared.change.endpoint.clone();
    let (view, _) = apply(ctx, prepared).await?;
    print_change(ctx, &view, &format!("endpoint {name} created"))
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
    let credentials = ctx.ops.credentials(&args.name).await?;
    let reveal = |secret: Option<String>| {
        secret.map(|s| {
            if args.show_secrets {
                s
            } else {
                MASK.to_string()
            }
        })
    };
    let entra = credentials.auth_mode.eq_ignore_ascii_case("aadtoken");
    let view = CredentialsView {
        name: credentials.endpoint,
        auth_mode: credentials.auth_mode,
        masked: !args.show_secrets && !entra,
        primary_key: reveal(credentials.primary_key),
        secondary_key: reveal(credentials.secondary_key),
        access_token: reveal(credentials.access_token),
        expiry_time_utc: credentials.expiry_time_utc,
        note: entra.then(|| {
            "this endpoint takes Microsoft Entra tokens: get one with `az account get-access-token --resource https://ml.azure.com`".to_string()
        }),
    };
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
    let prepared = ctx.ops.prepare_delete_endpoint(&args.name).await?;
    let name = prepared.change.endpoint.clone();
    confirm_delete(
        &format!("endpoint {name} and all its deployments"),
        &name,
        args.yes,
    )?;
    let (view, _) = apply(ctx, prepared).await?;
    print_change(ctx, &view, &format!("endpoint {name} deleted"))
}

/// The table form of a change: one sentence (or "accepted" for --no-wait), then the az
/// equivalent.
pub(super) fn print_change(ctx: &Context, view: &ChangeView, done: &str) -> CliResult<()> {
    match ctx.output {
        Output::Json => print_json(view),
        Output::Table => {
            let sentence = match view.status {
                ChangeStatus::Succeeded => done.to_string(),
                ChangeStatus::NotYetVisible => {
                    format!("{done}, not yet visible: the service still shows the previous state")
                }
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
