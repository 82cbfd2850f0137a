//! The mouse: a click selects a row and focuses its panel, or presses a dialog's button; the
//! wheel scrolls whatever is under the pointer. Positions are read against the areas the
//! last frame recorded (`screen`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::msg::Cmd;
use super::selection;
use super::state::{AppState, Dialog, Focus};

/// Log lines one wheel notch scrolls.
const WHEEL_LINES: i64 = 3;

/// What a mouse event comes to.
pub(super) enum MouseOutcome {
    /// Handled here, with this work for the worker.
    Done(Vec<Cmd>),
    /// The same as pressing this key (a dialog's button, the wheel over a scrolling overlay).
    Press(KeyEvent),
}

fn press(code: KeyCode) -> MouseOutcome {
    MouseOutcome::Press(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn on_mouse(state: &mut AppState, event: MouseEvent) -> MouseOutcome {
    let (column, row) = (event.column, event.row);
    let wheel = match event.kind {
        MouseEventKind::ScrollDown => 1,
        MouseEventKind::ScrollUp => -1,
        MouseEventKind::Down(MouseButton::Left) => 0,
        _ => return MouseOutcome::Done(Vec::new()),
    };
    // What is on top takes the mouse, as it takes keys; a prompt being typed keeps it.
    if state.ui.prompt.is_some() {
        return MouseOutcome::Done(Vec::new());
    }
    let overlay_scrolls = state.ui.show_help || matches!(state.ui.dialog, Some(Dialog::Journal(_)));
    if state.ui.show_help || state.ui.dialog.is_some() {
        return match wheel {
            0 => match state.screen.button_at(column, row) {
                Some(key) if !state.ui.show_help => press(key),
                _ => MouseOutcome::Done(Vec::new()),
            },
            1 if overlay_scrolls => press(KeyCode::Down),
            -1 if overlay_scrolls => press(KeyCode::Up),
            _ => MouseOutcome::Done(Vec::new()),
        };
    }
    MouseOutcome::Done(on_panels(state, column, row, wheel))
}

/// A click (`wheel` 0) or a wheel notch over the panels.
fn on_panels(state: &mut AppState, column: u16, row: u16, wheel: i64) -> Vec<Cmd> {
    let screen = state.screen.clone();
    if let Some(pane) = screen.log_pane_at(column, row) {
        if wheel == 0 {
            state.ui.focus = Focus::Logs(pane);
        } else if let Some(p) = state.logs.panes.get_mut(pane) {
            p.scroll(wheel * WHEEL_LINES);
        }
        return Vec::new();
    }
    let table = [
        (screen.endpoints, Focus::Endpoints),
        (screen.deployments, Focus::Deployments),
    ]
    .into_iter()
    .find_map(|(area, focus)| {
        area.filter(|a| a.rows.contains((column, row).into()))
            .map(|a| (a, focus))
    });
    let Some((area, focus)) = table else {
        return Vec::new();
    };
    state.ui.focus = focus;
    let (current, len) = match focus {
        Focus::Endpoints => (state.ui.selected_endpoint, state.visible_endpoints().len()),
        _ => (
            state.ui.selected_deployment,
            state
                .selected_endpoint()
                .map_or(0, |e| state.azure.deployments_of(&e.name).len()),
        ),
    };
    let delta = match (wheel, area.item_at(column, row)) {
        (0, Some(item)) if item < len => item as i64 - current as i64,
        // Below the last row: the panel takes the focus, the selection stays.
        (0, _) => 0,
        (notch, _) => notch,
    };
    // Through the same path as the arrow keys: a new endpoint brings its metrics and logs.
    selection::move_by(state, delta)
}
