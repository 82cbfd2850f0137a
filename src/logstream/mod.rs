//! Live, deduplicated, terminal-safe view of an Azure ML deployment's
//! container log, built from repeated `getLogs` tail windows.
//!
//! * [`merge`]: overlapping windows → new lines / gap / restart events.
//! * [`sanitize`]: strips terminal control sequences from untrusted text.
//! * [`ring`]: bounded scrollback with console-generated marker rows.
//!
//! [`LogStream`] wires the three together for one log pane.

pub mod merge;
pub mod ring;
pub mod sanitize;

pub use merge::{MergeEvent, TailMerger};
pub use ring::{DEFAULT_RING_CAPACITY, LogEntry, LogRing};
pub use sanitize::{
    DEFAULT_MAX_LINE_CHARS, is_terminal_safe, sanitize_bytes, sanitize_inline, sanitize_line,
    sanitize_line_cow, sanitize_line_owned, terminal_safe_json,
};

/// Marker row inserted when consecutive windows do not overlap.
pub const GAP_MARKER: &str = "-- lines may have been missed --";
/// Marker row inserted when the log was replaced by a shorter, unrelated one.
pub const RESTART_MARKER: &str = "-- container restarted --";

/// One log pane's state: the merger that deduplicates windows and the
/// scrollback they feed.
#[derive(Debug, Default)]
pub struct LogStream {
    merger: TailMerger,
    ring: LogRing,
}

impl LogStream {
    /// Default scrollback ([`DEFAULT_RING_CAPACITY`]), request tail unknown.
    pub fn new() -> Self {
        Self::default()
    }

    /// `ring_capacity` rows of scrollback; `tail` is the `tail` value sent
    /// with each `getLogs` request (0 if unknown), which lets the merger tell
    /// a restart from a gap on logs shorter than a full window.
    pub fn with_config(ring_capacity: usize, tail: usize) -> Self {
        Self {
            merger: TailMerger::with_tail(tail),
            ring: LogRing::with_capacity(ring_capacity),
        }
    }

    /// Merges one `getLogs` `content` string into the scrollback: new lines
    /// are sanitized (capped at [`DEFAULT_MAX_LINE_CHARS`]) and appended, and
    /// a marker row precedes them on a gap or restart. Returns the number of
    /// rows appended, so the caller knows whether to redraw or auto-scroll.
    pub fn ingest_window(&mut self, raw_content: &str) -> usize {
        let mut appended = 0;
        for event in self.merger.ingest(raw_content) {
            match event {
                MergeEvent::Lines(lines) => {
                    appended += lines.len();
                    // Clean lines are moved into the ring without a copy.
                    self.ring.extend(lines.into_iter().map(|line| {
                        LogEntry::Line(sanitize_line_owned(line, DEFAULT_MAX_LINE_CHARS))
                    }));
                }
                MergeEvent::Gap => {
                    appended += 1;
                    self.ring.push_marker(GAP_MARKER);
                }
                MergeEvent::Restarted => {
                    appended += 1;
                    self.ring.push_marker(RESTART_MARKER);
                }
            }
        }
        appended
    }

    /// Appends a console annotation such as
    /// `-- traffic blue=90 green=10 applied at 12:03:04 --`. The text is
    /// stored as given apart from inline sanitization, since it may embed
    /// remote names.
    pub fn push_marker(&mut self, text: &str) {
        self.ring.push_marker(sanitize_inline(text));
    }

    pub fn ring(&self) -> &LogRing {
        &self.ring
    }

    /// Mutable scrollback access, e.g. to `clear` the pane. Clearing does not
    /// reset the merger, so already-seen lines do not come back.
    pub fn ring_mut(&mut self) -> &mut LogRing {
        &mut self.ring
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(stream: &LogStream) -> Vec<(bool, &str)> {
        stream
            .ring()
            .iter()
            .map(|entry| (entry.is_marker(), entry.text()))
            .collect()
    }

    #[test]
    fn ingest_merges_sanitizes_and_marks() {
        let mut stream = LogStream::with_config(100, 3);
        assert_eq!(stream.ingest_window("a\n\x1b[31mb\x1b[0m\n"), 2);
        assert_eq!(stream.ingest_window("a\n\x1b[31mb\x1b[0m\nc\n"), 1);
        assert_eq!(stream.ingest_window("a\n\x1b[31mb\x1b[0m\nc\n"), 0);
        // Full window, no overlap: gap marker then lines.
        assert_eq!(stream.ingest_window("x\ny\nz\n"), 4);
        // Shorter and unrelated: restart marker then lines.
        assert_eq!(stream.ingest_window("boot\x1b]0;pwned\x07\n"), 2);
        stream.push_marker("-- traffic blue=90 green=10 applied at 12:03:04 --\x1b[2J");
        assert_eq!(
            rows(&stream),
            [
                (false, "a"),
                (false, "b"),
                (false, "c"),
                (true, GAP_MARKER),
                (false, "x"),
                (false, "y"),
                (false, "z"),
                (true, RESTART_MARKER),
                (false, "boot"),
                (true, "-- traffic blue=90 green=10 applied at 12:03:04 --"),
            ]
        );
        assert_eq!(stream.ring().total_pushed(), 10);
    }

    #[test]
    fn long_lines_are_capped() {
        let mut stream = LogStream::new();
        stream.ingest_window(&"z".repeat(DEFAULT_MAX_LINE_CHARS * 2));
        let text = stream.ring().get(0).map(LogEntry::text).unwrap_or_default();
        assert_eq!(text.chars().count(), DEFAULT_MAX_LINE_CHARS);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn clearing_the_pane_does_not_replay_old_lines() {
        let mut stream = LogStream::new();
        stream.ingest_window("a\nb\n");
        stream.ring_mut().clear();
        assert_eq!(stream.ingest_window("a\nb\nc\n"), 1);
        assert_eq!(rows(&stream), [(false, "c")]);
    }
}
