//! One description per change an operator can make: what it is called, what it targets, the
//! state before and after, the az command that does the same, and the journal's record of it.
//!
//! The console and the headless commands both build a [`Change`] and hand it to the same
//! workflow, so they journal identical records and print identical (properly quoted) az
//! commands.

use serde_json::{Value, json};

use super::diff::{SplitState, az_update_command};
use super::split::TrafficSplit;
use super::traffic::TrafficMap;

/// The fewest and most instances a managed deployment may run (the service's limits). The
/// console's scale dialog and the commands both check against these before sending.
pub const MIN_INSTANCES: u32 = 1;
pub const MAX_INSTANCES: u32 = 50;

/// Checks an instance count against the service's limits, in the words both front ends show.
pub fn check_instance_count(count: u32) -> Result<u32, String> {
    if (MIN_INSTANCES..=MAX_INSTANCES).contains(&count) {
        Ok(count)
    } else {
        Err(format!(
            "instance count must be a whole number from {MIN_INSTANCES} to {MAX_INSTANCES} (a managed deployment cannot scale to zero), got {count}"
        ))
    }
}

/// Which endpoint key a regeneration replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySlot {
    Primary,
    Secondary,
}

impl KeySlot {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
        }
    }
}

/// What a change does, with what only that kind of change needs.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    EndpointCreate {
        file: String,
    },
    DeploymentCreate {
        file: String,
        /// `--all-traffic`: the new deployment takes all live traffic once it exists.
        all_traffic: bool,
    },
    /// A PUT of a deployment that already exists and failed (re-running a failed create).
    DeploymentRecreate {
        file: String,
    },
    /// `--set KEY=VALUE` settings, as typed.
    DeploymentUpdate {
        settings: Vec<String>,
    },
    DeploymentScale {
        instances: u32,
    },
    /// Live traffic (and any mirror share a newly live deployment loses).
    Traffic {
        before: TrafficSplit,
        after: TrafficSplit,
    },
    /// Only the mirror share changes.
    Mirror {
        before: TrafficSplit,
        after: TrafficSplit,
    },
    KeyRegenerate {
        key: KeySlot,
    },
    EndpointDelete,
    DeploymentDelete,
}

/// A change about to be sent: pure data, built before anything leaves the machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    pub endpoint: String,
    pub deployment: Option<String>,
    /// The journal's "before" and "after": what the operator would want to read back.
    pub before: Value,
    pub after: Value,
}

impl Change {
    /// A split change: `traffic` when the live map changes, else `mirror`.
    pub fn split(endpoint: &str, before: &TrafficSplit, after: &TrafficSplit) -> Self {
        let (before, after) = (before.normalized(), after.normalized());
        let kind = if before.live == after.live {
            ChangeKind::Mirror {
                before: before.clone(),
                after: after.clone(),
            }
        } else {
            ChangeKind::Traffic {
                before: before.clone(),
                after: after.clone(),
            }
        };
        Self {
            kind,
            endpoint: endpoint.to_string(),
            deployment: None,
            before: split_value(&before),
            after: split_value(&after),
        }
    }

    /// The action's name, as the headless commands name it (and the journal records it).
    pub fn action(&self) -> &'static str {
        match self.kind {
            ChangeKind::EndpointCreate { .. } => "endpoint create",
            ChangeKind::DeploymentCreate { .. } => "deployment create",
            ChangeKind::DeploymentRecreate { .. } => "deployment create --force-update",
            ChangeKind::DeploymentUpdate { .. } => "deployment update",
            ChangeKind::DeploymentScale { .. } => "deployment scale",
            ChangeKind::Traffic { .. } => "traffic",
            ChangeKind::Mirror { .. } => "mirror",
            ChangeKind::KeyRegenerate { .. } => "endpoint regenerate-keys",
            ChangeKind::EndpointDelete => "endpoint delete",
            ChangeKind::DeploymentDelete => "deployment delete",
        }
    }

    /// `endpoint` or `endpoint/deployment`.
    pub fn target(&self) -> String {
        match &self.deployment {
            Some(d) => format!("{}/{d}", self.endpoint),
            None => self.endpoint.clone(),
        }
    }

    /// The az command that makes the same change, every word quoted where it needs to be.
    pub fn az_command(&self) -> String {
        let endpoint = shell_quote(&self.endpoint);
        let deployment = shell_quote(self.deployment.as_deref().unwrap_or_default());
        match &self.kind {
            ChangeKind::EndpointCreate { file } => {
                format!("az ml online-endpoint create --file {}", shell_quote(file))
            }
            ChangeKind::DeploymentCreate { file, all_traffic } => format!(
                "az ml online-deployment create --file {} --endpoint-name {endpoint}{}",
                shell_quote(file),
                if *all_traffic { " --all-traffic" } else { "" }
            ),
            ChangeKind::DeploymentRecreate { file } => format!(
                "az ml online-deployment update --file {} --endpoint-name {endpoint}",
                shell_quote(file)
            ),
            ChangeKind::DeploymentUpdate { settings } => format!(
                "az ml online-deployment update --name {deployment} --endpoint-name {endpoint} --set {}",
                settings
                    .iter()
                    .map(|s| shell_quote(s))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            ChangeKind::DeploymentScale { instances } => format!(
                "az ml online-deployment update --name {deployment} --endpoint-name {endpoint} --set instance_count={instances}"
            ),
            ChangeKind::Traffic { before, after } | ChangeKind::Mirror { before, after } => {
                az_update_command(
                    &self.endpoint,
                    SplitState {
                        live: &before.live,
                        mirror: &before.mirror,
                    },
                    SplitState {
                        live: &after.live,
                        mirror: &after.mirror,
                    },
                )
            }
            ChangeKind::KeyRegenerate { key } => format!(
                "az ml online-endpoint regenerate-keys --name {endpoint} --key-type {}",
                key.as_str()
            ),
            ChangeKind::EndpointDelete => {
                format!("az ml online-endpoint delete --name {endpoint} --yes")
            }
            ChangeKind::DeploymentDelete => format!(
                "az ml online-deployment delete --name {deployment} --endpoint-name {endpoint} --yes"
            ),
        }
    }

    /// How the change reads to a person: `traffic my-endpoint`, `deployment scale e/green`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.action(), self.target())
    }
}

/// How the journal records an endpoint's split, the same from the console and the commands.
pub fn split_value(split: &TrafficSplit) -> Value {
    let map = |m: &TrafficMap| -> Value {
        Value::Object(m.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
    };
    json!({
        "traffic": map(&split.live),
        "mirror_traffic": map(&split.mirror),
    })
}

/// Quotes a word for a shell command shown to the operator, unless it needs none. A pasted
/// command can then never run something unintended.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(live: &[(&str, u32)], mirror: &[(&str, u32)]) -> TrafficSplit {
        let map = |pairs: &[(&str, u32)]| -> TrafficMap {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        TrafficSplit {
            live: map(live),
            mirror: map(mirror),
        }
    }

    #[test]
    fn a_split_change_is_traffic_when_live_moves_and_mirror_otherwise() {
        let base = split(&[("blue", 100)], &[]);
        let live = Change::split("e", &base, &split(&[("blue", 90), ("green", 10)], &[]));
        assert_eq!(live.action(), "traffic");
        assert_eq!(
            live.az_command(),
            "az ml online-endpoint update --name e --traffic \"blue=90 green=10\""
        );
        let mirror = Change::split("e", &base, &split(&[("blue", 100)], &[("green", 10)]));
        assert_eq!(mirror.action(), "mirror");
        assert_eq!(
            mirror.after,
            json!({"traffic": {"blue": 100}, "mirror_traffic": {"green": 10}})
        );
        // 0% entries are not part of a split: the record is the same either way.
        let zero = Change::split("e", &split(&[("blue", 100), ("green", 0)], &[]), &base);
        assert_eq!(zero.before, zero.after);
    }

    #[test]
    fn az_commands_quote_what_a_shell_would_misread() {
        let change = Change {
            kind: ChangeKind::DeploymentCreate {
                file: "my files/green.yml".to_string(),
                all_traffic: true,
            },
            endpoint: "e".to_string(),
            deployment: Some("green".to_string()),
            before: Value::Null,
            after: Value::Null,
        };
        assert_eq!(
            change.az_command(),
            "az ml online-deployment create --file 'my files/green.yml' --endpoint-name e --all-traffic"
        );
        let update = Change {
            kind: ChangeKind::DeploymentUpdate {
                settings: vec!["tags.owner=it's me".to_string()],
            },
            ..change
        };
        assert_eq!(
            update.az_command(),
            r"az ml online-deployment update --name green --endpoint-name e --set 'tags.owner=it'\''s me'"
        );
        assert_eq!(update.target(), "e/green");
    }

    #[test]
    fn instance_counts_outside_the_service_limits_are_refused() {
        assert_eq!(check_instance_count(1), Ok(1));
        assert_eq!(check_instance_count(MAX_INSTANCES), Ok(MAX_INSTANCES));
        for bad in [0, MAX_INSTANCES + 1] {
            let message = check_instance_count(bad).unwrap_err();
            assert!(message.contains("from 1 to 50"), "{message}");
        }
    }
}
