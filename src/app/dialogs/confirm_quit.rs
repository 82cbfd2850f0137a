//! Quitting while something would be lost: unapplied drafts, operations still running.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};

#[derive(Debug, Clone)]
pub struct ConfirmQuit {
    /// What would be lost.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Stay,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Char('y'), KeyCode::Char('q')],
        label: "y",
        does: "quit",
        action: Action::Quit,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n'), KeyCode::Enter],
        label: "esc/n",
        does: "stay",
        action: Action::Stay,
    },
];

impl ConfirmQuit {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Quit) => Outcome::KeepAnd(Request::Quit),
            Some(Action::Stay) => Outcome::Close,
            None => Outcome::Keep,
        }
    }
}
