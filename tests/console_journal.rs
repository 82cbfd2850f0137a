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

/// The column a header's word starts at, in characters.
fn column_of(line: &str, word: &str) -> usize {
    let at = line.find(word).unwrap();
    line[..at].chars().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_steps_and_created_assets_read_in_words() {
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
    // A plan step: the step it applied in words and the split's change, no internal fields.
    let steps: Vec<&str> = page
        .records
        .iter()
        .filter(|r| r.action == "rollout step")
        .map(|r| r.change.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "step 2 of 2: traffic 100% · blue 50%, green 50% → green 100%",
            "step 1 of 2: traffic 50% · blue 90%, green 10% → blue 50%, green 50%",
        ]
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
    // The asset by its short name, not its ARM id.
    let create = page
        .records
        .iter()
        .find(|r| r.action == "deployment create")
        .unwrap();
    assert!(
        create.change.starts_with("model sklearn-regression:2, "),
        "{}",
        create.change
    );
    assert!(
        !create.change.contains("/subscriptions/"),
        "{}",
        create.change
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_80_columns_every_row_says_when_and_who_and_the_traffic_change_is_whole() {
    let page = real_journal_page().await;
    let state = with_page(page.clone());
    let lines = screen_lines(&draw(&state, 80, 24));
    let header = lines.iter().find(|l| l.contains("UTC")).unwrap();
    let who_at = column_of(header, "Who");
    // Each row begins with its record's date and time.
    let rows: Vec<&String> = lines
        .iter()
        .filter(|l| {
            page.records.iter().any(|r| {
                l.chars()
                    .skip(2)
                    .collect::<String>()
                    .starts_with(&r.time.format("%m-%d %H:%M ").to_string())
            })
        })
        .collect();
    assert_eq!(rows.len(), page.records.len(), "{lines:#?}");
    for row in &rows {
        // No principal in the emulator's token: the column is still there, saying so.
        assert_eq!(row.chars().nth(who_at), Some('-'), "{lines:#?}");
    }
    assert!(
        rows.iter()
            .any(|l| l.contains(" traffic ") && l.contains(" blue 100% → blue 90%, green 10% ")),
        "{lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detail_of_a_real_change_says_none_for_an_empty_value() {
    let page = real_journal_page().await;
    // The oldest traffic change is the one made before the plan, from blue alone.
    let at = page
        .records
        .iter()
        .rposition(|r| r.action == "traffic")
        .unwrap();
    let mut state = with_page(page);
    let mut keys: Vec<Msg> = (0..at).map(|_| ch('j')).collect();
    keys.push(key(KeyCode::Enter));
    feed(&mut state, keys);
    let lines = screen_lines(&draw(&state, 80, 24));
    let before = lines.iter().find(|l| l.contains("before ")).unwrap();
    assert!(
        before.contains("before      blue 100%; mirror none "),
        "{lines:#?}"
    );
}
