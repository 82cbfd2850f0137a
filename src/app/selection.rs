//! Which endpoint and deployment are selected and which panel has the focus, kept valid as
//! the lists change; a new endpoint brings its metrics and log panes along.

use super::log_actions;
use super::msg::Cmd;
use super::refresh;
use super::state::{AppState, Focus, SliderMode};

/// Moves the selection of the focused list by `delta` rows, clamped to the list.
pub(super) fn move_by(state: &mut AppState, delta: i64) -> Vec<Cmd> {
    let before = state.selected_endpoint().map(|e| e.name.clone());
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
            let previous = state.ui.selected_endpoint;
            state.ui.selected_endpoint = step(previous, len);
            if state.ui.selected_endpoint != previous {
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
    if state.selected_endpoint().map(|e| e.name.clone()) != before {
        state.logs.page = 0;
        // Another endpoint: its sliders start on live traffic, whatever the last one showed.
        state.ui.slider_mode = SliderMode::Live;
        return follow_selected_endpoint(state);
    }
    Vec::new()
}

/// Endpoints → deployments → each log pane → endpoints (`forward`), or back.
pub(super) fn cycle_focus(state: &mut AppState, forward: bool) {
    let mut ring = vec![Focus::Endpoints, Focus::Deployments];
    ring.extend((0..state.logs.panes.len()).map(Focus::Logs));
    let at = ring.iter().position(|f| *f == state.ui.focus).unwrap_or(0);
    let step = if forward { 1 } else { ring.len() - 1 };
    state.ui.focus = ring[(at + step) % ring.len()];
}

/// Keeps both selections inside their lists after the lists changed.
pub(super) fn clamp(state: &mut AppState) {
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

/// Puts the selection back on the endpoint and deployment of these names, wherever a reload
/// moved them.
pub(super) fn keep_on(state: &mut AppState, endpoint: Option<String>, deployment: Option<String>) {
    if let Some(name) = endpoint
        && let Some(i) = state
            .visible_endpoints()
            .iter()
            .position(|e| e.name == name)
    {
        state.ui.selected_endpoint = i;
    }
    clamp(state);
    if let (Some(name), Some(ep)) = (
        deployment,
        state.selected_endpoint().map(|e| e.name.clone()),
    ) && let Some(i) = state
        .azure
        .deployments_of(&ep)
        .iter()
        .position(|d| d.name == name)
    {
        state.ui.selected_deployment = i;
    }
    clamp(state);
}

/// What a changed endpoint selection (a filter, a reload) brings: a fresh read of it (its
/// deployments and their health) and its log panes.
pub(super) fn follow_selected_endpoint(state: &mut AppState) -> Vec<Cmd> {
    let mut cmds = refresh::read_new_selection(state);
    cmds.extend(log_actions::sync_panes(state));
    cmds
}
