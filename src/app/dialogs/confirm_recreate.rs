//! A create that cannot go ahead because an earlier create of the same deployment failed: offer
//! to update the failed deployment in place from the same file, so that trying again converges.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::typing_guard::TypingGuard;

#[derive(Debug, Clone)]
pub struct ConfirmRecreate {
    pub endpoint: String,
    pub deployment: String,
    pub file: PathBuf,
    pub guard: TypingGuard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Update,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Char('y'), KeyCode::Enter],
        label: "enter/y",
        does: "update it in place",
        action: Action::Update,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n')],
        label: "esc/n",
        does: "leave it",
        action: Action::Cancel,
    },
];

impl ConfirmRecreate {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Update) if !self.guard.lets_confirm(key) => Outcome::Keep,
            Some(Action::Update) => Outcome::CloseAnd(Request::Recreate {
                endpoint: self.endpoint.clone(),
                file: self.file.clone(),
            }),
            Some(Action::Cancel) => Outcome::Close,
            None => {
                self.guard.unbound(key);
                Outcome::Keep
            }
        }
    }
}
