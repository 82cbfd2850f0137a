//! The `?` overlay, generated from the keymap table: two columns when the terminal is wide,
//! scrollable (j/k) when it is short.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use super::widgets::centered;
use crate::app::keymap::{KEYMAP, Scope};

fn section(scope: Scope, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(scope.title(), theme.changed()))];
    for b in KEYMAP
        .iter()
        .filter(|b| b.scope == scope && !b.help.is_empty())
    {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<8}", b.keys_label), theme.key()),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines
}

pub fn render(scroll: usize, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut left = section(Scope::Deployments, theme);
    left.extend(section(Scope::Endpoints, theme));
    let mut right = section(Scope::Logs, theme);
    right.extend(section(Scope::Global, theme));
    let two_columns = area.width >= 150;
    let columns = if two_columns {
        vec![left, right]
    } else {
        let mut all = left;
        all.extend(right);
        vec![all]
    };
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0) as u16;
    let width = if two_columns { 150 } else { 86 };
    let rect = centered(area, width, tallest + 3);
    frame.render_widget(Clear, rect);
    let inner_height = rect.height.saturating_sub(3) as usize;
    let max_scroll = (tallest as usize).saturating_sub(inner_height);
    let scroll = scroll.min(max_scroll);
    let more = if max_scroll > scroll {
        " · j/k scroll"
    } else {
        ""
    };
    let block = Block::bordered()
        .title(" Keys ")
        .title_bottom(Line::from(Span::styled(
            format!(" esc or ? closes{more} "),
            theme.dim(),
        )))
        .border_style(theme.border(true));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let areas = Layout::horizontal(vec![
        Constraint::Ratio(1, columns.len() as u32);
        columns.len()
    ])
    .split(inner);
    for (lines, column) in columns.into_iter().zip(areas.iter()) {
        frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), *column);
    }
}
