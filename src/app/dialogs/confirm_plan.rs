//! Confirming what a person asks of a running plan where it changes traffic: promote (skip the
//! rest of the bake, or approve a manual gate: the next step's split follows) and abort (the
//! split the plan began with is restored).

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, PlanControl, Request};
use super::typing_guard::TypingGuard;

#[derive(Debug, Clone)]
pub struct ConfirmPlan {
    pub endpoint: String,
    pub control: PlanControl,
    /// What it will do, in words ("traffic 50%: green gets 50% of live traffic").
    pub consequence: String,
    pub guard: TypingGuard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Confirm,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Char('y'), KeyCode::Enter],
        label: "y",
        does: "confirm",
        action: Action::Confirm,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n')],
        label: "esc/n",
        does: "cancel",
        action: Action::Cancel,
    },
];

impl ConfirmPlan {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Confirm) if !self.guard.lets_confirm(key) => Outcome::Keep,
            Some(Action::Confirm) => Outcome::CloseAnd(Request::ControlPlan {
                endpoint: self.endpoint.clone(),
                control: self.control,
            }),
            Some(Action::Cancel) => Outcome::Close,
            None => {
                self.guard.unbound(key);
                Outcome::Keep
            }
        }
    }
}
