//! Bounded in-memory scrollback for a log pane.

use std::collections::VecDeque;
use std::collections::vec_deque;
use std::ops::Range;

/// Scrollback kept per pane unless configured otherwise: about an hour of a
/// busy scoring container at a few hundred bytes per line.
pub const DEFAULT_RING_CAPACITY: usize = 50_000;

/// One row of a log pane. Markers are annotations written by the console
/// itself ("lines may have been missed", "traffic … applied"), kept distinct
/// so the UI can style them and never confuse them with container output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    Line(String),
    Marker(String),
}

impl LogEntry {
    pub fn text(&self) -> &str {
        match self {
            LogEntry::Line(text) | LogEntry::Marker(text) => text,
        }
    }

    pub fn is_marker(&self) -> bool {
        matches!(self, LogEntry::Marker(_))
    }
}

/// Ring buffer of the most recent `capacity` entries; older ones are dropped.
///
/// Every entry ever pushed gets a sequence number (0, 1, 2, …) that survives
/// dropping and [`LogRing::clear`], so a view that remembers "I was showing
/// entry #1234" can tell whether it is still retained and how many entries
/// scrolled out meanwhile.
#[derive(Debug, Clone)]
pub struct LogRing {
    entries: VecDeque<LogEntry>,
    capacity: usize,
    total_pushed: u64,
}

impl Default for LogRing {
    fn default() -> Self {
        Self::new()
    }
}

impl LogRing {
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_RING_CAPACITY)
    }

    /// A capacity of 0 is raised to 1: a pane that can show nothing is never
    /// what the caller meant, and it keeps `push` free of special cases.
    /// Storage grows on demand, so a large capacity costs nothing up front.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            total_pushed: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.total_pushed += 1;
    }

    pub fn push_line(&mut self, line: impl Into<String>) {
        self.push(LogEntry::Line(line.into()));
    }

    pub fn push_marker(&mut self, text: impl Into<String>) {
        self.push(LogEntry::Marker(text.into()));
    }

    pub fn extend<I: IntoIterator<Item = LogEntry>>(&mut self, entries: I) {
        for entry in entries {
            self.push(entry);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry `index` counted from the oldest retained one.
    pub fn get(&self, index: usize) -> Option<&LogEntry> {
        self.entries.get(index)
    }

    /// Oldest first; double-ended and exact-size, so `.rev().take(h)` gives
    /// the newest `h` rows cheaply.
    pub fn iter(&self) -> vec_deque::Iter<'_, LogEntry> {
        self.entries.iter()
    }

    /// Entries `range` (indices as for [`LogRing::get`]), clamped to what is
    /// retained instead of panicking, because a view's scroll offset may be
    /// stale by the time it renders.
    pub fn range(&self, range: Range<usize>) -> vec_deque::Iter<'_, LogEntry> {
        let end = range.end.min(self.entries.len());
        let start = range.start.min(end);
        self.entries.range(start..end)
    }

    /// Number of entries ever pushed (monotonic, unaffected by drops/clear).
    pub fn total_pushed(&self) -> u64 {
        self.total_pushed
    }

    /// Number of entries pushed but no longer retained.
    pub fn dropped(&self) -> u64 {
        self.total_pushed - self.entries.len() as u64
    }

    /// Sequence number of `get(0)`; `get(i)` has sequence `first_sequence() + i`.
    pub fn first_sequence(&self) -> u64 {
        self.dropped()
    }

    /// Empties the pane. Sequence numbering continues, so views holding a
    /// sequence number see it as dropped rather than pointing at new data.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<'a> IntoIterator for &'a LogRing {
    type Item = &'a LogEntry;
    type IntoIter = vec_deque::Iter<'a, LogEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(ring: &LogRing) -> Vec<&str> {
        ring.iter().map(LogEntry::text).collect()
    }

    #[test]
    fn keeps_most_recent_entries_up_to_capacity() {
        let mut ring = LogRing::with_capacity(3);
        for i in 0..5 {
            ring.push_line(format!("l{i}"));
        }
        assert_eq!(texts(&ring), ["l2", "l3", "l4"]);
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.total_pushed(), 5);
        assert_eq!(ring.dropped(), 2);
        assert_eq!(ring.first_sequence(), 2);
        assert_eq!(ring.get(0).map(LogEntry::text), Some("l2"));
        assert_eq!(ring.get(3), None);
    }

    #[test]
    fn markers_are_distinguishable() {
        let mut ring = LogRing::new();
        ring.push_line("hello");
        ring.push_marker("-- traffic blue=90 green=10 applied at 12:03:04 --");
        assert!(!ring.get(0).is_some_and(LogEntry::is_marker));
        assert!(ring.get(1).is_some_and(LogEntry::is_marker));
        assert_eq!(ring.capacity(), DEFAULT_RING_CAPACITY);
    }

    #[test]
    fn extend_and_clear_keep_sequence_monotonic() {
        let mut ring = LogRing::with_capacity(10);
        ring.extend((0..4).map(|i| LogEntry::Line(i.to_string())));
        ring.clear();
        assert!(ring.is_empty());
        assert_eq!(ring.total_pushed(), 4);
        ring.push_line("after");
        assert_eq!(ring.first_sequence(), 4);
        assert_eq!(texts(&ring), ["after"]);
    }

    #[test]
    fn range_is_clamped() {
        let mut ring = LogRing::with_capacity(10);
        ring.extend((0..4).map(|i| LogEntry::Line(i.to_string())));
        let slice: Vec<&str> = ring.range(2..100).map(LogEntry::text).collect();
        assert_eq!(slice, ["2", "3"]);
        assert_eq!(ring.range(7..9).count(), 0);
        let newest: Vec<&str> = ring.iter().rev().take(2).map(LogEntry::text).collect();
        assert_eq!(newest, ["3", "2"]);
    }

    #[test]
    fn zero_capacity_is_raised_to_one() {
        let mut ring = LogRing::with_capacity(0);
        ring.push_line("a");
        ring.push_line("b");
        assert_eq!(texts(&ring), ["b"]);
    }
}
