//! `aml-rollout status -e E [--window 1m|5m|since-change] [--watch]`: the health table headless,
//! one row per deployment, each judged against the baseline (the deployment with the most live
//! traffic unless `--baseline` names another). `--watch` redraws in place on a terminal and
//! prints one JSON line per refresh otherwise.

use std::io::{IsTerminal, Write};

use aml_rollout::logstream::sanitize_inline;
use aml_rollout::ops::{EndpointHealth, OpsError};
use aml_rollout::rollout::{DeploymentHealth, HealthReport, Window};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::args::{StatusArgs, WindowArg};
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Output, print_json, print_table};

/// One deployment's row. Figures are `null` when the window holds no requests: no data is not
/// zero.
#[derive(Debug, Serialize)]
struct StatusRow {
    name: String,
    live_traffic: u32,
    mirror_traffic: u32,
    instances: Option<i32>,
    state: Option<String>,
    window_secs: u64,
    requests: u64,
    rate_per_minute: Option<f64>,
    error_percent: Option<f64>,
    client_error_percent: Option<f64>,
    server_error_percent: Option<f64>,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    p99_ms: Option<f64>,
    /// Minutes with requests in the window.
    samples: u32,
    /// Seconds since the end of the newest data; `null` without any data.
    age_secs: Option<u64>,
    /// Against the baseline: error share difference in percentage points, p95 ratio.
    error_delta_points: Option<f64>,
    p95_ratio: Option<f64>,
    /// `baseline`, `ok`, `worse` or `not_enough_data`.
    verdict: aml_rollout::rollout::Verdict,
    reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StatusView {
    endpoint: String,
    observed_at: DateTime<Utc>,
    /// e.g. `last 5 min`.
    window: String,
    /// The end of the newest data the figures come from.
    as_of: Option<DateTime<Utc>>,
    baseline: Option<String>,
    deployments: Vec<StatusRow>,
    /// "as of 12:03:00 UTC, 40 s ago", for the table.
    #[serde(skip)]
    freshness: Option<String>,
}

fn round(value: Option<f64>, places: i32) -> Option<f64> {
    let scale = 10f64.powi(places);
    value.map(|v| (v * scale).round() / scale)
}

fn view(health: &EndpointHealth, report: &HealthReport) -> StatusView {
    let now = health.observed_at;
    let age_secs = report.anchor.map(|a| a.age_secs(now));
    let rows = health
        .deployments
        .iter()
        .zip(&report.deployments)
        .map(|(state, judged)| row(state, judged, age_secs))
        .collect();
    StatusView {
        endpoint: health.endpoint.clone(),
        observed_at: now,
        window: report.window.describe(),
        as_of: report.anchor.map(|a| a.as_of),
        baseline: report.baseline.clone(),
        deployments: rows,
        freshness: report.anchor.map(|a| a.describe(now)),
    }
}

fn row(
    state: &aml_rollout::ops::DeploymentState,
    judged: &DeploymentHealth,
    age_secs: Option<u64>,
) -> StatusRow {
    let s = &judged.stats;
    let comparison = judged.comparison.as_ref();
    StatusRow {
        name: state.name.clone(),
        live_traffic: state.live_traffic,
        mirror_traffic: state.mirror_traffic,
        instances: state.instances,
        state: state.state.clone(),
        window_secs: s.window_secs,
        requests: s.requests,
        rate_per_minute: round(s.rate_per_minute(), 1),
        error_percent: round(s.error_percent(), 2),
        client_error_percent: round(s.client_error_percent(), 2),
        server_error_percent: round(s.server_error_percent(), 2),
        p50_ms: round(s.p50_ms, 1),
        p95_ms: round(s.p95_ms, 1),
        p99_ms: round(s.p99_ms, 1),
        samples: s.samples,
        age_secs,
        error_delta_points: round(comparison.and_then(|c| c.error_delta_points), 2),
        p95_ratio: round(comparison.and_then(|c| c.p95_ratio), 3),
        verdict: judged.verdict,
        reasons: judged.reasons.clone(),
    }
}

fn window_of(arg: WindowArg, health: &EndpointHealth) -> CliResult<Window> {
    Ok(match arg {
        WindowArg::OneMinute => Window::LastMinute,
        WindowArg::FiveMinutes => Window::LastFiveMinutes,
        WindowArg::SinceChange => Window::Since(health.last_change.ok_or_else(|| {
            CliError::Failed(format!(
                "endpoint {} does not say when it last changed; use --window 1m or 5m",
                health.endpoint
            ))
        })?),
    })
}

async fn refresh(ctx: &Context, args: &StatusArgs) -> CliResult<StatusView> {
    let mut health = ctx.ops.endpoint_health(&args.endpoint, Utc::now()).await?;
    if let Some(baseline) = &args.baseline {
        if !health
            .deployments
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(baseline))
        {
            return Err(OpsError::Invalid(format!(
                "--baseline {baseline}: endpoint {} has no such deployment",
                health.endpoint
            ))
            .into());
        }
        health.baseline = Some(baseline.to_lowercase());
    }
    let window = window_of(args.window, &health)?;
    let report = health.report(window, &ctx.settings.health.value);
    Ok(view(&health, &report))
}

fn figure(value: Option<f64>, unit: &str) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.1}{unit}"))
}

fn print_status_table(view: &StatusView) {
    let rows: Vec<Vec<String>> = view
        .deployments
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                format!("{}%", r.live_traffic),
                format!("{}%", r.mirror_traffic),
                r.instances
                    .map_or_else(|| "-".to_string(), |n| n.to_string()),
                r.state.clone().unwrap_or_else(|| "-".to_string()),
                r.requests.to_string(),
                figure(r.rate_per_minute, ""),
                match r.error_percent {
                    Some(e) => format!(
                        "{e:.1}% ({} 4xx, {} 5xx)",
                        figure(r.client_error_percent, "%"),
                        figure(r.server_error_percent, "%")
                    ),
                    None => "-".to_string(),
                },
                figure(r.p95_ms, " ms"),
                r.samples.to_string(),
                r.verdict.label().to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "NAME", "LIVE", "MIRROR", "INST", "STATE", "REQUESTS", "PER MIN", "ERRORS", "P95",
            "SAMPLES", "VERDICT",
        ],
        &rows,
    );
    println!(
        "{}, {}; baseline {}",
        sanitize_inline(&view.window),
        view.freshness.as_deref().unwrap_or("no metrics data yet"),
        sanitize_inline(
            view.baseline
                .as_deref()
                .unwrap_or("(none: no live traffic)")
        )
    );
    for r in &view.deployments {
        for reason in &r.reasons {
            println!(
                "  {}: {}",
                sanitize_inline(&r.name),
                sanitize_inline(reason)
            );
        }
    }
}

pub(super) async fn run(ctx: &Context, args: StatusArgs) -> CliResult<()> {
    if !args.watch {
        let view = refresh(ctx, &args).await?;
        return match ctx.output {
            Output::Json => print_json(&view),
            Output::Table => {
                print_status_table(&view);
                Ok(())
            }
        };
    }
    let redraw = std::io::stdout().is_terminal() && ctx.output == Output::Table;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let refreshed = tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            refreshed = refresh(ctx, &args) => refreshed,
        };
        match refreshed {
            // Bad input does not get better by asking again.
            Err(e @ CliError::Usage(_)) => return Err(e),
            Err(e) => super::report(&e),
            Ok(view) if redraw => {
                // Home and clear, then the table: the screen shows only the latest refresh.
                print!("\x1b[H\x1b[2J");
                print_status_table(&view);
                let _ = std::io::stdout().flush();
            }
            Ok(view) => {
                let line = serde_json::to_string(&view)
                    .map_err(|e| CliError::Failed(format!("cannot encode the output: {e}")))?;
                println!("{line}");
                let _ = std::io::stdout().flush();
            }
        }
        tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            _ = tokio::time::sleep(ctx.settings.refresh_interval.value) => {}
        }
    }
}
