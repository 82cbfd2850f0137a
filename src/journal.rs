//! The rollout journal: one JSON line per change sent to an endpoint, by the console and the
//! headless commands alike, so an operator can answer "who moved traffic, from what, to what,
//! and did it work" after the fact.
//!
//! The file is append-only JSON Lines at `<data dir>/aml-rollout/journal.jsonl` (override with
//! `AML_ROLLOUT_JOURNAL`). Each entry is written with a single `write` on a file opened for
//! appending, so concurrent writers do not interleave within a line. Entries never hold a
//! token or a key: callers journal summaries, and [`Journal::append`] additionally blanks any
//! field whose name looks like a secret.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Overrides the journal's location (tests, or a shared audit location).
pub const ENV_JOURNAL: &str = "AML_ROLLOUT_JOURNAL";

/// Written in place of a secret that reached [`Journal::append`] by mistake.
pub const REDACTED: &str = "(redacted)";

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no data directory for the journal; set {ENV_JOURNAL} to a file path")]
    NoLocation,
    #[error("cannot write the journal {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read the journal {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot encode a journal entry: {0}")]
    Encode(String),
}

/// Whether the change took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeStatus {
    Ok,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: OutcomeStatus,
    /// The error text on failure; on success, a note such as "accepted; not waited (--no-wait)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Outcome {
    pub fn ok() -> Self {
        Self {
            status: OutcomeStatus::Ok,
            message: None,
        }
    }

    pub fn ok_with(message: impl Into<String>) -> Self {
        Self {
            status: OutcomeStatus::Ok,
            message: Some(message.into()),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            status: OutcomeStatus::Failed,
            message: Some(message.into()),
        }
    }
}

/// One change. `before` / `after` are small summaries (a split, an instance count), never whole
/// resources: deployments can carry environment variables that are secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    #[serde(with = "rfc3339")]
    pub time: DateTime<Utc>,
    /// `subscription/resource-group/workspace`, or `emulator <URL>`.
    pub target: String,
    pub endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// e.g. `traffic`, `mirror`, `deployment create`, `deployment scale`, `endpoint delete`.
    pub action: String,
    #[serde(default)]
    pub before: Value,
    #[serde(default)]
    pub after: Value,
    pub outcome: Outcome,
    /// The az command that does the same, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub az_command: Option<String>,
    /// Who made it: the signed-in principal's name, when the token says (never the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The journal's text form of a time: RFC 3339, UTC, whole seconds (`2025-01-02T03:04:05Z`).
mod rfc3339 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(time: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// Everything read back, and how many lines could not be understood (a crash mid-write, a
/// hand edit): those are skipped rather than making the whole history unreadable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalContents {
    pub entries: Vec<JournalEntry>,
    pub skipped_lines: usize,
}

#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// A journal at `path`. Nothing is touched until the first append.
    pub fn open(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `$AML_ROLLOUT_JOURNAL`, else `<data dir>/aml-rollout/journal.jsonl`.
    pub fn default_path() -> Result<PathBuf, JournalError> {
        if let Some(path) = std::env::var_os(ENV_JOURNAL).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        dirs::data_dir()
            .map(|dir| dir.join("aml-rollout").join("journal.jsonl"))
            .ok_or(JournalError::NoLocation)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line, creating the file and its directory if needed.
    pub fn append(&self, entry: &JournalEntry) -> Result<(), JournalError> {
        let mut entry = entry.clone();
        redact_secrets(&mut entry.before);
        redact_secrets(&mut entry.after);
        let text =
            serde_json::to_string(&entry).map_err(|e| JournalError::Encode(e.to_string()))?;
        // Escaped like the commands' JSON output: `cat journal.jsonl` is safe in a terminal.
        let mut line = crate::logstream::terminal_safe_json(&text).into_owned();
        line.push('\n');
        let write_error = |source| JournalError::Write {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(write_error)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(write_error)?;
        file.write_all(line.as_bytes()).map_err(write_error)
    }

    /// All readable entries, oldest first. A missing file is an empty journal.
    pub fn read_all(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let contents = self.read_all_counting()?;
        if contents.skipped_lines > 0 {
            tracing::warn!(
                path = %self.path.display(),
                skipped = contents.skipped_lines,
                "skipped unreadable journal lines"
            );
        }
        Ok(contents.entries)
    }

    /// Like [`Journal::read_all`], also saying how many lines were skipped.
    pub fn read_all_counting(&self) -> Result<JournalContents, JournalError> {
        let read_error = |source| JournalError::Read {
            path: self.path.clone(),
            source,
        };
        let file = match fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(JournalContents::default()),
            Err(e) => return Err(read_error(e)),
        };
        let mut contents = JournalContents::default();
        for line in BufReader::new(file).split(b'\n') {
            let line = line.map_err(read_error)?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<JournalEntry>(&line) {
                Ok(entry) => contents.entries.push(entry),
                Err(_) => contents.skipped_lines += 1,
            }
        }
        Ok(contents)
    }
}

/// Field names that hold credentials in ARM answers (`primaryKey`, `accessToken`…) or that a
/// caller might use for one.
fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["key", "token", "secret", "password", "credential"]
        .iter()
        .any(|word| lower.contains(word))
}

fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if is_secret_field(name) && !field.is_null() {
                    *field = Value::String(REDACTED.to_string());
                } else {
                    redact_secrets(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(action: &str) -> JournalEntry {
        JournalEntry {
            time: DateTime::parse_from_rfc3339("2025-01-02T03:04:05Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
            target: "emulator http://127.0.0.1:1".to_string(),
            endpoint: "my-endpoint".to_string(),
            deployment: None,
            action: action.to_string(),
            before: json!({"live": {"blue": 100}, "mirror": {}}),
            after: json!({"live": {"blue": 90, "green": 10}, "mirror": {}}),
            outcome: Outcome::ok(),
            by: None,
            az_command: Some("az ml online-endpoint update --name my-endpoint".to_string()),
        }
    }

    #[test]
    fn entries_round_trip_and_corrupt_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("sub/journal.jsonl"));
        assert!(journal.read_all().unwrap().is_empty());
        journal.append(&entry("traffic")).unwrap();
        let mut file = OpenOptions::new()
            .append(true)
            .open(journal.path())
            .unwrap();
        file.write_all(b"{\"time\": \"half a line\n").unwrap();
        journal.append(&entry("mirror")).unwrap();

        let contents = journal.read_all_counting().unwrap();
        assert_eq!(contents.skipped_lines, 1);
        assert_eq!(contents.entries, vec![entry("traffic"), entry("mirror")]);
        let text = fs::read_to_string(journal.path()).unwrap();
        assert!(text.starts_with(r#"{"time":"2025-01-02T03:04:05Z","target":"#));
    }

    #[test]
    fn c1_and_bidi_characters_are_stored_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("journal.jsonl"));
        let mut hostile = entry("traffic");
        hostile.endpoint = "my\u{202e}endpoint".to_string();
        hostile.outcome = Outcome::failed("boom \u{9b}2J \u{9d}0;title\u{7}");
        journal.append(&hostile).unwrap();
        let text = fs::read_to_string(journal.path()).unwrap();
        assert!(
            text.chars()
                .all(|c| c == '\n' || !(c.is_control() || ('\u{2000}'..='\u{206f}').contains(&c))),
            "{text:?}"
        );
        assert!(text.contains(r"my\u202eendpoint") && text.contains(r"\u009b2J"));
        assert_eq!(journal.read_all().unwrap(), vec![hostile]);
    }

    #[test]
    fn secrets_never_reach_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path().join("journal.jsonl"));
        let mut leaky = entry("endpoint create");
        leaky.after = json!({"primaryKey": "abc123", "nested": [{"accessToken": "tok"}], "ok": 1});
        journal.append(&leaky).unwrap();
        let text = fs::read_to_string(journal.path()).unwrap();
        assert!(
            !text.contains("abc123") && !text.contains("tok\""),
            "{text}"
        );
        assert!(text.contains(r#""ok":1"#));
    }
}
