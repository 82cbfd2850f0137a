//! Printing: aligned tables for people, stable JSON for scripts, progress on stderr. Every
//! remote string goes through the sanitizer first (a deployment name or an error message could
//! carry terminal escape sequences).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use aml_rollout::azure::LroProgress;
use aml_rollout::logstream::{sanitize_inline, terminal_safe_json};
use serde::Serialize;

use super::error::{CliError, CliResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Table,
    Json,
}

/// Pretty JSON on stdout. serde_json escapes C0 controls but not C1 or bidi controls, which
/// are escaped too, so that piping the output to a terminal is safe.
pub(super) fn print_json<T: Serialize>(value: &T) -> CliResult<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Failed(format!("cannot encode the output: {e}")))?;
    // A reader that went away (`… -o json | head`) is not an error of ours.
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{}", terminal_safe_json(&text)) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Compact JSON for a terminal, escaped as [`print_json`] does.
pub(super) fn compact_json(value: &serde_json::Value) -> String {
    terminal_safe_json(&value.to_string()).into_owned()
}

/// Columns aligned by the width of their widest cell; cells are sanitized.
pub(super) fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| sanitize_inline(cell)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string()
    };
    println!("{}", line(headers.to_vec()));
    for row in &rows {
        println!("{}", line(row.iter().map(String::as_str).collect()));
    }
}

/// `name: value` lines for one resource.
pub(super) fn print_fields(fields: &[(&str, String)]) {
    let width = fields
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    for (name, value) in fields {
        println!("{name:<width$}  {}", sanitize_inline(value));
    }
}

/// A progress reporter for `AmlClient::wait`: one stderr line per new state, so a CI log shows
/// what happened without a wall of repeated polls.
pub(super) fn progress(what: String) -> impl FnMut(LroProgress) + Send {
    let mut last_state = String::new();
    let interactive = std::io::stderr().is_terminal();
    eprintln!(
        "{}: waiting for the operation to finish…",
        sanitize_inline(&what)
    );
    move |p: LroProgress| {
        if p.state != last_state {
            last_state = p.state.clone();
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "  {} ({})",
                sanitize_inline(&p.state),
                seconds(p.elapsed)
            );
            if interactive {
                let _ = stderr.flush();
            }
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// "blue=90 green=10", or "(none)" for an empty map.
pub(super) fn split_text(map: &aml_rollout::rollout::TrafficMap) -> String {
    let text = aml_rollout::rollout::format_traffic(map);
    if text.is_empty() {
        "(none)".to_string()
    } else {
        text
    }
}
