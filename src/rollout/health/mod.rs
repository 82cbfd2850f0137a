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

    /// One deployment over the minutes `from..=to` touches (a short bake: the minutes it overlaps).
    pub fn stats_between(&self, name: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> WindowStats {
        let (minute, first_minute, as_of) = (minute_of(to), minute_of(from), to);
        let anchor = DataAnchor {
            minute,
            first_minute,
            as_of,
        };
        WindowStats::of(self.minutes_of(name), first_minute, &anchor)
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
mod tests;
