//! One endpoint's health refresh turned into what the deployments table shows: each
//! deployment over the last five minutes of data, judged against the baseline, with its trend
//! over the last half hour. Pure: the thresholds come from the console's options.

use crate::logstream::sanitize_inline;
use crate::ops::{EndpointHealth, HISTORY_MINUTES};
use crate::rollout::{HealthThresholds, Window};

use super::snapshot::DeploymentMetrics;

/// The window beside the sliders: long enough for a steady error share, short enough to move
/// within minutes of a traffic change.
const TABLE_WINDOW: Window = Window::LastFiveMinutes;

/// Per deployment (as the endpoint names it, sanitized), what the table shows.
pub(super) fn deployment_metrics(
    health: &EndpointHealth,
    thresholds: &HealthThresholds,
) -> Vec<(String, DeploymentMetrics)> {
    let report = health.report(TABLE_WINDOW, thresholds);
    let as_of = report.anchor.map(|a| a.as_of);
    // The trend ends with the newest minute of data (`as_of` is that minute's end), so a
    // late metrics feed does not read as a drop.
    let trend_end = as_of.map_or(health.observed_at, |t| t - chrono::Duration::seconds(1));
    report
        .deployments
        .iter()
        .map(|d| {
            let comparison = d.comparison.as_ref();
            let metrics = DeploymentMetrics {
                window: "5m".to_string(),
                requests: d.stats.requests,
                samples: d.stats.samples,
                rate_per_minute: d.stats.rate_per_minute(),
                error_percent: d.stats.error_percent(),
                client_error_percent: d.stats.client_error_percent(),
                server_error_percent: d.stats.server_error_percent(),
                p95_ms: d.stats.p95_ms,
                as_of,
                verdict: d.verdict,
                baseline: comparison.map(|c| sanitize_inline(&c.baseline)),
                error_delta_points: comparison.and_then(|c| c.error_delta_points),
                p95_ratio: comparison.and_then(|c| c.p95_ratio),
                trend: health
                    .series
                    .minute_counts(&d.name, trend_end, HISTORY_MINUTES),
            };
            (sanitize_inline(&d.name), metrics)
        })
        .collect()
}
