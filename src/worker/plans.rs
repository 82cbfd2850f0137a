//! Rollout plans in the console's worker: the same workflows as `rollout run|resume|promote|
//! pause|abort`, their events sent to `update` as messages.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::ids::RequestId;
use crate::app::msg::{Msg, PlanRunHow};
use crate::logstream::sanitize_inline;
use crate::operator_file::{AZ_ML_YAML, read_text};
use crate::ops::{Ops, OpsError, OpsResult, PlanEnd, PlanEvent};

/// The plan file's text, read off the UI task.
pub(super) async fn read_plan_file(
    tx: &UnboundedSender<Msg>,
    request: RequestId,
    endpoint: String,
    file: PathBuf,
) {
    let shown = file.display().to_string();
    let result = tokio::task::spawn_blocking(move || read_text(&file, AZ_ML_YAML))
        .await
        .map_err(|e| OpsError::File(e.to_string()))
        .and_then(|read| read.map_err(|e| OpsError::File(e.to_string())));
    let _ = tx.send(Msg::PlanFileRead {
        request,
        endpoint,
        file: shown,
        result,
    });
}

fn progress(tx: &UnboundedSender<Msg>, endpoint: &str) -> impl FnMut(PlanEvent) + Send + use<> {
    let (tx, endpoint) = (tx.clone(), endpoint.to_string());
    move |event| {
        let _ = tx.send(Msg::PlanProgress {
            endpoint: endpoint.clone(),
            event: sanitized(event),
        });
    }
}

/// An event's text made safe to show: splits name deployments and reasons quote the service.
fn sanitized(event: PlanEvent) -> PlanEvent {
    let clean = |text: String| sanitize_inline(&text);
    match event {
        PlanEvent::Started {
            endpoint,
            deployment,
            baseline,
            digest,
            run,
            steps,
            original,
        } => PlanEvent::Started {
            endpoint: clean(endpoint),
            deployment: clean(deployment),
            baseline: clean(baseline),
            digest: clean(digest),
            run: clean(run),
            steps,
            original: clean(original),
        },
        PlanEvent::StepApplied {
            step,
            what,
            before,
            after,
        } => PlanEvent::StepApplied {
            step,
            what: clean(what),
            before: clean(before),
            after: clean(after),
        },
        PlanEvent::Gates { step, mut report } => {
            report.reason = clean(report.reason);
            PlanEvent::Gates { step, report }
        }
        PlanEvent::AwaitingApproval { step, prompt } => PlanEvent::AwaitingApproval {
            step,
            prompt: clean(prompt),
        },
        PlanEvent::Paused { step, reason } => PlanEvent::Paused {
            step,
            reason: clean(reason),
        },
        PlanEvent::RolledBack {
            step,
            reason,
            restored,
        } => PlanEvent::RolledBack {
            step,
            reason: clean(reason),
            restored: clean(restored),
        },
        PlanEvent::Done { steps, split } => PlanEvent::Done {
            steps,
            split: clean(split),
        },
        event @ (PlanEvent::Baking { .. } | PlanEvent::Promoted { .. }) => event,
    }
}

/// Starts, resumes or approves, then drives until the plan stops.
pub(super) async fn run_plan(
    ops: &Ops,
    tx: &UnboundedSender<Msg>,
    driver: RequestId,
    endpoint: String,
    file: String,
    text: String,
    how: PlanRunHow,
) {
    let mut events = progress(tx, &endpoint);
    let result: OpsResult<PlanEnd> = async {
        match how {
            PlanRunHow::Start => {
                let mut run = ops.start_plan(&endpoint, &file, &text).await?;
                events(Ops::started_event(&run));
                ops.drive_plan(&mut run, &mut events).await
            }
            PlanRunHow::Resume => {
                let mut run = ops.take_over_plan(&endpoint, Some((file, text))).await?;
                ops.resume_plan(&mut run, &mut events).await
            }
            PlanRunHow::Approve => {
                let mut run = ops.take_over_plan(&endpoint, Some((file, text))).await?;
                if ops.promote_plan(&mut run).await? {
                    // The approval moved the record past the gate: report the gate's step.
                    events(PlanEvent::Promoted {
                        step: run.record.progress.step.saturating_sub(1),
                    });
                }
                ops.resume_plan(&mut run, &mut events).await
            }
        }
    }
    .await;
    let _ = tx.send(Msg::PlanEnded {
        driver,
        endpoint,
        result,
    });
}

/// Asks the running runner to skip the rest of its bake, through the endpoint's tag.
pub(super) async fn promote(
    ops: &Ops,
    tx: &UnboundedSender<Msg>,
    endpoint: String,
    file: String,
    text: String,
) {
    let asked = async {
        let mut run = ops.take_over_plan(&endpoint, Some((file, text))).await?;
        ops.promote_plan(&mut run).await
    }
    .await;
    let _ = tx.send(match asked {
        Ok(_) => Msg::Info(
            "promote asked: the plan skips the rest of its bake at its next look".to_string(),
        ),
        Err(e) => Msg::Warning(format!("promote not sent: {e}")),
    });
}

/// Pauses the plan through the endpoint's tag; its runner stops at its next look.
pub(super) async fn pause(ops: &Ops, tx: &UnboundedSender<Msg>, endpoint: String) {
    let reason = "paused by a person (console)";
    let _ = tx.send(match ops.pause_plan(&endpoint, reason).await {
        Ok(record) => Msg::PlanProgress {
            endpoint,
            event: PlanEvent::Paused {
                step: record.progress.step,
                reason: reason.to_string(),
            },
        },
        Err(e) => Msg::Warning(format!("pause not sent: {e}")),
    });
}

/// Rolls the plan back to the split it began with, and reads it back.
pub(super) async fn abort(
    ops: &Ops,
    tx: &UnboundedSender<Msg>,
    driver: RequestId,
    endpoint: String,
) {
    let mut events = progress(tx, &endpoint);
    let result = ops.abort_plan(&endpoint, &mut events).await;
    let _ = tx.send(Msg::PlanEnded {
        driver,
        endpoint,
        result,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_text_in_plan_events_reaches_the_screen_without_control_sequences() {
        let hostile = "bl\u{1b}[2Jue=90 gr\u{7}een=10\u{1b}]0;owned\u{7}".to_string();
        let events = [
            PlanEvent::RolledBack {
                step: 0,
                reason: hostile.clone(),
                restored: hostile.clone(),
            },
            PlanEvent::StepApplied {
                step: 0,
                what: "traffic 10".into(),
                before: hostile.clone(),
                after: hostile.clone(),
            },
            PlanEvent::Paused {
                step: 0,
                reason: hostile,
            },
        ];
        for event in events {
            let shown = format!("{:?}", sanitized(event));
            assert!(
                !shown.contains("\\u{1b}") && !shown.contains("\\u{7}"),
                "{shown}"
            );
        }
    }
}
