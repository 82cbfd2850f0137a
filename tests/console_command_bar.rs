//! The `:` bar through the real `update()`: named commands for the keys' actions, history on
//! ↑/↓ and tab completion.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::dialogs::Dialog;
use aml_rollout::app::state::Prompt;
use aml_rollout::app::{AppState, Cmd};
use common::console::*;
use crossterm::event::KeyCode;

fn command(state: &mut AppState, line: &str) -> Vec<Cmd> {
    feed(state, [ch(':')]);
    feed(state, typed(line));
    feed(state, [key(KeyCode::Enter)])
}

fn bar(state: &AppState) -> (String, Option<String>) {
    match &state.ui.prompt {
        Some(Prompt::Command {
            input,
            error,
            matches,
        }) => (input.value().to_string(), error.clone().or(matches.clone())),
        other => panic!("the command bar is open: {other:?}"),
    }
}

#[test]
fn named_commands_do_what_their_keys_do() {
    let mut state = blue_green("blue=100", "");
    command(&mut state, "help");
    assert!(state.ui.show_help);
    feed(&mut state, [key(KeyCode::Esc)]);
    command(&mut state, "logs");
    assert!(state.logs.hidden);
    let cmds = command(&mut state, "refresh");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Refresh { .. })));
    command(&mut state, "scale");
    assert!(matches!(state.ui.dialog, Some(Dialog::Scale(_))));
    feed(&mut state, [key(KeyCode::Esc)]);
    command(&mut state, "help me");
    assert!(bar(&state).1.unwrap().contains("takes no arguments"));
    feed(&mut state, [key(KeyCode::Esc)]);
    command(&mut state, "q");
    assert!(state.ui.quit, ":q quits when nothing would be lost");
    let mut state = blue_green("blue=100", "");
    command(&mut state, "quit");
    assert!(state.ui.quit);
}

#[test]
fn up_and_down_walk_the_history() {
    let mut state = blue_green("blue=100", "");
    command(&mut state, "traffic blue=90 green=10");
    feed(&mut state, [key(KeyCode::Esc)]);
    command(&mut state, "launch rockets");
    feed(&mut state, [key(KeyCode::Esc), ch(':'), key(KeyCode::Up)]);
    assert_eq!(bar(&state).0, "launch rockets");
    feed(&mut state, [key(KeyCode::Up)]);
    assert_eq!(bar(&state).0, "traffic blue=90 green=10");
    feed(&mut state, [key(KeyCode::Up)]);
    assert_eq!(
        bar(&state).0,
        "traffic blue=90 green=10",
        "the oldest stays"
    );
    feed(&mut state, [key(KeyCode::Down), key(KeyCode::Down)]);
    assert_eq!(bar(&state).0, "", "past the newest: an empty line");
}

#[test]
fn tab_completes_verbs_and_deployment_names() {
    let mut state = blue_green("blue=100", "");
    feed(&mut state, [ch(':')]);
    feed(&mut state, typed("tra"));
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(bar(&state).0, "traffic ");
    feed(&mut state, typed("gr"));
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(bar(&state).0, "traffic green=");
    feed(&mut state, [key(KeyCode::Esc), ch(':')]);
    feed(&mut state, typed("re"));
    feed(&mut state, [key(KeyCode::Tab)]);
    let (line, hint) = bar(&state);
    assert_eq!(line, "re");
    let hint = hint.unwrap();
    assert!(
        hint.contains("refresh") && hint.contains("restore-good"),
        "{hint}"
    );
    feed(&mut state, [key(KeyCode::Esc), ch(':')]);
    feed(&mut state, typed("scale b"));
    feed(&mut state, [key(KeyCode::Tab)]);
    assert_eq!(bar(&state).0, "scale blue ");
}
