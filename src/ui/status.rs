//! The status bar: the keys that work now, from the open dialog's table or else the focused
//! panel's keymap, after Azure's throttling while it lasts; or the prompt being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::AppState;
use crate::app::keymap::status_hints;
use crate::app::state::Prompt;

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    match &state.ui.prompt {
        Some(Prompt::Command {
            input,
            error,
            matches,
        }) => {
            let mut spans = vec![
                Span::styled(":", theme.key()),
                Span::raw(input.value().to_string()),
            ];
            if let Some(e) = error {
                spans.push(Span::styled(format!("   ✗ {e}"), theme.error()));
            }
            if let Some(m) = matches {
                spans.push(Span::styled(format!("   {m}"), theme.dim()));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
            let cursor = input.visual_cursor() as u16 + 1;
            frame.set_cursor_position((area.x + cursor.min(area.width.saturating_sub(1)), area.y));
        }
        Some(Prompt::Filter { input }) | Some(Prompt::LogFilter { input, .. }) => {
            let hint = if matches!(state.ui.prompt, Some(Prompt::LogFilter { .. })) {
                "   log filter (regex or text) · enter applies (empty clears) · esc cancels"
            } else {
                "   enter keeps · esc clears"
            };
            let spans = vec![
                Span::styled("/", theme.key()),
                Span::raw(input.value().to_string()),
                Span::styled(hint, theme.dim()),
            ];
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
            let cursor = input.visual_cursor() as u16 + 1;
            frame.set_cursor_position((area.x + cursor.min(area.width.saturating_sub(1)), area.y));
        }
        None => {
            // Keys go to the open dialog, so its keys are the ones that work.
            let hints: Vec<(&str, &str)> = match &state.ui.dialog {
                Some(dialog) => dialog.hints().iter().map(|h| (h.label, h.does)).collect(),
                None => status_hints(
                    state.ui.focus,
                    state.options.read_only,
                    state.own_plan().is_some_and(|p| p.status.takes_controls()),
                    state
                        .selected_endpoint()
                        .is_some_and(|ep| state.draft_of(&ep.name).is_some()),
                ),
            };
            let mut spans = Vec::new();
            if let Some(until) = state.azure.throttled_until {
                let seconds = crate::app::tick::throttle_seconds(until, state.now);
                spans.push(Span::styled(
                    format!("throttled by Azure: retrying in {seconds} s"),
                    theme.error(),
                ));
                spans.push(Span::raw("  "));
            }
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let room = usize::from(area.width).saturating_sub(used);
            for (keys, hint) in fitting(hints, room, state.ui.dialog.is_none()) {
                spans.push(Span::styled(keys, theme.key()));
                spans.push(Span::raw(format!(" {hint}  ")));
            }
            frame.render_widget(Paragraph::new(Line::from(spans)), area);
        }
    }
}

/// The hints that fit in `room` columns, whole: none is cut mid-word. Outside dialogs `? help`
/// and `q quit` stay at the end whatever else must go, so a narrow terminal still says how to
/// find the rest and how to leave.
fn fitting<'a>(
    hints: Vec<(&'a str, &'a str)>,
    room: usize,
    keep_help_and_quit: bool,
) -> Vec<(&'a str, &'a str)> {
    let width = |(keys, hint): &(&str, &str)| keys.chars().count() + hint.chars().count() + 3;
    let (kept, others): (Vec<_>, Vec<_>) = hints
        .into_iter()
        .partition(|(keys, _)| keep_help_and_quit && matches!(*keys, "?" | "q"));
    let mut left = room.saturating_sub(kept.iter().map(width).sum());
    let mut shown: Vec<_> = others
        .into_iter()
        .take_while(|h| {
            let fits = width(h) <= left;
            left = left.saturating_sub(width(h));
            fits
        })
        .collect();
    shown.extend(kept);
    shown
}
