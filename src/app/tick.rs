//! Time passing: toasts fade, finished operations leave the tray, refreshes fall due.

use std::time::Instant;

use super::effects::request_refresh;
use super::msg::Cmd;
use super::state::{AppState, FINISHED_OPERATION_TTL, TOAST_TTL};

pub(super) fn on_tick(state: &mut AppState, now: Instant) -> Vec<Cmd> {
    state.now = now;
    state
        .ui
        .toasts
        .retain(|t| now.saturating_duration_since(t.shown_at) < TOAST_TTL);
    state.ui.operations.retain(|o| {
        o.finished_at
            .is_none_or(|f| now.saturating_duration_since(f) < FINISHED_OPERATION_TTL)
    });
    let due = state
        .requests
        .last_refresh_at
        .is_none_or(|last| now.saturating_duration_since(last) >= state.options.refresh_interval);
    if !due {
        return Vec::new();
    }
    // A refresh that never answered must not block the next one forever.
    let stuck = state.requests.last_refresh_at.is_some_and(|last| {
        now.saturating_duration_since(last) >= state.options.refresh_interval * 4
    });
    if state.requests.awaited_refresh.is_none() || stuck {
        request_refresh(state)
    } else {
        Vec::new()
    }
}
