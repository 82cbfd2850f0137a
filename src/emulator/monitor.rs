//! Azure Monitor's metrics API for online endpoints:
//! `GET {endpoint id}/providers/Microsoft.Insights/metrics?metricnames=…&timespan=…&interval=PT1M&aggregation=…&$filter=deployment eq '*'`,
//! answered in Azure Monitor's shape from what the endpoint actually served.
//!
//! Metrics: `RequestsPerMinute` (Count; dimensions `deployment`, `statusCode`,
//! `statusCodeClass`), `RequestLatency` and `RequestLatency_P50/_P90/_P95/_P99`
//! (Milliseconds; dimension `deployment`). A `$filter` is `and`-joined clauses
//! `dim eq 'value'`; `'*'` splits the series by that dimension, a value keeps only the matching
//! requests (named in the series' metadata, as Azure does). A dimension a metric does not
//! have is ignored for that metric (so one query can ask for all metrics). Intervals are whole
//! minutes (`PT1M`, `PT5M`, `PT1H`, …); history covers the last hour.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::metrics::{LatencyHistogram, MinuteBucket};
use super::reply::{ArmFailure, HandlerResult, Reply};

pub const NAMESPACE: &str = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";
/// Data points per series, at most: a day of minutes.
const MAX_POINTS: i64 = 1_440;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    RequestsPerMinute,
    RequestLatency,
    Percentile(u8),
}

impl Metric {
    const ALL: [&'static str; 6] = [
        "RequestsPerMinute",
        "RequestLatency",
        "RequestLatency_P50",
        "RequestLatency_P90",
        "RequestLatency_P95",
        "RequestLatency_P99",
    ];

    fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "requestsperminute" => Some(Self::RequestsPerMinute),
            "requestlatency" => Some(Self::RequestLatency),
            "requestlatency_p50" => Some(Self::Percentile(50)),
            "requestlatency_p90" => Some(Self::Percentile(90)),
            "requestlatency_p95" => Some(Self::Percentile(95)),
            "requestlatency_p99" => Some(Self::Percentile(99)),
            _ => None,
        }
    }

    fn name(self) -> String {
        match self {
            Self::RequestsPerMinute => "RequestsPerMinute".into(),
            Self::RequestLatency => "RequestLatency".into(),
            Self::Percentile(p) => format!("RequestLatency_P{p}"),
        }
    }

    fn localized(self) -> String {
        match self {
            Self::RequestsPerMinute => "Requests Per Minute".into(),
            Self::RequestLatency => "Request Latency".into(),
            Self::Percentile(p) => format!("Request Latency P{p}"),
        }
    }

    fn description(self) -> String {
        match self {
            Self::RequestsPerMinute => {
                "The number of requests sent to online endpoint within a minute".into()
            }
            Self::RequestLatency => {
                "The complete interval of time taken for a request to be responded".into()
            }
            Self::Percentile(p) => format!(
                "The average P{p} request latency aggregated by all request latency values collected over the selected time period"
            ),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Self::RequestsPerMinute => "Count",
            _ => "Milliseconds",
        }
    }

    fn has_dimension(self, dim: Dimension) -> bool {
        match self {
            Self::RequestsPerMinute => true,
            _ => dim == Dimension::Deployment,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Dimension {
    Deployment,
    StatusCode,
    StatusCodeClass,
}

impl Dimension {
    fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "deployment" => Some(Self::Deployment),
            "statuscode" => Some(Self::StatusCode),
            "statuscodeclass" => Some(Self::StatusCodeClass),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Deployment => "deployment",
            Self::StatusCode => "statusCode",
            Self::StatusCodeClass => "statusCodeClass",
        }
    }

    fn value_of(self, deployment: &str, status: u16) -> String {
        match self {
            Self::Deployment => deployment.to_string(),
            Self::StatusCode => status.to_string(),
            Self::StatusCodeClass => format!("{}xx", status / 100),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Clause {
    Split(Dimension),
    Equals(Dimension, String),
}

fn bad(message: impl Into<String>) -> ArmFailure {
    ArmFailure::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// `deployment eq '*' and statusCode eq '200'`.
fn parse_filter(filter: &str) -> Result<Vec<Clause>, ArmFailure> {
    let mut clauses = Vec::new();
    for part in split_and(filter) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let mut words = part.splitn(3, char::is_whitespace);
        let (Some(dim), Some(op), Some(value)) = (words.next(), words.next(), words.next()) else {
            return Err(bad(format!(
                "Invalid $filter clause '{part}': expected dimension eq 'value'."
            )));
        };
        if !op.eq_ignore_ascii_case("eq") {
            return Err(bad(format!(
                "Invalid $filter clause '{part}': only 'eq' is supported."
            )));
        }
        let dim = Dimension::parse(dim).ok_or_else(|| {
            bad(format!(
                "Invalid $filter: '{dim}' is not a dimension of these metrics (deployment, statusCode, statusCodeClass)."
            ))
        })?;
        let value = value.trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .ok_or_else(|| bad(format!("Invalid $filter clause '{part}': quote the value.")))?;
        clauses.push(if value == "*" {
            Clause::Split(dim)
        } else {
            Clause::Equals(dim, value.to_string())
        });
    }
    Ok(clauses)
}

/// Splits on the word `and` (any case) outside quotes.
fn split_and(filter: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let words: Vec<&str> = filter.split(' ').collect();
    for word in words {
        if !quoted && word.eq_ignore_ascii_case("and") {
            parts.push(String::new());
            continue;
        }
        quoted ^= word.matches('\'').count() % 2 == 1;
        if let Some(last) = parts.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    parts
}

/// An ISO 8601 duration of days, hours, minutes and seconds (`P1D`, `PT1H`, `PT5M`).
fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let rest = text.trim().strip_prefix(['P', 'p'])?;
    let (days, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = chrono::Duration::zero();
    if !days.is_empty() {
        total += chrono::Duration::days(days.strip_suffix(['D', 'd'])?.parse().ok()?);
    }
    let mut number = String::new();
    for c in time.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        total += match c.to_ascii_uppercase() {
            'H' => chrono::Duration::hours(n),
            'M' => chrono::Duration::minutes(n),
            'S' => chrono::Duration::seconds(n),
            _ => return None,
        };
    }
    (number.is_empty() && total > chrono::Duration::zero()).then_some(total)
}

fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `start/end`, `start/duration` or a bare duration ending now; the last hour by default.
fn parse_timespan(
    text: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ArmFailure> {
    let invalid = |t: &str| {
        bad(format!(
            "Invalid timespan '{t}': expected start/end in ISO 8601 (e.g. 2024-05-01T12:00:00Z/2024-05-01T13:00:00Z)."
        ))
    };
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok((now - chrono::Duration::hours(1), now));
    };
    let (start, end) = match text.split_once('/') {
        Some((a, b)) => {
            let start = parse_instant(a).ok_or_else(|| invalid(text))?;
            let end = match parse_instant(b) {
                Some(e) => e,
                None => start + parse_duration(b).ok_or_else(|| invalid(text))?,
            };
            (start, end)
        }
        None => (
            now - parse_duration(text).ok_or_else(|| invalid(text))?,
            now,
        ),
    };
    if end <= start {
        return Err(bad(format!(
            "Invalid timespan '{text}': the end must be after the start."
        )));
    }
    Ok((start, end))
}

fn minute_stamp(minute: i64) -> String {
    Utc.timestamp_opt(minute * 60, 0)
        .single()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// What one series holds in one interval.
#[derive(Debug, Default)]
struct Cell {
    requests: u64,
    /// Requests per minute with data, for minimum/maximum of RequestsPerMinute.
    per_minute: BTreeMap<i64, u64>,
    latency: LatencyHistogram,
}

/// The query, parsed.
struct Query {
    metrics: Vec<Metric>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    interval_minutes: i64,
    aggregations: Vec<String>,
    clauses: Vec<Clause>,
    top: Option<usize>,
}

fn parse_query(query: &HashMap<String, String>, now: DateTime<Utc>) -> Result<Query, ArmFailure> {
    if let Some(ns) = query.get("metricnamespace")
        && !ns.eq_ignore_ascii_case(NAMESPACE)
    {
        return Err(bad(format!(
            "Metric namespace '{ns}' is not available for this resource; use {NAMESPACE}."
        )));
    }
    let names = query
        .get("metricnames")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| {
            bad(format!(
                "metricnames is required; valid metrics: {}.",
                Metric::ALL.join(", ")
            ))
        })?;
    let metrics = names
        .split(',')
        .map(|n| {
            Metric::parse(n).ok_or_else(|| {
                bad(format!(
                    "Failed to find metric configuration for provider: Microsoft.MachineLearningServices, resource Type: workspaces/onlineEndpoints, metric: {}, Valid metrics: {}",
                    n.trim(),
                    Metric::ALL.join(",")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (start, end) = parse_timespan(query.get("timespan").map(String::as_str), now)?;
    let interval = match query.get("interval").map(|i| i.trim()) {
        None | Some("") => chrono::Duration::minutes(1),
        Some(i) => parse_duration(i).ok_or_else(|| {
            bad(format!(
                "Invalid interval '{i}': expected an ISO 8601 duration such as PT1M."
            ))
        })?,
    };
    if interval.num_seconds() % 60 != 0 {
        return Err(bad(format!(
            "Invalid interval: these metrics have a one-minute grain; use whole minutes (PT1M, PT5M, PT1H), not {}s.",
            interval.num_seconds()
        )));
    }
    let interval_minutes = interval.num_minutes().max(1);
    let aggregations: Vec<String> = query
        .get("aggregation")
        .map(|a| {
            a.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .filter(|a: &Vec<String>| !a.is_empty())
        .unwrap_or_else(|| vec!["average".to_string()]);
    if let Some(a) = aggregations.iter().find(|a| {
        !matches!(
            a.as_str(),
            "average" | "total" | "count" | "minimum" | "maximum"
        )
    }) {
        return Err(bad(format!(
            "Invalid aggregation '{a}': use average, total, count, minimum or maximum."
        )));
    }
    let clauses = match query.get("$filter") {
        Some(f) => parse_filter(f)?,
        None => Vec::new(),
    };
    let top = match query.get("top") {
        Some(t) => Some(
            t.trim()
                .parse::<usize>()
                .map_err(|_| bad(format!("Invalid top '{t}'.")))?,
        ),
        None => None,
    };
    Ok(Query {
        metrics,
        start,
        end,
        interval_minutes,
        aggregations,
        clauses,
        top,
    })
}

/// Answers the metrics query for one endpoint from its minute buckets.
pub fn answer(
    resource_id: &str,
    region: &str,
    query: &HashMap<String, String>,
    read: impl FnOnce(i64, i64) -> Vec<MinuteBucket>,
) -> HandlerResult {
    let now = Utc::now();
    let q = parse_query(query, now)?;
    let first_minute = q.start.timestamp().div_euclid(60);
    let last_minute = (q.end.timestamp() - 1).div_euclid(60);
    let intervals = (last_minute - first_minute) / q.interval_minutes + 1;
    if intervals > MAX_POINTS {
        return Err(bad(format!(
            "The timespan holds {intervals} intervals; ask for at most {MAX_POINTS} (a shorter timespan or a longer interval)."
        )));
    }
    let buckets = read(first_minute, last_minute);
    let value: Vec<Value> = q
        .metrics
        .iter()
        .map(|m| metric_json(*m, &q, resource_id, first_minute, intervals, &buckets))
        .collect();
    Ok(Reply::ok(json!({
        "cost": 0,
        "timespan": format!(
            "{}/{}",
            q.start.to_rfc3339_opts(SecondsFormat::Secs, true),
            q.end.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
        "interval": format!("PT{}M", q.interval_minutes),
        "namespace": NAMESPACE,
        "resourceregion": region,
        "value": value,
    })))
}

fn metric_json(
    metric: Metric,
    q: &Query,
    resource_id: &str,
    first_minute: i64,
    intervals: i64,
    buckets: &[MinuteBucket],
) -> Value {
    // As Azure Monitor does, every dimension the filter names shows in the series' metadata
    // (a fixed value gives one series per value it matches).
    let split: Vec<Dimension> = q
        .clauses
        .iter()
        .filter_map(|c| match c {
            Clause::Split(d) | Clause::Equals(d, _) if metric.has_dimension(*d) => Some(*d),
            _ => None,
        })
        .collect();
    let fixed: Vec<(Dimension, &str)> = q
        .clauses
        .iter()
        .filter_map(|c| match c {
            Clause::Equals(d, v) if metric.has_dimension(*d) => Some((*d, v.as_str())),
            _ => None,
        })
        .collect();
    // series key (dimension values in `split` order) → interval index → cell
    let mut series: BTreeMap<Vec<String>, BTreeMap<i64, Cell>> = BTreeMap::new();
    if split.is_empty() {
        series.insert(Vec::new(), BTreeMap::new());
    }
    for bucket in buckets {
        let slot = (bucket.minute - first_minute) / q.interval_minutes;
        for s in &bucket.series {
            for (status, n) in &s.statuses {
                let keep = fixed
                    .iter()
                    .all(|(d, v)| d.value_of(&s.deployment, *status).eq_ignore_ascii_case(v));
                if !keep {
                    continue;
                }
                let key: Vec<String> = split
                    .iter()
                    .map(|d| d.value_of(&s.deployment, *status))
                    .collect();
                let cell = series.entry(key).or_default().entry(slot).or_default();
                cell.requests += n;
                *cell.per_minute.entry(bucket.minute).or_default() += n;
            }
            // Latency is per deployment, not per status: merge it once per series minute.
            if metric != Metric::RequestsPerMinute {
                let keep = fixed
                    .iter()
                    .all(|(d, v)| d.value_of(&s.deployment, 0).eq_ignore_ascii_case(v));
                if keep {
                    let key: Vec<String> =
                        split.iter().map(|d| d.value_of(&s.deployment, 0)).collect();
                    let cell = series.entry(key).or_default().entry(slot).or_default();
                    cell.latency.merge(&s.latency);
                }
            }
        }
    }
    let mut timeseries: Vec<Value> = series
        .into_iter()
        .map(|(key, cells)| {
            let metadata: Vec<Value> = split
                .iter()
                .zip(key)
                .map(|(d, v)| json!({"name": {"value": d.name(), "localizedValue": d.name()}, "value": v}))
                .collect();
            let data: Vec<Value> = (0..intervals)
                .map(|i| point(metric, q, first_minute + i * q.interval_minutes, cells.get(&i)))
                .collect();
            json!({"metadatavalues": metadata, "data": data})
        })
        .collect();
    if let Some(top) = q.top {
        timeseries.truncate(top);
    }
    json!({
        "id": format!("{resource_id}/providers/Microsoft.Insights/metrics/{}", metric.name()),
        "type": "Microsoft.Insights/metrics",
        "name": {"value": metric.name(), "localizedValue": metric.localized()},
        "displayDescription": metric.description(),
        "unit": metric.unit(),
        "timeseries": timeseries,
        "errorCode": "Success",
    })
}

/// One data point: the timestamp, and the asked aggregations when there is data.
fn point(metric: Metric, q: &Query, minute: i64, cell: Option<&Cell>) -> Value {
    let mut p = Map::new();
    p.insert("timeStamp".into(), json!(minute_stamp(minute)));
    let Some(cell) = cell else {
        return Value::Object(p);
    };
    for agg in &q.aggregations {
        let v = match metric {
            Metric::RequestsPerMinute => {
                if cell.requests == 0 {
                    continue;
                }
                match agg.as_str() {
                    "total" => cell.requests as f64,
                    "average" => cell.requests as f64 / q.interval_minutes as f64,
                    "count" => cell.per_minute.len() as f64,
                    "minimum" => cell.per_minute.values().min().copied().unwrap_or(0) as f64,
                    _ => cell.per_minute.values().max().copied().unwrap_or(0) as f64,
                }
            }
            Metric::RequestLatency => {
                let h = &cell.latency;
                let Some(mean) = h.mean() else { continue };
                match agg.as_str() {
                    "total" => h.sum_ms,
                    "average" => mean,
                    "count" => h.count as f64,
                    "minimum" => h.min_ms,
                    _ => h.max_ms,
                }
            }
            Metric::Percentile(pct) => {
                let h = &cell.latency;
                let Some(value) = h.quantile(f64::from(pct) / 100.0) else {
                    continue;
                };
                if agg == "count" {
                    h.count as f64
                } else {
                    value
                }
            }
        };
        p.insert(agg.clone(), json!((v * 1000.0).round() / 1000.0));
    }
    Value::Object(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::metrics::EndpointMetrics;
    use std::sync::Arc;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn parses_filters_durations_and_timespans() {
        assert_eq!(
            parse_filter("deployment eq '*' and statusCode eq '200'").expect("valid"),
            vec![
                Clause::Split(Dimension::Deployment),
                Clause::Equals(Dimension::StatusCode, "200".into())
            ]
        );
        assert!(parse_filter("color eq 'red'").is_err());
        assert!(parse_filter("deployment ne 'x'").is_err());
        assert_eq!(parse_duration("PT5M"), Some(chrono::Duration::minutes(5)));
        assert_eq!(parse_duration("P1DT1H"), Some(chrono::Duration::hours(25)));
        assert_eq!(parse_duration("PT"), None);
        let now = Utc::now();
        let (s, e) = parse_timespan(Some("2024-05-01T12:00:00Z/PT1H"), now).expect("valid");
        assert_eq!((e - s).num_minutes(), 60);
        assert!(parse_timespan(Some("yesterday"), now).is_err());
    }

    #[test]
    fn answers_in_azure_monitors_shape_split_by_deployment() {
        let metrics = EndpointMetrics::default();
        let blue: Arc<str> = Arc::from("blue");
        let green: Arc<str> = Arc::from("green");
        let minute = Utc::now().timestamp().div_euclid(60) - 2;
        for _ in 0..9 {
            metrics.record(minute, &blue, 200, 10.0);
        }
        metrics.record(minute, &green, 500, 30.0);
        let start = minute_stamp(minute - 3);
        let end = minute_stamp(minute + 2);
        let query = q(&[
            ("metricnames", "RequestsPerMinute,RequestLatency_P99"),
            ("timespan", &format!("{start}/{end}")),
            ("interval", "PT1M"),
            ("aggregation", "total,average"),
            ("$filter", "deployment eq '*' and statusCode eq '*'"),
        ]);
        let reply = answer("/x/onlineEndpoints/ep", "westus2", &query, |a, b| {
            metrics.minutes_between(a, b)
        })
        .expect("answers");
        let body = reply.json().cloned().expect("json");
        assert_eq!(body["namespace"], NAMESPACE);
        assert_eq!(body["interval"], "PT1M");
        let rpm = &body["value"][0];
        assert_eq!(rpm["name"]["value"], "RequestsPerMinute");
        assert_eq!(rpm["errorCode"], "Success");
        let series = rpm["timeseries"].as_array().expect("series");
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["metadatavalues"][0]["value"], "blue");
        assert_eq!(series[0]["metadatavalues"][1]["value"], "200");
        assert_eq!(series[0]["data"].as_array().map(Vec::len), Some(5));
        let totals: f64 = series[0]["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["total"].as_f64())
            .sum();
        assert_eq!(totals, 9.0);
        let p99 = &body["value"][1];
        assert_eq!(p99["unit"], "Milliseconds");
        let p99_series = p99["timeseries"].as_array().expect("series");
        assert_eq!(p99_series.len(), 2, "latency splits by deployment only");
        let green_p99 = p99_series[1]["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|p| p["average"].as_f64())
            .expect("a value");
        assert!((28.0..=31.0).contains(&green_p99), "{green_p99}");
    }

    #[test]
    fn refuses_unknown_metrics_and_sub_minute_intervals() {
        let none = |_: i64, _: i64| Vec::new();
        assert!(answer("/x", "r", &q(&[("metricnames", "CpuUtilization")]), none).is_err());
        assert!(
            answer(
                "/x",
                "r",
                &q(&[("metricnames", "RequestLatency"), ("interval", "PT30S")]),
                none
            )
            .is_err()
        );
        let reply = answer("/x", "r", &q(&[("metricnames", "RequestLatency")]), none).expect("ok");
        let body = reply.json().cloned().expect("json");
        let series = body["value"][0]["timeseries"].as_array().expect("series");
        assert_eq!(series.len(), 1, "an unsplit metric always has one series");
        assert!(
            series[0]["metadatavalues"]
                .as_array()
                .is_some_and(Vec::is_empty)
        );
    }
}
