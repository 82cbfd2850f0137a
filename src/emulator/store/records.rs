//! The emulator's records: workspaces, endpoints and deployments kept as the JSON the service
//! would return (so whatever a client PUTs, also fields aml-rollout has never heard of, comes
//! back on GET, as it does on Azure), the operations that change them, and the lookups by name.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::defaults::workspace_properties;
use super::ids::{now_rfc3339, random_uuid};
use crate::azure::model::ContainerType;
use crate::emulator::logs::ContainerLogs;
use crate::emulator::reply::ArmFailure;

pub const PROVIDER: &str = "Microsoft.MachineLearningServices";
pub(super) const ENDPOINT_TYPE: &str =
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";
pub(super) const DEPLOYMENT_TYPE: &str =
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";
/// Who the emulator says created things.
pub(super) const CREATED_BY: &str = "operator@contoso.com";
/// The service's per-deployment limit.
pub const MAX_INSTANCES: i64 = 50;

/// Lower-cased (subscription, resource group, workspace): ARM names are case-insensitive.
pub type WorkspaceKey = (String, String, String);

pub fn workspace_key(sub: &str, rg: &str, ws: &str) -> WorkspaceKey {
    (sub.to_lowercase(), rg.to_lowercase(), ws.to_lowercase())
}

#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// How long a simulated create/update/delete takes (zero: done at the next request).
    pub operation_duration: Duration,
    /// vCPUs of each VM family the subscription may hold in a region (instances plus Azure's
    /// upgrade reserve); beyond it an operation ends `Failed` with `OutOfQuota`, as Azure's does.
    pub family_core_limit: i64,
    /// Log lines kept per container of each deployment.
    pub log_ring_lines: usize,
    /// How long after an endpoint operation succeeds GETs still show the previous traffic,
    /// as ARM's reads can lag its writes.
    pub visibility_lag: Duration,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            operation_duration: Duration::ZERO,
            family_core_limit: 100,
            log_ring_lines: crate::emulator::logs::LOG_RING_LINES,
            visibility_lag: Duration::ZERO,
        }
    }
}

/// Per-deployment state that the scoring path touches without holding the store's lock. It
/// lives as long as the deployment (updates and scaling keep it), so counters and logs carry on.
#[derive(Debug, Default)]
pub struct DeploymentRuntime {
    pub logs: Mutex<ContainerLogs>,
    /// Set once a create operation has succeeded: from then on the deployment has running
    /// containers, and a later failed update or scale leaves the old ones serving (as on Azure).
    pub started: AtomicBool,
    /// Scoring requests being served right now (live and mirrored).
    pub in_flight: AtomicU32,
    /// Requests answered by the model (any status the model gave), live or mirrored.
    pub served: AtomicU64,
    /// Of `served`, the mirrored copies.
    pub mirrored: AtomicU64,
    /// Of `served`, the answers with an error status.
    pub errors: AtomicU64,
    /// Requests turned away with 429 because the deployment was at its concurrency bound.
    pub rejected: AtomicU64,
}

impl DeploymentRuntime {
    pub fn with_log_capacity(lines: usize) -> Self {
        Self {
            logs: Mutex::new(ContainerLogs::with_capacity(lines)),
            ..Self::default()
        }
    }

    pub fn log(&self, container: ContainerType, message: &str) {
        if let Ok(mut logs) = self.logs.lock() {
            logs.push(container, message);
        }
    }
}

#[derive(Debug)]
pub struct DeploymentRec {
    pub resource: Value,
    pub runtime: Arc<DeploymentRuntime>,
    pub pending: Option<String>,
}

#[derive(Debug)]
pub struct EndpointRec {
    pub resource: Value,
    pub primary_key: String,
    pub secondary_key: String,
    /// AML tokens handed out by `/token`, with their expiry (unix seconds).
    pub tokens: Vec<(String, i64)>,
    pub deployments: BTreeMap<String, DeploymentRec>,
    pub pending: Option<String>,
    /// The traffic and mirror traffic before the last update, and until when GETs still show
    /// them (the visibility lag).
    pub previous_split: Option<(Value, Value)>,
    pub lagging_until: Option<Instant>,
}

#[derive(Debug)]
pub struct WorkspaceRec {
    pub subscription: String,
    pub resource_group: String,
    pub name: String,
    pub location: String,
    pub resource: Value,
    pub endpoints: BTreeMap<String, EndpointRec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    CreateOrUpdate,
    Patch,
    Delete,
    RegenerateKeys,
}

#[derive(Debug, Clone)]
pub struct OperationRec {
    pub id: String,
    pub kind: OpKind,
    pub workspace: WorkspaceKey,
    pub endpoint: String,
    pub deployment: Option<String>,
    pub location: String,
    pub ends_at: Instant,
    pub start_time: String,
    pub end_time: Option<String>,
    /// `InProgress`, `Succeeded`, `Failed`, `Canceled`.
    pub status: &'static str,
    pub error: Option<ArmFailure>,
    /// Decided when the operation starts (quota, injected faults), applied when it ends.
    pub planned_failure: Option<ArmFailure>,
}

pub struct Store {
    pub base_url: String,
    pub settings: StoreSettings,
    pub workspaces: BTreeMap<WorkspaceKey, WorkspaceRec>,
    pub operations: HashMap<String, OperationRec>,
    /// Probability that a new long-running operation ends `Failed` (fault injection).
    pub lro_failure_probability: f64,
    /// The tenant of every managed identity the emulator hands out.
    pub tenant_id: String,
}

pub(super) fn system_data(created_at: Option<&Value>) -> Value {
    let now = now_rfc3339();
    json!({
        "createdAt": created_at.cloned().unwrap_or_else(|| json!(now)),
        "createdBy": CREATED_BY,
        "createdByType": "User",
        "lastModifiedAt": now,
        "lastModifiedBy": CREATED_BY,
        "lastModifiedByType": "User",
    })
}

pub(super) fn set_state(resource: &mut Value, state: &str) {
    if let Some(p) = resource
        .get_mut("properties")
        .and_then(Value::as_object_mut)
    {
        p.insert("provisioningState".into(), json!(state));
    }
}

pub(super) fn state_of(resource: &Value) -> &str {
    resource
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .unwrap_or("Succeeded")
}

impl Store {
    pub fn new(base_url: String, settings: StoreSettings) -> Self {
        Self {
            base_url,
            settings,
            workspaces: BTreeMap::new(),
            operations: HashMap::new(),
            lro_failure_probability: 0.0,
            tenant_id: random_uuid(),
        }
    }

    pub fn add_workspace(&mut self, sub: &str, rg: &str, name: &str, location: &str) {
        let id = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}/workspaces/{name}"
        );
        let mut resource = json!({
            "id": id,
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": location,
            "kind": "Default",
            "tags": {},
            "sku": {"name": "Basic", "tier": "Basic"},
            "identity": {"type": "SystemAssigned", "principalId": random_uuid(), "tenantId": self.tenant_id},
            "systemData": system_data(None),
            "properties": {
                "friendlyName": name,
                "workspaceId": random_uuid(),
                "discoveryUrl": format!("https://{location}.api.azureml.ms/discovery"),
                "provisioningState": "Succeeded",
                "publicNetworkAccess": "Enabled",
            },
        });
        if let Some(properties) = resource["properties"].as_object_mut() {
            properties.extend(workspace_properties(&id, name));
        }
        self.workspaces.insert(
            workspace_key(sub, rg, name),
            WorkspaceRec {
                subscription: sub.to_string(),
                resource_group: rg.to_string(),
                name: name.to_string(),
                location: location.to_string(),
                resource,
                endpoints: BTreeMap::new(),
            },
        );
    }

    // ---- lookups ----

    pub fn workspace(&self, key: &WorkspaceKey) -> Result<&WorkspaceRec, ArmFailure> {
        self.workspaces.get(key).ok_or_else(|| {
            ArmFailure::new(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                format!(
                    "The Resource '{PROVIDER}/workspaces/{}' under resource group '{}' was not found.",
                    key.2, key.1
                ),
            )
        })
    }

    pub(super) fn workspace_mut(
        &mut self,
        key: &WorkspaceKey,
    ) -> Result<&mut WorkspaceRec, ArmFailure> {
        self.workspace(key)?;
        self.workspaces
            .get_mut(key)
            .ok_or_else(|| ArmFailure::not_found("workspace vanished"))
    }

    pub fn endpoint(&self, key: &WorkspaceKey, ep: &str) -> Result<&EndpointRec, ArmFailure> {
        let ws = self.workspace(key)?;
        ws.endpoints
            .get(&ep.to_lowercase())
            .ok_or_else(|| endpoint_not_found(ep, &ws.name))
    }

    pub(super) fn endpoint_mut(
        &mut self,
        key: &WorkspaceKey,
        ep: &str,
    ) -> Result<&mut EndpointRec, ArmFailure> {
        let ws = self.workspace_mut(key)?;
        let ws_name = ws.name.clone();
        ws.endpoints
            .get_mut(&ep.to_lowercase())
            .ok_or_else(|| endpoint_not_found(ep, &ws_name))
    }

    pub fn deployment(
        &self,
        key: &WorkspaceKey,
        ep: &str,
        dep: &str,
    ) -> Result<&DeploymentRec, ArmFailure> {
        let endpoint = self.endpoint(key, ep)?;
        endpoint
            .deployments
            .get(&dep.to_lowercase())
            .ok_or_else(|| deployment_not_found(dep, ep, &key.2))
    }

    // ---- workspaces ----

    pub fn list_workspaces(&self, sub: &str, rg: Option<&str>) -> Vec<&Value> {
        self.workspaces
            .values()
            .filter(|w| w.subscription.eq_ignore_ascii_case(sub))
            .filter(|w| rg.is_none_or(|rg| w.resource_group.eq_ignore_ascii_case(rg)))
            .map(|w| &w.resource)
            .collect()
    }
}

pub(super) fn endpoint_not_found(ep: &str, ws: &str) -> ArmFailure {
    ArmFailure::new(
        StatusCode::NOT_FOUND,
        "UserError",
        format!("Endpoint {ep} not found in workspace {ws}."),
    )
}

pub(super) fn deployment_not_found(dep: &str, ep: &str, ws: &str) -> ArmFailure {
    ArmFailure::new(
        StatusCode::NOT_FOUND,
        "UserError",
        format!("Deployment {dep} not found in endpoint {ep}, workspace {ws}."),
    )
}

/// A store with one empty workspace, for the store's unit tests.
#[cfg(test)]
pub(super) fn test_store() -> (Store, WorkspaceKey) {
    let mut store = Store::new("http://127.0.0.1:1".into(), StoreSettings::default());
    store.add_workspace("sub", "rg", "ws", "westus2");
    (store, workspace_key("SUB", "Rg", "WS"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case_and_answer_arms_not_found() {
        let (store, key) = test_store();
        assert_eq!(store.workspace(&key).expect("found").name, "ws");
        let missing = store.endpoint(&key, "nope").expect_err("absent");
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let other = workspace_key("sub", "rg", "other");
        assert_eq!(
            store.workspace(&other).expect_err("absent").code,
            "ResourceNotFound"
        );
        assert_eq!(store.list_workspaces("SUB", Some("RG")).len(), 1);
        assert!(store.list_workspaces("sub", Some("elsewhere")).is_empty());
    }
}
