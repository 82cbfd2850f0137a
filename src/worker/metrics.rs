//! Observed traffic per deployment from Azure Monitor: request rate, error share, p95 latency.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::app::state::DeploymentMetrics;
use crate::azure::client::MetricsQuery;
use crate::azure::model::MetricsResponse;
use crate::rollout::StatusClass;

/// Minutes summarized: enough for one complete minute and an error share that does not jump
/// with every request.
const WINDOW_MINUTES: i64 = 5;

/// The endpoint's one health query (the same the headless `status` sends).
pub(super) fn query() -> MetricsQuery {
    crate::ops::health_query(Utc::now())
}

/// Per deployment: requests in the last complete minute (the current one while it is the
/// only one), the share of answers with status 400 or above, and the newest p95.
/// The last complete minute's count; while the current minute is the only one with data
/// (just after a change), its count so far scaled to a minute.
fn rate_per_minute(per_minute: &BTreeMap<DateTime<Utc>, f64>, now: DateTime<Utc>) -> f64 {
    let Some(this_minute) = now.duration_trunc(Duration::minutes(1)).ok() else {
        return 0.0;
    };
    if let Some(previous) = per_minute.get(&(this_minute - Duration::minutes(1))) {
        return *previous;
    }
    match per_minute.get(&this_minute) {
        Some(so_far) => {
            let elapsed = (now - this_minute).num_seconds().max(10) as f64;
            so_far * 60.0 / elapsed
        }
        None => 0.0,
    }
}

pub(super) fn summarize(
    response: &MetricsResponse,
    deployments: &[String],
    now: DateTime<Utc>,
) -> Vec<(String, DeploymentMetrics)> {
    let mut out = Vec::new();
    for name in deployments {
        let mut per_minute: BTreeMap<DateTime<Utc>, f64> = BTreeMap::new();
        let (mut all, mut failed) = (0.0, 0.0);
        let since = now - Duration::minutes(WINDOW_MINUTES);
        if let Some(requests) = response.metric("RequestsPerMinute") {
            for series in requests.series_where("deployment", name) {
                let is_error = series
                    .dimension("statusCodeClass")
                    .is_some_and(|c| StatusClass::from_dimension(c) != StatusClass::Fine);
                for point in &series.data {
                    // Minutes without requests have no total: they are not zero-rate evidence
                    // for the minute we report, only gaps.
                    let (Some(total), Ok(at)) =
                        (point.total, DateTime::parse_from_rfc3339(&point.time_stamp))
                    else {
                        continue;
                    };
                    if at < since {
                        continue;
                    }
                    *per_minute.entry(at.with_timezone(&Utc)).or_default() += total;
                    all += total;
                    if is_error {
                        failed += total;
                    }
                }
            }
        }
        let rate = rate_per_minute(&per_minute, now);
        let p95_ms = response.metric("RequestLatency_P95").and_then(|m| {
            m.series_where("deployment", name)
                .into_iter()
                .find_map(|s| s.latest_average())
        });
        out.push((
            name.clone(),
            DeploymentMetrics {
                requests_per_minute: rate,
                error_share: if all > 0.0 { failed / all } else { 0.0 },
                p95_ms,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_the_last_complete_minute_or_the_current_one_scaled() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T16:53:30Z")
            .unwrap()
            .with_timezone(&Utc);
        let minute = |m: &str| DateTime::parse_from_rfc3339(m).unwrap().with_timezone(&Utc);
        let mut per_minute = BTreeMap::new();
        per_minute.insert(minute("2026-11-22T16:53:00Z"), 10.0);
        assert_eq!(
            rate_per_minute(&per_minute, now),
            20.0,
            "10 in 30 s is 20 a minute"
        );
        per_minute.insert(minute("2026-11-22T16:52:00Z"), 1200.0);
        assert_eq!(rate_per_minute(&per_minute, now), 1200.0);
        assert_eq!(rate_per_minute(&BTreeMap::new(), now), 0.0);
    }
}
