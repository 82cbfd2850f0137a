//! The plan engine, pure: `(plan, progress, observation) -> next action`, and the progress's
//! transitions when an action has been carried out. No clock and no I/O of its own, so every
//! path (bake, gates, approval, a person changing the split, rollback, resume after a crash) is
//! a unit test.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::file::{MissingData, OnFailure, Plan, StepKind};
use crate::rollout::{TrafficMap, TrafficSplit, format_traffic};

/// Where a plan stands within its current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The step's split is to be applied (or the approval asked for).
    Apply,
    /// Applied at `since`; held until the bake ends, then the gates are checked.
    Baking {
        since: DateTime<Utc>,
    },
    /// A manual gate: waits for a person.
    AwaitingApproval,
    /// Stopped until a person resumes, promotes or aborts.
    Paused {
        reason: String,
    },
    /// The original split was restored.
    RolledBack {
        reason: String,
    },
    Done,
}

impl Phase {
    pub fn is_finished(&self) -> bool {
        matches!(self, Self::RolledBack { .. } | Self::Done)
    }
}

/// A plan's progress: what is recorded (on the endpoint and in the journal) so that another
/// runner can see it and a new one can resume it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Index into the plan's steps.
    pub step: usize,
    pub phase: Phase,
    /// The split when the plan began: what a rollback restores.
    pub original: TrafficSplit,
    /// The split the plan last set (the original before that). Anything else on the endpoint
    /// means someone else changed it.
    pub expected: TrafficSplit,
    /// The deployment green is compared against.
    pub baseline: String,
}

/// Green against the baseline over a bake window, as the health model measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct GateFigures {
    pub green_requests: u64,
    pub green_error_percent: f64,
    pub baseline_error_percent: f64,
    pub green_p95_ms: Option<f64>,
    pub baseline_p95_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GateVerdict {
    Pass { summary: String },
    Fail { reasons: Vec<String> },
    NotEnoughData { reason: String },
}

/// What is seen right now.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation<'a> {
    pub now: DateTime<Utc>,
    /// The endpoint's split as read back.
    pub split: &'a TrafficSplit,
    /// The gates' figures over the bake window, once the caller has measured them (it does
    /// so when the engine asks with [`NextAction::EvaluateGates`]).
    pub gates: Option<GateFigures>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NextAction {
    /// Set this split (then call [`Progress::applied`]).
    ApplySplit { target: TrafficSplit },
    /// Nothing to do before `until`.
    Wait { until: DateTime<Utc> },
    /// Measure green against the baseline over this window, then ask again with the figures.
    EvaluateGates {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// The gates passed (or the step has none): call [`Progress::advance`].
    Advance { verdict: Option<GateVerdict> },
    /// Ask a person (then [`Progress::advance`] on approval).
    WaitForApproval { prompt: String },
    /// Stop and say why (then [`Progress::pause`]).
    Pause { reason: String },
    /// Restore the original split (then [`Progress::rolled_back`]).
    Rollback { to: TrafficSplit, reason: String },
    /// Paused, rolled back or done: nothing until a person acts.
    Idle,
}

/// The gates, over figures already measured.
pub fn evaluate_gates(plan: &Plan, figures: &GateFigures) -> GateVerdict {
    let gates = &plan.gates;
    if figures.green_requests < gates.min_requests {
        return GateVerdict::NotEnoughData {
            reason: format!(
                "{} served {} request(s) in the bake window; the gates need at least {}",
                plan.deployment, figures.green_requests, gates.min_requests
            ),
        };
    }
    let mut reasons = Vec::new();
    let delta = figures.green_error_percent - figures.baseline_error_percent;
    if delta > gates.error_percent_delta {
        reasons.push(format!(
            "errors {:.2}% vs {:.2}% on the baseline: +{delta:.2} points, over the limit of {:.2}",
            figures.green_error_percent, figures.baseline_error_percent, gates.error_percent_delta
        ));
    }
    let ratio = match (figures.green_p95_ms, figures.baseline_p95_ms) {
        (Some(green), Some(base)) if base > 0.0 => Some(green / base),
        _ => None,
    };
    if let Some(ratio) = ratio
        && ratio > gates.p95_ratio
    {
        reasons.push(format!(
            "p95 {:.0} ms vs {:.0} ms on the baseline: {ratio:.2}x, over the limit of {:.2}x",
            figures.green_p95_ms.unwrap_or_default(),
            figures.baseline_p95_ms.unwrap_or_default(),
            gates.p95_ratio
        ));
    }
    if reasons.is_empty() {
        GateVerdict::Pass {
            summary: format!(
                "{} requests, errors {:+.2} points, p95 {}",
                figures.green_requests,
                delta,
                ratio.map_or("not compared (no latency data)".to_string(), |r| format!(
                    "{r:.2}x"
                ))
            ),
        }
    } else {
        GateVerdict::Fail { reasons }
    }
}

/// The split a step sets. Traffic: the deployment takes its share; the others keep their
/// proportions of the rest as they were when the plan began (the baseline takes it all when
/// no other deployment had live traffic); mirror cleared. Mirror: live traffic as expected now,
/// the deployment mirrored.
pub fn split_for_step(plan: &Plan, progress: &Progress, step: usize) -> Option<TrafficSplit> {
    let green = plan.deployment.as_str();
    match plan.steps.get(step)?.kind {
        StepKind::Approve(_) => None,
        StepKind::Mirror(pct) => Some(TrafficSplit {
            live: progress.expected.normalized().live,
            mirror: if pct == 0 {
                TrafficMap::new()
            } else {
                TrafficMap::from([(green.to_string(), pct)])
            },
        }),
        StepKind::Traffic(pct) => {
            let others: BTreeMap<String, u32> = progress
                .original
                .normalized()
                .live
                .into_iter()
                .filter(|(name, _)| name != green)
                .collect();
            let rest = 100 - pct.min(100);
            let mut live = if others.is_empty() {
                TrafficMap::from([(progress.baseline.clone(), rest)])
            } else {
                proportional(&others, rest)
            };
            if pct > 0 {
                live.insert(green.to_string(), pct);
            }
            Some(
                TrafficSplit {
                    live,
                    mirror: TrafficMap::new(),
                }
                .normalized(),
            )
        }
    }
}

/// Shares `total` by `weights`, largest remainder first, so the result sums to `total`.
fn proportional(weights: &BTreeMap<String, u32>, total: u32) -> TrafficMap {
    let sum: u64 = weights.values().map(|w| u64::from(*w)).sum();
    let mut out = TrafficMap::new();
    let mut remainders = Vec::new();
    let mut given = 0u32;
    for (name, weight) in weights {
        let exact = u64::from(*weight) * u64::from(total);
        let share = (exact / sum.max(1)) as u32;
        given += share;
        out.insert(name.clone(), share);
        remainders.push((exact % sum.max(1), name.clone()));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, name) in remainders.into_iter().take((total - given) as usize) {
        if let Some(share) = out.get_mut(&name) {
            *share += 1;
        }
    }
    out
}

fn describe(split: &TrafficSplit) -> String {
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

/// What to do next.
pub fn next_action(plan: &Plan, progress: &Progress, seen: &Observation<'_>) -> NextAction {
    match &progress.phase {
        Phase::Paused { .. } | Phase::RolledBack { .. } | Phase::Done => return NextAction::Idle,
        _ => {}
    }
    // The plan never fights a person: a split it did not set stops it.
    if seen.split.normalized() != progress.expected.normalized() {
        return NextAction::Pause {
            reason: format!(
                "the split was changed by someone else: the plan set {}, the endpoint has {}",
                describe(&progress.expected),
                describe(seen.split)
            ),
        };
    }
    let Some(step) = plan.steps.get(progress.step) else {
        return NextAction::Advance { verdict: None };
    };
    match &progress.phase {
        Phase::Apply => match &step.kind {
            StepKind::Approve(prompt) => NextAction::WaitForApproval {
                prompt: prompt.clone(),
            },
            _ => match split_for_step(plan, progress, progress.step) {
                Some(target) => NextAction::ApplySplit { target },
                None => NextAction::Advance { verdict: None },
            },
        },
        Phase::AwaitingApproval => NextAction::WaitForApproval {
            prompt: match &step.kind {
                StepKind::Approve(prompt) => prompt.clone(),
                _ => String::new(),
            },
        },
        Phase::Baking { since } => {
            let Some(bake) = step.bake else {
                return NextAction::Advance { verdict: None };
            };
            let until = *since + chrono::Duration::from_std(bake).unwrap_or(chrono::Duration::MAX);
            if seen.now < until {
                return NextAction::Wait { until };
            }
            let Some(figures) = &seen.gates else {
                return NextAction::EvaluateGates {
                    since: *since,
                    until,
                };
            };
            match evaluate_gates(plan, figures) {
                pass @ GateVerdict::Pass { .. } => NextAction::Advance {
                    verdict: Some(pass),
                },
                GateVerdict::NotEnoughData { reason } => match plan.gates.on_missing_data {
                    MissingData::Pause => NextAction::Pause {
                        reason: format!("not enough data: {reason}"),
                    },
                    MissingData::Fail => {
                        failed(plan, progress, format!("not enough data: {reason}"))
                    }
                },
                GateVerdict::Fail { reasons } => failed(
                    plan,
                    progress,
                    format!("gate failed: {}", reasons.join("; ")),
                ),
            }
        }
        Phase::Paused { .. } | Phase::RolledBack { .. } | Phase::Done => NextAction::Idle,
    }
}

fn failed(plan: &Plan, progress: &Progress, reason: String) -> NextAction {
    match plan.on_failure {
        OnFailure::Rollback => NextAction::Rollback {
            to: progress.original.normalized(),
            reason,
        },
        OnFailure::Pause => NextAction::Pause { reason },
    }
}

impl Progress {
    /// A plan about to begin on an endpoint whose split is `original`.
    pub fn start(original: TrafficSplit, baseline: String) -> Self {
        Self {
            step: 0,
            phase: Phase::Apply,
            expected: original.normalized(),
            original: original.normalized(),
            baseline,
        }
    }

    /// The step's split is in effect (read back) since `at`.
    pub fn applied(&mut self, plan: &Plan, split: TrafficSplit, at: DateTime<Utc>) {
        self.expected = split.normalized();
        match plan.steps.get(self.step).and_then(|s| s.bake) {
            Some(_) => self.phase = Phase::Baking { since: at },
            None => self.advance(plan),
        }
    }

    /// The step is done: its gates passed, its approval was given, or it was promoted.
    pub fn advance(&mut self, plan: &Plan) {
        self.step += 1;
        self.phase = if self.step >= plan.steps.len() {
            Phase::Done
        } else {
            Phase::Apply
        };
    }

    pub fn awaiting_approval(&mut self) {
        self.phase = Phase::AwaitingApproval;
    }

    pub fn pause(&mut self, reason: String) {
        self.phase = Phase::Paused { reason };
    }

    /// Resumes a paused plan where it stood: the current step is applied again from the split
    /// the endpoint has now (a person's change is adopted, never overwritten blindly).
    pub fn resume(&mut self, current: &TrafficSplit) {
        if matches!(self.phase, Phase::Paused { .. }) {
            self.expected = current.normalized();
            self.phase = Phase::Apply;
        }
    }

    /// Skips the rest of the current bake, or approves the manual gate.
    pub fn promote(&mut self, plan: &Plan) {
        if matches!(
            self.phase,
            Phase::Baking { .. } | Phase::AwaitingApproval | Phase::Apply
        ) && matches!(
            plan.steps.get(self.step).map(|s| &s.kind),
            Some(StepKind::Approve(_))
        ) || matches!(self.phase, Phase::Baking { .. })
        {
            self.advance(plan);
        }
    }

    pub fn rolled_back(&mut self, reason: String) {
        self.expected = self.original.clone();
        self.phase = Phase::RolledBack { reason };
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::rollout::parse_traffic;
    use crate::rollout::plan::{Gates, Step};

    fn split(live: &str, mirror: &str) -> TrafficSplit {
        TrafficSplit {
            live: parse_or_empty(live),
            mirror: parse_or_empty(mirror),
        }
    }

    /// An empty map for "", as a split in a test reads more plainly that way.
    fn parse_or_empty(text: &str) -> TrafficMap {
        if text.is_empty() {
            TrafficMap::new()
        } else {
            parse_traffic(text).expect("a split")
        }
    }

    fn seed_plan() -> Plan {
        let bake = Some(Duration::from_secs(300));
        Plan {
            deployment: "green".into(),
            baseline: Some("blue".into()),
            steps: vec![
                Step {
                    kind: StepKind::Mirror(10),
                    bake,
                },
                Step {
                    kind: StepKind::Traffic(10),
                    bake,
                },
                Step {
                    kind: StepKind::Approve("ok?".into()),
                    bake: None,
                },
                Step {
                    kind: StepKind::Traffic(100),
                    bake: None,
                },
            ],
            gates: Gates::default(),
            on_failure: OnFailure::Rollback,
        }
    }

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn healthy() -> GateFigures {
        GateFigures {
            green_requests: 500,
            green_error_percent: 0.2,
            baseline_error_percent: 0.1,
            green_p95_ms: Some(40.0),
            baseline_p95_ms: Some(38.0),
        }
    }

    fn seen(
        now: DateTime<Utc>,
        split: &TrafficSplit,
        gates: Option<GateFigures>,
    ) -> Observation<'_> {
        Observation { now, split, gates }
    }

    #[test]
    fn a_healthy_green_goes_from_mirror_to_all_traffic() {
        let plan = seed_plan();
        let mut progress = Progress::start(split("blue=100", ""), "blue".into());
        let mut endpoint = split("blue=100", "");

        let NextAction::ApplySplit { target } =
            next_action(&plan, &progress, &seen(t(0), &endpoint, None))
        else {
            panic!("mirror first")
        };
        assert_eq!(target, split("blue=100", "green=10"));
        endpoint = target.clone();
        progress.applied(&plan, target, t(0));
        assert_eq!(
            next_action(&plan, &progress, &seen(t(100), &endpoint, None)),
            NextAction::Wait { until: t(300) }
        );
        assert_eq!(
            next_action(&plan, &progress, &seen(t(301), &endpoint, None)),
            NextAction::EvaluateGates {
                since: t(0),
                until: t(300)
            }
        );
        let NextAction::Advance {
            verdict: Some(GateVerdict::Pass { .. }),
        } = next_action(&plan, &progress, &seen(t(301), &endpoint, Some(healthy())))
        else {
            panic!("healthy passes")
        };
        progress.advance(&plan);

        let NextAction::ApplySplit { target } =
            next_action(&plan, &progress, &seen(t(302), &endpoint, None))
        else {
            panic!("traffic 10")
        };
        assert_eq!(target, split("blue=90 green=10", ""), "mirror cleared");
        endpoint = target.clone();
        progress.applied(&plan, target, t(302));
        progress.promote(&plan);
        assert_eq!(progress.step, 2, "promote skips the bake");

        assert_eq!(
            next_action(&plan, &progress, &seen(t(303), &endpoint, None)),
            NextAction::WaitForApproval {
                prompt: "ok?".into()
            }
        );
        progress.awaiting_approval();
        progress.promote(&plan);
        let NextAction::ApplySplit { target } =
            next_action(&plan, &progress, &seen(t(304), &endpoint, None))
        else {
            panic!("traffic 100")
        };
        assert_eq!(target, split("green=100", ""));
        endpoint = target.clone();
        progress.applied(&plan, target, t(304));
        assert_eq!(progress.phase, Phase::Done);
        assert_eq!(
            next_action(&plan, &progress, &seen(t(305), &endpoint, None)),
            NextAction::Idle
        );
    }

    #[test]
    fn a_failed_gate_rolls_back_to_the_original_split() {
        let plan = seed_plan();
        let mut progress = Progress::start(split("blue=100", ""), "blue".into());
        let target = split("blue=100", "green=10");
        progress.applied(&plan, target.clone(), t(0));
        let bad = GateFigures {
            green_error_percent: 50.0,
            green_p95_ms: Some(400.0),
            ..healthy()
        };
        match next_action(&plan, &progress, &seen(t(400), &target, Some(bad))) {
            NextAction::Rollback { to, reason } => {
                assert_eq!(to, split("blue=100", ""));
                assert!(reason.contains("errors 50.00%"), "{reason}");
                assert!(reason.contains("p95 400 ms"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        progress.rolled_back("gate failed".into());
        assert_eq!(progress.expected, split("blue=100", ""));
        assert!(progress.phase.is_finished());
    }

    #[test]
    fn too_few_requests_pause_or_fail_as_the_plan_says() {
        let mut plan = seed_plan();
        let mut progress = Progress::start(split("blue=100", ""), "blue".into());
        let target = split("blue=100", "green=10");
        progress.applied(&plan, target.clone(), t(0));
        let quiet = GateFigures {
            green_requests: 3,
            ..healthy()
        };
        assert!(matches!(
            next_action(&plan, &progress, &seen(t(400), &target, Some(quiet.clone()))),
            NextAction::Pause { reason } if reason.contains("not enough data")
        ));
        plan.gates.on_missing_data = MissingData::Fail;
        assert!(matches!(
            next_action(&plan, &progress, &seen(t(400), &target, Some(quiet))),
            NextAction::Rollback { .. }
        ));
    }

    #[test]
    fn a_person_changing_the_split_pauses_the_plan_and_is_never_overwritten() {
        let plan = seed_plan();
        let mut progress = Progress::start(split("blue=100", ""), "blue".into());
        let theirs = split("blue=80 green=20", "");
        match next_action(&plan, &progress, &seen(t(0), &theirs, None)) {
            NextAction::Pause { reason } => {
                assert!(reason.contains("blue=100"), "{reason}");
                assert!(reason.contains("blue=80 green=20"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        progress.pause("changed".into());
        assert_eq!(
            next_action(&plan, &progress, &seen(t(1), &theirs, None)),
            NextAction::Idle
        );
        progress.resume(&theirs);
        assert_eq!(progress.expected, theirs.normalized());
        assert!(matches!(
            next_action(&plan, &progress, &seen(t(2), &theirs, None)),
            NextAction::ApplySplit { .. }
        ));
    }

    #[test]
    fn a_resumed_runner_keeps_the_remaining_bake() {
        let plan = seed_plan();
        let mut progress = Progress::start(split("blue=100", ""), "blue".into());
        let target = split("blue=100", "green=10");
        progress.applied(&plan, target.clone(), t(0));
        // A new runner, started later from the recorded progress, waits only for the rest.
        let recorded = progress.clone();
        assert_eq!(
            next_action(&plan, &recorded, &seen(t(250), &target, None)),
            NextAction::Wait { until: t(300) }
        );
    }

    #[test]
    fn traffic_steps_keep_the_other_deployments_proportions() {
        let plan = seed_plan();
        let progress = Progress::start(split("blue=60 red=40", ""), "blue".into());
        assert_eq!(
            split_for_step(&plan, &progress, 1),
            Some(split("blue=54 green=10 red=36", ""))
        );
        let empty = Progress::start(split("", ""), "blue".into());
        assert_eq!(
            split_for_step(&plan, &empty, 1),
            Some(split("blue=90 green=10", ""))
        );
        let odd = proportional(
            &BTreeMap::from([("a".into(), 1), ("b".into(), 1), ("c".into(), 1)]),
            100,
        );
        assert_eq!(odd.values().sum::<u32>(), 100);
    }
}
