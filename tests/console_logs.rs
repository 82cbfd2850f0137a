//! The log panes through the real `update()`: tailers started and stopped with the selection,
//! windows merged, pane keys; and their rendering.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::ids::TailerId;
use aml_rollout::app::state::{Focus, Prompt};
use aml_rollout::app::{AppState, Cmd, Msg};
use aml_rollout::azure::model::ContainerType;
use aml_rollout::ops::OpsError;
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn with_panes() -> (AppState, Vec<(TailerId, String, ContainerType, u32)>) {
    let mut state = AppState::new(options(), std::time::Instant::now());
    let now = state.now;
    let cmds = feed(&mut state, [Msg::Tick(now)]);
    let request = match &cmds[..] {
        [Cmd::Refresh { request }] => *request,
        other => panic!("{other:?}"),
    };
    let cmds = feed(
        &mut state,
        [Msg::Loaded {
            request,
            result: Ok(aml_rollout::app::msg::LoadedWorkspace {
                endpoints: vec![endpoint("my-endpoint", "blue=100", "")],
                deployments: vec![(
                    "my-endpoint".into(),
                    vec![deployment("blue", 1), deployment("green", 1)],
                )],
            }),
        }],
    );
    let started = tailers(&cmds);
    (state, started)
}

#[test]
fn panes_open_with_the_endpoint_live_traffic_first() {
    let (state, started) = with_panes();
    let names: Vec<_> = started.iter().map(|t| t.1.as_str()).collect();
    assert_eq!(names, ["blue", "green"]);
    assert!(
        started
            .iter()
            .all(|t| t.2 == ContainerType::InferenceServer && t.3 == 500)
    );
    assert_eq!(state.logs.panes.len(), 2);
}

#[test]
fn windows_are_merged_and_stale_tailers_ignored() {
    let (mut state, started) = with_panes();
    let blue = started[0].0;
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: blue,
            content: access_log(0..10, "blue"),
        }],
    );
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: blue,
            content: access_log(5..15, "blue"),
        }],
    );
    assert_eq!(
        state.logs.panes[0].stream.ring().len(),
        15,
        "overlap is not repeated"
    );
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: TailerId(9999),
            content: "nope".into(),
        }],
    );
    assert_eq!(state.logs.panes[0].stream.ring().len(), 15);
    feed(
        &mut state,
        [Msg::LogError {
            tailer: blue,
            error: OpsError::Invalid("HTTP 429 throttled".into()),
            retry_in_secs: 4,
        }],
    );
    assert!(
        state.logs.panes[0]
            .title_state()
            .contains("backing off: retry in 4s")
    );
}

#[test]
fn pane_keys_follow_scroll_filter_container_presets_save_and_hide() {
    let (mut state, started) = with_panes();
    let (blue, green) = (started[0].0, started[1].0);
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: blue,
            content: access_log(0..40, "blue"),
        }],
    );
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(state.ui.focus, Focus::Logs(0));
    let ring_len = state.logs.panes[0].stream.ring().len();
    feed(&mut state, [ch('k'), ch('k')]);
    assert!(
        !state.logs.panes[0].follow,
        "scrolling pauses ({ring_len} lines, focus {:?}, status {:?})",
        state.ui.focus, state.logs.panes[0].status
    );
    feed(&mut state, [ch(' ')]);
    assert!(state.logs.panes[0].follow);
    feed(&mut state, [ch('/')]);
    assert!(matches!(
        state.ui.prompt,
        Some(Prompt::LogFilter { pane: 0, .. })
    ));
    feed(&mut state, typed(" 500 "));
    feed(&mut state, [key(KeyCode::Enter)]);
    let shown = state.logs.panes[0].window(100);
    assert!(!shown.is_empty() && shown.iter().all(|e| e.text().contains(" 500 ")));
    feed(&mut state, [ch('N')]);
    assert!(!state.logs.panes[0].follow, "n/N jump between matches");
    feed(&mut state, [ch('F')]);
    assert_eq!(
        state.logs.panes[1].filter.as_ref().map(|f| f.text.as_str()),
        Some(" 500 ")
    );
    // A bad regex is a message, not a crash.
    feed(&mut state, [ch('/'), ctrl('u')]);
    feed(&mut state, typed("status=(5"));
    feed(&mut state, [key(KeyCode::Enter)]);
    assert!(
        state
            .ui
            .toasts
            .back()
            .unwrap()
            .text
            .contains("not a valid regex")
    );

    let cmds = feed(&mut state, [ch('c')]);
    assert_eq!(stopped(&cmds), [blue]);
    let restarted = tailers(&cmds);
    assert_eq!(restarted[0].2, ContainerType::StorageInitializer);
    let cmds = feed(&mut state, [ch('3')]);
    assert_eq!(tailers(&cmds)[0].3, 1000);
    let cmds = feed(&mut state, [ctrl('s')]);
    assert!(
        matches!(&cmds[..], [Cmd::SaveLog { name, .. }] if name.contains("blue-storage-initializer"))
    );
    feed(&mut state, [ch('f')]);
    assert!(state.logs.maximized);
    feed(&mut state, [ch('f'), ch('w'), ch('t')]);
    assert!(state.logs.panes[0].wrap && !state.logs.panes[0].timestamps);

    let cmds = feed(&mut state, [ch('o')]);
    let mut closed = stopped(&cmds);
    closed.sort();
    assert_eq!(closed.len(), 2, "hiding the log area stops every tailer");
    assert!(closed.contains(&green));
    assert!(state.logs.panes.is_empty());
    assert_eq!(state.ui.focus, Focus::Deployments);
    // From anywhere, the same key shows them again.
    let cmds = feed(&mut state, [ch('o')]);
    assert_eq!(tailers(&cmds).len(), 2);
}

#[test]
fn more_than_four_deployments_page_with_brackets() {
    let names = ["a1", "a2", "blue", "c3", "d4", "green"];
    let mut state = loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", "blue=90 green=10", ""),
            names.iter().map(|n| deployment(n, 1)).collect(),
        )],
    );
    let shown: Vec<_> = state
        .logs
        .panes
        .iter()
        .map(|p| p.deployment.clone())
        .collect();
    assert_eq!(
        shown,
        ["blue", "green", "a1", "a2"],
        "deployments with traffic first"
    );
    feed(&mut state, [key(KeyCode::Tab)]);
    let cmds = feed(&mut state, [ch(']')]);
    assert_eq!(stopped(&cmds).len(), 4);
    let shown: Vec<_> = state
        .logs
        .panes
        .iter()
        .map(|p| p.deployment.clone())
        .collect();
    assert_eq!(shown, ["c3", "d4"]);
}

#[test]
fn an_applied_change_marks_every_pane() {
    let (mut state, _) = with_panes();
    feed(
        &mut state,
        [key(KeyCode::Down), ch('L'), key(KeyCode::Enter)],
    );
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let op = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::ApplySplit { op, .. } => Some(*op),
            _ => None,
        })
        .unwrap();
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Ok("ok".into()),
        }],
    );
    for pane in &state.logs.panes {
        let last = pane.stream.ring().iter().last().unwrap();
        assert!(last.is_marker());
        assert!(
            last.text()
                .starts_with("-- traffic blue=90 green=10 applied at "),
            "{}",
            last.text()
        );
    }
}

fn render(state: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| aml_rollout::ui::render(state, f)).unwrap();
    t
}

#[test]
fn one_pane_and_side_by_side_panes_with_filter_and_markers() {
    let (mut state, started) = with_panes();
    state.clock = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:03:04+00:00")
        .unwrap()
        .with_timezone(&chrono::Local);
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: started[0].0,
            content: access_log(0..30, "blue"),
        }],
    );
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: started[1].0,
            content: access_log(0..3, "green"),
        }],
    );
    for pane in &mut state.logs.panes {
        pane.stream
            .push_marker("-- traffic blue=90 green=10 applied at 12:03:04 --");
    }
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: started[1].0,
            content: format!(
                "{}\n{}",
                access_log(0..3, "green"),
                "2026-11-22T12:03:05.000Z POST /score 200 9.0ms x-request-id=r99 deployment=green \u{1b}]0;pwned\u{7}\u{1b}[31mred"
            ),
        }],
    );
    feed(&mut state, [key(KeyCode::Tab), ch('/')]);
    feed(&mut state, typed(" 500 "));
    feed(&mut state, [key(KeyCode::Enter)]);
    let side_by_side = render(&state, 160, 36);
    let text = side_by_side.backend().to_string();
    assert!(
        !text.contains('\u{1b}'),
        "no escape sequence reaches the terminal"
    );
    assert!(
        !text.contains("pwned"),
        "an OSC title sequence is dropped whole, its text too"
    );
    insta::assert_snapshot!("side_by_side", side_by_side.backend());
    feed(&mut state, [ch('f')]);
    insta::assert_snapshot!("one_pane_maximised", render(&state, 120, 24).backend());
}

#[test]
fn answers_are_coloured_by_status_class_and_still_sanitized() {
    let (mut state, started) = with_panes();
    state.options.no_color = false;
    let blue = started[0].0;
    let content = [
        "2026-11-22T12:00:01.000Z POST /score 503 12.0ms mirrored=no x-request-id=a",
        "2026-11-22T12:00:02.000Z POST /score 404 12.0ms mirrored=no x-request-id=b",
        "2026-11-22T12:00:03.000Z POST /score 200 12.0ms mirrored=no x-request-id=c",
        "2026-11-22T12:00:04.000Z POST /score 500 1.0ms \u{1b}[2Jx-request-id=d",
    ]
    .join("\n");
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: blue,
            content,
        }],
    );
    let terminal = render(&state, 160, 40);
    let buffer = terminal.backend().buffer();
    let colour_of = |needle: &str| {
        let (x, y) = (0..40u16)
            .flat_map(|y| (0..160u16).map(move |x| (x, y)))
            .find(|&(x, y)| {
                let row: String = (x..160).map(|c| buffer[(c, y)].symbol()).collect();
                row.starts_with(needle)
            })
            .unwrap_or_else(|| panic!("{needle} is on screen"));
        buffer[(x, y)].fg
    };
    use ratatui::style::Color;
    assert_eq!(colour_of("POST /score 503"), Color::Red);
    assert_eq!(colour_of("POST /score 404"), Color::Yellow);
    assert_eq!(colour_of("POST /score 200"), Color::Reset);
    assert_eq!(colour_of("POST /score 500"), Color::Red);
    let screen: String = buffer.content().iter().map(|c| c.symbol()).collect();
    assert!(
        !screen.contains('\u{1b}'),
        "control sequences never reach the screen"
    );
}

/// Lines about a pane wide once their date is dropped: the case where wrapping used to count
/// rows from the stored text and scroll the shown text out of the pane.
fn long_log(range: std::ops::Range<u32>) -> String {
    range
        .map(|i| {
            format!(
                "2026-11-22T12:00:{:02}.000Z POST /score 200 12.0ms x-request-id=r{i:04} deployment=blue model=azureml:blue:1 n{i:04}",
                i % 60
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn wrapping_keeps_the_newest_lines_in_view_at_every_width() {
    let (mut state, started) = with_panes();
    for (tailer, ..) in &started {
        feed(
            &mut state,
            [Msg::LogWindow {
                tailer: *tailer,
                content: long_log(0..40),
            }],
        );
    }
    feed(&mut state, [key(KeyCode::Tab), ch('w')]);
    assert!(state.logs.panes[0].wrap);
    for width in (150..=240).step_by(3) {
        let text = render(&state, width, 40).backend().to_string();
        assert!(
            text.contains("x-request-id=r0039"),
            "the newest line is shown when wrapped at a terminal {width} wide:\n{text}"
        );
    }
}

#[test]
fn oldest_fills_the_pane_from_the_first_line_down() {
    let (mut state, started) = with_panes();
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: started[0].0,
            content: access_log(0..40, "blue"),
        }],
    );
    feed(&mut state, [key(KeyCode::Tab), ch('g')]);
    let pane = &state.logs.panes[0];
    assert!(!pane.follow);
    let shown: Vec<_> = pane
        .window(10)
        .iter()
        .map(|e| e.text().to_string())
        .collect();
    assert_eq!(shown.len(), 10, "a full pane, not one line: {shown:?}");
    assert!(shown[0].contains("x-request-id=r0 "), "{shown:?}");
    let text = render(&state, 160, 30).backend().to_string();
    assert!(text.contains("x-request-id=r0 ") && text.contains("x-request-id=r5 "));
    feed(&mut state, [ch('j')]);
    let shown: Vec<_> = state.logs.panes[0]
        .window(3)
        .iter()
        .map(|e| e.text().to_string())
        .collect();
    assert!(
        shown[0].contains("x-request-id=r1 "),
        "j moves the top down: {shown:?}"
    );
}

#[test]
fn a_filter_that_matches_nothing_says_so() {
    let (mut state, started) = with_panes();
    feed(
        &mut state,
        [Msg::LogWindow {
            tailer: started[0].0,
            content: access_log(0..5, "blue"),
        }],
    );
    feed(&mut state, [key(KeyCode::Tab), ch('/')]);
    feed(&mut state, typed("no-such-text"));
    feed(&mut state, [key(KeyCode::Enter)]);
    let text = render(&state, 160, 30).backend().to_string();
    assert!(text.contains("no line matches /no-such-text/"), "{text}");
    assert!(
        text.contains("waiting for log lines"),
        "the pane that has received nothing still waits"
    );
}
