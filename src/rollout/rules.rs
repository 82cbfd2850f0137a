//! Azure's rules for an endpoint's live and mirror traffic, and the violations they produce.
//!
//! The rules (from the Azure ML documentation):
//! - live traffic values are integers 0..=100 summing to 0 (traffic disabled) or 100;
//! - traffic may only name deployments that exist under the endpoint;
//! - mirror traffic totals at most 50%, and goes to at most one deployment;
//! - a deployment receives live or mirror traffic, never both (a 0 entry does not count);
//! - mirror traffic is not supported on Kubernetes online endpoints;
//! - names are case-insensitive.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use thiserror::Error;

use super::names::InvalidName;

/// Largest total mirror share Azure accepts.
pub const MAX_MIRROR_PERCENT: u32 = 50;

/// Which of the endpoint's two traffic maps a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrafficKind {
    Live,
    Mirror,
}

impl fmt::Display for TrafficKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            TrafficKind::Live => "live",
            TrafficKind::Mirror => "mirror",
        })
    }
}

/// One violated rule. Each message says what is wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleViolation {
    #[error(
        "{kind} traffic names `{first}` and `{second}`, which are the same deployment \
         (names are case-insensitive); keep a single entry"
    )]
    DuplicateDeployment {
        kind: TrafficKind,
        first: String,
        second: String,
    },
    #[error(
        "{kind} traffic names `{deployment}`, which is not a deployment of this endpoint \
         (existing: {}); create the deployment first or remove it from the {kind} traffic",
        list_or_none(.existing)
    )]
    UnknownDeployment {
        kind: TrafficKind,
        deployment: String,
        /// The endpoint's deployments, lower-cased and sorted, to help spot a typo.
        existing: Vec<String>,
    },
    #[error(
        "{kind} traffic to `{deployment}` is {percent}%; each value must be a whole number \
         from 0 to 100"
    )]
    TrafficOutOfRange {
        kind: TrafficKind,
        deployment: String,
        percent: i64,
    },
    #[error("live traffic sums to {total}%; it must total 100% (or 0% to disable all traffic)")]
    TrafficSum { total: i64 },
    #[error(
        "mirror traffic is not supported on Kubernetes online endpoints; set every mirror \
         share to 0 (mirroring needs a managed online endpoint)"
    )]
    MirrorOnKubernetes,
    #[error("mirror traffic totals {total}%; it may be at most 50%, so lower it")]
    MirrorTooHigh { total: i64 },
    #[error(
        "mirror traffic goes to {} deployments ({}); Azure mirrors to only one deployment, \
         so set all but one of them to 0",
        .deployments.len(),
        .deployments.join(", ")
    )]
    MirrorMultipleTargets {
        /// The deployments with a non-zero mirror share, sorted.
        deployments: Vec<String>,
    },
    #[error(
        "`{deployment}` would receive both live traffic ({live}%) and mirror traffic \
         ({mirror}%); a deployment may receive only one, so set its live or its mirror share to 0"
    )]
    MirrorOnLiveDeployment {
        deployment: String,
        live: i64,
        mirror: i64,
    },
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

impl RuleViolation {
    /// ARM error code the emulator answers with: "UserError" for unknown deployments (the
    /// service's 404-style code), "BadArgument" for every other rule violation.
    pub fn arm_code(&self) -> &'static str {
        match self {
            RuleViolation::UnknownDeployment { .. } => "UserError",
            _ => "BadArgument",
        }
    }
}

/// The endpoint's proposed state, as signed integers so out-of-range input from JSON can be
/// judged too. Names may be in any case; they are compared case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitProposal<'a> {
    pub traffic: &'a BTreeMap<String, i64>,
    pub mirror: &'a BTreeMap<String, i64>,
    pub deployments: &'a [String],
    pub kubernetes: bool,
}

/// Every violation of the proposal (empty = valid), in a stable order: duplicate names,
/// unknown deployments, out-of-range values, live sum, Kubernetes mirror, mirror total,
/// multiple mirror targets, live+mirror overlap; within each group, live before mirror and
/// names alphabetically.
///
/// An entry naming an unknown deployment is reported even when its value is 0: the az CLI would
/// drop it, but a raw request carrying it names something that does not exist.
pub fn validate_split(proposal: &SplitProposal) -> Vec<RuleViolation> {
    let mut violations = Vec::new();
    let traffic_maps = [
        (TrafficKind::Live, proposal.traffic),
        (TrafficKind::Mirror, proposal.mirror),
    ];

    for (kind, map) in traffic_maps {
        violations.extend(duplicate_names(kind, map));
    }

    let existing: BTreeSet<String> = proposal
        .deployments
        .iter()
        .map(|name| name.to_lowercase())
        .collect();
    for (kind, map) in traffic_maps {
        for deployment in map.keys() {
            if !existing.contains(&deployment.to_lowercase()) {
                violations.push(RuleViolation::UnknownDeployment {
                    kind,
                    deployment: deployment.clone(),
                    existing: existing.iter().cloned().collect(),
                });
            }
        }
    }

    for (kind, map) in traffic_maps {
        for (deployment, &percent) in map {
            if !(0..=100).contains(&percent) {
                violations.push(RuleViolation::TrafficOutOfRange {
                    kind,
                    deployment: deployment.clone(),
                    percent,
                });
            }
        }
    }

    let live_total = saturating_total(proposal.traffic);
    if live_total != 0 && live_total != 100 {
        violations.push(RuleViolation::TrafficSum { total: live_total });
    }

    let live = positive_shares(proposal.traffic);
    let mirror = positive_shares(proposal.mirror);

    if proposal.kubernetes && !mirror.is_empty() {
        violations.push(RuleViolation::MirrorOnKubernetes);
    }

    let mirror_total = saturating_total(proposal.mirror);
    if mirror_total > i64::from(MAX_MIRROR_PERCENT) {
        violations.push(RuleViolation::MirrorTooHigh {
            total: mirror_total,
        });
    }

    if mirror.len() > 1 {
        violations.push(RuleViolation::MirrorMultipleTargets {
            deployments: mirror.keys().cloned().collect(),
        });
    }

    for (deployment, &mirror_percent) in &mirror {
        if let Some(&live_percent) = live.get(deployment) {
            violations.push(RuleViolation::MirrorOnLiveDeployment {
                deployment: deployment.clone(),
                live: live_percent,
                mirror: mirror_percent,
            });
        }
    }

    violations
}

/// Entries whose names collide case-insensitively, one violation per extra spelling.
fn duplicate_names(kind: TrafficKind, map: &BTreeMap<String, i64>) -> Vec<RuleViolation> {
    let mut first_spelling: BTreeMap<String, &String> = BTreeMap::new();
    let mut violations = Vec::new();
    for name in map.keys() {
        match first_spelling.get(&name.to_lowercase()) {
            Some(first) => violations.push(RuleViolation::DuplicateDeployment {
                kind,
                first: (*first).clone(),
                second: name.clone(),
            }),
            None => {
                first_spelling.insert(name.to_lowercase(), name);
            }
        }
    }
    violations
}

/// Sum that cannot overflow whatever a JSON body contains.
fn saturating_total(map: &BTreeMap<String, i64>) -> i64 {
    map.values()
        .fold(0, |total, &value| total.saturating_add(value))
}

/// Lower-cased name -> share, for entries that actually receive traffic (> 0).
/// Case-variant duplicates are merged (already reported by `duplicate_names`).
fn positive_shares(map: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    let mut shares: BTreeMap<String, i64> = BTreeMap::new();
    for (name, &percent) in map {
        if percent > 0 {
            let share = shares.entry(name.to_lowercase()).or_insert(0);
            *share = share.saturating_add(percent);
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs
            .iter()
            .map(|(name, percent)| (name.to_string(), *percent))
            .collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    fn check(
        traffic: &[(&str, i64)],
        mirror: &[(&str, i64)],
        deployments: &[&str],
        kubernetes: bool,
    ) -> Vec<RuleViolation> {
        let traffic = signed_map(traffic);
        let mirror = signed_map(mirror);
        let deployments = names(deployments);
        validate_split(&SplitProposal {
            traffic: &traffic,
            mirror: &mirror,
            deployments: &deployments,
            kubernetes,
        })
    }

    const BLUE_GREEN: &[&str] = &["blue", "green"];

    #[test]
    fn valid_splits_have_no_violations() {
        assert_eq!(
            check(&[("blue", 90), ("green", 10)], &[], BLUE_GREEN, false),
            vec![]
        );
        assert_eq!(
            check(
                &[("blue", 100), ("green", 0)],
                &[("green", 50)],
                BLUE_GREEN,
                false
            ),
            vec![]
        );
        // Traffic disabled entirely.
        assert_eq!(check(&[], &[], BLUE_GREEN, false), vec![]);
        assert_eq!(
            check(&[("blue", 0), ("green", 0)], &[], BLUE_GREEN, false),
            vec![]
        );
        // A 0 mirror entry is not mirroring, so Kubernetes and overlap rules do not fire.
        assert_eq!(
            check(&[("blue", 100)], &[("blue", 0)], BLUE_GREEN, true),
            vec![]
        );
    }

    #[test]
    fn live_sum_must_be_0_or_100() {
        let violations = check(&[("blue", 90), ("green", 20)], &[], BLUE_GREEN, false);
        assert_eq!(violations, vec![RuleViolation::TrafficSum { total: 110 }]);
        assert_eq!(
            violations[0].to_string(),
            "live traffic sums to 110%; it must total 100% (or 0% to disable all traffic)"
        );
        assert_eq!(violations[0].arm_code(), "BadArgument");
        assert_eq!(
            check(&[("blue", 50)], &[], BLUE_GREEN, false),
            vec![RuleViolation::TrafficSum { total: 50 }]
        );
    }

    #[test]
    fn values_outside_0_to_100_are_reported() {
        let violations = check(
            &[("blue", 150), ("green", -50)],
            &[("blue", -1)],
            BLUE_GREEN,
            false,
        );
        // Sum is 100, so only the range is wrong.
        assert_eq!(
            violations,
            vec![
                RuleViolation::TrafficOutOfRange {
                    kind: TrafficKind::Live,
                    deployment: "blue".into(),
                    percent: 150,
                },
                RuleViolation::TrafficOutOfRange {
                    kind: TrafficKind::Live,
                    deployment: "green".into(),
                    percent: -50,
                },
                RuleViolation::TrafficOutOfRange {
                    kind: TrafficKind::Mirror,
                    deployment: "blue".into(),
                    percent: -1,
                },
            ]
        );
        let message = violations[1].to_string();
        assert!(
            message.contains("live traffic to `green` is -50%"),
            "{message}"
        );
        assert!(message.contains("whole number from 0 to 100"), "{message}");
        assert!(
            violations[2]
                .to_string()
                .starts_with("mirror traffic to `blue`")
        );
    }

    #[test]
    fn huge_values_do_not_overflow_the_sum() {
        let violations = check(
            &[("blue", i64::MAX), ("green", i64::MAX)],
            &[],
            BLUE_GREEN,
            false,
        );
        assert!(violations.contains(&RuleViolation::TrafficSum { total: i64::MAX }));
    }

    #[test]
    fn unknown_deployments_are_user_errors() {
        let violations = check(
            &[("blue", 100), ("orange", 0)],
            &[("purple", 10)],
            BLUE_GREEN,
            false,
        );
        assert_eq!(
            violations,
            vec![
                RuleViolation::UnknownDeployment {
                    kind: TrafficKind::Live,
                    deployment: "orange".into(),
                    existing: names(BLUE_GREEN),
                },
                RuleViolation::UnknownDeployment {
                    kind: TrafficKind::Mirror,
                    deployment: "purple".into(),
                    existing: names(BLUE_GREEN),
                },
            ]
        );
        assert_eq!(violations[0].arm_code(), "UserError");
        let message = violations[1].to_string();
        assert!(
            message.contains("mirror traffic names `purple`, which is not a deployment"),
            "{message}"
        );
        assert!(message.contains("(existing: blue, green)"), "{message}");
        assert!(message.contains("create the deployment first"), "{message}");

        let none = check(&[("blue", 100)], &[], &[], false);
        assert!(none[0].to_string().contains("(existing: none)"));
    }

    #[test]
    fn names_match_case_insensitively() {
        assert_eq!(
            check(
                &[("BLUE", 90), ("Green", 10)],
                &[],
                &["blue", "GREEN"],
                false
            ),
            vec![]
        );
        // Overlap is detected across spellings too.
        assert_eq!(
            check(
                &[("Green", 10), ("blue", 90)],
                &[("GREEN", 10)],
                BLUE_GREEN,
                false
            ),
            vec![RuleViolation::MirrorOnLiveDeployment {
                deployment: "green".into(),
                live: 10,
                mirror: 10,
            }]
        );
    }

    #[test]
    fn case_variant_duplicates_are_reported() {
        let violations = check(&[("Blue", 50), ("blue", 50)], &[], BLUE_GREEN, false);
        assert_eq!(
            violations,
            vec![RuleViolation::DuplicateDeployment {
                kind: TrafficKind::Live,
                first: "Blue".into(),
                second: "blue".into(),
            }]
        );
        let message = violations[0].to_string();
        assert!(message.contains("`Blue` and `blue`"), "{message}");
        assert!(message.contains("keep a single entry"), "{message}");
    }

    #[test]
    fn mirror_total_is_at_most_50() {
        assert_eq!(
            check(&[("blue", 100)], &[("green", 50)], BLUE_GREEN, false),
            vec![]
        );
        let violations = check(&[("blue", 100)], &[("green", 51)], BLUE_GREEN, false);
        assert_eq!(violations, vec![RuleViolation::MirrorTooHigh { total: 51 }]);
        assert_eq!(
            violations[0].to_string(),
            "mirror traffic totals 51%; it may be at most 50%, so lower it"
        );
    }

    #[test]
    fn mirror_goes_to_one_deployment_only() {
        let deployments = &["blue", "green", "red"];
        let violations = check(
            &[("blue", 100)],
            &[("green", 10), ("red", 10)],
            deployments,
            false,
        );
        assert_eq!(
            violations,
            vec![RuleViolation::MirrorMultipleTargets {
                deployments: names(&["green", "red"]),
            }]
        );
        let message = violations[0].to_string();
        assert!(
            message.contains("goes to 2 deployments (green, red)"),
            "{message}"
        );
        assert!(
            message.contains("set all but one of them to 0"),
            "{message}"
        );
        // A zero entry is not a second target.
        assert_eq!(
            check(
                &[("blue", 100)],
                &[("green", 10), ("red", 0)],
                deployments,
                false
            ),
            vec![]
        );
    }

    #[test]
    fn a_deployment_gets_live_or_mirror_never_both() {
        let violations = check(
            &[("blue", 90), ("green", 10)],
            &[("green", 20)],
            BLUE_GREEN,
            false,
        );
        assert_eq!(
            violations,
            vec![RuleViolation::MirrorOnLiveDeployment {
                deployment: "green".into(),
                live: 10,
                mirror: 20,
            }]
        );
        let message = violations[0].to_string();
        assert!(
            message.contains("`green` would receive both live traffic (10%)"),
            "{message}"
        );
        assert!(
            message.contains("set its live or its mirror share to 0"),
            "{message}"
        );
    }

    #[test]
    fn kubernetes_endpoints_cannot_mirror() {
        let violations = check(&[("blue", 100)], &[("green", 10)], BLUE_GREEN, true);
        assert_eq!(violations, vec![RuleViolation::MirrorOnKubernetes]);
        assert!(
            violations[0]
                .to_string()
                .contains("not supported on Kubernetes")
        );
        assert_eq!(violations[0].arm_code(), "BadArgument");
        // The same mirror is fine on a managed endpoint.
        assert_eq!(
            check(&[("blue", 100)], &[("green", 10)], BLUE_GREEN, false),
            vec![]
        );
    }

    #[test]
    fn reports_every_violation_in_stable_order() {
        let violations = check(
            &[("blue", 80), ("green", 30), ("ghost", 5)],
            &[("green", 40), ("blue", 30)],
            BLUE_GREEN,
            true,
        );
        assert_eq!(
            violations,
            vec![
                RuleViolation::UnknownDeployment {
                    kind: TrafficKind::Live,
                    deployment: "ghost".into(),
                    existing: names(BLUE_GREEN),
                },
                RuleViolation::TrafficSum { total: 115 },
                RuleViolation::MirrorOnKubernetes,
                RuleViolation::MirrorTooHigh { total: 70 },
                RuleViolation::MirrorMultipleTargets {
                    deployments: names(&["blue", "green"]),
                },
                RuleViolation::MirrorOnLiveDeployment {
                    deployment: "blue".into(),
                    live: 80,
                    mirror: 30,
                },
                RuleViolation::MirrorOnLiveDeployment {
                    deployment: "green".into(),
                    live: 30,
                    mirror: 40,
                },
            ]
        );
    }
}
