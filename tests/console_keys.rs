//! The keymap as an operator with k9s and vim habits meets it: no key means two things in
//! one panel, j/k move in every list, ctrl-u/ctrl-d page in logs while ctrl-d deletes in tables.

use aml_rollout::app::keymap::{Action, KEYMAP, Scope, action_for};
use aml_rollout::app::state::Focus;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)
}

#[test]
fn no_key_means_two_things_in_one_panel() {
    for scope in [
        Scope::Endpoints,
        Scope::Deployments,
        Scope::Logs,
        Scope::Global,
    ] {
        let mut seen: Vec<(KeyCode, KeyModifiers, Action)> = Vec::new();
        for b in KEYMAP.iter().filter(|b| b.scope == scope) {
            for k in b.keys {
                let clash = seen
                    .iter()
                    .find(|(c, m, a)| *c == k.code && *m == k.modifiers && *a != b.action);
                assert!(clash.is_none(), "{} twice in {scope:?}", b.keys_label);
                seen.push((k.code, k.modifiers, b.action));
            }
        }
    }
}

#[test]
fn vim_keys_move_in_every_list_and_page_in_logs() {
    let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
    let k = key(KeyCode::Char('k'), KeyModifiers::NONE);
    for focus in [Focus::Endpoints, Focus::Deployments] {
        assert_eq!(action_for(focus, &j), Some(Action::Down));
        assert_eq!(action_for(focus, &k), Some(Action::Up));
    }
    assert_eq!(action_for(Focus::Logs(0), &k), Some(Action::LogUp));
    let ctrl_u = key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    let ctrl_d = key(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(action_for(Focus::Logs(0), &ctrl_u), Some(Action::LogPageUp));
    assert_eq!(
        action_for(Focus::Logs(0), &ctrl_d),
        Some(Action::LogPageDown)
    );
    assert_eq!(
        action_for(Focus::Deployments, &ctrl_d),
        Some(Action::Delete)
    );
    let g = key(KeyCode::Char('g'), KeyModifiers::NONE);
    assert_eq!(action_for(Focus::Logs(0), &g), Some(Action::LogTop));
    assert_eq!(action_for(Focus::Deployments, &g), Some(Action::First));
}
