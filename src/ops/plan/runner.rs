//! Driving a plan: the engine says what to do next, this carries it out through the same
//! workflows as a person's change (split with the stale guard, read back, journaled), records
//! the progress on the endpoint and appends each step to the flight recorder.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::journal::{JournalEntry, Outcome};
use crate::rollout::plan::{
    GateFigures, GateVerdict, NextAction, Observation, Phase, Plan, StepKind, evaluate_gates,
    next_action,
};
use crate::rollout::{TrafficSplit, format_traffic, split_value};

use super::record::{PlanRecord, Request};
use crate::azure::OperationIds;
use crate::ops::apply::{Ops, Wait};
use crate::ops::error::{OpsError, OpsResult};

/// How often a runner looks at the endpoint while it waits: a person's change, a pause or a
/// promote is seen within this, at one ARM read each time.
const POLL: Duration = Duration::from_secs(2);

/// A plan being driven on one endpoint.
#[derive(Debug, Clone)]
pub struct PlanRun {
    pub endpoint: String,
    pub plan: Plan,
    pub record: PlanRecord,
    /// False for `--no-wait`: stop at the first bake; `rollout resume` goes on.
    pub wait: bool,
    /// Who runs it (the signed-in principal), when known: every journal entry names them.
    pub by: Option<String>,
}

/// Why a runner stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanEnd {
    Done,
    RolledBack {
        reason: String,
    },
    /// The rollback was sent but the endpoint does not read back as the original split.
    RollbackUnverified {
        reason: String,
    },
    Paused {
        reason: String,
    },
    AwaitingApproval {
        prompt: String,
    },
    /// Another runner's id is in the tag now (`rollout resume` elsewhere).
    TakenOver {
        by: String,
    },
    /// `--no-wait`: the step is applied and baking until then.
    Detached {
        until: DateTime<Utc>,
    },
}

/// Green and the baseline over one bake window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateReport {
    pub verdict: &'static str,
    pub reason: String,
    pub green_requests: u64,
    pub green_error_percent: f64,
    pub baseline_requests: u64,
    pub baseline_error_percent: f64,
    pub green_p95_ms: Option<f64>,
    pub baseline_p95_ms: Option<f64>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

/// What a runner reports as it goes: a line on stderr, or a JSON line with `-o json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PlanEvent {
    Started {
        endpoint: String,
        deployment: String,
        baseline: String,
        digest: String,
        run: String,
        steps: usize,
        original: String,
    },
    StepApplied {
        step: usize,
        what: String,
        before: String,
        after: String,
    },
    Baking {
        step: usize,
        until: DateTime<Utc>,
    },
    Gates {
        step: usize,
        #[serde(flatten)]
        report: GateReport,
    },
    Promoted {
        step: usize,
    },
    AwaitingApproval {
        step: usize,
        prompt: String,
    },
    Paused {
        step: usize,
        reason: String,
    },
    RolledBack {
        step: usize,
        reason: String,
        restored: String,
    },
    Done {
        steps: usize,
        split: String,
    },
}

/// "blue=90 green=10, mirror green=10".
pub fn describe_split(split: &TrafficSplit) -> String {
    let split = split.normalized();
    let live = match format_traffic(&split.live) {
        t if t.is_empty() => "no live traffic".to_string(),
        t => t,
    };
    if split.mirror.is_empty() {
        live
    } else {
        format!("{live}, mirror {}", format_traffic(&split.mirror))
    }
}

/// "traffic 10", "mirror 10", "approve".
pub fn describe_step(plan: &Plan, step: usize) -> String {
    match plan.steps.get(step).map(|s| &s.kind) {
        Some(StepKind::Mirror(p)) => format!("mirror {p}"),
        Some(StepKind::Traffic(p)) => format!("traffic {p}"),
        Some(StepKind::Approve(_)) => "approve".to_string(),
        None => "end".to_string(),
    }
}

fn split_of(endpoint: &crate::azure::model::OnlineEndpoint) -> TrafficSplit {
    TrafficSplit::from_maps(
        endpoint.properties.traffic.as_ref(),
        endpoint.properties.mirror_traffic.as_ref(),
    )
}

fn gate_report(
    verdict: &GateVerdict,
    figures: &GateFigures,
    baseline_requests: u64,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> GateReport {
    let (name, reason) = match verdict {
        GateVerdict::Pass { summary } => ("pass", summary.clone()),
        GateVerdict::Fail { reasons } => ("fail", reasons.join("; ")),
        GateVerdict::NotEnoughData { reason } => ("not_enough_data", reason.clone()),
    };
    GateReport {
        verdict: name,
        reason,
        green_requests: figures.green_requests,
        green_error_percent: figures.green_error_percent,
        baseline_requests,
        baseline_error_percent: figures.baseline_error_percent,
        green_p95_ms: figures.green_p95_ms,
        baseline_p95_ms: figures.baseline_p95_ms,
        window_start: window.0,
        window_end: window.1,
    }
}

/// Figures measured for the current bake, with what the report needs beyond them.
struct Measured {
    figures: GateFigures,
    baseline_requests: u64,
    window: (DateTime<Utc>, DateTime<Utc>),
}

impl Ops {
    /// Green against the baseline over `since..=until`, from one health refresh.
    async fn measure_gates(
        &self,
        endpoint: &str,
        plan: &Plan,
        baseline: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> OpsResult<Measured> {
        let health = self
            .endpoint_health(endpoint, Utc::now().max(until))
            .await?;
        let green = health.series.stats_between(&plan.deployment, since, until);
        let base = health.series.stats_between(baseline, since, until);
        Ok(Measured {
            figures: GateFigures {
                green_requests: green.requests,
                green_error_percent: green.error_percent().unwrap_or(0.0),
                baseline_error_percent: base.error_percent().unwrap_or(0.0),
                green_p95_ms: green.p95_ms,
                baseline_p95_ms: base.p95_ms,
            },
            baseline_requests: base.requests,
            window: (since, until),
        })
    }

    /// Sets `target` (refused if the endpoint no longer has `expect`), then reads it back.
    pub(super) async fn set_split(
        &self,
        endpoint: &str,
        expect: Option<&TrafficSplit>,
        target: &TrafficSplit,
    ) -> OpsResult<(TrafficSplit, OperationIds)> {
        let wanted = target.clone();
        let prepared = self
            .prepare_split(endpoint, expect, move |_| wanted)
            .await?;
        let applied = self.apply(prepared, Wait::UntilDone, &mut |_| {}).await?;
        Ok((
            split_of(&self.existing_endpoint(endpoint).await?),
            applied.ids,
        ))
    }

    /// One flight-recorder entry for a plan.
    pub(super) async fn record_step(
        &self,
        run: &PlanRun,
        action: &str,
        before: &TrafficSplit,
        after: &TrafficSplit,
        details: Value,
        outcome: Outcome,
    ) {
        let progress = &run.record.progress;
        let mut recorded = json!({
            "split": split_value(&after.normalized()),
            "run": run.record.run,
            "digest": run.record.digest,
            "step": progress.step,
            "of": run.plan.steps.len(),
            "what": describe_step(&run.plan, progress.step),
            "phase": run.record.phase_name(),
        });
        if let (Some(object), Value::Object(more)) = (recorded.as_object_mut(), details) {
            object.extend(more);
        }
        self.append_entry(JournalEntry {
            time: Utc::now(),
            target: self.target_label.clone(),
            endpoint: run.endpoint.clone(),
            deployment: Some(run.plan.deployment.clone()).filter(|d| !d.is_empty()),
            action: format!("rollout {action}"),
            before: split_value(&before.normalized()),
            after: recorded,
            outcome,
            az_command: None,
            by: run.by.clone(),
        })
        .await;
    }

    /// Drives the plan until it is done, rolled back, paused, waiting for approval, taken over
    /// by another runner or (without `wait`) baking.
    pub async fn drive_plan(
        &self,
        run: &mut PlanRun,
        events: &mut (dyn FnMut(PlanEvent) + Send),
    ) -> OpsResult<PlanEnd> {
        let mut measured: Option<Measured> = None;
        // The verdict that let the plan go on, recorded with the step it let through.
        let mut last_gates: Option<GateReport> = None;
        loop {
            let ep = self.existing_endpoint(&run.endpoint).await?;
            let split = split_of(&ep);
            let tags = ep.tags.clone().unwrap_or_default();
            let theirs =
                PlanRecord::from_tags(&tags).map_err(|e| OpsError::Invalid(e.to_string()))?;
            let step = run.record.progress.step;
            match theirs {
                None => {
                    return Ok(PlanEnd::Paused {
                        reason: "the plan's record was removed from the endpoint's tags"
                            .to_string(),
                    });
                }
                Some(theirs) if theirs.run != run.record.run => {
                    return Ok(PlanEnd::TakenOver { by: theirs.run });
                }
                Some(theirs) => match theirs.progress.phase {
                    Phase::Paused { reason } => {
                        events(PlanEvent::Paused {
                            step,
                            reason: reason.clone(),
                        });
                        return Ok(PlanEnd::Paused { reason });
                    }
                    Phase::RolledBack { reason } => {
                        return Ok(PlanEnd::RolledBack { reason });
                    }
                    _ if theirs.request == Some(Request::Promote) => {
                        run.record.request = None;
                        run.record.progress.promote(&run.plan);
                        run.record.step_started = Utc::now();
                        measured = None;
                        self.write_record(&run.endpoint, &run.record).await?;
                        self.record_step(run, "promote", &split, &split, json!({}), Outcome::ok())
                            .await;
                        events(PlanEvent::Promoted { step });
                        continue;
                    }
                    _ => {}
                },
            }
            let now = Utc::now();
            let seen = Observation {
                now,
                split: &split,
                gates: measured.as_ref().map(|m| m.figures.clone()),
            };
            let action = next_action(&run.plan, &run.record.progress, &seen);
            let gates = measured.take().map(|m| {
                let verdict = evaluate_gates(&run.plan, &m.figures);
                gate_report(&verdict, &m.figures, m.baseline_requests, m.window)
            });
            if let Some(report) = &gates {
                self.record_step(
                    run,
                    "gates",
                    &split,
                    &split,
                    json!({ "gates": report }),
                    Outcome::ok_with(format!("{}: {}", report.verdict, report.reason)),
                )
                .await;
                events(PlanEvent::Gates {
                    step,
                    report: report.clone(),
                });
            }
            if gates.is_some() {
                last_gates = gates;
            }
            match action {
                NextAction::ApplySplit { target } => {
                    let before = run.record.progress.expected.clone();
                    let baseline = run.record.progress.baseline.clone();
                    let health = self
                        .health_snapshot(&run.endpoint, &run.plan.deployment, &baseline)
                        .await;
                    let (after, ids) =
                        match self.set_split(&run.endpoint, Some(&before), &target).await {
                            // Someone else changed it since the last look: the engine pauses.
                            Err(OpsError::Stale { .. }) => continue,
                            other => other?,
                        };
                    if after.normalized() != target.normalized() {
                        let reason = format!(
                            "the endpoint reads back {}, not the plan's {}",
                            describe_split(&after),
                            describe_split(&target)
                        );
                        return self.stop_paused(run, &after, reason, events).await;
                    }
                    let at = Utc::now();
                    let applied_step = run.record.progress.step;
                    run.record.progress.applied(&run.plan, after.clone(), at);
                    run.record.step_started = at;
                    self.write_record(&run.endpoint, &run.record).await?;
                    let details = json!({
                        "health": health,
                        "gates": last_gates.take(),
                        "operation": ids,
                        // The step just applied: without a bake the progress already names
                        // the next one.
                        "step": applied_step,
                        "what": describe_step(&run.plan, applied_step),
                    });
                    self.record_step(run, "step", &before, &after, details, Outcome::ok())
                        .await;
                    events(PlanEvent::StepApplied {
                        step,
                        what: describe_step(&run.plan, step),
                        before: describe_split(&before),
                        after: describe_split(&after),
                    });
                    if let (Phase::Baking { since }, Some(bake)) = (
                        &run.record.progress.phase,
                        run.plan.steps.get(step).and_then(|s| s.bake),
                    ) {
                        let until = *since + chrono::Duration::from_std(bake).unwrap_or_default();
                        events(PlanEvent::Baking { step, until });
                    }
                }
                NextAction::Wait { until } => {
                    if !run.wait {
                        return Ok(PlanEnd::Detached { until });
                    }
                    let left = (until - now).to_std().unwrap_or_default();
                    tokio::time::sleep(left.min(POLL)).await;
                }
                NextAction::EvaluateGates { since, until } => {
                    let baseline = run.record.progress.baseline.clone();
                    measured = Some(
                        self.measure_gates(&run.endpoint, &run.plan, &baseline, since, until)
                            .await?,
                    );
                }
                NextAction::Advance { .. } => {
                    run.record.progress.advance(&run.plan);
                    run.record.step_started = Utc::now();
                    self.write_record(&run.endpoint, &run.record).await?;
                }
                NextAction::WaitForApproval { prompt } => {
                    if run.record.progress.phase != Phase::AwaitingApproval {
                        run.record.progress.awaiting_approval();
                        run.record.step_started = Utc::now();
                        self.write_record(&run.endpoint, &run.record).await?;
                        self.record_step(
                            run,
                            "approval asked",
                            &split,
                            &split,
                            json!({ "prompt": prompt }),
                            Outcome::ok(),
                        )
                        .await;
                    }
                    events(PlanEvent::AwaitingApproval {
                        step,
                        prompt: prompt.clone(),
                    });
                    return Ok(PlanEnd::AwaitingApproval { prompt });
                }
                NextAction::Pause { reason } => {
                    return self.stop_paused(run, &split, reason, events).await;
                }
                NextAction::Rollback { to, reason } => {
                    return self.roll_back(run, &split, &to, reason, events).await;
                }
                NextAction::Idle => {
                    return Ok(match &run.record.progress.phase {
                        Phase::Done => {
                            self.record_step(run, "done", &split, &split, json!({}), Outcome::ok())
                                .await;
                            events(PlanEvent::Done {
                                steps: run.plan.steps.len(),
                                split: describe_split(&split),
                            });
                            PlanEnd::Done
                        }
                        Phase::RolledBack { reason } => PlanEnd::RolledBack {
                            reason: reason.clone(),
                        },
                        Phase::Paused { reason } => PlanEnd::Paused {
                            reason: reason.clone(),
                        },
                        _ => PlanEnd::Paused {
                            reason: "the plan has nothing more to do".to_string(),
                        },
                    });
                }
            }
        }
    }

    async fn stop_paused(
        &self,
        run: &mut PlanRun,
        split: &TrafficSplit,
        reason: String,
        events: &mut (dyn FnMut(PlanEvent) + Send),
    ) -> OpsResult<PlanEnd> {
        run.record.progress.pause(reason.clone());
        self.write_record(&run.endpoint, &run.record).await?;
        self.record_step(
            run,
            "pause",
            split,
            split,
            json!({}),
            Outcome::ok_with(reason.clone()),
        )
        .await;
        events(PlanEvent::Paused {
            step: run.record.progress.step,
            reason: reason.clone(),
        });
        Ok(PlanEnd::Paused { reason })
    }

    /// Restores the split recorded when the plan began (only over the split the plan itself
    /// set: a person's change pauses instead), then verifies it by reading it back.
    pub(super) async fn roll_back(
        &self,
        run: &mut PlanRun,
        current: &TrafficSplit,
        to: &TrafficSplit,
        reason: String,
        events: &mut (dyn FnMut(PlanEvent) + Send),
    ) -> OpsResult<PlanEnd> {
        let baseline = run.record.progress.baseline.clone();
        let health = self
            .health_snapshot(&run.endpoint, &run.plan.deployment, &baseline)
            .await;
        let (after, ids) = self.set_split(&run.endpoint, Some(current), to).await?;
        let step = run.record.progress.step;
        if after.normalized() != to.normalized() {
            let reason = format!(
                "{reason}; the rollback to {} reads back as {}",
                describe_split(to),
                describe_split(&after)
            );
            self.record_step(
                run,
                "rollback",
                current,
                &after,
                json!({ "health": health, "operation": ids }),
                Outcome::failed(reason.clone()),
            )
            .await;
            return Ok(PlanEnd::RollbackUnverified { reason });
        }
        run.record.progress.rolled_back(reason.clone());
        self.write_record(&run.endpoint, &run.record).await?;
        self.record_step(
            run,
            "rollback",
            current,
            &after,
            json!({ "reason": reason, "health": health, "operation": ids }),
            Outcome::ok_with(reason.clone()),
        )
        .await;
        events(PlanEvent::RolledBack {
            step,
            reason: reason.clone(),
            restored: describe_split(&after),
        });
        Ok(PlanEnd::RolledBack { reason })
    }
}
