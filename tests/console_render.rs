//! Screens rendered with ratatui's TestBackend: snapshots of the text, and cell styles where
//! colour carries meaning.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::AppState;
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
    let served = [
        Served {
            name: "blue",
            live: 100,
            per_minute: 1187,
            failed: 5,
            p95_ms: 42.0,
        },
        Served {
            name: "green",
            live: 0,
            per_minute: 0,
            failed: 0,
            p95_ms: 0.0,
        },
    ];
    show_health(&mut state, health("my-endpoint", health_time(), &served, 5));
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

/// Blue at 75% serving cleanly, green at 25% failing 30% of its requests.
fn green_failing_screen() -> AppState {
    let mut state = blue_green("blue=75 green=25", "");
    feed(&mut state, [key(KeyCode::Down)]);
    green_failing(&mut state);
    state
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn health_columns_wide() {
    let state = green_failing_screen();
    let terminal = draw(&state, 200, 24);
    let text = screen_text(&terminal);
    assert!(text.contains("worse: +30.0 pts"), "{text}");
    assert!(text.contains("5m · 2000 req · 40 s ago"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn health_columns_at_80x24() {
    let state = green_failing_screen();
    let terminal = draw(&state, 80, 24);
    let text = screen_text(&terminal);
    assert!(text.contains(" 75%") && text.contains(" 25%"), "{text}");
    assert!(text.contains("green vs blue: worse: +30.0 pts"), "{text}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn a_metrics_failure_reads_as_unavailable_with_its_reason_never_as_zeros() {
    let mut state = green_failing_screen();
    feed(
        &mut state,
        [Msg::MetricsLoaded {
            request: aml_rollout::app::ids::RequestId(u64::MAX),
            endpoint: "my-endpoint".into(),
            result: Err(aml_rollout::ops::OpsError::Metrics(
                "RequestsPerMinute failed with Throttled".into(),
            )),
        }],
    );
    let text = screen_text(&draw(&state, 140, 24));
    assert!(
        text.contains("metrics unavailable: ") && text.contains("Throttled"),
        "{text}"
    );
    assert!(!text.contains("/min") && !text.contains("0.0%"), "{text}");
}

#[test]
fn draft_warnings_show_in_the_draft_box_and_the_confirmation() {
    let mut state = loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            vec![deployment("blue", 2), deployment("green", 1)],
        )],
    );
    feed(&mut state, [key(KeyCode::Down), ch('L')]);
    let warning = "⚠ warning: green (1 instance) takes live traffic from blue (2 instances)";
    let text = screen_text(&draw(&state, 140, 30));
    assert!(text.contains(warning), "{text}");
    feed(&mut state, [key(KeyCode::Enter)]);
    let text = screen_text(&draw(&state, 140, 30));
    assert!(text.contains("Apply this traffic change"), "{text}");
    // The dialog covers the draft box: the warning shown is the dialog's own.
    assert!(text.contains(warning), "{text}");
}

/// A comparison's report as the worker sends it: blue and green answered the sample request
/// differently.
fn differing_report() -> aml_rollout::ops::CompareReport {
    use aml_rollout::ops::{Answer, Case, CompareReport};
    use serde_json::json;
    let blue = json!({"result": [1, 0], "model": "blue:1"});
    let green = json!({"result": [1, 1], "model": "green:1"});
    let answer = |name: &str, body: &serde_json::Value, ms: f64| {
        let differences = aml_rollout::rollout::diff_json(&blue, body, 1e-6);
        Answer {
            deployment: name.into(),
            status: Some(200),
            latency_ms: Some(ms),
            body: body.clone(),
            failure: None,
            difference_count: differences.len(),
            differences,
        }
    };
    CompareReport {
        endpoint: "my-endpoint".into(),
        deployments: vec!["blue".into(), "green".into()],
        tolerance: 1e-6,
        requests: 1,
        agreeing: 0,
        agreement_percent: 0.0,
        latency: Vec::new(),
        cases: vec![Case {
            number: 1,
            agrees: false,
            answers: vec![answer("blue", &blue, 12.0), answer("green", &green, 31.0)],
        }],
    }
}

#[test]
fn compare_dialog() {
    let mut state = blue_green("blue=100", "");
    let cmds = feed(&mut state, [ch('x'), key(KeyCode::Enter)]);
    let [aml_rollout::app::Cmd::Compare { request, file, .. }] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!(file, &options().default_request_file);
    feed(
        &mut state,
        [Msg::CompareFinished {
            request: *request,
            outcome: Ok(Box::new(differing_report())),
        }],
    );
    let terminal = draw(&state, 120, 30);
    let text = screen_text(&terminal);
    assert!(
        text.contains("answers differ: 0 of 1 request agree"),
        "{text}"
    );
    assert!(
        text.contains("≠ $.model: \"blue:1\" ≠ \"green:1\""),
        "{text}"
    );
    insta::assert_snapshot!(terminal.backend());
}
