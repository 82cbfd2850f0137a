//! Screens rendered with ratatui's TestBackend: snapshots of the text, and cell styles where
//! colour carries meaning.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::AppState;
use aml_rollout::app::state::DeploymentMetrics;
use aml_rollout::app::{Msg, update};
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

fn draw(state: &AppState, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| aml_rollout::ui::render(state, f))
        .unwrap();
    terminal
}

fn demo_with_metrics() -> AppState {
    let mut state = blue_green("blue=100", "");
    update(
        &mut state,
        Msg::MetricsLoaded {
            request: aml_rollout::app::ids::RequestId(u64::MAX),
            endpoint: "my-endpoint".into(),
            result: Ok(vec![
                (
                    "blue".into(),
                    DeploymentMetrics {
                        requests_per_minute: 1187.0,
                        error_share: 0.004,
                        p95_ms: Some(42.0),
                    },
                ),
                (
                    "green".into(),
                    DeploymentMetrics {
                        requests_per_minute: 0.0,
                        error_share: 0.0,
                        p95_ms: None,
                    },
                ),
            ]),
        },
    );
    state
}

#[test]
fn main_screen() {
    let state = demo_with_metrics();
    insta::assert_snapshot!(draw(&state, 140, 24).backend());
}

#[test]
fn draft_diff() {
    let mut state = demo_with_metrics();
    feed(&mut state, [key(KeyCode::Down), ch('L')]);
    let terminal = draw(&state, 140, 24);
    insta::assert_snapshot!(terminal.backend());
    let mut colored = state;
    colored.options.no_color = false;
    let terminal = draw(&colored, 140, 24);
    let buffer = terminal.backend().buffer();
    let changed = (0..140u16)
        .flat_map(|x| (0..24u16).map(move |y| (x, y)))
        .filter(|&(x, y)| buffer[(x, y)].symbol() == "→")
        .any(|(x, y)| buffer[(x, y)].fg == Color::Yellow);
    assert!(changed, "a changed share is drawn in the draft colour");
}

#[test]
fn mirror_mode() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('m'), key(KeyCode::Down), ch('L')]);
    insta::assert_snapshot!(draw(&state, 140, 24).backend());
}

#[test]
fn apply_confirmation() {
    let mut state = blue_green("blue=100", "green=10");
    feed(
        &mut state,
        [key(KeyCode::Down), ch('L'), key(KeyCode::Enter)],
    );
    insta::assert_snapshot!(draw(&state, 120, 30).backend());
}

#[test]
fn delete_dialog() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [key(KeyCode::Down), ctrl('d')]);
    insta::assert_snapshot!(draw(&state, 120, 24).backend());
}

#[test]
fn help_overlay() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('?')]);
    insta::assert_snapshot!(draw(&state, 120, 50).backend());
}

#[test]
fn help_overlay_in_two_columns() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('?')]);
    insta::assert_snapshot!(draw(&state, 200, 40).backend());
}

#[test]
fn tiny_terminal() {
    let state = blue_green("blue=100", "");
    insta::assert_snapshot!(draw(&state, 60, 12).backend());
}

#[test]
fn remote_text_reaches_the_screen_only_sanitized() {
    use aml_rollout::app::msg::LoadedWorkspace;
    use aml_rollout::azure::model::{OnlineDeployment, OnlineEndpoint};
    use aml_rollout::worker::convert::{deployment_view, endpoint_view};
    // What a hostile or broken service could send: OSC title, screen clear, cursor moves.
    let nasty = "\u{1b}]0;pwned\u{7}evil\u{1b}[2J\u{1b}[10;10H";
    let endpoint: OnlineEndpoint = serde_json::from_value(serde_json::json!({
        "name": format!("ep{nasty}"),
        "properties": {
            "authMode": format!("Key{nasty}"),
            "provisioningState": format!("Succeeded{nasty}"),
            "traffic": {format!("blue{nasty}"): 100},
        }
    }))
    .unwrap();
    let deployment: OnlineDeployment = serde_json::from_value(serde_json::json!({
        "name": format!("blue{nasty}"),
        "sku": {"name": "Default", "capacity": 1},
        "properties": {"endpointComputeType": "Managed", "instanceType": format!("Standard{nasty}"), "provisioningState": "Succeeded"}
    }))
    .unwrap();
    let mut state = aml_rollout::app::AppState::new(options(), std::time::Instant::now());
    let now = state.now;
    let request = match &update(&mut state, Msg::Tick(now))[..] {
        [aml_rollout::app::Cmd::Refresh { request }] => *request,
        other => panic!("{other:?}"),
    };
    let ep = endpoint_view(&endpoint);
    update(
        &mut state,
        Msg::Loaded {
            request,
            result: Ok(LoadedWorkspace {
                deployments: vec![(ep.name.clone(), vec![deployment_view(&deployment)])],
                endpoints: vec![ep],
            }),
        },
    );
    feed(&mut state, [ch('M')]);
    let text = draw(&state, 160, 30).backend().to_string();
    assert!(
        text.contains("evil"),
        "the printable part is shown:\n{text}"
    );
    for leaked in ["]0;", "pwned", "[2J", "[10;10H", "\u{1b}", "\u{7}"] {
        assert!(
            !text.contains(leaked),
            "{leaked:?} reached the screen:\n{text}"
        );
    }
}
