//! The `?` overlay, generated from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use super::widgets::centered;
use crate::app::keymap::{KEYMAP, Scope};

pub fn render(theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    for scope in [
        Scope::Deployments,
        Scope::Endpoints,
        Scope::Logs,
        Scope::Global,
    ] {
        lines.push(Line::from(Span::styled(scope.title(), theme.changed())));
        for b in KEYMAP.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<8}", b.keys_label), theme.key()),
                Span::raw(b.help),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled("esc or ? closes", theme.dim())));
    let height = lines.len() as u16 + 2;
    let rect = centered(area, 86, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(" Keys ")
                .border_style(theme.border(true)),
        ),
        rect,
    );
}
