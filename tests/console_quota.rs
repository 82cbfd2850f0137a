//! The scale and create dialogs check the core quota before they send: the figures come from
//! the worker (`Cmd::CheckQuota` → `Msg::QuotaChecked`), the dialog shows them, and a change
//! that cannot fit is refused until the operator forces it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::dialogs::quota_gate::QuotaGate;
use aml_rollout::app::ids::RequestId;
use aml_rollout::app::msg::QuotaQuestion;
use aml_rollout::app::state::Dialog;
use aml_rollout::app::{AppState, Cmd, Msg};
use aml_rollout::ops::OpsError;
use aml_rollout::rollout::{QuotaCheck, QuotaFigures};
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 10 four-core instances with the reserve: 48 cores, 40 more than blue holds; 32 free.
fn over_quota() -> QuotaCheck {
    QuotaCheck::Known(QuotaFigures {
        family_label: "Standard DSv2 Family".into(),
        needed: 48,
        held_now: 8,
        free: 32,
        fits: false,
    })
}

fn check_request(cmds: &[Cmd]) -> (RequestId, QuotaQuestion) {
    match cmds {
        [Cmd::CheckQuota { request, question }] => (*request, question.clone()),
        other => panic!("expected a quota check: {other:?}"),
    }
}

fn gate(state: &AppState) -> QuotaGate {
    match &state.ui.dialog {
        Some(Dialog::Scale(d)) => d.quota.clone(),
        Some(Dialog::CreateFromFile(d)) => d.quota.clone(),
        other => panic!("no scale or create dialog: {other:?}"),
    }
}

fn dialog_error(state: &AppState) -> Option<String> {
    match &state.ui.dialog {
        Some(Dialog::Scale(d)) => d.error.clone(),
        Some(Dialog::CreateFromFile(d)) => d.error.clone(),
        _ => None,
    }
}

/// Opens the scale dialog on blue, types 10 and presses enter: the check is asked for.
fn scale_blue_to_ten(state: &mut AppState) -> RequestId {
    feed(state, [ch('s'), ch('1'), ch('0')]);
    let cmds = feed(state, [key(KeyCode::Enter)]);
    let (request, question) = check_request(&cmds);
    assert_eq!(
        question,
        QuotaQuestion::Scale {
            endpoint: "my-endpoint".into(),
            deployment: "blue".into(),
            instances: 10,
        }
    );
    assert_eq!(
        gate(state).line().as_deref(),
        Some("checking the core quota…")
    );
    request
}

fn draw(state: &AppState) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).unwrap();
    terminal
        .draw(|f| aml_rollout::ui::render(state, f))
        .unwrap();
    terminal
}

#[test]
fn a_scale_over_quota_shows_the_figures_and_refuses_enter_until_forced() {
    let mut state = blue_green("blue=100", "");
    let request = scale_blue_to_ten(&mut state);
    // Enter while the figures are coming sends nothing and asks nothing more.
    assert!(feed(&mut state, [key(KeyCode::Enter)]).is_empty());
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request,
            result: Ok(over_quota()),
        }],
    );
    assert_eq!(
        gate(&state).line().as_deref(),
        Some("needs 40 more cores (48 in all, incl. 20% reserve), 32 free in Standard DSv2 Family")
    );
    let hints: Vec<&str> = state
        .ui
        .dialog
        .as_ref()
        .unwrap()
        .hints()
        .iter()
        .map(|h| h.label)
        .collect();
    assert_eq!(hints, ["enter", "F2", "esc"]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty(), "refused: {cmds:?}");
    let refusal = dialog_error(&state).expect("the refusal is shown");
    assert!(refusal.contains("does not fit"), "{refusal}");
    assert!(refusal.contains("F2 to send anyway"), "{refusal}");
    assert!(state.ui.operations.is_empty(), "nothing was started");

    let cmds = feed(&mut state, [key(KeyCode::F(2))]);
    assert!(
        matches!(&cmds[..], [Cmd::Scale { instances: 10, deployment, .. }] if deployment == "blue"),
        "{cmds:?}"
    );
    assert!(state.ui.dialog.is_none());
}

#[test]
fn figures_that_fit_or_cannot_be_read_let_the_next_enter_send() {
    let mut state = blue_green("blue=100", "");
    let request = scale_blue_to_ten(&mut state);
    let unknown = QuotaCheck::Unknown("usages not read: 403 AuthorizationFailed".into());
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request,
            result: Ok(unknown),
        }],
    );
    assert_eq!(
        gate(&state).line().as_deref(),
        Some("quota unknown: usages not read: 403 AuthorizationFailed")
    );
    // The hint says what the next enter does now: it sends.
    let enter = state.ui.dialog.as_ref().unwrap().hints()[0];
    assert_eq!((enter.label, enter.does), ("enter", "scale"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(
        matches!(&cmds[..], [Cmd::Scale { instances: 10, .. }]),
        "{cmds:?}"
    );
}

#[test]
fn editing_the_count_asks_again_and_a_late_answer_is_dropped() {
    let mut state = blue_green("blue=100", "");
    let first = scale_blue_to_ten(&mut state);
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request: first,
            result: Ok(over_quota()),
        }],
    );
    // 2 instead of 10: the figures no longer apply.
    feed(&mut state, [ctrl('u'), ch('2')]);
    assert_eq!(gate(&state), QuotaGate::NotChecked);
    assert!(
        feed(&mut state, [key(KeyCode::F(2))]).is_empty(),
        "F2 works only over quota"
    );
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let (second, _) = check_request(&cmds);
    // The first answer again (late, duplicated): not for this question.
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request: first,
            result: Ok(over_quota()),
        }],
    );
    assert!(matches!(gate(&state), QuotaGate::Checking { .. }));
    let cmds = pass_quota(
        &mut state,
        vec![Cmd::CheckQuota {
            request: second,
            question: QuotaQuestion::Scale {
                endpoint: "my-endpoint".into(),
                deployment: "blue".into(),
                instances: 2,
            },
        }],
    );
    assert!(
        matches!(&cmds[..], [Cmd::Scale { instances: 2, .. }]),
        "{cmds:?}"
    );
}

#[test]
fn a_create_over_quota_is_refused_and_a_bad_file_is_the_dialogs_error() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('c')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let (request, question) = check_request(&cmds);
    assert!(
        matches!(&question, QuotaQuestion::CreateDeployment { endpoint, file } if endpoint == "my-endpoint" && file.ends_with("green-deployment.yml")),
        "{question:?}"
    );
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request,
            result: Err(OpsError::File(
                "cannot read green.yml: \u{1b}[31mno such file".into(),
            )),
        }],
    );
    let error = dialog_error(&state).expect("the file's error is shown");
    assert!(error.contains("no such file"), "{error}");
    assert!(!error.contains('\u{1b}'), "sanitized: {error:?}");
    assert_eq!(gate(&state), QuotaGate::NotChecked);

    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let (request, _) = check_request(&cmds);
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request,
            result: Ok(over_quota()),
        }],
    );
    assert!(feed(&mut state, [key(KeyCode::Enter)]).is_empty());
    assert!(dialog_error(&state).is_some_and(|e| e.contains("does not fit")));
    let cmds = feed(&mut state, [key(KeyCode::F(2))]);
    assert!(
        matches!(
            &cmds[..],
            [Cmd::CreateDeployment {
                force_update: false,
                ..
            }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn an_endpoint_create_draws_on_no_quota_and_is_not_checked() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('C')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(
        matches!(&cmds[..], [Cmd::CreateEndpoint { .. }]),
        "{cmds:?}"
    );
}

#[test]
fn scale_dialog_with_the_quota_line() {
    let mut state = blue_green("blue=100", "");
    let request = scale_blue_to_ten(&mut state);
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request,
            result: Ok(over_quota()),
        }],
    );
    feed(&mut state, [key(KeyCode::Enter)]);
    insta::assert_snapshot!(draw(&state).backend());
}

#[test]
fn the_command_bars_scale_shows_the_figures_first_too() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("scale blue 10"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let (request, question) = check_request(&cmds);
    assert_eq!(
        question,
        QuotaQuestion::Scale {
            endpoint: "my-endpoint".into(),
            deployment: "blue".into(),
            instances: 10,
        }
    );
    feed(
        &mut state,
        [Msg::QuotaChecked {
            request,
            result: Ok(over_quota()),
        }],
    );
    assert!(
        feed(&mut state, [key(KeyCode::Enter)]).is_empty(),
        "refused"
    );
    assert!(dialog_error(&state).is_some_and(|e| e.contains("does not fit")));
}
