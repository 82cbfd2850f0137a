//! A failure the operator must see (an operation that failed while no dialog was open).

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::Outcome;

#[derive(Debug, Clone)]
pub struct ErrorNotice {
    pub title: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Close,
}

pub const KEYS: &[DialogKey<Action>] = &[DialogKey {
    keys: &[KeyCode::Esc, KeyCode::Enter, KeyCode::Char('q')],
    label: "esc",
    does: "close",
    action: Action::Close,
}];

impl ErrorNotice {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Close) => Outcome::Close,
            None => Outcome::Keep,
        }
    }
}
