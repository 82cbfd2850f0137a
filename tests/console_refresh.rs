//! What the console reads again, and when, driven through the real `update()`: the selected
//! endpoint every few seconds, the endpoint list every half minute, another endpoint's
//! deployments when it is selected, everything on `r`; older answers never put older data
//! back; nothing is asked while Azure says to wait, and the status bar says so.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::{Duration, Instant};

use aml_rollout::app::ids::RequestId;
use aml_rollout::app::msg::LoadedWorkspace;
use aml_rollout::app::state::{DeploymentView, EndpointView, Focus};
use aml_rollout::app::{AppState, Cmd, Msg, step, update};
use aml_rollout::ops::OpsError;
use common::console::*;

fn workspace(alpha: &str, beta: &str) -> Vec<(EndpointView, Vec<DeploymentView>)> {
    vec![
        (
            endpoint("alpha", alpha, ""),
            vec![deployment("blue", 1), deployment("green", 1)],
        ),
        (endpoint("beta", beta, ""), vec![deployment("blue", 2)]),
    ]
}

/// A console that has read `workspace` once, and answered the read of the selected endpoint
/// that follows.
fn started(ws: Vec<(EndpointView, Vec<DeploymentView>)>) -> AppState {
    let mut state = AppState::new(options(), Instant::now());
    let now = state.now;
    let request = match &update(&mut state, Msg::Tick(now))[..] {
        [Cmd::Refresh { request }] => *request,
        other => panic!("the first tick reads everything: {other:?}"),
    };
    let cmds = update(
        &mut state,
        Msg::Loaded {
            request,
            result: Ok(LoadedWorkspace {
                endpoints: ws.iter().map(|(e, _)| e.clone()).collect(),
                deployments: ws
                    .iter()
                    .map(|(e, d)| (e.name.clone(), d.clone()))
                    .collect(),
            }),
        },
    );
    let (request, name) = endpoint_read(&cmds).expect("the selected endpoint is read");
    assert_eq!(name, "alpha");
    answer(&mut state, request, &ws[0]);
    state
}

fn endpoint_read(cmds: &[Cmd]) -> Option<(RequestId, String)> {
    cmds.iter().find_map(|c| match c {
        Cmd::RefreshEndpoint { request, endpoint } => Some((*request, endpoint.clone())),
        _ => None,
    })
}

fn list_read(cmds: &[Cmd]) -> Option<RequestId> {
    cmds.iter().find_map(|c| match c {
        Cmd::RefreshEndpoints { request } => Some(*request),
        _ => None,
    })
}

fn answer(state: &mut AppState, request: RequestId, read: &(EndpointView, Vec<DeploymentView>)) {
    update(
        state,
        Msg::EndpointLoaded {
            request,
            endpoint: read.0.name.clone(),
            result: Ok(Some((Box::new(read.0.clone()), read.1.clone()))),
        },
    );
}

fn render_text(state: &mut AppState, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| aml_rollout::ui::render(state, f))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn at(state: &mut AppState, t: Instant) -> Vec<Cmd> {
    update(state, Msg::Tick(t))
}

#[test]
fn the_selected_endpoint_is_read_every_few_seconds_and_the_list_every_half_minute() {
    let ws = workspace("blue=100", "blue=100");
    let mut state = started(ws.clone());
    let t0 = state.now;
    assert!(at(&mut state, t0 + Duration::from_secs(1)).is_empty());
    let mut reads = 0;
    let mut lists = 0;
    // Two minutes, answering each read as the worker would.
    for second in 2..=120 {
        let cmds = at(&mut state, t0 + Duration::from_secs(second));
        assert!(
            !cmds.iter().any(|c| matches!(c, Cmd::Refresh { .. })),
            "no full refresh on a timer: {cmds:?}"
        );
        if let Some((request, name)) = endpoint_read(&cmds) {
            assert_eq!(name, "alpha", "only the selected endpoint is read");
            reads += 1;
            answer(&mut state, request, &ws[0]);
        }
        if let Some(request) = list_read(&cmds) {
            lists += 1;
            update(
                &mut state,
                Msg::EndpointsLoaded {
                    request,
                    result: Ok(ws.iter().map(|(e, _)| e.clone()).collect()),
                },
            );
        }
    }
    // Every 4 s (its data is never older than 5 s), and the list every 30 s.
    assert_eq!(reads, 119 / 4 + 1, "reads of the selected endpoint");
    assert_eq!(lists, 4, "reads of the endpoint list");
}

#[test]
fn selecting_an_endpoint_reads_it_at_once_and_older_answers_never_win() {
    let ws = workspace("blue=100", "blue=100");
    let mut state = started(ws.clone());
    let t0 = state.now;
    let cmds = at(&mut state, t0 + Duration::from_secs(31));
    let list = list_read(&cmds).expect("the list");
    let (alpha, _) = endpoint_read(&cmds).expect("alpha");
    answer(&mut state, alpha, &ws[0]);
    state.ui.focus = Focus::Endpoints;
    // Long after the last read: beta is read at once.
    at(&mut state, t0 + Duration::from_secs(33));
    let cmds = update(&mut state, ch('j'));
    let (request, name) = endpoint_read(&cmds).expect("beta is read when selected");
    assert_eq!(name, "beta");
    // beta as it is now: someone moved its traffic.
    let mut fresh = ws[1].clone();
    fresh.0 = endpoint("beta", "blue=50 green=50", "");
    fresh.1.push(deployment("green", 1));
    answer(&mut state, request, &fresh);
    assert_eq!(state.azure.deployments_of("beta").len(), 2);
    // The list asked for before the read answers after it: beta keeps the newer data.
    update(
        &mut state,
        Msg::EndpointsLoaded {
            request: list,
            result: Ok(ws.iter().map(|(e, _)| e.clone()).collect()),
        },
    );
    let beta = state.azure.endpoint("beta").unwrap();
    assert_eq!(beta.split.normalized(), split("blue=50 green=50", ""));
    // alpha's deployments are kept from its last read while beta is looked at.
    assert_eq!(state.azure.deployments_of("alpha").len(), 2);
}

#[test]
fn a_selection_still_moving_is_read_once_it_rests() {
    let ws = workspace("blue=100", "blue=100");
    let mut state = started(ws.clone());
    let t0 = state.now;
    state.ui.focus = Focus::Endpoints;
    // alpha was read a moment ago: moving on (and back, and on) asks nothing yet.
    for key in ['j', 'k', 'j'] {
        let cmds = update(&mut state, ch(key));
        assert!(endpoint_read(&cmds).is_none(), "{key}: {cmds:?}");
    }
    assert!(endpoint_read(&at(&mut state, t0 + Duration::from_millis(250))).is_none());
    let cmds = at(&mut state, t0 + Duration::from_millis(500));
    let (request, name) = endpoint_read(&cmds).expect("read once the selection rests");
    assert_eq!(name, "beta");
    answer(&mut state, request, &ws[1]);
    assert!(endpoint_read(&at(&mut state, t0 + Duration::from_millis(750))).is_none());
}

#[test]
fn an_endpoint_gone_from_the_list_or_its_read_leaves_the_table() {
    let ws = workspace("blue=100", "blue=100");
    let mut state = started(ws.clone());
    let t0 = state.now;
    let cmds = at(&mut state, t0 + Duration::from_secs(31));
    let list = list_read(&cmds).expect("the list");
    let (request, _) = endpoint_read(&cmds).expect("the selected endpoint");
    update(
        &mut state,
        Msg::EndpointsLoaded {
            request: list,
            result: Ok(vec![ws[0].0.clone()]),
        },
    );
    assert!(state.azure.endpoint("beta").is_none());
    assert!(state.azure.deployments_of("beta").is_empty());
    update(
        &mut state,
        Msg::EndpointLoaded {
            request,
            endpoint: "alpha".into(),
            result: Ok(None),
        },
    );
    assert!(state.azure.endpoints.is_empty());
}

#[test]
fn r_reads_everything_and_a_stale_or_failed_answer_keeps_what_is_shown() {
    let mut state = started(workspace("blue=100", "blue=100"));
    let old = match &update(&mut state, ch('r'))[..] {
        [Cmd::Refresh { request }] => *request,
        other => panic!("{other:?}"),
    };
    let new = match &update(&mut state, ch('r'))[..] {
        [Cmd::Refresh { request }] => *request,
        other => panic!("{other:?}"),
    };
    update(
        &mut state,
        Msg::Loaded {
            request: old,
            result: Ok(LoadedWorkspace::default()),
        },
    );
    assert_eq!(
        state.azure.endpoints.len(),
        2,
        "the older answer is ignored"
    );
    update(
        &mut state,
        Msg::Loaded {
            request: new,
            result: Err(OpsError::Invalid(
                "could not reach http://x: connection refused".into(),
            )),
        },
    );
    assert_eq!(
        state.azure.endpoints.len(),
        2,
        "a failed refresh keeps what was shown"
    );
    assert!(state.azure.last_error.is_some());
    assert!(
        state
            .ui
            .toasts
            .iter()
            .any(|t| t.text.contains("refresh failed"))
    );
}

#[test]
fn while_azure_throttles_nothing_is_asked_and_the_status_bar_counts_down() {
    let ws = workspace("blue=100", "blue=100");
    let mut state = started(ws.clone());
    let t0 = state.now;
    update(&mut state, Msg::Throttled(t0 + Duration::from_secs(12)));
    // A shorter pause heard later does not shorten it.
    update(&mut state, Msg::Throttled(t0 + Duration::from_secs(2)));
    let text = render_text(&mut state, 160, 40);
    assert!(
        text.contains("throttled by Azure: retrying in 12 s"),
        "{text}"
    );
    for second in 1..12 {
        let cmds = at(&mut state, t0 + Duration::from_secs(second));
        assert!(cmds.is_empty(), "asked at {second} s: {cmds:?}");
    }
    let step_at = step(&mut state, Msg::Tick(t0 + Duration::from_millis(11_500)));
    assert!(step_at.cmds.is_empty());
    assert!(
        render_text(&mut state, 160, 40).contains("retrying in 1 s"),
        "counts down"
    );
    let cmds = at(&mut state, t0 + Duration::from_secs(12));
    assert!(state.azure.throttled_until.is_none(), "the pause is over");
    assert!(!render_text(&mut state, 160, 40).contains("throttled"));
    let (request, _) = endpoint_read(&cmds).expect("reads resume once the pause is over");
    answer(&mut state, request, &ws[0]);
}
