//! Simulated long-running operations: started by a change, ended by time (checked before each
//! request, so no timer is needed), applied to the records when they end, and answered through
//! the `Azure-AsyncOperation` and `Location` monitors.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ids::{now_rfc3339, random_hex, random_uuid};
use super::records::*;
use crate::azure::model::ContainerType;
use crate::emulator::reply::{ArmFailure, HandlerResult, Reply};

/// Finished operations kept for status queries before the oldest are forgotten.
const MAX_FINISHED_OPERATIONS: usize = 2_000;

impl Store {
    /// An operation runs on the endpoint itself or on one of its deployments.
    pub(super) fn endpoint_busy(&self, ep: &EndpointRec) -> bool {
        self.is_running(ep.pending.as_ref())
            || ep
                .deployments
                .values()
                .any(|d| self.is_running(d.pending.as_ref()))
    }

    pub(super) fn is_running(&self, op: Option<&String>) -> bool {
        op.and_then(|id| self.operations.get(id))
            .is_some_and(|o| o.status == "InProgress")
    }

    /// Ends every operation whose time has come. Called before each request is served, so the
    /// emulator needs no timer of its own. Returns the endpoint of each operation that ended
    /// (workspace, endpoint name), the only snapshots that need rebuilding.
    pub fn settle(&mut self, now: Instant) -> Vec<(WorkspaceKey, String)> {
        let due: Vec<(String, WorkspaceKey, String)> = self
            .operations
            .values()
            .filter(|o| o.status == "InProgress" && o.ends_at <= now)
            .map(|o| (o.id.clone(), o.workspace.clone(), o.endpoint.clone()))
            .collect();
        let mut touched = Vec::with_capacity(due.len());
        for (id, workspace, endpoint) in due {
            self.finish_operation(&id);
            touched.push((workspace, endpoint));
        }
        self.forget_old_operations();
        touched
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

    pub(super) fn forget_old_operations(&mut self) {
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

    pub(super) fn finish_operation(&mut self, id: &str) {
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
                        let lag = self.settings.visibility_lag;
                        if failure.is_none() && !lag.is_zero() && ep.previous_split.is_some() {
                            ep.lagging_until = Some(Instant::now() + lag);
                        }
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

    pub(super) fn start_operation(
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

    pub(super) fn operation_urls(&self, op_id: &str, api_version: &str) -> (String, String) {
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

    pub(super) fn retry_after_secs(&self) -> u64 {
        let d = self.settings.operation_duration;
        if d < Duration::from_secs(1) {
            0
        } else {
            (d.as_secs() / 3).clamp(1, 10)
        }
    }

    /// 201 + `Azure-AsyncOperation` (PUT), or 202 + `Location` (PATCH, DELETE, POST).
    pub(super) fn accepted(
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
}

pub(super) fn log_started(d: &DeploymentRec) {
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::http::StatusCode;
    use serde_json::json;

    use super::*;

    fn endpoint_body() -> Vec<u8> {
        serde_json::to_vec(&json!({"location": "westus2", "properties": {"authMode": "Key"}}))
            .expect("json")
    }

    fn pending_of(store: &Store, key: &WorkspaceKey) -> String {
        store
            .endpoint(key, "ep-one")
            .expect("endpoint")
            .pending
            .clone()
            .expect("an operation")
    }

    #[test]
    fn an_operation_runs_then_succeeds_when_its_time_comes() {
        let (mut store, key) = test_store();
        store.settings.operation_duration = Duration::from_secs(3600);
        store
            .put_endpoint(&key, "ep-one", &endpoint_body(), "v1")
            .expect("accepted");
        let op = pending_of(&store, &key);
        assert!(store.settle(Instant::now()).is_empty());
        let running = store.operation_status(&op).expect("status");
        assert_eq!(
            running.json().cloned().expect("body")["status"],
            "InProgress"
        );
        let result = store.operation_result(&op).expect("result");
        assert_eq!(result.status, StatusCode::ACCEPTED);
        // A second change while the first runs is refused.
        let busy = store
            .put_endpoint(&key, "ep-one", &endpoint_body(), "v1")
            .expect_err("busy");
        assert_eq!(busy.status, StatusCode::CONFLICT);

        let later = Instant::now() + Duration::from_secs(3601);
        assert_eq!(store.settle(later).len(), 1);
        let done = store
            .operation_status(&op)
            .expect("status")
            .json()
            .cloned()
            .expect("body");
        assert_eq!(done["status"], "Succeeded");
        assert!(done["endTime"].is_string());
        let ep = store.endpoint(&key, "ep-one").expect("endpoint");
        assert_eq!(ep.resource["properties"]["provisioningState"], "Succeeded");
        assert!(store.next_operation_end().is_none());
    }

    #[test]
    fn a_planned_failure_ends_the_operation_failed_with_its_error() {
        let (mut store, key) = test_store();
        store.lro_failure_probability = 1.0;
        store
            .put_endpoint(&key, "ep-one", &endpoint_body(), "v1")
            .expect("accepted");
        let op = pending_of(&store, &key);
        store.settle(Instant::now());
        let status = store
            .operation_status(&op)
            .expect("status")
            .json()
            .cloned()
            .expect("body");
        assert_eq!(status["status"], "Failed");
        assert_eq!(status["error"]["code"], "InternalServerError");
        let result = store.operation_result(&op).expect_err("failed");
        assert_eq!(result.status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_delete_removes_the_endpoint_when_it_ends() {
        let (mut store, key) = test_store();
        store
            .put_endpoint(&key, "ep-one", &endpoint_body(), "v1")
            .expect("accepted");
        store.settle(Instant::now());
        let reply = store
            .delete_endpoint(&key, "ep-one", "v1")
            .expect("accepted");
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        assert!(reply.headers.iter().any(|(name, _)| *name == "location"));
        store.settle(Instant::now());
        assert!(store.endpoint(&key, "ep-one").is_err());
        assert!(store.operation_status("oeidp:unknown").is_err());
    }
}
