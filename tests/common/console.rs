//! Building console states for tests: real `update()` fed with real messages.
#![allow(dead_code)]
// Test support: a panic is how a failed setup reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aml_rollout::app::msg::LoadedWorkspace;
use aml_rollout::app::state::{AppOptions, DeploymentView, EndpointView, TargetLabel};
use aml_rollout::app::{AppState, Cmd, Msg, update};
use aml_rollout::rollout::{TrafficSplit, parse_traffic};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(crate) fn options() -> AppOptions {
    AppOptions {
        target: TargetLabel::Demo,
        read_only: false,
        refresh_interval: Duration::from_secs(5),
        default_request_file: PathBuf::from("assets/demo/sample-request.json"),
        default_deployment_file: PathBuf::from("assets/demo/green-deployment.yml"),
        default_endpoint_file: PathBuf::from("assets/demo/endpoint.yml"),
        no_color: true,
        log_buffer_lines: 1000,
    }
}

/// A map from az syntax; blank is the empty map here (the product refuses a blank split).
fn traffic(text: &str) -> aml_rollout::rollout::TrafficMap {
    if text.trim().is_empty() {
        Default::default()
    } else {
        parse_traffic(text).unwrap()
    }
}

pub(crate) fn endpoint(name: &str, live: &str, mirror: &str) -> EndpointView {
    EndpointView {
        name: name.to_string(),
        auth_mode: "Key".to_string(),
        kubernetes: false,
        state: "Succeeded".to_string(),
        split: TrafficSplit {
            live: traffic(live),
            mirror: traffic(mirror),
        },
        scoring_uri: Some(format!("http://127.0.0.1:1/inference/{name}/score")),
        swagger_uri: None,
    }
}

pub(crate) fn deployment(name: &str, instances: u32) -> DeploymentView {
    DeploymentView {
        name: name.to_string(),
        state: "Succeeded".to_string(),
        instance_type: "Standard_DS3_v2".to_string(),
        instances,
        model: Some(format!("azureml:{name}:1")),
        metrics: None,
    }
}

/// A console that has loaded `endpoints` (each with its deployments).
pub(crate) fn loaded_with(
    options: AppOptions,
    workspace: Vec<(EndpointView, Vec<DeploymentView>)>,
) -> AppState {
    let mut state = AppState::new(options, Instant::now());
    let now = state.now;
    let cmds = update(&mut state, Msg::Tick(now));
    let request = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Refresh { request } => Some(*request),
            _ => None,
        })
        .expect("the first tick refreshes");
    let deployments = workspace
        .iter()
        .map(|(e, ds)| (e.name.clone(), ds.clone()))
        .collect();
    let endpoints = workspace.into_iter().map(|(e, _)| e).collect();
    update(
        &mut state,
        Msg::Loaded {
            request,
            result: Ok(LoadedWorkspace {
                endpoints,
                deployments,
            }),
        },
    );
    state
}

/// The demo as the console first sees it: blue 100%, green created at 0%.
pub(crate) fn blue_green(live: &str, mirror: &str) -> AppState {
    loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", live, mirror),
            vec![deployment("blue", 1), deployment("green", 1)],
        )],
    )
}

pub(crate) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(crate) fn ch(c: char) -> Msg {
    let modifiers = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), modifiers))
}

pub(crate) fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Feeds messages, returning every command they produced.
pub(crate) fn feed(state: &mut AppState, msgs: impl IntoIterator<Item = Msg>) -> Vec<Cmd> {
    msgs.into_iter().flat_map(|m| update(state, m)).collect()
}

pub(crate) fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

pub(crate) fn split(live: &str, mirror: &str) -> TrafficSplit {
    TrafficSplit {
        live: traffic(live),
        mirror: traffic(mirror),
    }
}

/// The next periodic refresh answered with `workspace`, as the worker would.
pub(crate) fn reload(state: &mut AppState, workspace: Vec<(EndpointView, Vec<DeploymentView>)>) {
    let later = state.now + Duration::from_secs(60);
    let request = update(state, Msg::Tick(later))
        .iter()
        .find_map(|c| match c {
            Cmd::Refresh { request } => Some(*request),
            _ => None,
        })
        .expect("a tick after the refresh interval refreshes");
    let deployments = workspace
        .iter()
        .map(|(e, ds)| (e.name.clone(), ds.clone()))
        .collect();
    let endpoints = workspace.into_iter().map(|(e, _)| e).collect();
    update(
        state,
        Msg::Loaded {
            request,
            result: Ok(LoadedWorkspace {
                endpoints,
                deployments,
            }),
        },
    );
}
