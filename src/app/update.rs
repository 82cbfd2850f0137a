//! `update(&mut AppState, Msg) -> Vec<Cmd>`: every behaviour of the console, synchronous and
//! free of I/O, so that it can be driven by messages in tests.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

use super::drafts::{
    APPLYING, nudge, on_stale, open_apply_confirmation, start_draft, violations_of,
};
use super::ids::{OpId, RequestId};
use super::keymap::{Action, action_for};
use super::log_actions;
use super::msg::{Cmd, LoadedWorkspace, Msg};
use super::state::{
    AppState, DeleteFocus, DeleteTarget, Dialog, FINISHED_OPERATION_TTL, Focus, InvokeRouting,
    OperationKind, OperationView, Prompt, SliderMode, TOAST_TTL, Toast, ToastLevel,
};
use crate::logstream::sanitize_inline;
use crate::rollout::{
    MAX_INSTANCES, MIN_INSTANCES, TrafficMap, TrafficSplit, check_instance_count, format_traffic,
    parse_traffic,
};

const MAX_TOASTS: usize = 5;

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => {
            for c in text.chars().filter(|c| !c.is_control()) {
                on_text_input(state, InputRequest::InsertChar(c));
            }
            Vec::new()
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => on_tick(state, now),
        Msg::Loaded { request, result } => on_loaded(state, request, result),
        Msg::MetricsLoaded {
            request,
            endpoint,
            result,
        } => {
            // An older answer landing after a newer one would show older numbers.
            let newest = state
                .requests
                .metrics_applied
                .entry(endpoint.to_lowercase())
                .or_default();
            if request < *newest {
                return Vec::new();
            }
            *newest = request;
            let metrics = match result {
                Ok(metrics) => {
                    state.azure.metrics_errors.remove(&endpoint.to_lowercase());
                    metrics
                }
                Err(error) => {
                    // Shown as unavailable with the reason, never as zeros.
                    state
                        .azure
                        .metrics_errors
                        .insert(endpoint.to_lowercase(), sanitize_inline(&error.to_string()));
                    Vec::new()
                }
            };
            if let Some(list) = state.azure.deployments.get_mut(&endpoint.to_lowercase()) {
                for d in list.iter_mut() {
                    d.metrics = metrics
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(&d.name))
                        .map(|(_, m)| *m);
                }
            }
            Vec::new()
        }
        Msg::OperationProgress { op, state: s } => {
            if let Some(o) = state.ui.operations.iter_mut().find(|o| o.id == op)
                && o.outcome.is_none()
            {
                o.state = s;
            }
            Vec::new()
        }
        Msg::OperationFinished { op, outcome } => on_operation_finished(state, op, outcome),
        Msg::SplitStale {
            op,
            endpoint,
            theirs,
        } => on_stale(state, op, endpoint, theirs),
        Msg::InvokeFinished { request, outcome } => {
            if state.requests.awaited_invoke == Some(request)
                && let Some(Dialog::Invoke {
                    running,
                    outcome: slot,
                    ..
                }) = &mut state.ui.dialog
            {
                *running = false;
                *slot = Some(outcome.map_err(|e| sanitize_inline(&e.to_string())));
            }
            Vec::new()
        }
        Msg::KeysLoaded {
            request,
            endpoint,
            result,
        } => {
            // A slower, older read must not overwrite the keys a regeneration just returned.
            if state.requests.awaited_keys != Some(request) {
                return Vec::new();
            }
            let result = result.map_err(|e| sanitize_inline(&e.to_string()));
            if let Some(Dialog::Keys {
                endpoint: open,
                info,
                ..
            }) = &mut state.ui.dialog
                && open.eq_ignore_ascii_case(&endpoint)
            {
                *info = Some(result);
            }
            Vec::new()
        }
        Msg::Warning(text) => {
            toast(state, ToastLevel::Error, text);
            Vec::new()
        }
        Msg::Info(text) => {
            toast(state, ToastLevel::Info, text);
            Vec::new()
        }
        Msg::LogWindow { tailer, content } => {
            log_actions::on_window(state, tailer, &content);
            Vec::new()
        }
        Msg::LogError {
            tailer,
            error,
            retry_in_secs,
        } => {
            log_actions::on_error(
                state,
                tailer,
                sanitize_inline(&error.to_string()),
                retry_in_secs,
            );
            Vec::new()
        }
        Msg::JournalLoaded { request, result } => {
            if state.requests.awaited_journal != Some(request) {
                return Vec::new();
            }
            let result = result.map_err(|e| sanitize_inline(&e.to_string()));
            if let Some(Dialog::Journal { lines, .. }) = &mut state.ui.dialog {
                *lines = Some(result);
            }
            Vec::new()
        }
    }
}

pub fn toast(state: &mut AppState, level: ToastLevel, text: impl Into<String>) {
    state.ui.toasts.push_back(Toast {
        level,
        text: text.into(),
        shown_at: state.now,
    });
    while state.ui.toasts.len() > MAX_TOASTS {
        state.ui.toasts.pop_front();
    }
}

pub(super) fn refuse_read_only(state: &mut AppState, what: &str) -> bool {
    if state.options.read_only {
        toast(
            state,
            ToastLevel::Error,
            format!("read-only: {what} is disabled (started with --read-only)"),
        );
        true
    } else {
        false
    }
}

/// Asks the worker for a fresh snapshot; older answers will be recognised as stale.
pub fn request_refresh(state: &mut AppState) -> Vec<Cmd> {
    let request = state.requests.request();
    state.requests.awaited_refresh = Some(request);
    state.requests.last_refresh_at = Some(state.now);
    vec![Cmd::Refresh { request }]
}

fn on_tick(state: &mut AppState, now: std::time::Instant) -> Vec<Cmd> {
    state.now = now;
    state
        .ui
        .toasts
        .retain(|t| now.saturating_duration_since(t.shown_at) < TOAST_TTL);
    state.ui.operations.retain(|o| {
        o.finished_at
            .is_none_or(|f| now.saturating_duration_since(f) < FINISHED_OPERATION_TTL)
    });
    let due = state
        .requests
        .last_refresh_at
        .is_none_or(|last| now.saturating_duration_since(last) >= state.options.refresh_interval);
    if due && state.requests.awaited_refresh.is_none() {
        request_refresh(state)
    } else if due {
        // A refresh that never answered must not block the next one forever.
        let stuck = state.requests.last_refresh_at.is_some_and(|last| {
            now.saturating_duration_since(last) >= state.options.refresh_interval * 4
        });
        if stuck {
            request_refresh(state)
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    }
}

fn on_loaded(
    state: &mut AppState,
    request: RequestId,
    result: Result<LoadedWorkspace, crate::ops::OpsError>,
) -> Vec<Cmd> {
    if state.requests.awaited_refresh != Some(request)
        || request < state.requests.latest_refresh_applied
    {
        return Vec::new();
    }
    state.requests.awaited_refresh = None;
    state.requests.latest_refresh_applied = request;
    let loaded = match result {
        Ok(l) => l,
        Err(e) => {
            let e = sanitize_inline(&e.to_string());
            let first_failure = state.azure.last_error.is_none();
            state.azure.last_error = Some(e.clone());
            if first_failure {
                toast(state, ToastLevel::Error, format!("refresh failed: {e}"));
            }
            return Vec::new();
        }
    };
    let selected_endpoint = state.selected_endpoint().map(|e| e.name.clone());
    let selected_deployment = state.selected_deployment().map(|d| d.name.clone());
    let old_metrics: BTreeMap<(String, String), _> = state
        .azure
        .deployments
        .iter()
        .flat_map(|(ep, ds)| {
            ds.iter()
                .map(move |d| ((ep.clone(), d.name.clone()), d.metrics))
        })
        .collect();

    state.azure.endpoints = loaded.endpoints;
    state.azure.endpoints.sort_by(|a, b| a.name.cmp(&b.name));
    state.azure.deployments = loaded
        .deployments
        .into_iter()
        .map(|(ep, mut ds)| {
            let key = ep.to_lowercase();
            ds.sort_by(|a, b| a.name.cmp(&b.name));
            for d in &mut ds {
                if d.metrics.is_none() {
                    d.metrics = old_metrics
                        .get(&(key.clone(), d.name.clone()))
                        .copied()
                        .flatten();
                }
            }
            (key, ds)
        })
        .collect();
    state.azure.loaded = true;
    if state.azure.last_error.take().is_some() {
        toast(state, ToastLevel::Info, "connection restored");
    }
    for ep in &state.azure.endpoints {
        state
            .ui
            .known_good
            .entry(ep.name.to_lowercase())
            .or_insert_with(|| ep.split.clone());
    }
    // Keep the selection on the same names, wherever they moved.
    if let Some(name) = selected_endpoint
        && let Some(i) = state
            .visible_endpoints()
            .iter()
            .position(|e| e.name == name)
    {
        state.ui.selected_endpoint = i;
    }
    clamp_selection(state);
    if let (Some(name), Some(ep)) = (
        selected_deployment,
        state.selected_endpoint().map(|e| e.name.clone()),
    ) && let Some(i) = state
        .azure
        .deployments_of(&ep)
        .iter()
        .position(|d| d.name == name)
    {
        state.ui.selected_deployment = i;
    }
    clamp_selection(state);
    let mut cmds = metrics_for_selected(state);
    cmds.extend(log_actions::sync_panes(state));
    cmds
}

fn metrics_for_selected(state: &mut AppState) -> Vec<Cmd> {
    match state.selected_endpoint() {
        Some(ep) => {
            let deployments: Vec<String> = state
                .azure
                .deployments_of(&ep.name)
                .iter()
                .map(|d| d.name.clone())
                .collect();
            if deployments.is_empty() {
                Vec::new()
            } else {
                let endpoint = ep.name.clone();
                vec![Cmd::LoadMetrics {
                    request: state.requests.request(),
                    endpoint,
                    deployments,
                }]
            }
        }
        None => Vec::new(),
    }
}

fn clamp_selection(state: &mut AppState) {
    let endpoints = state.visible_endpoints().len();
    state.ui.selected_endpoint = state.ui.selected_endpoint.min(endpoints.saturating_sub(1));
    let deployments = state
        .selected_endpoint()
        .map(|e| state.azure.deployments_of(&e.name).len())
        .unwrap_or(0);
    state.ui.selected_deployment = state
        .ui
        .selected_deployment
        .min(deployments.saturating_sub(1));
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Cmd> {
    if state.ui.show_help {
        match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
                state.ui.show_help = false;
                state.ui.help_scroll = 0;
            }
            KeyCode::Down | KeyCode::Char('j') => state.ui.help_scroll += 1,
            KeyCode::Up | KeyCode::Char('k') => {
                state.ui.help_scroll = state.ui.help_scroll.saturating_sub(1);
            }
            _ => {}
        }
        return Vec::new();
    }
    if state.ui.prompt.is_some() {
        return on_prompt_key(state, key);
    }
    if state.ui.dialog.is_some() {
        return super::dialog_keys::on_dialog_key(state, key);
    }
    match action_for(state.ui.focus, &key) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

fn on_action(state: &mut AppState, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => {
            let drafts = state.ui.drafts.len();
            let running = state.running_operations();
            if drafts > 0 || running > 0 {
                let mut parts = Vec::new();
                if drafts > 0 {
                    parts.push(format!("{drafts} unapplied draft(s) will be lost"));
                }
                if running > 0 {
                    parts.push(format!(
                        "{running} operation(s) are still running on Azure (they will finish without you)"
                    ));
                }
                state.ui.dialog = Some(Dialog::ConfirmQuit {
                    reason: parts.join("; "),
                });
            } else {
                state.ui.quit = true;
            }
            Vec::new()
        }
        Action::Help => {
            state.ui.show_help = true;
            Vec::new()
        }
        Action::FocusNext | Action::FocusPrev => {
            // Endpoints → deployments → each log pane → endpoints (and back for shift-tab).
            let mut ring = vec![Focus::Endpoints, Focus::Deployments];
            ring.extend((0..state.logs.panes.len()).map(Focus::Logs));
            let at = ring.iter().position(|f| *f == state.ui.focus).unwrap_or(0);
            let step = if action == Action::FocusNext {
                1
            } else {
                ring.len() - 1
            };
            state.ui.focus = ring[(at + step) % ring.len()];
            Vec::new()
        }
        Action::ToggleLogs
        | Action::LogFollow
        | Action::LogUp
        | Action::LogDown
        | Action::LogPageUp
        | Action::LogPageDown
        | Action::LogTop
        | Action::LogBottom
        | Action::LogMaximize
        | Action::LogContainer
        | Action::LogTimestamps
        | Action::LogWrap
        | Action::LogTail(_)
        | Action::LogFilter
        | Action::LogNextMatch
        | Action::LogPrevMatch
        | Action::LogFilterAll
        | Action::LogSave
        | Action::LogPagePrev
        | Action::LogPageNext => log_actions::on_action(state, action),
        Action::Refresh => {
            toast(state, ToastLevel::Info, "refreshing…");
            request_refresh(state)
        }
        Action::CommandBar => {
            state.ui.prompt = Some(Prompt::Command {
                input: Input::default(),
                error: None,
            });
            Vec::new()
        }
        Action::Filter => {
            state.ui.prompt = Some(Prompt::Filter {
                input: Input::new(state.ui.filter.clone()),
            });
            Vec::new()
        }
        Action::Journal => {
            state.ui.dialog = Some(Dialog::Journal {
                lines: None,
                scroll: 0,
            });
            let request = state.requests.request();
            state.requests.awaited_journal = Some(request);
            vec![Cmd::LoadJournal { request }]
        }
        Action::CreateEndpoint => {
            if refuse_read_only(state, "creating an endpoint") {
                return Vec::new();
            }
            state.ui.dialog = Some(Dialog::CreateFromFile {
                endpoint: None,
                input: path_input(&state.options.default_endpoint_file),
                error: None,
            });
            Vec::new()
        }
        Action::Up | Action::Down => {
            let before = state.selected_endpoint().map(|e| e.name.clone());
            move_selection(state, if action == Action::Up { -1 } else { 1 });
            if state.selected_endpoint().map(|e| e.name.clone()) != before {
                state.logs.page = 0;
                let mut cmds = metrics_for_selected(state);
                cmds.extend(log_actions::sync_panes(state));
                return cmds;
            }
            Vec::new()
        }
        Action::Open => {
            state.ui.focus = Focus::Deployments;
            Vec::new()
        }
        Action::NudgeDown => nudge(state, -1),
        Action::NudgeUp => nudge(state, 1),
        Action::NudgeDownBig => nudge(state, -10),
        Action::NudgeUpBig => nudge(state, 10),
        Action::ToggleMirrorMode => {
            state.ui.slider_mode = match state.ui.slider_mode {
                SliderMode::Live => SliderMode::Mirror,
                SliderMode::Mirror => SliderMode::Live,
            };
            Vec::new()
        }
        Action::Apply => {
            open_apply_confirmation(state);
            Vec::new()
        }
        Action::Discard => {
            if let Some(ep) = state.selected_endpoint().map(|e| e.name.to_lowercase())
                && let Some(draft) = state.ui.drafts.get(&ep)
                && !draft.applying
            {
                state.ui.drafts.remove(&ep);
                toast(state, ToastLevel::Info, "draft discarded");
            }
            Vec::new()
        }
        Action::Undo => {
            if refuse_read_only(state, "undo") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            match state.ui.last_replaced.get(&ep.name.to_lowercase()).cloned() {
                Some(previous) => {
                    if start_draft(
                        state,
                        &ep.name,
                        ep.split.clone(),
                        previous,
                        "undo of the last applied change",
                    ) {
                        toast(state, ToastLevel::Info, "undo drafted: review with enter");
                    }
                }
                None => toast(
                    state,
                    ToastLevel::Info,
                    "nothing to undo on this endpoint yet",
                ),
            }
            Vec::new()
        }
        Action::DisableTraffic => {
            if refuse_read_only(state, "changing traffic") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            let current = state.shown_split(&ep);
            let base = state
                .draft_of(&ep.name)
                .map(|d| d.base.clone())
                .unwrap_or_else(|| ep.split.clone());
            let off = TrafficSplit {
                live: current.live.keys().map(|k| (k.clone(), 0)).collect(),
                mirror: current.mirror,
            };
            if start_draft(state, &ep.name, base, off, "all live traffic off (total 0)") {
                toast(
                    state,
                    ToastLevel::Info,
                    "traffic off drafted: review with enter",
                );
            }
            Vec::new()
        }
        Action::MarkGood => {
            if let Some(ep) = state.selected_endpoint().cloned() {
                state
                    .ui
                    .known_good
                    .insert(ep.name.to_lowercase(), ep.split.clone());
                toast(
                    state,
                    ToastLevel::Success,
                    format!("known-good for {}: {}", ep.name, describe_split(&ep.split)),
                );
            }
            Vec::new()
        }
        Action::RestoreGood => {
            if refuse_read_only(state, "restoring the known-good split") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            let Some(good) = state.ui.known_good.get(&ep.name.to_lowercase()).cloned() else {
                return Vec::new();
            };
            let target = TrafficSplit {
                live: good.live,
                mirror: TrafficMap::new(),
            };
            if start_draft(
                state,
                &ep.name,
                ep.split.clone(),
                target,
                "return to the known-good split, mirror off",
            ) {
                open_apply_confirmation(state);
            }
            Vec::new()
        }
        Action::Scale => {
            if refuse_read_only(state, "scaling") {
                return Vec::new();
            }
            let (Some(ep), Some(d)) = (
                state.selected_endpoint().cloned(),
                state.selected_deployment().cloned(),
            ) else {
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::Scale {
                endpoint: ep.name,
                deployment: d.name,
                input: Input::new(d.instances.to_string()),
                untouched: true,
                error: None,
            });
            Vec::new()
        }
        Action::Invoke => {
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            let deployment = (state.ui.focus == Focus::Deployments)
                .then(|| state.selected_deployment().map(|d| d.name.clone()))
                .flatten();
            let routing = if deployment.is_some() {
                InvokeRouting::Pinned
            } else {
                InvokeRouting::Endpoint
            };
            state.ui.dialog = Some(Dialog::Invoke {
                endpoint: ep.name,
                deployment,
                routing,
                input: path_input(&state.options.default_request_file),
                running: false,
                outcome: None,
            });
            Vec::new()
        }
        Action::CreateDeployment => {
            if refuse_read_only(state, "creating a deployment") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                toast(
                    state,
                    ToastLevel::Error,
                    "no endpoint selected: create one first (C)",
                );
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::CreateFromFile {
                endpoint: Some(ep.name),
                input: path_input(&state.options.default_deployment_file),
                error: None,
            });
            Vec::new()
        }
        Action::ShowKeys => {
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::Keys {
                endpoint: ep.name.clone(),
                info: None,
                revealed: false,
                confirm_regenerate: false,
            });
            let request = state.requests.request();
            state.requests.awaited_keys = Some(request);
            vec![Cmd::LoadKeys {
                request,
                endpoint: ep.name,
            }]
        }
        Action::Delete => {
            if refuse_read_only(state, "deleting") {
                return Vec::new();
            }
            open_delete(state);
            Vec::new()
        }
    }
}

fn path_input(path: &std::path::Path) -> Input {
    Input::new(path.display().to_string())
}

fn move_selection(state: &mut AppState, delta: i64) {
    let step = |current: usize, len: usize| -> usize {
        if len == 0 {
            0
        } else {
            (current as i64 + delta).clamp(0, len as i64 - 1) as usize
        }
    };
    match state.ui.focus {
        Focus::Endpoints => {
            let len = state.visible_endpoints().len();
            let before = state.ui.selected_endpoint;
            state.ui.selected_endpoint = step(before, len);
            if state.ui.selected_endpoint != before {
                state.ui.selected_deployment = 0;
            }
        }
        Focus::Deployments => {
            let len = state
                .selected_endpoint()
                .map(|e| state.azure.deployments_of(&e.name).len())
                .unwrap_or(0);
            state.ui.selected_deployment = step(state.ui.selected_deployment, len);
        }
        Focus::Logs(_) => {}
    }
}

pub(super) fn describe_split(split: &TrafficSplit) -> String {
    let live = format_traffic(&split.normalized().live);
    let mirror = format_traffic(&split.normalized().mirror);
    match (live.is_empty(), mirror.is_empty()) {
        (true, true) => "no traffic".to_string(),
        (false, true) => live,
        (true, false) => format!("no live traffic, mirror {mirror}"),
        (false, false) => format!("{live}, mirror {mirror}"),
    }
}

pub(super) fn start_operation(state: &mut AppState, kind: OperationKind, target: String) -> OpId {
    let id = state.requests.op();
    state.ui.operations.push(OperationView {
        id,
        kind,
        target,
        started: state.now,
        state: "Sending".to_string(),
        outcome: None,
        finished_at: None,
        split_change: None,
    });
    id
}

fn on_operation_finished(
    state: &mut AppState,
    op: OpId,
    outcome: Result<String, crate::ops::OpsError>,
) -> Vec<Cmd> {
    let outcome = outcome.map_err(|e| sanitize_inline(&e.to_string()));
    let Some(view) = state.ui.operations.iter_mut().find(|o| o.id == op) else {
        return Vec::new();
    };
    view.outcome = Some(outcome.clone());
    view.finished_at = Some(state.now);
    view.state = if outcome.is_ok() {
        "Succeeded"
    } else {
        "Failed"
    }
    .to_string();
    let view = view.clone();
    let mut cmds = Vec::new();
    match (&outcome, view.kind) {
        (Ok(_), OperationKind::Traffic) => {
            let key = view.target.to_lowercase();
            state.ui.drafts.remove(&key);
            if let Some((before, after)) = &view.split_change {
                state.ui.last_replaced.insert(key, before.clone());
                let marker = format!(
                    "-- traffic {} applied at {} --",
                    describe_split(after),
                    state.clock.format("%H:%M:%S")
                );
                log_actions::mark_all(state, &marker);
                toast(
                    state,
                    ToastLevel::Success,
                    format!("{}: traffic {} applied", view.target, describe_split(after)),
                );
            }
        }
        (Ok(message), _) => toast(state, ToastLevel::Success, message.clone()),
        (Err(message), kind) => {
            if kind == OperationKind::Traffic
                && let Some(d) = state.ui.drafts.get_mut(&view.target.to_lowercase())
            {
                d.applying = false;
            }
            let kept = if kind == OperationKind::Traffic {
                " Your draft is kept: fix and apply again, or esc to discard."
            } else {
                ""
            };
            if state.ui.dialog.is_some() {
                // Never replace what the operator is in the middle of (a half-typed delete, a
                // confirmation): the reason goes into the toast and the tray instead.
                toast(
                    state,
                    ToastLevel::Error,
                    format!("{} {} failed: {message}", kind.label(), view.target),
                );
            } else {
                toast(
                    state,
                    ToastLevel::Error,
                    format!("{} {} failed", kind.label(), view.target),
                );
                state.ui.dialog = Some(Dialog::Error {
                    title: format!("{} of {} failed", kind.label(), view.target),
                    message: format!("{message}{kept}"),
                });
            }
        }
    }
    cmds.extend(request_refresh(state));
    cmds
}

fn open_delete(state: &mut AppState) {
    let Some(ep) = state.selected_endpoint().cloned() else {
        return;
    };
    let target = match state.ui.focus {
        Focus::Endpoints => DeleteTarget {
            endpoint: ep.name.clone(),
            deployment: None,
        },
        _ => {
            let Some(d) = state.selected_deployment().cloned() else {
                return;
            };
            let live = ep.split.live_of(&d.name);
            if live > 0 {
                toast(
                    state,
                    ToastLevel::Error,
                    format!(
                        "{} takes {live}% of live traffic: move its traffic to 0% and apply before deleting it",
                        d.name
                    ),
                );
                return;
            }
            let mirror = ep.split.mirror_of(&d.name);
            if mirror > 0 {
                toast(
                    state,
                    ToastLevel::Error,
                    format!(
                        "{} receives {mirror}% mirror traffic: turn mirroring off (m, then ←) before deleting it",
                        d.name
                    ),
                );
                return;
            }
            DeleteTarget {
                endpoint: ep.name.clone(),
                deployment: Some(d.name),
            }
        }
    };
    state.ui.dialog = Some(Dialog::Delete {
        target,
        input: Input::default(),
        focus: DeleteFocus::Cancel,
        error: None,
    });
}

pub(super) fn on_text_input(state: &mut AppState, request: InputRequest) {
    if let Some(prompt) = &mut state.ui.prompt {
        match prompt {
            Prompt::Command { input, error } => {
                input.handle(request);
                *error = None;
            }
            Prompt::Filter { input } => {
                input.handle(request);
                state.ui.filter = input.value().to_string();
                state.ui.selected_endpoint = 0;
            }
            Prompt::LogFilter { input, .. } => {
                input.handle(request);
            }
        }
        return;
    }
    match &mut state.ui.dialog {
        Some(Dialog::Scale {
            input,
            untouched,
            error,
            ..
        }) => {
            // Like a selected field: typing replaces the current count, editing keys edit it.
            if *untouched && matches!(request, InputRequest::InsertChar(_)) {
                *input = Input::default();
            }
            *untouched = false;
            input.handle(request);
            *error = None;
        }
        Some(Dialog::CreateFromFile { input, error, .. }) => {
            input.handle(request);
            *error = None;
        }
        Some(Dialog::Delete {
            input,
            focus,
            error,
            ..
        }) => {
            *focus = DeleteFocus::Name;
            input.handle(request);
            *error = None;
        }
        Some(Dialog::Invoke {
            input,
            running: false,
            ..
        }) => {
            input.handle(request);
        }
        _ => {}
    }
}

/// Editing keys shared by every text field.
pub(super) fn input_request(key: &KeyEvent) -> Option<InputRequest> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('u') if ctrl => InputRequest::DeleteLine,
        KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
        KeyCode::Char('a') if ctrl => InputRequest::GoToStart,
        KeyCode::Char('e') if ctrl => InputRequest::GoToEnd,
        KeyCode::Char(c) if !ctrl => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return None,
    })
}

fn on_prompt_key(state: &mut AppState, key: KeyEvent) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => {
            let endpoint_filter = matches!(state.ui.prompt, Some(Prompt::Filter { .. }));
            if endpoint_filter {
                state.ui.filter.clear();
            }
            state.ui.prompt = None;
            clamp_selection(state);
            if endpoint_filter {
                log_actions::sync_panes(state)
            } else {
                Vec::new()
            }
        }
        KeyCode::Enter => match state.ui.prompt.take() {
            Some(Prompt::Filter { .. }) => {
                clamp_selection(state);
                let mut cmds = metrics_for_selected(state);
                cmds.extend(log_actions::sync_panes(state));
                cmds
            }
            Some(Prompt::LogFilter { pane, input }) => {
                log_actions::apply_filter(state, pane, input.value());
                Vec::new()
            }
            Some(Prompt::Command { input, .. }) => {
                let line = input.value().to_string();
                match run_command(state, &line) {
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
                on_text_input(state, request);
            }
            Vec::new()
        }
    }
}

/// `traffic blue=90 green=10`, `mirror green=10`, `scale blue 2`.
fn run_command(state: &mut AppState, line: &str) -> Result<Vec<Cmd>, String> {
    let line = line.trim();
    let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let usage = "commands: traffic blue=90 green=10 · mirror green=10 · scale blue 2";
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
            start_draft(state, &ep.name, base, proposed, &format!(": {line}"));
            open_apply_confirmation(state);
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
        "" => Err(usage.to_string()),
        other => Err(format!("unknown command {other:?}; {usage}")),
    }
}

pub(super) fn parse_instances(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) => check_instance_count(n),
        Err(_) => Err(format!(
            "instance count must be a whole number from {MIN_INSTANCES} to {MAX_INSTANCES}, got {:?}",
            text.trim()
        )),
    }
}

pub(super) fn scale(
    state: &mut AppState,
    endpoint: &str,
    deployment: &str,
    instances: u32,
) -> Vec<Cmd> {
    let target = format!("{endpoint}/{deployment}");
    let op = start_operation(state, OperationKind::Scale, target);
    vec![Cmd::Scale {
        op,
        endpoint: endpoint.to_string(),
        deployment: deployment.to_string(),
        instances,
    }]
}
