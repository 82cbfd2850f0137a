//! `aml-rollout logs -e E -n D [--lines N] [--container C] [--follow]`.
//!
//! Azure ML only serves "the last N lines"; --follow prints the last --lines of them, then polls
//! a wider window and prints only what is new, with the console's deduplicating tailer (gap and
//! restart markers included). Every line is sanitized: container output is untrusted.

use std::io::Write;

use aml_rollout::logstream::{DEFAULT_MAX_LINE_CHARS, LogEntry, LogStream, sanitize_line};
use aml_rollout::ops::{LogPoller, TailVerdict};
use serde::Serialize;

use super::args::LogsArgs;
use super::context::Context;
use super::error::CliResult;
use super::output::{Output, print_json};

/// The lines --follow prints first when --lines is not given.
const DEFAULT_FOLLOW_LINES: u32 = 100;

/// The window --follow polls, whatever --lines says: a busy deployment writes many lines
/// between two polls, and a window smaller than that loses lines.
const FOLLOW_WINDOW: u32 = 1000;

#[derive(Debug, Serialize)]
struct LogsView<'a> {
    endpoint: &'a str,
    deployment: &'a str,
    container: &'static str,
    lines: Vec<String>,
}

/// One line of `logs --follow -o json` (JSON Lines, one object per printed row).
#[derive(Debug, Serialize)]
struct FollowRow<'a> {
    /// `line`, or `marker` for "-- lines may have been missed --" / "-- container restarted --".
    kind: &'static str,
    text: &'a str,
}

pub(super) async fn run(ctx: &Context, args: LogsArgs) -> CliResult<()> {
    if args.follow {
        return follow(ctx, args).await;
    }
    let content = ctx
        .client
        .get_logs(
            &ctx.workspace,
            &args.endpoint,
            &args.name,
            args.container,
            args.lines,
        )
        .await?;
    let lines: Vec<String> = content
        .lines()
        .map(|line| sanitize_line(line, DEFAULT_MAX_LINE_CHARS))
        .collect();
    match ctx.output {
        Output::Json => print_json(&LogsView {
            endpoint: &args.endpoint,
            deployment: &args.name,
            container: args.container.cli_name(),
            lines,
        }),
        Output::Table => {
            let mut stdout = std::io::stdout().lock();
            for line in lines {
                let _ = writeln!(stdout, "{line}");
            }
            Ok(())
        }
    }
}

async fn follow(ctx: &Context, args: LogsArgs) -> CliResult<()> {
    let first_lines = args.lines.unwrap_or(DEFAULT_FOLLOW_LINES) as usize;
    let tail = args.lines.unwrap_or(0).max(FOLLOW_WINDOW);
    let mut stream = LogStream::with_config(tail as usize * 2, tail as usize);
    let mut first_window = true;
    let interval = ctx.settings.log_poll_interval.value;
    let mut poller = LogPoller::new(interval);
    let mut wait = std::time::Duration::ZERO;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            _ = tokio::time::sleep(wait) => {}
        }
        let window = tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            window = ctx.ops.poll_logs(&args.endpoint, &args.name, args.container, tail) => window,
        };
        let content = match window {
            Ok(content) => {
                // A follow prints lines as they come: it keeps the interval.
                wait = poller.succeeded(true);
                content
            }
            Err(e) => match poller.failed(&e) {
                // Gone, or no longer allowed: following further is pointless.
                TailVerdict::Stop => return Err(e.into()),
                // Anything else (after the client's own retries) may pass: say so, keep going.
                TailVerdict::RetryIn(after) => {
                    eprintln!(
                        "aml-rollout: getLogs failed, retrying in {} s: {}",
                        after.as_secs(),
                        aml_rollout::logstream::sanitize_inline(&e.to_string())
                    );
                    wait = after;
                    continue;
                }
            },
        };
        let mut appended = stream.ingest_window(&content);
        if first_window && appended > 0 {
            // What was there before following began: only the last --lines of it.
            appended = appended.min(first_lines);
            first_window = false;
        }
        let ring = stream.ring();
        let start = ring.len().saturating_sub(appended);
        let mut stdout = std::io::stdout().lock();
        for entry in ring.range(start..ring.len()) {
            let _ = match (ctx.output, entry) {
                (Output::Table, entry) => writeln!(stdout, "{}", entry.text()),
                (Output::Json, LogEntry::Line(text)) => writeln!(
                    stdout,
                    "{}",
                    serde_json::json!(FollowRow { kind: "line", text })
                ),
                (Output::Json, entry) => writeln!(
                    stdout,
                    "{}",
                    serde_json::json!(FollowRow {
                        kind: "marker",
                        text: entry.text()
                    })
                ),
            };
        }
        let _ = stdout.flush();
    }
}
