//! An endpoint's live health: its deployments (traffic, instances, state) and one Azure Monitor
//! query for all of them, split by `deployment` and `statusCodeClass`, turned into the health
//! model's per-minute samples. One query per endpoint per refresh, never one per deployment:
//! metric queries count against the subscription's ARM read budget.

use chrono::{DateTime, Duration, Utc};

use crate::azure::MetricsQuery;
use crate::azure::model::{Metric, MetricsResponse, OnlineDeployment, OnlineEndpoint};
use crate::rollout::{
    HealthReport, HealthSeries, HealthThresholds, Percentile, StatusClass, TrafficSplit, Window,
    assess, default_baseline,
};

use super::apply::Ops;
use super::error::{OpsError, OpsResult};

/// Minutes of history one refresh reads: the longest stretch the console draws (its trend).
pub const HISTORY_MINUTES: i64 = 30;

const REQUESTS: &str = "RequestsPerMinute";
const LATENCIES: [(&str, Percentile); 3] = [
    ("RequestLatency_P50", Percentile::P50),
    ("RequestLatency_P95", Percentile::P95),
    ("RequestLatency_P99", Percentile::P99),
];

/// What the endpoint says about one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentState {
    pub name: String,
    /// Percent of live traffic.
    pub live_traffic: u32,
    /// Percent of requests copied to it.
    pub mirror_traffic: u32,
    pub instances: Option<i32>,
    /// The provisioning state (`Succeeded`, `Updating`, `Failed`…).
    pub state: Option<String>,
}

/// One refresh of an endpoint's health: what it is and what it served.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointHealth {
    pub endpoint: String,
    /// When the refresh ran: ages are measured from here.
    pub observed_at: DateTime<Utc>,
    pub deployments: Vec<DeploymentState>,
    pub series: HealthSeries,
    /// The endpoint's last modification: its split lives there, so this starts the
    /// "since the last traffic change" window.
    pub last_change: Option<DateTime<Utc>>,
    /// The deployment with the most live traffic, which the others are judged against.
    pub baseline: Option<String>,
}

impl EndpointHealth {
    /// Every deployment over `window`, judged against the baseline.
    pub fn report(&self, window: Window, thresholds: &HealthThresholds) -> HealthReport {
        let names: Vec<String> = self.deployments.iter().map(|d| d.name.clone()).collect();
        assess(
            &self.series,
            &names,
            self.baseline.as_deref(),
            window,
            thresholds,
            self.observed_at,
        )
    }
}

/// Requests by deployment and status class, and the latency percentiles by deployment, per
/// minute over the last [`HISTORY_MINUTES`]. Latency has no status dimension; Azure Monitor
/// applies each clause to the metrics that have that dimension.
pub fn health_query(now: DateTime<Utc>) -> MetricsQuery {
    let mut metric_names = vec![REQUESTS.to_string()];
    metric_names.extend(LATENCIES.iter().map(|(name, _)| (*name).to_string()));
    MetricsQuery {
        metric_names,
        timespan: Some((now - Duration::minutes(HISTORY_MINUTES), now)),
        interval: Some("PT1M".into()),
        aggregations: vec!["total".into(), "average".into()],
        filter: Some("deployment eq '*' and statusCodeClass eq '*'".into()),
        top: None,
    }
}

fn unusable(reason: String) -> OpsError {
    OpsError::Metrics(format!("Azure Monitor's answer cannot be used: {reason}"))
}

/// The metric, or why it cannot be read: a metric the service failed to read is a failure
/// with its reason, never an empty series (which would read as zero traffic).
fn metric<'a>(response: &'a MetricsResponse, name: &str) -> OpsResult<&'a Metric> {
    let metric = response
        .metric(name)
        .ok_or_else(|| unusable(format!("it has no {name}")))?;
    match metric.error_code.as_deref() {
        None | Some("Success") => Ok(metric),
        Some(code) => Err(unusable(format!(
            "{name} failed with {code}{}",
            metric
                .error_message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ))),
    }
}

fn time_of(stamp: &str) -> OpsResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| unusable(format!("timestamp {stamp:?}: {e}")))
}

/// The health model's samples from the answer to [`health_query`].
pub fn series_from(response: &MetricsResponse) -> OpsResult<HealthSeries> {
    let mut series = HealthSeries::default();
    for element in &metric(response, REQUESTS)?.timeseries {
        let (Some(deployment), Some(class)) = (
            element.dimension("deployment"),
            element.dimension("statusCodeClass"),
        ) else {
            return Err(unusable(format!(
                "{REQUESTS} is not split by deployment and statusCodeClass"
            )));
        };
        let class = StatusClass::from_dimension(class);
        for point in &element.data {
            // A minute without a total had no requests: a gap, not a zero to average in.
            if let Some(total) = point.total.filter(|t| *t > 0.0) {
                let count = total.round() as u64;
                series.add_requests(deployment, time_of(&point.time_stamp)?, class, count);
            }
        }
    }
    for (name, percentile) in LATENCIES {
        for element in &metric(response, name)?.timeseries {
            let Some(deployment) = element.dimension("deployment") else {
                return Err(unusable(format!("{name} is not split by deployment")));
            };
            for point in &element.data {
                if let Some(ms) = point.average {
                    series.set_latency(deployment, time_of(&point.time_stamp)?, percentile, ms);
                }
            }
        }
    }
    Ok(series)
}

impl Ops {
    /// The endpoint, its deployments and one metrics query for all of them. A metrics failure
    /// is an error with its reason, never zeros.
    pub async fn endpoint_health(
        &self,
        endpoint: &str,
        now: DateTime<Utc>,
    ) -> OpsResult<EndpointHealth> {
        let ep = self.existing_endpoint(endpoint).await?;
        let deployments = self.client.list_deployments(&self.ws, &ep.name).await?;
        self.health_of(&ep, &deployments, now).await
    }

    /// The health of an endpoint and deployments already read: the metrics query alone, so a
    /// refresh that has just read them does not read them again.
    pub async fn health_of(
        &self,
        ep: &OnlineEndpoint,
        deployments: &[OnlineDeployment],
        now: DateTime<Utc>,
    ) -> OpsResult<EndpointHealth> {
        let resource = crate::azure::AmlClient::endpoint_resource_id(&self.ws, &ep.name);
        let response = self
            .client
            .get_metrics(&resource, &health_query(now))
            .await?;
        let series = series_from(&response)?;
        let split = TrafficSplit::from_maps(
            ep.properties.traffic.as_ref(),
            ep.properties.mirror_traffic.as_ref(),
        );
        let mut states: Vec<DeploymentState> = deployments
            .iter()
            .map(|d| DeploymentState {
                name: d.name.clone(),
                live_traffic: split.live_of(&d.name),
                mirror_traffic: split.mirror_of(&d.name),
                instances: d.instance_count(),
                state: d.properties.provisioning_state.clone(),
            })
            .collect();
        states.sort_by(|a, b| a.name.cmp(&b.name));
        let last_change = ep
            .system_data
            .as_ref()
            .and_then(|s| s.last_modified_at.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        Ok(EndpointHealth {
            endpoint: ep.name.clone(),
            observed_at: now,
            deployments: states,
            series,
            last_change,
            baseline: default_baseline(&split.live),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::Verdict;
    use serde_json::json;

    fn series_json(dims: &[(&str, &str)], points: serde_json::Value) -> serde_json::Value {
        let metadata: Vec<_> = dims
            .iter()
            .map(|(n, v)| json!({"name": {"value": n}, "value": v}))
            .collect();
        json!({"metadatavalues": metadata, "data": points})
    }

    fn answer(requests: serde_json::Value, latency: serde_json::Value) -> MetricsResponse {
        let metric = |name: &str, timeseries: serde_json::Value| json!({"name": {"value": name}, "unit": "Count", "timeseries": timeseries, "errorCode": "Success"});
        let mut value = vec![metric(REQUESTS, requests)];
        for (name, _) in LATENCIES {
            value.push(metric(name, latency.clone()));
        }
        serde_json::from_value(json!({"timespan": "x", "value": value})).expect("parses")
    }

    #[test]
    fn the_query_is_one_for_all_deployments_split_by_status_class() {
        let now = Utc::now();
        let q = health_query(now);
        assert_eq!(q.metric_names.len(), 4);
        assert_eq!(
            q.filter.as_deref(),
            Some("deployment eq '*' and statusCodeClass eq '*'")
        );
        assert_eq!(q.timespan, Some((now - Duration::minutes(30), now)));
    }

    #[test]
    fn the_answer_becomes_samples_per_deployment_and_class() {
        let m = "2026-05-01T12:00:00Z";
        let response = answer(
            json!([
                series_json(
                    &[("deployment", "blue"), ("statusCodeClass", "2xx")],
                    json!([{"timeStamp": m, "total": 40.0}, {"timeStamp": "2026-05-01T12:01:00Z"}])
                ),
                series_json(
                    &[("deployment", "green"), ("statusCodeClass", "2xx")],
                    json!([{"timeStamp": m, "total": 28.0}])
                ),
                series_json(
                    &[("deployment", "green"), ("statusCodeClass", "5xx")],
                    json!([{"timeStamp": m, "total": 12.0}])
                ),
            ]),
            json!([
                series_json(
                    &[("deployment", "blue")],
                    json!([{"timeStamp": m, "average": 10.0}])
                ),
                series_json(
                    &[("deployment", "green")],
                    json!([{"timeStamp": m, "average": 30.0}])
                ),
            ]),
        );
        let series = series_from(&response).expect("usable");
        let now = DateTime::parse_from_rfc3339("2026-05-01T12:01:20Z")
            .expect("time")
            .with_timezone(&Utc);
        let names = vec!["blue".to_string(), "green".to_string()];
        let thresholds = HealthThresholds {
            min_requests: 10,
            ..HealthThresholds::default()
        };
        let r = assess(
            &series,
            &names,
            Some("blue"),
            Window::LastMinute,
            &thresholds,
            now,
        );
        let green = &r.deployments[1];
        assert_eq!(green.stats.requests, 40);
        assert_eq!(green.stats.server_error_percent(), Some(30.0));
        assert_eq!(green.stats.p95_ms, Some(30.0));
        assert_eq!(green.verdict, Verdict::Worse);
        assert_eq!(r.deployments[0].stats.requests, 40);
    }

    #[test]
    fn a_metric_the_service_could_not_read_is_a_failure_with_its_reason() {
        let mut response = answer(json!([]), json!([]));
        response.value[2].error_code = Some("Throttled".into());
        response.value[2].error_message = Some("too many queries".into());
        let e = series_from(&response).expect_err("unusable").to_string();
        assert!(
            e.contains("RequestLatency_P95 failed with Throttled: too many queries"),
            "{e}"
        );
        let unsplit = answer(
            json!([series_json(&[("deployment", "blue")], json!([]))]),
            json!([]),
        );
        let e = series_from(&unsplit).expect_err("unusable").to_string();
        assert!(
            e.contains("not split by deployment and statusCodeClass"),
            "{e}"
        );
        response.value.clear();
        assert!(series_from(&response).is_err());
    }
}
