//! Scaling a deployment: a count field that opens with the current count. The core quota the
//! new count needs is checked before it is sent (see `quota_gate`).

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::prefilled::edit_prefilled;
use super::quota_gate::{OnEnter, QuotaGate};
use crate::app::msg::QuotaQuestion;
use crate::rollout::{MAX_INSTANCES, MIN_INSTANCES, check_instance_count};

#[derive(Debug, Clone)]
pub struct Scale {
    pub endpoint: String,
    pub deployment: String,
    /// Opens with the current count, which the first typed digit replaces.
    pub input: Input,
    pub untouched: bool,
    pub error: Option<String>,
    pub quota: QuotaGate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Scale,
    /// Send although the quota check says it cannot fit.
    Force,
    Cancel,
}

const SCALE: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Enter],
    label: "enter",
    does: "check quota, then scale",
    action: Action::Scale,
};
const CANCEL: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Esc],
    label: "esc",
    does: "cancel",
    action: Action::Cancel,
};
/// A function key: the field takes every printable character.
const FORCE_KEY: &str = "F2";

pub const KEYS: &[DialogKey<Action>] = &[SCALE, CANCEL];

/// Checked, and it fits: enter sends.
pub const KEYS_FITS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "scale",
        action: Action::Scale,
    },
    CANCEL,
];

/// When the count cannot fit the core quota, it can still be sent.
pub const KEYS_OVER_QUOTA: &[DialogKey<Action>] = &[
    SCALE,
    DialogKey {
        keys: &[KeyCode::F(2)],
        label: FORCE_KEY,
        does: "scale anyway (over quota)",
        action: Action::Force,
    },
    CANCEL,
];

/// An instance count as typed, within the limits the service accepts.
pub(crate) fn parse_instances(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) => check_instance_count(n),
        Err(_) => Err(format!(
            "instance count must be a whole number from {MIN_INSTANCES} to {MAX_INSTANCES}, got {:?}",
            text.trim()
        )),
    }
}

impl Scale {
    pub fn new(endpoint: String, deployment: String, instances: u32) -> Self {
        Self {
            endpoint,
            deployment,
            input: Input::new(instances.to_string()),
            untouched: true,
            error: None,
            quota: QuotaGate::default(),
        }
    }

    /// Opened with a count already chosen (`:scale blue 2`): its quota check is asked for at
    /// once, as the first enter would.
    pub(crate) fn checking(
        endpoint: String,
        deployment: String,
        instances: u32,
    ) -> (Self, QuotaQuestion) {
        let mut dialog = Self::new(endpoint, deployment, instances);
        dialog.untouched = false;
        dialog.quota = QuotaGate::Checking {
            of: instances.to_string(),
        };
        let question = QuotaQuestion::Scale {
            endpoint: dialog.endpoint.clone(),
            deployment: dialog.deployment.clone(),
            instances,
        };
        (dialog, question)
    }

    pub fn keys(&self) -> &'static [DialogKey<Action>] {
        if self.quota.blocks() {
            KEYS_OVER_QUOTA
        } else if self.quota.fits() {
            KEYS_FITS
        } else {
            KEYS
        }
    }

    fn scale(&self, instances: u32) -> Outcome {
        Outcome::CloseAnd(Request::Scale {
            endpoint: self.endpoint.clone(),
            deployment: self.deployment.clone(),
            instances,
        })
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        let action = action_in(self.keys(), key);
        if matches!(action, Some(Action::Scale | Action::Force)) {
            return match parse_instances(self.input.value()) {
                Ok(instances) => self.on_enter(instances, action == Some(Action::Force)),
                Err(e) => {
                    self.error = Some(e);
                    Outcome::Keep
                }
            };
        }
        match action {
            Some(Action::Cancel) => Outcome::Close,
            _ => {
                if let Some(request) = input_request(key) {
                    self.edit(request);
                }
                Outcome::Keep
            }
        }
    }

    fn on_enter(&mut self, instances: u32, forced: bool) -> Outcome {
        if forced {
            return self.scale(instances);
        }
        match self.quota.on_enter(&instances.to_string(), FORCE_KEY) {
            OnEnter::Check => Outcome::KeepAnd(Request::CheckQuota(QuotaQuestion::Scale {
                endpoint: self.endpoint.clone(),
                deployment: self.deployment.clone(),
                instances,
            })),
            OnEnter::Wait => Outcome::Keep,
            OnEnter::Send => self.scale(instances),
            OnEnter::Refuse(why) => {
                self.error = Some(why);
                Outcome::Keep
            }
        }
    }

    pub(super) fn edit(&mut self, request: InputRequest) {
        let before = self.input.value().to_string();
        edit_prefilled(&mut self.input, &mut self.untouched, request);
        self.error = None;
        if self.input.value() != before {
            self.quota = QuotaGate::default();
        }
    }
}
