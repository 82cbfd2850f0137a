//! The emulator's in-memory workspaces and the ARM semantics of changing them: validation,
//! simulated long-running operations, conflicts, cascading deletes.
//!
//! Resources are kept as the JSON the service would return, so whatever a client PUTs (also
//! fields aml-rollout has never heard of) comes back on GET, as it does on Azure.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::logs::ContainerLogs;
use super::reply::{ArmFailure, HandlerResult, Reply};
use crate::azure::model::ContainerType;
use crate::rollout::{NameKind, SplitProposal, validate_name, validate_split};

pub const PROVIDER: &str = "Microsoft.MachineLearningServices";
const ENDPOINT_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";
const DEPLOYMENT_TYPE: &str =
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";
/// Who the emulator says created things.
const CREATED_BY: &str = "operator@contoso.com";
/// Finished operations kept for status queries before the oldest are forgotten.
const MAX_FINISHED_OPERATIONS: usize = 2_000;
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
    /// Instances of one instance type a workspace may run; beyond it an operation ends
    /// `Failed` with `OutOfQuota`, as Azure's does.
    pub instance_quota: i64,
    /// Log lines kept per container of each deployment.
    pub log_ring_lines: usize,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            operation_duration: Duration::ZERO,
            instance_quota: 32,
            log_ring_lines: super::logs::LOG_RING_LINES,
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
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

fn random_key() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn system_data(created_at: Option<&Value>) -> Value {
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

fn set_state(resource: &mut Value, state: &str) {
    if let Some(p) = resource
        .get_mut("properties")
        .and_then(Value::as_object_mut)
    {
        p.insert("provisioningState".into(), json!(state));
    }
}

fn state_of(resource: &Value) -> &str {
    resource
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .unwrap_or("Succeeded")
}

/// A JSON object body, or the 400 ARM answers for anything else.
fn object_body(body: &[u8]) -> Result<Map<String, Value>, ArmFailure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            "The request content was empty; a JSON object was expected.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            "The request content must be a JSON object.",
        )),
        Err(e) => Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: {e}."),
        )),
    }
}

/// Keys are for `Key` endpoints, tokens for `AMLToken` ones; the service refuses the others.
fn require_auth_mode(
    ep: &EndpointRec,
    name: &str,
    mode: &str,
    what: &str,
) -> Result<(), ArmFailure> {
    if ep
        .resource
        .pointer("/properties/authMode")
        .and_then(Value::as_str)
        == Some(mode)
    {
        Ok(())
    } else {
        Err(ArmFailure::bad_request(
            "BadArgument",
            format!("Endpoint '{name}' does not use {what} for authentication."),
        ))
    }
}

/// The `properties` object every resource body must have.
fn properties_of(resource: &mut Map<String, Value>) -> Result<&mut Map<String, Value>, ArmFailure> {
    resource
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            ArmFailure::bad_request(
                "BadArgument",
                "The request must have a 'properties' object.",
            )
            .target("properties")
        })
}

/// Traffic values as the service judges them: integers only, names as given.
fn traffic_field(
    properties: &Map<String, Value>,
    key: &str,
) -> Result<BTreeMap<String, i64>, ArmFailure> {
    match properties.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(name, v)| match v.as_i64() {
                Some(n) => Ok((name.clone(), n)),
                None => Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!(
                        "{key} value for deployment '{name}' must be an integer percentage, got {v}"
                    ),
                )
                .target(format!("properties.{key}"))),
            })
            .collect(),
        Some(other) => Err(ArmFailure::bad_request(
            "BadArgument",
            format!("{key} must be an object of deployment name to percentage, got {other}"),
        )
        .target(format!("properties.{key}"))),
    }
}

fn rule_failure(violations: Vec<crate::rollout::RuleViolation>) -> Option<ArmFailure> {
    let first = violations.first()?;
    let code = first.arm_code();
    let message = violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let status = if code == "UserError" {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    Some(ArmFailure::new(status, code, message))
}

impl Store {
    pub fn new(base_url: String, settings: StoreSettings) -> Self {
        Self {
            base_url,
            settings,
            workspaces: BTreeMap::new(),
            operations: HashMap::new(),
            lro_failure_probability: 0.0,
        }
    }

    pub fn add_workspace(&mut self, sub: &str, rg: &str, name: &str, location: &str) {
        let id = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}/workspaces/{name}"
        );
        let resource = json!({
            "id": id,
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": location,
            "kind": "Default",
            "tags": {},
            "sku": {"name": "Basic", "tier": "Basic"},
            "identity": {"type": "SystemAssigned", "principalId": random_uuid(), "tenantId": random_uuid()},
            "systemData": system_data(None),
            "properties": {
                "friendlyName": name,
                "workspaceId": random_uuid(),
                "discoveryUrl": format!("https://{location}.api.azureml.ms/discovery"),
                "provisioningState": "Succeeded",
                "publicNetworkAccess": "Enabled",
            },
        });
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

    fn workspace_mut(&mut self, key: &WorkspaceKey) -> Result<&mut WorkspaceRec, ArmFailure> {
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

    fn endpoint_mut(
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

    // ---- operations ----

    /// An operation runs on the endpoint itself or on one of its deployments.
    fn endpoint_busy(&self, ep: &EndpointRec) -> bool {
        self.is_running(ep.pending.as_ref())
            || ep
                .deployments
                .values()
                .any(|d| self.is_running(d.pending.as_ref()))
    }

    fn is_running(&self, op: Option<&String>) -> bool {
        op.and_then(|id| self.operations.get(id))
            .is_some_and(|o| o.status == "InProgress")
    }

    /// Ends every operation whose time has come. Called before each request is served, so the
    /// emulator needs no timer of its own. Returns how many operations ended.
    pub fn settle(&mut self, now: Instant) -> usize {
        let due: Vec<String> = self
            .operations
            .values()
            .filter(|o| o.status == "InProgress" && o.ends_at <= now)
            .map(|o| o.id.clone())
            .collect();
        let ended = due.len();
        for id in due {
            self.finish_operation(&id);
        }
        self.forget_old_operations();
        ended
    }

    /// When the next running operation is due to end, if any runs: the scoring path settles
    /// then, so a deployment starts serving without waiting for a management request.
    pub fn next_operation_end(&self) -> Option<Instant> {
        self.operations
            .values()
            .filter(|o| o.status == "InProgress")
            .map(|o| o.ends_at)
            .min()
    }

    fn forget_old_operations(&mut self) {
        if self.operations.len() <= MAX_FINISHED_OPERATIONS {
            return;
        }
        let mut finished: Vec<(String, Instant)> = self
            .operations
            .values()
            .filter(|o| o.status != "InProgress")
            .map(|o| (o.id.clone(), o.ends_at))
            .collect();
        finished.sort_by_key(|(_, t)| *t);
        let excess = self.operations.len() - MAX_FINISHED_OPERATIONS;
        for (id, _) in finished.into_iter().take(excess) {
            self.operations.remove(&id);
        }
    }

    fn finish_operation(&mut self, id: &str) {
        let Some(op) = self.operations.get(id).cloned() else {
            return;
        };
        let failure = op.planned_failure.clone();
        let outcome_state = if failure.is_some() {
            "Failed"
        } else {
            "Succeeded"
        };
        if let Some(ws) = self.workspaces.get_mut(&op.workspace) {
            let ep_key = op.endpoint.to_lowercase();
            match (&op.deployment, op.kind) {
                (None, OpKind::Delete) if failure.is_none() => {
                    ws.endpoints.remove(&ep_key);
                }
                (None, _) => {
                    if let Some(ep) = ws.endpoints.get_mut(&ep_key) {
                        set_state(&mut ep.resource, outcome_state);
                        ep.pending = None;
                    }
                }
                (Some(dep), kind) => {
                    if let Some(ep) = ws.endpoints.get_mut(&ep_key) {
                        let dep_key = dep.to_lowercase();
                        if kind == OpKind::Delete && failure.is_none() {
                            ep.deployments.remove(&dep_key);
                        } else if let Some(d) = ep.deployments.get_mut(&dep_key) {
                            set_state(&mut d.resource, outcome_state);
                            d.pending = None;
                            match &failure {
                                None => log_started(d),
                                Some(f) => d.runtime.log(
                                    ContainerType::InferenceServer,
                                    &format!(
                                        "ERROR deployment operation failed: {}: {}",
                                        f.code, f.message
                                    ),
                                ),
                            }
                        }
                    }
                }
            }
        }
        if let Some(rec) = self.operations.get_mut(id) {
            rec.status = outcome_state;
            rec.error = failure;
            rec.end_time = Some(now_rfc3339());
        }
    }

    fn start_operation(
        &mut self,
        kind: OpKind,
        key: &WorkspaceKey,
        endpoint: &str,
        deployment: Option<&str>,
        planned_failure: Option<ArmFailure>,
    ) -> String {
        let prefix = if deployment.is_some() {
            "odidp"
        } else {
            "oeidp"
        };
        let id = format!("{prefix}:{}:{}", random_uuid(), random_hex(8));
        let location = self
            .workspaces
            .get(key)
            .map(|w| w.location.clone())
            .unwrap_or_default();
        let planned_failure = planned_failure.or_else(|| {
            (self.lro_failure_probability > 0.0
                && kind != OpKind::Delete
                && rand::random::<f64>() < self.lro_failure_probability)
                .then(|| {
                    ArmFailure::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalServerError",
                        "The operation failed because of an internal error (injected fault); retry it.",
                    )
                })
        });
        self.operations.insert(
            id.clone(),
            OperationRec {
                id: id.clone(),
                kind,
                workspace: key.clone(),
                endpoint: endpoint.to_string(),
                deployment: deployment.map(str::to_string),
                location,
                ends_at: Instant::now() + self.settings.operation_duration,
                start_time: now_rfc3339(),
                end_time: None,
                status: "InProgress",
                error: None,
                planned_failure,
            },
        );
        id
    }

    fn operation_urls(&self, op_id: &str, api_version: &str) -> (String, String) {
        let op = self.operations.get(op_id);
        let (sub, location) = op
            .map(|o| (o.workspace.0.clone(), o.location.clone()))
            .unwrap_or_default();
        let base = format!(
            "{}/subscriptions/{sub}/providers/{PROVIDER}/locations/{location}",
            self.base_url
        );
        (
            format!("{base}/mfeOperationsStatus/{op_id}?api-version={api_version}"),
            format!("{base}/mfeOperationResults/{op_id}?api-version={api_version}"),
        )
    }

    fn retry_after_secs(&self) -> u64 {
        let d = self.settings.operation_duration;
        if d < Duration::from_secs(1) {
            0
        } else {
            (d.as_secs() / 3).clamp(1, 10)
        }
    }

    /// 201 + `Azure-AsyncOperation` (PUT), or 202 + `Location` (PATCH, DELETE, POST).
    fn accepted(
        &self,
        op_id: &str,
        api_version: &str,
        status: StatusCode,
        body: Option<Value>,
    ) -> Reply {
        let (status_url, result_url) = self.operation_urls(op_id, api_version);
        let mut reply = match body {
            Some(b) => Reply::with(status, b),
            None => Reply::empty(status),
        };
        reply = reply
            .header("azure-asyncoperation", status_url)
            .header("location", result_url)
            .header("retry-after", self.retry_after_secs().to_string())
            .header("x-ms-async-operation-timeout", "PT1H");
        reply
    }

    pub fn operation_status(&self, op_id: &str) -> HandlerResult {
        let op = self
            .operations
            .get(op_id)
            .ok_or_else(|| ArmFailure::not_found(format!("Operation '{op_id}' was not found.")))?;
        let mut body = json!({
            "id": format!("/subscriptions/{}/providers/{PROVIDER}/locations/{}/mfeOperationsStatus/{}", op.workspace.0, op.location, op.id),
            "name": op.id,
            "status": op.status,
            "startTime": op.start_time,
        });
        if let Some(end) = &op.end_time {
            body["endTime"] = json!(end);
        }
        if let Some(e) = &op.error {
            body["error"] = json!({"code": e.code, "message": e.message});
        }
        let mut reply = Reply::ok(body);
        if op.status == "InProgress" {
            reply = reply.header("retry-after", self.retry_after_secs().to_string());
        }
        Ok(reply)
    }

    /// The `Location` monitor: 202 while running; at the end the operation's result.
    pub fn operation_result(&self, op_id: &str) -> HandlerResult {
        let op = self
            .operations
            .get(op_id)
            .ok_or_else(|| ArmFailure::not_found(format!("Operation '{op_id}' was not found.")))?;
        match op.status {
            "InProgress" => Ok(Reply::empty(StatusCode::ACCEPTED)
                .header("retry-after", self.retry_after_secs().to_string())),
            "Succeeded" => {
                if op.kind == OpKind::Patch {
                    let resource = match &op.deployment {
                        Some(d) => self
                            .deployment(&op.workspace, &op.endpoint, d)?
                            .resource
                            .clone(),
                        None => self.endpoint(&op.workspace, &op.endpoint)?.resource.clone(),
                    };
                    Ok(Reply::ok(resource))
                } else {
                    Ok(Reply::empty(StatusCode::NO_CONTENT))
                }
            }
            _ => Err(op.error.clone().unwrap_or_else(|| {
                ArmFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "OperationFailed",
                    "The operation failed.",
                )
            })),
        }
    }

    // ---- workspaces ----

    pub fn list_workspaces(&self, sub: &str, rg: Option<&str>) -> Vec<Value> {
        self.workspaces
            .values()
            .filter(|w| w.subscription.eq_ignore_ascii_case(sub))
            .filter(|w| rg.is_none_or(|rg| w.resource_group.eq_ignore_ascii_case(rg)))
            .map(|w| w.resource.clone())
            .collect()
    }

    // ---- endpoints ----

    pub fn scoring_base(&self, ws: &WorkspaceRec, endpoint: &str) -> String {
        format!(
            "{}/inference/{}/{}/{}/{}",
            self.base_url,
            ws.subscription,
            ws.resource_group,
            ws.name,
            endpoint.to_lowercase()
        )
    }

    pub fn put_endpoint(
        &mut self,
        key: &WorkspaceKey,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let mut resource = object_body(body)?;
        validate_name(NameKind::Endpoint, name)
            .map_err(|e| ArmFailure::bad_request("BadArgument", e.to_string()).target("name"))?;
        let ws = self.workspace(key)?;
        let existing = ws.endpoints.get(&name.to_lowercase());
        if let Some(ep) = existing
            && self.endpoint_busy(ep)
        {
            return Err(ArmFailure::conflict(format!(
                "Endpoint '{name}' has an operation in progress; wait for it to finish and retry."
            )));
        }
        let properties = properties_of(&mut resource)?;
        let auth_mode = properties
            .get("authMode")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let auth_mode = match auth_mode.to_ascii_lowercase().as_str() {
            "key" => "Key",
            "amltoken" => "AMLToken",
            "aadtoken" => "AADToken",
            _ => {
                return Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!(
                        "properties.authMode must be Key, AMLToken or AADToken, got '{auth_mode}'."
                    ),
                )
                .target("properties.authMode"));
            }
        };
        properties.insert("authMode".into(), json!(auth_mode));
        let traffic = traffic_field(properties, "traffic")?;
        let mirror = traffic_field(properties, "mirrorTraffic")?;
        let kubernetes = properties
            .get("compute")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.is_empty());
        let deployments: Vec<String> = existing
            .map(|ep| {
                ep.deployments
                    .iter()
                    .filter(|(_, d)| state_of(&d.resource) != "Deleting")
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(failure) = rule_failure(validate_split(&SplitProposal {
            traffic: &traffic,
            mirror: &mirror,
            deployments: &deployments,
            kubernetes,
        })) {
            return Err(failure);
        }
        // keys are create-only secrets: taken on create, never returned.
        let given_keys = properties.remove("keys");
        let scoring = self.scoring_base(ws, name);
        properties.insert("scoringUri".into(), json!(format!("{scoring}/score")));
        properties.insert(
            "swaggerUri".into(),
            json!(format!("{scoring}/swagger.json")),
        );
        properties
            .entry("publicNetworkAccess")
            .or_insert_with(|| json!("Enabled"));
        properties.insert(
            "provisioningState".into(),
            json!(if existing.is_some() {
                "Updating"
            } else {
                "Creating"
            }),
        );
        let ws_id = ws.resource["id"].as_str().unwrap_or_default().to_string();
        let location = resource
            .get("location")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| ws.location.clone());
        let stored_name = existing
            .and_then(|e| e.resource["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| name.to_string());
        resource.insert(
            "id".into(),
            json!(format!("{ws_id}/onlineEndpoints/{stored_name}")),
        );
        resource.insert("name".into(), json!(stored_name));
        resource.insert("type".into(), json!(ENDPOINT_TYPE));
        resource.insert("location".into(), json!(location));
        resource
            .entry("kind")
            .or_insert_with(|| json!(if kubernetes { "Kubernetes" } else { "Managed" }));
        resource.entry("tags").or_insert_with(|| json!({}));
        resource.insert(
            "systemData".into(),
            system_data(existing.and_then(|e| e.resource.pointer("/systemData/createdAt"))),
        );
        let resource = Value::Object(resource);
        let op_id = self.start_operation(OpKind::CreateOrUpdate, key, name, None, None);
        let ws = self.workspace_mut(key)?;
        let ep_key = name.to_lowercase();
        match ws.endpoints.get_mut(&ep_key) {
            Some(ep) => {
                ep.resource = resource.clone();
                ep.pending = Some(op_id.clone());
            }
            None => {
                let (primary, secondary) = given_keys
                    .as_ref()
                    .map(|k| {
                        (
                            k["primaryKey"].as_str().map(str::to_string),
                            k["secondaryKey"].as_str().map(str::to_string),
                        )
                    })
                    .unwrap_or_default();
                ws.endpoints.insert(
                    ep_key,
                    EndpointRec {
                        resource: resource.clone(),
                        primary_key: primary.unwrap_or_else(random_key),
                        secondary_key: secondary.unwrap_or_else(random_key),
                        tokens: Vec::new(),
                        deployments: BTreeMap::new(),
                        pending: Some(op_id.clone()),
                    },
                );
            }
        }
        // ARM answers 201 to a create and to an update alike (the async pattern's PUT).
        Ok(self.accepted(&op_id, api_version, StatusCode::CREATED, Some(resource)))
    }

    /// PATCH may change only `tags` and `identity` of an endpoint.
    pub fn patch_endpoint(
        &mut self,
        key: &WorkspaceKey,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let patch = object_body(body)?;
        if let Some(field) = patch
            .keys()
            .find(|k| !matches!(k.as_str(), "tags" | "identity"))
        {
            return Err(ArmFailure::bad_request(
                "BadArgument",
                format!("PATCH of an online endpoint may change only tags and identity, not '{field}'; use PUT."),
            )
            .target(field.clone()));
        }
        let running = self.is_running(self.endpoint(key, name)?.pending.as_ref());
        if running {
            return Err(ArmFailure::conflict(format!(
                "Endpoint '{name}' has an operation in progress; wait for it to finish and retry."
            )));
        }
        let op_id = self.start_operation(OpKind::Patch, key, name, None, None);
        let ep = self.endpoint_mut(key, name)?;
        for (k, v) in patch {
            ep.resource[k] = v;
        }
        set_state(&mut ep.resource, "Updating");
        ep.pending = Some(op_id.clone());
        Ok(self.accepted(&op_id, api_version, StatusCode::ACCEPTED, None))
    }

    pub fn delete_endpoint(
        &mut self,
        key: &WorkspaceKey,
        name: &str,
        api_version: &str,
    ) -> HandlerResult {
        let ws = self.workspace(key)?;
        let Some(ep) = ws.endpoints.get(&name.to_lowercase()) else {
            return Ok(Reply::empty(StatusCode::NO_CONTENT));
        };
        if self.endpoint_busy(ep) {
            return Err(ArmFailure::conflict(format!(
                "Endpoint '{name}' has an operation in progress; wait for it to finish and retry."
            )));
        }
        let op_id = self.start_operation(OpKind::Delete, key, name, None, None);
        let ep = self.endpoint_mut(key, name)?;
        set_state(&mut ep.resource, "Deleting");
        for d in ep.deployments.values_mut() {
            set_state(&mut d.resource, "Deleting");
        }
        ep.pending = Some(op_id.clone());
        Ok(self.accepted(&op_id, api_version, StatusCode::ACCEPTED, None))
    }

    pub fn list_keys(&self, key: &WorkspaceKey, name: &str) -> HandlerResult {
        let ep = self.endpoint(key, name)?;
        require_auth_mode(ep, name, "Key", "keys")?;
        Ok(Reply::ok(json!({
            "primaryKey": ep.primary_key,
            "secondaryKey": ep.secondary_key,
        })))
    }

    pub fn regenerate_keys(
        &mut self,
        key: &WorkspaceKey,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let request = object_body(body)?;
        let which = request
            .get("keyType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = request
            .get("keyValue")
            .and_then(Value::as_str)
            .map(str::to_string);
        self.list_keys(key, name)?;
        let new_key = value.filter(|v| !v.is_empty()).unwrap_or_else(random_key);
        let op_id = self.start_operation(OpKind::RegenerateKeys, key, name, None, None);
        let ep = self.endpoint_mut(key, name)?;
        match which.to_ascii_lowercase().as_str() {
            "primary" => ep.primary_key = new_key,
            "secondary" => ep.secondary_key = new_key,
            _ => {
                return Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!("keyType must be Primary or Secondary, got '{which}'."),
                )
                .target("keyType"));
            }
        }
        Ok(self.accepted(&op_id, api_version, StatusCode::ACCEPTED, None))
    }

    pub fn get_token(&mut self, key: &WorkspaceKey, name: &str) -> HandlerResult {
        let ep = self.endpoint_mut(key, name)?;
        require_auth_mode(ep, name, "AMLToken", "AML tokens")?;
        let now = Utc::now().timestamp();
        ep.tokens.retain(|(_, expiry)| *expiry > now);
        let token = format!("amltoken-{}", random_hex(24));
        let expiry = now + 3600;
        ep.tokens.push((token.clone(), expiry));
        Ok(Reply::ok(json!({
            "accessToken": token,
            "tokenType": "Bearer",
            "expiryTimeUtc": expiry,
            "refreshAfterTimeUtc": now + 1800,
        })))
    }

    // ---- deployments ----

    pub fn put_deployment(
        &mut self,
        key: &WorkspaceKey,
        endpoint: &str,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let mut resource = object_body(body)?;
        validate_name(NameKind::Deployment, name)
            .map_err(|e| ArmFailure::bad_request("BadArgument", e.to_string()).target("name"))?;
        let ws = self.workspace(key)?;
        let ws_id = ws.resource["id"].as_str().unwrap_or_default().to_string();
        let ws_location = ws.location.clone();
        let ep = self.endpoint(key, endpoint)?;
        let existing = ep.deployments.get(&name.to_lowercase());
        if self.is_running(ep.pending.as_ref())
            || existing.is_some_and(|d| self.is_running(d.pending.as_ref()))
        {
            return Err(ArmFailure::conflict(format!(
                "Deployment '{name}' or its endpoint '{endpoint}' has an operation in progress; wait for it to finish and retry."
            )));
        }
        let ep_name = ep.resource["name"].as_str().unwrap_or(endpoint).to_string();
        let properties = properties_of(&mut resource)?;
        let compute_type = properties
            .get("endpointComputeType")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !matches!(
            compute_type.as_str(),
            "Managed" | "Kubernetes" | "AzureMLCompute"
        ) {
            return Err(ArmFailure::bad_request(
                "BadArgument",
                format!("properties.endpointComputeType must be Managed or Kubernetes, got '{compute_type}'."),
            )
            .target("properties.endpointComputeType"));
        }
        let instance_type = properties
            .entry("instanceType")
            .or_insert_with(|| json!("Standard_F4s_v2"))
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(old) = existing {
            let old_type = old
                .resource
                .pointer("/properties/instanceType")
                .and_then(Value::as_str);
            if old_type.is_some_and(|t| !t.eq_ignore_ascii_case(&instance_type)) {
                return Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!(
                        "instanceType cannot be changed after creation (it is {}); create a new deployment instead.",
                        old_type.unwrap_or_default()
                    ),
                )
                .target("properties.instanceType"));
            }
        }
        let capacity = match resource.get("sku") {
            None | Some(Value::Null) => 1,
            Some(sku) => sku
                .get("capacity")
                .map_or(Some(1), Value::as_i64)
                .ok_or_else(|| {
                    ArmFailure::bad_request("BadArgument", "sku.capacity must be an integer.")
                        .target("sku.capacity")
                })?,
        };
        if !(1..=MAX_INSTANCES).contains(&capacity) {
            return Err(ArmFailure::bad_request(
                "BadArgument",
                format!("Instance count {capacity} is out of range: a deployment runs 1 to {MAX_INSTANCES} instances."),
            )
            .target("sku.capacity"));
        }
        let old_capacity =
            existing.and_then(|d| d.resource.pointer("/sku/capacity").and_then(Value::as_i64));
        let only_scaling = existing.is_some_and(|d| {
            let mut before = d.resource.clone();
            let mut after = Value::Object(resource.clone());
            for v in [&mut before, &mut after] {
                if let Some(o) = v.as_object_mut() {
                    for k in ["id", "name", "type", "systemData", "location", "kind"] {
                        o.remove(k);
                    }
                }
                if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
                    p.remove("provisioningState");
                }
                if let Some(s) = v.get_mut("sku").and_then(Value::as_object_mut) {
                    s.remove("capacity");
                }
            }
            before == after
        });
        let state = match (existing, only_scaling) {
            (None, _) => "Creating",
            (Some(_), true) => "Scaling",
            (Some(_), false) => "Updating",
        };
        let properties = properties_of(&mut resource)?;
        properties.insert("provisioningState".into(), json!(state));
        if compute_type == "Managed" {
            properties
                .entry("scaleSettings")
                .or_insert_with(|| json!({"scaleType": "Default"}));
        }
        let stored_name = existing
            .and_then(|d| d.resource["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| name.to_string());
        resource.insert(
            "id".into(),
            json!(format!(
                "{ws_id}/onlineEndpoints/{ep_name}/deployments/{stored_name}"
            )),
        );
        resource.insert("name".into(), json!(stored_name));
        resource.insert("type".into(), json!(DEPLOYMENT_TYPE));
        let location = resource
            .get("location")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
            .map_or(ws_location, str::to_string);
        resource.insert("location".into(), json!(location));
        resource
            .entry("kind")
            .or_insert_with(|| json!(compute_type));
        resource.entry("tags").or_insert_with(|| json!({}));
        match resource.get_mut("sku").and_then(Value::as_object_mut) {
            Some(sku) => {
                sku.entry("name").or_insert_with(|| json!("Default"));
                sku.insert("capacity".into(), json!(capacity));
            }
            None => {
                resource.insert(
                    "sku".into(),
                    json!({"name": "Default", "capacity": capacity}),
                );
            }
        }
        resource.insert(
            "systemData".into(),
            system_data(existing.and_then(|d| d.resource.pointer("/systemData/createdAt"))),
        );
        let planned_failure = self.quota_failure(key, endpoint, name, &instance_type, capacity);
        let resource = Value::Object(resource);
        let op_id = self.start_operation(
            OpKind::CreateOrUpdate,
            key,
            endpoint,
            Some(name),
            planned_failure,
        );
        let log_ring_lines = self.settings.log_ring_lines;
        let ep = self.endpoint_mut(key, endpoint)?;
        let dep_key = name.to_lowercase();
        match ep.deployments.get_mut(&dep_key) {
            Some(d) => {
                d.resource = resource.clone();
                d.pending = Some(op_id.clone());
                if old_capacity != Some(capacity) {
                    d.runtime.log(
                        ContainerType::InferenceServer,
                        &format!(
                            "Scaling deployment from {} to {capacity} instance(s)",
                            old_capacity.unwrap_or(1)
                        ),
                    );
                }
            }
            None => {
                let runtime = Arc::new(DeploymentRuntime::with_log_capacity(log_ring_lines));
                let model = resource
                    .pointer("/properties/model")
                    .and_then(Value::as_str)
                    .unwrap_or("(no model)")
                    .to_string();
                runtime.log(
                    ContainerType::StorageInitializer,
                    "Storage initializer started",
                );
                runtime.log(
                    ContainerType::StorageInitializer,
                    &format!("Downloading model {model}"),
                );
                runtime.log(
                    ContainerType::StorageInitializer,
                    "Model downloaded to /var/azureml-app/azureml-models",
                );
                runtime.log(
                    ContainerType::StorageInitializer,
                    "Storage initializer finished",
                );
                ep.deployments.insert(
                    dep_key,
                    DeploymentRec {
                        resource: resource.clone(),
                        runtime,
                        pending: Some(op_id.clone()),
                    },
                );
            }
        }
        Ok(self.accepted(&op_id, api_version, StatusCode::CREATED, Some(resource)))
    }

    /// Instances of `instance_type` the workspace would run after this change, judged
    /// against the quota; the failure is reported when the operation ends, as Azure does.
    fn quota_failure(
        &self,
        key: &WorkspaceKey,
        endpoint: &str,
        deployment: &str,
        instance_type: &str,
        capacity: i64,
    ) -> Option<ArmFailure> {
        let ws = self.workspaces.get(key)?;
        let others: i64 = ws
            .endpoints
            .iter()
            .flat_map(|(ep_key, ep)| {
                ep.deployments
                    .iter()
                    .map(move |(d_key, d)| (ep_key, d_key, d))
            })
            .filter(|(ep_key, d_key, _)| {
                !(ep_key.as_str() == endpoint.to_lowercase()
                    && d_key.as_str() == deployment.to_lowercase())
            })
            .filter(|(_, _, d)| {
                d.resource
                    .pointer("/properties/instanceType")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case(instance_type))
                    && state_of(&d.resource) != "Failed"
            })
            .map(|(_, _, d)| {
                d.resource
                    .pointer("/sku/capacity")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
            })
            .sum();
        let needed = others + capacity;
        (needed > self.settings.instance_quota).then(|| {
            ArmFailure::bad_request(
                "OutOfQuota",
                format!(
                    "Not enough quota available for {instance_type} in the workspace. Current usage/limit: {others}/{}. Additional needed: {capacity}. Scale down another deployment or request more quota.",
                    self.settings.instance_quota
                ),
            )
        })
    }

    /// PATCH may change only `tags` and `sku` of a deployment.
    pub fn patch_deployment(
        &mut self,
        key: &WorkspaceKey,
        endpoint: &str,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let patch = object_body(body)?;
        if let Some(field) = patch.keys().find(|k| !matches!(k.as_str(), "tags" | "sku")) {
            return Err(ArmFailure::bad_request(
                "BadArgument",
                format!("PATCH of an online deployment may change only tags and sku, not '{field}'; use PUT."),
            )
            .target(field.clone()));
        }
        let mut merged = self.deployment(key, endpoint, name)?.resource.clone();
        if let Some(tags) = patch.get("tags") {
            merged["tags"] = tags.clone();
        }
        if let Some(sku) = patch.get("sku").and_then(Value::as_object) {
            for (k, v) in sku {
                merged["sku"][k] = v.clone();
            }
        }
        let body = serde_json::to_vec(&merged).unwrap_or_default();
        let reply = self.put_deployment(key, endpoint, name, &body, api_version)?;
        // The PUT path did the work; PATCH answers 202 with Location, per the spec.
        let op_id = self
            .deployment(key, endpoint, name)?
            .pending
            .clone()
            .unwrap_or_default();
        if let Some(op) = self.operations.get_mut(&op_id) {
            op.kind = OpKind::Patch;
        }
        let _ = reply;
        Ok(self.accepted(&op_id, api_version, StatusCode::ACCEPTED, None))
    }

    pub fn delete_deployment(
        &mut self,
        key: &WorkspaceKey,
        endpoint: &str,
        name: &str,
        api_version: &str,
    ) -> HandlerResult {
        let ep = self.endpoint(key, endpoint)?;
        let Some(dep) = ep.deployments.get(&name.to_lowercase()) else {
            return Ok(Reply::empty(StatusCode::NO_CONTENT));
        };
        if self.is_running(ep.pending.as_ref()) || self.is_running(dep.pending.as_ref()) {
            return Err(ArmFailure::conflict(format!(
                "Deployment '{name}' or its endpoint '{endpoint}' has an operation in progress; wait for it to finish and retry."
            )));
        }
        let split = crate::rollout::TrafficSplit::from_endpoint_json(&ep.resource);
        let live = split.live_of(name);
        if live > 0 {
            return Err(ArmFailure::bad_request(
                "UserError",
                format!(
                    "Deployment '{name}' still takes {live}% of live traffic; set its traffic to 0 before deleting it."
                ),
            ));
        }
        let mirror = split.mirror_of(name);
        if mirror > 0 {
            return Err(ArmFailure::bad_request(
                "UserError",
                format!(
                    "Deployment '{name}' still receives {mirror}% mirror traffic; turn mirroring off before deleting it."
                ),
            ));
        }
        let op_id = self.start_operation(OpKind::Delete, key, endpoint, Some(name), None);
        let ep = self.endpoint_mut(key, endpoint)?;
        if let Some(d) = ep.deployments.get_mut(&name.to_lowercase()) {
            set_state(&mut d.resource, "Deleting");
            d.pending = Some(op_id.clone());
            d.runtime.log(
                ContainerType::InferenceServer,
                "Received SIGTERM: shutting down",
            );
        }
        Ok(self.accepted(&op_id, api_version, StatusCode::ACCEPTED, None))
    }

    pub fn get_logs(
        &self,
        key: &WorkspaceKey,
        endpoint: &str,
        name: &str,
        body: &[u8],
    ) -> HandlerResult {
        let dep = self.deployment(key, endpoint, name)?;
        let request = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            object_body(body)?
        };
        let container = match request.get("containerType").and_then(Value::as_str) {
            None => ContainerType::InferenceServer,
            Some(c) if c.eq_ignore_ascii_case("InferenceServer") => ContainerType::InferenceServer,
            Some(c) if c.eq_ignore_ascii_case("StorageInitializer") => {
                ContainerType::StorageInitializer
            }
            Some(other) => {
                return Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!("containerType must be InferenceServer or StorageInitializer, got '{other}'."),
                )
                .target("containerType"));
            }
        };
        let tail = match request.get("tail") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(n) if n >= 0 => Some(n as usize),
                _ => {
                    return Err(ArmFailure::bad_request(
                        "BadArgument",
                        format!("tail must be a non-negative integer, got {v}."),
                    )
                    .target("tail"));
                }
            },
        };
        let content = dep
            .runtime
            .logs
            .lock()
            .map(|logs| logs.tail(container, tail))
            .unwrap_or_default();
        Ok(Reply::ok(json!({ "content": content })))
    }

    pub fn list_skus(&self, key: &WorkspaceKey, endpoint: &str, name: &str) -> HandlerResult {
        self.deployment(key, endpoint, name)?;
        Ok(Reply::ok(json!({
            "value": [{
                "resourceType": "Microsoft.MachineLearning.Services/endpoints/deployments",
                "sku": {"name": "Default", "tier": "Standard"},
                "capacity": {"minimum": 1, "maximum": MAX_INSTANCES, "default": 1, "scaleType": "Manual"},
            }],
        })))
    }
}

fn log_started(d: &DeploymentRec) {
    d.runtime.started.store(true, Ordering::Release);
    let instances = d
        .resource
        .pointer("/sku/capacity")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let script = d
        .resource
        .pointer("/properties/codeConfiguration/scoringScript")
        .and_then(Value::as_str)
        .unwrap_or("score.py");
    d.runtime.log(
        ContainerType::InferenceServer,
        &format!("Azure ML Inferencing HTTP server starting; entry script {script}, {instances} instance(s)"),
    );
    d.runtime.log(
        ContainerType::InferenceServer,
        "Init started; model loaded; Init completed",
    );
    d.runtime.log(
        ContainerType::InferenceServer,
        "Listening at: http://0.0.0.0:31311 (ready)",
    );
}

fn endpoint_not_found(ep: &str, ws: &str) -> ArmFailure {
    ArmFailure::new(
        StatusCode::NOT_FOUND,
        "UserError",
        format!("Endpoint {ep} not found in workspace {ws}."),
    )
}

fn deployment_not_found(dep: &str, ep: &str, ws: &str) -> ArmFailure {
    ArmFailure::new(
        StatusCode::NOT_FOUND,
        "UserError",
        format!("Deployment {dep} not found in endpoint {ep}, workspace {ws}."),
    )
}

pub fn random_uuid() -> String {
    let h = random_hex(16);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
