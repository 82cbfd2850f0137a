//! The compare dialog: the request file, the verdict, and each deployment's answer in a column
//! of its own, the lines and paths where it differs from the reference highlighted.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::Theme;
use super::widgets::keys_row;
use crate::app::dialogs::Hint;
use crate::app::dialogs::compare::{Compare, ShownAnswer};
use crate::app::screen::Button;

fn answer_lines<'a>(
    answer: &'a ShownAnswer,
    reference: &ShownAnswer,
    theme: Theme,
) -> Vec<Line<'a>> {
    let is_reference = std::ptr::eq(answer, reference);
    let mut lines: Vec<Line> = answer
        .body
        .iter()
        .enumerate()
        .map(|(i, line)| {
            // A line differs when the reference has another line at the same place: a quick
            // guide for the eye. The JSON-aware verdict (key order ignored, numbers within
            // the tolerance) is the list of differences below.
            let differs = !is_reference && reference.body.get(i) != Some(line);
            if differs {
                Line::from(Span::styled(format!("≠ {line}"), theme.changed()))
            } else {
                Line::raw(format!("  {line}"))
            }
        })
        .collect();
    if !answer.differences.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled("differences:", theme.dim())));
        lines.extend(
            answer
                .differences
                .iter()
                .map(|d| Line::from(Span::styled(format!("≠ {d}"), theme.changed()))),
        );
    }
    lines
}

pub fn render(
    dialog: &Compare,
    hints: &[Hint],
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
    buttons: &mut Vec<Button>,
) {
    let width = area.width.saturating_sub(4).max(20);
    let height = area.height.saturating_sub(2).max(8);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(
            " Compare answers · {} (changes nothing) ",
            dialog.endpoint
        ))
        .border_style(theme.border(true));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [file_row, verdict_row, answers_area, keys_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Line::from(vec![
            Span::styled("request file: ", theme.key()),
            Span::styled(format!("{}▏", dialog.input.value()), theme.changed()),
        ]),
        file_row,
    );
    keys_row(hints, theme, frame, keys_area, buttons);
    let shown = match &dialog.outcome {
        _ if dialog.running => {
            frame.render_widget(
                Span::styled("sending to every deployment…", theme.warn()),
                verdict_row,
            );
            return;
        }
        None => {
            frame.render_widget(
                Span::styled(
                    "enter sends this request to every deployment, each pinned",
                    theme.dim(),
                ),
                verdict_row,
            );
            return;
        }
        Some(Err(why)) => {
            frame.render_widget(
                Paragraph::new(Span::styled(format!("✗ {why}"), theme.error()))
                    .wrap(Wrap { trim: true }),
                verdict_row.union(answers_area),
            );
            return;
        }
        Some(Ok(shown)) => shown,
    };
    let style = if shown.all_agree {
        theme.ok()
    } else {
        theme.error()
    };
    frame.render_widget(Span::styled(shown.headline.as_str(), style), verdict_row);
    let Some(reference) = shown.answers.first() else {
        return;
    };
    let columns = Layout::horizontal(vec![
        Constraint::Ratio(1, shown.answers.len() as u32);
        shown.answers.len()
    ])
    .split(answers_area);
    for (i, (answer, column)) in shown.answers.iter().zip(columns.iter()).enumerate() {
        let role = if i == 0 { " (reference)" } else { "" };
        let title_style = if answer.failed {
            theme.error()
        } else {
            theme.key()
        };
        let block = Block::bordered()
            .title(Line::from(vec![
                Span::styled(format!(" {}{role} ", answer.deployment), title_style),
                Span::raw(format!("{} ", answer.summary)),
            ]))
            .border_style(theme.border(false));
        frame.render_widget(
            Paragraph::new(answer_lines(answer, reference, theme)).block(block),
            *column,
        );
    }
}
