//! The title bar: what the console is connected to, and badges. Each kind of target has its
//! own badge and colour; a workspace whose name says `prod` gets a red PROD badge on top, so
//! production never looks like a demo.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::AppState;
use crate::app::state::TargetLabel;

/// A workspace whose name says `prod` is treated as production unless told otherwise.
pub(crate) fn is_production(target: &TargetLabel) -> bool {
    match target {
        TargetLabel::Demo => false,
        TargetLabel::Emulator { workspace, .. } | TargetLabel::Azure { workspace, .. } => {
            workspace.to_lowercase().contains("prod")
        }
    }
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" aml-rollout ", theme.title())];
    let target = match &state.options.target {
        TargetLabel::Demo => {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" DEMO ", theme.badge_in(Color::Green)));
            " in-process emulator · 00000000-… / rollout-demo / demo-ws".to_string()
        }
        TargetLabel::Emulator {
            url,
            subscription,
            resource_group,
            workspace,
        } => {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" EMULATOR ", theme.badge_in(Color::Cyan)));
            format!(" {url} · {subscription} / {resource_group} / {workspace}")
        }
        TargetLabel::Azure {
            subscription,
            resource_group,
            workspace,
        } => {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" AZURE ", theme.badge_in(Color::Magenta)));
            format!(" {subscription} / {resource_group} / {workspace}")
        }
    };
    if is_production(&state.options.target) {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" PROD ", theme.badge_in(Color::Red)));
    }
    spans.push(Span::raw(target));
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
    if is_production(&state.options.target) {
        // The whole bar, not only the badge: production shows from across the room.
        bar = bar.style(theme.badge_in(Color::Red));
    }
    frame.render_widget(bar, area);
}
