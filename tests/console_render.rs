//! Screens rendered with ratatui's TestBackend: snapshots of the text, and cell styles where
//! colour carries meaning.

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
            endpoint: "my-endpoint".into(),
            metrics: vec![
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
            ],
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
    insta::assert_snapshot!(draw(&state, 160, 40).backend());
}

#[test]
fn tiny_terminal() {
    let state = blue_green("blue=100", "");
    insta::assert_snapshot!(draw(&state, 60, 12).backend());
}

#[test]
fn remote_text_cannot_reach_the_terminal_raw() {
    // Names pass through the worker's sanitizer; this checks the views add nothing raw either.
    let mut state = blue_green("blue=100", "");
    update(
        &mut state,
        Msg::OperationFinished {
            op: 999,
            outcome: Err("x".into()),
        },
    );
    let terminal = draw(&state, 120, 24);
    let text = terminal.backend().to_string();
    assert!(!text.contains('\u{1b}'));
}
