//! The newest records of the journal of applied changes, in words: what the worker reads from
//! the journal file and the journal view shows. Plain data, so that the messages carrying it
//! need nothing from the view.

use chrono::{DateTime, Utc};

/// One journal record, in words and sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRecord {
    pub time: DateTime<Utc>,
    /// Who made the change, when the record says.
    pub who: Option<String>,
    pub action: String,
    /// `endpoint` or `endpoint/deployment`.
    pub what: String,
    /// Before → after in words, e.g. `blue 100% → blue 90%, green 10%`.
    pub change: String,
    pub failed: bool,
    /// Every field of the record as label and words, for the detail view.
    pub detail: Vec<(String, String)>,
}

/// The newest part of the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalPage {
    /// Newest first.
    pub records: Vec<JournalRecord>,
    /// Older records exist that were not read.
    pub older_left: bool,
    /// Lines that could not be read as records.
    pub skipped_lines: usize,
}
