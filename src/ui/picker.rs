//! The workspace picker screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

use super::theme::Theme;
use crate::app::picker::Picker;

pub fn render(picker: &Picker, no_color: bool, frame: &mut Frame) {
    let theme = Theme { color: !no_color };
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" aml-rollout ", theme.title()),
            Span::raw(format!(
                " subscription {} has no workspace chosen: pick one",
                picker.subscription
            )),
        ])),
        title,
    );
    let visible = picker.visible();
    let rows: Vec<Row> = visible
        .iter()
        .map(|i| {
            let c = &picker.choices[*i];
            Row::new([c.name.clone(), c.resource_group.clone(), c.location.clone()])
        })
        .collect();
    let heading = if picker.filter.is_empty() {
        format!(" Workspaces ({}) ", visible.len())
    } else {
        format!(
            " Workspaces ({}/{}) filter: {} ",
            visible.len(),
            picker.choices.len(),
            picker.filter
        )
    };
    let table = Table::new(
        rows,
        [
            Constraint::Min(20),
            Constraint::Min(20),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(["Workspace", "Resource group", "Location"]).style(theme.dim()))
    .row_highlight_style(theme.selected())
    .block(
        Block::bordered()
            .title(heading)
            .border_style(theme.border(true)),
    );
    let mut state = TableState::default();
    if !visible.is_empty() {
        state.select(Some(picker.selected));
    }
    frame.render_stateful_widget(table, body, &mut state);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("↑/↓", theme.key()),
            Span::raw(" select  "),
            Span::styled("type", theme.key()),
            Span::raw(" filter  "),
            Span::styled("enter", theme.key()),
            Span::raw(" open  "),
            Span::styled("esc", theme.key()),
            Span::raw(
                " quit   (or pass -w/--workspace, or `az configure --defaults workspace=NAME`)",
            ),
        ])),
        status,
    );
}
