//! Serde types of Azure Resource Manager's wire format for Azure ML workspaces, online endpoints
//! and online deployments (api-version 2025-12-01, compatible with older and newer versions for
//! the fields modelled here).
//!
//! These types are for *reading*. Unknown fields are ignored on parse, so they must never be
//! serialised back to the service: a write goes through [`crate::azure::AmlClient`]'s
//! read-modify-write helpers, which edit the JSON exactly as received.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `{ "value": [...], "nextLink": "..." }`, the envelope of every pageable list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmList<T> {
    pub value: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// A subscription as `GET /subscriptions/{id}` returns it: the fields the console reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: Option<String>,
    pub display_name: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedServiceIdentity {
    #[serde(rename = "type")]
    pub identity_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identities: Option<BTreeMap<String, UserAssignedIdentity>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// For a deployment, the instance count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i32>,
}

/// The fields every tracked ARM resource carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackedResource<P> {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<SystemData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ManagedServiceIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    pub properties: P,
}

pub type OnlineEndpoint = TrackedResource<OnlineEndpointProperties>;
pub type OnlineDeployment = TrackedResource<OnlineDeploymentProperties>;
pub type Workspace = TrackedResource<WorkspaceProperties>;

/// `Key`, `AMLToken` or `AADToken`; kept as a string so a new mode does not break parsing.
pub type AuthMode = String;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineEndpointProperties {
    #[serde(default)]
    pub auth_mode: AuthMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swagger_uri: Option<String>,
    /// ARM id of the Kubernetes compute; absent for managed endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror_traffic: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

impl OnlineEndpoint {
    /// The az ml SDK's own test: an endpoint is Kubernetes iff `properties.compute` is set.
    pub fn is_kubernetes(&self) -> bool {
        self.properties
            .compute
            .as_deref()
            .is_some_and(|c| !c.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_id: Option<String>,
    pub scoring_script: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_requests_per_instance: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queue_wait: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleSettings {
    pub scale_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_instances: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_instances: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_utilization_percentage: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerResourceSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerResourceRequirements {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource_requests: Option<ContainerResourceSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource_limits: Option<ContainerResourceSettings>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineDeploymentProperties {
    /// `Managed`, `Kubernetes` or `AzureMLCompute` (the discriminator).
    #[serde(default)]
    pub endpoint_compute_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_configuration: Option<CodeConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_mount_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_insights_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress_public_network_access: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_settings: Option<RequestSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<ProbeSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<ProbeSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<ProbeSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_settings: Option<ScaleSettings>,
    /// Kubernetes deployments only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource_requirements: Option<ContainerResourceRequirements>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

impl OnlineDeployment {
    /// Instance count: `sku.capacity`, the value `az ml ... --set instance_count=N` writes.
    pub fn instance_count(&self) -> Option<i32> {
        self.sku.as_ref().and_then(|s| s.capacity)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

/// Which container's log `getLogs` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ContainerType {
    #[default]
    InferenceServer,
    StorageInitializer,
}

impl ContainerType {
    /// The az CLI's spelling (`inference-server`), used in flags and on screen.
    pub fn cli_name(self) -> &'static str {
        match self {
            Self::InferenceServer => "inference-server",
            Self::StorageInitializer => "storage-initializer",
        }
    }

    /// Accepts the az CLI spelling and the REST enum value, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "inference-server" | "inferenceserver" => Some(Self::InferenceServer),
            "storage-initializer" | "storageinitializer" => Some(Self::StorageInitializer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentLogsRequest {
    pub container_type: ContainerType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentLogs {
    #[serde(default)]
    pub content: Option<String>,
}

/// Secrets: never log or display them unmasked; `Debug` is written by hand to mask them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointAuthKeys {
    #[serde(default)]
    pub primary_key: Option<String>,
    #[serde(default)]
    pub secondary_key: Option<String>,
}

impl std::fmt::Debug for EndpointAuthKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointAuthKeys")
            .field("primary_key", &self.primary_key.as_ref().map(|_| "***"))
            .field("secondary_key", &self.secondary_key.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointAuthToken {
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
    /// Unix seconds.
    #[serde(default)]
    pub expiry_time_utc: i64,
    #[serde(default)]
    pub refresh_after_time_utc: i64,
}

impl std::fmt::Debug for EndpointAuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointAuthToken")
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("token_type", &self.token_type)
            .field("expiry_time_utc", &self.expiry_time_utc)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyType {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegenerateKeysRequest {
    pub key_type: KeyType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuCapacity {
    #[serde(default)]
    pub minimum: Option<i32>,
    #[serde(default)]
    pub maximum: Option<i32>,
    #[serde(default)]
    pub default: Option<i32>,
    #[serde(default)]
    pub scale_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuSetting {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuResource {
    #[serde(default)]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub sku: Option<SkuSetting>,
    #[serde(default)]
    pub capacity: Option<SkuCapacity>,
}

/// ARM's error envelope: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmErrorResponse {
    pub error: ArmErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ArmErrorDetail>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_info: Vec<ArmErrorAdditionalInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmErrorAdditionalInfo {
    #[serde(rename = "type", default)]
    pub info_type: String,
    #[serde(default)]
    pub info: Value,
}

/// The body of an `Azure-AsyncOperation` status monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ArmErrorDetail>,
}

/// Terminal states of a long-running operation and of `provisioningState`.
pub fn is_terminal_state(state: &str) -> bool {
    matches!(
        state.to_ascii_lowercase().as_str(),
        "succeeded" | "failed" | "canceled" | "cancelled"
    )
}

// ---- Azure Monitor metrics (`{resourceId}/providers/Microsoft.Insights/metrics`) ----

/// The answer to a metrics query (Azure Monitor api-version 2024-02-01).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsResponse {
    #[serde(default)]
    pub cost: Option<f64>,
    #[serde(default)]
    pub timespan: String,
    /// The granularity of the data points (ISO 8601, e.g. `PT1M`).
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub resourceregion: Option<String>,
    #[serde(default)]
    pub value: Vec<Metric>,
}

impl MetricsResponse {
    /// The metric of that name (case-insensitive), if the answer has it.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.value
            .iter()
            .find(|m| m.name.value.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalizableString {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub localized_value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default)]
    pub metric_type: String,
    pub name: LocalizableString,
    #[serde(default)]
    pub display_description: Option<String>,
    /// `Count`, `Milliseconds`, `Bytes`, …
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub timeseries: Vec<TimeSeriesElement>,
    /// `Success` when the metric could be read.
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
}

impl Metric {
    /// The series whose dimension `dimension` has `value` (case-insensitive).
    pub fn series_where(&self, dimension: &str, value: &str) -> Vec<&TimeSeriesElement> {
        self.timeseries
            .iter()
            .filter(|s| {
                s.dimension(dimension)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            })
            .collect()
    }
}

/// One series: a combination of dimension values and its data points.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TimeSeriesElement {
    #[serde(default)]
    pub metadatavalues: Vec<MetadataValue>,
    #[serde(default)]
    pub data: Vec<MetricValue>,
}

impl TimeSeriesElement {
    /// The value of a dimension this series is split by (case-insensitive name).
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.metadatavalues
            .iter()
            .find(|m| {
                m.name
                    .as_ref()
                    .is_some_and(|n| n.value.eq_ignore_ascii_case(name))
            })
            .and_then(|m| m.value.as_deref())
    }

    /// The sum of the `total` aggregation over all data points.
    pub fn sum_of_totals(&self) -> f64 {
        self.data.iter().filter_map(|p| p.total).sum()
    }

    /// The newest data point that has an `average`.
    pub fn latest_average(&self) -> Option<f64> {
        self.data.iter().rev().find_map(|p| p.average)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MetadataValue {
    #[serde(default)]
    pub name: Option<LocalizableString>,
    #[serde(default)]
    pub value: Option<String>,
}

/// One data point; only the aggregations asked for (and with data) are present.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricValue {
    pub time_stamp: String,
    #[serde(default)]
    pub average: Option<f64>,
    #[serde(default)]
    pub minimum: Option<f64>,
    #[serde(default)]
    pub maximum: Option<f64>,
    #[serde(default)]
    pub total: Option<f64>,
    #[serde(default)]
    pub count: Option<f64>,
}

/// `…/models/NAME/versions/V` as `NAME:V`, for a table column; anything else unchanged.
pub fn short_asset(id: &str) -> String {
    let parts: Vec<&str> = id.trim_end_matches('/').rsplit('/').take(4).collect();
    match parts.as_slice() {
        [version, "versions", name, _collection] => format!("{name}:{version}"),
        _ => id.to_string(),
    }
}

#[cfg(test)]
mod metrics_tests {
    use super::*;

    /// The shape of Azure Monitor's published example (GetMetric.json), abridged.
    #[test]
    fn parses_azure_monitors_answer() {
        let body = r#"{
          "cost": 598,
          "timespan": "2021-04-20T09:00:00Z/2021-04-20T14:00:00Z",
          "interval": "PT1H",
          "value": [{
            "id": "/subscriptions/x/providers/Microsoft.Insights/metrics/BlobCount",
            "type": "Microsoft.Insights/metrics",
            "name": {"value": "BlobCount", "localizedValue": "Blob Count"},
            "displayDescription": "The number of blob objects.",
            "unit": "Count",
            "timeseries": [{
              "metadatavalues": [{"name": {"value": "tier", "localizedValue": "tier"}, "value": "Hot"}],
              "data": [
                {"timeStamp": "2021-04-20T09:00:00Z", "average": 7.0, "minimum": 7.0, "maximum": 7.0},
                {"timeStamp": "2021-04-20T10:00:00Z"}
              ]
            }],
            "errorCode": "Success"
          }],
          "namespace": "microsoft.storage/storageaccounts/blobservices",
          "resourceregion": "westus2"
        }"#;
        let r: MetricsResponse = serde_json::from_str(body).expect("parses");
        let m = r.metric("blobcount").expect("metric");
        assert_eq!(m.unit, "Count");
        assert_eq!(m.metric_type, "Microsoft.Insights/metrics");
        let hot = m.series_where("Tier", "hot");
        assert_eq!(hot.len(), 1);
        assert_eq!(hot[0].latest_average(), Some(7.0));
        assert_eq!(hot[0].data[1].average, None);
        assert_eq!(r.resourceregion.as_deref(), Some("westus2"));
    }
}

/// One entry of Usages_List: how much of a quota is in use, e.g. a VM family's cores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    #[serde(default, rename = "type")]
    pub usage_type: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub current_value: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub name: Option<UsageName>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageName {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub localized_value: Option<String>,
}

/// One entry of VirtualMachineSizes_List.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualMachineSize {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default, rename = "vCPUs")]
    pub v_cpus: Option<i64>,
    #[serde(default, rename = "memoryGB")]
    pub memory_gb: Option<f64>,
    #[serde(default)]
    pub gpus: Option<i64>,
}
