//! The draft panel: before → after per deployment, notes, and the equivalent az command.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::AppState;
use crate::app::draft_warnings::draft_warnings;
use crate::app::state::Draft;
use crate::rollout::SplitDiff;

/// Lines describing a diff, shared by the panel and the confirmation dialog.
pub fn diff_lines(diff: &SplitDiff, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // Names line up in one column as wide as the longest, with a gap before the figures.
    let name_width = diff
        .rows
        .iter()
        .map(|r| r.deployment.chars().count())
        .max()
        .unwrap_or(0)
        .max(14);
    for row in &diff.rows {
        let mut spans = vec![Span::styled(
            format!("  {:<name_width$}  ", row.deployment),
            theme.key(),
        )];
        if row.live_before != row.live_after {
            spans.push(Span::raw(format!("live {:>3}% → ", row.live_before)));
            spans.push(Span::styled(
                format!("{:>3}%", row.live_after),
                theme.changed(),
            ));
            spans.push(Span::raw("   "));
        }
        if row.mirror_before != row.mirror_after {
            spans.push(Span::raw(format!("mirror {:>2}% → ", row.mirror_before)));
            spans.push(Span::styled(
                format!("{:>2}%", row.mirror_after),
                theme.mirror(),
            ));
        }
        lines.push(Line::from(spans));
    }
    for note in &diff.notes {
        lines.push(Line::from(Span::styled(
            format!("  ! {note}"),
            theme.warn(),
        )));
    }
    lines
}

/// Warnings in words with a marker, so that colour is not the only cue.
pub fn warning_lines(warnings: &[String], theme: Theme) -> Vec<Line<'static>> {
    warnings
        .iter()
        .map(|w| Line::from(Span::styled(format!("  ⚠ warning: {w}"), theme.warn())))
        .collect()
}

fn warnings_of(state: &AppState, endpoint: &str, draft: &Draft) -> Vec<String> {
    draft_warnings(
        &draft.base,
        &draft.proposed,
        state.azure.deployments_of(endpoint),
    )
}

/// Height the panel needs for the selected endpoint's draft (0 when there is none).
pub fn height(state: &AppState) -> u16 {
    let Some(ep) = state.selected_endpoint() else {
        return 0;
    };
    match state.draft_of(&ep.name) {
        Some(d) => {
            let diff = d.diff();
            let warnings = warnings_of(state, &ep.name, d).len();
            let warning = usize::from(d.warning.is_some());
            (diff.rows.len() + diff.notes.len() + d.notes.len() + warnings + warning + 4) as u16
        }
        None => 0,
    }
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(ep) = state.selected_endpoint() else {
        return;
    };
    let Some(draft) = state.draft_of(&ep.name) else {
        return;
    };
    let diff = draft.diff();
    let mut lines = Vec::new();
    if let Some(warning) = &draft.warning {
        lines.push(Line::from(Span::styled(
            format!("  ! {warning}"),
            theme.warn(),
        )));
    }
    lines.extend(diff_lines(&diff, theme));
    lines.extend(warning_lines(&warnings_of(state, &ep.name, draft), theme));
    for note in &draft.notes {
        if !diff.notes.contains(note) {
            lines.push(Line::from(Span::styled(format!("  · {note}"), theme.dim())));
        }
    }
    let az = draft.az_command(&ep.name);
    lines.push(Line::from(vec![
        Span::styled("  $ ", theme.dim()),
        Span::raw(az),
    ]));
    let title = if draft.applying {
        " Draft: applying… "
    } else {
        " Draft (enter: review & apply · esc: discard) "
    };
    let block = Block::bordered().title(title).border_style(theme.changed());
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
