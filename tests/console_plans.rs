//! Rollout plans in the console, driven through the real `update()` with real messages: open,
//! preview, start, progress, the controls and their confirmations, quitting while a plan runs,
//! a plan started elsewhere shown read-only; and the plan panel rendered mid-bake.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::collections::BTreeMap;

use aml_rollout::app::dialogs::{PlanControl, PlanPreview};
use aml_rollout::app::ids::RequestId;
use aml_rollout::app::msg::PlanRunHow;
use aml_rollout::app::plans::{PlanStatus, StepMark};
use aml_rollout::app::state::Dialog;
use aml_rollout::app::{AppState, Cmd, Msg, update};
use aml_rollout::ops::{GateReport, OpsError, PlanEnd, PlanEvent, PlanRecord};
use aml_rollout::rollout::plan::{Phase, Progress};
use chrono::{DateTime, TimeZone, Utc};
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The demo with green selected.
fn demo() -> AppState {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [key(KeyCode::Down)]);
    assert_eq!(state.selected_deployment().unwrap().name, "green");
    state
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
}

fn toasts(state: &AppState) -> String {
    state
        .ui
        .toasts
        .iter()
        .map(|t| t.text.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// `p`, enter on an empty path: the seed's plan previewed; nothing sent yet.
fn preview_default(state: &mut AppState) -> PlanPreview {
    let cmds = feed(state, [ch('p')]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(matches!(state.ui.dialog, Some(Dialog::PlanOpen(_))));
    let cmds = feed(state, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty(), "a preview sends nothing: {cmds:?}");
    match &state.ui.dialog {
        Some(Dialog::PlanPreview(p)) => p.clone(),
        other => panic!("a preview, not {other:?}"),
    }
}

/// Starts the seed's plan; returns the runner's id.
fn started(state: &mut AppState) -> RequestId {
    preview_default(state);
    let cmds = feed(state, [key(KeyCode::Enter)]);
    match cmds.as_slice() {
        [
            Cmd::RunPlan {
                driver,
                endpoint,
                text,
                how: PlanRunHow::Start,
                ..
            },
        ] => {
            assert_eq!(endpoint, "my-endpoint");
            assert!(text.contains("deployment: green"), "{text}");
            *driver
        }
        other => panic!("one RunPlan, not {other:?}"),
    }
}

fn progress(state: &mut AppState, event: PlanEvent) {
    update(
        state,
        Msg::PlanProgress {
            endpoint: "my-endpoint".into(),
            event,
        },
    );
}

fn report(verdict: &'static str, green_errors: f64) -> GateReport {
    GateReport {
        verdict,
        reason: format!("green {green_errors:.1}% errors vs blue 0.4%"),
        green_requests: 240,
        green_error_percent: green_errors,
        baseline_requests: 2200,
        baseline_error_percent: 0.4,
        green_p95_ms: Some(61.0),
        baseline_p95_ms: Some(50.0),
        window_start: at(0),
        window_end: at(300),
    }
}

fn status(state: &AppState) -> PlanStatus {
    state.ui.plan.as_ref().unwrap().status.clone()
}

/// Started, step 1 applied, step 1 baking until `at(300)`.
fn baking(state: &mut AppState) -> RequestId {
    let driver = started(state);
    progress(
        state,
        PlanEvent::StepApplied {
            step: 0,
            what: "mirror 10".into(),
            before: "blue=100".into(),
            after: "blue=100, mirror green=10".into(),
        },
    );
    progress(
        state,
        PlanEvent::Baking {
            step: 0,
            until: at(300),
        },
    );
    driver
}

#[test]
fn the_seeds_plan_is_previewed_for_the_selected_deployment_then_started_and_followed() {
    let mut state = demo();
    let preview = preview_default(&mut state);
    let (plan, baseline) = preview.checked.clone().expect("the seed's plan is valid");
    assert_eq!(plan.deployment, "green");
    assert_eq!(baseline, "blue");
    assert_eq!(plan.steps.len(), 5, "mirror 10, 10, 50, approval, 100");
    assert!(plan.steps[0].bake.is_some());
    // Bakes read as the plan writes them.
    let shown = render(&state, 200, 50);
    assert!(shown.contains("bake 5m, then gates"), "{shown}");
    // Cancelling the preview sends nothing.
    assert!(feed(&mut state, [key(KeyCode::Esc)]).is_empty());
    assert!(state.ui.dialog.is_none() && state.ui.plan.is_none());
    let driver = started(&mut state);
    assert!(state.ui.dialog.is_none());
    assert_eq!(status(&state), PlanStatus::Starting);

    progress(
        &mut state,
        PlanEvent::Started {
            endpoint: "my-endpoint".into(),
            deployment: "green".into(),
            baseline: "blue".into(),
            digest: "0123456789abcdef".into(),
            run: "0a1b2c3d".into(),
            steps: 5,
            original: "blue=100".into(),
        },
    );
    progress(
        &mut state,
        PlanEvent::StepApplied {
            step: 0,
            what: "mirror 10".into(),
            before: "blue=100".into(),
            after: "blue=100, mirror green=10".into(),
        },
    );
    progress(
        &mut state,
        PlanEvent::Baking {
            step: 0,
            until: at(300),
        },
    );
    let panel = state.ui.plan.clone().unwrap();
    assert_eq!(panel.status, PlanStatus::Baking { until: at(300) });
    assert_eq!(panel.mark(0), StepMark::Running);
    assert_eq!(panel.mark(1), StepMark::Waiting);
    assert_eq!(panel.split.as_deref(), Some("blue=100, mirror green=10"));

    progress(
        &mut state,
        PlanEvent::Gates {
            step: 0,
            report: report("pass", 0.5),
        },
    );
    let panel = state.ui.plan.clone().unwrap();
    assert_eq!(panel.mark(0), StepMark::Done);
    assert_eq!(panel.mark(1), StepMark::Running);
    assert_eq!(panel.gates.as_ref().unwrap().1.verdict, "pass");

    progress(
        &mut state,
        PlanEvent::Done {
            steps: 5,
            split: "green=100".into(),
        },
    );
    let cmds = update(
        &mut state,
        Msg::PlanEnded {
            driver,
            endpoint: "my-endpoint".into(),
            result: Ok(PlanEnd::Done),
        },
    );
    assert_eq!(status(&state), PlanStatus::Done);
    assert!((0..5).all(|i| state.ui.plan.as_ref().unwrap().mark(i) == StepMark::Done));
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Refresh { .. })),
        "the split changed: {cmds:?}"
    );
    assert!(toasts(&state).contains("done"), "{}", toasts(&state));
}

#[test]
fn a_plan_file_with_an_error_is_refused_in_the_preview_with_its_position_and_nothing_is_sent() {
    let mut state = demo();
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("plan my-plan.yml"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let request = match cmds.as_slice() {
        [Cmd::ReadPlanFile { request, file, .. }] => {
            assert_eq!(file.to_str(), Some("my-plan.yml"));
            *request
        }
        other => panic!("the file is read first: {other:?}"),
    };
    let cmds = update(
        &mut state,
        Msg::PlanFileRead {
            request,
            endpoint: "my-endpoint".into(),
            file: "my-plan.yml".into(),
            result: Ok("deployment: green\nsteps:\n  - mirror: 70\n".into()),
        },
    );
    assert!(cmds.is_empty());
    let Some(Dialog::PlanPreview(preview)) = &state.ui.dialog else {
        panic!("a preview: {:?}", state.ui.dialog);
    };
    let refused = preview.checked.clone().unwrap_err();
    assert!(refused.starts_with("my-plan.yml:3:"), "{refused}");
    // Enter cannot start a refused plan: it only closes.
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(state.ui.dialog.is_none() && state.ui.plan.is_none());
}

#[test]
fn promote_and_abort_ask_first_and_pause_resume_go_through_the_worker() {
    let mut state = demo();
    let runner = baking(&mut state);

    // Promote: a confirmation; esc sends nothing.
    assert!(feed(&mut state, [ch('Y')]).is_empty());
    let Some(Dialog::ConfirmPlan(confirm)) = &state.ui.dialog else {
        panic!("a confirmation: {:?}", state.ui.dialog);
    };
    assert_eq!(confirm.control, PlanControl::Promote);
    assert!(confirm.consequence.contains("traffic 10%"), "{confirm:?}");
    assert!(feed(&mut state, [key(KeyCode::Esc)]).is_empty());
    assert!(state.ui.dialog.is_none());
    feed(&mut state, [ch('Y')]);
    let cmds = feed(&mut state, [ch('y')]);
    assert!(
        matches!(cmds.as_slice(), [Cmd::PromotePlan { endpoint, .. }] if endpoint == "my-endpoint"),
        "{cmds:?}"
    );

    // Pause needs no confirmation (traffic stays); its runner then stops.
    let cmds = feed(&mut state, [ch('P')]);
    assert_eq!(
        cmds,
        vec![Cmd::PausePlan {
            endpoint: "my-endpoint".into()
        }]
    );
    progress(
        &mut state,
        PlanEvent::Paused {
            step: 0,
            reason: "paused by a person (console)".into(),
        },
    );
    update(
        &mut state,
        Msg::PlanEnded {
            driver: runner,
            endpoint: "my-endpoint".into(),
            result: Ok(PlanEnd::Paused {
                reason: "paused by a person (console)".into(),
            }),
        },
    );
    assert!(matches!(status(&state), PlanStatus::Paused { .. }));
    let cmds = feed(&mut state, [ch('P')]);
    let resumed = match cmds.as_slice() {
        [
            Cmd::RunPlan {
                driver,
                how: PlanRunHow::Resume,
                ..
            },
        ] => *driver,
        other => panic!("a resume: {other:?}"),
    };
    assert_ne!(resumed, runner);

    // Abort: a confirmation, then the rollback; the runner's own late end does not count.
    feed(&mut state, [ch('X')]);
    let Some(Dialog::ConfirmPlan(confirm)) = &state.ui.dialog else {
        panic!("a confirmation: {:?}", state.ui.dialog);
    };
    assert_eq!(confirm.control, PlanControl::Abort);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let abort = match cmds.as_slice() {
        [Cmd::AbortPlan { driver, endpoint }] if endpoint == "my-endpoint" => *driver,
        other => panic!("an abort: {other:?}"),
    };
    // While the rollback runs, the runner's pause on the way is not the plan's state: nothing
    // offers to resume it, and quitting says the abort stops part-way.
    assert_eq!(status(&state), PlanStatus::Aborting);
    progress(
        &mut state,
        PlanEvent::Paused {
            step: 0,
            reason: "aborted by a person (rollout abort)".into(),
        },
    );
    assert_eq!(status(&state), PlanStatus::Aborting);
    let screen = render(&state, 200, 50);
    assert!(screen.contains("ABORTING at step 1"), "{screen}");
    assert!(!screen.contains("P resumes"), "{screen}");
    assert!(!screen.contains("X abort"), "{screen}");
    assert!(feed(&mut state, [ch('P'), ch('X')]).is_empty());
    assert!(state.ui.dialog.is_none(), "{:?}", state.ui.dialog);
    feed(&mut state, [ch('q')]);
    let Some(Dialog::ConfirmQuit(quit)) = &state.ui.dialog else {
        panic!("quitting asks: {:?}", state.ui.dialog);
    };
    assert!(
        quit.reason.contains("rollout abort -e my-endpoint"),
        "{}",
        quit.reason
    );
    feed(&mut state, [key(KeyCode::Esc)]);
    progress(
        &mut state,
        PlanEvent::RolledBack {
            step: 0,
            reason: "aborted by a person (rollout abort)".into(),
            restored: "blue=100".into(),
        },
    );
    update(
        &mut state,
        Msg::PlanEnded {
            driver: resumed,
            endpoint: "my-endpoint".into(),
            result: Ok(PlanEnd::Paused {
                reason: "aborted".into(),
            }),
        },
    );
    assert!(matches!(status(&state), PlanStatus::RolledBack { .. }));
    update(
        &mut state,
        Msg::PlanEnded {
            driver: abort,
            endpoint: "my-endpoint".into(),
            result: Ok(PlanEnd::RolledBack {
                reason: "aborted by a person (rollout abort)".into(),
            }),
        },
    );
    assert!(matches!(status(&state), PlanStatus::RolledBack { .. }));
    // Nothing runs any more: the step it stopped at says so, and the split is what it restored.
    let panel = state.ui.plan.as_ref().unwrap();
    assert_eq!(panel.mark(panel.step), StepMark::Stopped);
    let shown = render(&state, 200, 50);
    assert!(shown.contains("✗ stopped"), "{shown}");
    assert!(!shown.contains("▶ running"), "{shown}");
    assert!(shown.contains("restored blue=100"), "{shown}");
    // Ended: the controls say so instead of sending anything.
    assert!(feed(&mut state, [ch('X'), ch('Y'), ch('P')]).is_empty());
    assert!(state.ui.dialog.is_none());
}

#[test]
fn a_manual_gate_is_approved_after_a_confirmation_by_a_new_runner() {
    let mut state = demo();
    let runner = baking(&mut state);
    progress(
        &mut state,
        PlanEvent::AwaitingApproval {
            step: 3,
            prompt: "50% looks fine?".into(),
        },
    );
    update(
        &mut state,
        Msg::PlanEnded {
            driver: runner,
            endpoint: "my-endpoint".into(),
            result: Ok(PlanEnd::AwaitingApproval {
                prompt: "50% looks fine?".into(),
            }),
        },
    );
    feed(&mut state, [ch('Y')]);
    let Some(Dialog::ConfirmPlan(confirm)) = &state.ui.dialog else {
        panic!("a confirmation: {:?}", state.ui.dialog);
    };
    assert!(
        confirm.consequence.contains("50% looks fine?"),
        "{confirm:?}"
    );
    assert!(confirm.consequence.contains("traffic 100%"), "{confirm:?}");
    let cmds = feed(&mut state, [ch('y')]);
    assert!(
        matches!(
            cmds.as_slice(),
            [Cmd::RunPlan {
                how: PlanRunHow::Approve,
                ..
            }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn a_runner_that_fails_leaves_the_plan_resumable() {
    let mut state = demo();
    let runner = baking(&mut state);
    update(
        &mut state,
        Msg::PlanEnded {
            driver: runner,
            endpoint: "my-endpoint".into(),
            result: Err(OpsError::Invalid("connection reset".into())),
        },
    );
    assert!(matches!(status(&state), PlanStatus::Failed { .. }));
    let cmds = feed(&mut state, [ch('P')]);
    assert!(
        matches!(
            cmds.as_slice(),
            [Cmd::RunPlan {
                how: PlanRunHow::Resume,
                ..
            }]
        ),
        "{cmds:?}"
    );
}

#[test]
fn quitting_while_the_plan_runs_asks_and_says_it_stays_resumable() {
    let mut state = demo();
    baking(&mut state);
    feed(&mut state, [ch('q')]);
    assert!(!state.ui.quit);
    let Some(Dialog::ConfirmQuit(confirm)) = &state.ui.dialog else {
        panic!("a quit confirmation: {:?}", state.ui.dialog);
    };
    assert!(
        confirm.reason.contains("rollout resume -e my-endpoint"),
        "{}",
        confirm.reason
    );
    feed(&mut state, [ch('y')]);
    assert!(state.ui.quit);

    // Once the plan has ended, q quits at once.
    let mut state = demo();
    let runner = baking(&mut state);
    update(
        &mut state,
        Msg::PlanEnded {
            driver: runner,
            endpoint: "my-endpoint".into(),
            result: Ok(PlanEnd::Done),
        },
    );
    feed(&mut state, [ch('q')]);
    assert!(state.ui.quit);
}

/// The tags another runner leaves on the endpoint, read back as a refresh reads them.
fn record_of_another_runner() -> PlanRecord {
    let mut progress = Progress::start(split("blue=100", ""), "blue".into());
    progress.step = 1;
    progress.expected = split("blue=90 green=10", "");
    progress.phase = Phase::Baking { since: at(0) };
    let record = PlanRecord {
        run: "feedbeef".into(),
        digest: "0123456789abcdef".into(),
        steps: 5,
        progress,
        started: at(-600),
        step_started: at(0),
        request: None,
    };
    let tags = record.merged_into(&BTreeMap::new()).unwrap();
    PlanRecord::from_tags(&tags).unwrap().unwrap()
}

#[test]
fn a_plan_started_elsewhere_is_shown_read_only_and_its_keys_are_not_offered() {
    let mut state = demo();
    let mut ep = endpoint("my-endpoint", "blue=90 green=10", "");
    ep.plan = Some(record_of_another_runner());
    reload(
        &mut state,
        vec![(ep, vec![deployment("blue", 1), deployment("green", 1)])],
    );
    let screen = render(&state, 140, 40);
    assert!(screen.contains("started elsewhere (read-only)"), "{screen}");
    assert!(screen.contains("step 2 of 5"), "{screen}");
    assert!(screen.contains("run feedbeef"), "{screen}");
    let status_bar = screen.lines().last().unwrap();
    assert!(status_bar.contains("p plan"), "{status_bar}");
    for hint in ["pause/resume", "promote", "abort"] {
        assert!(!status_bar.contains(hint), "{hint} offered: {status_bar}");
    }
    // The keys send nothing, and a second plan is refused in the preview.
    assert!(feed(&mut state, [ch('P'), ch('Y'), ch('X')]).is_empty());
    assert!(toasts(&state).contains("read-only"), "{}", toasts(&state));
    let preview = preview_default(&mut state);
    let refused = preview.checked.unwrap_err();
    assert!(refused.contains("already runs"), "{refused}");
}

fn render(state: &AppState, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| aml_rollout::ui::render(state, f))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_plan_panel_mid_bake_shows_the_steps_the_countdown_and_the_gate_figures() {
    let mut state = demo();
    // 3 minutes 5 seconds of the bake left, from the start: the panes' plan markers say when.
    state.clock = at(600 - 185).with_timezone(&chrono::Local);
    baking(&mut state);
    progress(
        &mut state,
        PlanEvent::Gates {
            step: 0,
            report: report("pass", 0.5),
        },
    );
    progress(
        &mut state,
        PlanEvent::StepApplied {
            step: 1,
            what: "traffic 10".into(),
            before: "blue=100, mirror green=10".into(),
            after: "blue=90 green=10".into(),
        },
    );
    progress(
        &mut state,
        PlanEvent::Baking {
            step: 1,
            until: at(600),
        },
    );
    let screen = render(&state, 140, 40);
    assert!(screen.contains("3m 05s left"), "{screen}");
    let status_bar = screen.lines().last().unwrap();
    for hint in ["P pause/resume", "Y promote", "X abort"] {
        assert!(status_bar.contains(hint), "{hint} in {status_bar}");
    }
    insta::assert_snapshot!(screen);
}
