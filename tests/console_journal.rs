//! The journal view (`@`): a line per change in words, a record's detail, keys to move.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aml_rollout::app::dialogs::journal::{JournalPage, JournalRecord};
use aml_rollout::app::ids::{OpId, RequestId};
use aml_rollout::app::msg::PlanRunHow;
use aml_rollout::app::state::Dialog;
use aml_rollout::app::{AppState, Cmd, Msg};
use aml_rollout::journal::Journal;
use aml_rollout::rollout::{TrafficSplit, parse_traffic};
use aml_rollout::worker::Worker;
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::unbounded_channel;

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
                change: "blue 100% → blue 90%, green 10%".into(),
                failed: false,
                detail: detail(&[
                    ("time", "2026-03-02 12:03:10 UTC"),
                    ("action", "traffic"),
                    ("target", "sub/rg/ws"),
                    ("endpoint", "my-endpoint"),
                    ("change", "blue 100% → blue 90%, green 10%"),
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

fn screen_lines(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(|cell| cell.symbol()).collect())
        .collect()
}

fn live(text: &str) -> TrafficSplit {
    TrafficSplit {
        live: parse_traffic(text).unwrap(),
        mirror: Default::default(),
    }
}

/// The journal the real worker writes against the emulator: a deployment created, a split
/// changed, a two-step plan run to its end; then read back by the worker as the view reads it.
async fn real_journal_page() -> JournalPage {
    let emulator = common::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("journal.jsonl"));
    let (tx, mut rx) = unbounded_channel();
    let worker = Worker::new(
        Arc::new(emulator.client().unwrap()),
        emulator.workspace.clone(),
        tx,
        Some(journal),
        format!("emulator {}", emulator.base_url),
        Duration::from_millis(100),
    );
    let green = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/green-deployment.yml");
    let plan = concat!(
        "deployment: green\nbaseline: blue\nsteps:\n  - traffic: 50\n  - traffic: 100\n",
        "gates:\n  min_requests: 5\n  error_percent_delta: 5.0\n  p95_ratio: 5.0\n",
        "  on_missing_data: pause\non_failure: rollback\n",
    );
    for cmd in [
        Cmd::CreateDeployment {
            op: OpId(1),
            endpoint: "my-endpoint".into(),
            file: green,
            force_update: false,
        },
        Cmd::ApplySplit {
            op: OpId(2),
            endpoint: "my-endpoint".into(),
            base: live("blue=100"),
            target: live("blue=90 green=10"),
        },
        Cmd::RunPlan {
            driver: RequestId(3),
            endpoint: "my-endpoint".into(),
            file: "plan.yml".into(),
            text: plan.into(),
            how: PlanRunHow::Start,
        },
        Cmd::LoadJournal {
            request: RequestId(4),
        },
    ] {
        worker.run(cmd).await;
    }
    let mut page = None;
    while let Ok(msg) = rx.try_recv() {
        match msg {
            Msg::JournalLoaded { result, .. } => page = Some(result.unwrap()),
            Msg::PlanEnded { result, .. } => assert!(result.is_ok(), "{result:?}"),
            Msg::OperationFinished { outcome, .. } => assert!(outcome.is_ok(), "{outcome:?}"),
            _ => {}
        }
    }
    emulator.stop().await;
    page.expect("the journal was read")
}

fn with_page(page: JournalPage) -> AppState {
    let mut state = blue_green("blue=100", "");
    state.clock = chrono::Local::now();
    let request = match &feed(&mut state, [ch('@')])[..] {
        [Cmd::LoadJournal { request }] => *request,
        other => panic!("{other:?}"),
    };
    feed(
        &mut state,
        [Msg::JournalLoaded {
            request,
            result: Ok(page),
        }],
    );
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_journal_reads_in_words_at_80_columns() {
    let page = real_journal_page().await;
    let actions: Vec<&str> = page.records.iter().map(|r| r.action.as_str()).collect();
    for expected in [
        "deployment create",
        "traffic",
        "rollout start",
        "rollout step",
        "rollout done",
    ] {
        assert!(actions.contains(&expected), "{actions:?}");
    }
    let record = |action: &str| {
        page.records
            .iter()
            .find(|r| r.action == action)
            .unwrap()
            .clone()
    };
    // The asset by its short name, not its ARM id.
    let create = record("deployment create");
    assert!(
        create.change.contains("model sklearn-regression:2"),
        "{}",
        create.change
    );
    assert!(
        !create.change.contains("/subscriptions/"),
        "{}",
        create.change
    );
    // A plan step: the step in words and the split's change, no internal fields.
    let steps: Vec<&str> = page
        .records
        .iter()
        .filter(|r| r.action == "rollout step")
        .map(|r| r.change.as_str())
        .collect();
    assert!(
        steps.contains(&"step 1 of 2: traffic 50% · blue 90%, green 10% → blue 50%, green 50%"),
        "{steps:?}"
    );
    for record in &page.records {
        for raw in ["run ", "digest", "phase", "split", "mirror traffic", "  "] {
            assert!(
                !record.change.contains(raw),
                "{raw:?} in {:?}",
                record.change
            );
        }
        assert!(!record.change.trim().is_empty(), "{record:?}");
    }

    let state = with_page(page.clone());
    let lines = screen_lines(&draw(&state, 80, 24));
    let header = lines.iter().find(|l| l.contains("UTC")).unwrap();
    let who_at = header.find("Who").unwrap();
    let rows: Vec<&String> = lines
        .iter()
        .filter(|l| {
            page.records
                .iter()
                .any(|r| l.contains(&r.time.format("%m-%d %H:%M").to_string()))
        })
        .collect();
    assert_eq!(rows.len(), page.records.len().min(20), "{lines:#?}");
    for row in &rows {
        // No principal in the emulator's token: the column is still there, saying so.
        assert_eq!(row[who_at..].chars().next(), Some('-'), "{lines:#?}");
    }
    // The typical traffic change is whole at 80 columns.
    assert!(
        rows.iter()
            .any(|l| l.contains("traffic") && l.contains("blue 100% → blue 90%, green 10%")),
        "{lines:#?}"
    );

    // The detail of the traffic change: an empty mirror reads `none`.
    let at = page
        .records
        .iter()
        .position(|r| r.change == "blue 100% → blue 90%, green 10%")
        .unwrap();
    let mut state = state;
    let mut keys: Vec<Msg> = (0..at).map(|_| ch('j')).collect();
    keys.push(key(KeyCode::Enter));
    feed(&mut state, keys);
    let lines = screen_lines(&draw(&state, 80, 24));
    let before = lines.iter().find(|l| l.contains("before ")).unwrap();
    assert!(before.contains("blue 100%; mirror none"), "{lines:#?}");
}
