use super::*;
use crossterm::event::KeyEventKind;

fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)
}

#[test]
fn the_focused_panel_decides_first() {
    let l = key(KeyCode::Char('l'), KeyModifiers::NONE);
    assert_eq!(action_for(Focus::Deployments, &l), Some(Action::NudgeUp));
    assert_eq!(action_for(Focus::Endpoints, &l), Some(Action::Open));
    let big = key(KeyCode::Char('L'), KeyModifiers::SHIFT);
    assert_eq!(
        action_for(Focus::Deployments, &big),
        Some(Action::NudgeUpBig)
    );
    let shift_left = key(KeyCode::Left, KeyModifiers::SHIFT);
    assert_eq!(
        action_for(Focus::Deployments, &shift_left),
        Some(Action::NudgeDownBig)
    );
    let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(action_for(Focus::Endpoints, &q), Some(Action::Quit));
    let ctrl_d = key(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(
        action_for(Focus::Deployments, &ctrl_d),
        Some(Action::Delete)
    );
    let d = key(KeyCode::Char('d'), KeyModifiers::NONE);
    assert_eq!(action_for(Focus::Deployments, &d), None);
}

#[test]
fn every_action_with_a_hint_is_reachable_from_its_panel() {
    for b in KEYMAP {
        for k in b.keys {
            let focus = match b.scope {
                Scope::Endpoints => Focus::Endpoints,
                Scope::Logs => Focus::Logs(0),
                Scope::Deployments | Scope::Global => Focus::Deployments,
            };
            let event = key(k.code, k.modifiers);
            let got = action_for(focus, &event);
            if b.scope != Scope::Global {
                assert_eq!(got, Some(b.action), "{} in {:?}", b.keys_label, b.scope);
            }
        }
    }
}
