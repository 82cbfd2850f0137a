//! `aml-rollout deployment list | show | create | update | scale | delete`.

use aml_rollout::ops::{DeploymentCreateOptions, Prepared, check_split};
use aml_rollout::rollout::{Change, ChangeKind, TrafficMap, TrafficSplit, diff_split};
use serde_json::{Map, Value, json};

use super::args::{
    CreateDeploymentArgs, DeleteDeploymentArgs, DeploymentCommand, DeploymentRef, EndpointArg,
    ScaleArgs, UpdateDeploymentArgs,
};
use super::change::{apply, check_quota};
use super::confirm::confirm_delete;
use super::context::Context;
use super::endpoint::print_change;
use super::error::{CliError, CliResult};
use super::output::{Output, print_fields, print_json, print_table};
use super::views::{DeploymentView, short_asset, split_of};

pub(super) async fn run(ctx: &Context, command: DeploymentCommand) -> CliResult<()> {
    match command {
        DeploymentCommand::List(args) => list(ctx, args).await,
        DeploymentCommand::Show(args) => show(ctx, args).await,
        DeploymentCommand::Create(args) => create(ctx, args).await,
        DeploymentCommand::Update(args) => update(ctx, args).await,
        DeploymentCommand::Scale(args) => scale(ctx, args).await,
        DeploymentCommand::Delete(args) => delete(ctx, args).await,
    }
}

async fn list(ctx: &Context, args: EndpointArg) -> CliResult<()> {
    let endpoint = ctx
        .client
        .get_endpoint(&ctx.workspace, &args.endpoint)
        .await?;
    let split = split_of(&endpoint);
    let deployments = ctx
        .client
        .list_deployments(&ctx.workspace, &endpoint.name)
        .await?;
    let views: Vec<DeploymentView> = deployments
        .iter()
        .map(|d| DeploymentView::new(&endpoint.name, d, &split))
        .collect();
    match ctx.output {
        Output::Json => print_json(&views),
        Output::Table => {
            let rows: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.name.clone(),
                        v.provisioning_state.clone().unwrap_or_default(),
                        v.instance_count.map(|c| c.to_string()).unwrap_or_default(),
                        v.instance_type.clone().unwrap_or_default(),
                        format!("{}%", v.traffic),
                        format!("{}%", v.mirror_traffic),
                        v.model.as_deref().map(short_asset).unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "NAME",
                    "STATE",
                    "INSTANCES",
                    "INSTANCE TYPE",
                    "TRAFFIC",
                    "MIRROR",
                    "MODEL",
                ],
                &rows,
            );
            Ok(())
        }
    }
}

async fn show(ctx: &Context, args: DeploymentRef) -> CliResult<()> {
    let endpoint = ctx
        .client
        .get_endpoint(&ctx.workspace, &args.endpoint)
        .await?;
    let deployment = ctx
        .client
        .get_deployment(&ctx.workspace, &endpoint.name, &args.name)
        .await?;
    let view = DeploymentView::new(&endpoint.name, &deployment, &split_of(&endpoint));
    match ctx.output {
        Output::Json => print_json(&view),
        Output::Table => {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            print_fields(&[
                ("name", view.name.clone()),
                ("endpoint_name", view.endpoint_name.clone()),
                ("type", view.compute_type.clone()),
                ("provisioning_state", opt(&view.provisioning_state)),
                ("instance_type", opt(&view.instance_type)),
                (
                    "instance_count",
                    view.instance_count
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                ("model", opt(&view.model)),
                ("environment", opt(&view.environment)),
                ("traffic", format!("{}%", view.traffic)),
                ("mirror_traffic", format!("{}%", view.mirror_traffic)),
            ]);
            Ok(())
        }
    }
}

async fn create(ctx: &Context, args: CreateDeploymentArgs) -> CliResult<()> {
    ctx.ensure_writable("create a deployment")?;
    if args.all_traffic && ctx.no_wait {
        return Err(CliError::Usage(
            "--all-traffic cannot be combined with --no-wait: traffic can move only once the deployment exists".to_string(),
        ));
    }
    let options = DeploymentCreateOptions {
        endpoint: args.endpoint.as_deref(),
        all_traffic: args.all_traffic,
        force_update: args.force_update,
    };
    let (prepared, endpoint) = ctx
        .ops
        .prepare_create_deployment(&args.file, options)
        .await?;
    let name = prepared.change.deployment.clone().unwrap_or_default();
    let split_before = split_of(&endpoint);
    // With --all-traffic, check the split now, so a refusal comes before the deployment exists.
    let all_traffic = |_: &TrafficSplit| TrafficSplit {
        live: TrafficMap::from([(name.to_lowercase(), 100)]),
        mirror: split_before.mirror.clone(),
    };
    if args.all_traffic {
        let existing = ctx
            .client
            .list_deployments(&ctx.workspace, &endpoint.name)
            .await?;
        let mut names: Vec<String> = existing.iter().map(|d| d.name.clone()).collect();
        names.push(name.clone());
        check_split(
            &all_traffic(&split_before),
            &names,
            endpoint.is_kubernetes(),
        )?;
    }
    check_quota(ctx, &prepared, args.force).await?;
    let (mut view, _) = apply(ctx, prepared).await?;
    if args.all_traffic {
        let traffic = ctx
            .ops
            .prepare_split(&endpoint.name, Some(&split_before), all_traffic)
            .await?;
        let (after_live, after_mirror) = match &traffic.change.kind {
            ChangeKind::Traffic { after, .. } | ChangeKind::Mirror { after, .. } => {
                (after.live.clone(), after.mirror.clone())
            }
            _ => (TrafficMap::new(), TrafficMap::new()),
        };
        apply(ctx, traffic).await?;
        let diff = diff_split(
            &split_before.live,
            &split_before.mirror,
            &after_live,
            &after_mirror,
        );
        view.changes = Some(diff.rows);
        view.notes = Some(diff.notes);
    }
    let done = if args.all_traffic {
        format!(
            "deployment {name} created under {} and given all live traffic",
            endpoint.name
        )
    } else {
        format!(
            "deployment {name} created under {} (0% traffic; move traffic with `aml-rollout traffic`)",
            endpoint.name
        )
    };
    print_change(ctx, &view, &done)
}

/// One `--set KEY=VALUE`, understood.
#[derive(Debug, Clone, PartialEq)]
struct Setting {
    key: String,
    /// Where the value lives in the ARM resource.
    path: Vec<String>,
    value: Value,
}

const SETTABLE: &str = "instance_count, description, tags.<name>, request_settings.request_timeout_ms, request_settings.max_concurrent_requests_per_instance";

fn parse_setting(raw: &str) -> CliResult<Setting> {
    let bad = |why: String| CliError::Usage(format!("--set {raw}: {why}"));
    let (key, value) = raw
        .split_once('=')
        .ok_or_else(|| bad("expected KEY=VALUE".to_string()))?;
    let key = key.trim();
    let count = |min: u64| -> CliResult<Value> {
        value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= min)
            .map(|n| json!(n))
            .ok_or_else(|| bad(format!("{key} must be a whole number of at least {min}")))
    };
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (path, value) = match key {
        "instance_count" => (path(&["sku", "capacity"]), count(1)?),
        "description" => (path(&["properties", "description"]), json!(value)),
        "request_settings.max_concurrent_requests_per_instance" => (
            path(&[
                "properties",
                "requestSettings",
                "maxConcurrentRequestsPerInstance",
            ]),
            count(1)?,
        ),
        "request_settings.request_timeout_ms" => {
            let ms = count(1)?.as_u64().unwrap_or(1);
            let iso = if ms.is_multiple_of(1000) {
                format!("PT{}S", ms / 1000)
            } else {
                format!("PT{}.{:03}S", ms / 1000, ms % 1000)
            };
            (
                path(&["properties", "requestSettings", "requestTimeout"]),
                json!(iso),
            )
        }
        _ => match key.strip_prefix("tags.") {
            Some(tag) if !tag.is_empty() => {
                (vec!["tags".to_string(), tag.to_string()], json!(value))
            }
            _ => {
                return Err(bad(format!(
                    "unknown key {key:?}; settable keys: {SETTABLE}"
                )));
            }
        },
    };
    Ok(Setting {
        key: key.to_string(),
        path,
        value,
    })
}

fn read_path<'a>(resource: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(resource, |node, key| node.get(key))
}

fn write_path(resource: &mut Value, path: &[String], value: Value) {
    let mut node = resource;
    for key in &path[..path.len().saturating_sub(1)] {
        if !node.get(key).is_some_and(Value::is_object)
            && let Some(object) = node.as_object_mut()
        {
            object.insert(key.clone(), Value::Object(Map::new()));
        }
        let Some(next) = node.get_mut(key) else {
            return;
        };
        node = next;
    }
    if let (Some(last), Some(object)) = (path.last(), node.as_object_mut()) {
        object.insert(last.clone(), value);
    }
}

async fn update(ctx: &Context, args: UpdateDeploymentArgs) -> CliResult<()> {
    ctx.ensure_writable("update a deployment")?;
    let settings = args
        .set
        .iter()
        .map(|raw| parse_setting(raw))
        .collect::<CliResult<Vec<_>>>()?;
    let target = &args.target;
    // Like `az ml online-deployment update`: GET, change only what was asked, PUT the rest
    // exactly as received.
    let mut resource = ctx
        .client
        .get_deployment_raw(&ctx.workspace, &target.endpoint, &target.name)
        .await?;
    let mut before = Map::new();
    let mut after = Map::new();
    for setting in &settings {
        before.insert(
            setting.key.clone(),
            read_path(&resource, &setting.path)
                .cloned()
                .unwrap_or(Value::Null),
        );
        after.insert(setting.key.clone(), setting.value.clone());
        if setting.key == "instance_count" && resource.get("sku").is_none() {
            // The SDK's choice when a deployment has no sku: the service requires a name.
            write_path(
                &mut resource,
                &["sku".to_string()],
                json!({"name": "Default"}),
            );
        }
        write_path(&mut resource, &setting.path, setting.value.clone());
    }
    let change = Change {
        kind: ChangeKind::DeploymentUpdate {
            settings: args.set.clone(),
        },
        endpoint: target.endpoint.clone(),
        deployment: Some(target.name.clone()),
        before: Value::Object(before),
        after: Value::Object(after),
    };
    let prepared = Prepared::put_deployment(change, resource);
    // Only the instance count draws on quota among the settable keys.
    if settings.iter().any(|s| s.key == "instance_count") {
        check_quota(ctx, &prepared, args.force).await?;
    }
    let (view, _) = apply(ctx, prepared).await?;
    print_change(
        ctx,
        &view,
        &format!("deployment {} of {} updated", target.name, target.endpoint),
    )
}

async fn scale(ctx: &Context, args: ScaleArgs) -> CliResult<()> {
    ctx.ensure_writable("scale a deployment")?;
    let target = &args.target;
    let prepared = ctx
        .ops
        .prepare_scale(&target.endpoint, &target.name, args.instance_count)
        .await?;
    let name = prepared.change.deployment.clone().unwrap_or_default();
    let before = prepared
        .change
        .before
        .get("instance_count")
        .and_then(Value::as_u64)
        .map_or("?".to_string(), |c| c.to_string());
    check_quota(ctx, &prepared, args.force).await?;
    let (view, _) = apply(ctx, prepared).await?;
    print_change(
        ctx,
        &view,
        &format!(
            "deployment {name} of {} scaled from {before} to {} instance(s)",
            target.endpoint, args.instance_count
        ),
    )
}

async fn delete(ctx: &Context, args: DeleteDeploymentArgs) -> CliResult<()> {
    ctx.ensure_writable("delete a deployment")?;
    let target = &args.target;
    let prepared = ctx
        .ops
        .prepare_delete_deployment(&target.endpoint, &target.name)
        .await?;
    let endpoint = prepared.change.endpoint.clone();
    let name = prepared.change.deployment.clone().unwrap_or_default();
    confirm_delete(
        &format!("deployment {name} of endpoint {endpoint}"),
        &name,
        args.yes,
    )?;
    let (view, _) = apply(ctx, prepared).await?;
    print_change(
        ctx,
        &view,
        &format!("deployment {name} of {endpoint} deleted"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_map_to_the_arm_resource() {
        let s = parse_setting("instance_count=2").unwrap();
        assert_eq!(s.path, ["sku", "capacity"]);
        assert_eq!(s.value, json!(2));
        let t = parse_setting("request_settings.request_timeout_ms=1500").unwrap();
        assert_eq!(t.value, json!("PT1.500S"));
        let tag = parse_setting("tags.owner=a=b").unwrap();
        assert_eq!(tag.path, ["tags", "owner"]);
        assert_eq!(tag.value, json!("a=b"));
        for bad in [
            "instance_count=0",
            "instance_count=two",
            "nope=1",
            "novalue",
            "tags.=x",
        ] {
            assert!(parse_setting(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writing_a_path_creates_missing_objects_and_keeps_the_rest() {
        let mut resource = json!({"properties": {"model": "m"}});
        write_path(
            &mut resource,
            &[
                "properties".into(),
                "requestSettings".into(),
                "requestTimeout".into(),
            ],
            json!("PT5S"),
        );
        assert_eq!(
            resource,
            json!({"properties": {"model": "m", "requestSettings": {"requestTimeout": "PT5S"}}})
        );
    }
}
