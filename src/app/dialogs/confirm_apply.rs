//! Reviewing a traffic draft before it is sent: before → after, its warnings and the az
//! command.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::typing_guard::TypingGuard;
use crate::rollout::SplitDiff;

#[derive(Debug, Clone)]
pub struct ConfirmApply {
    pub endpoint: String,
    pub diff: SplitDiff,
    pub az_command: String,
    /// What to think twice about (capacity, deployments not in service); never a block.
    pub warnings: Vec<String>,
    /// Said above the diff: the endpoint's traffic changed while the draft was open.
    pub warning: Option<String>,
    /// Opened straight from a `:` command: going back undoes the command, not only the review.
    pub from_command: bool,
    pub guard: TypingGuard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Apply,
    Back,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter, KeyCode::Char('y')],
        label: "enter/y",
        does: "apply",
        action: Action::Apply,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n'), KeyCode::Char('q')],
        label: "esc/n",
        does: "back to the draft",
        action: Action::Back,
    },
];

/// The same keys when a `:` command opened the review: there is no draft to go back to.
pub const KEYS_FROM_COMMAND: &[DialogKey<Action>] = &[
    KEYS[0],
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n'), KeyCode::Char('q')],
        label: "esc/n",
        does: "cancel the command",
        action: Action::Back,
    },
];

impl ConfirmApply {
    pub(super) fn keys(&self) -> &'static [DialogKey<Action>] {
        if self.from_command {
            KEYS_FROM_COMMAND
        } else {
            KEYS
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(self.keys(), key) {
            Some(Action::Apply) if !self.guard.lets_confirm(key) => Outcome::Keep,
            Some(Action::Apply) => Outcome::CloseAnd(Request::ApplyDraft {
                endpoint: self.endpoint.clone(),
            }),
            Some(Action::Back) if self.from_command => Outcome::CloseAnd(Request::CancelCommand {
                endpoint: self.endpoint.clone(),
            }),
            Some(Action::Back) => Outcome::Close,
            None => {
                self.guard.unbound(key);
                Outcome::Keep
            }
        }
    }
}
