//! The operations tray: every long-running operation, its target, elapsed time and state;
//! finished ones stay a few seconds with their outcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme::Theme;
use super::widgets::ellipsize;
use crate::app::AppState;

pub const MAX_ROWS: usize = 4;

pub fn height(state: &AppState) -> u16 {
    match state.ui.operations.len() {
        0 => 0,
        n => n.min(MAX_ROWS) as u16 + 2,
    }
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(40) as usize;
    let lines: Vec<Line> = state
        .ui
        .operations
        .iter()
        .rev()
        .take(MAX_ROWS)
        .map(|op| {
            let end = op.finished_at.unwrap_or(state.now);
            let elapsed = end.saturating_duration_since(op.started).as_secs();
            let (mark, style, detail) = match &op.outcome {
                None => ("●", theme.warn(), op.state.clone()),
                Some(Ok(_)) => ("✓", theme.ok(), "Succeeded".to_string()),
                Some(Err(e)) => ("✗", theme.error(), e.clone()),
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(format!("{:<18}", op.kind.label()), theme.key()),
                Span::raw(format!("{:<24} ", ellipsize(&op.target, 24))),
                Span::styled(format!("{:>4}s ", elapsed), theme.dim()),
                Span::styled(ellipsize(&detail, width), style),
            ])
        })
        .collect();
    let block = Block::bordered()
        .title(" Operations ")
        .border_style(theme.dim());
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
