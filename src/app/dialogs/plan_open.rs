//! Opening a rollout plan for the selected deployment: a plan file's path, or nothing for the
//! seed's plan built for that deployment and its baseline. Nothing is sent: a preview follows.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};

#[derive(Debug, Clone)]
pub struct PlanOpen {
    pub endpoint: String,
    /// The deployment the seed's plan rolls out.
    pub deployment: String,
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Preview,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "preview (empty: the seed's plan)",
        action: Action::Preview,
    },
    DialogKey {
        keys: &[KeyCode::Esc],
        label: "esc",
        does: "cancel",
        action: Action::Cancel,
    },
];

impl PlanOpen {
    pub fn new(endpoint: String, deployment: String, file: String) -> Self {
        Self {
            endpoint,
            deployment,
            input: Input::new(file),
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Cancel) => Outcome::Close,
            Some(Action::Preview) => {
                let path = self.input.value().trim();
                Outcome::CloseAnd(Request::PreviewPlan {
                    endpoint: self.endpoint.clone(),
                    deployment: self.deployment.clone(),
                    file: (!path.is_empty()).then(|| PathBuf::from(path)),
                })
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
        self.input.handle(request);
    }
}
