//! Time passing: toasts fade, finished operations leave the tray, refreshes fall due. A tick
//! also says whether it changed what the screen shows, so that an idle console draws nothing.

use std::time::Instant;

use super::effects::request_refresh;
use super::msg::Cmd;
use super::state::{AppState, FINISHED_OPERATION_TTL, TOAST_TTL};

/// The commands a tick asks for, and whether it changed anything on screen.
pub(super) fn on_tick(state: &mut AppState, now: Instant) -> (Vec<Cmd>, bool) {
    let before = state.now;
    state.now = now;
    let (toasts, operations) = (state.ui.toasts.len(), state.ui.operations.len());
    state
        .ui
        .toasts
        .retain(|t| now.saturating_duration_since(t.shown_at) < TOAST_TTL);
    state.ui.operations.retain(|o| {
        o.finished_at
            .is_none_or(|f| now.saturating_duration_since(f) < FINISHED_OPERATION_TTL)
    });
    // The tray counts a running operation's seconds: a new second is a change.
    let seconds = |at: Instant, started: Instant| at.saturating_duration_since(started).as_secs();
    let elapsed_moved = state
        .ui
        .operations
        .iter()
        .any(|o| o.outcome.is_none() && seconds(before, o.started) != seconds(now, o.started));
    let changed =
        elapsed_moved || state.ui.toasts.len() != toasts || state.ui.operations.len() != operations;
    // A refresh asked for shows nothing yet: its answer is the change.
    (refresh_if_due(state, now), changed)
}

fn refresh_if_due(state: &mut AppState, now: Instant) -> Vec<Cmd> {
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
