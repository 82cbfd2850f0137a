//! The journal view (`@`): a line per change in words, a record's detail, keys to move.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::dialogs::journal::{JournalPage, JournalRecord};
use aml_rollout::app::state::Dialog;
use aml_rollout::app::{AppState, Cmd, Msg};
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(state: &AppState, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| aml_rollout::ui::render(state, f))
        .unwrap();
    terminal
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().into()
}

fn detail(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn page() -> JournalPage {
    JournalPage {
        records: vec![
            JournalRecord {
                time: at("2026-03-02T12:03:10Z"),
                who: Some("alice@contoso".into()),
                action: "traffic".into(),
                what: "my-endpoint".into(),
                change: "blue 100%, green 0% → blue 90%, green 10%".into(),
                failed: false,
                detail: detail(&[
                    ("time", "2026-03-02 12:03:10 UTC"),
                    ("action", "traffic"),
                    ("target", "sub/rg/ws"),
                    ("endpoint", "my-endpoint"),
                    ("change", "blue 100%, green 0% → blue 90%, green 10%"),
                    ("outcome", "ok"),
                    (
                        "az command",
                        "az ml online-endpoint update --name my-endpoint --traffic \"blue=90 green=10\"",
                    ),
                    ("operation id", "op-42"),
                ]),
            },
            JournalRecord {
                time: at("2026-03-02T11:58:00Z"),
                who: None,
                action: "deployment scale".into(),
                what: "my-endpoint/green".into(),
                change: "1 instance → 3 instances".into(),
                failed: true,
                detail: detail(&[("outcome", "FAILED: quota exceeded")]),
            },
        ],
        older_left: true,
        skipped_lines: 1,
    }
}

fn open_journal() -> AppState {
    let mut state = blue_green("blue=100", "");
    let request = match &feed(&mut state, [ch('@')])[..] {
        [Cmd::LoadJournal { request }] => *request,
        other => panic!("{other:?}"),
    };
    feed(
        &mut state,
        [Msg::JournalLoaded {
            request,
            result: Ok(page()),
        }],
    );
    state
}

#[test]
fn the_list_has_one_line_per_change_in_words() {
    let state = open_journal();
    insta::assert_snapshot!(draw(&state, 120, 20).backend());
}

#[test]
fn enter_shows_the_record_and_esc_goes_back_to_the_list() {
    let mut state = open_journal();
    feed(&mut state, [ch('j'), ch('k'), key(KeyCode::Enter)]);
    insta::assert_snapshot!(draw(&state, 120, 20).backend());
    feed(&mut state, [key(KeyCode::Esc)]);
    let Some(Dialog::Journal(journal)) = &state.ui.dialog else {
        panic!("esc from the detail goes back to the list")
    };
    assert_eq!(journal.detail, None);
    feed(&mut state, [ch('G'), key(KeyCode::Esc)]);
    assert!(state.ui.dialog.is_none(), "esc from the list closes it");
}
