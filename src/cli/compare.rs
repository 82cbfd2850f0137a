//! `aml-rollout compare -e E --request-file F [-d blue,green] [--tolerance X]`: the same
//! requests to several deployments, pinned with `azureml-model-deployment`, and whether their
//! answers agree. Exit 0 when every answer agrees, 1 when any differs or fails, 2 for bad input
//! (nothing sent). Read-only: nothing is journaled.

use aml_rollout::logstream::{DEFAULT_MAX_LINE_CHARS, sanitize_inline, sanitize_line};
use aml_rollout::ops::{CompareReport, parse_requests, read_request_file};
use serde_json::Value;

use super::args::CompareArgs;
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Output, print_json, print_table};

/// A value on one line for a table: JSON compact, trimmed to the line limit, sanitized.
fn one_line(value: Option<&Value>) -> String {
    match value {
        None => "(missing)".to_string(),
        Some(Value::String(text)) => sanitize_line(text, DEFAULT_MAX_LINE_CHARS),
        Some(json) => sanitize_line(&json.to_string(), DEFAULT_MAX_LINE_CHARS),
    }
}

fn print_report(report: &CompareReport) {
    let rows: Vec<Vec<String>> = report
        .latency
        .iter()
        .map(|l| {
            let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
            vec![
                l.deployment.clone(),
                l.answered.to_string(),
                l.failed.to_string(),
                ms(l.mean_ms),
                ms(l.p95_ms),
            ]
        })
        .collect();
    print_table(
        &["DEPLOYMENT", "ANSWERED", "FAILED", "MEAN MS", "P95 MS"],
        &rows,
    );
    println!(
        "agreement: {} of {} requests ({:.1}%), reference {}, tolerance {}",
        report.agreeing,
        report.requests,
        report.agreement_percent,
        sanitize_inline(&report.deployments[0]),
        report.tolerance
    );
    for case in &report.cases {
        println!(
            "request {}: {}",
            case.number,
            if case.agrees {
                "answers agree"
            } else {
                "answers differ"
            }
        );
        for answer in &case.answers {
            let status = answer
                .status
                .map_or_else(|| "no answer".to_string(), |s| format!("HTTP {s}"));
            let latency = answer
                .latency_ms
                .map(|ms| format!(" in {ms:.0} ms"))
                .unwrap_or_default();
            println!(
                "  {}: {status}{latency}: {}",
                sanitize_inline(&answer.deployment),
                match &answer.failure {
                    Some(why) if answer.status.is_none() => sanitize_inline(why),
                    _ => one_line(Some(&answer.body)),
                }
            );
            for d in &answer.differences {
                println!(
                    "    {}: {} (reference) vs {}",
                    sanitize_inline(&d.path),
                    one_line(d.reference.as_ref()),
                    one_line(d.other.as_ref())
                );
            }
            if answer.difference_count > answer.differences.len() {
                println!(
                    "    … {} more differences",
                    answer.difference_count - answer.differences.len()
                );
            }
        }
    }
}

pub(super) async fn run(ctx: &Context, args: CompareArgs) -> CliResult<()> {
    let text = read_request_file(&args.request_file)?;
    let requests = parse_requests(&text)?;
    let report = ctx
        .ops
        .compare(&args.endpoint, &args.deployments, requests, args.tolerance)
        .await?;
    match ctx.output {
        Output::Json => print_json(&report)?,
        Output::Table => print_report(&report),
    }
    if report.all_agree() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} of {} requests got answers that differ or failed",
            report.requests - report.agreeing,
            report.requests
        )))
    }
}
