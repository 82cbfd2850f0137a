//! The core quota check a scale or create dialog makes before it sends: the first enter asks
//! the worker for the figures of the value in the field, the line is shown, and the next enter
//! sends, unless the change cannot fit; then only the forcing key sends it. Editing the field
//! asks again.

use crate::rollout::QuotaCheck;

/// Where a dialog's quota check stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum QuotaGate {
    #[default]
    NotChecked,
    /// Asked for the field's value `of`; the answer has not come yet.
    Checking {
        of: String,
    },
    Checked {
        of: String,
        check: QuotaCheck,
    },
}

/// What an enter does, given the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum OnEnter {
    /// Ask for the figures of this value.
    Check,
    /// The figures are still coming.
    Wait,
    Send,
    /// Over quota: say so, and how to send anyway.
    Refuse(String),
}

impl QuotaGate {
    pub(super) fn on_enter(&mut self, value: &str, force_key: &str) -> OnEnter {
        match self {
            Self::Checked { of, check } if of == value => {
                if check.blocks() {
                    OnEnter::Refuse(format!(
                        "not sent: it does not fit the core quota. Scale down (here or another deployment), choose a smaller instance type or request more quota; or {force_key} to send anyway and let Azure decide"
                    ))
                } else {
                    OnEnter::Send
                }
            }
            Self::Checking { of } if of == value => OnEnter::Wait,
            _ => {
                *self = Self::Checking {
                    of: value.to_string(),
                };
                OnEnter::Check
            }
        }
    }

    /// The answer for the value asked about.
    pub(crate) fn answer(&mut self, check: QuotaCheck) {
        if let Self::Checking { of } = self {
            *self = Self::Checked {
                of: std::mem::take(of),
                check,
            };
        }
    }

    /// True when the figures say the field's value cannot fit.
    pub fn blocks(&self) -> bool {
        matches!(self, Self::Checked { check, .. } if check.blocks())
    }

    /// True when the figures say the field's value fits: the next enter sends.
    pub fn fits(&self) -> bool {
        matches!(self, Self::Checked { check, .. } if !check.blocks())
    }

    /// The line the dialog shows: the figures, or that they are coming.
    pub fn line(&self) -> Option<String> {
        match self {
            Self::NotChecked => None,
            Self::Checking { .. } => Some("checking the core quota…".to_string()),
            Self::Checked { check, .. } => Some(check.line()),
        }
    }
}
