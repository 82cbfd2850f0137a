//! Reads landing in the snapshot: the whole workspace, the endpoint list alone, or one endpoint
//! with its deployments. Reads overlap (a list asked for before a selected endpoint's read may
//! answer after it), so per endpoint the data of the newest read wins, whatever arrives last.
//! Then what depends on the data follows: drafts on a new base, drift, the selection, the panes.

use std::collections::BTreeMap;

use super::drafts::{describe_split, follow_new_bases};
use super::effects::toast;
use super::ids::RequestId;
use super::log_actions;
use super::msg::{Cmd, EndpointRead, LoadedWorkspace};
use super::selection;
use super::state::{AppState, DeploymentView, EndpointView, ToastLevel};
use crate::logstream::sanitize_inline;
use crate::ops::OpsError;

/// The answer to a full refresh.
pub(super) fn on_loaded(
    state: &mut AppState,
    request: RequestId,
    result: Result<LoadedWorkspace, OpsError>,
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
            failed(state, &e);
            return Vec::new();
        }
    };
    let selected = selected_names(state);
    let mut deployments: BTreeMap<String, Vec<DeploymentView>> = loaded
        .deployments
        .into_iter()
        .map(|(ep, ds)| (ep.to_lowercase(), ds))
        .collect();
    merge_list(state, request, loaded.endpoints);
    for ep in state.azure.endpoints.clone() {
        let key = ep.name.to_lowercase();
        if let Some(ds) = deployments.remove(&key)
            && newest(state, &key, request)
        {
            put_deployments(state, &key, ds);
        }
    }
    state.azure.loaded = true;
    after_reads(state, selected);
    selection::follow_selected_endpoint(state)
}

/// The answer to a read of the endpoint list.
pub(super) fn on_endpoints_loaded(
    state: &mut AppState,
    request: RequestId,
    result: Result<Vec<EndpointView>, OpsError>,
) -> Vec<Cmd> {
    if state.requests.awaited_endpoints == Some(request) {
        state.requests.awaited_endpoints = None;
    }
    let endpoints = match result {
        Ok(list) => list,
        Err(e) => {
            failed(state, &e);
            return Vec::new();
        }
    };
    let selected = selected_names(state);
    let before = state.selected_endpoint().map(|e| e.name.to_lowercase());
    merge_list(state, request, endpoints);
    after_reads(state, selected);
    // The selected endpoint was deleted: the selection moved to another, which needs its
    // own fresh read.
    if state.selected_endpoint().map(|e| e.name.to_lowercase()) != before {
        selection::follow_selected_endpoint(state)
    } else {
        log_actions::sync_panes(state)
    }
}

/// The answer to a read of one endpoint and its deployments (`None`: it no longer exists).
pub(super) fn on_endpoint_loaded(
    state: &mut AppState,
    request: RequestId,
    endpoint: &str,
    result: Result<EndpointRead, OpsError>,
) -> Vec<Cmd> {
    if state.requests.awaited_selected == Some(request) {
        state.requests.awaited_selected = None;
    }
    let key = endpoint.to_lowercase();
    let read = match result {
        Ok(read) => read,
        Err(e) => {
            failed(state, &e);
            return Vec::new();
        }
    };
    if !newest(state, &key, request) {
        return Vec::new();
    }
    state.requests.endpoint_read.insert(key.clone(), request);
    let selected = selected_names(state);
    let before = state.selected_endpoint().map(|e| e.name.to_lowercase());
    match read {
        None => {
            state
                .azure
                .endpoints
                .retain(|e| !e.name.eq_ignore_ascii_case(&key));
            state.azure.deployments.remove(&key);
        }
        Some((view, deployments)) => {
            match state
                .azure
                .endpoints
                .iter_mut()
                .find(|e| e.name.eq_ignore_ascii_case(&key))
            {
                Some(shown) => *shown = *view,
                None => {
                    state.azure.endpoints.push(*view);
                    state.azure.endpoints.sort_by(|a, b| a.name.cmp(&b.name));
                }
            }
            put_deployments(state, &key, deployments);
        }
    }
    after_reads(state, selected);
    if state.selected_endpoint().map(|e| e.name.to_lowercase()) != before {
        selection::follow_selected_endpoint(state)
    } else {
        log_actions::sync_panes(state)
    }
}

/// A read failed: said once (the title keeps saying it), and what was shown stays.
fn failed(state: &mut AppState, error: &OpsError) {
    let e = sanitize_inline(&error.to_string());
    let first_failure = state.azure.last_error.is_none();
    state.azure.last_error = Some(e.clone());
    // Throttling has its own line in the status bar, counting down.
    if first_failure && error.kind() != Some(crate::azure::FailureKind::Throttled) {
        toast(state, ToastLevel::Error, format!("refresh failed: {e}"));
    }
}

/// True unless a newer read of this endpoint is already shown.
fn newest(state: &AppState, key: &str, request: RequestId) -> bool {
    state
        .requests
        .endpoint_read
        .get(key)
        .is_none_or(|shown| *shown <= request)
}

fn selected_names(state: &AppState) -> (Option<String>, Option<String>) {
    (
        state.selected_endpoint().map(|e| e.name.clone()),
        state.selected_deployment().map(|d| d.name.clone()),
    )
}

/// A complete endpoint list read by `request`: each endpoint's view unless a newer read of it
/// is shown; an endpoint missing from it is gone, unless read (created) since.
fn merge_list(state: &mut AppState, request: RequestId, mut list: Vec<EndpointView>) {
    list.retain(|e| newest(state, &e.name.to_lowercase(), request));
    let kept: Vec<EndpointView> = state
        .azure
        .endpoints
        .iter()
        .filter(|e| !newest(state, &e.name.to_lowercase(), request))
        .cloned()
        .collect();
    for view in &list {
        state
            .requests
            .endpoint_read
            .insert(view.name.to_lowercase(), request);
    }
    list.extend(kept);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    let names: std::collections::HashSet<String> =
        list.iter().map(|e| e.name.to_lowercase()).collect();
    state.azure.deployments.retain(|key, _| names.contains(key));
    state.azure.endpoints = list;
}

/// An endpoint's deployments as read, each keeping the metrics it had until new ones come.
fn put_deployments(state: &mut AppState, key: &str, mut deployments: Vec<DeploymentView>) {
    deployments.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(old) = state.azure.deployments.get(key) {
        for d in &mut deployments {
            if d.metrics.is_none() {
                d.metrics = old
                    .iter()
                    .find(|o| o.name == d.name)
                    .and_then(|o| o.metrics.clone());
            }
        }
    }
    state.azure.deployments.insert(key.to_string(), deployments);
}

/// What follows any read: the connection is back, new endpoints get a known-good split,
/// drafts follow a colleague's change, drift is told, the selection stays where it was.
fn after_reads(state: &mut AppState, (endpoint, deployment): (Option<String>, Option<String>)) {
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
    follow_new_bases(state);
    tell_drift(state);
    selection::keep_on(state, endpoint, deployment);
}

/// Once per drift: an endpoint whose split is no longer the one this console applied.
fn tell_drift(state: &mut AppState) {
    let mut told = Vec::new();
    for ep in &state.azure.endpoints {
        let key = ep.name.to_lowercase();
        let drifted = state.drifted(&ep.name);
        let Some(applied) = state.ui.applied_here.get_mut(&key) else {
            continue;
        };
        if !drifted {
            applied.drift_told = false;
        } else if !applied.drift_told {
            applied.drift_told = true;
            told.push(format!(
                "{}: traffic changed elsewhere since you applied {} at {}: now {}{}",
                ep.name,
                describe_split(&applied.split),
                applied.at,
                describe_split(&ep.split),
                ep.modified
                    .as_deref()
                    .map(|m| format!(" (last modified {m})"))
                    .unwrap_or_default()
            ));
        }
    }
    for text in told {
        toast(state, ToastLevel::Error, text);
    }
}
