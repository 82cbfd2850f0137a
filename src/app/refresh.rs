//! What is read again, and when. The selected endpoint with its deployments and their health
//! every few seconds; the endpoint list (every endpoint's split and state) every half minute;
//! other endpoints' deployments only when one is selected, or on `r`. Nothing is asked while
//! Azure says to wait. An idle console thus costs about one read a second whatever the size of
//! the workspace, where reading everything on a timer cost one read per endpoint each time,
//! and ARM's read budget (25 a second per subscription) is shared with every other client.

use std::time::{Duration, Instant};

use super::effects::request_refresh;
use super::msg::Cmd;
use super::state::AppState;

/// The selected endpoint's data is never older than this plus one read's time.
pub(crate) const SELECTED_MAX_AGE: Duration = Duration::from_secs(4);
/// How often the endpoint list is read.
pub(crate) const ENDPOINTS_INTERVAL: Duration = Duration::from_secs(30);
/// A selection that moves again within this of the last read waits until it has rested this
/// long: scrolling through a hundred endpoints must not cost three reads each.
const SELECTION_SETTLE: Duration = Duration::from_millis(500);
/// A read unanswered after this many of its intervals is asked again: it must not block its
/// successors forever.
const STUCK_AFTER_INTERVALS: u32 = 4;

/// True while Azure's last 429 asks the console to wait.
pub(super) fn throttled(state: &AppState) -> bool {
    state.azure.throttled_until.is_some_and(|t| t > state.now)
}

fn selected_interval(state: &AppState) -> Duration {
    state.options.refresh_interval.min(SELECTED_MAX_AGE)
}

/// Whether a read last asked for at `last` (and maybe still `awaited`) is due again.
fn is_due(last: Option<Instant>, awaited: bool, interval: Duration, now: Instant) -> bool {
    let since = last.map_or(Duration::MAX, |l| now.saturating_duration_since(l));
    since >= interval && (!awaited || since >= interval * STUCK_AFTER_INTERVALS)
}

/// The reads that have fallen due by `now`.
pub(super) fn due(state: &mut AppState, now: Instant) -> Vec<Cmd> {
    let requests = &state.requests;
    let full_pending = requests.awaited_refresh.is_some();
    // Until a first read succeeds there is nothing to refresh piecemeal: read everything.
    if !state.azure.loaded {
        let due = is_due(
            requests.last_refresh_at,
            full_pending,
            state.options.refresh_interval,
            now,
        );
        return if due && !throttled(state) {
            request_refresh(state)
        } else {
            Vec::new()
        };
    }
    if throttled(state)
        || (full_pending && !is_due(requests.last_refresh_at, true, SELECTED_MAX_AGE, now))
    {
        return Vec::new();
    }
    let mut cmds = Vec::new();
    if is_due(
        requests.last_endpoints_at,
        requests.awaited_endpoints.is_some(),
        ENDPOINTS_INTERVAL,
        now,
    ) {
        let request = state.requests.request();
        state.requests.awaited_endpoints = Some(request);
        state.requests.last_endpoints_at = Some(now);
        cmds.push(Cmd::RefreshEndpoints { request });
    }
    if is_due(
        state.requests.last_selected_at,
        state.requests.awaited_selected.is_some(),
        selected_interval(state),
        now,
    ) {
        cmds.extend(read_selected(state));
    }
    cmds
}

/// After a change this console made (or found already made): the endpoint list, which a
/// create or a delete changes, and the selected endpoint, whose split, deployments or
/// instances changed. Not every endpoint's deployments: on a large workspace that burst alone
/// would empty the subscription's read bucket.
pub(super) fn after_change(state: &mut AppState) -> Vec<Cmd> {
    let request = state.requests.request();
    state.requests.awaited_endpoints = Some(request);
    state.requests.last_endpoints_at = Some(state.now);
    let mut cmds = vec![Cmd::RefreshEndpoints { request }];
    cmds.extend(read_selected(state));
    cmds
}

/// A new selection: read it now, or, while the selection is still moving (the last read was
/// asked for moments ago), once it has rested for [`SELECTION_SETTLE`].
pub(super) fn read_new_selection(state: &mut AppState) -> Vec<Cmd> {
    let interval = selected_interval(state);
    // Moving: a read was asked for moments ago, or one is already put off until it rests.
    let moving = |since: Duration| {
        since < SELECTION_SETTLE
            || (interval.saturating_sub(SELECTION_SETTLE)..interval).contains(&since)
    };
    match state.requests.last_selected_at {
        Some(last) if moving(state.now.saturating_duration_since(last)) => {
            // Due `SELECTION_SETTLE` from now, as if last read an interval minus that ago.
            state.requests.awaited_selected = None;
            state.requests.last_selected_at = Some(
                state
                    .now
                    .checked_sub(interval.saturating_sub(SELECTION_SETTLE))
                    .unwrap_or(last),
            );
            Vec::new()
        }
        _ => read_selected(state),
    }
}

/// Reads the selected endpoint, its deployments and their health now: a newly selected
/// endpoint shows fresh data, not what was read when it was last looked at.
pub(super) fn read_selected(state: &mut AppState) -> Vec<Cmd> {
    let Some(endpoint) = state.selected_endpoint().map(|e| e.name.clone()) else {
        return Vec::new();
    };
    let request = state.requests.request();
    state.requests.awaited_selected = Some(request);
    state.requests.last_selected_at = Some(state.now);
    vec![Cmd::RefreshEndpoint { request, endpoint }]
}
