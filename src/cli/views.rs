//! The JSON shapes of `-o json`: small, stable, snake_case like `az ml`'s own output, and
//! independent of the ARM wire format so a service-side addition never changes them. The README
//! documents them; change them only compatibly (add fields, never rename or remove).

use aml_rollout::azure::model::{OnlineDeployment, OnlineEndpoint};
use aml_rollout::rollout::{DiffRow, TrafficMap, TrafficSplit};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub(super) struct EndpointView {
    pub name: String,
    /// `managed` or `kubernetes`.
    pub kind: &'static str,
    pub auth_mode: String,
    pub provisioning_state: Option<String>,
    pub traffic: TrafficMap,
    pub mirror_traffic: TrafficMap,
    pub scoring_uri: Option<String>,
    pub location: String,
    pub description: Option<String>,
}

impl EndpointView {
    pub(super) fn new(endpoint: &OnlineEndpoint) -> Self {
        let split = split_of(endpoint);
        Self {
            name: endpoint.name.clone(),
            kind: if endpoint.is_kubernetes() {
                "kubernetes"
            } else {
                "managed"
            },
            auth_mode: endpoint.properties.auth_mode.clone(),
            provisioning_state: endpoint.properties.provisioning_state.clone(),
            traffic: split.live,
            mirror_traffic: split.mirror,
            scoring_uri: endpoint.properties.scoring_uri.clone(),
            location: endpoint.location.clone(),
            description: endpoint.properties.description.clone(),
        }
    }
}

pub(super) fn split_of(endpoint: &OnlineEndpoint) -> TrafficSplit {
    TrafficSplit::from_maps(
        endpoint.properties.traffic.as_ref(),
        endpoint.properties.mirror_traffic.as_ref(),
    )
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct DeploymentView {
    pub name: String,
    pub endpoint_name: String,
    /// `Managed` or `Kubernetes`, as the service names the compute type.
    #[serde(rename = "type")]
    pub compute_type: String,
    pub provisioning_state: Option<String>,
    pub instance_type: Option<String>,
    pub instance_count: Option<i32>,
    pub model: Option<String>,
    pub environment: Option<String>,
    /// Percent of live traffic it receives.
    pub traffic: u32,
    /// Percent of requests copied to it (mirror).
    pub mirror_traffic: u32,
}

impl DeploymentView {
    pub(super) fn new(endpoint: &str, deployment: &OnlineDeployment, split: &TrafficSplit) -> Self {
        let p = &deployment.properties;
        Self {
            name: deployment.name.clone(),
            endpoint_name: endpoint.to_string(),
            compute_type: p.endpoint_compute_type.clone(),
            provisioning_state: p.provisioning_state.clone(),
            instance_type: p.instance_type.clone(),
            instance_count: deployment.instance_count(),
            model: p.model.clone(),
            environment: p.environment_id.clone(),
            traffic: split.live_of(&deployment.name),
            mirror_traffic: split.mirror_of(&deployment.name),
        }
    }
}

/// Whether a change was followed to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum ChangeStatus {
    /// The operation finished successfully.
    Succeeded,
    /// Sent with --no-wait: the service accepted it and may still be running it.
    Accepted,
    /// The operation succeeded, but reading the endpoint back still shows the previous split
    /// (Azure Resource Manager serves it for a while).
    #[serde(rename = "not_yet_visible")]
    NotYetVisible,
}

/// The result of every command that changes something.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ChangeView {
    /// e.g. `traffic`, `mirror`, `deployment create`, `deployment scale`, `endpoint delete`.
    pub action: String,
    pub endpoint: String,
    pub deployment: Option<String>,
    pub status: ChangeStatus,
    pub before: Value,
    pub after: Value,
    /// Traffic and mirror only: the rows that change, and notes on consequences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<DiffRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
    pub az_command: Option<String>,
}

pub(super) use aml_rollout::azure::model::short_asset;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_ids_are_shortened_for_tables() {
        assert_eq!(
            short_asset(
                "/subscriptions/s/resourceGroups/g/providers/P/workspaces/w/models/sklearn/versions/2"
            ),
            "sklearn:2"
        );
        assert_eq!(short_asset("azureml:sklearn:2"), "azureml:sklearn:2");
    }
}
