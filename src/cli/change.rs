//! The shared tail of every mutating command: check a deployment change against the core quota
//! (the figures on stderr), hand the prepared change to the workflow layer, which sends it,
//! follows it unless --no-wait (progress on stderr here) and journals the outcome; then turn
//! the result into the view that is printed.

use aml_rollout::azure::LroProgress;
use aml_rollout::ops::{Prepared, Wait};
use serde_json::Value;

use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::progress;
use super::views::{ChangeStatus, ChangeView};
use aml_rollout::logstream::sanitize_inline;
use aml_rollout::rollout::QuotaCheck;

/// Sends `prepared`, waits for it unless --no-wait. Returns the view to print and the final
/// resource, if the operation returned one.
pub(super) async fn apply(
    ctx: &Context,
    prepared: Prepared,
) -> CliResult<(ChangeView, Option<Value>)> {
    let (wait, mut on_progress): (_, Box<dyn FnMut(LroProgress) + Send>) = if ctx.no_wait {
        (Wait::Accepted, Box::new(|_| {}))
    } else {
        (
            Wait::UntilDone,
            Box::new(progress(prepared.change.describe())),
        )
    };
    let applied = ctx.ops.apply(prepared, wait, &mut *on_progress).await?;
    let change = applied.change;
    let view = ChangeView {
        action: change.action().to_string(),
        az_command: Some(change.az_command()),
        endpoint: change.endpoint,
        deployment: change.deployment,
        status: match (applied.finished, applied.visible) {
            (false, _) => ChangeStatus::Accepted,
            (true, true) => ChangeStatus::Succeeded,
            (true, false) => ChangeStatus::NotYetVisible,
        },
        before: change.before,
        after: change.after,
        changes: None,
        notes: None,
    };
    Ok((view, applied.resource))
}

/// Checks a deployment change against the region's core quota and says on stderr what it
/// needs. A change that cannot fit is refused before anything is sent, unless `force`; a
/// quota that cannot be read never refuses.
pub(super) async fn check_quota(ctx: &Context, prepared: &Prepared, force: bool) -> CliResult<()> {
    let Some(check) = ctx.ops.quota_check(prepared).await else {
        return Ok(());
    };
    let line = sanitize_inline(&check.line());
    match check {
        QuotaCheck::Known(_) => eprintln!("quota: {line}"),
        // These lines say "quota" themselves.
        QuotaCheck::NotCounted(_) | QuotaCheck::Unknown(_) => eprintln!("{line}"),
    }
    match (check.blocks(), force) {
        (false, _) => Ok(()),
        (true, true) => {
            eprintln!("quota: sending anyway (--force); Azure decides");
            Ok(())
        }
        (true, false) => Err(CliError::Usage(format!(
            "not sent: {} {line}. Scale down (here or another deployment), choose a smaller instance type, request more quota for the family, or pass --force to send anyway and let Azure decide",
            sanitize_inline(&prepared.change.target())
        ))),
    }
}
