//! Invoking an endpoint with a request file, pinned to a deployment or through the
//! endpoint's own routing; the answer is shown in the dialog.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::prefilled::edit_prefilled;
use crate::app::snapshot::InvokeOutcome;

/// Where an invoke goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvokeRouting {
    /// Pinned to the selected deployment with `azureml-model-deployment`.
    Pinned,
    /// The endpoint's own traffic routing.
    Endpoint,
}

#[derive(Debug, Clone)]
pub struct Invoke {
    pub endpoint: String,
    pub deployment: Option<String>,
    pub routing: InvokeRouting,
    /// Opens with the default request file, which the first typed character replaces.
    pub input: Input,
    pub untouched: bool,
    pub running: bool,
    pub outcome: Option<Result<InvokeOutcome, String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Send,
    Close,
    SwitchRouting,
}

const SEND: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Enter],
    label: "enter",
    does: "send",
    action: Action::Send,
};
const CLOSE: DialogKey<Action> = DialogKey {
    keys: &[KeyCode::Esc],
    label: "esc",
    does: "close",
    action: Action::Close,
};

/// Without a deployment to pin to.
pub const KEYS: &[DialogKey<Action>] = &[SEND, CLOSE];

/// With a deployment to pin to, the routing can be switched.
pub const KEYS_WITH_PINNING: &[DialogKey<Action>] = &[
    SEND,
    CLOSE,
    DialogKey {
        keys: &[KeyCode::Tab],
        label: "tab",
        does: "pinned / endpoint routing",
        action: Action::SwitchRouting,
    },
];

impl Invoke {
    /// Pinned to `deployment` if there is one, else through the endpoint's routing.
    pub fn new(endpoint: String, deployment: Option<String>, request_file: String) -> Self {
        let routing = if deployment.is_some() {
            InvokeRouting::Pinned
        } else {
            InvokeRouting::Endpoint
        };
        Self {
            endpoint,
            deployment,
            routing,
            input: Input::new(request_file),
            untouched: true,
            running: false,
            outcome: None,
        }
    }

    /// The keys that work now.
    pub(super) fn keys(&self) -> &'static [DialogKey<Action>] {
        if self.deployment.is_some() {
            KEYS_WITH_PINNING
        } else {
            KEYS
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(self.keys(), key) {
            Some(Action::Close) => Outcome::CloseAnd(Request::ForgetInvoke),
            Some(Action::SwitchRouting) => {
                self.routing = match self.routing {
                    InvokeRouting::Pinned => InvokeRouting::Endpoint,
                    InvokeRouting::Endpoint => InvokeRouting::Pinned,
                };
                Outcome::Keep
            }
            Some(Action::Send) if !self.running => {
                self.running = true;
                self.outcome = None;
                Outcome::KeepAnd(Request::Invoke {
                    endpoint: self.endpoint.clone(),
                    deployment: match self.routing {
                        InvokeRouting::Pinned => self.deployment.clone(),
                        InvokeRouting::Endpoint => None,
                    },
                    file: PathBuf::from(self.input.value()),
                })
            }
            Some(Action::Send) => Outcome::Keep,
            None => {
                if let Some(request) = input_request(key) {
                    self.edit(request);
                }
                Outcome::Keep
            }
        }
    }

    /// The request file can be changed while no request is running.
    pub(super) fn edit(&mut self, request: InputRequest) {
        if !self.running {
            edit_prefilled(&mut self.input, &mut self.untouched, request);
        }
    }
}
