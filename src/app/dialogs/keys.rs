//! An endpoint's scoring URI and credentials, masked until revealed; the primary key can be
//! regenerated after a second confirmation.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::{Context, Outcome, Request};
use crate::app::snapshot::KeysInfo;

#[derive(Debug, Clone)]
pub struct Keys {
    pub endpoint: String,
    pub info: Option<Result<KeysInfo, String>>,
    pub revealed: bool,
    pub confirm_regenerate: bool,
    /// Regenerating is refused in read-only mode, so it is not offered.
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ToggleReveal,
    Regenerate,
    Close,
    ConfirmRegenerate,
    CancelRegenerate,
}

const REGENERATE: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Char('R')],
    label: "R",
    does: "regenerate primary key",
    action: Action::Regenerate,
};
const CLOSE: DialogKey<Action> = DialogKey {
    keys: &[
        KeyCode::Esc,
        KeyCode::Char('q'),
        KeyCode::Char('k'),
        KeyCode::Enter,
    ],
    label: "esc",
    does: "close",
    action: Action::Close,
};
const REVEAL_KEYS: &[KeyCode] = &[KeyCode::Char('v'), KeyCode::Char(' ')];

/// While the secrets are masked.
pub const KEYS_MASKED: &[DialogKey<Action>] = &[
    DialogKey {
        keys: REVEAL_KEYS,
        label: "v",
        does: "reveal",
        action: Action::ToggleReveal,
    },
    REGENERATE,
    CLOSE,
];

/// While the secrets are shown.
pub const KEYS_REVEALED: &[DialogKey<Action>] = &[
    DialogKey {
        keys: REVEAL_KEYS,
        label: "v",
        does: "mask",
        action: Action::ToggleReveal,
    },
    REGENERATE,
    CLOSE,
];

/// Read-only, masked: regenerating is not offered.
pub const KEYS_MASKED_READ_ONLY: &[DialogKey<Action>] = &[KEYS_MASKED[0], CLOSE];

/// Read-only, shown.
pub const KEYS_REVEALED_READ_ONLY: &[DialogKey<Action>] = &[KEYS_REVEALED[0], CLOSE];

/// While asking whether to regenerate: any key but y cancels.
pub const KEYS_CONFIRMING: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Char('y')],
        label: "y",
        does: "regenerate",
        action: Action::ConfirmRegenerate,
    },
    DialogKey {
        keys: &[],
        label: "any other key",
        does: "cancel",
        action: Action::CancelRegenerate,
    },
];

impl Keys {
    /// Opens loading; the keys arrive as a message.
    pub fn new(endpoint: String, read_only: bool) -> Self {
        Self {
            endpoint,
            info: None,
            revealed: false,
            confirm_regenerate: false,
            read_only,
        }
    }

    /// The keys offered now.
    pub(super) fn keys(&self) -> &'static [DialogKey<Action>] {
        match (self.confirm_regenerate, self.revealed, self.read_only) {
            (true, _, _) => KEYS_CONFIRMING,
            (false, true, false) => KEYS_REVEALED,
            (false, false, false) => KEYS_MASKED,
            (false, true, true) => KEYS_REVEALED_READ_ONLY,
            (false, false, true) => KEYS_MASKED_READ_ONLY,
        }
    }

    /// The keys handled now: in read-only mode `R` is not offered, but pressed it still says
    /// why nothing happens.
    fn handled(&self) -> &'static [DialogKey<Action>] {
        match (self.confirm_regenerate, self.revealed) {
            (true, _) => KEYS_CONFIRMING,
            (false, true) => KEYS_REVEALED,
            (false, false) => KEYS_MASKED,
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent, context: Context) -> Outcome {
        let action = action_in(self.handled(), key);
        if self.confirm_regenerate {
            self.confirm_regenerate = false;
        }
        match action {
            Some(Action::ConfirmRegenerate) => {
                self.info = None;
                Outcome::KeepAnd(Request::RegenerateKey {
                    endpoint: self.endpoint.clone(),
                })
            }
            Some(Action::ToggleReveal) => {
                self.revealed = !self.revealed;
                Outcome::Keep
            }
            Some(Action::Regenerate) if context.read_only => {
                Outcome::KeepAnd(Request::ReadOnly("regenerating keys"))
            }
            Some(Action::Regenerate) => {
                self.confirm_regenerate = true;
                Outcome::Keep
            }
            Some(Action::Close) => Outcome::Close,
            Some(Action::CancelRegenerate) | None => Outcome::Keep,
        }
    }
}
