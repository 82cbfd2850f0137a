//! `aml-rollout traffic -e E "blue=90 green=10"` and `aml-rollout mirror -e E "green=10"`:
//! checked against Azure's rules before anything is sent (the same rules as the console),
//! then the before → after diff and the az equivalent.

use aml_rollout::logstream::sanitize_inline;
use aml_rollout::rollout::{ChangeKind, TrafficSplit, diff_split, parse_traffic};

use super::args::TrafficArgs;
use super::change::apply;
use super::context::Context;
use super::error::CliResult;
use super::output::{Output, print_json};
use super::views::ChangeStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Live,
    Mirror,
}

pub(super) async fn run(ctx: &Context, which: Which, args: TrafficArgs) -> CliResult<()> {
    let action = match which {
        Which::Live => "traffic",
        Which::Mirror => "mirror",
    };
    ctx.ensure_writable(&format!("change {action}"))?;
    // Like az: the given map replaces the whole live (or mirror) map.
    let requested = parse_traffic(&args.split)?;
    let endpoint_name = args.endpoint.clone();
    let prepared = ctx
        .ops
        .prepare_split(&args.endpoint, None, |before| match which {
            // A deployment takes live or mirror traffic, never both: giving one live traffic
            // ends its mirror share (the diff says so), as the console does.
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
        })
        .await?;
    let diff = match &prepared.change.kind {
        ChangeKind::Traffic { before, after } | ChangeKind::Mirror { before, after } => {
            diff_split(&before.live, &before.mirror, &after.live, &after.mirror)
        }
        _ => diff_split(
            &Default::default(),
            &Default::default(),
            &Default::default(),
            &Default::default(),
        ),
    };
    let endpoint_name = if prepared.change.endpoint.is_empty() {
        endpoint_name
    } else {
        prepared.change.endpoint.clone()
    };
    let (mut view, _) = apply(ctx, prepared).await?;
    view.changes = Some(diff.rows.clone());
    view.notes = Some(diff.notes.clone());

    match ctx.output {
        Output::Json => print_json(&view),
        Output::Table => {
            if diff.is_empty() {
                println!("{}: no change", sanitize_inline(&endpoint_name));
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
                    println!("{} of {} applied", action, sanitize_inline(&endpoint_name))
                }
                ChangeStatus::NotYetVisible => println!(
                    "{} of {} applied, not yet visible: the service still shows the previous split; check again with `endpoint show`",
                    action,
                    sanitize_inline(&endpoint_name)
                ),
                ChangeStatus::Accepted => println!(
                    "{} of {}: accepted by the service, still running (--no-wait)",
                    action,
                    sanitize_inline(&endpoint_name)
                ),
            }
            if let Some(az) = &view.az_command {
                println!("az equivalent: {}", sanitize_inline(az));
            }
            Ok(())
        }
    }
}
