//! The log panes, side by side: each follows one deployment's container log. Markers (gaps,
//! restarts, applied traffic changes) stand out; filter matches are highlighted.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::AppState;
use crate::app::logs::{LogPane, PaneFilter};
use crate::app::state::Focus;
use crate::logstream::LogEntry;

/// Width of an RFC 3339 timestamp with milliseconds and a space, as the emulator and Azure ML's
/// server write them; hidden with `t`.
fn strip_timestamp(line: &str) -> &str {
    let bytes = line.as_bytes();
    let looks_like_time = bytes.len() > 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes[10] == b'T' || bytes[10] == b' ')
        && bytes[0].is_ascii_digit();
    if looks_like_time {
        match line.find(' ') {
            Some(i) if i <= 32 => &line[i + 1..],
            _ => line,
        }
    } else {
        line
    }
}

fn highlighted<'a>(text: &'a str, filter: Option<&PaneFilter>, theme: Theme) -> Line<'a> {
    let Some(filter) = filter else {
        return Line::raw(text);
    };
    let ranges = filter.ranges(text);
    if ranges.is_empty() {
        return Line::raw(text);
    }
    let mut spans = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for (start, end) in ranges {
        if start < at || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        spans.push(Span::raw(&text[at..start]));
        spans.push(Span::styled(&text[start..end], theme.changed()));
        at = end;
    }
    spans.push(Span::raw(&text[at..]));
    Line::from(spans)
}

fn render_pane(pane: &LogPane, focused: bool, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut title = vec![
        Span::styled(format!(" {} ", pane.deployment), theme.key()),
        Span::raw(format!("· {} · ", pane.container.cli_name())),
    ];
    let state_style = match pane.status {
        crate::app::logs::PaneStatus::BackingOff { .. } => theme.error(),
        crate::app::logs::PaneStatus::Paused => theme.warn(),
        _ => theme.ok(),
    };
    title.push(Span::styled(pane.title_state(), state_style));
    if let Some(f) = &pane.filter {
        title.push(Span::styled(format!(" /{}/", f.text), theme.changed()));
    }
    if pane.stream.ring().dropped() > 0 {
        title.push(Span::styled(
            format!(" ({} old lines dropped)", pane.stream.ring().dropped()),
            theme.dim(),
        ));
    }
    title.push(Span::raw(" "));
    let block = Block::bordered()
        .title(Line::from(title))
        .border_style(theme.border(focused));
    let inner_rows = area.height.saturating_sub(2) as usize;
    let entries = pane.window(inner_rows);
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|entry| match entry {
            LogEntry::Marker(text) => Line::from(Span::styled(text.as_str(), theme.badge())),
            LogEntry::Line(text) => {
                let shown = if pane.timestamps {
                    text.as_str()
                } else {
                    strip_timestamp(text)
                };
                highlighted(shown, pane.filter.as_ref(), theme)
            }
        })
        .collect();
    if let crate::app::logs::PaneStatus::BackingOff { error, .. } = &pane.status {
        lines.push(Line::from(Span::styled(
            format!("✗ {error}"),
            theme.error(),
        )));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "waiting for log lines…",
            theme.dim(),
        )));
    }
    let mut paragraph = Paragraph::new(lines).block(block);
    if pane.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
        // Wrapped lines take more rows: keep the newest in view.
        let width = area.width.saturating_sub(2).max(1) as usize;
        let rows: usize = entries
            .iter()
            .map(|e| e.text().chars().count().div_ceil(width).max(1))
            .sum();
        let overflow = rows.saturating_sub(inner_rows);
        paragraph = paragraph.scroll((overflow.min(u16::MAX as usize) as u16, 0));
    }
    frame.render_widget(paragraph, area);
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let panes = &state.logs.panes;
    if panes.is_empty() || area.height < 3 {
        return;
    }
    let focused = match state.ui.focus {
        Focus::Logs(i) => Some(i),
        _ => None,
    };
    if state.logs.maximized
        && let Some(i) = focused
        && let Some(pane) = panes.get(i)
    {
        render_pane(pane, true, theme, frame, area);
        return;
    }
    let areas =
        Layout::horizontal(vec![Constraint::Ratio(1, panes.len() as u32); panes.len()]).split(area);
    for (i, (pane, rect)) in panes.iter().zip(areas.iter()).enumerate() {
        render_pane(pane, focused == Some(i), theme, frame, *rect);
    }
}
