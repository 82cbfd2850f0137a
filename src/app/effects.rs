//! What many behaviours end with: a toast, the read-only refusal, a refresh request, an
//! operation put in the tray. The lowest layer of `update`'s helpers: it imports none of them.

use super::ids::OpId;
use super::msg::Cmd;
use super::state::{AppState, OperationKind, OperationView, Toast, ToastLevel};

/// Toasts kept at once; older ones make room.
const MAX_TOASTS: usize = 5;

pub(super) fn toast(state: &mut AppState, level: ToastLevel, text: impl Into<String>) {
    state.ui.toasts.push_back(Toast {
        level,
        text: text.into(),
        shown_at: state.now,
    });
    while state.ui.toasts.len() > MAX_TOASTS {
        state.ui.toasts.pop_front();
    }
}

/// True (with a toast saying why) when the console was started read-only.
pub(super) fn refuse_read_only(state: &mut AppState, what: &str) -> bool {
    if state.options.read_only {
        toast(
            state,
            ToastLevel::Error,
            format!("read-only: {what} is disabled (started with --read-only)"),
        );
        true
    } else {
        false
    }
}

/// Asks the worker to read the whole workspace; older answers will be recognised as stale.
pub(super) fn request_refresh(state: &mut AppState) -> Vec<Cmd> {
    let request = state.requests.request();
    state.requests.awaited_refresh = Some(request);
    state.requests.last_refresh_at = Some(state.now);
    // It reads the endpoint list too.
    state.requests.last_endpoints_at = Some(state.now);
    vec![Cmd::Refresh { request }]
}

/// Puts a new operation in the tray; the worker's progress and outcome find it by its id.
pub(super) fn start_operation(state: &mut AppState, kind: OperationKind, target: String) -> OpId {
    let id = state.requests.op();
    state.ui.operations.push(OperationView {
        id,
        kind,
        target,
        started: state.now,
        state: "Sending".to_string(),
        outcome: None,
        finished_at: None,
        split_change: None,
    });
    id
}
