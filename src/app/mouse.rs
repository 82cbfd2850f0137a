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

/// What the pointer did.
#[derive(Clone, Copy)]
enum Gesture {
    Click,
    /// Wheel notches: positive down (towards newer lines and lower rows).
    Wheel(i64),
}

pub(super) fn on_mouse(state: &mut AppState, event: MouseEvent) -> MouseOutcome {
    let (column, row) = (event.column, event.row);
    let gesture = match event.kind {
        MouseEventKind::Down(MouseButton::Left) => Gesture::Click,
        MouseEventKind::ScrollDown => Gesture::Wheel(1),
        MouseEventKind::ScrollUp => Gesture::Wheel(-1),
        _ => return MouseOutcome::Done(Vec::new()),
    };
    // What is on top takes the mouse, as it takes keys; a prompt being typed keeps it.
    if state.ui.prompt.is_some() {
        return MouseOutcome::Done(Vec::new());
    }
    let overlay_scrolls = state.ui.show_help || matches!(state.ui.dialog, Some(Dialog::Journal(_)));
    if state.ui.show_help || state.ui.dialog.is_some() {
        return match gesture {
            Gesture::Click => match state.screen.button_at(column, row) {
                Some(key) if !state.ui.show_help => press(key),
                _ => MouseOutcome::Done(Vec::new()),
            },
            Gesture::Wheel(notches) if overlay_scrolls => press(if notches > 0 {
                KeyCode::Down
            } else {
                KeyCode::Up
            }),
            Gesture::Wheel(_) => MouseOutcome::Done(Vec::new()),
        };
    }
    MouseOutcome::Done(on_panels(state, column, row, gesture))
}

/// A click or a wheel notch over the panels.
fn on_panels(state: &mut AppState, column: u16, row: u16, gesture: Gesture) -> Vec<Cmd> {
    let screen = state.screen.clone();
    if let Some(pane) = screen.log_pane_at(column, row) {
        match gesture {
            Gesture::Click => state.ui.focus = Focus::Logs(pane),
            Gesture::Wheel(notches) => {
                if let Some(p) = state.logs.panes.get_mut(pane) {
                    p.scroll(notches * WHEEL_LINES);
                }
            }
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
    let delta = match (gesture, area.item_at(column, row)) {
        (Gesture::Click, Some(item)) if item < len => item as i64 - current as i64,
        // Below the last row: the panel takes the focus, the selection stays.
        (Gesture::Click, _) => 0,
        (Gesture::Wheel(notches), _) => notches,
    };
    // Through the same path as the arrow keys: a new endpoint brings its metrics and logs.
    selection::move_by(state, delta)
}
