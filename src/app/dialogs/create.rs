//! Creating an endpoint, or a deployment of the selected endpoint, from an az ml YAML file.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use super::prefilled::edit_prefilled;

/// A file path for a create: a deployment of `endpoint`, or (`None`) an endpoint.
#[derive(Debug, Clone)]
pub struct CreateFromFile {
    pub endpoint: Option<String>,
    /// Opens with the default file, which the first typed character replaces.
    pub input: Input,
    pub untouched: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "create",
        action: Action::Create,
    },
    DialogKey {
        keys: &[KeyCode::Esc],
        label: "esc",
        does: "cancel",
        action: Action::Cancel,
    },
];

impl CreateFromFile {
    pub fn new(endpoint: Option<String>, default_file: String) -> Self {
        Self {
            endpoint,
            input: Input::new(default_file),
            untouched: true,
            error: None,
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Cancel) => Outcome::Close,
            Some(Action::Create) => {
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
                Outcome::CloseAnd(Request::Create {
                    endpoint: self.endpoint.clone(),
                    file: PathBuf::from(path),
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
        edit_prefilled(&mut self.input, &mut self.untouched, request);
        self.error = None;
    }
}
