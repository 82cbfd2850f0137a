//! The title bar: what the console is connected to, and badges.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::AppState;
use crate::app::state::TargetLabel;

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" aml-rollout ", theme.title())];
    let target = match &state.options.target {
        TargetLabel::Demo => {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" DEMO ", theme.badge()));
            " in-process emulator · 00000000-… / rollout-demo / demo-ws".to_string()
        }
        TargetLabel::Emulator {
            url,
            subscription,
            resource_group,
            workspace,
        } => {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" EMULATOR ", theme.badge()));
            format!(" {url} · {subscription} / {resource_group} / {workspace}")
        }
        TargetLabel::Azure {
            subscription,
            resource_group,
            workspace,
        } => format!(" {subscription} / {resource_group} / {workspace}"),
    };
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
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
