//! An apply that was not sent because the endpoint's split changed since the draft began:
//! review mine again on top of theirs, take theirs, or decide later.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use crate::rollout::TrafficSplit;

#[derive(Debug, Clone)]
pub struct Stale {
    pub endpoint: String,
    pub base: TrafficSplit,
    pub theirs: TrafficSplit,
    pub yours: TrafficSplit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    KeepMine,
    TakeTheirs,
    Later,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Char('y'), KeyCode::Char('k'), KeyCode::Enter],
        label: "y",
        does: "review yours again on top of theirs",
        action: Action::KeepMine,
    },
    DialogKey {
        keys: &[KeyCode::Char('t')],
        label: "t",
        does: "take theirs, drop yours",
        action: Action::TakeTheirs,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('n')],
        label: "esc",
        does: "decide later",
        action: Action::Later,
    },
];

impl Stale {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        let endpoint = self.endpoint.clone();
        match action_in(KEYS, key) {
            Some(Action::KeepMine) => Outcome::CloseAnd(Request::ReviewOnTheirs {
                endpoint,
                theirs: self.theirs.clone(),
            }),
            Some(Action::TakeTheirs) => Outcome::CloseAnd(Request::TakeTheirs { endpoint }),
            Some(Action::Later) => Outcome::Close,
            None => Outcome::Keep,
        }
    }
}
