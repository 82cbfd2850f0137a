//! Where the last frame put what the mouse can point at. The views record it while drawing
//! (from the very rectangles they draw into) and the event loop keeps it in the state, so a
//! click is read against what is on screen, with no second copy of the layout.

use crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};

/// A table's rows on screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableArea {
    /// The data rows (not the border or the header).
    pub rows: Rect,
    /// The index of the item in the top row (the table scrolls to keep the selection shown).
    pub first: usize,
}

impl TableArea {
    /// The index of the item drawn at `row`, if a data row is there.
    pub fn item_at(&self, column: u16, row: u16) -> Option<usize> {
        self.rows
            .contains(Position::new(column, row))
            .then(|| self.first + usize::from(row - self.rows.y))
    }
}

/// A dialog's key hint, which a click presses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Button {
    pub area: Rect,
    pub key: KeyCode,
}

/// Everything on the last frame that answers the mouse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenAreas {
    pub endpoints: Option<TableArea>,
    pub deployments: Option<TableArea>,
    /// Each visible log pane: its index and where it is.
    pub logs: Vec<(usize, Rect)>,
    /// The open dialog's buttons.
    pub buttons: Vec<Button>,
    /// How far the help overlay scrolls (0 when it fits, or is closed).
    pub help_max_scroll: usize,
}

impl ScreenAreas {
    pub fn button_at(&self, column: u16, row: u16) -> Option<KeyCode> {
        self.buttons
            .iter()
            .find(|b| b.area.contains(Position::new(column, row)))
            .map(|b| b.key)
    }

    pub fn log_pane_at(&self, column: u16, row: u16) -> Option<usize> {
        self.logs
            .iter()
            .find(|(_, area)| area.contains(Position::new(column, row)))
            .map(|(i, _)| *i)
    }
}
