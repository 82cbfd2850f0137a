//! The shared tail of every mutating command: hand the prepared change to the workflow layer,
//! which sends it, follows it unless --no-wait (progress on stderr here) and journals the
//! outcome; then turn the result into the view that is printed.

use aml_rollout::azure::LroProgress;
use aml_rollout::ops::{Prepared, Wait};
use serde_json::Value;

use super::context::Context;
use super::error::CliResult;
use super::output::progress;
use super::views::{ChangeStatus, ChangeView};

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
