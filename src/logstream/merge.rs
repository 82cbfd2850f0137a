//! Turns successive, overlapping `getLogs` tail windows into a `tail -f`
//! stream.
//!
//! Azure ML only exposes "the last N lines of the container log". Polling it
//! every second yields windows that overlap heavily: the new window is a
//! suffix of the old one followed by whatever was appended since. The merger
//! finds that overlap and reports only the appended lines, or tells the
//! caller that continuity was lost (`Gap`) or that the log was replaced
//! (`Restarted`).
//!
//! Cost: lines are hashed once per window and the overlap is found with KMP
//! over the hashes, so a window of `n` lines costs O(n) hash comparisons plus
//! one string comparison per overlapping line to confirm the hash match. The
//! window's text is copied into a reused buffer, so steady-state polling
//! allocates only the `String`s of genuinely new lines.

use std::borrow::Cow;
use std::ops::Range;

/// What a window brought compared to the previous one, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeEvent {
    /// Lines appended since the previous window, oldest first.
    Lines(Vec<String>),
    /// No overlap with the previous window although the window was as large
    /// as it gets: more lines were written between two polls than the window
    /// holds, so some may have been missed. The new window's lines follow.
    Gap,
    /// The log does not continue the previous one and is shorter than a full
    /// window: the container restarted, or the request reached another
    /// instance. The new window's lines follow.
    Restarted,
}

/// Deduplicates overlapping tail windows. See the module documentation.
#[derive(Debug, Default)]
pub struct TailMerger {
    previous: Window,
    /// Buffer the next window is parsed into; swapped with `previous`
    /// afterwards so both allocations are reused forever.
    incoming: Window,
    /// KMP border table, kept only to reuse its allocation.
    borders: Vec<usize>,
    /// The `tail` sent in the request, when the caller told us.
    requested_tail: Option<usize>,
    /// Largest window seen so far: stands in for the requested tail when the
    /// caller did not provide it, because a log at least that long always
    /// fills the window.
    largest_window: usize,
    /// False until a non-empty window arrived: the first one is all new.
    primed: bool,
}

impl TailMerger {
    pub fn new() -> Self {
        Self::default()
    }

    /// A merger that knows the `tail` value sent with each request, which
    /// sharpens the Gap/Restarted distinction for logs shorter than `tail`.
    /// A `tail` of 0 means unknown.
    pub fn with_tail(tail: usize) -> Self {
        Self {
            requested_tail: (tail > 0).then_some(tail),
            ..Self::default()
        }
    }

    /// Forgets the previous window: the next one is reported as all new.
    /// Use when switching container or deployment.
    pub fn reset(&mut self) {
        self.previous.clear();
        self.largest_window = 0;
        self.primed = false;
    }

    /// Feeds the `content` string of one `getLogs` answer and returns what it
    /// adds to the stream: nothing, new lines, or a `Gap`/`Restarted` marker
    /// followed by the whole window.
    ///
    /// An empty window is ignored (state kept): it is far more likely a
    /// transient service hiccup than a log that vanished, and forgetting the
    /// previous window would replay the whole log on the next poll. A real
    /// restart is still detected when the new container's first lines arrive.
    pub fn ingest(&mut self, content: &str) -> Vec<MergeEvent> {
        let content = unescape_newlines(content);
        self.incoming.load(&content);
        if self.incoming.is_empty() {
            return Vec::new();
        }

        let mut events = Vec::new();
        let first_new_line = if !self.primed {
            0
        } else {
            let overlap = longest_overlap(&self.previous, &self.incoming, &mut self.borders);
            if overlap == 0 {
                events.push(self.classify_discontinuity());
            }
            overlap
        };

        let fresh: Vec<String> = (first_new_line..self.incoming.len())
            .map(|index| self.incoming.line(index).to_owned())
            .collect();
        if !fresh.is_empty() {
            events.push(MergeEvent::Lines(fresh));
        }

        self.largest_window = self.largest_window.max(self.incoming.len());
        std::mem::swap(&mut self.previous, &mut self.incoming);
        self.primed = true;
        events
    }

    /// The new window shares nothing with the previous one. If it is shorter
    /// than a full window, it is the *entire* log; an entire log that does
    /// not continue ours means the log was replaced. A full window may simply
    /// have scrolled past everything we saw, so we can only say "gap".
    fn classify_discontinuity(&self) -> MergeEvent {
        let full_window = self.requested_tail.unwrap_or(self.largest_window);
        if self.incoming.len() < full_window {
            MergeEvent::Restarted
        } else {
            MergeEvent::Gap
        }
    }
}

/// The service sometimes returns the log JSON-escaped once more, with
/// literal `\n` (backslash, n) between lines; the az CLI undoes it with
/// `replace("\\n", "\n")`. We only do so when the content has no real
/// newline at all: in a normally framed log, a literal `\n` is part of a line
/// (JSON-formatted log records, Python reprs) and must not split it.
fn unescape_newlines(content: &str) -> Cow<'_, str> {
    if !content.contains('\n') && content.contains("\\n") {
        Cow::Owned(content.replace("\\n", "\n"))
    } else {
        Cow::Borrowed(content)
    }
}

/// One window: its text, line boundaries and line hashes.
#[derive(Debug, Default)]
struct Window {
    text: String,
    lines: Vec<Range<usize>>,
    hashes: Vec<u64>,
}

impl Window {
    fn load(&mut self, content: &str) {
        self.clear();
        self.text.push_str(content);
        let mut start = 0;
        for piece in content.split('\n') {
            // CRLF-terminated logs: the CR is framing, not content, and must
            // not make otherwise identical lines compare different.
            let line = piece.strip_suffix('\r').unwrap_or(piece);
            self.lines.push(start..start + line.len());
            self.hashes.push(hash_line(line.as_bytes()));
            start += piece.len() + 1;
        }
        // A trailing newline terminates the last line; it does not start an
        // empty one. (Same for empty content: no lines at all.)
        if content.is_empty() || content.ends_with('\n') {
            self.lines.pop();
            self.hashes.pop();
        }
    }

    fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
        self.hashes.clear();
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn line(&self, index: usize) -> &str {
        self.lines
            .get(index)
            .and_then(|range| self.text.get(range.clone()))
            .unwrap_or_default()
    }
}

/// Length of the longest suffix of `previous` that equals a prefix of `next`.
///
/// Why the *longest*: when lines repeat (a health-probe log of identical
/// `GET /score 200` lines), several overlaps are consistent with the two
/// windows. For instance two full windows of 1000 identical lines are
/// explained equally well by "nothing happened" and by "1..1000 identical
/// lines were appended". The windows carry no information to tell these
/// apart, so the ambiguity is inherent. Taking the largest overlap is the
/// only choice that never shows a line twice that was written once; its
/// failure mode is to under-report how many identical lines arrived, which
/// loses a count but no content. When the window is not full the whole log is
/// visible and the longest overlap is also exactly right: the previous window
/// is then a prefix of the new one.
///
/// A tiny overlap between two full windows can also be a coincidence (both
/// windows share a common line at the seam while the real seam scrolled
/// out); that is indistinguishable from a burst of `tail - 1` new lines and
/// is reported as such.
fn longest_overlap(previous: &Window, next: &Window, borders: &mut Vec<usize>) -> usize {
    let max_overlap = previous.len().min(next.len());
    if max_overlap == 0 {
        return 0;
    }
    // Only the last `max_overlap` lines of `previous` can take part.
    let pattern = &next.hashes[..max_overlap];
    let text = &previous.hashes[previous.len() - max_overlap..];

    // borders[i] = length of the longest proper prefix of pattern[..=i] that
    // is also a suffix of it (the classic KMP failure function).
    borders.clear();
    borders.resize(max_overlap, 0);
    let mut matched = 0;
    for i in 1..max_overlap {
        while matched > 0 && pattern[i] != pattern[matched] {
            matched = borders[matched - 1];
        }
        if pattern[i] == pattern[matched] {
            matched += 1;
        }
        borders[i] = matched;
    }

    // Run the automaton over the tail of `previous`; the final state is the
    // longest prefix of `next` that ends exactly at the end of `previous`.
    let mut matched = 0;
    for &hash in text {
        while matched > 0 && (matched == max_overlap || hash != pattern[matched]) {
            matched = borders[matched - 1];
        }
        if matched < max_overlap && hash == pattern[matched] {
            matched += 1;
        }
    }

    // Equal hashes almost surely mean equal lines, but "almost" is not good
    // enough to hide a log line. Confirm with the text; on a collision fall
    // back to the next shorter candidate, which the border chain enumerates
    // in decreasing order.
    while matched > 0 && !seam_matches(previous, next, matched) {
        matched = borders[matched - 1];
    }
    matched
}

fn seam_matches(previous: &Window, next: &Window, overlap: usize) -> bool {
    let offset = previous.len() - overlap;
    (0..overlap).all(|i| previous.line(offset + i) == next.line(i))
}

/// Fast non-cryptographic 64-bit hash of a line (FxHash-style word mixing
/// with a final avalanche). Quality only affects speed, never correctness,
/// because every hash match is confirmed by comparing the text.
fn hash_line(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let (words, tail) = bytes.as_chunks::<8>();
    let mut hash = (bytes.len() as u64).wrapping_mul(SEED);
    for word in words {
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(*word)).wrapping_mul(SEED);
    }
    let mut last = [0u8; 8];
    for (slot, &byte) in last.iter_mut().zip(tail) {
        *slot = byte;
    }
    hash = (hash.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(SEED);
    // murmur3 fmix64: spreads the multiply's high bits into the low ones.
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(lines: &[&str]) -> String {
        let mut content = lines.join("\n");
        content.push('\n');
        content
    }

    fn lines(texts: &[&str]) -> MergeEvent {
        MergeEvent::Lines(texts.iter().map(|t| t.to_string()).collect())
    }

    #[test]
    fn first_window_is_all_new() {
        let mut merger = TailMerger::new();
        assert_eq!(
            merger.ingest(&window(&["a", "b", "c"])),
            vec![lines(&["a", "b", "c"])]
        );
    }

    #[test]
    fn overlap_yields_only_appended_lines() {
        let mut merger = TailMerger::new();
        merger.ingest(&window(&["a", "b", "c", "d"]));
        // Window of 4 slid by 2.
        assert_eq!(
            merger.ingest(&window(&["c", "d", "e", "f"])),
            vec![lines(&["e", "f"])]
        );
        // Log still growing below the tail size: previous is a prefix.
        assert_eq!(
            merger.ingest(&window(&["c", "d", "e", "f", "g"])),
            vec![lines(&["g"])]
        );
    }

    #[test]
    fn identical_window_yields_nothing() {
        let mut merger = TailMerger::new();
        let content = window(&["a", "b", "c"]);
        merger.ingest(&content);
        assert!(merger.ingest(&content).is_empty());
        assert!(merger.ingest(&content).is_empty());
    }

    #[test]
    fn no_overlap_on_full_window_is_a_gap() {
        let mut merger = TailMerger::new();
        merger.ingest(&window(&["a", "b", "c"]));
        assert_eq!(
            merger.ingest(&window(&["x", "y", "z"])),
            vec![MergeEvent::Gap, lines(&["x", "y", "z"])]
        );
        // Continuity is re-established from the new window.
        assert_eq!(
            merger.ingest(&window(&["y", "z", "w"])),
            vec![lines(&["w"])]
        );
    }

    #[test]
    fn shorter_unrelated_window_is_a_restart() {
        let mut merger = TailMerger::new();
        merger.ingest(&window(&["old 1", "old 2", "old 3", "old 4"]));
        assert_eq!(
            merger.ingest(&window(&["booting", "ready"])),
            vec![MergeEvent::Restarted, lines(&["booting", "ready"])]
        );
        assert_eq!(
            merger.ingest(&window(&["booting", "ready", "GET /score 200"])),
            vec![lines(&["GET /score 200"])]
        );
    }

    #[test]
    fn known_tail_distinguishes_restart_from_gap_on_short_logs() {
        let mut merger = TailMerger::with_tail(10);
        merger.ingest(&window(&["a", "b"]));
        // Still under the tail: this is the whole log, and it is not ours.
        assert_eq!(
            merger.ingest(&window(&["x", "y", "z"])),
            vec![MergeEvent::Restarted, lines(&["x", "y", "z"])]
        );
        // A full window without overlap may just have scrolled: gap.
        let full: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
        let full: Vec<&str> = full.iter().map(String::as_str).collect();
        let events = merger.ingest(&window(&full));
        assert_eq!(events.first(), Some(&MergeEvent::Gap));
    }

    #[test]
    fn repeated_identical_lines_take_largest_overlap() {
        let mut merger = TailMerger::new();
        let same = window(&["GET /score 200"; 5]);
        assert_eq!(merger.ingest(&same), vec![lines(&["GET /score 200"; 5])]);
        // Indistinguishable from "nothing happened": no duplicates shown.
        assert!(merger.ingest(&same).is_empty());
        // A distinct line after repeats is found exactly once.
        let mut next = vec!["GET /score 200"; 4];
        next.push("POST /score 500");
        assert_eq!(
            merger.ingest(&window(&next)),
            vec![lines(&["POST /score 500"])]
        );
    }

    #[test]
    fn periodic_lines_align_on_true_seam() {
        let mut merger = TailMerger::new();
        merger.ingest(&window(&["a", "b", "a", "b", "a", "c"]));
        // The seam "a c" only matches once; the earlier "a b" repeats must
        // not produce a shorter, wrong overlap.
        assert_eq!(
            merger.ingest(&window(&["a", "b", "a", "c", "a", "b"])),
            vec![lines(&["a", "b"])]
        );
        assert_eq!(
            merger.ingest(&window(&["a", "c", "a", "b", "a", "b"])),
            vec![lines(&["a", "b"])]
        );
    }

    #[test]
    fn escaped_newlines_are_split() {
        let mut merger = TailMerger::new();
        assert_eq!(
            merger.ingest("one\\ntwo\\nthree\\n"),
            vec![lines(&["one", "two", "three"])]
        );
        assert_eq!(merger.ingest("two\\nthree\\nfour"), vec![lines(&["four"])]);
    }

    #[test]
    fn literal_backslash_n_inside_real_lines_is_kept() {
        let mut merger = TailMerger::new();
        assert_eq!(
            merger.ingest("{\"msg\":\"a\\nb\"}\nnext\n"),
            vec![lines(&["{\"msg\":\"a\\nb\"}", "next"])]
        );
    }

    #[test]
    fn crlf_and_missing_final_newline_are_normalised() {
        let mut merger = TailMerger::new();
        assert_eq!(merger.ingest("a\r\nb\r\n"), vec![lines(&["a", "b"])]);
        // Same lines without CR and without the final newline still overlap.
        assert_eq!(merger.ingest("a\nb\nc"), vec![lines(&["c"])]);
    }

    #[test]
    fn empty_window_is_ignored() {
        let mut merger = TailMerger::new();
        assert!(merger.ingest("").is_empty());
        merger.ingest(&window(&["a", "b"]));
        assert!(merger.ingest("").is_empty());
        assert_eq!(
            merger.ingest(&window(&["a", "b", "c"])),
            vec![lines(&["c"])]
        );
    }

    #[test]
    fn reset_replays_next_window() {
        let mut merger = TailMerger::new();
        merger.ingest(&window(&["a"]));
        merger.reset();
        assert_eq!(merger.ingest(&window(&["a"])), vec![lines(&["a"])]);
    }

    #[test]
    fn hash_collision_fallback_uses_text() {
        // Force the verification path: windows whose hashes we fake equal.
        let mut previous = Window::default();
        previous.load("x\ny\n");
        let mut next = Window::default();
        next.load("q\nz\n");
        next.hashes = previous.hashes.clone();
        let mut borders = Vec::new();
        assert_eq!(longest_overlap(&previous, &next, &mut borders), 0);
    }

    #[test]
    fn sliding_simulation_reconstructs_log_exactly() {
        // Distinct lines with a shared, repetitive body, like request logs.
        let log: Vec<String> = (0..5_000)
            .map(|i| format!("{i} POST /score 200 worker={}", i % 7))
            .collect();
        let mut merger = TailMerger::with_tail(300);
        let mut seen = Vec::new();
        let mut end = 0;
        let mut step = 1;
        while end < log.len() {
            end = (end + step).min(log.len());
            step = step % 250 + 37;
            let start = end.saturating_sub(300);
            let content = window(
                &log[start..end]
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            for event in merger.ingest(&content) {
                match event {
                    MergeEvent::Lines(new) => seen.extend(new),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        assert_eq!(seen, log);
    }
}
