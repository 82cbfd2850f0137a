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

/// `11-29 14:02:11`: every row has its date, so rows of different days cannot be mistaken for
/// one another. A record of another year than `today`'s says its year instead of seconds; a
/// `narrow` list leaves the seconds to the detail, for the change's sake.
fn when(record: &JournalRecord, today: chrono::NaiveDate, narrow: bool) -> String {
    use chrono::Datelike;
    let format = match (record.time.year() == today.year(), narrow) {
        (true, false) => "%m-%d %H:%M:%S",
        (true, true) => "%m-%d %H:%M",
        (false, _) => "%Y-%m-%d %H:%M",
    };
    record.time.format(format).to_string()
}

/// Below this many columns the list is narrow: a column's space and the time's seconds go.
const NARROW: u16 = 100;

/// The list's columns, left to right.
const HEADER: [&str; 5] = ["UTC", "Who", "Action", "Target", "Before → after"];
/// Who and action never take more than this, however long a principal's name.
const MAX_NAME_WIDTH: u16 = 24;
/// Target and who give way down to this before the change is cut…
const MIN_NAME_WIDTH: u16 = 8;
/// …and then the action, down to this: `deployment c…` still says what was done.
const MIN_ACTION_WIDTH: u16 = 13;

fn width_of(text: &str) -> u16 {
    u16::try_from(text.chars().count()).unwrap_or(u16::MAX)
}

/// `text` cut to `width` characters, its end marked `…` when cut.
fn fit(text: &str, width: u16) -> String {
    let width = usize::from(width);
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// The columns' widths and the space between them, for `total` columns of screen and the
/// widest text of each column (`wanted`). The time keeps its width; when the row does not
/// fit, the target gives way first, then who, then the action, so that the change gets the rest.
fn column_widths(total: u16, wanted: [u16; 5]) -> ([u16; 5], u16) {
    let spacing: u16 = if total < NARROW { 1 } else { 2 };
    let [time, who, action, target, change] = wanted;
    let mut widths = [
        time,
        who.min(MAX_NAME_WIDTH),
        action.min(MAX_NAME_WIDTH),
        target,
        change,
    ];
    // Saturating: a hand-edited record can make a column as wide as its words allow.
    let used = |widths: &[u16]| {
        widths
            .iter()
            .fold(spacing * 4, |sum, width| sum.saturating_add(*width))
    };
    const WHO: usize = 1;
    const ACTION: usize = 2;
    const TARGET: usize = 3;
    const CHANGE: usize = 4;
    for (column, floor) in [
        (TARGET, MIN_NAME_WIDTH),
        (WHO, MIN_NAME_WIDTH),
        (ACTION, MIN_ACTION_WIDTH),
    ] {
        let over = used(&widths).saturating_sub(total);
        let floor = floor.min(widths[column]);
        widths[column] -= over.min(widths[column] - floor);
    }
    widths[CHANGE] = total.saturating_sub(used(&widths[..CHANGE]));
    (widths, spacing)
}

fn list(
    page: &JournalPage,
    selected: usize,
    today: chrono::NaiveDate,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    const NO_ONE: &str = "-";
    let rows_text: Vec<[String; 5]> = page
        .records
        .iter()
        .map(|r| {
            let change = if r.failed {
                format!("FAILED  {}", r.change)
            } else {
                r.change.clone()
            };
            [
                when(r, today, area.width < NARROW),
                r.who.clone().unwrap_or_else(|| NO_ONE.to_string()),
                r.action.clone(),
                r.what.clone(),
                change,
            ]
        })
        .collect();
    let mut wanted = HEADER.map(width_of);
    for row in &rows_text {
        for (column, text) in row.iter().enumerate() {
            wanted[column] = wanted[column].max(width_of(text));
        }
    }
    let (widths, spacing) = column_widths(area.width, wanted);
    let rows: Vec<Row> = rows_text
        .iter()
        .zip(&page.records)
        .map(|(texts, record)| {
            let cells = texts
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(column, (text, width))| {
                    let text = fit(text, width);
                    if column == HEADER.len() - 1 && record.failed {
                        Cell::from(Span::styled(text, theme.error()))
                    } else {
                        Cell::from(text)
                    }
                });
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths.map(Constraint::Length))
        .header(Row::new(HEADER).style(theme.dim()))
        .column_spacing(spacing)
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

/// `today` is the UTC date of the console's clock: records of another year say theirs.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> JournalRecord {
        JournalRecord {
            time: chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| t.to_utc())
                .unwrap_or_default(),
            who: None,
            action: "traffic".into(),
            what: "my-endpoint".into(),
            change: "blue 100% → blue 90%, green 10%".into(),
            failed: false,
            detail: Vec::new(),
        }
    }

    #[test]
    fn every_row_says_its_date_in_one_width() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let times: Vec<String> = ["2026-11-30T14:02:11Z", "2026-11-29T09:00:00Z"]
            .iter()
            .map(|t| when(&at(t), today, false))
            .collect();
        assert_eq!(times, ["11-30 14:02:11", "11-29 09:00:00"]);
        assert_eq!(
            when(&at("2026-11-29T09:00:59Z"), today, true),
            "11-29 09:00"
        );
        assert_eq!(
            when(&at("2025-12-31T23:59:59Z"), today, false),
            "2025-12-31 23:59"
        );
    }

    #[test]
    fn the_target_gives_way_to_the_change_at_80_columns() {
        // 80 columns of terminal leave 76 inside the journal's frame.
        let typical = "blue 100% → blue 90%, green 10%";
        let wanted = [11, 17, 17, 32, 60];
        let (widths, spacing) = column_widths(76, wanted);
        assert_eq!(widths.iter().sum::<u16>() + 4 * spacing, 76);
        assert!(widths[4] >= width_of(typical), "{widths:?}");
        assert_eq!(widths[3], MIN_NAME_WIDTH, "the target shrinks first");
        assert_eq!(widths[0], 11, "the time is never cut");
        // With room, every column has its widest text.
        let (widths, _) = column_widths(200, wanted);
        assert_eq!(widths[..4], wanted[..4]);
        assert!(widths[4] >= 60);
        assert_eq!(fit("my-endpoint/green", 8), "my-endp…");
        assert_eq!(fit("my-endpoint", 11), "my-endpoint");
    }
}
