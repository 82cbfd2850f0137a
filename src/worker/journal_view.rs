//! The journal as the console's `@` view shows it: newest first, one line per change and its
//! az command.

use crate::journal::{Journal, OutcomeStatus};
use crate::logstream::sanitize_inline;
use crate::ops::OpsError;

/// Journal entries the `@` view shows.
const JOURNAL_VIEW_ENTRIES: usize = 500;

/// A journal `before`/`after` value on one line: a split as `blue=90 green=10 (mirror
/// green=10)`, anything else as compact JSON, nothing as `-`.
fn journal_value(v: &serde_json::Value) -> String {
    let map = |key: &str| -> Option<crate::rollout::TrafficMap> {
        serde_json::from_value(v.get(key)?.clone()).ok()
    };
    match (v, map("traffic"), map("mirror_traffic")) {
        (serde_json::Value::Null, _, _) => "-".to_string(),
        (_, Some(live), mirror) => {
            let live = match crate::rollout::format_traffic(&live) {
                t if t.is_empty() => "no traffic".to_string(),
                t => t,
            };
            match mirror.filter(|m| m.values().any(|p| *p > 0)) {
                Some(m) => format!("{live} (mirror {})", crate::rollout::format_traffic(&m)),
                None => live,
            }
        }
        (serde_json::Value::String(s), _, _) => s.clone(),
        (other, _, _) => other.to_string(),
    }
}

/// The journal as display lines, newest first.
pub(super) async fn read(journal: Option<Journal>) -> Result<Vec<String>, OpsError> {
    let Some(journal) = journal else {
        return Err(OpsError::File(
            "no journal location (no data directory; set AML_ROLLOUT_JOURNAL)".to_string(),
        ));
    };
    let contents = tokio::task::spawn_blocking(move || journal.read_all_counting())
        .await
        .map_err(|e| OpsError::File(e.to_string()))?
        .map_err(|e| OpsError::File(e.to_string()))?;
    let mut lines = Vec::new();
    // Newest first, and only the most recent: the view is for the session at hand.
    for e in contents.entries.iter().rev().take(JOURNAL_VIEW_ENTRIES) {
        let what = match &e.deployment {
            Some(d) => format!("{}/{d}", e.endpoint),
            None => e.endpoint.clone(),
        };
        let outcome = match (&e.outcome.status, &e.outcome.message) {
            (OutcomeStatus::Ok, _) => "ok".to_string(),
            (OutcomeStatus::Failed, Some(m)) => format!("FAILED: {m}"),
            (OutcomeStatus::Failed, None) => "FAILED".to_string(),
        };
        lines.push(sanitize_inline(&format!(
            "{}  {}  {what}  {}  {} → {}  {outcome}",
            e.time.format("%Y-%m-%d %H:%M:%S"),
            e.target,
            e.action,
            journal_value(&e.before),
            journal_value(&e.after)
        )));
        if let Some(az) = &e.az_command {
            lines.push(sanitize_inline(&format!("    $ {az}")));
        }
    }
    if contents.skipped_lines > 0 {
        lines.push(format!(
            "({} unreadable line(s) skipped)",
            contents.skipped_lines
        ));
    }
    Ok(lines)
}
