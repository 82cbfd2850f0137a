//! The bar at the bottom while it is being typed in: the `:` command line (`traffic blue=90
//! green=10`, `mirror green=10`, `scale blue 2`), the endpoint filter and a log pane's filter.

use crossterm::event::{KeyCode, KeyEvent};

use super::changes::scale;
use super::dialogs::scale::parse_instances;
use super::drafts::{APPLYING, draft_from_command, violations_of};
use super::field_keys::input_request;
use super::log_actions;
use super::msg::Cmd;
use super::selection;
use super::state::{AppState, Prompt};
use super::text_input::edit;
use crate::rollout::{TrafficSplit, parse_traffic};

const USAGE: &str = "commands: traffic blue=90 green=10 · mirror green=10 · scale blue 2";

/// A key while a prompt is open: esc leaves it, enter runs it, the rest edits it.
pub(super) fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => {
            let endpoint_filter = matches!(state.ui.prompt, Some(Prompt::Filter { .. }));
            if endpoint_filter {
                state.ui.filter.clear();
            }
            state.ui.prompt = None;
            selection::clamp(state);
            if endpoint_filter {
                log_actions::sync_panes(state)
            } else {
                Vec::new()
            }
        }
        KeyCode::Enter => match state.ui.prompt.take() {
            Some(Prompt::Filter { .. }) => {
                selection::clamp(state);
                selection::follow_selected_endpoint(state)
            }
            Some(Prompt::LogFilter { pane, input }) => {
                log_actions::apply_filter(state, pane, input.value());
                Vec::new()
            }
            Some(Prompt::Command { input, .. }) => {
                let line = input.value().to_string();
                match run(state, &line) {
                    Ok(cmds) => cmds,
                    Err(error) => {
                        state.ui.prompt = Some(Prompt::Command {
                            input,
                            error: Some(error),
                        });
                        Vec::new()
                    }
                }
            }
            None => Vec::new(),
        },
        _ => {
            if let Some(request) = input_request(&key) {
                edit(state, request);
            }
            Vec::new()
        }
    }
}

/// Runs one command line; the error stays in the bar for the operator to fix.
fn run(state: &mut AppState, line: &str) -> Result<Vec<Cmd>, String> {
    let line = line.trim();
    let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let Some(ep) = state.selected_endpoint().cloned() else {
        return Err("no endpoint selected".to_string());
    };
    let names: Vec<String> = state
        .azure
        .deployments_of(&ep.name)
        .iter()
        .map(|d| d.name.to_lowercase())
        .collect();
    match verb.to_ascii_lowercase().as_str() {
        "traffic" | "mirror" => {
            if state.options.read_only {
                return Err(
                    "read-only: traffic changes are disabled (started with --read-only)"
                        .to_string(),
                );
            }
            let map = parse_traffic(rest).map_err(|e| e.to_string())?;
            if let Some(unknown) = map.keys().find(|k| !names.contains(k)) {
                return Err(format!(
                    "{} has no deployment {unknown} (it has: {})",
                    ep.name,
                    names.join(", ")
                ));
            }
            let base = state
                .draft_of(&ep.name)
                .map(|d| d.base.clone())
                .unwrap_or_else(|| ep.split.clone());
            let current = state.shown_split(&ep);
            let proposed = if verb.eq_ignore_ascii_case("traffic") {
                TrafficSplit {
                    live: map,
                    mirror: current.mirror,
                }
            } else {
                TrafficSplit {
                    live: current.live,
                    mirror: map,
                }
            };
            if let Some(first) = violations_of(state, &ep.name, &proposed).first() {
                return Err(first.clone());
            }
            if proposed.normalized() == base.normalized() {
                return Err("that is the endpoint's current split: nothing to apply".to_string());
            }
            if state.draft_of(&ep.name).is_some_and(|d| d.applying) {
                return Err(APPLYING.to_string());
            }
            draft_from_command(state, &ep.name, base, proposed, &format!(": {line}"));
            Ok(Vec::new())
        }
        "scale" => {
            if state.options.read_only {
                return Err("read-only: scaling is disabled (started with --read-only)".to_string());
            }
            let mut parts = rest.split_whitespace();
            let (Some(deployment), Some(count), None) = (parts.next(), parts.next(), parts.next())
            else {
                return Err("usage: scale DEPLOYMENT INSTANCES, e.g. scale blue 2".to_string());
            };
            if !names.contains(&deployment.to_lowercase()) {
                return Err(format!("{} has no deployment {deployment}", ep.name));
            }
            let instances = parse_instances(count)?;
            Ok(scale(state, &ep.name, deployment, instances))
        }
        "" => Err(USAGE.to_string()),
        other => Err(format!("unknown command {other:?}; {USAGE}")),
    }
}
