//! What the worker sends back besides the reads (`reads`): metrics, an operation's progress
//! and end, an invoke's answer, keys, the journal. Answers to a request no longer awaited are
//! dropped; everything from the service is sanitized before it reaches the state.

use super::dialogs::compare::ShownComparison;
use super::dialogs::quota_gate::QuotaGate;
use super::dialogs::{ConfirmRecreate, Dialog, ErrorNotice};
use super::drafts::describe_split;
use super::effects::toast;
use super::health;
use super::ids::{OpId, RequestId};
use super::log_actions;
use super::msg::Cmd;
use super::refresh;
use super::state::{AppState, InvokeOutcome, KeysInfo};
use super::state::{AppliedHere, OperationKind, ToastLevel};
use crate::logstream::sanitize_inline;
use crate::ops::{CompareReport, EndpointHealth, OpsError};
use crate::rollout::QuotaCheck;

pub(super) fn on_metrics(
    state: &mut AppState,
    request: RequestId,
    endpoint: &str,
    result: Result<Box<EndpointHealth>, OpsError>,
) {
    // An older answer landing after a newer one would show older numbers.
    let newest = state
        .requests
        .metrics_applied
        .entry(endpoint.to_lowercase())
        .or_default();
    if request < *newest {
        return;
    }
    *newest = request;
    let metrics = match result {
        Ok(health) => {
            state.azure.metrics_errors.remove(&endpoint.to_lowercase());
            health::deployment_metrics(&health, &state.options.health)
        }
        Err(error) => {
            // Shown as unavailable with the reason, never as zeros.
            state
                .azure
                .metrics_errors
                .insert(endpoint.to_lowercase(), sanitize_inline(&error.to_string()));
            Vec::new()
        }
    };
    if let Some(list) = state.azure.deployments.get_mut(&endpoint.to_lowercase()) {
        for d in list.iter_mut() {
            d.metrics = metrics
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&d.name))
                .map(|(_, m)| m.clone());
        }
    }
}

pub(super) fn on_progress(state: &mut AppState, op: OpId, progress: String) {
    if let Some(o) = state.ui.operations.iter_mut().find(|o| o.id == op)
        && o.outcome.is_none()
    {
        o.state = progress;
    }
}

pub(super) fn on_operation_finished(
    state: &mut AppState,
    op: OpId,
    outcome: Result<String, OpsError>,
) -> Vec<Cmd> {
    // A create that found its own earlier, failed attempt: offer to update it in place.
    let offer = match &outcome {
        Err(OpsError::FailedCreateExists {
            endpoint,
            deployment,
            file,
        }) if state.ui.dialog.is_none() => Some(Dialog::ConfirmRecreate(ConfirmRecreate {
            guard: Default::default(),
            endpoint: sanitize_inline(endpoint),
            deployment: sanitize_inline(deployment),
            file: std::path::PathBuf::from(file),
        })),
        _ => None,
    };
    let outcome = outcome.map_err(|e| sanitize_inline(&e.to_string()));
    let Some(view) = state.ui.operations.iter_mut().find(|o| o.id == op) else {
        return Vec::new();
    };
    view.outcome = Some(outcome.clone());
    view.finished_at = Some(state.now);
    view.state = if outcome.is_ok() {
        "Succeeded"
    } else {
        "Failed"
    }
    .to_string();
    let view = view.clone();
    match (&outcome, view.kind) {
        (Ok(_), OperationKind::Traffic) => {
            let key = view.target.to_lowercase();
            state.ui.drafts.remove(&key);
            if let Some((before, after)) = &view.split_change {
                state.ui.last_replaced.insert(key.clone(), before.clone());
                state.ui.applied_here.insert(
                    key,
                    AppliedHere {
                        split: after.clone(),
                        at: state.clock.format("%H:%M:%S").to_string(),
                        drift_told: false,
                    },
                );
                let marker = format!(
                    "-- traffic {} applied at {} --",
                    describe_split(after),
                    state.clock.format("%H:%M:%S")
                );
                log_actions::mark_endpoint(state, &view.target, &marker);
                toast(
                    state,
                    ToastLevel::Success,
                    format!("{}: traffic {} applied", view.target, describe_split(after)),
                );
            }
        }
        (Ok(message), _) => toast(state, ToastLevel::Success, message.clone()),
        (Err(message), kind) => {
            if kind == OperationKind::Traffic
                && let Some(d) = state.ui.drafts.get_mut(&view.target.to_lowercase())
            {
                d.applying = false;
            }
            let kept = if kind == OperationKind::Traffic {
                " Your draft is kept: fix and apply again, or esc to discard."
            } else {
                ""
            };
            if state.ui.dialog.is_some() {
                // Never replace what the operator is in the middle of (a half-typed delete, a
                // confirmation): the reason goes into the toast and the tray instead.
                toast(
                    state,
                    ToastLevel::Error,
                    format!("{} {} failed: {message}", kind.label(), view.target),
                );
            } else {
                toast(
                    state,
                    ToastLevel::Error,
                    format!("{} {} failed", kind.label(), view.target),
                );
                state.ui.dialog = Some(offer.unwrap_or_else(|| {
                    Dialog::Error(ErrorNotice {
                        title: format!("{} of {} failed", kind.label(), view.target),
                        message: format!("{}{kept}", as_sentence(message)),
                    })
                }));
            }
        }
    }
    refresh::after_change(state)
}

/// The service's message ending like a sentence, so that what follows reads as the next one.
fn as_sentence(message: &str) -> String {
    let message = message.trim_end();
    if message.ends_with(['.', '!', '?']) {
        message.to_string()
    } else {
        format!("{message}.")
    }
}

pub(super) fn on_invoke_finished(
    state: &mut AppState,
    request: RequestId,
    outcome: Result<InvokeOutcome, OpsError>,
) {
    if state.requests.awaited_invoke == Some(request)
        && let Some(Dialog::Invoke(dialog)) = &mut state.ui.dialog
    {
        dialog.running = false;
        dialog.outcome = Some(outcome.map_err(|e| sanitize_inline(&e.to_string())));
    }
}

pub(super) fn on_compare_finished(
    state: &mut AppState,
    request: RequestId,
    outcome: Result<Box<CompareReport>, OpsError>,
) {
    if state.requests.awaited_compare == Some(request)
        && let Some(Dialog::Compare(dialog)) = &mut state.ui.dialog
    {
        dialog.running = false;
        dialog.outcome = Some(
            outcome
                .map(|report| ShownComparison::of(&report))
                .map_err(|e| sanitize_inline(&e.to_string())),
        );
    }
}

pub(super) fn on_keys_loaded(
    state: &mut AppState,
    request: RequestId,
    endpoint: &str,
    result: Result<KeysInfo, OpsError>,
) {
    // A slower, older read must not overwrite the keys a regeneration just returned.
    if state.requests.awaited_keys != Some(request) {
        return;
    }
    let result = result.map_err(|e| sanitize_inline(&e.to_string()));
    if let Some(Dialog::Keys(dialog)) = &mut state.ui.dialog
        && dialog.endpoint.eq_ignore_ascii_case(endpoint)
    {
        dialog.info = Some(result);
    }
}

/// The figures go to the dialog that asked, if it is still open and still waits for them; a
/// refusal of the change itself (a bad file, a deployment that exists) is its error.
pub(super) fn on_quota_checked(
    state: &mut AppState,
    request: RequestId,
    result: Result<QuotaCheck, OpsError>,
) {
    if state.requests.awaited_quota != Some(request) {
        return;
    }
    state.requests.awaited_quota = None;
    let (gate, error) = match &mut state.ui.dialog {
        Some(Dialog::Scale(d)) => (&mut d.quota, &mut d.error),
        Some(Dialog::CreateFromFile(d)) => (&mut d.quota, &mut d.error),
        _ => return,
    };
    match result {
        Ok(check) => gate.answer(check),
        Err(e) => {
            *gate = QuotaGate::default();
            *error = Some(sanitize_inline(&e.to_string()));
        }
    }
}

pub(super) fn on_journal_loaded(
    state: &mut AppState,
    request: RequestId,
    result: Result<super::journal_page::JournalPage, OpsError>,
) {
    if state.requests.awaited_journal != Some(request) {
        return;
    }
    let result = result.map_err(|e| sanitize_inline(&e.to_string()));
    if let Some(Dialog::Journal(journal)) = &mut state.ui.dialog {
        journal.page = Some(result);
    }
}
