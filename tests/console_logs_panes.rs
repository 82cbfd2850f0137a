//! The log panes across hiding and showing, plan markers, titles and the filter's count,
//! through the real `update()` with real messages, rendered on ratatui's TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::ids::TailerId;
use aml_rollout::app::{AppState, Cmd, Msg};
use aml_rollout::ops::PlanEvent;
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn with_deployments(names: &[&str]) -> AppState {
    let mut state = loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            names.iter().map(|n| deployment(n, 1)).collect(),
        )],
    );
    state.clock = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:03:04+00:00")
        .unwrap()
        .with_timezone(&chrono::Local);
    state
}

fn window(state: &mut AppState, pane: usize, content: String) {
    let tailer = state.logs.panes[pane].tailer;
    feed(state, [Msg::LogWindow { tailer, content }]);
}

/// Applies blue=90 green=10 from the console, as an operator would.
fn apply_traffic(state: &mut AppState) {
    feed(state, [key(KeyCode::Down), ch('L'), key(KeyCode::Enter)]);
    let cmds = feed(state, [key(KeyCode::Enter)]);
    let op = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::ApplySplit { op, .. } => Some(*op),
            _ => None,
        })
        .expect("the apply is sent");
    feed(
        state,
        [Msg::OperationFinished {
            op,
            outcome: Ok("ok".into()),
        }],
    );
}

fn command(state: &mut AppState, line: &str) -> Vec<Cmd> {
    let mut msgs = vec![ch(':')];
    msgs.extend(typed(line));
    msgs.push(key(KeyCode::Enter));
    feed(state, msgs)
}

fn texts(state: &AppState, pane: usize) -> Vec<String> {
    state.logs.panes[pane]
        .stream
        .ring()
        .iter()
        .map(|e| e.text().to_string())
        .collect()
}

fn screen(state: &AppState, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| aml_rollout::ui::render(state, f)).unwrap();
    t.backend().to_string()
}

fn progress(state: &mut AppState, endpoint: &str, event: PlanEvent) {
    feed(
        state,
        [Msg::PlanProgress {
            endpoint: endpoint.into(),
            event,
        }],
    );
}

#[test]
fn hiding_and_showing_keeps_each_pane_and_resumes_its_tail() {
    let mut state = with_deployments(&["blue", "green"]);
    window(&mut state, 0, access_log(0..10, "blue"));
    window(&mut state, 1, access_log(0..3, "green"));
    apply_traffic(&mut state);
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(
        state.ui.focus,
        aml_rollout::app::state::Focus::Logs(0),
        "the blue pane is focused"
    );
    feed(&mut state, [ch('/')]);
    feed(&mut state, typed(" 500 "));
    feed(&mut state, [key(KeyCode::Enter), ch('k')]);
    let blue_before = texts(&state, 0);
    let green_before = texts(&state, 1);
    let anchor = state.logs.panes[0].anchor;
    assert!(!state.logs.panes[0].follow && anchor.is_some());
    let old_tailers: Vec<TailerId> = state.logs.panes.iter().map(|p| p.tailer).collect();

    let cmds = command(&mut state, "logs");
    let mut stopped_now = stopped(&cmds);
    stopped_now.sort();
    let mut expected = old_tailers.clone();
    expected.sort();
    assert_eq!(stopped_now, expected, "hidden panes stop polling");
    assert!(tailers(&cmds).is_empty());
    assert!(state.logs.panes.is_empty(), "nothing is shown while hidden");
    // Moving around while hidden starts no tailer.
    let cmds = feed(&mut state, [key(KeyCode::Down), key(KeyCode::Up)]);
    assert!(tailers(&cmds).is_empty(), "{cmds:?}");
    // A window from a stopped tailer that was already on its way is stale.
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: old_tailers[0],
            content: access_log(0..12, "blue"),
        }],
    );

    let cmds = command(&mut state, "logs");
    let resumed = tailers(&cmds);
    assert_eq!(resumed.len(), 2, "{cmds:?}");
    assert!(
        resumed.iter().all(|t| !old_tailers.contains(&t.0)),
        "fresh tailers"
    );
    assert_eq!(resumed[0].1, "blue");
    assert_eq!(resumed[0].3, 500);
    assert_eq!(
        texts(&state, 0),
        blue_before,
        "blue's lines and marker kept"
    );
    assert_eq!(
        texts(&state, 1),
        green_before,
        "green's lines and marker kept"
    );
    assert!(
        blue_before
            .iter()
            .any(|t| t.starts_with("-- traffic blue=90 green=10 applied at 12:03:04"))
    );
    let blue = &state.logs.panes[0];
    assert_eq!(blue.filter.as_ref().map(|f| f.text.as_str()), Some(" 500 "));
    assert!(!blue.follow, "still paused");
    assert_eq!(blue.anchor, anchor, "at the same place");
    assert_eq!(blue.tailer, resumed[0].0);

    // The new tailer's first window overlaps: only what is new is added.
    window(&mut state, 0, access_log(0..14, "blue"));
    let blue_after = texts(&state, 0);
    assert_eq!(blue_after.len(), blue_before.len() + 4, "{blue_after:?}");
    assert_eq!(&blue_after[..blue_before.len()], &blue_before[..]);
    assert!(blue_after.last().unwrap().contains("x-request-id=r13 "));
    let text = screen(&state, 160, 40);
    assert!(
        text.contains("-- traffic blue=90 green=10 applied at 12:03:04 --"),
        "{text}"
    );
    assert!(text.contains("deployment=green"), "{text}");
}

#[test]
fn a_traffic_change_while_hidden_is_marked_when_the_panes_come_back() {
    let mut state = with_deployments(&["blue", "green"]);
    window(&mut state, 0, access_log(0..3, "blue"));
    command(&mut state, "logs");
    progress(
        &mut state,
        "my-endpoint",
        PlanEvent::StepApplied {
            step: 0,
            what: "traffic 10".into(),
            before: "blue=100".into(),
            after: "blue=90 green=10".into(),
        },
    );
    command(&mut state, "logs");
    assert_eq!(
        texts(&state, 0).last().map(String::as_str),
        Some("-- plan step 1: traffic blue=90 green=10 applied at 12:03:04 --")
    );
}

#[test]
fn plan_steps_and_rollbacks_mark_their_endpoints_panes() {
    let mut state = with_deployments(&["blue", "green"]);
    window(&mut state, 0, access_log(0..3, "blue"));
    progress(
        &mut state,
        "my-endpoint",
        PlanEvent::StepApplied {
            step: 1,
            what: "traffic 10".into(),
            before: "blue=100".into(),
            after: "blue=90 green=10".into(),
        },
    );
    for pane in 0..2 {
        assert_eq!(
            texts(&state, pane).last().map(String::as_str),
            Some("-- plan step 2: traffic blue=90 green=10 applied at 12:03:04 --"),
            "pane {pane}"
        );
    }
    progress(
        &mut state,
        "MY-ENDPOINT",
        PlanEvent::RolledBack {
            step: 1,
            reason: "green 9.0% errors vs blue 0.4%".into(),
            restored: "blue=100".into(),
        },
    );
    for pane in 0..2 {
        assert_eq!(
            texts(&state, pane).last().map(String::as_str),
            Some("-- plan rolled back to blue=100 at 12:03:04 --"),
            "pane {pane}"
        );
    }
    let before = texts(&state, 0);
    progress(
        &mut state,
        "other-endpoint",
        PlanEvent::StepApplied {
            step: 0,
            what: "traffic 50".into(),
            before: "a=100".into(),
            after: "a=50 b=50".into(),
        },
    );
    progress(&mut state, "my-endpoint", PlanEvent::Promoted { step: 1 });
    assert_eq!(
        texts(&state, 0),
        before,
        "another endpoint's plan, and events that change no traffic, write nothing"
    );
    let text = screen(&state, 160, 40);
    assert!(
        text.contains("-- plan step 2: traffic blue=90 green=10 applied at 12:03:04 --"),
        "{text}"
    );
}

/// Panes on `names`, each with lines and the filter `err` (set in the first, then `F`).
fn filtered(names: &[&str]) -> AppState {
    let mut state = with_deployments(names);
    for (pane, name) in names.iter().enumerate() {
        window(&mut state, pane, access_log(0..5, name));
    }
    feed(&mut state, [key(KeyCode::Tab), ch('/')]);
    feed(&mut state, typed("err"));
    feed(&mut state, [key(KeyCode::Enter), ch('F')]);
    assert!(state.logs.panes.iter().all(|p| p.filter.is_some()));
    state
}

#[test]
fn titles_keep_state_and_filter_and_cut_the_names_first() {
    let state = filtered(&["blue", "purple-long-name-x"]);
    for width in (80..=200).step_by(7) {
        let text = screen(&state, width, 30);
        assert_eq!(
            text.matches("following /err/ ").count(),
            2,
            "both panes say they follow and are filtered at width {width}:\n{text}"
        );
    }
    let narrow = screen(&state, 100, 30);
    assert!(
        narrow.contains(" purple-long-name-x · infere… · following /err/ "),
        "the container name is cut first:\n{narrow}"
    );
    let wide = screen(&state, 200, 30);
    assert!(
        wide.contains(" purple-long-name-x · inference-server · following /err/ "),
        "{wide}"
    );
    let four = filtered(&["blue", "green", "purple-long-name-x", "red"]);
    let text = screen(&four, 160, 30);
    assert!(
        text.contains(" purple-lo… · infe… · following /err/ "),
        "then the deployment's:\n{text}"
    );
    assert_eq!(text.matches("following /err/ ").count(), 4, "{text}");
}

#[test]
fn a_filter_counts_log_lines_not_markers() {
    let mut state = with_deployments(&["blue", "green"]);
    window(&mut state, 0, access_log(1..4, "blue"));
    apply_traffic(&mut state);
    assert_eq!(state.logs.panes[0].stream.ring().len(), 4);
    feed(&mut state, [key(KeyCode::Tab), ch('/')]);
    feed(&mut state, typed("no-such-text"));
    feed(&mut state, [key(KeyCode::Enter)]);
    let text = screen(&state, 160, 30);
    assert!(
        text.contains("no line matches /no-such-text/ (of 3 received)"),
        "{text}"
    );
}
