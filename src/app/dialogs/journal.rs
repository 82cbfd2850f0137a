//! The journal of applied changes, newest first, scrollable.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::Outcome;

#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// `None` while loading.
    pub lines: Option<Result<Vec<String>, String>>,
    pub scroll: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ScrollDown,
    ScrollUp,
    Close,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "j/k",
        does: "scroll",
        action: Action::ScrollDown,
    },
    // Written with j above: one hint for both directions.
    DialogKey {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "k",
        does: "",
        action: Action::ScrollUp,
    },
    DialogKey {
        keys: &[
            KeyCode::Esc,
            KeyCode::Char('q'),
            KeyCode::Char('@'),
            KeyCode::Enter,
        ],
        label: "esc",
        does: "close",
        action: Action::Close,
    },
];

impl Journal {
    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::ScrollDown) => self.scroll += 1,
            Some(Action::ScrollUp) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Close) => return Outcome::Close,
            None => {}
        }
        Outcome::Keep
    }
}
