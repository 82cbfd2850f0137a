//! A rollout plan before it starts: its steps, bakes, gates and what happens on failure, or
//! why it is refused (with the line and column). Starting it is the first thing sent.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use crate::rollout::plan::Plan;

#[derive(Debug, Clone)]
pub struct PlanPreview {
    pub endpoint: String,
    /// Where the plan came from, as shown.
    pub file: String,
    pub text: String,
    /// The plan and its baseline, or why it cannot run here.
    pub checked: Result<(Plan, String), String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter, KeyCode::Char('y')],
        label: "enter",
        does: "start the plan",
        action: Action::Start,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n'), KeyCode::Char('q')],
        label: "esc",
        does: "cancel (nothing sent)",
        action: Action::Cancel,
    },
];

/// A refused plan can only be closed.
pub const KEYS_REFUSED: &[DialogKey<Action>] = &[DialogKey {
    keys: &[KeyCode::Esc, KeyCode::Enter, KeyCode::Char('q')],
    label: "esc",
    does: "close (nothing sent)",
    action: Action::Cancel,
}];

impl PlanPreview {
    pub fn keys(&self) -> &'static [DialogKey<Action>] {
        if self.checked.is_ok() {
            KEYS
        } else {
            KEYS_REFUSED
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match (action_in(self.keys(), key), &self.checked) {
            (Some(Action::Start), Ok((plan, baseline))) => Outcome::CloseAnd(Request::StartPlan {
                endpoint: self.endpoint.clone(),
                file: self.file.clone(),
                text: self.text.clone(),
                plan: Box::new(plan.clone()),
                baseline: baseline.clone(),
            }),
            (Some(Action::Cancel), _) => Outcome::Close,
            _ => Outcome::Keep,
        }
    }
}
