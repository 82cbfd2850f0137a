//! The bar at the bottom while it is being typed in: the `:` command line (`traffic blue=90
//! green=10`, `mirror green=10`, `scale blue 2`), the endpoint filter and a log pane's filter.

use crossterm::event::{KeyCode, KeyEvent};

use super::actions;
use super::changes::check_quota;
use super::dialogs::scale::parse_instances;
use super::dialogs::{Dialog, Scale};
use super::drafts::{APPLYING, draft_from_command, violations_of};
use super::field_keys::input_request;
use super::keymap::{Action, changes_azure};
use super::log_actions;
use super::msg::Cmd;
use super::plan_actions;
use super::selection;
use super::state::{AppState, Prompt};
use super::text_input::edit;
use crate::rollout::{TrafficSplit, parse_traffic};
use tui_input::Input;

const USAGE: &str = "commands: traffic blue=90 green=10 · mirror green=10 · scale blue 2 · plan [FILE] · q · help · logs · refresh … (tab completes)";
/// Read-only: only what changes nothing.
const USAGE_READ_ONLY: &str =
    "commands: q · help · logs · refresh · journal · invoke · compare · keys … (tab completes)";

fn usage(state: &AppState) -> &'static str {
    if state.options.read_only {
        USAGE_READ_ONLY
    } else {
        USAGE
    }
}

/// The verbs that take arguments; the others come from the keymap's commands.
const VERBS_WITH_ARGUMENTS: [&str; 4] = ["traffic", "mirror", "scale", "plan"];

/// The `:` commands that do what a key does, by name (the verbs with arguments, `traffic`,
/// `mirror` and `scale BLUE 2`, are the command bar's own).
const COMMANDS: &[(&str, Action)] = &[
    ("q", Action::Quit),
    ("quit", Action::Quit),
    ("help", Action::Help),
    ("logs", Action::ToggleLogs),
    ("refresh", Action::Refresh),
    ("journal", Action::Journal),
    ("create-endpoint", Action::CreateEndpoint),
    ("create", Action::CreateDeployment),
    ("filter", Action::Filter),
    ("mirror-mode", Action::ToggleMirrorMode),
    ("apply", Action::Apply),
    ("discard", Action::Discard),
    ("undo", Action::Undo),
    ("off", Action::DisableTraffic),
    ("all", Action::AllTraffic),
    ("mark-good", Action::MarkGood),
    ("restore-good", Action::RestoreGood),
    ("scale", Action::Scale),
    ("invoke", Action::Invoke),
    ("compare", Action::Compare),
    ("keys", Action::ShowKeys),
    ("delete", Action::Delete),
    ("plan", Action::OpenPlan),
    ("pause", Action::PlanPauseResume),
    ("resume", Action::PlanPauseResume),
    ("promote", Action::PlanPromote),
    ("abort", Action::PlanAbort),
];

/// The action a `:` command names, if any.
fn command_action(verb: &str) -> Option<Action> {
    COMMANDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(verb))
        .map(|(_, action)| *action)
}

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
        KeyCode::Up | KeyCode::Down if is_command(state) => {
            recall(state, key.code == KeyCode::Up);
            Vec::new()
        }
        KeyCode::Tab if is_command(state) => {
            complete(state);
            Vec::new()
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
                remember(state, &line);
                match run(state, &line) {
                    Ok(cmds) => cmds,
                    Err(error) => {
                        state.ui.prompt = Some(Prompt::Command {
                            input,
                            error: Some(error),
                            matches: None,
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
    let takes_arguments = VERBS_WITH_ARGUMENTS.contains(&verb.to_ascii_lowercase().as_str());
    // `scale` alone opens the scale dialog, as its key does.
    if let Some(action) = command_action(verb)
        && (!takes_arguments || rest.trim().is_empty())
    {
        if !rest.trim().is_empty() {
            return Err(format!("{verb} takes no arguments"));
        }
        return Ok(actions::on_action(state, action));
    }
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
            // Like the dialog's enter: the quota figures are shown before anything is sent.
            let (dialog, question) =
                Scale::checking(ep.name.clone(), deployment.to_string(), instances);
            state.ui.dialog = Some(Dialog::Scale(dialog));
            Ok(check_quota(state, question))
        }
        "plan" => Ok(plan_actions::open(
            state,
            Some(std::path::PathBuf::from(rest.trim())),
        )),
        "" => Err(usage(state).to_string()),
        other => Err(format!("unknown command {other:?}; {}", usage(state))),
    }
}

fn is_command(state: &AppState) -> bool {
    matches!(state.ui.prompt, Some(Prompt::Command { .. }))
}

fn set_command_line(state: &mut AppState, line: String, matches: Option<String>) {
    state.ui.prompt = Some(Prompt::Command {
        input: Input::new(line),
        error: None,
        matches,
    });
}

/// Keeps a line for ↑, once (the same line twice in a row is kept once).
fn remember(state: &mut AppState, line: &str) {
    let line = line.trim();
    state.ui.history_at = None;
    if !line.is_empty() && state.ui.command_history.last().map(String::as_str) != Some(line) {
        state.ui.command_history.push(line.to_string());
    }
}

/// ↑ shows the line before, ↓ the one after (past the newest: an empty line).
fn recall(state: &mut AppState, older: bool) {
    let count = state.ui.command_history.len();
    if count == 0 {
        return;
    }
    let at = match (state.ui.history_at, older) {
        (None, true) => Some(count - 1),
        (None, false) => None,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < count => Some(i + 1),
        (Some(_), false) => None,
    };
    state.ui.history_at = at;
    let line = at
        .and_then(|i| state.ui.command_history.get(i).cloned())
        .unwrap_or_default();
    set_command_line(state, line, None);
}

/// Tab completes the word being typed: a verb first, then a deployment of the selected
/// endpoint (before its `=` in traffic and mirror) or an endpoint's name.
fn complete(state: &mut AppState) {
    let Some(Prompt::Command { input, .. }) = &state.ui.prompt else {
        return;
    };
    let line = input.value().to_string();
    let start = line.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let (done, word) = line.split_at(start);
    let read_only = state.options.read_only;
    let candidates: Vec<String> = if done.trim().is_empty() {
        // Read-only: only the verbs that change nothing (those with arguments all do).
        VERBS_WITH_ARGUMENTS
            .iter()
            .copied()
            .filter(|_| !read_only)
            .chain(
                COMMANDS
                    .iter()
                    .filter(|(_, action)| !(read_only && changes_azure(*action)))
                    .map(|(name, _)| *name),
            )
            .map(str::to_string)
            .collect()
    } else {
        let mut names: Vec<String> = state
            .selected_endpoint()
            .map(|ep| {
                state
                    .azure
                    .deployments_of(&ep.name)
                    .iter()
                    .map(|d| d.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.extend(state.azure.endpoints.iter().map(|e| e.name.clone()));
        names
    };
    let mut matching: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&word.to_lowercase()))
        .collect();
    matching.sort();
    matching.dedup();
    let takes_share = ["traffic", "mirror"]
        .iter()
        .any(|v| done.trim_start().to_lowercase().starts_with(v));
    match &matching[..] {
        [] => {}
        [only] => {
            let end = if done.trim().is_empty() {
                " "
            } else if takes_share {
                "="
            } else {
                " "
            };
            set_command_line(state, format!("{done}{only}{end}"), None);
        }
        many => {
            let common = common_prefix(many);
            let shown = format!(
                "{done}{}",
                if common.len() > word.len() {
                    common
                } else {
                    word
                }
            );
            let hint = format!("tab: {}", many.join(" "));
            set_command_line(state, shown.to_string(), Some(hint));
        }
    }
}

fn common_prefix(words: &[String]) -> &str {
    let Some(first) = words.first() else {
        return "";
    };
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .find(|((_, a), b)| !a.eq_ignore_ascii_case(b))
                .map_or(end.min(w.len()), |((i, _), _)| i),
        );
    }
    first.get(..end).unwrap_or("")
}
