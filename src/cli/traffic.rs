//! `aml-rollout traffic -e E "blue=90 green=10"` and `aml-rollout mirror -e E "green=10"`:
//! checked against Azure's rules before anything is sent (the same rules as the console),
//! then the before → after diff and the az equivalent.

use aml_rollout::azure::SplitChange;
use aml_rollout::logstream::sanitize_inline;
use aml_rollout::rollout::{
    SplitState, TrafficSplit, az_update_command, diff_split, parse_traffic,
};

use super::args::TrafficArgs;
use super::change::Change;
use super::context::Context;
use super::deployment::check_split;
use super::error::CliResult;
use super::output::{Output, print_json};
use super::views::{ChangeStatus, split_json, split_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Live,
    Mirror,
}

pub async fn run(ctx: &Context, which: Which, args: TrafficArgs) -> CliResult<()> {
    let action = match which {
        Which::Live => "traffic",
        Which::Mirror => "mirror",
    };
    ctx.ensure_writable(&format!("change {action}"))?;
    // Like az: the given map replaces the whole live (or mirror) map.
    let requested = parse_traffic(&args.split)?;
    let endpoint = ctx
        .client
        .get_endpoint(&ctx.workspace, &args.endpoint)
        .await?;
    let deployments = ctx
        .client
        .list_deployments(&ctx.workspace, &endpoint.name)
        .await?;
    let names: Vec<String> = deployments.iter().map(|d| d.name.clone()).collect();
    let before = split_of(&endpoint);
    let after = match which {
        // A deployment takes live or mirror traffic, never both: giving one live traffic ends
        // its mirror share (the diff says so), as the console does.
        Which::Live => TrafficSplit {
            live: requested.clone(),
            mirror: before
                .mirror
                .iter()
                .filter(|(name, _)| requested.get(*name).copied().unwrap_or(0) == 0)
                .map(|(name, pct)| (name.clone(), *pct))
                .collect(),
        },
        Which::Mirror => TrafficSplit {
            live: before.live.clone(),
            mirror: requested.clone(),
        },
    };
    check_split(&after, &names, endpoint.is_kubernetes())?;

    let diff = diff_split(&before.live, &before.mirror, &after.live, &after.mirror);
    let az = az_update_command(
        &endpoint.name,
        SplitState {
            live: &before.live,
            mirror: &before.mirror,
        },
        SplitState {
            live: &after.live,
            mirror: &after.mirror,
        },
    );
    let change = Change {
        action: action.to_string(),
        endpoint: endpoint.name.clone(),
        deployment: None,
        before: split_json(&before),
        after: split_json(&after.normalized()),
        az_command: Some(az),
    };
    let request = match which {
        Which::Live => SplitChange {
            live: Some(requested),
            mirror: (after.mirror != before.mirror).then(|| after.mirror.clone()),
            expect: Some(before.clone()),
        },
        Which::Mirror => SplitChange {
            live: None,
            mirror: Some(requested),
            expect: Some(before.clone()),
        },
    };
    let (mut view, _) = change
        .run(ctx, async {
            ctx.client
                .begin_update_split(&ctx.workspace, &endpoint.name, &request)
                .await
                .map(|update| update.operation)
        })
        .await?;
    view.changes = Some(diff.rows.clone());
    view.notes = Some(diff.notes.clone());

    match ctx.output {
        Output::Json => print_json(&view),
        Output::Table => {
            if diff.is_empty() {
                println!("{}: no change", sanitize_inline(&endpoint.name));
            }
            for row in &diff.rows {
                let mut line = format!(
                    "{:<24} live {:>3}% → {:>3}%",
                    sanitize_inline(&row.deployment),
                    row.live_before,
                    row.live_after
                );
                if row.mirror_before != row.mirror_after || row.mirror_after > 0 {
                    line.push_str(&format!(
                        "   mirror {:>3}% → {:>3}%",
                        row.mirror_before, row.mirror_after
                    ));
                }
                println!("{line}");
            }
            for note in &diff.notes {
                println!("note: {}", sanitize_inline(note));
            }
            match view.status {
                ChangeStatus::Succeeded => {
                    println!("{} of {} applied", action, sanitize_inline(&endpoint.name))
                }
                ChangeStatus::Accepted => println!(
                    "{} of {}: accepted by the service, still running (--no-wait)",
                    action,
                    sanitize_inline(&endpoint.name)
                ),
            }
            if let Some(az) = &view.az_command {
                println!("az equivalent: {}", sanitize_inline(az));
            }
            Ok(())
        }
    }
}
