//! The endpoints list: name, auth mode, compute, provisioning state.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

use super::theme::Theme;
use super::widgets::{data_rows, scrolled_out};
use crate::app::AppState;
use crate::app::screen::TableArea;
use crate::app::state::Focus;

/// Auth modes, short enough for a narrow column.
fn auth_label(mode: &str) -> &'static str {
    match mode.to_ascii_lowercase().as_str() {
        "key" => "Key",
        "amltoken" => "AMLTok",
        "aadtoken" => "AADTok",
        _ => "?",
    }
}

/// Draws the list; returns where its rows are, for the mouse.
pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) -> Option<TableArea> {
    let focused = state.ui.focus == Focus::Endpoints;
    let visible = state.visible_endpoints();
    let title = if state.ui.filter.is_empty() {
        format!(" Endpoints ({}) ", visible.len())
    } else {
        format!(
            " Endpoints ({}/{}) /{} ",
            visible.len(),
            state.azure.endpoints.len(),
            state.ui.filter
        )
    };
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(focused));
    let rows_area = data_rows(block.inner(area));
    let rows: Vec<Row> = visible
        .iter()
        .map(|e| {
            // `*` a draft of yours; `~` changed elsewhere since you applied.
            let draft = if state.draft_of(&e.name).is_some() {
                "*"
            } else if state.drifted(&e.name) {
                "~"
            } else {
                " "
            };
            Row::new(vec![
                Cell::from(Line::from(vec![
                    Span::styled(draft, theme.changed()),
                    Span::raw(e.name.clone()),
                ])),
                Cell::from(auth_label(&e.auth_mode)),
                Cell::from(if e.kubernetes { "k8s" } else { "mgd" }),
                Cell::from(Span::styled(e.state.clone(), theme.state(&e.state))),
            ])
        })
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(
        rows,
        [
            Constraint::Min(12),
            Constraint::Length(6),
            Constraint::Length(3),
            Constraint::Length(9),
        ],
    )
    .header(Row::new(["Name", "Auth", "Cmp", "State"]).style(theme.dim()))
    .row_highlight_style(theme.selected())
    .block(block);
    let mut table_state = TableState::default();
    if !empty {
        table_state.select(Some(state.ui.selected_endpoint));
    }
    frame.render_stateful_widget(table, area, &mut table_state);
    scrolled_out(
        frame,
        area,
        rows_area,
        table_state.offset(),
        visible.len(),
        theme,
    );
    if empty && state.azure.loaded && area.height > 3 {
        let hint = if state.ui.filter.is_empty() {
            "no endpoints: C creates one"
        } else {
            "no endpoint matches the filter (esc clears)"
        };
        let inner = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
        frame.render_widget(Span::styled(hint, theme.dim()), inner);
    }
    Some(TableArea {
        rows: rows_area,
        first: table_state.offset(),
    })
}
