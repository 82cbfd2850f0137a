//! Azure Monitor: the metrics of an endpoint.

use reqwest::Method;

use super::client::{AmlClient, MetricsQuery, WorkspaceRef, check_segment};
use super::error::{AzureError, Result};
use super::model::MetricsResponse;

/// Azure Monitor's metrics API version.
pub const MONITOR_API_VERSION: &str = "2024-02-01";

impl AmlClient {
    /// The ARM id of an online endpoint (the `resourceUri` of its metrics).
    pub fn endpoint_resource_id(ws: &WorkspaceRef, endpoint: &str) -> String {
        format!("{}/onlineEndpoints/{endpoint}", ws.arm_id())
    }

    /// Azure Monitor metrics of a resource (e.g. [`Self::endpoint_resource_id`]):
    /// `GET {resourceId}/providers/Microsoft.Insights/metrics`. Retried like any ARM read.
    pub async fn get_metrics(
        &self,
        resource_id: &str,
        query: &MetricsQuery,
    ) -> Result<MetricsResponse> {
        let parts: Vec<&str> = resource_id.split('/').filter(|s| !s.is_empty()).collect();
        for part in &parts {
            check_segment("resource id part", part)?;
        }
        let base = self.transport.base();
        let mut url = base.clone();
        url.path_segments_mut()
            .map_err(|()| AzureError::InvalidInput(format!("{base} cannot be a base URL")))?
            .pop_if_empty()
            .extend(parts)
            .extend(["providers", "Microsoft.Insights", "metrics"]);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", MONITOR_API_VERSION);
            if !query.metric_names.is_empty() {
                pairs.append_pair("metricnames", &query.metric_names.join(","));
            }
            if let Some((start, end)) = &query.timespan {
                let iso = |t: &chrono::DateTime<chrono::Utc>| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                };
                pairs.append_pair("timespan", &format!("{}/{}", iso(start), iso(end)));
            }
            if let Some(interval) = &query.interval {
                pairs.append_pair("interval", interval);
            }
            if !query.aggregations.is_empty() {
                pairs.append_pair("aggregation", &query.aggregations.join(","));
            }
            if let Some(filter) = &query.filter {
                pairs.append_pair("$filter", filter);
            }
            if let Some(top) = query.top {
                pairs.append_pair("top", &top.to_string());
            }
        }
        self.transport.send(Method::GET, url, None).await?.json()
    }
}
