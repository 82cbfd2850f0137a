//! Time passing: toasts fade, finished operations leave the tray, refreshes fall due. A tick
//! also says whether it changed what the screen shows, so that an idle console draws nothing.

use std::time::Instant;

use super::msg::Cmd;
use super::refresh;
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
    // The status bar counts down a throttling pause, and drops it once it is over.
    let throttle_moved = match state.azure.throttled_until {
        Some(until) if until <= now => {
            state.azure.throttled_until = None;
            true
        }
        Some(until) => throttle_seconds(until, before) != throttle_seconds(until, now),
        None => false,
    };
    let changed = elapsed_moved
        || throttle_moved
        || state.ui.toasts.len() != toasts
        || state.ui.operations.len() != operations;
    // A refresh asked for shows nothing yet: its answer is the change.
    (refresh::due(state, now), changed)
}

/// Whole seconds left of a throttling pause, as the status bar shows them (rounded up, so
/// that "0 s" is never shown while requests still wait).
pub(crate) fn throttle_seconds(until: Instant, now: Instant) -> u64 {
    until
        .saturating_duration_since(now)
        .as_millis()
        .div_ceil(1000) as u64
}
