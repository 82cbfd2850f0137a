//! Live health of an endpoint's deployments, from Azure Monitor's per-minute samples: windows
//! (the last minute, the last five, since a given time), and each deployment judged against a
//! baseline over the same window.
//!
//! Windows end where the newest data ends, not at the clock: Azure Monitor's platform metrics
//! arrive 1–3 minutes late, and a window ending "now" would read those missing minutes as zero
//! traffic. Every window therefore carries its end (`as_of`) and the data's age.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::traffic::TrafficMap;

pub(super) const DEFAULT_MIN_REQUESTS: u64 = 20;
pub(super) const DEFAULT_ERROR_PERCENT_DELTA: f64 = 2.0;
pub(super) const DEFAULT_P95_RATIO: f64 = 1.5;

/// When a deployment counts as worse than its baseline, and how much data a verdict needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HealthThresholds {
    /// Fewer requests than this in the window (on either side) gives "not enough data".
    pub min_requests: u64,
    /// Worse when its error share exceeds the baseline's by more than this many points.
    pub error_percent_delta: f64,
    /// Worse when its p95 exceeds the baseline's p95 times this.
    pub p95_ratio: f64,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        Self {
            min_requests: DEFAULT_MIN_REQUESTS,
            error_percent_delta: DEFAULT_ERROR_PERCENT_DELTA,
            p95_ratio: DEFAULT_P95_RATIO,
        }
    }
}

// The config file refuses non-finite thresholds, so equality is total: settings that hold
// thresholds can compare as a whole.
impl Eq for HealthThresholds {}

/// A response's status class, from Azure Monitor's `statusCodeClass` dimension (`2xx`, `4xx`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// Anything that is not an error: 1xx, 2xx, 3xx.
    Fine,
    ClientError,
    ServerError,
}

impl StatusClass {
    /// `4xx` / `5xx` (or a full code such as `503`); anything else is not an error.
    pub fn from_dimension(value: &str) -> Self {
        match value.trim().chars().next() {
            Some('4') => Self::ClientError,
            Some('5') => Self::ServerError,
            _ => Self::Fine,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percentile {
    P50,
    P95,
    P99,
}

/// What one deployment served in one minute.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct MinuteSample {
    pub requests: u64,
    pub client_errors: u64,
    pub server_errors: u64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Per deployment (lower-cased name), per minute (minutes since the Unix epoch): the samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthSeries {
    by_deployment: BTreeMap<String, BTreeMap<i64, MinuteSample>>,
}

fn minute_of(time: DateTime<Utc>) -> i64 {
    time.timestamp().div_euclid(60)
}

fn minute_start(minute: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(minute * 60, 0)
        .single()
        .unwrap_or_default()
}

impl HealthSeries {
    fn sample(&mut self, deployment: &str, at: DateTime<Utc>) -> &mut MinuteSample {
        self.by_deployment
            .entry(deployment.to_lowercase())
            .or_default()
            .entry(minute_of(at))
            .or_default()
    }

    /// Adds `count` requests of one status class to the minute holding `at`.
    pub fn add_requests(
        &mut self,
        deployment: &str,
        at: DateTime<Utc>,
        class: StatusClass,
        count: u64,
    ) {
        let sample = self.sample(deployment, at);
        sample.requests += count;
        match class {
            StatusClass::ClientError => sample.client_errors += count,
            StatusClass::ServerError => sample.server_errors += count,
            StatusClass::Fine => {}
        }
    }

    /// Sets one latency percentile of the minute holding `at`.
    pub fn set_latency(
        &mut self,
        deployment: &str,
        at: DateTime<Utc>,
        percentile: Percentile,
        ms: f64,
    ) {
        let sample = self.sample(deployment, at);
        let slot = match percentile {
            Percentile::P50 => &mut sample.p50_ms,
            Percentile::P95 => &mut sample.p95_ms,
            Percentile::P99 => &mut sample.p99_ms,
        };
        *slot = Some(ms);
    }

    fn minutes_of(&self, deployment: &str) -> Option<&BTreeMap<i64, MinuteSample>> {
        self.by_deployment.get(&deployment.to_lowercase())
    }

    /// Requests and failed requests per minute, oldest first, over the `minutes` ending with
    /// the one holding `last` (zero where there is no data).
    pub fn minute_counts(&self, name: &str, last: DateTime<Utc>, minutes: i64) -> Vec<(u64, u64)> {
        let (end, samples) = (minute_of(last), self.minutes_of(name));
        let count = |s: &MinuteSample| (s.requests, s.client_errors + s.server_errors);
        let at = |m: i64| samples.and_then(|s| s.get(&m)).map_or((0, 0), count);
        (end - minutes + 1..=end).map(at).collect()
    }

    /// Where windows end. The minute still in progress is partial: it anchors only when the
    /// minute before it has no data (the first requests after a quiet spell, or a new
    /// deployment). Otherwise the newest complete minute with data, however old: on Azure that
    /// is typically 1–3 minutes back.
    pub fn anchor(&self, now: DateTime<Utc>) -> Option<DataAnchor> {
        let current = minute_of(now);
        let with_data: BTreeSet<i64> = self
            .by_deployment
            .values()
            .flat_map(|minutes| minutes.iter())
            .filter(|(minute, sample)| **minute <= current && sample.requests > 0)
            .map(|(minute, _)| *minute)
            .collect();
        let minute = if with_data.contains(&(current - 1)) {
            current - 1
        } else if with_data.contains(&current) {
            current
        } else {
            *with_data.range(..current).next_back()?
        };
        let as_of = (minute_start(minute) + chrono::Duration::minutes(1)).min(now);
        Some(DataAnchor {
            minute,
            first_minute: with_data.first().copied().unwrap_or(minute),
            as_of,
        })
    }
}

/// The end of the newest data: the minute windows end with, and when that minute ends (or
/// `now`, for the minute in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataAnchor {
    minute: i64,
    /// The oldest minute with data: no window reaches back before the data does (a new
    /// endpoint's first minute is not spread over five).
    first_minute: i64,
    pub as_of: DateTime<Utc>,
}

impl DataAnchor {
    pub fn age_secs(&self, now: DateTime<Utc>) -> u64 {
        (now - self.as_of).num_seconds().max(0).unsigned_abs()
    }

    /// "as of 12:03:00 UTC, 40 s ago".
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        format!(
            "as of {} UTC, {} s ago",
            self.as_of.format("%H:%M:%S"),
            self.age_secs(now)
        )
    }
}

/// Which stretch of the data a figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    LastMinute,
    LastFiveMinutes,
    /// From the first whole minute at or after this time (e.g. the last traffic change): the
    /// minute the change fell in mixes before and after, so it is left out.
    Since(DateTime<Utc>),
}

impl Window {
    pub fn describe(&self) -> String {
        match self {
            Self::LastMinute => "last 1 min".to_string(),
            Self::LastFiveMinutes => "last 5 min".to_string(),
            Self::Since(t) => format!("since {} UTC", t.format("%H:%M:%S")),
        }
    }

    fn first_minute(&self, anchor: &DataAnchor) -> i64 {
        let wanted = match self {
            Self::LastMinute => anchor.minute,
            Self::LastFiveMinutes => anchor.minute - 4,
            Self::Since(t) => (t.timestamp() + 59).div_euclid(60),
        };
        wanted.max(anchor.first_minute)
    }
}

/// One deployment over one window.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WindowStats {
    /// Seconds of time the window covers (0 when it holds no minute yet).
    pub window_secs: u64,
    pub requests: u64,
    pub client_errors: u64,
    pub server_errors: u64,
    /// Minutes with requests in the window.
    pub samples: u32,
    /// Request-weighted means of the per-minute percentiles: Azure Monitor keeps no raw
    /// latencies, so this is the closest figure the data allows.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

impl WindowStats {
    pub fn rate_per_minute(&self) -> Option<f64> {
        (self.window_secs > 0).then(|| self.requests as f64 * 60.0 / self.window_secs as f64)
    }

    /// Share of answers with 4xx or 5xx, in percent; `None` without requests.
    pub fn error_percent(&self) -> Option<f64> {
        percent(self.client_errors + self.server_errors, self.requests)
    }

    pub fn client_error_percent(&self) -> Option<f64> {
        percent(self.client_errors, self.requests)
    }

    pub fn server_error_percent(&self) -> Option<f64> {
        percent(self.server_errors, self.requests)
    }

    fn of(minutes: Option<&BTreeMap<i64, MinuteSample>>, first: i64, anchor: &DataAnchor) -> Self {
        if first > anchor.minute {
            return Self::default();
        }
        let partial_secs = (anchor.as_of - minute_start(anchor.minute))
            .num_seconds()
            .clamp(1, 60)
            .unsigned_abs();
        let mut stats = Self {
            window_secs: (anchor.minute - first).unsigned_abs() * 60 + partial_secs,
            ..Self::default()
        };
        let mut weighted = [(0.0, 0u64); 3];
        for sample in minutes
            .into_iter()
            .flat_map(|m| m.range(first..=anchor.minute).map(|(_, s)| s))
            .filter(|s| s.requests > 0)
        {
            stats.samples += 1;
            stats.requests += sample.requests;
            stats.client_errors += sample.client_errors;
            stats.server_errors += sample.server_errors;
            for (slot, value) in
                weighted
                    .iter_mut()
                    .zip([sample.p50_ms, sample.p95_ms, sample.p99_ms])
            {
                if let Some(ms) = value {
                    slot.0 += ms * sample.requests as f64;
                    slot.1 += sample.requests;
                }
            }
        }
        let mean = |(sum, n): (f64, u64)| (n > 0).then(|| sum / n as f64);
        stats.p50_ms = mean(weighted[0]);
        stats.p95_ms = mean(weighted[1]);
        stats.p99_ms = mean(weighted[2]);
        stats
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The deployment the others are judged against.
    Baseline,
    Ok,
    Worse,
    NotEnoughData,
}

impl Verdict {
    /// In words, so that colour is never the only cue.
    pub fn label(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Ok => "ok",
            Self::Worse => "worse",
            Self::NotEnoughData => "not enough data",
        }
    }
}

/// A deployment against the baseline over the same window.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub baseline: String,
    /// Its error share minus the baseline's, in percentage points.
    pub error_delta_points: Option<f64>,
    /// Its p95 over the baseline's.
    pub p95_ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentHealth {
    pub name: String,
    pub stats: WindowStats,
    pub comparison: Option<Comparison>,
    pub verdict: Verdict,
    /// Why the verdict, in words.
    pub reasons: Vec<String>,
}

/// Every deployment over one window, judged against one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthReport {
    pub window: Window,
    /// `None` when there is no data at all.
    pub anchor: Option<DataAnchor>,
    pub baseline: Option<String>,
    pub deployments: Vec<DeploymentHealth>,
}

/// The deployment with the most live traffic (the first by name on a tie), if any has some.
pub fn default_baseline(live: &TrafficMap) -> Option<String> {
    let mut best: Option<(&String, u32)> = None;
    for (name, share) in live {
        if *share > 0 && best.is_none_or(|(_, top)| *share > top) {
            best = Some((name, *share));
        }
    }
    best.map(|(name, _)| name.clone())
}

/// Each of `deployments` over `window`, judged against `baseline`.
pub fn assess(
    series: &HealthSeries,
    deployments: &[String],
    baseline: Option<&str>,
    window: Window,
    thresholds: &HealthThresholds,
    now: DateTime<Utc>,
) -> HealthReport {
    let anchor = series.anchor(now);
    let stats_of = |name: &str| match &anchor {
        Some(a) => WindowStats::of(series.minutes_of(name), window.first_minute(a), a),
        None => WindowStats::default(),
    };
    let baseline = baseline.map(str::to_lowercase);
    let base_stats = baseline.as_deref().map(stats_of);
    let deployments = deployments
        .iter()
        .map(|name| {
            let stats = stats_of(name);
            let is_baseline = baseline
                .as_deref()
                .is_some_and(|b| b.eq_ignore_ascii_case(name));
            let against = match (&baseline, &base_stats) {
                (Some(b), Some(s)) if !is_baseline => Some((b.as_str(), s)),
                _ => None,
            };
            judge(name, stats, is_baseline, against, thresholds)
        })
        .collect();
    HealthReport {
        window,
        anchor,
        baseline,
        deployments,
    }
}

fn judge(
    name: &str,
    stats: WindowStats,
    is_baseline: bool,
    baseline: Option<(&str, &WindowStats)>,
    thresholds: &HealthThresholds,
) -> DeploymentHealth {
    let min = thresholds.min_requests;
    let too_few = |who: &str, s: &WindowStats| {
        format!(
            "{who} {} request{} in the window; a verdict needs at least {min}",
            s.requests,
            if s.requests == 1 { "" } else { "s" }
        )
    };
    let mut reasons = Vec::new();
    let comparison = baseline.map(|(base_name, base)| Comparison {
        baseline: base_name.to_string(),
        error_delta_points: stats
            .error_percent()
            .zip(base.error_percent())
            .map(|(mine, theirs)| mine - theirs),
        p95_ratio: stats
            .p95_ms
            .zip(base.p95_ms.filter(|p| *p > 0.0))
            .map(|(mine, theirs)| mine / theirs),
    });
    let verdict = if stats.requests < min {
        reasons.push(too_few("it has", &stats));
        Verdict::NotEnoughData
    } else if is_baseline {
        Verdict::Baseline
    } else {
        match baseline {
            None => {
                reasons.push("no deployment takes live traffic to compare with".to_string());
                Verdict::NotEnoughData
            }
            Some((base_name, base)) if base.requests < min => {
                reasons.push(too_few(&format!("baseline {base_name} has"), base));
                Verdict::NotEnoughData
            }
            Some((base_name, base)) => {
                let worse = compare_reasons(&stats, base_name, base, thresholds, &mut reasons);
                if worse { Verdict::Worse } else { Verdict::Ok }
            }
        }
    };
    DeploymentHealth {
        name: name.to_string(),
        stats,
        comparison,
        verdict,
        reasons,
    }
}

/// Adds one reason per figure compared; true when any is beyond its threshold.
fn compare_reasons(
    stats: &WindowStats,
    base_name: &str,
    base: &WindowStats,
    thresholds: &HealthThresholds,
    reasons: &mut Vec<String>,
) -> bool {
    let mut worse = false;
    if let (Some(mine), Some(theirs)) = (stats.error_percent(), base.error_percent()) {
        let delta = mine - theirs;
        let beyond = delta > thresholds.error_percent_delta;
        worse |= beyond;
        reasons.push(format!(
            "errors {mine:.1}% against {theirs:.1}% on {base_name}: {delta:+.1} points ({} the limit of +{:.1})",
            if beyond { "over" } else { "within" },
            thresholds.error_percent_delta
        ));
    }
    match (stats.p95_ms, base.p95_ms.filter(|p| *p > 0.0)) {
        (Some(mine), Some(theirs)) => {
            let ratio = mine / theirs;
            let beyond = ratio > thresholds.p95_ratio;
            worse |= beyond;
            reasons.push(format!(
                "p95 {mine:.0} ms against {theirs:.0} ms on {base_name}: {ratio:.2}x ({} the limit of {:.2}x)",
                if beyond { "over" } else { "within" },
                thresholds.p95_ratio
            ));
        }
        _ => reasons.push("no p95 latency on both sides to compare".to_string()),
    }
    worse
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    /// `ok`, `4xx`, `5xx` requests and a p95 in each minute from `first` (HH:MM) on.
    fn fill(
        series: &mut HealthSeries,
        deployment: &str,
        first: &str,
        minutes: &[(u64, u64, u64, f64)],
    ) {
        let start = at(&format!("2026-05-01T{first}:00Z"));
        for (i, (ok, client, server, p95)) in minutes.iter().enumerate() {
            let t = start + chrono::Duration::minutes(i as i64);
            series.add_requests(deployment, t, StatusClass::from_dimension("2xx"), *ok);
            series.add_requests(deployment, t, StatusClass::from_dimension("4xx"), *client);
            series.add_requests(deployment, t, StatusClass::from_dimension("5xx"), *server);
            series.set_latency(deployment, t, Percentile::P95, *p95);
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn windows_end_at_the_last_complete_minute_and_split_errors_by_class() {
        let mut s = HealthSeries::default();
        // 12:00..12:05 complete, 12:06 in progress.
        fill(
            &mut s,
            "Blue",
            "12:00",
            &[
                (100, 0, 0, 10.0),
                (100, 0, 0, 10.0),
                (90, 5, 5, 20.0),
                (100, 0, 0, 10.0),
                (100, 0, 0, 10.0),
                (60, 0, 40, 40.0),
                (7, 0, 0, 99.0),
            ],
        );
        let now = at("2026-05-01T12:06:20Z");
        let t = HealthThresholds::default();
        let one = assess(&s, &names(&["blue"]), None, Window::LastMinute, &t, now);
        let anchor = one.anchor.expect("data");
        assert_eq!(anchor.as_of, at("2026-05-01T12:06:00Z"));
        assert_eq!(anchor.age_secs(now), 20);
        assert_eq!(anchor.describe(now), "as of 12:06:00 UTC, 20 s ago");
        let blue = one.deployments[0].stats;
        assert_eq!(
            (blue.requests, blue.samples, blue.window_secs),
            (100, 1, 60)
        );
        assert_eq!(blue.server_error_percent(), Some(40.0));
        assert_eq!(blue.client_error_percent(), Some(0.0));
        assert_eq!(blue.rate_per_minute(), Some(100.0));

        let five = assess(
            &s,
            &names(&["blue"]),
            None,
            Window::LastFiveMinutes,
            &t,
            now,
        );
        let blue = five.deployments[0].stats;
        assert_eq!(
            (blue.requests, blue.samples, blue.window_secs),
            (500, 5, 300)
        );
        assert_eq!((blue.client_errors, blue.server_errors), (5, 45));
        assert_eq!(blue.error_percent(), Some(10.0));
        // Request-weighted: (100*20 + 300*10 + 100*40) / 500.
        assert_eq!(blue.p95_ms, Some(18.0));
    }

    #[test]
    fn lagging_data_is_shown_with_its_age_never_as_zero_traffic() {
        let mut s = HealthSeries::default();
        fill(
            &mut s,
            "blue",
            "12:00",
            &[(50, 0, 0, 10.0), (60, 0, 0, 10.0)],
        );
        // Azure Monitor is three minutes behind: nothing after 12:01 has arrived yet.
        let now = at("2026-05-01T12:05:10Z");
        let r = assess(
            &s,
            &names(&["blue"]),
            Some("blue"),
            Window::LastMinute,
            &HealthThresholds::default(),
            now,
        );
        let anchor = r.anchor.expect("data");
        assert_eq!(anchor.as_of, at("2026-05-01T12:02:00Z"));
        assert_eq!(anchor.age_secs(now), 190);
        assert_eq!(r.deployments[0].stats.requests, 60);
        assert_eq!(r.deployments[0].verdict, Verdict::Baseline);
    }

    #[test]
    fn the_minute_in_progress_counts_only_when_the_one_before_is_empty() {
        let mut s = HealthSeries::default();
        fill(&mut s, "green", "12:00", &[(30, 0, 0, 10.0)]);
        let now = at("2026-05-01T12:00:30Z");
        let r = assess(
            &s,
            &names(&["green"]),
            None,
            Window::LastMinute,
            &HealthThresholds::default(),
            now,
        );
        let green = r.deployments[0].stats;
        assert_eq!(green.window_secs, 30);
        assert_eq!(green.rate_per_minute(), Some(60.0), "30 in 30 s");
        assert_eq!(r.anchor.map(|a| a.age_secs(now)), Some(0));
        // Five minutes of a series 30 s old cover those 30 s: the rate is not spread thin.
        let five = assess(
            &s,
            &names(&["green"]),
            None,
            Window::LastFiveMinutes,
            &HealthThresholds::default(),
            now,
        );
        assert_eq!(five.deployments[0].stats.window_secs, 30);
        assert_eq!(five.deployments[0].stats.rate_per_minute(), Some(60.0));
    }

    #[test]
    fn since_a_change_starts_at_the_next_whole_minute() {
        let mut s = HealthSeries::default();
        fill(
            &mut s,
            "green",
            "12:00",
            &[(100, 0, 0, 10.0), (70, 0, 30, 10.0), (70, 0, 30, 10.0)],
        );
        let now = at("2026-05-01T12:03:05Z");
        let t = HealthThresholds::default();
        let since = Window::Since(at("2026-05-01T12:00:40Z"));
        assert_eq!(since.describe(), "since 12:00:40 UTC");
        let r = assess(&s, &names(&["green"]), None, since, &t, now);
        let green = r.deployments[0].stats;
        assert_eq!((green.requests, green.samples), (200, 2));
        assert_eq!(green.error_percent(), Some(30.0));
        // A change newer than the data: nothing to show yet, and no invented zeros.
        let later = Window::Since(at("2026-05-01T12:03:01Z"));
        let r = assess(&s, &names(&["green"]), None, later, &t, now);
        assert_eq!(r.deployments[0].stats, WindowStats::default());
        assert_eq!(r.deployments[0].stats.error_percent(), None);
        assert_eq!(r.deployments[0].stats.rate_per_minute(), None);
        assert_eq!(r.deployments[0].verdict, Verdict::NotEnoughData);
    }

    #[test]
    fn green_is_judged_against_the_baseline_over_the_same_window() {
        let mut s = HealthSeries::default();
        fill(
            &mut s,
            "blue",
            "12:00",
            &[(100, 0, 0, 20.0), (100, 0, 0, 20.0)],
        );
        fill(
            &mut s,
            "green",
            "12:00",
            &[(70, 0, 30, 20.0), (70, 0, 30, 20.0)],
        );
        fill(
            &mut s,
            "slow",
            "12:00",
            &[(100, 0, 0, 50.0), (100, 0, 0, 50.0)],
        );
        fill(
            &mut s,
            "fine",
            "12:00",
            &[(99, 1, 0, 22.0), (100, 0, 0, 22.0)],
        );
        fill(&mut s, "new", "12:01", &[(5, 0, 0, 20.0)]);
        let now = at("2026-05-01T12:02:30Z");
        let live: TrafficMap = [("blue".to_string(), 60), ("green".to_string(), 40)].into();
        let baseline = default_baseline(&live);
        assert_eq!(baseline.as_deref(), Some("blue"));
        let r = assess(
            &s,
            &names(&["blue", "green", "slow", "fine", "new"]),
            baseline.as_deref(),
            Window::LastFiveMinutes,
            &HealthThresholds::default(),
            now,
        );
        let by = |n: &str| {
            r.deployments
                .iter()
                .find(|d| d.name == n)
                .expect("listed")
                .clone()
        };
        assert_eq!(by("blue").verdict, Verdict::Baseline);
        let green = by("green");
        assert_eq!(green.verdict, Verdict::Worse);
        let cmp = green.comparison.expect("compared");
        assert_eq!(cmp.baseline, "blue");
        assert_eq!(cmp.error_delta_points, Some(30.0));
        assert_eq!(cmp.p95_ratio, Some(1.0));
        assert!(
            green.reasons[0].contains("errors 30.0% against 0.0% on blue: +30.0 points (over"),
            "{:?}",
            green.reasons
        );
        let slow = by("slow");
        assert_eq!(slow.verdict, Verdict::Worse);
        assert!(
            slow.reasons[1].contains("2.50x (over"),
            "{:?}",
            slow.reasons
        );
        assert_eq!(by("fine").verdict, Verdict::Ok);
        let new = by("new");
        assert_eq!(new.verdict, Verdict::NotEnoughData);
        assert_eq!(
            new.reasons,
            ["it has 5 requests in the window; a verdict needs at least 20"]
        );
    }

    #[test]
    fn a_baseline_without_enough_data_gives_no_verdict() {
        let mut s = HealthSeries::default();
        fill(&mut s, "blue", "12:00", &[(3, 0, 0, 20.0)]);
        fill(&mut s, "green", "12:00", &[(100, 0, 0, 20.0)]);
        let now = at("2026-05-01T12:01:30Z");
        let t = HealthThresholds::default();
        let both = names(&["blue", "green"]);
        let r = assess(&s, &both, Some("BLUE"), Window::LastMinute, &t, now);
        assert_eq!(r.deployments[0].verdict, Verdict::NotEnoughData);
        assert_eq!(r.deployments[1].verdict, Verdict::NotEnoughData);
        assert!(r.deployments[1].reasons[0].starts_with("baseline blue has 3 requests"));
        let none = assess(&s, &both, None, Window::LastMinute, &t, now);
        assert_eq!(
            none.deployments[1].reasons,
            ["no deployment takes live traffic to compare with"]
        );
        assert_eq!(
            assess(
                &HealthSeries::default(),
                &both,
                None,
                Window::LastMinute,
                &t,
                now
            )
            .anchor,
            None
        );
    }

    #[test]
    fn the_default_baseline_takes_the_most_live_traffic() {
        let split = |pairs: &[(&str, u32)]| -> TrafficMap {
            pairs.iter().map(|(n, p)| ((*n).to_string(), *p)).collect()
        };
        assert_eq!(
            default_baseline(&split(&[("blue", 10), ("green", 90)])).as_deref(),
            Some("green")
        );
        assert_eq!(
            default_baseline(&split(&[("blue", 50), ("green", 50)])).as_deref(),
            Some("blue")
        );
        assert_eq!(default_baseline(&split(&[("blue", 0)])), None);
    }
}
