//! The title bar: what the console is connected to, and badges. Each kind of target has its
//! own badge and colour; the config file can add a badge of its own per workspace, and
//! production (a workspace whose name says `prod`, or one marked red) gets a red bar and a
//! PROD badge on top, so production never looks like a demo.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::AppState;
use crate::app::state::TargetLabel;
use crate::logstream::sanitize_inline;

/// A GUID shortened to its first group: enough to tell subscriptions apart beside a name.
fn short_guid(id: &str) -> String {
    match id.split_once('-') {
        Some((head, _)) => format!("{head}…"),
        None => id.to_string(),
    }
}

/// `Display Name (1234abcd…)` once the name is known, else the whole GUID.
fn subscription_text(state: &AppState, id: &str) -> String {
    match &state.azure.subscription_name {
        Some(name) => format!("{name} ({})", short_guid(id)),
        None => id.to_string(),
    }
}

/// The workspace first (it is what differs between targets), then its resource group and
/// subscription, then where the emulator listens.
pub(super) fn target_text(state: &AppState) -> String {
    let text = match &state.options.target {
        TargetLabel::Demo => format!(
            "demo-ws · rollout-demo · {} · in-process emulator",
            subscription_text(state, crate::config::DEMO_SUBSCRIPTION_ID)
        ),
        TargetLabel::Emulator {
            url,
            subscription,
            resource_group,
            workspace,
        } => format!(
            "{workspace} · {resource_group} · {} · {url}",
            subscription_text(state, subscription)
        ),
        TargetLabel::Azure {
            subscription,
            resource_group,
            workspace,
        } => format!(
            "{workspace} · {resource_group} · {}",
            subscription_text(state, subscription)
        ),
    };
    format!(" {}", sanitize_inline(&text))
}

/// The badges: the kind of target, the config file's label, PROD.
pub(super) fn badges(state: &AppState, theme: Theme) -> Vec<Span<'static>> {
    let (kind, colour) = match &state.options.target {
        TargetLabel::Demo => (" DEMO ", Color::Green),
        TargetLabel::Emulator { .. } => (" EMULATOR ", Color::Cyan),
        TargetLabel::Azure { .. } => (" AZURE ", Color::Magenta),
    };
    let mut spans = vec![Span::raw(" "), Span::styled(kind, theme.badge_in(colour))];
    let mark = state.options.target_mark.as_ref();
    let label = mark.and_then(|m| m.label.as_ref()).map(|l| l.as_str());
    if let Some(label) = label {
        let colour = mark
            .and_then(|m| m.color)
            .map(Theme::mark_colour)
            .unwrap_or(Color::Yellow);
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {} ", sanitize_inline(label)),
            theme.badge_in(colour),
        ));
    }
    // Said once: a config label that already reads PROD needs no second badge.
    if state.options.production() && !label.is_some_and(|l| l.eq_ignore_ascii_case("prod")) {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" PROD ", theme.badge_in(Color::Red)));
    }
    spans
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" aml-rollout ", theme.title())];
    spans.extend(badges(state, theme));
    spans.push(Span::raw(target_text(state)));
    if state.options.read_only {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(" READ-ONLY ", theme.badge()));
    }
    let running = state.running_operations();
    if running > 0 {
        spans.push(Span::styled(format!("  ● {running} running"), theme.warn()));
    }
    if let Some(err) = &state.azure.last_error {
        spans.push(Span::styled(format!("  ✗ offline: {err}"), theme.error()));
    } else if !state.azure.loaded {
        spans.push(Span::styled("  loading…", theme.dim()));
    }
    let mut bar = Paragraph::new(Line::from(spans));
    if state.options.production() {
        // The whole bar, not only the badge: production shows from across the room.
        bar = bar.style(theme.badge_in(Color::Red));
    }
    frame.render_widget(bar, area);
}

/// The text of the red frame's top edge: what a production console is pointed at, in words,
/// so that it reads the same without colour.
pub(super) fn production_caption(state: &AppState) -> String {
    let workspace = match &state.options.target {
        TargetLabel::Demo => "demo-ws".to_string(),
        TargetLabel::Emulator { workspace, .. } | TargetLabel::Azure { workspace, .. } => {
            sanitize_inline(workspace)
        }
    };
    format!(" PRODUCTION · {workspace} ")
}
