//! Slider arithmetic for the console: nudge one deployment's live or mirror share while keeping
//! the draft within Azure's rules. Pure functions; the caller owns the draft.
//!
//! Rules chosen for live nudges (see [`nudge_live`]):
//! - the total is conserved by moving traffic to/from a single *counterweight*: the other
//!   deployment with the largest live share (ties: alphabetically first). With two deployments
//!   that is simply the other one. Only that one deployment moves; if it cannot absorb the whole
//!   nudge, the nudge is clamped (press again and the next-largest becomes the counterweight);
//! - from a 0 total (traffic disabled) a positive nudge sends all traffic (100) to the target:
//!   any partial value would be an invalid split, and nobody else should silently go live;
//!   a negative nudge from 0 does nothing;
//! - a lone deployment has no counterweight, so it toggles: up means 100, down means 0
//!   (traffic disabled) — the only two valid totals;
//! - a deployment that gains live traffic loses its mirror share in the same draft, because
//!   Azure forbids a deployment receiving both; the outcome reports it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::rules::{MAX_MIRROR_PERCENT, RuleViolation};
use super::traffic::TrafficMap;

/// Total live traffic of an endpoint that serves requests.
const FULL_TRAFFIC: u32 = 100;

/// The draft after a live nudge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NudgeOutcome {
    pub live: TrafficMap,
    pub mirror: TrafficMap,
    /// The deployment whose mirror share was removed because the nudge gave it live traffic.
    pub cleared_mirror_on: Option<String>,
}

/// Nudge deployment `target`'s live share by `delta` (e.g. +1, -10), keeping the total by trading
/// with a counterweight; see the module docs for the exact rules.
///
/// Names are matched case-insensitively and the returned maps have lower-cased keys. Existing
/// live entries are kept even when they drop to 0 (the console shows them as idle sliders);
/// a deployment that had no entry gets one only when it gains traffic. A `target` that is not
/// in `deployments` leaves the draft unchanged: there is no slider for it. Entries naming
/// unknown deployments are left alone and never used as counterweight (validation flags them).
pub fn nudge_live(
    live: &TrafficMap,
    mirror: &TrafficMap,
    deployments: &[String],
    target: &str,
    delta: i32,
) -> NudgeOutcome {
    let mut live = lower_cased_keys(live);
    let mut mirror = lower_cased_keys(mirror);
    let target = target.to_lowercase();
    let deployments: BTreeSet<String> = deployments.iter().map(|n| n.to_lowercase()).collect();

    let unchanged = |live, mirror| NudgeOutcome {
        live,
        mirror,
        cleared_mirror_on: None,
    };
    if delta == 0 || !deployments.contains(&target) {
        return unchanged(live, mirror);
    }

    let total: u32 = live
        .values()
        .fold(0, |sum, &share| sum.saturating_add(share));
    let current = share_of(&live, &target);
    let magnitude = delta.unsigned_abs();
    let raising = delta > 0;
    let counterweight = deployments
        .iter()
        .filter(|name| **name != target)
        // max_by returns the last maximum, so compare names reversed to prefer the alphabetically
        // first one among equal shares.
        .max_by(|a, b| {
            share_of(&live, a)
                .cmp(&share_of(&live, b))
                .then_with(|| b.cmp(a))
        })
        .cloned();

    // The deployment that gains live traffic, if any, for the mirror clean-up below.
    let gainer = if total == 0 {
        if !raising {
            return unchanged(live, mirror);
        }
        set_share(&mut live, &target, FULL_TRAFFIC);
        target.clone()
    } else {
        match counterweight {
            None => {
                let lone_share = if raising { FULL_TRAFFIC } else { 0 };
                set_share(&mut live, &target, lone_share);
                target.clone()
            }
            Some(counterweight) => {
                let counter_share = share_of(&live, &counterweight);
                let (moved, from, to) = if raising {
                    let room = FULL_TRAFFIC.saturating_sub(current);
                    (
                        magnitude.min(room).min(counter_share),
                        &counterweight,
                        &target,
                    )
                } else {
                    let room = FULL_TRAFFIC.saturating_sub(counter_share);
                    (magnitude.min(current).min(room), &target, &counterweight)
                };
                if moved == 0 {
                    return unchanged(live, mirror);
                }
                let from_share = share_of(&live, from);
                let to_share = share_of(&live, to);
                set_share(&mut live, from, from_share - moved);
                set_share(&mut live, to, to_share + moved);
                to.clone()
            }
        }
    };

    let cleared_mirror_on = if share_of(&live, &gainer) > 0 && share_of(&mirror, &gainer) > 0 {
        mirror.remove(&gainer);
        Some(gainer)
    } else {
        None
    };
    NudgeOutcome {
        live,
        mirror,
        cleared_mirror_on,
    }
}

/// Nudge `target`'s mirror share by `delta`, clamped to 0..=50. A share that reaches 0 is removed
/// from the map (a zero mirror entry means nothing; the az command renders the removal as
/// `name=0`). Returns the new mirror map.
///
/// Refused, with the rule as reason, when the result would still mirror to `target` and
/// the endpoint runs on Kubernetes, or `target` has live traffic, or another deployment already
/// has a non-zero mirror share. Nudging a share down to 0 is always allowed: it repairs.
pub fn nudge_mirror(
    live: &TrafficMap,
    mirror: &TrafficMap,
    target: &str,
    delta: i32,
    kubernetes: bool,
) -> Result<TrafficMap, RuleViolation> {
    let live = lower_cased_keys(live);
    let mut mirror = lower_cased_keys(mirror);
    let target = target.to_lowercase();

    let current = share_of(&mirror, &target);
    let magnitude = delta.unsigned_abs();
    let nudged = if delta >= 0 {
        current.saturating_add(magnitude)
    } else {
        current.saturating_sub(magnitude)
    };
    let new_share = nudged.min(MAX_MIRROR_PERCENT);

    if new_share > 0 {
        if kubernetes {
            return Err(RuleViolation::MirrorOnKubernetes);
        }
        let live_share = share_of(&live, &target);
        if live_share > 0 {
            return Err(RuleViolation::MirrorOnLiveDeployment {
                deployment: target,
                live: i64::from(live_share),
                mirror: i64::from(new_share),
            });
        }
        let mut targets: Vec<String> = mirror
            .iter()
            .filter(|(name, share)| **name != target && **share > 0)
            .map(|(name, _)| name.clone())
            .collect();
        if !targets.is_empty() {
            targets.push(target);
            targets.sort();
            return Err(RuleViolation::MirrorMultipleTargets {
                deployments: targets,
            });
        }
        mirror.insert(target, new_share);
    } else {
        mirror.remove(&target);
    }
    Ok(mirror)
}

fn lower_cased_keys(map: &TrafficMap) -> TrafficMap {
    map.iter()
        .map(|(name, share)| (name.to_lowercase(), *share))
        .collect()
}

fn share_of(map: &TrafficMap, name: &str) -> u32 {
    map.get(name).copied().unwrap_or(0)
}

/// Write a share, without creating a zero entry for a deployment that had none.
fn set_share(map: &mut TrafficMap, name: &str, share: u32) {
    if share == 0 && !map.contains_key(name) {
        return;
    }
    map.insert(name.to_string(), share);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, u32)]) -> TrafficMap {
        pairs
            .iter()
            .map(|(name, share)| (name.to_string(), *share))
            .collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    fn nudge(live: &[(&str, u32)], deployments: &[&str], target: &str, delta: i32) -> TrafficMap {
        nudge_live(
            &map(live),
            &TrafficMap::new(),
            &names(deployments),
            target,
            delta,
        )
        .live
    }

    const BLUE_GREEN: &[&str] = &["blue", "green"];
    const THREE: &[&str] = &["blue", "green", "red"];

    #[test]
    fn two_deployments_trade_with_each_other() {
        assert_eq!(
            nudge(&[("blue", 90), ("green", 10)], BLUE_GREEN, "green", 1),
            map(&[("blue", 89), ("green", 11)])
        );
        assert_eq!(
            nudge(&[("blue", 90), ("green", 10)], BLUE_GREEN, "green", -10),
            map(&[("blue", 100), ("green", 0)])
        );
        assert_eq!(
            nudge(&[("blue", 90), ("green", 10)], BLUE_GREEN, "blue", -30),
            map(&[("blue", 60), ("green", 40)])
        );
    }

    #[test]
    fn clamps_at_0_and_100() {
        assert_eq!(
            nudge(&[("blue", 95), ("green", 5)], BLUE_GREEN, "green", -10),
            map(&[("blue", 100), ("green", 0)])
        );
        assert_eq!(
            nudge(&[("blue", 95), ("green", 5)], BLUE_GREEN, "blue", 10),
            map(&[("blue", 100), ("green", 0)])
        );
        assert_eq!(
            nudge(&[("blue", 100), ("green", 0)], BLUE_GREEN, "blue", 10),
            map(&[("blue", 100), ("green", 0)])
        );
        assert_eq!(
            nudge(&[("blue", 100)], BLUE_GREEN, "green", -5),
            map(&[("blue", 100)])
        );
        // Extreme deltas do not overflow.
        assert_eq!(
            nudge(&[("blue", 40), ("green", 60)], BLUE_GREEN, "blue", i32::MAX),
            map(&[("blue", 100), ("green", 0)])
        );
        assert_eq!(
            nudge(&[("blue", 40), ("green", 60)], BLUE_GREEN, "blue", i32::MIN),
            map(&[("blue", 0), ("green", 100)])
        );
    }

    #[test]
    fn gaining_deployment_gets_an_entry_only_when_non_zero() {
        assert_eq!(
            nudge(&[("blue", 100)], BLUE_GREEN, "green", 5),
            map(&[("blue", 95), ("green", 5)])
        );
    }

    #[test]
    fn counterweight_is_the_largest_other_share() {
        // Raising red takes from blue (largest), not green.
        assert_eq!(
            nudge(
                &[("blue", 50), ("green", 30), ("red", 20)],
                THREE,
                "red",
                10
            ),
            map(&[("blue", 40), ("green", 30), ("red", 30)])
        );
        // Lowering blue gives to green (largest other), not red.
        assert_eq!(
            nudge(
                &[("blue", 50), ("green", 30), ("red", 20)],
                THREE,
                "blue",
                -10
            ),
            map(&[("blue", 40), ("green", 40), ("red", 20)])
        );
    }

    #[test]
    fn counterweight_ties_go_alphabetically() {
        // green and red tie at 40: green is alphabetically first.
        assert_eq!(
            nudge(
                &[("blue", 20), ("green", 40), ("red", 40)],
                THREE,
                "blue",
                5
            ),
            map(&[("blue", 25), ("green", 35), ("red", 40)])
        );
        // blue at 100, green and red tie at 0: lowering blue feeds green.
        assert_eq!(
            nudge(&[("blue", 100)], THREE, "blue", -10),
            map(&[("blue", 90), ("green", 10)])
        );
    }

    #[test]
    fn only_the_counterweight_moves_so_large_nudges_clamp_to_it() {
        assert_eq!(
            nudge(
                &[("blue", 50), ("green", 30), ("red", 20)],
                THREE,
                "red",
                60
            ),
            map(&[("blue", 0), ("green", 30), ("red", 70)])
        );
        // Next press: green is now the largest other share.
        assert_eq!(
            nudge(&[("blue", 0), ("green", 30), ("red", 70)], THREE, "red", 60),
            map(&[("blue", 0), ("green", 0), ("red", 100)])
        );
    }

    #[test]
    fn from_zero_total_a_positive_nudge_sends_everything_to_target() {
        assert_eq!(
            nudge(&[("blue", 0), ("green", 0)], BLUE_GREEN, "green", 1),
            map(&[("blue", 0), ("green", 100)])
        );
        assert_eq!(nudge(&[], THREE, "red", 10), map(&[("red", 100)]));
        // Downward from nothing stays nothing.
        assert_eq!(
            nudge(&[("blue", 0)], BLUE_GREEN, "blue", -10),
            map(&[("blue", 0)])
        );
    }

    #[test]
    fn a_lone_deployment_toggles_between_100_and_0() {
        assert_eq!(
            nudge(&[("blue", 100)], &["blue"], "blue", -1),
            map(&[("blue", 0)])
        );
        assert_eq!(
            nudge(&[("blue", 0)], &["blue"], "blue", 1),
            map(&[("blue", 100)])
        );
        assert_eq!(
            nudge(&[("blue", 100)], &["blue"], "blue", 5),
            map(&[("blue", 100)])
        );
    }

    #[test]
    fn multi_deployment_nudge_never_reaches_zero_total() {
        let live = nudge(&[("blue", 100), ("green", 0)], BLUE_GREEN, "blue", -100);
        assert_eq!(live, map(&[("blue", 0), ("green", 100)]));
        assert_eq!(live.values().sum::<u32>(), 100);
    }

    #[test]
    fn unknown_target_or_zero_delta_changes_nothing() {
        let live = map(&[("blue", 90), ("green", 10)]);
        let mirror = map(&[("red", 10)]);
        for (target, delta) in [("orange", 10), ("blue", 0)] {
            let outcome = nudge_live(&live, &mirror, &names(THREE), target, delta);
            assert_eq!(
                outcome,
                NudgeOutcome {
                    live: live.clone(),
                    mirror: mirror.clone(),
                    cleared_mirror_on: None,
                }
            );
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        let outcome = nudge_live(
            &map(&[("Blue", 90), ("GREEN", 10)]),
            &TrafficMap::new(),
            &names(&["BLUE", "Green"]),
            "gReEn",
            5,
        );
        assert_eq!(outcome.live, map(&[("blue", 85), ("green", 15)]));
    }

    #[test]
    fn gaining_live_traffic_clears_the_mirror_share() {
        let outcome = nudge_live(
            &map(&[("blue", 100)]),
            &map(&[("green", 20)]),
            &names(BLUE_GREEN),
            "green",
            10,
        );
        assert_eq!(
            outcome,
            NudgeOutcome {
                live: map(&[("blue", 90), ("green", 10)]),
                mirror: TrafficMap::new(),
                cleared_mirror_on: Some("green".into()),
            }
        );
    }

    #[test]
    fn counterweight_gaining_live_traffic_clears_its_mirror_share() {
        let outcome = nudge_live(
            &map(&[("blue", 100)]),
            &map(&[("green", 20)]),
            &names(BLUE_GREEN),
            "blue",
            -10,
        );
        assert_eq!(outcome.live, map(&[("blue", 90), ("green", 10)]));
        assert_eq!(outcome.mirror, TrafficMap::new());
        assert_eq!(outcome.cleared_mirror_on, Some("green".into()));
    }

    #[test]
    fn mirror_on_a_deployment_that_keeps_zero_live_survives() {
        let outcome = nudge_live(
            &map(&[("blue", 50), ("red", 50)]),
            &map(&[("green", 20)]),
            &names(THREE),
            "blue",
            10,
        );
        assert_eq!(outcome.live, map(&[("blue", 60), ("red", 40)]));
        assert_eq!(outcome.mirror, map(&[("green", 20)]));
        assert_eq!(outcome.cleared_mirror_on, None);
    }

    #[test]
    fn from_zero_total_on_a_mirror_target_clears_its_mirror() {
        let outcome = nudge_live(
            &TrafficMap::new(),
            &map(&[("green", 10)]),
            &names(BLUE_GREEN),
            "green",
            1,
        );
        assert_eq!(outcome.live, map(&[("green", 100)]));
        assert_eq!(outcome.cleared_mirror_on, Some("green".into()));
    }

    #[test]
    fn mirror_nudge_clamps_to_0_and_50() {
        let live = map(&[("blue", 100), ("green", 0)]);
        assert_eq!(
            nudge_mirror(&live, &TrafficMap::new(), "green", 10, false),
            Ok(map(&[("green", 10)]))
        );
        assert_eq!(
            nudge_mirror(&live, &map(&[("green", 45)]), "green", 10, false),
            Ok(map(&[("green", 50)]))
        );
        assert_eq!(
            nudge_mirror(&live, &map(&[("green", 5)]), "green", -10, false),
            Ok(TrafficMap::new())
        );
        assert_eq!(
            nudge_mirror(&live, &map(&[("green", 5)]), "GREEN", i32::MIN, false),
            Ok(TrafficMap::new())
        );
    }

    #[test]
    fn mirror_nudge_refused_on_a_live_deployment() {
        let result = nudge_mirror(
            &map(&[("blue", 90), ("green", 10)]),
            &TrafficMap::new(),
            "Green",
            5,
            false,
        );
        assert_eq!(
            result,
            Err(RuleViolation::MirrorOnLiveDeployment {
                deployment: "green".into(),
                live: 10,
                mirror: 5,
            })
        );
    }

    #[test]
    fn mirror_nudge_refused_for_a_second_target() {
        let result = nudge_mirror(
            &map(&[("blue", 100)]),
            &map(&[("green", 10)]),
            "red",
            5,
            false,
        );
        assert_eq!(
            result,
            Err(RuleViolation::MirrorMultipleTargets {
                deployments: names(&["green", "red"]),
            })
        );
        // A zero share elsewhere is not a target, so this one is fine.
        assert_eq!(
            nudge_mirror(
                &map(&[("blue", 100)]),
                &map(&[("green", 0)]),
                "red",
                5,
                false
            ),
            Ok(map(&[("green", 0), ("red", 5)]))
        );
    }

    #[test]
    fn mirror_nudge_refused_on_kubernetes() {
        assert_eq!(
            nudge_mirror(&map(&[("blue", 100)]), &TrafficMap::new(), "green", 5, true),
            Err(RuleViolation::MirrorOnKubernetes)
        );
    }

    #[test]
    fn mirror_nudge_down_to_zero_is_always_allowed() {
        // Even from an invalid draft (Kubernetes, live overlap), removing mirror repairs it.
        assert_eq!(
            nudge_mirror(
                &map(&[("green", 100)]),
                &map(&[("green", 10)]),
                "green",
                -10,
                true
            ),
            Ok(TrafficMap::new())
        );
        // But a partial reduction that still overlaps live traffic is refused.
        assert!(
            nudge_mirror(
                &map(&[("green", 100)]),
                &map(&[("green", 10)]),
                "green",
                -5,
                false
            )
            .is_err()
        );
    }
}
