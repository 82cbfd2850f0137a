//! Reviewing a traffic draft before it is sent: before → after, its warnings and the az
//! command.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use crate::rollout::SplitDiff;

#[derive(Debug, Clone)]
pub struct ConfirmApply {
    pub endpoint: String,
    pub diff: SplitDiff,
    pub az_command: String,
    /// What to think twice about (capacity, deployments not in service); never a block.
    pub warnings: Vec<String>,
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

impl ConfirmApply {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Apply) => Outcome::CloseAnd(Request::ApplyDraft {
                endpoint: self.endpoint.clone(),
            }),
            Some(Action::Back) => Outcome::Close,
            None => Outcome::Keep,
        }
    }
}
