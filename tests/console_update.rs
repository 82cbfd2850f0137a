//! The console's behaviour, driven through the real `update()` with real messages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use aml_rollout::app::dialogs::{
    ConfirmApply, ConfirmQuit, Delete, ErrorNotice, Invoke, Keys, Scale, Stale,
};
use aml_rollout::app::ids::{OpId, RequestId};
use aml_rollout::app::state::{
    DeleteFocus, Dialog, Focus, InvokeRouting, KeysInfo, Prompt, SliderMode, ToastLevel,
};
use aml_rollout::app::{AppState, Cmd, Msg, step, update};
use aml_rollout::ops::OpsError;
use aml_rollout::rollout::KeySlot;
use common::console::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn last_toast(state: &aml_rollout::app::AppState) -> String {
    state
        .ui
        .toasts
        .back()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn select_green(state: &mut aml_rollout::app::AppState) {
    feed(state, [key(KeyCode::Down)]);
    assert_eq!(state.selected_deployment().unwrap().name, "green");
}

fn apply_cmd(
    cmds: &[Cmd],
) -> (
    OpId,
    aml_rollout::rollout::TrafficSplit,
    aml_rollout::rollout::TrafficSplit,
) {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::ApplySplit {
                op, base, target, ..
            } => Some((*op, base.clone(), target.clone())),
            _ => None,
        })
        .expect("an ApplySplit command")
}

#[test]
fn nudging_keeps_the_split_valid_through_a_counterweight() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('l')]);
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed,
        split("blue=99 green=1", "")
    );
    feed(&mut state, [ch('L'), key(KeyCode::Right)]);
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed.live,
        split("blue=88 green=12", "").live
    );
    feed(
        &mut state,
        [
            Msg::Key(KeyEvent::new(KeyCode::Left, KeyModifiers::SHIFT)),
            ch('h'),
            ch('h'),
        ],
    );
    // Back where it started: no draft any more.
    assert!(state.draft_of("my-endpoint").is_none());
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    for _ in 0..15 {
        feed(&mut state, [ch('L')]);
    }
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed.live,
        split("blue=0 green=100", "").live,
        "clamped at 100"
    );
}

#[test]
fn traffic_can_be_turned_off_and_on_again_deliberately() {
    let mut state = blue_green("blue=90 green=10", "");
    feed(&mut state, [ch('0')]);
    let draft = state.draft_of("my-endpoint").expect("a draft");
    assert!(draft.proposed.live.values().all(|p| *p == 0));
    assert!(
        matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))),
        "one key opens the review of an outage, never more; a total of 0 is valid"
    );
    feed(&mut state, [key(KeyCode::Esc)]);
    // From a total of 0, a nudge up gives the selected deployment all of it.
    feed(&mut state, [key(KeyCode::Down), ch('l')]);
    assert_eq!(
        state
            .draft_of("my-endpoint")
            .unwrap()
            .proposed
            .normalized()
            .live,
        split("green=100", "").live
    );
}

#[test]
fn an_apply_goes_through_confirmation_the_worker_and_back() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty(), "enter only opens the confirmation");
    let Some(Dialog::ConfirmApply(ConfirmApply {
        az_command, diff, ..
    })) = &state.ui.dialog
    else {
        panic!("expected the confirmation, got {:?}", state.ui.dialog);
    };
    assert_eq!(
        az_command,
        "az ml online-endpoint update --name my-endpoint --traffic \"blue=90 green=10\""
    );
    assert_eq!(diff.rows.len(), 2);
    let cmds = feed(&mut state, [ch('y')]);
    let (op, base, target) = apply_cmd(&cmds);
    assert_eq!(base, split("blue=100", ""));
    assert_eq!(target.normalized(), split("blue=90 green=10", ""));
    assert!(state.draft_of("my-endpoint").unwrap().applying);
    assert_eq!(state.running_operations(), 1);
    // Sliders are locked while it applies.
    feed(&mut state, [ch('l')]);
    assert!(
        last_toast(&state).contains("wait"),
        "{}",
        last_toast(&state)
    );

    feed(
        &mut state,
        [Msg::OperationProgress {
            op,
            state: "InProgress".into(),
        }],
    );
    assert_eq!(state.ui.operations[0].state, "InProgress");
    let cmds = feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Ok("traffic applied".into()),
        }],
    );
    assert!(state.draft_of("my-endpoint").is_none());
    assert!(
        last_toast(&state).contains("blue=90 green=10"),
        "{}",
        last_toast(&state)
    );
    // The changed endpoint and the list are read again; not every endpoint.
    assert!(
        cmds.iter().any(
            |c| matches!(c, Cmd::RefreshEndpoint { endpoint, .. } if endpoint == "my-endpoint")
        )
    );
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Refresh { .. })));
}

#[test]
fn a_failed_apply_keeps_the_draft_and_shows_the_service_error() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let (op, _, _) = apply_cmd(&feed(&mut state, [key(KeyCode::Enter)]));
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Err(OpsError::Invalid(
                "Conflict: another operation is running".into(),
            )),
        }],
    );
    let draft = state.draft_of("my-endpoint").expect("draft kept");
    assert!(!draft.applying);
    assert_eq!(draft.proposed.normalized(), split("blue=90 green=10", ""));
    match &state.ui.dialog {
        Some(Dialog::Error(ErrorNotice { message, .. })) => {
            assert!(message.contains("another operation"), "{message}");
            assert!(message.contains("draft is kept"), "{message}");
        }
        other => panic!("expected an error dialog, got {other:?}"),
    }
    // The retry is one enter away once the dialog is closed.
    feed(&mut state, [key(KeyCode::Esc), key(KeyCode::Enter)]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
}

#[test]
fn a_stale_draft_asks_the_operator() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let (op, _, _) = apply_cmd(&feed(&mut state, [key(KeyCode::Enter)]));
    let cmds = feed(
        &mut state,
        [Msg::SplitStale {
            op,
            endpoint: "my-endpoint".into(),
            theirs: split("blue=50 green=50", ""),
        }],
    );
    assert!(
        cmds.iter().any(
            |c| matches!(c, Cmd::RefreshEndpoint { endpoint, .. } if endpoint == "my-endpoint")
        )
    );
    let Some(Dialog::Stale(Stale {
        base,
        theirs,
        yours,
        ..
    })) = &state.ui.dialog
    else {
        panic!("expected the stale dialog");
    };
    assert_eq!(base, &split("blue=100", ""));
    assert_eq!(theirs, &split("blue=50 green=50", ""));
    assert_eq!(yours.normalized(), split("blue=90 green=10", ""));
    // Keep mine on top of theirs: the new base is theirs, and it is reviewed again.
    feed(&mut state, [ch('y')]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    let (_, base, _) = apply_cmd(&feed(&mut state, [ch('y')]));
    assert_eq!(base, split("blue=50 green=50", ""));

    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let (op, _, _) = apply_cmd(&feed(&mut state, [key(KeyCode::Enter)]));
    feed(
        &mut state,
        [
            Msg::SplitStale {
                op,
                endpoint: "my-endpoint".into(),
                theirs: split("blue=50 green=50", ""),
            },
            ch('t'),
        ],
    );
    assert!(
        state.draft_of("my-endpoint").is_none(),
        "take theirs drops the draft"
    );
}

#[test]
fn mirror_mode_moves_the_mirror_share_and_refuses_what_azure_refuses() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('m')]);
    assert_eq!(state.ui.slider_mode, SliderMode::Mirror);
    // blue takes live traffic: refused, with the reason on screen.
    feed(&mut state, [ch('l')]);
    assert!(state.draft_of("my-endpoint").is_none());
    assert!(
        last_toast(&state).contains("mirror refused"),
        "{}",
        last_toast(&state)
    );
    select_green(&mut state);
    for _ in 0..7 {
        feed(&mut state, [ch('L')]);
    }
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed.mirror,
        split("", "green=50").mirror,
        "clamped at 50"
    );
    feed(&mut state, [key(KeyCode::Enter)]);
    let Some(Dialog::ConfirmApply(ConfirmApply { az_command, .. })) = &state.ui.dialog else {
        panic!()
    };
    assert!(
        az_command.contains("--mirror-traffic \"green=50\""),
        "{az_command}"
    );

    let mut k8s = loaded_with(
        options(),
        vec![(
            {
                let mut e = endpoint("k8s-ep", "blue=100", "");
                e.kubernetes = true;
                e
            },
            vec![deployment("blue", 1), deployment("green", 1)],
        )],
    );
    feed(&mut k8s, [ch('m'), key(KeyCode::Down), ch('l')]);
    assert!(k8s.draft_of("k8s-ep").is_none());
    assert!(
        last_toast(&k8s).to_lowercase().contains("kubernetes"),
        "{}",
        last_toast(&k8s)
    );
}

#[test]
fn live_traffic_onto_the_mirror_target_clears_its_mirror_in_the_same_draft() {
    let mut state = blue_green("blue=100", "green=10");
    select_green(&mut state);
    feed(&mut state, [ch('L')]);
    let draft = state.draft_of("my-endpoint").unwrap();
    assert_eq!(draft.proposed.normalized(), split("blue=90 green=10", ""));
    assert!(
        draft
            .diff()
            .notes
            .iter()
            .any(|n| n.contains("mirror to green cleared")),
        "{:?}",
        draft.diff().notes
    );
    feed(&mut state, [key(KeyCode::Enter)]);
    let Some(Dialog::ConfirmApply(ConfirmApply {
        az_command, diff, ..
    })) = &state.ui.dialog
    else {
        panic!()
    };
    assert!(
        az_command.contains("--mirror-traffic \"green=0\""),
        "{az_command}"
    );
    assert!(
        diff.rows
            .iter()
            .any(|r| r.deployment == "green" && r.mirror_before == 10 && r.mirror_after == 0)
    );
}

#[test]
fn esc_discards_and_undo_and_known_good_make_new_drafts() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Esc)]);
    assert!(state.draft_of("my-endpoint").is_none());

    feed(&mut state, [ch('z')]);
    assert!(last_toast(&state).contains("nothing to undo"));
    // Apply 90/10, then the service reports it.
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let (op, _, _) = apply_cmd(&feed(&mut state, [key(KeyCode::Enter)]));
    let cmds = feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Ok("ok".into()),
        }],
    );
    answer_reads(
        &mut state,
        &cmds,
        vec![(
            endpoint("my-endpoint", "blue=90 green=10", ""),
            vec![deployment("blue", 1), deployment("green", 1)],
        )],
    );
    assert_eq!(
        state.selected_deployment().unwrap().name,
        "green",
        "selection survives the refresh"
    );
    feed(&mut state, [ch('z')]);
    let draft = state.draft_of("my-endpoint").expect("undo draft");
    assert_eq!(draft.proposed, split("blue=100", ""));
    assert!(
        state.ui.dialog.is_none(),
        "undo is not sent until confirmed"
    );
    feed(&mut state, [key(KeyCode::Esc)]);

    // The known-good split is what the console first saw: blue=100.
    feed(&mut state, [ch('Z')]);
    let Some(Dialog::ConfirmApply(ConfirmApply { diff, .. })) = &state.ui.dialog else {
        panic!("Z confirms at once")
    };
    assert!(
        diff.rows
            .iter()
            .any(|r| r.deployment == "green" && r.live_after == 0)
    );
    feed(&mut state, [key(KeyCode::Esc), key(KeyCode::Esc)]);
    // Marking 90/10 as good makes Z a no-op draft.
    feed(&mut state, [ch('M')]);
    assert!(last_toast(&state).contains("known-good"));
    feed(&mut state, [ch('Z')]);
    assert!(state.draft_of("my-endpoint").is_none());
    assert!(
        last_toast(&state).contains("at its known-good split already"),
        "{}",
        last_toast(&state)
    );
}

#[test]
fn the_command_bar_drafts_traffic_and_mirror_and_scales() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("traffic blue=90 green=10"));
    feed(&mut state, [key(KeyCode::Enter)]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed.live,
        split("blue=90 green=10", "").live
    );
    feed(&mut state, [key(KeyCode::Esc), key(KeyCode::Esc)]);

    for (line, expected) in [
        ("traffic blue=90 green=20", "110"),
        ("traffic blue=90 purple=10", "no deployment purple"),
        ("traffic blue=ninety", "ninety"),
        ("mirror green=60", "50"),
        ("mirror blue=10", "blue"),
        ("scale blue 0", "1 to 50"),
        ("scale purple 2", "no deployment purple"),
        ("launch rockets", "unknown command"),
    ] {
        feed(&mut state, [ch(':')]);
        feed(&mut state, typed(line));
        feed(&mut state, [key(KeyCode::Enter)]);
        match &state.ui.prompt {
            Some(Prompt::Command { error: Some(e), .. }) => {
                assert!(e.contains(expected), "{line}: {e}")
            }
            other => panic!("{line}: expected an error in the bar, got {other:?}"),
        }
        feed(&mut state, [key(KeyCode::Esc)]);
    }
    // Traffic can be disabled deliberately (a total of 0).
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("traffic blue=0 green=0"));
    feed(&mut state, [key(KeyCode::Enter)]);
    assert!(
        matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))),
        "{:?}",
        state.ui.prompt
    );
    feed(&mut state, [key(KeyCode::Esc), key(KeyCode::Esc), ch(':')]);
    feed(&mut state, typed("scale blue 2"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    assert!(
        cmds.iter().any(
            |c| matches!(c, Cmd::Scale { deployment, instances: 2, .. } if deployment == "blue")
        )
    );
}

#[test]
fn typing_a_count_replaces_the_current_one() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('s'), ch('3')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    assert!(
        matches!(&cmds[..], [Cmd::Scale { instances: 3, .. }]),
        "{cmds:?}"
    );
    // Editing keys edit the current count instead.
    feed(&mut state, [ch('s'), key(KeyCode::End), ch('0')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    assert!(
        matches!(&cmds[..], [Cmd::Scale { instances: 10, .. }]),
        "{cmds:?}"
    );
}

#[test]
fn scaling_validates_the_instance_count() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('s')]);
    assert!(matches!(state.ui.dialog, Some(Dialog::Scale(_))));
    for bad in ["0", "51", "two"] {
        feed(&mut state, [ctrl('u')]);
        feed(&mut state, typed(bad));
        let cmds = feed(&mut state, [key(KeyCode::Enter)]);
        assert!(cmds.is_empty(), "{bad}");
        let Some(Dialog::Scale(Scale { error: Some(e), .. })) = &state.ui.dialog else {
            panic!("{bad}: no error")
        };
        assert!(e.contains("1 to 50"), "{e}");
    }
    feed(&mut state, [ctrl('u'), ch('2')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    assert_eq!(
        cmds,
        vec![Cmd::Scale {
            op: match &cmds[0] {
                Cmd::Scale { op, .. } => *op,
                _ => OpId(0),
            },
            endpoint: "my-endpoint".into(),
            deployment: "blue".into(),
            instances: 2
        }]
    );
    assert!(state.ui.dialog.is_none());
    assert_eq!(state.ui.operations.len(), 1);
}

#[test]
fn deleting_needs_the_typed_name_and_never_a_deployment_with_traffic() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ctrl('d')]);
    assert!(state.ui.dialog.is_none());
    assert!(
        last_toast(&state).contains("100% of live traffic"),
        "{}",
        last_toast(&state)
    );
    select_green(&mut state);
    feed(&mut state, [ctrl('d')]);
    let Some(Dialog::Delete(Delete { focus, target, .. })) = &state.ui.dialog else {
        panic!()
    };
    assert_eq!(*focus, DeleteFocus::Cancel, "Cancel is focused");
    assert_eq!(target.name(), "green");
    // Enter on Cancel cancels.
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty() && state.ui.dialog.is_none());
    feed(&mut state, [ctrl('d')]);
    feed(&mut state, typed("gren"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty());
    let Some(Dialog::Delete(Delete { error: Some(e), .. })) = &state.ui.dialog else {
        panic!()
    };
    assert!(e.contains("type green exactly"), "{e}");
    feed(
        &mut state,
        [key(KeyCode::Backspace), key(KeyCode::Backspace)],
    );
    feed(&mut state, typed("een"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(
        matches!(&cmds[..], [Cmd::Delete { deployment: Some(d), .. }] if d == "green"),
        "{cmds:?}"
    );
    // Endpoints are deleted from the endpoints list.
    feed(&mut state, [key(KeyCode::BackTab), ctrl('d')]);
    let Some(Dialog::Delete(Delete { target, .. })) = &state.ui.dialog else {
        panic!()
    };
    assert_eq!(target.deployment, None);
    assert_eq!(target.name(), "my-endpoint");
}

#[test]
fn invoking_pins_the_selected_deployment_or_uses_the_endpoints_routing() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('i')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let (request, deployment) = match &cmds[..] {
        [
            Cmd::Invoke {
                request,
                deployment,
                file,
                ..
            },
        ] => {
            assert!(file.ends_with("sample-request.json"));
            (*request, deployment.clone())
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(deployment.as_deref(), Some("green"));
    feed(
        &mut state,
        [Msg::InvokeFinished {
            request: RequestId(request.0 + 100),
            outcome: Err(OpsError::Invalid("stale".into())),
        }],
    );
    let Some(Dialog::Invoke(Invoke {
        running: true,
        outcome: None,
        ..
    })) = &state.ui.dialog
    else {
        panic!("stale answers are ignored")
    };
    feed(
        &mut state,
        [Msg::InvokeFinished {
            request,
            outcome: Ok(aml_rollout::app::state::InvokeOutcome {
                status: 200,
                deployment: Some("green".into()),
                latency_ms: 12,
                body: "[1.5]".into(),
            }),
        }],
    );
    let Some(Dialog::Invoke(Invoke {
        running: false,
        outcome: Some(Ok(o)),
        ..
    })) = &state.ui.dialog
    else {
        panic!()
    };
    assert_eq!(o.deployment.as_deref(), Some("green"));
    feed(&mut state, [key(KeyCode::Tab)]);
    let Some(Dialog::Invoke(Invoke { routing, .. })) = &state.ui.dialog else {
        panic!()
    };
    assert_eq!(*routing, InvokeRouting::Endpoint);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(matches!(
        &cmds[..],
        [Cmd::Invoke {
            deployment: None,
            ..
        }]
    ));
}

#[test]
fn create_show_keys_journal_help_focus_and_filter() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('c')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    assert!(
        matches!(&cmds[..], [Cmd::CreateDeployment { endpoint, file, .. }] if endpoint == "my-endpoint" && file.ends_with("green-deployment.yml"))
    );
    feed(&mut state, [ch('C')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    assert!(
        matches!(&cmds[..], [Cmd::CreateEndpoint { file, .. }] if file.ends_with("endpoint.yml"))
    );

    let cmds = feed(&mut state, [ch('K')]);
    let keys_request = match &cmds[..] {
        [Cmd::LoadKeys { request, endpoint }] if endpoint == "my-endpoint" => *request,
        other => panic!("{other:?}"),
    };
    feed(
        &mut state,
        [Msg::KeysLoaded {
            request: keys_request,
            endpoint: "my-endpoint".into(),
            result: Ok(KeysInfo {
                auth_mode: "Key".into(),
                scoring_uri: None,
                swagger_uri: None,
                primary: Some("p-secret".into()),
                secondary: Some("s".into()),
                token: None,
                token_expiry: None,
            }),
        }],
    );
    let Some(Dialog::Keys(Keys {
        revealed: false, ..
    })) = &state.ui.dialog
    else {
        panic!("masked by default")
    };
    feed(&mut state, [ch('v')]);
    let Some(Dialog::Keys(Keys { revealed: true, .. })) = &state.ui.dialog else {
        panic!()
    };
    let cmds = feed(&mut state, [ch('R'), ch('y')]);
    assert!(matches!(
        &cmds[..],
        [Cmd::RegenerateKey {
            key: KeySlot::Primary,
            ..
        }]
    ));
    feed(&mut state, [key(KeyCode::Esc)]);

    let journal_request = match &feed(&mut state, [ch('@')])[..] {
        [Cmd::LoadJournal { request }] => *request,
        other => panic!("{other:?}"),
    };
    feed(
        &mut state,
        [
            Msg::JournalLoaded {
                request: journal_request,
                result: Ok(Default::default()),
            },
            key(KeyCode::Esc),
        ],
    );
    feed(&mut state, [ch('?')]);
    assert!(state.ui.show_help);
    feed(&mut state, [key(KeyCode::Esc)]);
    assert!(!state.ui.show_help);

    assert_eq!(state.ui.focus, Focus::Deployments);
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(
        state.ui.focus,
        Focus::Logs(0),
        "tab goes on to the log panes"
    );
    feed(&mut state, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    assert_eq!(
        state.ui.focus,
        Focus::Endpoints,
        "and round to the endpoints"
    );
    feed(&mut state, [ch('/')]);
    feed(&mut state, typed("zzz"));
    assert!(state.visible_endpoints().is_empty());
    feed(&mut state, [key(KeyCode::Esc)]);
    assert_eq!(state.visible_endpoints().len(), 1);
}

#[test]
fn read_only_refuses_every_change_with_a_message() {
    let mut opts = options();
    opts.read_only = true;
    let mut state = loaded_with(
        opts,
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            vec![deployment("blue", 1), deployment("green", 1)],
        )],
    );
    select_green(&mut state);
    for msg in [
        ch('l'),
        key(KeyCode::Enter),
        ch('s'),
        ch('c'),
        ch('C'),
        ctrl('d'),
        ch('z'),
        ch('Z'),
    ] {
        let cmds = feed(&mut state, [msg.clone()]);
        assert!(cmds.is_empty(), "{msg:?}");
        assert!(
            state.ui.dialog.is_none(),
            "{msg:?} opened {:?}",
            state.ui.dialog
        );
        assert!(
            last_toast(&state).starts_with("read-only"),
            "{msg:?}: {}",
            last_toast(&state)
        );
        assert_eq!(state.ui.toasts.back().unwrap().level, ToastLevel::Error);
    }
    assert!(state.ui.drafts.is_empty());
    // Looking is still allowed.
    assert!(matches!(
        &feed(&mut state, [ch('K')])[..],
        [Cmd::LoadKeys { endpoint, .. }] if endpoint == "my-endpoint"
    ));
}

#[test]
fn quitting_asks_only_when_something_would_be_lost() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('q')]);
    assert!(state.ui.quit);
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('l'), ch('q')]);
    assert!(!state.ui.quit);
    let Some(Dialog::ConfirmQuit(ConfirmQuit { reason })) = &state.ui.dialog else {
        panic!()
    };
    assert!(reason.contains("draft"), "{reason}");
    feed(&mut state, [key(KeyCode::Esc)]);
    assert!(!state.ui.quit && state.ui.dialog.is_none());
    feed(&mut state, [ch('q'), ch('y')]);
    assert!(state.ui.quit);
}

#[test]
fn an_older_metrics_answer_does_not_overwrite_a_newer_one() {
    let mut state = blue_green("blue=100", "");
    let served = |per_minute| {
        [Served {
            name: "blue",
            live: 100,
            per_minute,
            failed: 0,
            p95_ms: 40.0,
        }]
    };
    let answer = |request, per_minute| Msg::MetricsLoaded {
        request: RequestId(request),
        endpoint: "my-endpoint".into(),
        result: Ok(Box::new(health(
            "my-endpoint",
            health_time(),
            &served(per_minute),
            5,
        ))),
    };
    feed(&mut state, [answer(20, 1200), answer(10, 5)]);
    let blue = &state.azure.deployments_of("my-endpoint")[0];
    let rate = blue.metrics.as_ref().and_then(|m| m.rate_per_minute);
    assert!(rate.is_some_and(|r| r > 1000.0), "{rate:?}");
}

#[test]
fn toasts_and_finished_operations_fade() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("scale blue 3"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    let op = match &cmds[..] {
        [Cmd::Scale { op, .. }] => *op,
        other => panic!("{other:?}"),
    };
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Ok("scaled".into()),
        }],
    );
    assert_eq!(state.ui.operations.len(), 1);
    assert!(!state.ui.toasts.is_empty());
    let later = state.now + Duration::from_secs(30);
    update(&mut state, Msg::Tick(later));
    assert!(state.ui.operations.is_empty());
    assert!(state.ui.toasts.is_empty());
}

#[test]
fn only_messages_that_change_the_screen_ask_for_a_frame() {
    let mut state = blue_green("blue=100", "");
    // Loaded a moment ago, no toast, nothing running: time passing changes nothing shown.
    let idle = state.now + Duration::from_millis(250);
    let tick = step(&mut state, Msg::Tick(idle));
    assert!(!tick.changed, "an idle tick draws nothing");
    assert!(tick.cmds.is_empty(), "no refresh due yet");

    let selected = state.selected_deployment().unwrap().name.clone();
    let down = step(&mut state, key(KeyCode::Down));
    assert_ne!(state.selected_deployment().unwrap().name, selected);
    assert!(down.changed, "a key that moves the selection draws");

    // A toast that expires, and a running operation's seconds, are changes.
    feed(&mut state, [ch('r')]);
    assert!(!state.ui.toasts.is_empty());
    let later = state.now + Duration::from_secs(30);
    assert!(step(&mut state, Msg::Tick(later)).changed, "a toast fades");
    assert!(
        !step(&mut state, Msg::Tick(later)).changed,
        "same instant, nothing new"
    );
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("scale blue 3"));
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    pass_quota(&mut state, cmds);
    let same_second = state.now + Duration::from_millis(100);
    assert!(!step(&mut state, Msg::Tick(same_second)).changed);
    let next_second = state.now + Duration::from_secs(1);
    assert!(
        step(&mut state, Msg::Tick(next_second)).changed,
        "the tray counts the running scale's seconds"
    );
}

#[test]
fn a_create_that_finds_its_own_failed_attempt_offers_to_update_it_in_place() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('c')]);
    let cmds = feed(&mut state, [key(KeyCode::Enter)]);
    let cmds = pass_quota(&mut state, cmds);
    let (op, file) = match &cmds[..] {
        [
            Cmd::CreateDeployment {
                op,
                file,
                force_update: false,
                ..
            },
        ] => (*op, file.clone()),
        other => panic!("{other:?}"),
    };
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Err(OpsError::FailedCreateExists {
                endpoint: "my-endpoint".into(),
                deployment: "green".into(),
                file: file.display().to_string(),
            }),
        }],
    );
    assert!(
        matches!(&state.ui.dialog, Some(aml_rollout::app::dialogs::Dialog::ConfirmRecreate(d)) if d.deployment == "green"),
        "{:?}",
        state.ui.dialog
    );
    // n leaves it; asked again and answered y, the same file goes again, updating in place.
    feed(&mut state, [ch('n')]);
    assert!(state.ui.dialog.is_none());
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Err(OpsError::FailedCreateExists {
                endpoint: "my-endpoint".into(),
                deployment: "green".into(),
                file: file.display().to_string(),
            }),
        }],
    );
    let cmds = feed(&mut state, [ch('y')]);
    assert!(
        matches!(&cmds[..], [Cmd::CreateDeployment { endpoint, file: again, force_update: true, .. }] if endpoint == "my-endpoint" && *again == file),
        "{cmds:?}"
    );
}

#[test]
fn a_split_changed_elsewhere_after_you_applied_it_is_flagged_once() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let (op, _, _) = apply_cmd(&feed(&mut state, [ch('y')]));
    let cmds = feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Ok("traffic applied".into()),
        }],
    );
    let load =
        |state: &mut aml_rollout::app::AppState, cmds: &[Cmd], live: &str, who: Option<&str>| {
            let mut ep = endpoint("my-endpoint", live, "");
            ep.modified = who.map(str::to_string);
            answer_reads(
                state,
                cmds,
                vec![(ep, vec![deployment("blue", 1), deployment("green", 1)])],
            )
        };
    // As applied: nothing to say.
    load(&mut state, &cmds, "blue=90 green=10", None);
    assert!(!state.drifted("my-endpoint"));
    // A colleague moves it: flagged, with who and when, once.
    let cmds = feed(&mut state, [ch('r')]);
    load(
        &mut state,
        &cmds,
        "blue=50 green=50",
        Some("by alice@contoso.com at 2026-11-30T12:03:10Z"),
    );
    assert!(state.drifted("my-endpoint"));
    let told = last_toast(&state);
    assert!(told.contains("changed elsewhere"), "{told}");
    assert!(
        told.contains("blue=90 green=10") && told.contains("blue=50 green=50"),
        "{told}"
    );
    assert!(told.contains("alice@contoso.com"), "{told}");
    let drift_toasts = |state: &aml_rollout::app::AppState| {
        state
            .ui
            .toasts
            .iter()
            .filter(|t| t.text.contains("changed elsewhere"))
            .count()
    };
    let cmds = feed(&mut state, [ch('r')]);
    load(&mut state, &cmds, "blue=50 green=50", None);
    assert_eq!(drift_toasts(&state), 1, "told once");
}

#[test]
fn a_health_refresh_judges_green_against_blue_and_a_failure_replaces_it_with_its_reason() {
    let mut state = blue_green("blue=75 green=25", "");
    green_failing(&mut state);
    let green = state.azure.deployments_of("my-endpoint")[1]
        .metrics
        .clone()
        .expect("green has health");
    assert_eq!(green.verdict, aml_rollout::rollout::Verdict::Worse);
    assert_eq!(green.baseline.as_deref(), Some("blue"));
    assert_eq!(green.server_error_percent, Some(30.0));
    assert_eq!(green.error_delta_points, Some(30.0));
    assert_eq!((green.requests, green.samples), (2000, 5));
    assert_eq!(green.trend.len(), 30);
    assert_eq!(green.trend.last(), Some(&(400, 120)));
    feed(
        &mut state,
        [Msg::MetricsLoaded {
            request: RequestId(u64::MAX),
            endpoint: "my-endpoint".into(),
            result: Err(aml_rollout::ops::OpsError::Metrics("throttled".into())),
        }],
    );
    assert!(
        state.azure.deployments_of("my-endpoint")[1]
            .metrics
            .is_none(),
        "no figures survive a failed read"
    );
    assert!(state.azure.metrics_errors["my-endpoint"].contains("throttled"));
}

/// Blue on `blue_instances` serving 1200 a minute at 40 ms, green on one instance at
/// `green_p95` ms, green in `green_state`; the operator moves 10% of live traffic to green and
/// opens the confirmation.
fn confirm_ten_percent_to_green(
    blue_instances: u32,
    green_state: &str,
    green_p95: f64,
) -> (AppState, Vec<String>) {
    let mut green = deployment("green", 1);
    green.state = green_state.to_string();
    let mut state = loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            vec![deployment("blue", blue_instances), green],
        )],
    );
    let served = [
        Served {
            name: "blue",
            live: 100,
            per_minute: 1200,
            failed: 0,
            p95_ms: 40.0,
        },
        // A trickle (a smoke test) gives green a latency of its own.
        Served {
            name: "green",
            live: 0,
            per_minute: 1,
            failed: 0,
            p95_ms: green_p95,
        },
    ];
    show_health(&mut state, health("my-endpoint", health_time(), &served, 5));
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let Some(Dialog::ConfirmApply(ConfirmApply { warnings, .. })) = &state.ui.dialog else {
        panic!("expected the confirmation, got {:?}", state.ui.dialog);
    };
    let warnings = warnings.clone();
    (state, warnings)
}

#[test]
fn a_draft_onto_fewer_instances_warns_and_still_applies() {
    let (mut state, warnings) = confirm_ten_percent_to_green(2, "Succeeded", 40.0);
    assert_eq!(
        warnings,
        ["green (1 instance) takes live traffic from blue (2 instances)"]
    );
    let cmds = feed(&mut state, [ch('y')]);
    apply_cmd(&cmds);
}

#[test]
fn a_draft_beyond_admitted_concurrency_or_onto_a_failed_deployment_warns() {
    // 1200/min × 10% × 1.5 s ≈ 3 in flight; one instance admits 2 × 1 at once.
    let (_, warnings) = confirm_ten_percent_to_green(1, "Failed", 1500.0);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0], "green is Failed: it may not answer");
    assert!(
        warnings[1].starts_with("green at 10% would hold about 3 requests at once; it admits 2"),
        "{warnings:?}"
    );
    let (_, quiet) = confirm_ten_percent_to_green(1, "Succeeded", 40.0);
    assert!(quiet.is_empty(), "{quiet:?}");
}

#[test]
fn the_compare_dialog_sends_once_and_drops_an_answer_after_it_closed() {
    let mut state = blue_green("blue=100", "");
    let cmds = feed(
        &mut state,
        [ch('x'), key(KeyCode::Enter), key(KeyCode::Enter)],
    );
    let requests: Vec<RequestId> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Compare {
                request, endpoint, ..
            } if endpoint == "my-endpoint" => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 1, "enter while running sends nothing more");
    feed(&mut state, [key(KeyCode::Esc)]);
    assert!(state.ui.dialog.is_none());
    feed(&mut state, [ch('x')]);
    feed(
        &mut state,
        [Msg::CompareFinished {
            request: requests[0],
            outcome: Err(OpsError::Invalid("late".into())),
        }],
    );
    let Some(Dialog::Compare(dialog)) = &state.ui.dialog else {
        panic!("{:?}", state.ui.dialog);
    };
    assert!(
        dialog.outcome.is_none(),
        "the closed dialog's answer is dropped"
    );
}
