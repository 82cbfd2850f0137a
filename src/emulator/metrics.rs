//! What each endpoint served, minute by minute: request counts by deployment and status, and a
//! latency histogram per deployment. Bounded: the last [`WINDOW_MINUTES`] minutes, at most
//! [`MAX_SERIES_PER_MINUTE`] deployments per minute, a fixed-size histogram per series.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Minutes kept: an hour of history plus the minute in progress.
pub const WINDOW_MINUTES: usize = 61;
/// Deployments per minute (Azure allows 20 per endpoint; this only guards against abuse).
pub const MAX_SERIES_PER_MINUTE: usize = 64;
/// Distinct status codes per deployment and minute.
const MAX_STATUSES: usize = 32;

/// Latency buckets grow by 10% from 0.1 ms: ±5% precision up to about 10 minutes.
const HISTOGRAM_BUCKETS: usize = 170;
const HISTOGRAM_FLOOR_MS: f64 = 0.1;
const HISTOGRAM_GROWTH: f64 = 1.1;

/// A mergeable latency histogram with exact count, sum, min and max.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyHistogram {
    pub count: u64,
    pub sum_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    buckets: [u32; HISTOGRAM_BUCKETS],
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self {
            count: 0,
            sum_ms: 0.0,
            min_ms: f64::INFINITY,
            max_ms: 0.0,
            buckets: [0; HISTOGRAM_BUCKETS],
        }
    }
}

fn bucket_of(ms: f64) -> usize {
    if ms <= HISTOGRAM_FLOOR_MS {
        return 0;
    }
    let i = ((ms / HISTOGRAM_FLOOR_MS).ln() / HISTOGRAM_GROWTH.ln()).floor();
    (i as usize + 1).min(HISTOGRAM_BUCKETS - 1)
}

/// A representative value of bucket `i`: the geometric middle of its bounds.
fn bucket_value(i: usize) -> f64 {
    if i == 0 {
        return HISTOGRAM_FLOOR_MS / 2.0;
    }
    let low = HISTOGRAM_FLOOR_MS * HISTOGRAM_GROWTH.powi(i as i32 - 1);
    low * HISTOGRAM_GROWTH.sqrt()
}

impl LatencyHistogram {
    pub fn record(&mut self, ms: f64) {
        let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
        self.count += 1;
        self.sum_ms += ms;
        self.min_ms = self.min_ms.min(ms);
        self.max_ms = self.max_ms.max(ms);
        let b = &mut self.buckets[bucket_of(ms)];
        *b = b.saturating_add(1);
    }

    pub fn merge(&mut self, other: &Self) {
        self.count += other.count;
        self.sum_ms += other.sum_ms;
        self.min_ms = self.min_ms.min(other.min_ms);
        self.max_ms = self.max_ms.max(other.max_ms);
        for (a, b) in self.buckets.iter_mut().zip(other.buckets.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_ms / self.count as f64)
    }

    /// The `q` quantile (0..=1), within the bucket precision, clamped to the exact min/max.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += u64::from(*n);
            if seen >= rank {
                return Some(bucket_value(i).clamp(self.min_ms, self.max_ms));
            }
        }
        Some(self.max_ms)
    }
}

/// One deployment's requests in one minute.
#[derive(Debug, Clone)]
pub struct SeriesMinute {
    pub deployment: Arc<str>,
    /// (status code, requests)
    pub statuses: Vec<(u16, u64)>,
    pub latency: LatencyHistogram,
}

#[derive(Debug, Clone)]
pub struct MinuteBucket {
    /// Unix time in minutes.
    pub minute: i64,
    pub series: Vec<SeriesMinute>,
}

/// One endpoint's metric window. The scoring path records into it; the metrics API reads it.
#[derive(Debug, Default)]
pub struct EndpointMetrics {
    minutes: Mutex<VecDeque<MinuteBucket>>,
}

impl EndpointMetrics {
    /// Records one request that `deployment` answered with `status` in `latency_ms`, in the
    /// minute `unix_minute`.
    pub fn record(&self, unix_minute: i64, deployment: &Arc<str>, status: u16, latency_ms: f64) {
        let Ok(mut minutes) = self.minutes.lock() else {
            return;
        };
        let Some(bucket) = bucket_for(&mut minutes, unix_minute) else {
            return;
        };
        let series = match bucket
            .series
            .iter()
            .position(|s| *s.deployment == **deployment)
        {
            Some(i) => &mut bucket.series[i],
            None if bucket.series.len() < MAX_SERIES_PER_MINUTE => {
                bucket.series.push(SeriesMinute {
                    deployment: deployment.clone(),
                    statuses: Vec::new(),
                    latency: LatencyHistogram::default(),
                });
                let last = bucket.series.len() - 1;
                &mut bucket.series[last]
            }
            None => return,
        };
        match series.statuses.iter().position(|(s, _)| *s == status) {
            Some(i) => series.statuses[i].1 += 1,
            None if series.statuses.len() < MAX_STATUSES => series.statuses.push((status, 1)),
            None => {}
        }
        series.latency.record(latency_ms);
    }

    /// A copy of the minutes in `from..=to` (unix minutes), oldest first.
    pub fn minutes_between(&self, from: i64, to: i64) -> Vec<MinuteBucket> {
        self.minutes
            .lock()
            .map(|m| {
                m.iter()
                    .filter(|b| (from..=to).contains(&b.minute))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Minutes currently kept (never more than [`WINDOW_MINUTES`]).
    pub fn minutes_kept(&self) -> usize {
        self.minutes.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// The bucket of `minute`, created in order if new; `None` for a minute older than the window.
fn bucket_for(minutes: &mut VecDeque<MinuteBucket>, minute: i64) -> Option<&mut MinuteBucket> {
    let newest = minutes.back().map(|b| b.minute);
    match newest {
        Some(n) if n == minute => {}
        None => minutes.push_back(MinuteBucket {
            minute,
            series: Vec::new(),
        }),
        Some(n) if minute > n => {
            minutes.push_back(MinuteBucket {
                minute,
                series: Vec::new(),
            });
            while minutes.len() > WINDOW_MINUTES {
                minutes.pop_front();
            }
        }
        Some(n) => {
            // A request that began in an earlier minute and finished after a newer one was
            // recorded (threads race at the minute's turn), or a clock step: keep order.
            if n - minute >= WINDOW_MINUTES as i64 {
                return None;
            }
            if !minutes.iter().any(|b| b.minute == minute) {
                let at = minutes.partition_point(|b| b.minute < minute);
                minutes.insert(
                    at,
                    MinuteBucket {
                        minute,
                        series: Vec::new(),
                    },
                );
                while minutes.len() > WINDOW_MINUTES {
                    minutes.pop_front();
                }
            }
        }
    }
    minutes.iter_mut().rev().find(|b| b.minute == minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_within_bucket_precision() {
        let mut h = LatencyHistogram::default();
        for ms in 1..=1000 {
            h.record(ms as f64);
        }
        let p50 = h.quantile(0.5).expect("data");
        let p99 = h.quantile(0.99).expect("data");
        assert!((475.0..=525.0).contains(&p50), "p50 {p50}");
        assert!((940.0..=1000.0).contains(&p99), "p99 {p99}");
        assert_eq!(h.mean(), Some(500.5));
        let max = h.quantile(1.0).expect("data");
        assert!((950.0..=1000.0).contains(&max), "max {max}");
        let mut other = LatencyHistogram::default();
        other.record(5000.0);
        h.merge(&other);
        assert_eq!(h.count, 1001);
        assert_eq!(h.max_ms, 5000.0);
        assert_eq!(LatencyHistogram::default().quantile(0.5), None);
    }

    #[test]
    fn window_keeps_the_last_hour_and_bounded_series() {
        let metrics = EndpointMetrics::default();
        let blue: Arc<str> = Arc::from("blue");
        // Three hours of traffic, a few requests a minute.
        for minute in 0..180 {
            for _ in 0..3 {
                metrics.record(minute, &blue, 200, 10.0);
            }
        }
        assert_eq!(metrics.minutes_kept(), WINDOW_MINUTES);
        let kept = metrics.minutes_between(0, 1_000);
        assert_eq!(
            kept.first().map(|b| b.minute),
            Some(180 - WINDOW_MINUTES as i64)
        );
        assert_eq!(kept.last().map(|b| b.minute), Some(179));
        // Many deployment names in one minute: capped.
        for i in 0..(MAX_SERIES_PER_MINUTE + 20) {
            let name: Arc<str> = Arc::from(format!("d{i}"));
            metrics.record(179, &name, 200, 1.0);
        }
        let last = metrics.minutes_between(179, 179);
        assert_eq!(last[0].series.len(), MAX_SERIES_PER_MINUTE);
        // A late request for an earlier minute lands in order; a very old one is dropped.
        metrics.record(170, &blue, 500, 1.0);
        metrics.record(1, &blue, 500, 1.0);
        let m = metrics.minutes_between(170, 170);
        assert!(m[0].series[0].statuses.contains(&(500, 1)));
        assert_eq!(metrics.minutes_between(0, 100).len(), 0);
        assert_eq!(metrics.minutes_kept(), WINDOW_MINUTES);
    }
}
