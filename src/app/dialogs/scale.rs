//! Scaling a deployment: a count field that opens with the current count.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::prefilled::edit_prefilled;
use crate::rollout::{MAX_INSTANCES, MIN_INSTANCES, check_instance_count};

#[derive(Debug, Clone)]
pub struct Scale {
    pub endpoint: String,
    pub deployment: String,
    /// Opens with the current count, which the first typed digit replaces.
    pub input: Input,
    pub untouched: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Scale,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "scale",
        action: Action::Scale,
    },
    DialogKey {
        keys: &[KeyCode::Esc],
        label: "esc",
        does: "cancel",
        action: Action::Cancel,
    },
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
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Cancel) => Outcome::Close,
            Some(Action::Scale) => match parse_instances(self.input.value()) {
                Ok(instances) => Outcome::CloseAnd(Request::Scale {
                    endpoint: self.endpoint.clone(),
                    deployment: self.deployment.clone(),
                    instances,
                }),
                Err(e) => {
                    self.error = Some(e);
                    Outcome::Keep
                }
            },
            None => {
                if let Some(request) = input_request(key) {
                    self.edit(request);
                }
                Outcome::Keep
            }
        }
    }

    pub(super) fn edit(&mut self, request: InputRequest) {
        edit_prefilled(&mut self.input, &mut self.untouched, request);
        self.error = None;
    }
}
