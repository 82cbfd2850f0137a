//! A rollout plan as the console follows it: the plan, where it stands, the gates' last
//! figures. The worker drives the plan through the shared workflows and reports each event;
//! this only records what they say.

use chrono::{DateTime, Utc};

use super::ids::RequestId;
use crate::ops::PlanEvent;
/// The runner's figures and the endpoint's record, as the views show them.
pub use crate::ops::{GateReport, PlanRecord};
use crate::rollout::plan::{Plan, StepKind};

/// Where a plan stands, as its events have told the console.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanStatus {
    /// Sent to the worker; its record is not on the endpoint yet.
    Starting,
    /// The current step's split is being applied.
    Applying,
    Baking {
        until: DateTime<Utc>,
    },
    AwaitingApproval {
        prompt: String,
    },
    Paused {
        reason: String,
    },
    /// A person's abort is rolling the endpoint back; the runner's pause on the way is not
    /// the plan's state (nothing resumes an aborted plan).
    Aborting,
    RolledBack {
        reason: String,
    },
    Done,
    /// The runner stopped on an error (the plan's record stays: it can be resumed).
    Failed {
        error: String,
    },
}

impl PlanStatus {
    /// A runner may still change traffic for it.
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            Self::Starting | Self::Applying | Self::Baking { .. } | Self::AwaitingApproval { .. }
        )
    }

    /// Pause, promote and abort can still act on it: neither ended nor being aborted.
    pub fn takes_controls(&self) -> bool {
        !self.is_finished() && *self != Self::Aborting
    }

    /// Finished for good: nothing resumes it.
    pub fn is_finished(&self) -> bool {
        matches!(self, Self::RolledBack { .. } | Self::Done)
    }
}

/// How a step of the plan is marked in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepMark {
    Done,
    Running,
    Waiting,
    /// Where the plan was rolled back or failed: nothing runs there now.
    Stopped,
    /// Where the plan is paused.
    Paused,
}

impl StepMark {
    /// A word as well as a colour: colour is not the only cue.
    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "✓ done",
            Self::Running => "▶ running",
            Self::Waiting => "· waiting",
            Self::Stopped => "✗ stopped",
            Self::Paused => "‖ paused",
        }
    }
}

/// A plan this console started (or resumed) on one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanPanel {
    pub endpoint: String,
    /// Where the plan came from: a path, or "the seed's plan".
    pub file: String,
    /// The plan's text: resuming checks it against the digest on the endpoint.
    pub text: String,
    pub plan: Plan,
    pub baseline: String,
    pub step: usize,
    pub status: PlanStatus,
    /// The last gate verdict with its figures, and the step whose bake it judged.
    pub gates: Option<(usize, GateReport)>,
    /// The split the last step left ("blue=90 green=10").
    pub split: Option<String>,
    /// The worker task whose end counts: a runner, or an abort. `None`: nothing drives it.
    pub driver: Option<RequestId>,
}

impl PlanPanel {
    pub fn new(endpoint: String, file: String, text: String, plan: Plan, baseline: String) -> Self {
        Self {
            endpoint,
            file,
            text,
            plan,
            baseline,
            step: 0,
            status: PlanStatus::Starting,
            gates: None,
            split: None,
            driver: None,
        }
    }

    pub fn mark(&self, step: usize) -> StepMark {
        if self.status == PlanStatus::Done || step < self.step {
            return StepMark::Done;
        }
        if step > self.step {
            return StepMark::Waiting;
        }
        match self.status {
            PlanStatus::RolledBack { .. } | PlanStatus::Failed { .. } => StepMark::Stopped,
            PlanStatus::Paused { .. } => StepMark::Paused,
            _ => StepMark::Running,
        }
    }

    /// The split as the panel last knew it, in words: while the plan runs it is the endpoint's
    /// split; once the plan has ended, the endpoint may have moved on, so it says when.
    pub fn split_text(&self) -> Option<String> {
        let split = self.split.as_ref()?;
        Some(match &self.status {
            PlanStatus::RolledBack { .. } => format!("restored {split}"),
            PlanStatus::Done => format!("ended at {split}"),
            _ => format!("now {split}"),
        })
    }

    /// What one event says about the plan.
    pub(super) fn on_event(&mut self, event: &PlanEvent) {
        match event {
            PlanEvent::Started { baseline, .. } => {
                self.baseline = baseline.clone();
                if self.status == PlanStatus::Starting || !self.status.is_active() {
                    self.status = PlanStatus::Applying;
                }
            }
            PlanEvent::StepApplied { step, after, .. } => {
                self.step = *step;
                self.split = Some(after.clone());
                self.status = PlanStatus::Applying;
            }
            PlanEvent::Baking { step, until } => {
                self.step = *step;
                self.status = PlanStatus::Baking { until: *until };
            }
            PlanEvent::Gates { step, report } => {
                self.step = *step;
                self.gates = Some((*step, report.clone()));
                if report.verdict == "pass" {
                    // The runner advances at once; the next step's split comes next.
                    self.step = step + 1;
                    self.status = PlanStatus::Applying;
                }
            }
            PlanEvent::Promoted { step } => {
                self.step = step + 1;
                self.status = PlanStatus::Applying;
            }
            PlanEvent::AwaitingApproval { step, prompt } => {
                self.step = *step;
                self.status = PlanStatus::AwaitingApproval {
                    prompt: prompt.clone(),
                };
            }
            PlanEvent::Paused { step, reason } => {
                // An abort pauses the runner first; the rollback that follows has the last word.
                if !self.status.is_finished() && self.status != PlanStatus::Aborting {
                    self.step = *step;
                    self.status = PlanStatus::Paused {
                        reason: reason.clone(),
                    };
                }
            }
            PlanEvent::RolledBack {
                step,
                reason,
                restored,
            } => {
                self.step = *step;
                self.split = Some(restored.clone());
                self.status = PlanStatus::RolledBack {
                    reason: reason.clone(),
                };
            }
            PlanEvent::Done { steps, split } => {
                self.step = *steps;
                self.split = Some(split.clone());
                self.status = PlanStatus::Done;
            }
        }
    }
}

/// The seed's workflow as a plan for `deployment` against `baseline`: mirrored, then 10%, 50%,
/// a person's approval, then all, with bakes (as `assets/demo/rollout-plan.yml`).
pub fn default_plan_text(deployment: &str, baseline: &str) -> String {
    format!(
        "# The seed's rollout plan for {deployment}: mirrored, then 10%, 50%, an approval, then all.\n\
         deployment: {deployment}\n\
         baseline: {baseline}\n\
         steps:\n\
         \x20 - mirror: 10\n\
         \x20   bake: 5m\n\
         \x20 - traffic: 10\n\
         \x20   bake: 5m\n\
         \x20 - traffic: 50\n\
         \x20   bake: 10m\n\
         \x20 - approve: \"50% looks fine?\"\n\
         \x20 - traffic: 100\n\
         gates:\n\
         \x20 min_requests: 100\n\
         \x20 error_percent_delta: 1.0\n\
         \x20 p95_ratio: 1.5\n\
         \x20 on_missing_data: pause\n\
         on_failure: rollback\n"
    )
}

/// "mirror 10%", "traffic 50%", "approve: …".
pub fn step_text(kind: &StepKind) -> String {
    match kind {
        StepKind::Mirror(p) => format!("mirror {p}%"),
        StepKind::Traffic(p) => format!("traffic {p}%"),
        StepKind::Approve(prompt) => format!("approve: {prompt}"),
    }
}
