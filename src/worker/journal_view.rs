//! The journal as the console's `@` view shows it: the newest records, each as one line in
//! words (time, who, action, target, before → after) and as its full detail. Only the tail of
//! the file is read, so a journal of many thousands of records opens as fast as a small one.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::Value;

use crate::app::dialogs::journal::{JournalPage, JournalRecord};
use crate::journal::{Journal, JournalEntry, OutcomeStatus};
use crate::logstream::sanitize_inline;
use crate::ops::OpsError;
use crate::rollout::TrafficMap;

/// Records the `@` view shows: the session at hand and well before it.
const VIEW_RECORDS: usize = 500;
/// The file is read backwards in pieces of this size until enough lines are in.
const TAIL_CHUNK: u64 = 64 * 1024;
/// At most this much of the file is read, whatever its lines' lengths.
const MAX_TAIL_BYTES: u64 = 8 * 1024 * 1024;
/// A value's words stop here in the list; the detail has them whole.
const MAX_VALUE_CHARS: usize = 2_000;

/// The last lines of a file, oldest first, and how much of it was read.
#[derive(Debug)]
struct Tail {
    lines: Vec<Vec<u8>>,
    /// Lines (whole or cut) before the first one returned were left unread.
    older_left: bool,
    bytes_read: u64,
}

/// Reads at most `max_lines` whole lines from the end of `path`. A missing file has none.
fn read_tail(path: &Path, max_lines: usize) -> io::Result<Tail> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Tail {
                lines: Vec::new(),
                older_left: false,
                bytes_read: 0,
            });
        }
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut start = len;
    let mut buffer: Vec<u8> = Vec::new();
    // One newline more than lines wanted: the piece before it may be cut.
    while start > 0 && len - start < MAX_TAIL_BYTES {
        let from = start.saturating_sub(TAIL_CHUNK);
        let mut chunk = vec![0; (start - from) as usize];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&buffer);
        buffer = chunk;
        start = from;
        if bytecount_newlines(&buffer) > max_lines {
            break;
        }
    }
    let mut pieces: Vec<&[u8]> = buffer.split(|b| *b == b'\n').collect();
    let mut older_left = start > 0;
    if start > 0 && !pieces.is_empty() {
        // Begins mid-line.
        pieces.remove(0);
    }
    let mut lines: Vec<Vec<u8>> = pieces
        .into_iter()
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::to_vec)
        .collect();
    if lines.len() > max_lines {
        lines.drain(..lines.len() - max_lines);
        older_left = true;
    }
    Ok(Tail {
        lines,
        older_left,
        bytes_read: len - start,
    })
}

fn bytecount_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// `blue 90%, green 10%`: the deployments that take a share; `none` when none does.
fn shares(map: &TrafficMap) -> String {
    let words: Vec<String> = map
        .iter()
        .filter(|(_, percent)| **percent > 0)
        .map(|(name, percent)| format!("{name} {percent}%"))
        .collect();
    if words.is_empty() {
        "none".to_string()
    } else {
        words.join(", ")
    }
}

/// The live and mirrored maps of a recorded split. Journals name them `traffic` and
/// `mirror_traffic`; early ones wrote `live` and `mirror`.
fn split_maps(v: &Value) -> Option<(TrafficMap, TrafficMap)> {
    let field = |names: [&str; 2]| names.iter().find_map(|n| v.get(*n));
    let live = serde_json::from_value(field(["traffic", "live"])?.clone()).ok()?;
    let mirror = field(["mirror_traffic", "mirror"])
        .and_then(|m| serde_json::from_value(m.clone()).ok())
        .unwrap_or_default();
    Some((live, mirror))
}

/// A split in words: `blue 90%, green 10%`, then `; mirror green 10%` when asked for.
fn split_words((live, mirror): &(TrafficMap, TrafficMap), with_mirror: bool) -> String {
    if with_mirror {
        format!("{}; mirror {}", shares(live), shares(mirror))
    } else {
        shares(live)
    }
}

/// A split change in words: `blue 100% → blue 90%, green 10%`, with the mirror on both sides
/// when either has one. A record without a readable `before` starts from `none`.
fn split_change(before: &Value, after: &Value) -> Option<String> {
    let before = split_maps(before).unwrap_or_default();
    let after = split_maps(after)?;
    let mirrored = |(_, mirror): &(TrafficMap, TrafficMap)| mirror.values().any(|p| *p > 0);
    let with_mirror = mirrored(&before) || mirrored(&after);
    Some(format!(
        "{} → {}",
        split_words(&before, with_mirror),
        split_words(&after, with_mirror)
    ))
}

/// A model, environment or code asset by its short name: an ARM id or registry URI ending in
/// `…/models/NAME/versions/N` reads `NAME:N`. Anything else (`azureml:NAME:N`, a file) is
/// left as written.
fn asset_name(text: &str) -> Option<String> {
    if !(text.starts_with("/subscriptions/") || text.starts_with("azureml://")) {
        return None;
    }
    let segments: Vec<&str> = text.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        [.., _, name, versions, version] if versions.eq_ignore_ascii_case("versions") => {
            Some(format!("{name}:{version}"))
        }
        [.., last] if !last.is_empty() => Some((*last).to_string()),
        _ => None,
    }
}

/// Any recorded value in words: `3 instances`, `blue 100%; mirror none`, `instance type
/// Standard_DS3_v2, …`. An empty value reads `none`, never as nothing.
fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "none".to_string(),
        Value::String(s) if s.trim().is_empty() => "none".to_string(),
        Value::String(s) => asset_name(s).unwrap_or_else(|| s.clone()),
        Value::Object(map) if map.is_empty() => "none".to_string(),
        Value::Object(map) => {
            if let (1, Some(n)) = (map.len(), map.get("instance_count").and_then(Value::as_u64)) {
                return format!("{n} instance{}", if n == 1 { "" } else { "s" });
            }
            if let Some(split) = split_maps(v).filter(|_| map.len() <= 2) {
                return split_words(&split, true);
            }
            // The file a change was made from is a long path and says least: it goes last.
            let (files, others): (Vec<_>, Vec<_>) = map.iter().partition(|(k, _)| *k == "file");
            others
                .into_iter()
                .chain(files)
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), value_words(v)))
                .collect::<Vec<_>>()
                .join(", ")
        }
        Value::Array(items) if items.is_empty() => "none".to_string(),
        Value::Array(items) => items.iter().map(value_words).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Where a plan was when it wrote a record: `step 2 of 5: traffic 10%`. The record's `step`
/// counts from 0; past the last step the plan is at its end.
fn step_words(after: &Value) -> Option<String> {
    let step = after.get("step")?.as_u64()?;
    let of = after.get("of").and_then(Value::as_u64);
    let what = after
        .get("what")
        .and_then(Value::as_str)
        .filter(|w| !w.trim().is_empty())
        .map(share_of_step);
    Some(match (of, what) {
        (Some(of), _) if step >= of => format!("after step {of} of {of}"),
        (Some(of), Some(what)) => format!("step {} of {of}: {what}", step + 1),
        (Some(of), None) => format!("step {} of {of}", step + 1),
        (None, Some(what)) => format!("step {}: {what}", step + 1),
        (None, None) => format!("step {}", step + 1),
    })
}

/// A plan records a step's share as a bare number (`traffic 10`); it is a percentage.
fn share_of_step(what: &str) -> String {
    match what.split_once(' ') {
        Some((kind @ ("traffic" | "mirror"), share)) if share.parse::<u32>().is_ok() => {
            format!("{kind} {share}%")
        }
        _ => what.to_string(),
    }
}

/// A plan's record (its `after` holds the split it left and where the plan was): the step in
/// words, then the split's change, or the split it stayed at; a gates record adds the verdict.
fn plan_change(entry: &JournalEntry) -> Option<String> {
    let after = &entry.after;
    let split = split_change(&entry.before, after.get("split")?)?;
    let split = match split.split_once(" → ") {
        Some((from, to)) if from == to => format!("at {to}"),
        _ => split,
    };
    let mut words: Vec<String> = step_words(after).into_iter().collect();
    words.push(split);
    // A step's record carries the verdict that let it through as well; only a gates record
    // is about the verdict.
    if let Some(verdict) = after.pointer("/gates/verdict").and_then(Value::as_str)
        && entry.action == "rollout gates"
    {
        words.push(format!("gates {}", verdict.replace('_', " ")));
    }
    Some(words.join(" · "))
}

fn change_words(entry: &JournalEntry) -> String {
    plan_change(entry)
        .or_else(|| split_change(&entry.before, &entry.after))
        .unwrap_or_else(|| match (&entry.before, &entry.after) {
            (Value::Null, Value::Null) => "none".to_string(),
            (Value::Null, after) => value_words(after),
            (before, Value::Null) => format!("{} → gone", value_words(before)),
            (before, after) => format!("{} → {}", value_words(before), value_words(after)),
        })
}

/// Who made the change, where the record says: `by` (this journal's own field, or inside a
/// plan step's `after` in journals written before it was one), else `who`, `user` or
/// `operator`.
fn who_of(raw: &Value) -> Option<String> {
    ["by", "who", "user", "operator"]
        .iter()
        .find_map(|k| raw.get(*k).and_then(Value::as_str))
        .or_else(|| raw.pointer("/after/by").and_then(Value::as_str))
        .map(str::to_string)
}

/// One line of text, safe for the terminal and not endless.
fn clean(text: &str) -> String {
    let text = sanitize_inline(text);
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Every field of a record, in the order it was written, as label and words.
fn detail(entry: &JournalEntry, raw: &Value, change: &str) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            "time".to_string(),
            entry.time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        ),
        ("action".to_string(), entry.action.clone()),
        ("target".to_string(), entry.target.clone()),
        ("endpoint".to_string(), entry.endpoint.clone()),
    ];
    if let Some(d) = &entry.deployment {
        rows.push(("deployment".to_string(), d.clone()));
    }
    if !change.is_empty() {
        rows.push(("change".to_string(), change.to_string()));
    }
    rows.push(("before".to_string(), value_words(&entry.before)));
    match entry.after.get("split") {
        // A plan's record: the split it left, then each thing the plan noted on its own row
        // (the step and its counters are the `step` row).
        Some(split) => {
            rows.push(("after".to_string(), value_words(split)));
            if let Some(step) = step_words(&entry.after) {
                rows.push(("step".to_string(), step));
            }
            if let Value::Object(noted) = &entry.after {
                const SHOWN: [&str; 4] = ["split", "step", "of", "what"];
                for (key, value) in noted.iter().filter(|(k, _)| !SHOWN.contains(&k.as_str())) {
                    rows.push((key.replace('_', " "), value_words(value)));
                }
            }
        }
        None => rows.push(("after".to_string(), value_words(&entry.after))),
    }
    let outcome = match (&entry.outcome.status, &entry.outcome.message) {
        (OutcomeStatus::Ok, None) => "ok".to_string(),
        (OutcomeStatus::Ok, Some(m)) => format!("ok: {m}"),
        (OutcomeStatus::Failed, Some(m)) => format!("FAILED: {m}"),
        (OutcomeStatus::Failed, None) => "FAILED".to_string(),
    };
    rows.push(("outcome".to_string(), outcome));
    if let Some(az) = &entry.az_command {
        rows.push(("az command".to_string(), az.clone()));
    }
    // Fields this version does not know (who, operation ids, …) are shown as written.
    const KNOWN: [&str; 9] = [
        "time",
        "target",
        "endpoint",
        "deployment",
        "action",
        "before",
        "after",
        "outcome",
        "az_command",
    ];
    if let Value::Object(map) = raw {
        for (key, value) in map.iter().filter(|(k, _)| !KNOWN.contains(&k.as_str())) {
            rows.push((key.replace('_', " "), value_words(value)));
        }
    }
    rows.into_iter()
        .map(|(label, value)| (clean(&label), clean(&value)))
        .collect()
}

fn record(line: &[u8]) -> Option<JournalRecord> {
    let raw: Value = serde_json::from_slice(line).ok()?;
    let entry: JournalEntry = serde_json::from_value(raw.clone()).ok()?;
    let change = change_words(&entry);
    Some(JournalRecord {
        time: entry.time,
        who: who_of(&raw).map(|w| clean(&w)),
        action: clean(&entry.action),
        what: clean(&match &entry.deployment {
            Some(d) => format!("{}/{d}", entry.endpoint),
            None => entry.endpoint.clone(),
        }),
        failed: entry.outcome.status == OutcomeStatus::Failed,
        detail: detail(&entry, &raw, &change),
        change: clean(&change),
    })
}

/// The newest records of a journal file, newest first.
fn page_of(path: &Path, max_records: usize) -> io::Result<JournalPage> {
    let tail = read_tail(path, max_records)?;
    tracing::debug!(
        bytes = tail.bytes_read,
        lines = tail.lines.len(),
        "journal tail read"
    );
    let mut page = JournalPage {
        older_left: tail.older_left,
        ..JournalPage::default()
    };
    for line in tail.lines.iter().rev() {
        match record(line) {
            Some(r) => page.records.push(r),
            None => page.skipped_lines += 1,
        }
    }
    Ok(page)
}

/// The journal's newest records, for the `@` view.
pub(super) async fn read(journal: Option<Journal>) -> Result<JournalPage, OpsError> {
    let Some(journal) = journal else {
        return Err(OpsError::File(
            "no journal location (no data directory; set AML_ROLLOUT_JOURNAL)".to_string(),
        ));
    };
    let path = journal.path().to_path_buf();
    tokio::task::spawn_blocking(move || page_of(&path, VIEW_RECORDS))
        .await
        .map_err(|e| OpsError::File(e.to_string()))?
        .map_err(|e| {
            OpsError::File(format!(
                "cannot read the journal {}: {e}",
                journal.path().display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Outcome;
    use serde_json::json;
    use std::io::Write;

    fn entry(n: usize) -> JournalEntry {
        JournalEntry {
            time: chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 0).unwrap_or_default(),
            target: "sub/rg/ws".to_string(),
            endpoint: format!("endpoint-{n}"),
            deployment: None,
            action: "traffic".to_string(),
            before: json!({"traffic": {"blue": 100}, "mirror_traffic": {}}),
            after: json!({"traffic": {"blue": 90, "green": 10}, "mirror_traffic": {}}),
            outcome: Outcome::ok(),
            az_command: Some("az ml online-endpoint update --name e".to_string()),
            by: None,
        }
    }

    #[test]
    fn a_long_journal_is_read_from_its_end_only() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("journal.jsonl"));
        let mut text = String::new();
        for n in 0..20_000 {
            text.push_str(&serde_json::to_string(&entry(n)).unwrap());
            text.push('\n');
        }
        std::fs::write(journal.path(), &text).unwrap();
        let tail = read_tail(journal.path(), 500).unwrap();
        assert!(
            tail.bytes_read < text.len() as u64 / 10,
            "read {} of {} bytes",
            tail.bytes_read,
            text.len()
        );
        let page = page_of(journal.path(), 500).unwrap();
        assert_eq!(page.records.len(), 500);
        assert!(page.older_left);
        assert_eq!(page.records[0].what, "endpoint-19999", "newest first");
        assert_eq!(page.records[499].what, "endpoint-19500");
        assert_eq!(page.records[0].change, "blue 100% → blue 90%, green 10%");
    }

    #[test]
    fn a_short_journal_is_read_whole_and_bad_lines_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        assert!(
            page_of(&path, 10).unwrap().records.is_empty(),
            "no file, no records"
        );
        let mut file = std::fs::File::create(&path).unwrap();
        for n in 0..3 {
            writeln!(file, "{}", serde_json::to_string(&entry(n)).unwrap()).unwrap();
        }
        writeln!(file, "{{\"time\": \"cut off").unwrap();
        let page = page_of(&path, 10).unwrap();
        assert_eq!(page.records.len(), 3);
        assert_eq!(page.skipped_lines, 1);
        assert!(!page.older_left);
        let tail = read_tail(&path, 2).unwrap();
        assert_eq!(tail.lines.len(), 2);
        assert!(tail.older_left);
    }

    #[test]
    fn records_read_in_words_with_every_field_in_the_detail() {
        let mut scale = entry(1);
        scale.action = "deployment scale".to_string();
        scale.deployment = Some("green".to_string());
        scale.before = json!({"instance_count": 1});
        scale.after = json!({"instance_count": 3});
        scale.outcome = Outcome::failed("quota \u{1b}[31mexceeded");
        let mut raw = serde_json::to_value(&scale).unwrap();
        raw["who"] = json!("alice@contoso.com");
        raw["operation_id"] = json!("op-123");
        let r = record(raw.to_string().as_bytes()).unwrap();
        assert_eq!(r.what, "endpoint-1/green");
        assert_eq!(r.change, "1 instance → 3 instances");
        assert_eq!(r.who.as_deref(), Some("alice@contoso.com"));
        assert!(r.failed);
        let detail: Vec<String> = r.detail.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        for expected in [
            "time: 2023-11-14 22:13:21 UTC",
            "az command: az ml online-endpoint update --name e",
            "operation id: op-123",
            "who: alice@contoso.com",
        ] {
            assert!(detail.contains(&expected.to_string()), "{detail:?}");
        }
        let outcome = detail.iter().find(|l| l.starts_with("outcome")).unwrap();
        assert!(outcome.starts_with("outcome: FAILED: quota") && !outcome.contains('\u{1b}'));

        // The journal's own field, and a plan step's, name who as well.
        let mut signed = entry(3);
        signed.by = Some("bob@contoso.com".to_string());
        let r = record(serde_json::to_string(&signed).unwrap().as_bytes()).unwrap();
        assert_eq!(r.who.as_deref(), Some("bob@contoso.com"));
        signed.by = Some("bob\u{1b}]0;owned\u{7}@contoso.com".to_string());
        let r = record(serde_json::to_string(&signed).unwrap().as_bytes()).unwrap();
        let who = r.who.unwrap_or_default();
        assert!(
            who.contains("@contoso.com") && !who.contains(['\u{1b}', '\u{7}']),
            "{who:?}"
        );
        let mut step = entry(4);
        step.after = json!({"split": {"blue": 90}, "by": "app 1234"});
        let r = record(serde_json::to_string(&step).unwrap().as_bytes()).unwrap();
        assert_eq!(r.who.as_deref(), Some("app 1234"));

        let mut mirror = entry(2);
        mirror.action = "mirror".to_string();
        mirror.after = json!({"traffic": {"blue": 100}, "mirror_traffic": {"green": 10}});
        let r = record(serde_json::to_string(&mirror).unwrap().as_bytes()).unwrap();
        assert_eq!(
            r.change,
            "blue 100%; mirror none → blue 100%; mirror green 10%"
        );
    }

    fn split(live: &[(&str, u32)], mirror: &[(&str, u32)]) -> Value {
        let map = |m: &[(&str, u32)]| m.iter().map(|(n, p)| (n.to_string(), *p)).collect();
        crate::rollout::split_value(&crate::rollout::TrafficSplit {
            live: map(live),
            mirror: map(mirror),
        })
    }

    /// A plan's record as the runner writes it: the split it left and where the plan was.
    fn plan_record(action: &str, before: Value, after: Value, step: u64) -> JournalEntry {
        let mut recorded = json!({
            "split": after,
            "run": "eb12cd34",
            "digest": "9f8e7d6c5b4a",
            "step": step,
            "of": 5,
            "what": "traffic 10",
            "phase": "baking",
        });
        if action == "rollout gates" {
            recorded["gates"] = json!({"verdict": "not_enough_data", "reason": "3 of 5 requests"});
        } else {
            recorded["health"] = json!({"unavailable": ""});
            recorded["gates"] = Value::Null;
            recorded["operation"] = json!({"operation": "op-1", "request_id": "req-1"});
        }
        JournalEntry {
            action: action.to_string(),
            deployment: Some("green".to_string()),
            before,
            after: recorded,
            az_command: None,
            ..entry(7)
        }
    }

    fn detail_lines(r: &JournalRecord) -> Vec<String> {
        r.detail.iter().map(|(k, v)| format!("{k}: {v}")).collect()
    }

    #[test]
    fn a_plan_step_reads_as_its_step_and_split_without_internal_fields() {
        let step = plan_record(
            "rollout step",
            split(&[("blue", 100)], &[]),
            split(
                &[("blue", 90), ("purple-long-name-x", 10)],
                &[("purple-long-name-x", 10)],
            ),
            1,
        );
        let r = record(serde_json::to_string(&step).unwrap().as_bytes()).unwrap();
        assert_eq!(
            r.change,
            "step 2 of 5: traffic 10% · blue 100%; mirror none → blue 90%, \
             purple-long-name-x 10%; mirror purple-long-name-x 10%"
        );
        let detail = detail_lines(&r);
        for expected in [
            "before: blue 100%; mirror none",
            "after: blue 90%, purple-long-name-x 10%; mirror purple-long-name-x 10%",
            "step: step 2 of 5: traffic 10%",
            "run: eb12cd34",
            "health: unavailable none",
            "gates: none",
        ] {
            assert!(detail.contains(&expected.to_string()), "{detail:#?}");
        }
        for line in &detail {
            assert!(!line.ends_with(' ') && !line.contains("  "), "{line:?}");
        }

        // A record that moved nothing says where the split stayed; a gates record its verdict.
        let unchanged = split(&[("blue", 90), ("green", 10)], &[]);
        let gates = plan_record("rollout gates", unchanged.clone(), unchanged, 4);
        let r = record(serde_json::to_string(&gates).unwrap().as_bytes()).unwrap();
        assert_eq!(
            r.change,
            "step 5 of 5: traffic 10% · at blue 90%, green 10% · gates not enough data"
        );
        let done = plan_record(
            "rollout done",
            Value::Null,
            split(&[("green", 100)], &[]),
            5,
        );
        let r = record(serde_json::to_string(&done).unwrap().as_bytes()).unwrap();
        assert_eq!(r.change, "after step 5 of 5 · none → green 100%");
    }

    #[test]
    fn empty_values_read_none() {
        let mut emptied = entry(5);
        emptied.before = split(&[], &[]);
        emptied.after = split(&[("blue", 100)], &[]);
        let r = record(serde_json::to_string(&emptied).unwrap().as_bytes()).unwrap();
        assert_eq!(r.change, "none → blue 100%");
        let detail = detail_lines(&r);
        assert!(
            detail.contains(&"before: none; mirror none".to_string()),
            "{detail:#?}"
        );
        assert!(
            detail.contains(&"after: blue 100%; mirror none".to_string()),
            "{detail:#?}"
        );
        for empty in [json!({}), json!(""), json!([]), Value::Null] {
            assert_eq!(value_words(&empty), "none", "{empty}");
        }
        assert_eq!(
            value_words(&json!({"prompt": "", "reason": {}})),
            "prompt none, reason none"
        );
    }

    #[test]
    fn a_created_deployment_names_its_model_by_its_short_name() {
        let mut create = entry(6);
        create.action = "deployment create".to_string();
        create.deployment = Some("green".to_string());
        create.before = Value::Null;
        create.after = json!({
            "file": "/home/me/rollouts/green-deployment.yml",
            "model": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg\
                      /providers/Microsoft.MachineLearningServices/workspaces/ws\
                      /models/sklearn-regression/versions/2",
            "instance_type": "Standard_DS3_v2",
            "instance_count": 1,
        });
        let r = record(serde_json::to_string(&create).unwrap().as_bytes()).unwrap();
        assert_eq!(
            r.change,
            "model sklearn-regression:2, instance type Standard_DS3_v2, instance count 1, \
             file /home/me/rollouts/green-deployment.yml"
        );
        for (written, shown) in [
            ("azureml:sklearn-regression:2", None),
            (
                "azureml://registries/azureml/models/mlflow-model/versions/12",
                Some("mlflow-model:12"),
            ),
            (
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices\
                 /workspaces/ws/environments/sklearn-1-5",
                Some("sklearn-1-5"),
            ),
            ("./model/model.pkl", None),
        ] {
            assert_eq!(asset_name(written).as_deref(), shown, "{written}");
        }
    }
}
