//! Building console states for tests: real `update()` fed with real messages.
#![allow(dead_code)]
// Test support: a panic is how a failed setup reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aml_rollout::app::ids::{RequestId, TailerId};
use aml_rollout::app::msg::LoadedWorkspace;
use aml_rollout::app::state::{AppOptions, DeploymentView, EndpointView, TargetLabel};
use aml_rollout::app::{AppState, Cmd, Msg, update};
use aml_rollout::azure::model::ContainerType;
use aml_rollout::ops::{DeploymentState, EndpointHealth};
use aml_rollout::rollout::{HealthSeries, Percentile, StatusClass, default_baseline};
use aml_rollout::rollout::{QuotaCheck, QuotaFigures, TrafficSplit, parse_traffic};
use chrono::{DateTime, Utc};
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
        health: Default::default(),
        target_mark: None,
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
        modified: None,
        plan: None,
    }
}

pub(crate) fn deployment(name: &str, instances: u32) -> DeploymentView {
    DeploymentView {
        name: name.to_string(),
        state: "Succeeded".to_string(),
        instance_type: "Standard_DS3_v2".to_string(),
        instances,
        model: Some(format!("azureml:{name}:1")),
        max_concurrent_requests: Some(1),
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

/// Figures of a change that fits: 8 more cores of 92 free.
pub(crate) fn quota_that_fits() -> QuotaCheck {
    QuotaCheck::Known(QuotaFigures {
        family_label: "Standard DSv2 Family".into(),
        needed: 16,
        held_now: 8,
        free: 92,
        fits: true,
    })
}

/// What the operator does in a scale or create dialog: the first enter asked for the quota
/// check (`cmds`); the figures come and fit; enter again sends.
pub(crate) fn pass_quota(state: &mut AppState, cmds: Vec<Cmd>) -> Vec<Cmd> {
    let [Cmd::CheckQuota { request, .. }] = &cmds[..] else {
        panic!("expected a quota check first: {cmds:?}")
    };
    feed(
        state,
        [Msg::QuotaChecked {
            request: *request,
            result: Ok(quota_that_fits()),
        }],
    );
    feed(state, [key(KeyCode::Enter)])
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

/// A fixed moment for health data, 40 s into a minute: ages on screen do not follow the clock.
pub(crate) fn health_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T12:00:40Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// One deployment's traffic for [`health`]: its live share, and what it served in each
/// minute: requests, how many of them failed with 5xx, and the p95.
pub(crate) struct Served {
    pub name: &'static str,
    pub live: u32,
    pub per_minute: u64,
    pub failed: u64,
    pub p95_ms: f64,
}

/// An endpoint's health refresh as the worker sends it: every deployment served the same
/// each minute of the `minutes` complete minutes before `at`.
pub(crate) fn health(
    endpoint: &str,
    at: DateTime<Utc>,
    served: &[Served],
    minutes: i64,
) -> EndpointHealth {
    let mut series = HealthSeries::default();
    let this_minute = at - chrono::Duration::seconds(at.timestamp().rem_euclid(60));
    for s in served {
        for back in 1..=minutes {
            let minute = this_minute - chrono::Duration::minutes(back);
            series.add_requests(s.name, minute, StatusClass::Fine, s.per_minute - s.failed);
            series.add_requests(s.name, minute, StatusClass::ServerError, s.failed);
            series.set_latency(s.name, minute, Percentile::P95, s.p95_ms);
        }
    }
    let live = served
        .iter()
        .map(|s| (s.name.to_string(), s.live))
        .collect();
    EndpointHealth {
        endpoint: endpoint.to_string(),
        observed_at: at,
        deployments: served
            .iter()
            .map(|s| DeploymentState {
                name: s.name.to_string(),
                live_traffic: s.live,
                mirror_traffic: 0,
                instances: Some(1),
                state: Some("Succeeded".into()),
            })
            .collect(),
        series,
        last_change: None,
        baseline: default_baseline(&live),
    }
}

/// Feeds a health refresh as the newest answer, with the console's clock at its time.
pub(crate) fn show_health(state: &mut AppState, health: EndpointHealth) {
    state.clock = health.observed_at.with_timezone(&chrono::Local);
    let endpoint = health.endpoint.clone();
    feed(
        state,
        [Msg::MetricsLoaded {
            request: RequestId(u64::MAX),
            endpoint,
            result: Ok(Box::new(health)),
        }],
    );
}

/// The demo's rollout going wrong: blue serves 1200 a minute cleanly, green 400 with 30% 5xx.
pub(crate) fn green_failing(state: &mut AppState) {
    let served = [
        Served {
            name: "blue",
            live: 75,
            per_minute: 1200,
            failed: 0,
            p95_ms: 40.0,
        },
        Served {
            name: "green",
            live: 25,
            per_minute: 400,
            failed: 120,
            p95_ms: 52.0,
        },
    ];
    show_health(state, health("my-endpoint", health_time(), &served, 6));
}
/// The next periodic reads answered with `workspace`, as the worker would: the endpoint
/// list, and the selected endpoint with its deployments.
pub(crate) fn reload(state: &mut AppState, workspace: Vec<(EndpointView, Vec<DeploymentView>)>) {
    let later = state.now + Duration::from_secs(60);
    let cmds = update(state, Msg::Tick(later));
    let list = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::RefreshEndpoints { request } => Some(*request),
            _ => None,
        })
        .expect("a tick after the list's interval reads the endpoint list");
    let selected = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::RefreshEndpoint { request, endpoint } => Some((*request, endpoint.clone())),
            _ => None,
        })
        .expect("a tick after the selected endpoint's interval reads it");
    let endpoints = workspace.iter().map(|(e, _)| e.clone()).collect();
    update(
        state,
        Msg::EndpointsLoaded {
            request: list,
            result: Ok(endpoints),
        },
    );
    let (request, endpoint) = selected;
    let read = workspace
        .into_iter()
        .find(|(e, _)| e.name.eq_ignore_ascii_case(&endpoint))
        .map(|(e, d)| (Box::new(e), d));
    update(
        state,
        Msg::EndpointLoaded {
            request,
            endpoint,
            result: Ok(read),
        },
    );
}

/// Answers every read in `cmds` (a full refresh, the endpoint list, one endpoint) with
/// `workspace`, as the worker would.
pub(crate) fn answer_reads(
    state: &mut AppState,
    cmds: &[Cmd],
    workspace: Vec<(EndpointView, Vec<DeploymentView>)>,
) {
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Cmd::Refresh { .. } | Cmd::RefreshEndpoints { .. } | Cmd::RefreshEndpoint { .. }
        )),
        "no read among {cmds:?}"
    );
    for cmd in cmds {
        let msg = match cmd {
            Cmd::Refresh { request } => Msg::Loaded {
                request: *request,
                result: Ok(LoadedWorkspace {
                    endpoints: workspace.iter().map(|(e, _)| e.clone()).collect(),
                    deployments: workspace
                        .iter()
                        .map(|(e, d)| (e.name.clone(), d.clone()))
                        .collect(),
                }),
            },
            Cmd::RefreshEndpoints { request } => Msg::EndpointsLoaded {
                request: *request,
                result: Ok(workspace.iter().map(|(e, _)| e.clone()).collect()),
            },
            Cmd::RefreshEndpoint { request, endpoint } => Msg::EndpointLoaded {
                request: *request,
                endpoint: endpoint.clone(),
                result: Ok(workspace
                    .iter()
                    .find(|(e, _)| e.name.eq_ignore_ascii_case(endpoint))
                    .map(|(e, d)| (Box::new(e.clone()), d.clone()))),
            },
            _ => continue,
        };
        update(state, msg);
    }
}

/// The tails a batch of commands starts: (tailer, deployment, container, lines).
pub(crate) fn tailers(cmds: &[Cmd]) -> Vec<(TailerId, String, ContainerType, u32)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::StartTail {
                tailer,
                deployment,
                container,
                tail,
                ..
            } => Some((*tailer, deployment.clone(), *container, *tail)),
            _ => None,
        })
        .collect()
}

/// The tails a batch of commands stops.
pub(crate) fn stopped(cmds: &[Cmd]) -> Vec<TailerId> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::StopTail { tailer } => Some(*tailer),
            _ => None,
        })
        .collect()
}

/// `range` access-log lines of a deployment, every seventh a 500.
pub(crate) fn access_log(range: std::ops::Range<u32>, deployment: &str) -> String {
    range
        .map(|i| format!("2026-11-22T12:00:{:02}.000Z POST /score {} 12.0ms x-request-id=r{i} deployment={deployment}", i % 60, if i % 7 == 0 { 500 } else { 200 }))
        .collect::<Vec<_>>()
        .join("\n")
}
