//! What `update` does for the log panes: open and close them with the selection (starting
//! and stopping their tailers), merge polled windows, and the pane keys.

use tui_input::Input;

use super::effects::toast;
use super::ids::TailerId;
use super::keymap::Action;
use super::logs::{LogPane, MAX_COLUMNS, PaneFilter, PaneStatus, TAIL_PRESETS, TailPreset};
use super::msg::Cmd;
use super::state::{AppState, Focus, Prompt, ToastLevel};
use crate::azure::model::ContainerType;
use crate::ops::PlanEvent;

/// The (endpoint, deployment) pairs that should have a pane now.
fn wanted(state: &mut AppState) -> Vec<(String, String)> {
    let Some(ep) = state.selected_endpoint().cloned() else {
        return Vec::new();
    };
    let names: Vec<String> = state
        .azure
        .deployments_of(&ep.name)
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let split = &ep.split;
    let ordered = state.logs.stable_order(&ep.name, &names, |d| {
        split.live_of(d) > 0 || split.mirror_of(d) > 0
    });
    let pages = ordered.len().div_ceil(MAX_COLUMNS).max(1);
    let page = state.logs.page.min(pages - 1);
    ordered
        .into_iter()
        .skip(page * MAX_COLUMNS)
        .take(MAX_COLUMNS)
        .map(|d| (ep.name.clone(), d))
        .collect()
}

fn start(
    state: &mut AppState,
    endpoint: &str,
    deployment: &str,
    container: ContainerType,
    tail: TailPreset,
) -> LogPane {
    let tailer = state.requests.tailer();
    LogPane::new(
        endpoint,
        deployment,
        container,
        tail,
        tailer,
        state.options.log_buffer_lines,
    )
}

/// The command that starts `pane`'s tailer.
fn tail_cmd(pane: &LogPane) -> Cmd {
    Cmd::StartTail {
        tailer: pane.tailer,
        endpoint: pane.endpoint.clone(),
        deployment: pane.deployment.clone(),
        container: pane.container,
        tail: pane.tail.window(),
    }
}

/// Opens panes that should be open and closes the others, keeping the ones that stay. Hiding
/// the area parks its panes (tailers stopped, buffers kept); showing it resumes them.
pub(super) fn sync_panes(state: &mut AppState) -> Vec<Cmd> {
    let cmds = if state.logs.hidden {
        park(state)
    } else {
        open_wanted(state)
    };
    if let Focus::Logs(i) = state.ui.focus
        && i >= state.logs.panes.len()
    {
        state.ui.focus = if state.logs.panes.is_empty() {
            Focus::Deployments
        } else {
            Focus::Logs(state.logs.panes.len() - 1)
        };
    }
    if state.logs.panes.is_empty() {
        state.logs.maximized = false;
    }
    cmds
}

/// Hidden panes cost no `getLogs`: their tailers stop, and the panes wait in `parked`.
fn park(state: &mut AppState) -> Vec<Cmd> {
    let hiding = std::mem::take(&mut state.logs.panes);
    let cmds = hiding
        .iter()
        .map(|p| Cmd::StopTail { tailer: p.tailer })
        .collect();
    state.logs.parked.extend(hiding);
    cmds
}

fn open_wanted(state: &mut AppState) -> Vec<Cmd> {
    let wanted = wanted(state);
    let mut cmds = Vec::new();
    let mut old = std::mem::take(&mut state.logs.panes);
    let mut parked = std::mem::take(&mut state.logs.parked);
    let mut panes = Vec::with_capacity(wanted.len());
    for (endpoint, deployment) in wanted {
        let same = |p: &LogPane| {
            p.endpoint.eq_ignore_ascii_case(&endpoint)
                && p.deployment.eq_ignore_ascii_case(&deployment)
        };
        if let Some(i) = old.iter().position(same) {
            panes.push(old.swap_remove(i));
        } else if let Some(i) = parked.iter().position(same) {
            let mut pane = parked.swap_remove(i);
            let tailer = state.requests.tailer();
            pane.resume(tailer);
            cmds.push(tail_cmd(&pane));
            panes.push(pane);
        } else {
            let pane = start(
                state,
                &endpoint,
                &deployment,
                ContainerType::InferenceServer,
                TailPreset::default(),
            );
            cmds.push(tail_cmd(&pane));
            panes.push(pane);
        }
    }
    // Open panes not wanted any more stop their tailers; parked ones not wanted (another
    // endpoint was selected while hidden) just go, theirs are already stopped.
    cmds.extend(old.into_iter().map(|p| Cmd::StopTail { tailer: p.tailer }));
    state.logs.panes = panes;
    cmds
}

pub(super) fn on_window(state: &mut AppState, tailer: TailerId, content: &str) {
    if let Some(pane) = state.logs.panes.iter_mut().find(|p| p.tailer == tailer) {
        pane.ingest(content);
    }
}

pub(super) fn on_error(state: &mut AppState, tailer: TailerId, error: String, retry_in_secs: u64) {
    if let Some(pane) = state.logs.panes.iter_mut().find(|p| p.tailer == tailer) {
        pane.status = PaneStatus::BackingOff {
            error,
            retry_in_secs,
        };
    }
}

/// A line in the panes of `endpoint`, hidden ones too, e.g. when a traffic change lands there,
/// so cause and effect line up. Other endpoints' panes (the selection may have moved while the
/// change ran) are left alone.
pub(super) fn mark_endpoint(state: &mut AppState, endpoint: &str, text: &str) {
    for pane in state.logs.panes.iter_mut().chain(&mut state.logs.parked) {
        if pane.endpoint.eq_ignore_ascii_case(endpoint) {
            pane.stream.push_marker(text);
        }
    }
}

/// The marker a plan event writes into its endpoint's panes: the traffic it changed, like a
/// change applied by hand. Events that change no traffic write none.
pub(super) fn mark_plan_event(state: &mut AppState, endpoint: &str, event: &PlanEvent) {
    let at = state.clock.format("%H:%M:%S");
    let text = match event {
        PlanEvent::StepApplied { step, after, .. } => {
            format!(
                "-- plan step {}: traffic {after} applied at {at} --",
                step + 1
            )
        }
        PlanEvent::RolledBack { restored, .. } => {
            format!("-- plan rolled back to {restored} at {at} --")
        }
        _ => return,
    };
    mark_endpoint(state, endpoint, &text);
}

/// Replaces pane `i` by a fresh one with another container or tail (a new tailer).
fn restart(state: &mut AppState, i: usize, container: ContainerType, tail: TailPreset) -> Vec<Cmd> {
    let Some(old) = state.logs.panes.get(i) else {
        return Vec::new();
    };
    let (endpoint, deployment, stop) = (old.endpoint.clone(), old.deployment.clone(), old.tailer);
    let (timestamps, wrap, filter) = (old.timestamps, old.wrap, old.filter.clone());
    let mut pane = start(state, &endpoint, &deployment, container, tail);
    let cmd = tail_cmd(&pane);
    pane.timestamps = timestamps;
    pane.wrap = wrap;
    pane.filter = filter;
    state.logs.panes[i] = pane;
    vec![Cmd::StopTail { tailer: stop }, cmd]
}

/// Rows a page scroll moves: most of a pane's height.
fn page_rows(state: &AppState) -> i64 {
    i64::from(state.size.1 / 3).max(5)
}

pub(super) fn on_action(state: &mut AppState, action: Action) -> Vec<Cmd> {
    if action == Action::ToggleLogs {
        state.logs.hidden = !state.logs.hidden;
        toast(
            state,
            ToastLevel::Info,
            if state.logs.hidden {
                "log panes hidden (o shows them)"
            } else {
                "log panes shown"
            },
        );
        return sync_panes(state);
    }
    let Focus::Logs(i) = state.ui.focus else {
        return Vec::new();
    };
    let page = page_rows(state);
    let Some(pane) = state.logs.panes.get_mut(i) else {
        return Vec::new();
    };
    match action {
        Action::LogFollow => pane.toggle_follow(),
        Action::LogUp => pane.scroll(-1),
        Action::LogDown => pane.scroll(1),
        Action::LogPageUp => pane.scroll(-page),
        Action::LogPageDown => pane.scroll(page),
        Action::LogTop => pane.scroll_to_top(),
        Action::LogBottom => pane.follow_bottom(),
        Action::LogTimestamps => pane.timestamps = !pane.timestamps,
        Action::LogWrap => pane.wrap = !pane.wrap,
        Action::LogMaximize => state.logs.maximized = !state.logs.maximized,
        Action::LogContainer => {
            let next = match pane.container {
                ContainerType::InferenceServer => ContainerType::StorageInitializer,
                ContainerType::StorageInitializer => ContainerType::InferenceServer,
            };
            let tail = pane.tail;
            return restart(state, i, next, tail);
        }
        Action::LogTail(key) => {
            if let Some((_, preset)) = TAIL_PRESETS.iter().find(|(k, _)| *k == key) {
                let container = pane.container;
                let preset = *preset;
                let cmds = restart(state, i, container, preset);
                toast(
                    state,
                    ToastLevel::Info,
                    format!("log pane: {}", preset.label()),
                );
                return cmds;
            }
        }
        Action::LogFilter => {
            let current = pane
                .filter
                .as_ref()
                .map(|f| f.text.clone())
                .unwrap_or_default();
            state.ui.prompt = Some(Prompt::LogFilter {
                pane: i,
                input: Input::new(current),
            });
        }
        Action::LogNextMatch | Action::LogPrevMatch => {
            if pane.filter.is_none() {
                toast(
                    state,
                    ToastLevel::Info,
                    "no filter in this pane: / sets one",
                );
            } else if !pane.jump_to_match(action == Action::LogNextMatch) {
                toast(state, ToastLevel::Info, "no more matches");
            }
        }
        Action::LogFilterAll => {
            let filter = pane.filter.clone();
            for p in &mut state.logs.panes {
                p.filter = filter.clone();
            }
            let text = match &filter {
                Some(f) => format!("filter /{}/ applied to every pane", f.text),
                None => "filters cleared in every pane".to_string(),
            };
            toast(state, ToastLevel::Info, text);
        }
        Action::LogSave => {
            let lines: Vec<String> = pane
                .stream
                .ring()
                .iter()
                .map(|e| e.text().to_string())
                .collect();
            let name = format!(
                "{}-{}-{}",
                pane.endpoint,
                pane.deployment,
                pane.container.cli_name()
            );
            return vec![Cmd::SaveLog { name, lines }];
        }
        Action::LogPagePrev | Action::LogPageNext => {
            let count = state
                .selected_endpoint()
                .map(|e| state.azure.deployments_of(&e.name).len())
                .unwrap_or(0);
            let pages = count.div_ceil(MAX_COLUMNS).max(1);
            let page = state.logs.page.min(pages - 1);
            state.logs.page = if action == Action::LogPageNext {
                (page + 1).min(pages - 1)
            } else {
                page.saturating_sub(1)
            };
            if pages == 1 {
                toast(
                    state,
                    ToastLevel::Info,
                    "every deployment's log is already shown",
                );
            }
            return sync_panes(state);
        }
        _ => {}
    }
    Vec::new()
}

/// Applies the filter typed for pane `i`; empty clears it.
pub(super) fn apply_filter(state: &mut AppState, i: usize, text: &str) {
    let Some(pane) = state.logs.panes.get_mut(i) else {
        return;
    };
    if text.is_empty() {
        pane.filter = None;
        return;
    }
    let filter = PaneFilter::new(text);
    let error = filter.error.clone();
    pane.filter = Some(filter);
    if let Some(e) = error {
        toast(state, ToastLevel::Error, e);
    }
}
