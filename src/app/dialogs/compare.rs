//! The same request sent to every deployment of an endpoint, each pinned with
//! `azureml-model-deployment`; the answers side by side, where they differ marked. Read-only:
//! it changes nothing and journals nothing.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::super::field_keys::input_request;
use super::binding::{DialogKey, action_in};
use super::outcome::{Outcome, Request};
use crate::logstream::{sanitize_inline, sanitize_line};
use crate::ops::CompareReport;

/// Body lines kept per answer: the dialog shows the start of each.
const MAX_BODY_LINES: usize = 200;
/// Widest body line kept.
const MAX_LINE_CHARS: usize = 400;

/// One deployment's answer as the dialog shows it, sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownAnswer {
    pub deployment: String,
    /// `200 · 12 ms`, or why there was no answer.
    pub summary: String,
    pub failed: bool,
    /// The body, pretty-printed when it is JSON.
    pub body: Vec<String>,
    /// Where it differs from the reference (the first deployment's answer): `$.path: a ≠ b`.
    pub differences: Vec<String>,
}

/// A finished comparison as the dialog shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownComparison {
    /// `agreement: 0 of 1 requests (0.0%)`.
    pub headline: String,
    pub all_agree: bool,
    /// The first differing request's answers (the first request's when all agree).
    pub answers: Vec<ShownAnswer>,
}

fn shown_value(value: Option<&serde_json::Value>) -> String {
    value.map_or_else(
        || "(missing)".to_string(),
        |v| sanitize_inline(&v.to_string()),
    )
}

impl ShownComparison {
    pub fn of(report: &CompareReport) -> Self {
        let answers = report
            .cases
            .first()
            .map(|case| {
                case.answers
                    .iter()
                    .map(|a| {
                        let body = match &a.body {
                            serde_json::Value::String(text) => text.clone(),
                            json => serde_json::to_string_pretty(json).unwrap_or_default(),
                        };
                        ShownAnswer {
                            deployment: sanitize_inline(&a.deployment),
                            summary: match (&a.failure, a.status, a.latency_ms) {
                                (Some(why), _, _) => format!("failed: {}", sanitize_inline(why)),
                                (None, Some(status), Some(ms)) => format!("{status} · {ms:.0} ms"),
                                (None, status, _) => {
                                    status.map_or_else(|| "-".to_string(), |s| s.to_string())
                                }
                            },
                            failed: a.failure.is_some(),
                            body: body
                                .lines()
                                .take(MAX_BODY_LINES)
                                .map(|l| sanitize_line(l, MAX_LINE_CHARS))
                                .collect(),
                            differences: a
                                .differences
                                .iter()
                                .map(|d| {
                                    format!(
                                        "{}: {} ≠ {}",
                                        sanitize_inline(&d.path),
                                        shown_value(d.reference.as_ref()),
                                        shown_value(d.other.as_ref())
                                    )
                                })
                                .collect(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            headline: format!(
                "{}: {} of {} request{} agree ({:.1}%), compared with {}",
                if report.all_agree() {
                    "same answers"
                } else {
                    "answers differ"
                },
                report.agreeing,
                report.requests,
                if report.requests == 1 { "" } else { "s" },
                report.agreement_percent,
                report
                    .deployments
                    .first()
                    .map_or_else(String::new, |d| sanitize_inline(d))
            ),
            all_agree: report.all_agree(),
            answers,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Compare {
    pub endpoint: String,
    pub input: Input,
    pub running: bool,
    pub outcome: Option<Result<ShownComparison, String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Send,
    Close,
}

pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "send to every deployment",
        action: Action::Send,
    },
    DialogKey {
        keys: &[KeyCode::Esc],
        label: "esc",
        does: "close",
        action: Action::Close,
    },
];

impl Compare {
    pub fn new(endpoint: String, request_file: String) -> Self {
        Self {
            endpoint,
            input: Input::new(request_file),
            running: false,
            outcome: None,
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(KEYS, key) {
            Some(Action::Close) => Outcome::CloseAnd(Request::ForgetCompare),
            Some(Action::Send) if !self.running => {
                self.running = true;
                self.outcome = None;
                Outcome::KeepAnd(Request::Compare {
                    endpoint: self.endpoint.clone(),
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

    /// The request file can be changed while no comparison is running.
    pub(super) fn edit(&mut self, request: InputRequest) {
        if !self.running {
            self.input.handle(request);
        }
    }
}
