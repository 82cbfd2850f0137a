//! Deleting an endpoint or a deployment: nothing happens until its name is typed exactly.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};

/// What a delete dialog would remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteTarget {
    pub endpoint: String,
    pub deployment: Option<String>,
}

impl DeleteTarget {
    /// The name the operator must type.
    pub fn name(&self) -> &str {
        self.deployment.as_deref().unwrap_or(&self.endpoint)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteFocus {
    Cancel,
    Name,
}

#[derive(Debug, Clone)]
pub struct Delete {
    pub target: DeleteTarget,
    pub input: Input,
    pub focus: DeleteFocus,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    MoveFocus,
    /// Deletes when the name has the focus; on the Cancel button, cancels.
    Confirm,
    Cancel,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Tab, KeyCode::BackTab],
        label: "tab",
        does: "move to the name",
        action: Action::MoveFocus,
    },
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter on the name",
        does: "delete",
        action: Action::Confirm,
    },
    DialogKey {
        keys: &[KeyCode::Esc],
        label: "esc",
        does: "cancel",
        action: Action::Cancel,
    },
];

impl Delete {
    /// Opens with the focus on Cancel, so that a stray enter deletes nothing.
    pub fn new(target: DeleteTarget) -> Self {
        Self {
            target,
            input: Input::default(),
            focus: DeleteFocus::Cancel,
            error: None,
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match (action_in(KEYS, key), self.focus) {
            (Some(Action::Cancel), _) | (Some(Action::Confirm), DeleteFocus::Cancel) => {
                Outcome::Close
            }
            (Some(Action::MoveFocus), _) => {
                self.focus = match self.focus {
                    DeleteFocus::Cancel => DeleteFocus::Name,
                    DeleteFocus::Name => DeleteFocus::Cancel,
                };
                Outcome::Keep
            }
            (Some(Action::Confirm), DeleteFocus::Name) => {
                if self.input.value() == self.target.name() {
                    Outcome::CloseAnd(Request::Delete {
                        endpoint: self.target.endpoint.clone(),
                        deployment: self.target.deployment.clone(),
                    })
                } else {
                    self.error = Some(format!(
                        "type {} exactly to confirm, or esc to cancel",
                        self.target.name()
                    ));
                    Outcome::Keep
                }
            }
            (None, _) => {
                if let Some(request) = input_request(key) {
                    self.edit(request);
                }
                Outcome::Keep
            }
        }
    }

    pub(super) fn edit(&mut self, request: InputRequest) {
        self.focus = DeleteFocus::Name;
        self.input.handle(request);
        self.error = None;
    }
}
