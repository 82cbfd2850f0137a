//! The log panes' state: one pane per shown deployment, each a deduplicated stream fed by a
//! tailer in the worker. Pure: the windows arrive as messages, the tailers leave as commands.

use super::ids::TailerId;
use regex::{Regex, RegexBuilder};

use crate::azure::model::ContainerType;
use crate::logstream::{LogEntry, LogStream};

/// Panes shown side by side at most; more deployments are paged with `[` / `]`.
pub const MAX_COLUMNS: usize = 4;

/// `getLogs` tail sizes on the number keys; `0` is "since open": only lines that arrive
/// after the pane opened.
pub const TAIL_PRESETS: [(char, TailPreset); 6] = [
    ('0', TailPreset::SinceOpen),
    ('1', TailPreset::Lines(100)),
    ('2', TailPreset::Lines(500)),
    ('3', TailPreset::Lines(1000)),
    ('4', TailPreset::Lines(5000)),
    ('5', TailPreset::Lines(10_000)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailPreset {
    Lines(u32),
    SinceOpen,
}

impl TailPreset {
    /// The `tail` sent with each poll.
    pub fn window(self) -> u32 {
        match self {
            Self::Lines(n) => n,
            // Polls still need a window that overlaps; it just starts hidden.
            Self::SinceOpen => 1000,
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::Lines(n) => format!("tail {n}"),
            Self::SinceOpen => "since open".to_string(),
        }
    }
}

impl Default for TailPreset {
    fn default() -> Self {
        Self::Lines(500)
    }
}

/// What a pane's title says about its stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneStatus {
    Starting,
    Following,
    Paused,
    /// The last poll failed; the tailer retries after `retry_in_secs`.
    BackingOff {
        error: String,
        retry_in_secs: u64,
    },
}

#[derive(Debug, Clone)]
pub struct PaneFilter {
    pub text: String,
    /// `None` when `text` is not a valid regex: then it matches as plain text.
    pub regex: Option<Regex>,
    pub error: Option<String>,
}

impl PaneFilter {
    pub fn new(text: &str) -> Self {
        match RegexBuilder::new(text)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
        {
            Ok(regex) => Self {
                text: text.to_string(),
                regex: Some(regex),
                error: None,
            },
            Err(e) => Self {
                text: text.to_string(),
                regex: None,
                error: Some(format!(
                    "not a valid regex ({}); matching as plain text",
                    e.to_string().lines().last().unwrap_or("invalid").trim()
                )),
            },
        }
    }

    pub fn matches(&self, line: &str) -> bool {
        match &self.regex {
            Some(r) => r.is_match(line),
            None => line.to_lowercase().contains(&self.text.to_lowercase()),
        }
    }

    /// Byte ranges of the matches in `line`, for highlighting.
    pub fn ranges(&self, line: &str) -> Vec<(usize, usize)> {
        match &self.regex {
            Some(r) => r
                .find_iter(line)
                .filter(|m| m.start() < m.end())
                .map(|m| (m.start(), m.end()))
                .collect(),
            None => {
                let needle = self.text.to_lowercase();
                if needle.is_empty() || line.len() != line.to_lowercase().len() {
                    return Vec::new();
                }
                line.to_lowercase()
                    .match_indices(&needle)
                    .map(|(i, m)| (i, i + m.len()))
                    .collect()
            }
        }
    }
}

#[derive(Debug)]
pub struct LogPane {
    pub endpoint: String,
    pub deployment: String,
    pub container: ContainerType,
    pub tail: TailPreset,
    pub stream: LogStream,
    /// The tailer feeding this pane; windows from any other are stale.
    pub tailer: TailerId,
    pub follow: bool,
    /// When paused: the sequence number of the newest entry shown at the bottom, so the view
    /// stays put while lines keep arriving.
    pub anchor: Option<u64>,
    /// The anchor is the entry at the top of the view instead (after "oldest"): the pane
    /// does not know its height, so the view is filled downwards from there.
    pub anchored_at_top: bool,
    pub timestamps: bool,
    pub wrap: bool,
    pub filter: Option<PaneFilter>,
    pub status: PaneStatus,
    /// "Since open" hides the first window: it was there before the pane.
    pub skip_first_window: bool,
    pub windows_seen: u64,
    /// Polls whose window did not overlap the previous one: lines may have been missed.
    pub gaps: u64,
}

impl LogPane {
    pub fn new(
        endpoint: &str,
        deployment: &str,
        container: ContainerType,
        tail: TailPreset,
        tailer: TailerId,
        capacity: usize,
    ) -> Self {
        Self {
            endpoint: endpoint.to_string(),
            deployment: deployment.to_string(),
            container,
            tail,
            stream: LogStream::with_config(capacity, tail.window() as usize),
            tailer,
            follow: true,
            anchor: None,
            anchored_at_top: false,
            timestamps: true,
            wrap: false,
            filter: None,
            status: PaneStatus::Starting,
            skip_first_window: tail == TailPreset::SinceOpen,
            windows_seen: 0,
            gaps: 0,
        }
    }

    /// Merges one polled window.
    pub fn ingest(&mut self, content: &str) {
        self.windows_seen += 1;
        if self.skip_first_window && self.windows_seen == 1 {
            // Prime the merger with what was there before, without showing it.
            self.stream.ingest_window(content);
            self.stream.ring_mut().clear();
        } else {
            let appended = self.stream.ingest_window(content);
            let ring = self.stream.ring();
            let gap = ring
                .iter()
                .rev()
                .take(appended)
                .any(|e| e.is_marker() && e.text() == crate::logstream::GAP_MARKER);
            if gap {
                self.gaps += 1;
            }
        }
        self.status = if self.follow {
            PaneStatus::Following
        } else {
            PaneStatus::Paused
        };
    }

    /// Sequence number of the newest entry.
    pub fn newest_sequence(&self) -> Option<u64> {
        self.stream.ring().total_pushed().checked_sub(1)
    }

    /// Index in the ring of the entry shown at the bottom (at the top when anchored there).
    pub fn bottom_index(&self) -> Option<usize> {
        let ring = self.stream.ring();
        if ring.is_empty() {
            return None;
        }
        match (self.follow, self.anchor) {
            (false, Some(seq)) => {
                let first = ring.first_sequence();
                let idx = seq.saturating_sub(first) as usize;
                Some(idx.min(ring.len() - 1))
            }
            _ => Some(ring.len() - 1),
        }
    }

    fn visible(&self, entry: &LogEntry) -> bool {
        match (&self.filter, entry) {
            (Some(f), LogEntry::Line(text)) => f.matches(text),
            // Markers stay visible whatever the filter: they explain gaps and changes.
            _ => true,
        }
    }

    /// Scrolls by `delta` shown entries (negative: back in time). Pauses following.
    pub fn scroll(&mut self, delta: i64) {
        let Some(start) = self.bottom_index() else {
            return;
        };
        let ring = self.stream.ring();
        let mut idx = start;
        let mut remaining = delta.unsigned_abs();
        while remaining > 0 {
            let next = if delta < 0 {
                idx.checked_sub(1)
            } else {
                Some(idx + 1).filter(|i| *i < ring.len())
            };
            let Some(n) = next else { break };
            idx = n;
            if ring.get(idx).is_some_and(|e| self.visible(e)) {
                remaining -= 1;
            }
        }
        if delta > 0 && idx + 1 >= ring.len() {
            self.follow_bottom();
            return;
        }
        self.pause_at(ring.first_sequence() + idx as u64, self.anchored_at_top);
    }

    fn pause_at(&mut self, sequence: u64, at_top: bool) {
        self.follow = false;
        self.anchor = Some(sequence);
        self.anchored_at_top = at_top;
        self.status = PaneStatus::Paused;
    }

    /// Shows the oldest lines from the top of the pane down.
    pub fn scroll_to_top(&mut self) {
        let ring = self.stream.ring();
        if let Some(first) = (0..ring.len()).find(|i| ring.get(*i).is_some_and(|e| self.visible(e)))
        {
            self.pause_at(ring.first_sequence() + first as u64, true);
        }
    }

    pub fn follow_bottom(&mut self) {
        self.follow = true;
        self.anchor = None;
        self.anchored_at_top = false;
        if self.status == PaneStatus::Paused {
            self.status = PaneStatus::Following;
        }
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            if let Some(newest) = self.newest_sequence() {
                self.pause_at(newest, false);
            }
        } else {
            self.follow_bottom();
        }
    }

    /// Moves the bottom of the view to the next (`forward`) or previous match of the filter.
    pub fn jump_to_match(&mut self, forward: bool) -> bool {
        let Some(filter) = self.filter.clone() else {
            return false;
        };
        let Some(bottom) = self.bottom_index() else {
            return false;
        };
        let ring = self.stream.ring();
        let found = if forward {
            (bottom + 1..ring.len())
                .find(|i| matches!(ring.get(*i), Some(LogEntry::Line(t)) if filter.matches(t)))
        } else {
            (0..bottom)
                .rev()
                .find(|i| matches!(ring.get(*i), Some(LogEntry::Line(t)) if filter.matches(t)))
        };
        match found {
            Some(i) => {
                self.pause_at(ring.first_sequence() + i as u64, false);
                true
            }
            None => false,
        }
    }

    /// The shown entries of the view, newest last, at most `rows` of them: ending at the
    /// bottom of the view, or starting at its top after "oldest".
    pub fn window(&self, rows: usize) -> Vec<&LogEntry> {
        let Some(anchor) = self.bottom_index() else {
            return Vec::new();
        };
        let ring = self.stream.ring();
        if self.anchored_at_top {
            return (anchor..ring.len())
                .filter_map(|i| ring.get(i))
                .filter(|e| self.visible(e))
                .take(rows)
                .collect();
        }
        let mut out = Vec::with_capacity(rows);
        let mut i = anchor as i64;
        while i >= 0 && out.len() < rows {
            if let Some(e) = ring.get(i as usize)
                && self.visible(e)
            {
                out.push(e);
            }
            i -= 1;
        }
        out.reverse();
        out
    }

    /// Carries on from where the pane stopped with a new tailer: the lines, markers, view and
    /// filter stay, and the merger still holds the last window, so the first new window adds
    /// only what is new (or says lines may have been missed).
    pub(crate) fn resume(&mut self, tailer: TailerId) {
        self.tailer = tailer;
        if let PaneStatus::BackingOff { .. } = self.status {
            self.status = if self.follow {
                PaneStatus::Following
            } else {
                PaneStatus::Paused
            };
        }
    }

    /// Log lines held, markers not counted.
    pub(crate) fn received_lines(&self) -> usize {
        self.stream.ring().iter().filter(|e| !e.is_marker()).count()
    }

    /// True when lines arrived but the filter hides every one of them.
    pub fn filter_hides_everything(&self) -> bool {
        self.filter.is_some()
            && self.stream.ring().iter().any(|e| !e.is_marker())
            && !self
                .stream
                .ring()
                .iter()
                .any(|e| !e.is_marker() && self.visible(e))
    }

    pub fn title_state(&self) -> String {
        let state = match &self.status {
            PaneStatus::Starting => "starting".to_string(),
            PaneStatus::Following => "following".to_string(),
            PaneStatus::Paused => "paused".to_string(),
            PaneStatus::BackingOff { retry_in_secs, .. } => {
                format!("error, backing off: retry in {retry_in_secs}s")
            }
        };
        match self.gaps {
            0 => state,
            1 => format!("{state} · lines missed once"),
            n => format!("{state} · lines missed {n} times"),
        }
    }
}

/// The log area: which panes are open, and how they are shown.
#[derive(Debug, Default)]
pub struct LogPanes {
    pub hidden: bool,
    /// The panes while the area is hidden: their tailers are stopped, their lines, markers,
    /// views and filters kept for when the area is shown again.
    pub(crate) parked: Vec<LogPane>,
    /// Page of deployments shown when there are more than [`MAX_COLUMNS`].
    pub page: usize,
    pub panes: Vec<LogPane>,
    pub maximized: bool,
    /// The endpoint (lower-cased) whose panes are shown and their order, decided when the
    /// endpoint was selected: panes do not jump around while traffic moves.
    pub order: Option<(String, Vec<String>)>,
}

impl LogPanes {
    /// The panes' order for `endpoint`'s `deployments`: kept from this visit of the endpoint
    /// (deployments gone are dropped, new ones come last), or decided now by [`pane_order`].
    pub(crate) fn stable_order(
        &mut self,
        endpoint: &str,
        deployments: &[String],
        live_or_mirror: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let key = endpoint.to_lowercase();
        let ordered = match &self.order {
            Some((visited, order)) if *visited == key => {
                let mut kept: Vec<String> = order
                    .iter()
                    .filter(|d| deployments.contains(d))
                    .cloned()
                    .collect();
                let mut new: Vec<String> = deployments
                    .iter()
                    .filter(|d| !kept.contains(d))
                    .cloned()
                    .collect();
                new.sort();
                kept.extend(new);
                kept
            }
            _ => pane_order(deployments, live_or_mirror),
        };
        self.order = Some((key, ordered.clone()));
        ordered
    }
}

/// Display order: deployments with live or mirror traffic first (they matter during a
/// rollout), then the rest, each group by name.
pub fn pane_order(deployments: &[String], live_or_mirror: impl Fn(&str) -> bool) -> Vec<String> {
    let mut ordered: Vec<String> = deployments.to_vec();
    ordered.sort_by(|a, b| {
        live_or_mirror(b)
            .cmp(&live_or_mirror(a))
            .then_with(|| a.cmp(b))
    });
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane_with(lines: &[&str]) -> LogPane {
        let mut pane = LogPane::new(
            "ep",
            "blue",
            ContainerType::InferenceServer,
            TailPreset::Lines(100),
            TailerId(1),
            1000,
        );
        pane.ingest(&lines.join("\n"));
        pane
    }

    #[test]
    fn a_bad_regex_is_an_error_and_plain_text_matching() {
        let f = PaneFilter::new("status=(5");
        assert!(
            f.error
                .as_deref()
                .is_some_and(|e| e.contains("not a valid regex"))
        );
        assert!(f.matches("GET /score status=(500)"));
        let f = PaneFilter::new("status=5\\d\\d");
        assert!(f.error.is_none());
        assert!(f.matches("GET /score STATUS=503"));
        assert_eq!(f.ranges("a status=500 b"), vec![(2, 12)]);
    }

    #[test]
    fn scrolling_pauses_and_keeps_the_view_while_lines_arrive() {
        let mut pane = pane_with(&["l1", "l2", "l3", "l4"]);
        pane.scroll(-1);
        assert!(!pane.follow);
        assert_eq!(
            pane.window(2).iter().map(|e| e.text()).collect::<Vec<_>>(),
            ["l2", "l3"]
        );
        pane.ingest("l1\nl2\nl3\nl4\nl5\nl6");
        assert_eq!(
            pane.window(2).iter().map(|e| e.text()).collect::<Vec<_>>(),
            ["l2", "l3"],
            "paused view stays put"
        );
        pane.scroll(10);
        assert!(pane.follow, "scrolling past the end follows again");
        assert_eq!(pane.window(1)[0].text(), "l6");
    }

    #[test]
    fn filters_keep_markers_and_jump_between_matches() {
        let mut pane = pane_with(&["ok 1", "ERR a", "ok 2", "ERR b", "ok 3"]);
        pane.stream.push_marker("-- traffic applied --");
        pane.filter = Some(PaneFilter::new("err"));
        let shown: Vec<_> = pane
            .window(10)
            .iter()
            .map(|e| e.text().to_string())
            .collect();
        assert_eq!(shown, ["ERR a", "ERR b", "-- traffic applied --"]);
        assert!(pane.jump_to_match(false));
        assert_eq!(pane.window(1)[0].text(), "ERR b");
        assert!(pane.jump_to_match(false));
        assert_eq!(pane.window(1)[0].text(), "ERR a");
        assert!(!pane.jump_to_match(false));
        assert!(pane.jump_to_match(true));
        assert_eq!(pane.window(1)[0].text(), "ERR b");
    }

    #[test]
    fn since_open_hides_what_was_there_before() {
        let mut pane = LogPane::new(
            "ep",
            "blue",
            ContainerType::InferenceServer,
            TailPreset::SinceOpen,
            TailerId(1),
            1000,
        );
        pane.ingest("old 1\nold 2");
        assert!(pane.window(10).is_empty());
        pane.ingest("old 1\nold 2\nnew 1");
        assert_eq!(
            pane.window(10).iter().map(|e| e.text()).collect::<Vec<_>>(),
            ["new 1"]
        );
    }

    #[test]
    fn a_window_that_does_not_overlap_says_lines_were_missed() {
        let mut pane = LogPane::new(
            "ep",
            "blue",
            ContainerType::InferenceServer,
            TailPreset::Lines(3),
            TailerId(1),
            100,
        );
        pane.ingest("a\nb\nc");
        pane.ingest("x\ny\nz");
        assert_eq!(pane.gaps, 1);
        assert!(
            pane.title_state().contains("lines missed"),
            "{}",
            pane.title_state()
        );
    }

    #[test]
    fn panes_with_traffic_come_first() {
        let order = pane_order(&["a".into(), "blue".into(), "green".into()], |d| {
            d == "green" || d == "blue"
        });
        assert_eq!(order, ["blue", "green", "a"]);
    }
}
