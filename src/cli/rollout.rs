//! `aml-rollout rollout run|status|resume|promote|pause|abort|history -e E`: rollout plans
//! headless. Progress goes to stderr, one line per event; `-o json` prints one JSON line per
//! event on stdout instead. Exit codes: 0 done, 1 rolled back or failed, 2 invalid plan or
//! input (nothing sent), 3 sign-in failed, 4 paused or waiting for approval.

use std::path::Path;

use aml_rollout::logstream::{sanitize_inline, terminal_safe_json};
use aml_rollout::operator_file::{AZ_ML_YAML, read_text};
use aml_rollout::ops::{PlanEnd, PlanEvent, PlanRun, record_json};

use super::args::{EndpointArg, RolloutCommand, RolloutResumeArgs, RolloutRunArgs};
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Output, print_json, print_table};

pub(super) async fn run(ctx: &Context, command: RolloutCommand) -> CliResult<()> {
    match command {
        RolloutCommand::Run(a) => run_plan(ctx, a).await,
        RolloutCommand::Status(a) => status(ctx, a).await,
        RolloutCommand::Resume(a) => resume(ctx, a, false).await,
        RolloutCommand::Promote(a) => resume(ctx, a, true).await,
        RolloutCommand::Pause(a) => pause(ctx, a).await,
        RolloutCommand::Abort(a) => abort(ctx, a).await,
        RolloutCommand::History(a) => history(ctx, a).await,
    }
}

fn read_plan(path: &Path) -> CliResult<(String, String)> {
    let text = read_text(path, AZ_ML_YAML).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the plan {}: {e}; nothing was sent",
            path.display()
        ))
    })?;
    Ok((path.display().to_string(), text))
}

/// Prints events as they come: a line on stderr, or a JSON line on stdout.
fn printer(output: Output) -> impl FnMut(PlanEvent) + Send {
    move |event: PlanEvent| match output {
        Output::Json => {
            if let Ok(line) = serde_json::to_string(&event) {
                println!("{}", terminal_safe_json(&line));
            }
        }
        Output::Table => eprintln!("{}", sanitize_inline(&describe(&event))),
    }
}

fn describe(event: &PlanEvent) -> String {
    let time = |t: &chrono::DateTime<chrono::Utc>| t.format("%H:%M:%S UTC").to_string();
    match event {
        PlanEvent::Started {
            endpoint,
            deployment,
            baseline,
            digest,
            run,
            steps,
            original,
        } => format!(
            "plan {digest} (run {run}) on {endpoint}: {deployment} against {baseline}, {steps} steps, from {original}"
        ),
        PlanEvent::StepApplied {
            step,
            what,
            before,
            after,
        } => format!("step {}: {what}: {before} -> {after}", step + 1),
        PlanEvent::Baking { step, until } => {
            format!("step {}: baking until {}", step + 1, time(until))
        }
        PlanEvent::Gates { step, report } => format!(
            "step {}: gates {}: {}",
            step + 1,
            report.verdict,
            report.reason
        ),
        PlanEvent::Promoted { step } => format!("step {}: promoted", step + 1),
        PlanEvent::AwaitingApproval { step, prompt } => format!(
            "step {}: waiting for approval: {prompt} (rollout promote approves)",
            step + 1
        ),
        PlanEvent::Paused { step, reason } => format!(
            "step {}: paused: {reason} (rollout resume continues)",
            step + 1
        ),
        PlanEvent::RolledBack {
            step,
            reason,
            restored,
        } => format!("step {}: rolled back to {restored}: {reason}", step + 1),
        PlanEvent::Done { steps, split } => format!("done: {steps} steps, now {split}"),
    }
}

/// The exit a plan's end maps to.
fn finish(end: PlanEnd) -> CliResult<()> {
    match end {
        PlanEnd::Done => Ok(()),
        PlanEnd::Detached { until } => {
            eprintln!(
                "baking until {}; `rollout resume` continues the plan",
                until.format("%H:%M:%S UTC")
            );
            Ok(())
        }
        PlanEnd::RolledBack { reason } => Err(CliError::Failed(format!("rolled back: {reason}"))),
        PlanEnd::RollbackUnverified { reason } => Err(CliError::Failed(reason)),
        PlanEnd::Paused { reason } => Err(CliError::Waiting(format!("paused: {reason}"))),
        PlanEnd::AwaitingApproval { prompt } => Err(CliError::Waiting(format!(
            "waiting for approval: {prompt}; `rollout promote` approves"
        ))),
        PlanEnd::TakenOver { by } => Err(CliError::Waiting(format!(
            "another runner ({by}) drives the plan now"
        ))),
    }
}

async fn drive(ctx: &Context, run: &mut PlanRun) -> CliResult<()> {
    let mut events = printer(ctx.output);
    finish(ctx.ops.drive_plan(run, &mut events).await?)
}

async fn run_plan(ctx: &Context, args: RolloutRunArgs) -> CliResult<()> {
    ctx.ensure_writable("run a rollout plan")?;
    let (file, text) = read_plan(&args.file)?;
    let mut run = ctx.ops.start_plan(&args.endpoint, &file, &text).await?;
    run.wait = !ctx.no_wait;
    printer(ctx.output)(aml_rollout::ops::Ops::started_event(&run));
    drive(ctx, &mut run).await
}

async fn resume(ctx: &Context, args: RolloutResumeArgs, promote: bool) -> CliResult<()> {
    ctx.ensure_writable(if promote {
        "promote a rollout plan"
    } else {
        "resume a rollout plan"
    })?;
    let text = args.file.as_deref().map(read_plan).transpose()?;
    let mut run = ctx.ops.take_over_plan(&args.endpoint, text).await?;
    run.wait = !ctx.no_wait;
    if promote && !ctx.ops.promote_plan(&mut run).await? {
        eprintln!(
            "promote asked: the plan's runner skips the rest of the bake at its next look (`rollout resume` if none runs)"
        );
        return Ok(());
    }
    if promote && ctx.no_wait {
        return Ok(());
    }
    let mut events = printer(ctx.output);
    finish(ctx.ops.resume_plan(&mut run, &mut events).await?)
}

async fn pause(ctx: &Context, args: EndpointArg) -> CliResult<()> {
    ctx.ensure_writable("pause a rollout plan")?;
    let record = ctx
        .ops
        .pause_plan(&args.endpoint, "paused by a person (rollout pause)")
        .await?;
    eprintln!("{}", sanitize_inline(&record.describe()));
    Ok(())
}

async fn abort(ctx: &Context, args: EndpointArg) -> CliResult<()> {
    ctx.ensure_writable("abort a rollout plan")?;
    let mut events = printer(ctx.output);
    match ctx.ops.abort_plan(&args.endpoint, &mut events).await? {
        PlanEnd::RolledBack { .. } => Ok(()),
        other => finish(other),
    }
}

async fn status(ctx: &Context, args: EndpointArg) -> CliResult<()> {
    let site = ctx.ops.plan_site(&args.endpoint).await?;
    match ctx.output {
        Output::Json => print_json(&record_json(&args.endpoint, &site)),
        Output::Table => {
            match &site.record {
                Some(record) => println!("{}", sanitize_inline(&record.describe())),
                None => println!(
                    "no rollout plan has run on {}",
                    sanitize_inline(&args.endpoint)
                ),
            }
            println!(
                "split now: {}",
                sanitize_inline(&aml_rollout::ops::describe_split(&site.split))
            );
            Ok(())
        }
    }
}

async fn history(ctx: &Context, args: EndpointArg) -> CliResult<()> {
    let entries = ctx.ops.plan_history(&args.endpoint).await?;
    match ctx.output {
        Output::Json => print_json(&entries),
        Output::Table => {
            let rows: Vec<Vec<String>> = entries.iter().map(history_row).collect();
            print_table(
                &[
                    "TIME",
                    "EVENT",
                    "STEP",
                    "WHAT",
                    "PHASE",
                    "SPLIT",
                    "HEALTH",
                    "OPERATION",
                    "BY",
                    "NOTE",
                ],
                &rows,
            );
            Ok(())
        }
    }
}

/// One history entry as a table row: the split it left, the health both deployments had, the
/// ARM operation that made it and who ran it.
fn history_row(e: &aml_rollout::journal::JournalEntry) -> Vec<String> {
    let after = &e.after;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let figures = |d: &serde_json::Value| {
        let errors = d["error_percent"]
            .as_f64()
            .map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "-".to_string());
        let p95 = d["p95_ms"]
            .as_f64()
            .map(|p| format!(" p95 {p:.0}ms"))
            .unwrap_or_default();
        format!(
            "{} {} req {errors} err{p95}",
            text(&d["deployment"]),
            d["requests"].as_u64().unwrap_or(0)
        )
    };
    let health = &after["health"];
    let health = if health["green"].is_object() {
        format!(
            "{}; {}",
            figures(&health["green"]),
            figures(&health["baseline"])
        )
    } else {
        text(&health["unavailable"])
    };
    let operation = &after["operation"];
    let operation = [&operation["operation"], &operation["request_id"]]
        .iter()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(" / ");
    let shares = |m: &serde_json::Value| {
        m.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_u64().unwrap_or(0)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    let split = match shares(&after["split"]["mirror_traffic"]) {
        mirror if mirror.is_empty() => shares(&after["split"]["traffic"]),
        mirror => format!("{}, mirror {mirror}", shares(&after["split"]["traffic"])),
    };
    vec![
        e.time.format("%Y-%m-%d %H:%M:%S").to_string(),
        e.action.trim_start_matches("rollout ").to_string(),
        after["step"]
            .as_u64()
            .map(|s| (s + 1).to_string())
            .unwrap_or_default(),
        text(&after["what"]),
        text(&after["phase"]),
        split,
        health,
        operation,
        // Journals written before `by` was a field of every entry carry it in `after`.
        e.by.clone().unwrap_or_else(|| text(&after["by"])),
        e.outcome.message.clone().unwrap_or_default(),
    ]
}
