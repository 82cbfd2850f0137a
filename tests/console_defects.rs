//! Console defects an operator hit, each driven through the real `update()` with messages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::dialogs::{ConfirmApply, Dialog, ErrorNotice};
use aml_rollout::app::state::SliderMode;
use aml_rollout::app::{AppState, Cmd, Msg};
use aml_rollout::ops::OpsError;
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn toasts(state: &AppState) -> Vec<String> {
    state.ui.toasts.iter().map(|t| t.text.clone()).collect()
}

fn select_green(state: &mut AppState) {
    feed(state, [key(KeyCode::Down)]);
    assert_eq!(state.selected_deployment().unwrap().name, "green");
}

fn apply_op(cmds: &[Cmd]) -> aml_rollout::app::ids::OpId {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::ApplySplit { op, .. } => Some(*op),
            _ => None,
        })
        .expect("an ApplySplit command")
}

fn screen(state: &AppState, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| aml_rollout::ui::render(state, f)).unwrap();
    t.backend().to_string()
}

fn blue_green_workspace(
    live: &str,
) -> Vec<(
    aml_rollout::app::state::EndpointView,
    Vec<aml_rollout::app::state::DeploymentView>,
)> {
    vec![(
        endpoint("my-endpoint", live, ""),
        vec![deployment("blue", 1), deployment("green", 1)],
    )]
}

#[test]
fn one_esc_cancels_a_command_and_its_draft() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("traffic blue=90 green=10"));
    feed(&mut state, [key(KeyCode::Enter)]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    let hints = state.ui.dialog.as_ref().unwrap().hints();
    assert!(
        hints.iter().any(|h| h.does == "cancel the command"),
        "{hints:?}"
    );
    feed(&mut state, [key(KeyCode::Esc)]);
    assert!(state.ui.dialog.is_none());
    assert!(state.draft_of("my-endpoint").is_none(), "one esc is enough");

    // A draft made before the command comes back when the command is cancelled.
    select_green(&mut state);
    feed(&mut state, [ch('L'), ch(':')]);
    feed(&mut state, typed("traffic blue=50 green=50"));
    feed(&mut state, [key(KeyCode::Enter), key(KeyCode::Esc)]);
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed.normalized(),
        split("blue=90 green=10", "")
    );
    // A review opened with enter still goes back to the draft.
    feed(&mut state, [key(KeyCode::Enter), key(KeyCode::Esc)]);
    assert!(state.draft_of("my-endpoint").is_some());
}

#[test]
fn reapplying_a_change_that_landed_says_already_in_effect() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let op = apply_op(&feed(&mut state, [key(KeyCode::Enter)]));
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Err(OpsError::Invalid("the operation timed out".into())),
        }],
    );
    assert!(state.draft_of("my-endpoint").is_some(), "the draft is kept");
    feed(&mut state, [key(KeyCode::Esc), key(KeyCode::Enter)]);
    let op = apply_op(&feed(&mut state, [key(KeyCode::Enter)]));
    feed(
        &mut state,
        [Msg::SplitStale {
            op,
            endpoint: "my-endpoint".into(),
            theirs: split("blue=90 green=10", ""),
        }],
    );
    assert!(
        !matches!(state.ui.dialog, Some(Dialog::Stale(_))),
        "no conflict with oneself"
    );
    assert!(state.draft_of("my-endpoint").is_none());
    assert!(
        toasts(&state)
            .iter()
            .any(|t| t.contains("already in effect")),
        "{:?}",
        toasts(&state)
    );
}

#[test]
fn a_colleagues_change_moves_the_draft_and_its_review_with_a_warning() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    reload(&mut state, blue_green_workspace("blue=80 green=20"));
    let draft = state.draft_of("my-endpoint").unwrap();
    assert_eq!(draft.base.normalized(), split("blue=80 green=20", ""));
    assert!(
        draft
            .warning
            .as_deref()
            .unwrap()
            .contains("changed meanwhile")
    );
    let Some(Dialog::ConfirmApply(ConfirmApply { diff, warning, .. })) = &state.ui.dialog else {
        panic!("the review stays open");
    };
    assert!(warning.is_some());
    let blue = diff.rows.iter().find(|r| r.deployment == "blue").unwrap();
    assert_eq!((blue.live_before, blue.live_after), (80, 90));
    let text = screen(&state, 140, 40);
    assert!(text.contains("changed meanwhile"), "{text}");
    assert!(!text.contains("100% →"), "{text}");
    feed(&mut state, [key(KeyCode::Esc)]);
    let text = screen(&state, 140, 40);
    assert!(
        text.contains("changed meanwhile"),
        "the draft box warns too:\n{text}"
    );

    // When their change is what the draft asked for, the draft is done.
    reload(&mut state, blue_green_workspace("blue=90 green=10"));
    assert!(state.draft_of("my-endpoint").is_none());
    assert!(
        toasts(&state)
            .iter()
            .any(|t| t.contains("already in effect"))
    );
}

#[test]
fn a_conflict_message_and_the_draft_notice_read_as_two_sentences() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [ch('L'), key(KeyCode::Enter)]);
    let op = apply_op(&feed(&mut state, [key(KeyCode::Enter)]));
    feed(
        &mut state,
        [Msg::OperationFinished {
            op,
            outcome: Err(OpsError::Invalid(
                "HTTP 409: another operation is running on this resource; wait for it and retry"
                    .into(),
            )),
        }],
    );
    let Some(Dialog::Error(ErrorNotice { message, .. })) = &state.ui.dialog else {
        panic!("an error dialog");
    };
    assert!(
        message.contains("and retry. Your draft is kept"),
        "{message}"
    );
}

#[test]
fn a_mirror_cleared_by_live_traffic_is_said_once() {
    let mut state = blue_green("blue=100", "green=10");
    select_green(&mut state);
    feed(&mut state, [ch('L')]);
    let text = screen(&state, 160, 40);
    assert_eq!(text.matches("mirror to green cleared").count(), 1, "{text}");
}

fn two_endpoints() -> AppState {
    loaded_with(
        options(),
        vec![
            (
                endpoint("a-endpoint", "blue=100", ""),
                vec![deployment("blue", 1), deployment("green", 1)],
            ),
            (
                endpoint("b-endpoint", "blue=100", ""),
                vec![deployment("blue", 1), deployment("green", 1)],
            ),
        ],
    )
}

#[test]
fn the_slider_mode_starts_on_live_for_each_endpoint_and_after_a_discard() {
    let mut state = two_endpoints();
    feed(&mut state, [ch('m')]);
    assert_eq!(state.ui.slider_mode, SliderMode::Mirror);
    feed(&mut state, [key(KeyCode::BackTab), key(KeyCode::Down)]);
    assert_eq!(state.selected_endpoint().unwrap().name, "b-endpoint");
    assert_eq!(state.ui.slider_mode, SliderMode::Live, "another endpoint");

    feed(
        &mut state,
        [key(KeyCode::Tab), ch('m'), key(KeyCode::Down), ch('l')],
    );
    assert!(state.draft_of("b-endpoint").is_some());
    feed(&mut state, [key(KeyCode::Esc)]);
    assert!(state.draft_of("b-endpoint").is_none());
    assert_eq!(state.ui.slider_mode, SliderMode::Live, "after a discard");
}

fn pane_names(state: &AppState) -> Vec<String> {
    state
        .logs
        .panes
        .iter()
        .map(|p| p.deployment.clone())
        .collect()
}

#[test]
fn log_panes_keep_their_order_while_traffic_moves() {
    let mut state = blue_green("blue=100", "");
    let names = |s: &AppState| pane_names(s);
    assert_eq!(names(&state), ["blue", "green"]);
    // green takes everything: the panes stay where the operator is looking.
    reload(&mut state, blue_green_workspace("green=100"));
    assert_eq!(names(&state), ["blue", "green"]);
    let mut workspace = blue_green_workspace("green=100");
    workspace[0].1.insert(0, deployment("amber", 1));
    reload(&mut state, workspace);
    assert_eq!(
        names(&state),
        ["blue", "green", "amber"],
        "a new one comes last"
    );
}

#[test]
fn a_new_visit_of_an_endpoint_orders_its_panes_by_traffic_again() {
    let mut state = loaded_with(
        options(),
        vec![
            (
                endpoint("a-endpoint", "green=100", ""),
                vec![deployment("blue", 1), deployment("green", 1)],
            ),
            (
                endpoint("b-endpoint", "blue=100", ""),
                vec![deployment("blue", 1), deployment("green", 1)],
            ),
        ],
    );
    assert_eq!(pane_names(&state), ["green", "blue"]);
    feed(&mut state, [key(KeyCode::BackTab), key(KeyCode::Down)]);
    assert_eq!(pane_names(&state), ["blue", "green"]);
}

/// The screen's rows joined, with runs of spaces and borders removed, so that wrapped texts
/// can be searched for word by word.
fn words_on(screen: &str) -> String {
    screen
        .replace(['│', '"'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_help_overlay_shows_every_text_whole_at_any_width() {
    use aml_rollout::app::keymap::KEYMAP;
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('?')]);
    let wide = screen(&state, 200, 60);
    for b in KEYMAP.iter().filter(|b| !b.help.is_empty()) {
        assert!(
            wide.contains(b.help),
            "{:?} is whole at 200 columns:\n{wide}",
            b.help
        );
    }
    // At 80x24 the texts wrap and the overlay scrolls: every word shows on some page.
    let mut seen = String::new();
    for _ in 0..80 {
        seen.push_str(&words_on(&draw_mapped(&mut state, 80, 24)));
        seen.push(' ');
        feed(&mut state, [ch('j')]);
    }
    for b in KEYMAP.iter().filter(|b| !b.help.is_empty()) {
        for word in b.help.split_whitespace() {
            assert!(
                seen.contains(word),
                "{word:?} of {:?} shows at 80x24:\n{}",
                b.help,
                screen(&state, 80, 24)
            );
        }
    }
}

#[test]
fn a_long_toast_is_shown_whole() {
    let mut state = blue_green("blue=100", "");
    let text = "refresh failed: the management endpoint answered 503 Service Unavailable after three retries; the console keeps the last data it had and tries again";
    feed(&mut state, [Msg::Warning(text.into())]);
    for width in [200, 120, 80] {
        let shown = words_on(&screen(&state, width, 30));
        assert!(
            shown.contains(&words_on(text)),
            "at {width} columns: {shown}"
        );
    }
}

#[test]
fn every_prefilled_field_is_replaced_by_typing_and_edited_by_editing_keys() {
    let mut state = blue_green("blue=100", "");
    // Create: a typed path replaces the proposed one.
    feed(&mut state, [ch('C')]);
    feed(&mut state, typed("/home/me/green.yml"));
    let Some(Dialog::CreateFromFile(create)) = &state.ui.dialog else {
        panic!("the create dialog");
    };
    assert_eq!(create.input.value(), "/home/me/green.yml");
    feed(&mut state, [key(KeyCode::Esc)]);
    // An editing key first keeps the proposed path to edit.
    feed(&mut state, [ch('C'), key(KeyCode::Backspace), ch('x')]);
    let Some(Dialog::CreateFromFile(create)) = &state.ui.dialog else {
        panic!("the create dialog");
    };
    assert_eq!(create.input.value(), "assets/demo/endpoint.ymx");
    feed(&mut state, [key(KeyCode::Esc)]);
    // Invoke behaves the same, as does scale.
    feed(&mut state, [ch('i')]);
    feed(&mut state, typed("req.json"));
    let Some(Dialog::Invoke(invoke)) = &state.ui.dialog else {
        panic!("the invoke dialog");
    };
    assert_eq!(invoke.input.value(), "req.json");
    feed(&mut state, [key(KeyCode::Esc), ch('s'), ch('3')]);
    let Some(Dialog::Scale(scale)) = &state.ui.dialog else {
        panic!("the scale dialog");
    };
    assert_eq!(scale.input.value(), "3");
}

#[test]
fn all_traffic_to_one_deployment_and_all_off_open_a_review() {
    let mut state = blue_green("blue=100", "green=10");
    select_green(&mut state);
    feed(&mut state, [ch('A')]);
    let Some(Dialog::ConfirmApply(ConfirmApply { az_command, .. })) = &state.ui.dialog else {
        panic!("A opens the review");
    };
    assert!(az_command.contains("green=100"), "{az_command}");
    assert_eq!(
        state.draft_of("my-endpoint").unwrap().proposed.normalized(),
        split("green=100", ""),
        "its mirror is cleared as Azure requires"
    );
    feed(&mut state, [key(KeyCode::Esc), key(KeyCode::Esc), ch('0')]);
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
}

#[test]
fn credentials_and_known_good_have_their_own_keys() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('j'), ch('k')]);
    assert_eq!(
        state.selected_deployment().unwrap().name,
        "blue",
        "k moves up"
    );
    feed(&mut state, [ch('M')]);
    assert!(toasts(&state).iter().any(|t| t.contains("known-good")));
    let cmds = feed(&mut state, [ch('K')]);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::LoadKeys { .. })));
}

#[test]
fn read_only_shows_only_the_keys_that_work() {
    let mut read_only = options();
    read_only.read_only = true;
    let mut state = loaded_with(
        read_only,
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            vec![deployment("blue", 1), deployment("green", 1)],
        )],
    );
    let text = screen(&state, 200, 40);
    let status = text.lines().last().unwrap();
    for gone in ["apply", "scale", "delete", "mirror"] {
        assert!(!status.contains(gone), "{gone:?} in {status}");
    }
    assert!(
        status.contains("invoke") && status.contains("help"),
        "{status}"
    );
    feed(&mut state, [ch('?')]);
    let help = screen(&state, 200, 60);
    for gone in [
        "Delete the selected",
        "Scale the selected",
        "Review the draft",
    ] {
        assert!(!help.contains(gone), "{gone:?} in {help}");
    }
    assert!(help.contains("Refresh now"), "{help}");
    // The dialogs listed in help are those that open here, with the keys they offer here.
    for gone in [
        "Review a traffic change",
        "Scale:",
        "regenerate",
        "Open a rollout plan",
    ] {
        assert!(!help.contains(gone), "{gone:?} in {help}");
    }
    assert!(help.contains("Credentials: v reveal"), "{help}");
    feed(&mut state, [key(KeyCode::Esc)]);

    // The credentials dialog does not offer regenerating; pressed anyway, R says why.
    feed(&mut state, [ch('K')]);
    let hints: Vec<&str> = state
        .ui
        .dialog
        .as_ref()
        .unwrap()
        .hints()
        .iter()
        .map(|h| h.does)
        .collect();
    assert_eq!(hints, ["reveal", "close"]);
    feed(&mut state, [ch('R')]);
    assert!(toasts(&state).iter().any(|t| t.contains("read-only")));
    feed(&mut state, [key(KeyCode::Esc)]);

    // The command bar completes and suggests only what changes nothing.
    feed(&mut state, [ch(':'), key(KeyCode::Tab)]);
    let Some(aml_rollout::app::state::Prompt::Command { error, matches, .. }) = &state.ui.prompt
    else {
        panic!("the command bar: {:?}", state.ui.prompt);
    };
    assert_eq!(error, &None, "the choices are not an error");
    let offered = matches.clone().unwrap_or_default();
    assert!(offered.contains("journal"), "{offered}");
    for gone in ["traffic", "scale", "apply", "delete", "abort"] {
        assert!(!offered.contains(gone), "{gone:?} offered: {offered}");
    }
    feed(&mut state, [key(KeyCode::Enter)]);
    let Some(aml_rollout::app::state::Prompt::Command { error, .. }) = &state.ui.prompt else {
        panic!("the command bar: {:?}", state.ui.prompt);
    };
    let usage = error.clone().unwrap_or_default();
    assert!(!usage.contains("traffic"), "{usage}");
}

fn title_with(
    target: aml_rollout::app::state::TargetLabel,
) -> (String, Vec<ratatui::style::Color>) {
    let mut opts = options();
    opts.target = target;
    opts.no_color = false;
    let state = loaded_with(opts, blue_green_workspace("blue=100"));
    let mut t = Terminal::new(TestBackend::new(160, 30)).unwrap();
    t.draw(|f| aml_rollout::ui::render(&state, f)).unwrap();
    let buffer = t.backend().buffer().clone();
    // Production is framed: its title bar is the row inside the frame.
    let y = u16::from(state.options.production());
    let row: String = (0..160)
        .map(|x| buffer[(x, y)].symbol().to_string())
        .collect();
    let backgrounds = (0..160).map(|x| buffer[(x, y)].bg).collect();
    (row, backgrounds)
}

fn badge_background(
    row: &str,
    backgrounds: &[ratatui::style::Color],
    badge: &str,
) -> ratatui::style::Color {
    let at = row
        .find(badge)
        .unwrap_or_else(|| panic!("{badge} in {row}"));
    backgrounds[row[..at].chars().count() + 1]
}

#[test]
fn each_kind_of_target_has_its_own_badge_and_production_stands_out() {
    use aml_rollout::app::state::TargetLabel;
    let (demo, demo_bg) = title_with(TargetLabel::Demo);
    let (emulator, emulator_bg) = title_with(TargetLabel::Emulator {
        url: "http://127.0.0.1:1".into(),
        subscription: "00000000-0000-0000-0000-000000000000".into(),
        resource_group: "rg".into(),
        workspace: "dev-ws".into(),
    });
    let (azure, azure_bg) = title_with(TargetLabel::Azure {
        subscription: "11111111-1111-1111-1111-111111111111".into(),
        resource_group: "rg".into(),
        workspace: "ml-dev".into(),
    });
    let colours = [
        badge_background(&demo, &demo_bg, " DEMO "),
        badge_background(&emulator, &emulator_bg, " EMULATOR "),
        badge_background(&azure, &azure_bg, " AZURE "),
    ];
    assert!(
        colours[0] != colours[1] && colours[1] != colours[2] && colours[0] != colours[2],
        "{colours:?}"
    );
    assert!(!azure.contains("PROD"));
    let (prod, prod_bg) = title_with(TargetLabel::Azure {
        subscription: "11111111-1111-1111-1111-111111111111".into(),
        resource_group: "rg".into(),
        workspace: "ml-PROD-weu".into(),
    });
    assert!(prod.contains(" PROD "), "{prod}");
    assert!(
        prod_bg
            .iter()
            .filter(|c| **c == ratatui::style::Color::Red)
            .count()
            > 100,
        "the title bar is red for production"
    );
}

/// Text typed into a traffic confirmation (the operator thought the `:` bar was open) must not
/// confirm it with a `y` inside a word: that `y` is refused and the dialog says why. A key
/// pressed for the dialog then confirms.
#[test]
fn a_y_inside_text_typed_into_a_confirmation_does_not_apply_it() {
    let mut state = blue_green("blue=100", "");
    let mut msgs = typed(":traffic blue=90 green=10");
    msgs.push(key(KeyCode::Enter));
    let cmds = feed(&mut state, msgs);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmApply(_))));
    let applied = |cmds: &[Cmd]| cmds.iter().any(|c| matches!(c, Cmd::ApplySplit { .. }));
    for text in [":apply", ":traffic yellow=10"] {
        let mut msgs = typed(text);
        msgs.push(key(KeyCode::Enter));
        let cmds = feed(&mut state, msgs);
        assert!(!applied(&cmds), "typed {text:?} applied it: {cmds:?}");
        let Some(Dialog::ConfirmApply(dialog)) = &state.ui.dialog else {
            panic!("still asking after {text:?}: {:?}", state.ui.dialog);
        };
        assert!(dialog.guard.notice().is_some());
        let shown = screen(&state, 120, 40);
        assert!(
            shown.contains("not confirmed: text was typed here"),
            "{shown}"
        );
        feed(&mut state, [key(KeyCode::Esc)]);
        let mut msgs = typed(":traffic blue=90 green=10");
        msgs.push(key(KeyCode::Enter));
        feed(&mut state, msgs);
    }
    // A `y` pressed after the refusal confirms.
    feed(&mut state, typed("x"));
    assert!(!applied(&feed(&mut state, [key(KeyCode::Enter)])));
    apply_op(&feed(&mut state, [ch('y')]));
}

/// The key that hides the log panes shows them again from wherever focus went, and never
/// means something else there (it was `L`, which is +10 in the deployments table: pressed twice
/// from a pane it drafted a traffic change).
#[test]
fn the_logs_key_twice_from_a_pane_hides_and_shows_them_and_drafts_nothing() {
    let mut state = blue_green("blue=100", "");
    select_green(&mut state);
    feed(&mut state, [key(KeyCode::Tab)]);
    assert!(
        matches!(state.ui.focus, aml_rollout::app::state::Focus::Logs(_)),
        "{:?}",
        state.ui.focus
    );
    feed(&mut state, [ch('o')]);
    assert!(state.logs.hidden);
    feed(&mut state, [ch('o')]);
    assert!(!state.logs.hidden);
    assert!(state.draft_of("my-endpoint").is_none(), "nothing drafted");
}

/// Draws a frame as the event loop does, keeping where things went (the help overlay's reach).
fn draw_mapped(state: &mut AppState, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut screen = Default::default();
    t.draw(|f| screen = aml_rollout::ui::render_mapped(state, f))
        .unwrap();
    state.screen = screen;
    t.backend().to_string()
}

/// At 80x24 the help overlay scrolls; scrolling stops at its end, so `k` moves back at once,
/// and g/G, ctrl-d/ctrl-u page through it.
#[test]
fn the_help_overlay_scrolls_no_further_than_its_end() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch('?')]);
    draw_mapped(&mut state, 80, 24);
    let last = state.screen.help_max_scroll;
    assert!(last > 10, "the keys do not fit 80x24: {last}");
    for _ in 0..last + 50 {
        feed(&mut state, [ch('j')]);
        draw_mapped(&mut state, 80, 24);
    }
    assert_eq!(state.ui.help_scroll, last);
    feed(&mut state, [ch('k')]);
    let shown = draw_mapped(&mut state, 80, 24);
    assert!(shown.contains(&format!("({}/{last})", last - 1)), "{shown}");
    feed(&mut state, [ch('g')]);
    assert_eq!(state.ui.help_scroll, 0);
    feed(&mut state, [ctrl('d')]);
    assert_eq!(state.ui.help_scroll, 10);
    feed(&mut state, [ctrl('u')]);
    assert_eq!(state.ui.help_scroll, 0);
    feed(&mut state, [ch('G')]);
    assert_eq!(state.ui.help_scroll, last);
}

/// A deployment name longer than the usual column keeps a gap before its figures in the draft
/// and the confirmation (`purple-long-name-xlive 0% → 10%` ran together).
#[test]
fn long_deployment_names_keep_a_gap_before_their_figures() {
    let mut state = loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            vec![deployment("blue", 1), deployment("purple-long-name-x", 1)],
        )],
    );
    feed(&mut state, [key(KeyCode::Down), ch('L')]);
    let draft = screen(&state, 160, 40);
    assert!(draft.contains("purple-long-name-x  live"), "{draft}");
    feed(&mut state, [key(KeyCode::Enter)]);
    let confirm = screen(&state, 160, 40);
    assert!(confirm.contains("purple-long-name-x  live"), "{confirm}");
}

/// A narrow status bar drops whole hints, never cuts one, and keeps `? help` and `q quit`.
#[test]
fn a_narrow_status_bar_keeps_help_and_quit_and_cuts_no_hint() {
    use aml_rollout::app::keymap::status_hints;
    let state = blue_green("blue=100", "");
    let wide = screen(&state, 240, 40);
    let wide_status = wide.lines().last().unwrap().to_string();
    let all = status_hints(state.ui.focus, false, false, true);
    for width in [80u16, 100, 120] {
        let text = screen(&state, width, 24);
        let status = text.lines().last().unwrap();
        assert!(
            status.contains("? help") && status.contains("q quit"),
            "{width} columns: {status}"
        );
        // Every hint shown is whole: its keys are followed by its full word.
        for (keys, hint) in &all {
            let shown = format!("{keys} ");
            if let Some(at) = status.find(&format!("  {shown}")) {
                assert!(
                    status[at + 2..].starts_with(&format!("{keys} {hint}")),
                    "{width} columns cut {keys:?}: {status}"
                );
            }
        }
    }
    assert!(wide_status.contains("? help"), "{wide_status}");
}

/// Deployments scrolled out of a short table are counted on its border, above and below.
#[test]
fn rows_scrolled_out_of_the_deployments_table_are_counted() {
    let names: Vec<String> = (0..14).map(|i| format!("dep-{i:02}")).collect();
    let mut state = loaded_with(
        options(),
        vec![(
            endpoint("my-endpoint", "dep-00=100", ""),
            names.iter().map(|n| deployment(n, 1)).collect(),
        )],
    );
    let top = screen(&state, 80, 24);
    assert!(top.contains("↓") && top.contains("more"), "{top}");
    for _ in 0..names.len() {
        feed(&mut state, [key(KeyCode::Down)]);
    }
    let bottom = screen(&state, 80, 24);
    assert!(bottom.contains("↑") && bottom.contains("more"), "{bottom}");
    let roomy = screen(&state, 120, 60);
    assert!(!roomy.contains(" more "), "all rows fit: {roomy}");
}
