//! The plan's dialogs: the file to open, the preview before it starts (or why it is refused,
//! with its line and column), and the confirmation of a promote or an abort.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::Theme;
use super::widgets::{centered, short_duration};
use crate::app::dialogs::{ConfirmPlan, Dialog, Hint, PlanControl, PlanOpen, PlanPreview};
use crate::app::plans::step_text;
use crate::logstream::sanitize_inline;
use crate::rollout::plan::{MissingData, OnFailure};

/// Whether this module draws the dialog.
pub fn draws(dialog: &Dialog) -> bool {
    matches!(
        dialog,
        Dialog::PlanOpen(_) | Dialog::PlanPreview(_) | Dialog::ConfirmPlan(_)
    )
}

fn keys_line(hints: &[Hint], theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for hint in hints {
        spans.push(Span::styled(hint.label, theme.key()));
        spans.push(Span::raw(format!(" {}   ", hint.does)));
    }
    Line::from(spans)
}

fn draw(
    frame: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line>,
    theme: Theme,
    danger: bool,
) {
    let longest = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let width = longest
        .clamp(64, 110)
        .min(area.width.saturating_sub(2).max(20));
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let rect = centered(area, width, rows as u16 + 2);
    let border = if danger {
        theme.error()
    } else {
        theme.border(true)
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title).border_style(border)),
        rect,
    );
}

pub fn render(dialog: &Dialog, theme: Theme, frame: &mut Frame, area: Rect) {
    let hints = dialog.hints();
    match dialog {
        Dialog::PlanOpen(d) => open(d, &hints, theme, frame, area),
        Dialog::PlanPreview(d) => preview(d, &hints, theme, frame, area),
        Dialog::ConfirmPlan(d) => confirm(d, &hints, theme, frame, area),
        _ => {}
    }
}

fn open(d: &PlanOpen, hints: &[Hint], theme: Theme, frame: &mut Frame, area: Rect) {
    let lines = vec![
        Line::raw(format!(
            "A rollout plan for {} on {}.",
            d.deployment, d.endpoint
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled("plan file:", theme.key()),
            Span::raw(" "),
            Span::styled(format!("{}▏", d.input.value()), theme.changed()),
        ]),
        Line::styled(
            format!(
                "empty: the seed's plan for {}: mirror 10%, 10%, 50%, approval, 100%, with bakes",
                d.deployment
            ),
            theme.dim(),
        ),
        Line::raw(""),
        keys_line(hints, theme),
    ];
    draw(
        frame,
        area,
        " Open a rollout plan ".into(),
        lines,
        theme,
        false,
    );
}

fn preview(d: &PlanPreview, hints: &[Hint], theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    match &d.checked {
        Ok((plan, baseline)) => {
            lines.push(Line::raw(format!(
                "{} on {} against {baseline}, from {}:",
                plan.deployment,
                d.endpoint,
                sanitize_inline(&d.file)
            )));
            for (i, step) in plan.steps.iter().enumerate() {
                let bake = step
                    .bake
                    .map(|b| format!("bake {}, then gates", short_duration(b.as_secs())))
                    .unwrap_or_else(|| "no bake".to_string());
                lines.push(Line::from(vec![
                    Span::styled(format!("  {}. ", i + 1), theme.key()),
                    Span::raw(format!(
                        "{:<26} {bake}",
                        sanitize_inline(&step_text(&step.kind))
                    )),
                ]));
            }
            let g = &plan.gates;
            lines.push(Line::raw(format!(
                "gates: green's error % − baseline's ≤ {:.2} pts · p95 ratio ≤ {:.2} · at least {} requests",
                g.error_percent_delta, g.p95_ratio, g.min_requests
            )));
            lines.push(Line::raw(format!(
                "not enough data: {} · on failure: {}",
                match g.on_missing_data {
                    MissingData::Pause => "pause",
                    MissingData::Fail => "fail",
                },
                match plan.on_failure {
                    OnFailure::Rollback => "roll back to the split it began with",
                    OnFailure::Pause => "pause",
                }
            )));
            lines.push(Line::styled(
                "Nothing has been sent. Starting records the plan on the endpoint, then applies step 1.",
                theme.dim(),
            ));
        }
        Err(reason) => {
            lines.push(Line::styled(format!("✗ refused: {reason}"), theme.error()));
            lines.push(Line::styled("Nothing was sent.", theme.dim()));
        }
    }
    lines.push(Line::raw(""));
    lines.push(keys_line(hints, theme));
    let danger = d.checked.is_err();
    draw(
        frame,
        area,
        " Rollout plan preview ".into(),
        lines,
        theme,
        danger,
    );
}

fn confirm(d: &ConfirmPlan, hints: &[Hint], theme: Theme, frame: &mut Frame, area: Rect) {
    let (title, danger) = match d.control {
        PlanControl::Promote => (" Promote the rollout plan ", false),
        PlanControl::Abort => (" Abort the rollout plan ", true),
    };
    let mut lines = vec![
        Line::raw(format!("{} on {}:", title.trim(), d.endpoint)),
        Line::raw(d.consequence.clone()),
        Line::raw(""),
    ];
    if let Some(notice) = d.guard.notice() {
        lines.push(Line::styled(format!("! {notice}"), theme.warn()));
    }
    lines.push(keys_line(hints, theme));
    draw(frame, area, title.into(), lines, theme, danger);
}
