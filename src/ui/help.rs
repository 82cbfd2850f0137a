//! The `?` overlay, generated from the keymap table: two columns when the terminal is wide
//! enough for both at full width, one with wrapped texts otherwise, scrollable (j/k) when short.
//! A read-only console lists only the keys that work in it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use super::widgets::{centered, wrap_words};
use crate::app::dialogs::key_tables;
use crate::app::keymap::{KEYMAP, Scope, working};

/// Columns the key labels take before the help text: the longest label, indented and spaced.
fn keys_width() -> usize {
    KEYMAP
        .iter()
        .map(|b| b.keys_label.chars().count())
        .max()
        .unwrap_or(0)
        + 4
}

/// One scope's keys, with each help text wrapped to `width` columns (the labels included).
fn section(scope: Scope, width: usize, read_only: bool, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(scope.title(), theme.changed()))];
    let keys_width = keys_width();
    let text_width = width.saturating_sub(keys_width).max(10);
    for b in working(read_only).filter(|b| b.scope == scope && !b.help.is_empty()) {
        for (i, row) in wrap_words(b.help, text_width).into_iter().enumerate() {
            let label = if i == 0 { b.keys_label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {label:<pad$}", pad = keys_width - 2),
                    theme.key(),
                ),
                Span::raw(row),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines
}

/// The dialogs' keys, from their own tables, wrapped to `width`.
fn dialog_sections(width: usize, read_only: bool, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled("In dialogs", theme.changed()))];
    for (title, hints) in key_tables(read_only) {
        let text = hints
            .iter()
            .map(|h| format!("{} {}", h.label, h.does))
            .collect::<Vec<_>>()
            .join(" · ");
        let head = format!("  {title}: ");
        for (i, row) in wrap_words(&format!("{head}{text}"), width.max(20))
            .into_iter()
            .enumerate()
        {
            let row = if i == 0 { row } else { format!("    {row}") };
            lines.push(Line::from(Span::raw(row)));
        }
    }
    lines
}

/// The widest line of the scopes' sections, unwrapped.
fn natural_width(scopes: &[Scope], read_only: bool) -> usize {
    working(read_only)
        .filter(|b| scopes.contains(&b.scope))
        .map(|b| keys_width() + b.help.chars().count())
        .chain(scopes.iter().map(|s| s.title().chars().count()))
        .max()
        .unwrap_or(0)
}

fn column(scopes: &[Scope], width: usize, read_only: bool, theme: Theme) -> Vec<Line<'static>> {
    scopes
        .iter()
        .flat_map(|s| section(*s, width, read_only, theme))
        .collect()
}

/// The overlay: two columns when both fit side by side at full width, else one whose texts
/// wrap to the terminal; it scrolls when taller than the terminal. Returns how far it can
/// scroll, so that scrolling stops at its end.
pub fn render(
    scroll: usize,
    read_only: bool,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) -> usize {
    const LEFT: [Scope; 2] = [Scope::Deployments, Scope::Endpoints];
    const RIGHT: [Scope; 2] = [Scope::Logs, Scope::Global];
    let (left_width, right_width) = (
        natural_width(&LEFT, read_only),
        natural_width(&RIGHT, read_only),
    );
    let available = usize::from(area.width).saturating_sub(2);
    let (columns, width) = if left_width + 2 + right_width <= available {
        (
            vec![
                (column(&LEFT, left_width, read_only, theme), left_width + 2),
                (column(&RIGHT, right_width, read_only, theme), right_width),
            ],
            left_width + 2 + right_width,
        )
    } else {
        let width = left_width.max(right_width).min(available);
        let mut all = column(&LEFT, width, read_only, theme);
        all.extend(column(&RIGHT, width, read_only, theme));
        (vec![(all, width)], width)
    };
    // The dialogs' keys go under the last column, wrapped to its width.
    let mut columns = columns;
    if let Some((last, last_width)) = columns.last_mut() {
        last.extend(dialog_sections(*last_width, read_only, theme));
    }
    let tallest = columns.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let rect = centered(
        area,
        (width + 2).min(usize::from(u16::MAX)) as u16,
        (tallest + 2).min(usize::from(u16::MAX)) as u16,
    );
    frame.render_widget(Clear, rect);
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let max_scroll = tallest.saturating_sub(inner_height);
    let scroll = scroll.min(max_scroll);
    let more = if max_scroll > 0 {
        format!(" · j/k scroll ({}/{})", scroll, max_scroll)
    } else {
        String::new()
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
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|(_, w)| Constraint::Length((*w).min(usize::from(u16::MAX)) as u16))
        .collect();
    let areas = Layout::horizontal(widths).split(inner);
    for ((lines, _), column) in columns.into_iter().zip(areas.iter()) {
        frame.render_widget(
            Paragraph::new(lines).scroll((scroll.min(usize::from(u16::MAX)) as u16, 0)),
            *column,
        );
    }
    max_scroll
}
