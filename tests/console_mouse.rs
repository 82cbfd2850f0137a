//! The mouse, through `update()`: the frame is drawn first (as the event loop does), its areas
//! kept in the state, then clicks and wheel notches arrive at positions read off that frame.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::dialogs::journal::{JournalPage, JournalRecord};
use aml_rollout::app::state::{Dialog, Focus};
use aml_rollout::app::{AppState, Cmd, Msg};
use common::console::*;
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Draws the console as the event loop does; returns the screen's rows as text.
fn draw(state: &mut AppState) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    terminal
        .draw(|f| state.screen = aml_rollout::ui::render_mapped(state, f))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

/// Where `text` is on screen, the `nth` time it appears (column, row).
fn find(rows: &[String], text: &str, nth: usize) -> (u16, u16) {
    rows.iter()
        .enumerate()
        .flat_map(|(y, row)| {
            row.match_indices(text)
                .map(move |(i, _)| (row[..i].chars().count() as u16, y as u16))
        })
        .nth(nth)
        .unwrap_or_else(|| panic!("{text:?} is not on screen:\n{}", rows.join("\n")))
}

fn mouse(kind: MouseEventKind, (column, row): (u16, u16)) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(at: (u16, u16)) -> Msg {
    mouse(MouseEventKind::Down(MouseButton::Left), at)
}

fn two_endpoints() -> AppState {
    loaded_with(
        options(),
        vec![
            (
                endpoint("my-endpoint", "blue=100", ""),
                vec![deployment("blue", 1), deployment("green", 1)],
            ),
            (
                endpoint("other-endpoint", "red=100", ""),
                vec![deployment("red", 1)],
            ),
        ],
    )
}

#[test]
fn a_click_selects_the_row_and_focuses_its_panel() {
    let mut state = two_endpoints();
    let rows = draw(&mut state);
    assert_eq!(state.ui.focus, Focus::Deployments);
    let cmds = feed(&mut state, [click(find(&rows, "other-endpoi", 0))]);
    assert_eq!(state.ui.focus, Focus::Endpoints);
    assert_eq!(
        state.selected_endpoint().map(|e| e.name.as_str()),
        Some("other-endpoint")
    );
    // Read as with the arrow keys: at once, or once the selection has rested if a read was
    // asked for moments ago.
    let reads_other = |cmds: &[Cmd]| {
        cmds.iter().any(
            |c| matches!(c, Cmd::RefreshEndpoint { endpoint, .. } if endpoint == "other-endpoint"),
        )
    };
    let rested = state.now + std::time::Duration::from_secs(1);
    let later = feed(&mut state, [Msg::Tick(rested)]);
    assert!(
        reads_other(&cmds) || reads_other(&later),
        "the new endpoint is read: {cmds:?} then {later:?}"
    );

    let mut state = two_endpoints();
    let rows = draw(&mut state);
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_ne!(state.ui.focus, Focus::Deployments);
    feed(&mut state, [click(find(&rows, "green ", 0))]);
    assert_eq!(state.ui.focus, Focus::Deployments);
    assert_eq!(
        state.selected_deployment().map(|d| d.name.as_str()),
        Some("green")
    );

    // Below the last row, a click focuses the panel and changes no selection.
    let rows = draw(&mut state);
    let (x, y) = find(&rows, "my-endpoint  Key", 0);
    feed(&mut state, [click((x, y + 3))]);
    assert_eq!(state.ui.focus, Focus::Endpoints);
    assert_eq!(state.ui.selected_endpoint, 0);
}

#[test]
fn the_wheel_scrolls_what_is_under_the_pointer() {
    let mut state = two_endpoints();
    let rows = draw(&mut state);
    let down = MouseEventKind::ScrollDown;
    feed(&mut state, [mouse(down, find(&rows, "blue ", 0))]);
    assert_eq!(state.ui.focus, Focus::Deployments);
    assert_eq!(state.ui.selected_deployment, 1, "one notch, one row");
    feed(
        &mut state,
        [mouse(down, find(&rows, "my-endpoint  Key", 0))],
    );
    assert_eq!(state.ui.selected_endpoint, 1);
    feed(
        &mut state,
        [mouse(
            MouseEventKind::ScrollUp,
            find(&rows, "my-endpoint  Key", 0),
        )],
    );
    assert_eq!(state.ui.selected_endpoint, 0);

    // A log pane scrolls back in time and stops following; the other pane does not move.
    let mut state = blue_green("blue=100", "green=0");
    let lines: String = (0..200)
        .map(|i| format!("2026-11-22T12:00:00.000Z line {i}\n"))
        .collect();
    let tailers: Vec<_> = state.logs.panes.iter().map(|p| p.tailer).collect();
    assert_eq!(tailers.len(), 2, "blue and green panes");
    for tailer in &tailers {
        feed(
            &mut state,
            [Msg::LogWindow {
                tailer: *tailer,
                content: lines.clone(),
            }],
        );
    }
    let rows = draw(&mut state);
    let (x, y) = find(&rows, "line 199", 1);
    feed(&mut state, [mouse(MouseEventKind::ScrollUp, (x, y))]);
    assert!(state.logs.panes[0].follow, "the pane not under the pointer");
    assert!(
        !state.logs.panes[1].follow,
        "the pane under the pointer paused"
    );
    let rows = draw(&mut state);
    assert!(find(&rows, "line 196", 1).0 > find(&rows, "line 196", 0).0);
}

#[test]
fn a_click_on_a_dialog_button_presses_it() {
    let mut state = blue_green("blue=100", "");
    feed(
        &mut state,
        [key(KeyCode::Down), ch('L'), key(KeyCode::Enter)],
    );
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    let rows = draw(&mut state);
    // Outside the dialog nothing happens: it is modal.
    feed(&mut state, [click((0, 29))]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    let cmds = feed(&mut state, [click(find(&rows, "apply", 0))]);
    assert!(
        matches!(&cmds[..], [Cmd::ApplySplit { endpoint, .. }] if endpoint == "my-endpoint"),
        "{cmds:?}\n{}",
        rows.join("\n")
    );
    assert!(state.ui.dialog.is_none());

    let mut state = blue_green("blue=100", "");
    feed(
        &mut state,
        [key(KeyCode::Down), ch('L'), key(KeyCode::Enter)],
    );
    let rows = draw(&mut state);
    let (x, y) = find(&rows, "esc", 0);
    let cmds = feed(&mut state, [click((x + 4, y))]);
    assert!(
        cmds.is_empty() && state.ui.dialog.is_none(),
        "esc cancel closes"
    );
    assert!(
        state.draft_of("my-endpoint").is_some(),
        "and keeps the draft"
    );
}

#[test]
fn the_wheel_moves_through_the_journal_and_its_buttons_work() {
    let mut state = blue_green("blue=100", "");
    let request = match &feed(&mut state, [ch('@')])[..] {
        [Cmd::LoadJournal { request }] => *request,
        other => panic!("{other:?}"),
    };
    let record = |what: &str| JournalRecord {
        time: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        who: None,
        action: "traffic".into(),
        what: what.into(),
        change: "blue 100% → blue 90%".into(),
        failed: false,
        detail: vec![("endpoint".into(), what.into())],
    };
    feed(
        &mut state,
        [Msg::JournalLoaded {
            request,
            result: Ok(JournalPage {
                records: vec![record("first"), record("second")],
                ..JournalPage::default()
            }),
        }],
    );
    let rows = draw(&mut state);
    feed(
        &mut state,
        [mouse(MouseEventKind::ScrollDown, find(&rows, "first", 0))],
    );
    let Some(Dialog::Journal(journal)) = &state.ui.dialog else {
        panic!()
    };
    assert_eq!(journal.selected, 1);
    feed(&mut state, [click(find(&rows, "details", 0))]);
    let Some(Dialog::Journal(journal)) = &state.ui.dialog else {
        panic!()
    };
    assert_eq!(journal.detail, Some(0), "enter details, by click");
}
