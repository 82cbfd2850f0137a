//! What a draft changes, row by row and in words, and the az command that would apply it.

use std::collections::BTreeSet;

use serde::Serialize;

use super::traffic::{TrafficMap, format_traffic};

/// One deployment whose live or mirror share changes. Absent entries count as 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffRow {
    pub deployment: String,
    pub live_before: u32,
    pub live_after: u32,
    pub mirror_before: u32,
    pub mirror_after: u32,
}

/// Per-deployment before -> after, only rows that change (sorted by name), plus plain-language
/// notes on consequences an operator might miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitDiff {
    pub rows: Vec<DiffRow>,
    pub notes: Vec<String>,
}

impl SplitDiff {
    /// True when the draft changes nothing.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// True when any deployment's mirror share changes, i.e. `--mirror-traffic` is needed.
    pub fn mirror_changed(&self) -> bool {
        self.rows
            .iter()
            .any(|row| row.mirror_before != row.mirror_after)
    }
}

/// One side of a change: an endpoint's live and mirror maps. Named fields keep callers from
/// swapping the two same-typed maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitState<'a> {
    pub live: &'a TrafficMap,
    pub mirror: &'a TrafficMap,
}

/// Compare two splits. Names are compared case-insensitively and reported lower-cased.
pub fn diff_split(
    before_live: &TrafficMap,
    before_mirror: &TrafficMap,
    after_live: &TrafficMap,
    after_mirror: &TrafficMap,
) -> SplitDiff {
    let deployments: BTreeSet<String> = [before_live, before_mirror, after_live, after_mirror]
        .iter()
        .flat_map(|map| map.keys())
        .map(|name| name.to_lowercase())
        .collect();

    let rows: Vec<DiffRow> = deployments
        .into_iter()
        .map(|deployment| DiffRow {
            live_before: share_of(before_live, &deployment),
            live_after: share_of(after_live, &deployment),
            mirror_before: share_of(before_mirror, &deployment),
            mirror_after: share_of(after_mirror, &deployment),
            deployment,
        })
        .filter(|row| row.live_before != row.live_after || row.mirror_before != row.mirror_after)
        .collect();

    let mut notes = Vec::new();
    let live_total_before = total(before_live);
    let live_total_after = total(after_live);
    if live_total_before > 0 && live_total_after == 0 {
        notes.push("live traffic disabled: no deployment will receive requests".to_string());
    } else if live_total_before == 0 && live_total_after > 0 {
        notes.push("live traffic enabled: the endpoint will start serving requests".to_string());
    }
    for row in &rows {
        let name = &row.deployment;
        match (row.mirror_before > 0, row.mirror_after > 0) {
            (true, false) if row.live_after > 0 => {
                notes.push(format!(
                    "mirror to {name} cleared: it now takes live traffic"
                ));
            }
            (true, false) => notes.push(format!("mirror to {name} stopped")),
            (false, true) => notes.push(format!(
                "mirror to {name} started: it gets a copy of {}% of requests, responses discarded",
                row.mirror_after
            )),
            _ => {}
        }
        if row.live_before > 0 && row.live_after == 0 && live_total_after > 0 {
            notes.push(format!(
                "{name} drained: it no longer receives live traffic"
            ));
        }
    }

    SplitDiff { rows, notes }
}

/// The az command that turns `before` into `after`:
/// `az ml online-endpoint update --name E --traffic "blue=90 green=10"`, plus
/// ` --mirror-traffic "green=10"` when mirror traffic changes. A mirror share that disappears is
/// written as `green=0`, which is how az clears it (a missing key would leave it in place).
/// Resource group and workspace are left to the operator's az defaults.
pub fn az_update_command(endpoint: &str, before: SplitState<'_>, after: SplitState<'_>) -> String {
    let mut command = format!(
        "az ml online-endpoint update --name {} --traffic \"{}\"",
        shell_word(endpoint),
        format_traffic(&lower_cased_keys(after.live)),
    );

    let before_mirror = non_zero(before.mirror);
    let after_mirror = non_zero(after.mirror);
    if before_mirror != after_mirror {
        let mut mirror_argument = after_mirror;
        for cleared in before_mirror.keys() {
            mirror_argument.entry(cleared.clone()).or_insert(0);
        }
        command.push_str(&format!(
            " --mirror-traffic \"{}\"",
            format_traffic(&mirror_argument)
        ));
    }
    command
}

/// Names that pass Azure's naming rules need no quoting; anything else is single-quoted so that
/// a pasted command can never run something unintended.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn share_of(map: &TrafficMap, lower_cased_name: &str) -> u32 {
    // Sum case variants so an oddly-keyed map is still read completely.
    map.iter()
        .filter(|(name, _)| name.to_lowercase() == lower_cased_name)
        .fold(0, |sum, (_, share)| sum.saturating_add(*share))
}

fn total(map: &TrafficMap) -> u32 {
    map.values()
        .fold(0, |sum, share| sum.saturating_add(*share))
}

fn lower_cased_keys(map: &TrafficMap) -> TrafficMap {
    map.iter()
        .map(|(name, share)| (name.to_lowercase(), *share))
        .collect()
}

fn non_zero(map: &TrafficMap) -> TrafficMap {
    lower_cased_keys(map)
        .into_iter()
        .filter(|(_, share)| *share > 0)
        .collect()
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

    fn row(deployment: &str, live: (u32, u32), mirror: (u32, u32)) -> DiffRow {
        DiffRow {
            deployment: deployment.to_string(),
            live_before: live.0,
            live_after: live.1,
            mirror_before: mirror.0,
            mirror_after: mirror.1,
        }
    }

    #[test]
    fn only_changed_rows_are_listed() {
        let diff = diff_split(
            &map(&[("blue", 90), ("green", 10), ("red", 0)]),
            &TrafficMap::new(),
            &map(&[("blue", 80), ("green", 20), ("red", 0)]),
            &TrafficMap::new(),
        );
        assert_eq!(
            diff.rows,
            vec![
                row("blue", (90, 80), (0, 0)),
                row("green", (10, 20), (0, 0))
            ]
        );
        assert!(diff.notes.is_empty(), "{:?}", diff.notes);
        assert!(!diff.mirror_changed());
    }

    #[test]
    fn identical_splits_give_an_empty_diff() {
        let live = map(&[("blue", 100)]);
        let mirror = map(&[("green", 10)]);
        let diff = diff_split(&live, &mirror, &live, &mirror);
        assert!(diff.is_empty());
        assert!(diff.notes.is_empty());
        // A missing entry and a 0 entry are the same thing.
        assert!(diff_split(&live, &TrafficMap::new(), &live, &map(&[("green", 0)])).is_empty());
    }

    #[test]
    fn mirror_cleared_because_of_live_traffic_is_explained() {
        let diff = diff_split(
            &map(&[("blue", 100)]),
            &map(&[("green", 10)]),
            &map(&[("blue", 90), ("green", 10)]),
            &TrafficMap::new(),
        );
        assert_eq!(
            diff.rows,
            vec![
                row("blue", (100, 90), (0, 0)),
                row("green", (0, 10), (10, 0))
            ]
        );
        assert_eq!(
            diff.notes,
            vec!["mirror to green cleared: it now takes live traffic".to_string()]
        );
        assert!(diff.mirror_changed());
    }

    #[test]
    fn mirror_start_and_stop_are_noted() {
        let live = map(&[("blue", 100)]);
        let started = diff_split(&live, &TrafficMap::new(), &live, &map(&[("green", 20)]));
        assert_eq!(started.rows, vec![row("green", (0, 0), (0, 20))]);
        assert!(started.notes[0].starts_with("mirror to green started"));
        assert!(started.notes[0].contains("20%"));

        let stopped = diff_split(&live, &map(&[("green", 20)]), &live, &TrafficMap::new());
        assert_eq!(stopped.notes, vec!["mirror to green stopped".to_string()]);
    }

    #[test]
    fn drain_and_disable_are_noted() {
        let drained = diff_split(
            &map(&[("blue", 50), ("green", 50)]),
            &TrafficMap::new(),
            &map(&[("blue", 0), ("green", 100)]),
            &TrafficMap::new(),
        );
        assert_eq!(
            drained.notes,
            vec!["blue drained: it no longer receives live traffic".to_string()]
        );

        let disabled = diff_split(
            &map(&[("blue", 100)]),
            &TrafficMap::new(),
            &map(&[("blue", 0)]),
            &TrafficMap::new(),
        );
        assert_eq!(
            disabled.notes,
            vec!["live traffic disabled: no deployment will receive requests".to_string()]
        );

        let enabled = diff_split(
            &TrafficMap::new(),
            &TrafficMap::new(),
            &map(&[("blue", 100)]),
            &TrafficMap::new(),
        );
        assert!(enabled.notes[0].starts_with("live traffic enabled"));
    }

    #[test]
    fn names_are_compared_case_insensitively() {
        let diff = diff_split(
            &map(&[("Blue", 100)]),
            &TrafficMap::new(),
            &map(&[("blue", 100)]),
            &TrafficMap::new(),
        );
        assert!(diff.is_empty(), "{diff:?}");
    }

    #[test]
    fn az_command_for_live_only_change() {
        let before_live = map(&[("blue", 100), ("green", 0)]);
        let after_live = map(&[("blue", 90), ("green", 10)]);
        let mirror = TrafficMap::new();
        assert_eq!(
            az_update_command(
                "my-endpoint",
                SplitState {
                    live: &before_live,
                    mirror: &mirror
                },
                SplitState {
                    live: &after_live,
                    mirror: &mirror
                },
            ),
            r#"az ml online-endpoint update --name my-endpoint --traffic "blue=90 green=10""#
        );
    }

    #[test]
    fn az_command_adds_mirror_when_it_changes() {
        let live = map(&[("blue", 100)]);
        let no_mirror = TrafficMap::new();
        let mirror = map(&[("green", 10)]);
        assert_eq!(
            az_update_command(
                "ep1",
                SplitState {
                    live: &live,
                    mirror: &no_mirror
                },
                SplitState {
                    live: &live,
                    mirror: &mirror
                },
            ),
            r#"az ml online-endpoint update --name ep1 --traffic "blue=100" --mirror-traffic "green=10""#
        );
    }

    #[test]
    fn az_command_clears_mirror_with_an_explicit_zero() {
        let before_live = map(&[("blue", 100)]);
        let before_mirror = map(&[("green", 10)]);
        let after_live = map(&[("blue", 90), ("green", 10)]);
        let after_mirror = TrafficMap::new();
        assert_eq!(
            az_update_command(
                "ep1",
                SplitState {
                    live: &before_live,
                    mirror: &before_mirror
                },
                SplitState {
                    live: &after_live,
                    mirror: &after_mirror
                },
            ),
            r#"az ml online-endpoint update --name ep1 --traffic "blue=90 green=10" --mirror-traffic "green=0""#
        );
    }

    #[test]
    fn az_command_moving_mirror_between_deployments() {
        let live = map(&[("blue", 100)]);
        let before_mirror = map(&[("green", 10)]);
        let after_mirror = map(&[("red", 10)]);
        let command = az_update_command(
            "ep1",
            SplitState {
                live: &live,
                mirror: &before_mirror,
            },
            SplitState {
                live: &live,
                mirror: &after_mirror,
            },
        );
        assert!(
            command.ends_with(r#"--mirror-traffic "green=0 red=10""#),
            "{command}"
        );
    }

    #[test]
    fn az_command_quotes_unusual_endpoint_names() {
        let live = map(&[("blue", 100)]);
        let mirror = TrafficMap::new();
        let state = SplitState {
            live: &live,
            mirror: &mirror,
        };
        let command = az_update_command("ep; rm -rf ~", state, state);
        assert!(
            command.contains("--name 'ep; rm -rf ~' --traffic"),
            "{command}"
        );
        let command = az_update_command("it's", state, state);
        assert!(command.contains(r"--name 'it'\''s' --traffic"), "{command}");
    }

    #[test]
    fn az_command_disabling_all_traffic_and_lower_casing() {
        let before_live = map(&[("Blue", 100)]);
        let after_live = map(&[("Blue", 0)]);
        let mirror = TrafficMap::new();
        assert_eq!(
            az_update_command(
                "ep1",
                SplitState {
                    live: &before_live,
                    mirror: &mirror
                },
                SplitState {
                    live: &after_live,
                    mirror: &mirror
                },
            ),
            r#"az ml online-endpoint update --name ep1 --traffic "blue=0""#
        );
    }
}
