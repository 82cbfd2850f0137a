//! Under the deployments table: the selected deployment's health in full (what a narrow table
//! leaves out) and its last half hour of rate and error share as sparklines; or, when the
//! endpoint's metrics could not be read, why.

use chrono::Utc;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Wrap};

use super::deployments::{data_label, verdict_label, verdict_style};
use super::theme::Theme;
use crate::app::AppState;
use crate::app::snapshot::DeploymentMetrics;

/// Below this width the health line takes two rows.
const ONE_LINE_WIDTH: u16 = 100;

/// Rows this area takes in a pane `width` wide: the health line and two sparklines, when a
/// deployment is selected.
pub fn height(state: &AppState, width: u16) -> u16 {
    match state.selected_deployment() {
        None => 0,
        Some(_) if width < ONE_LINE_WIDTH => 4,
        Some(_) => 3,
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.1}%"))
}

/// Every figure of one deployment in words, the verdict first: a narrow screen cuts the end.
fn health_line(name: &str, m: &DeploymentMetrics, now: chrono::DateTime<Utc>) -> String {
    let mut text = match &m.baseline {
        Some(baseline) => format!("{name} vs {baseline}: {}", verdict_label(m)),
        None => format!("{name}: {}", verdict_label(m)),
    };
    if let Some(ratio) = m.p95_ratio {
        text.push_str(&format!(", p95 ×{ratio:.2}"));
    }
    text.push_str(&format!(
        " · {} · errors {} (4xx {}, 5xx {}) · p95 {} · {} min with data",
        data_label(m, now),
        percent(m.error_percent),
        percent(m.client_error_percent),
        percent(m.server_error_percent),
        m.p95_ms
            .map_or_else(|| "-".into(), |p| format!("{p:.0} ms")),
        m.samples,
    ));
    text
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let (Some(endpoint), Some(deployment)) =
        (state.selected_endpoint(), state.selected_deployment())
    else {
        return;
    };
    if area.height < 3 {
        return;
    }
    let text_rows = if area.width < ONE_LINE_WIDTH { 2 } else { 1 };
    let [text_area, rate_area, errors_area] = Layout::vertical([
        Constraint::Length(text_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if let Some(why) = state
        .azure
        .metrics_errors
        .get(&endpoint.name.to_lowercase())
    {
        let text = Line::from(vec![
            Span::styled("metrics unavailable: ", theme.warn()),
            Span::raw(why.clone()),
        ]);
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }),
            Rect::new(area.x, area.y, area.width, area.height),
        );
        return;
    }
    let Some(m) = deployment.metrics.as_ref() else {
        frame.render_widget(
            Span::styled(
                format!("{}: waiting for metrics", deployment.name),
                theme.dim(),
            ),
            text_area,
        );
        return;
    };
    let now = state.clock.with_timezone(&Utc);
    frame.render_widget(
        Paragraph::new(health_line(&deployment.name, m, now))
            .style(verdict_style(Some(m), theme))
            .wrap(Wrap { trim: true }),
        text_area,
    );
    let rates: Vec<u64> = m.trend.iter().map(|(requests, _)| *requests).collect();
    // Per mille, so that a small share still draws a bar.
    let error_shares: Vec<u64> = m
        .trend
        .iter()
        .map(|(requests, errors)| (errors * 1000).checked_div(*requests).unwrap_or(0))
        .collect();
    let narrow = area.width < 60;
    let label_width = if narrow { 8 } else { 22 };
    // The rate scales to its own peak; the error share to 100%, so that a trickle of errors
    // does not draw as tall as an outage.
    for (row, label, short, data, max, style) in [
        (
            rate_area,
            "req/min, 30 min",
            "req/min",
            rates,
            None,
            theme.live(),
        ),
        (
            errors_area,
            "error share, 30 min",
            "errors",
            error_shares,
            Some(1000),
            theme.error(),
        ),
    ] {
        let label = if narrow { short } else { label };
        let [label_area, spark_area] = Layout::horizontal([
            Constraint::Length(label_width),
            Constraint::Length(data.len() as u16),
        ])
        .areas(row);
        frame.render_widget(Span::styled(label, theme.dim()), label_area);
        let mut sparkline = Sparkline::default().data(&data).style(style);
        if let Some(max) = max {
            sparkline = sparkline.max(max);
        }
        frame.render_widget(sparkline, spark_area);
    }
}
