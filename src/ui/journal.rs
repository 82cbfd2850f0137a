//! The journal view (`@`): one line per change, newest first, in words; `enter` shows a
//! record's every field.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use super::theme::Theme;
use super::widgets::keys_row;
use crate::app::dialogs::Hint;
use crate::app::dialogs::journal::{Journal, JournalPage, JournalRecord};
use crate::app::screen::Button;

/// `12:03:10` for today (UTC, as the journal records), else `Nov 02 12:03`.
fn when(record: &JournalRecord, today: chrono::NaiveDate) -> String {
    if record.time.date_naive() == today {
        record.time.format("%H:%M:%S").to_string()
    } else {
        record.time.format("%b %d %H:%M").to_string()
    }
}

fn width_of<'a>(texts: impl Iterator<Item = &'a str>) -> u16 {
    texts.map(|t| t.chars().count()).max().unwrap_or(0).min(40) as u16
}

fn list(
    page: &JournalPage,
    selected: usize,
    today: chrono::NaiveDate,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let times: Vec<String> = page.records.iter().map(|r| when(r, today)).collect();
    let any_who = page.records.iter().any(|r| r.who.is_some());
    let rows: Vec<Row> = page
        .records
        .iter()
        .zip(&times)
        .map(|(r, time)| {
            let mut cells = vec![Cell::from(time.clone())];
            if any_who {
                cells.push(Cell::from(r.who.clone().unwrap_or_else(|| "-".into())));
            }
            cells.push(Cell::from(r.action.clone()));
            cells.push(Cell::from(r.what.clone()));
            let change = if r.failed {
                Span::styled(format!("FAILED  {}", r.change), theme.error())
            } else {
                Span::raw(r.change.clone())
            };
            cells.push(Cell::from(change));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(width_of(
        times.iter().map(String::as_str),
    ))];
    let mut header = vec!["UTC"];
    if any_who {
        widths.push(Constraint::Length(width_of(
            page.records.iter().filter_map(|r| r.who.as_deref()),
        )));
        header.push("Who");
    }
    widths.push(Constraint::Length(width_of(
        page.records.iter().map(|r| r.action.as_str()),
    )));
    widths.push(Constraint::Length(width_of(
        page.records.iter().map(|r| r.what.as_str()),
    )));
    widths.push(Constraint::Min(10));
    header.extend(["Action", "Target", "Before → after"]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .column_spacing(2)
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::default();
    table_state.select(Some(selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}

fn detail(record: &JournalRecord, scroll: usize, theme: Theme, frame: &mut Frame, area: Rect) {
    let label_width = record
        .detail
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = record
        .detail
        .iter()
        .skip(scroll)
        .map(|(label, value)| {
            let style = if label == "outcome" && record.failed {
                theme.error()
            } else {
                ratatui::style::Style::new()
            };
            Line::from(vec![
                Span::styled(format!("{label:<label_width$}  "), theme.dim()),
                Span::styled(value.clone(), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// `today` is the UTC date of the console's clock: records of that day show only their time.
pub fn render(
    journal: &Journal,
    hints: &[Hint],
    today: chrono::NaiveDate,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
    buttons: &mut Vec<Button>,
) {
    let rect = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let title = match (&journal.page, journal.detail) {
        (Some(Ok(_)), Some(_)) => " Journal · record ".to_string(),
        (Some(Ok(page)), None) if page.older_left => format!(
            " Journal · newest {} changes, newest first ",
            page.records.len()
        ),
        _ => " Journal · newest first ".to_string(),
    };
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(true));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [body, notes, keys] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    match &journal.page {
        None => frame.render_widget(Span::styled("loading…", theme.dim()), body),
        Some(Err(e)) => frame.render_widget(
            Paragraph::new(Span::styled(format!("✗ {e}"), theme.error()))
                .wrap(Wrap { trim: false }),
            body,
        ),
        Some(Ok(page)) if page.records.is_empty() => frame.render_widget(
            Span::styled("no applied changes recorded yet", theme.dim()),
            body,
        ),
        Some(Ok(page)) => match (journal.detail, journal.selected_record()) {
            (Some(scroll), Some(record)) => detail(record, scroll, theme, frame, body),
            _ => list(page, journal.selected, today, theme, frame, body),
        },
    }
    if let Some(Ok(page)) = &journal.page
        && page.skipped_lines > 0
    {
        frame.render_widget(
            Span::styled(
                format!("({} unreadable line(s) skipped)", page.skipped_lines),
                theme.warn(),
            ),
            notes,
        );
    }
    keys_row(hints, theme, frame, keys, buttons);
}
