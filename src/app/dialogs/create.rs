//! Creating an endpoint, or a deployment of the selected endpoint, from an az ml YAML file. A
//! deployment's core quota is checked before it is sent (see `quota_gate`).

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::prefilled::edit_prefilled;
use super::quota_gate::{OnEnter, QuotaGate};
use crate::app::msg::QuotaQuestion;

/// A file path for a create: a deployment of `endpoint`, or (`None`) an endpoint.
#[derive(Debug, Clone)]
pub struct CreateFromFile {
    pub endpoint: Option<String>,
    /// Opens with the default file, which the first typed character replaces.
    pub input: Input,
    pub untouched: bool,
    pub error: Option<String>,
    /// Deployments only: an endpoint draws on no core quota.
    pub quota: QuotaGate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    /// Send although the quota check says it cannot fit.
    Force,
    Cancel,
}

const CANCEL: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Esc],
    label: "esc",
    does: "cancel",
    action: Action::Cancel,
};
const CREATE_DEPLOYMENT: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Enter],
    label: "enter",
    does: "check quota, then create",
    action: Action::Create,
};
/// A function key: the field takes every printable character.
const FORCE_KEY: &str = "F2";

/// An endpoint (nothing to check first), or a deployment whose quota check says it fits.
pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "create",
        action: Action::Create,
    },
    CANCEL,
];

pub const KEYS_DEPLOYMENT: &[DialogKey<Action>] = &[CREATE_DEPLOYMENT, CANCEL];

/// When the deployment cannot fit the core quota, it can still be sent.
pub const KEYS_OVER_QUOTA: &[DialogKey<Action>] = &[
    CREATE_DEPLOYMENT,
    DialogKey {
        keys: &[KeyCode::F(2)],
        label: FORCE_KEY,
        does: "create anyway (over quota)",
        action: Action::Force,
    },
    CANCEL,
];

impl CreateFromFile {
    pub fn new(endpoint: Option<String>, default_file: String) -> Self {
        Self {
            endpoint,
            input: Input::new(default_file),
            untouched: true,
            error: None,
            quota: QuotaGate::default(),
        }
    }

    pub fn keys(&self) -> &'static [DialogKey<Action>] {
        match &self.endpoint {
            None => KEYS,
            Some(_) if self.quota.blocks() => KEYS_OVER_QUOTA,
            Some(_) if self.quota.fits() => KEYS,
            Some(_) => KEYS_DEPLOYMENT,
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(self.keys(), key) {
            Some(Action::Cancel) => Outcome::Close,
            Some(action @ (Action::Create | Action::Force)) => {
                let path = self.input.value().trim();
                if path.is_empty() {
                    let what = if self.endpoint.is_some() {
                        "a deployment"
                    } else {
                        "an endpoint"
                    };
                    self.error = Some(format!("give the path of {what} YAML file"));
                    return Outcome::Keep;
                }
                let path = path.to_string();
                let create = Request::Create {
                    endpoint: self.endpoint.clone(),
                    file: PathBuf::from(&path),
                };
                let Some(endpoint) = self.endpoint.clone() else {
                    return Outcome::CloseAnd(create);
                };
                if action == Action::Force {
                    return Outcome::CloseAnd(create);
                }
                match self.quota.on_enter(&path, FORCE_KEY) {
                    OnEnter::Check => {
                        Outcome::KeepAnd(Request::CheckQuota(QuotaQuestion::CreateDeployment {
                            endpoint,
                            file: PathBuf::from(path),
                        }))
                    }
                    OnEnter::Wait => Outcome::Keep,
                    OnEnter::Send => Outcome::CloseAnd(create),
                    OnEnter::Refuse(why) => {
                        self.error = Some(why);
                        Outcome::Keep
                    }
                }
            }
            None => {
                if let Some(request) = input_request(key) {
                    self.edit(request);
                }
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
