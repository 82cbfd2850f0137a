//! Online deployments: create, update or scale (with the instance and quota rules), patch,
//! delete, logs and SKUs.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::defaults::{deployment_properties, fill_identity, kubernetes_properties, property_bag};
use super::input::{object_body, properties_of, resource_body};
use super::records::*;
use crate::azure::model::ContainerType;
use crate::emulator::reply::{ArmFailure, HandlerResult, Reply};
use crate::rollout::{NameKind, validate_name};

impl Store {
    pub fn put_deployment(
        &mut self,
        key: &WorkspaceKey,
        endpoint: &str,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let mut resource = resource_body(body)?;
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
        let previous = existing.map(|d| d.resource.clone());
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
        deployment_properties(properties);
        if compute_type == "Kubernetes" {
            kubernetes_properties(properties);
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
        if let Some(identity) = resource.get_mut("identity") {
            let before = previous.as_ref().and_then(|p| p.get("identity"));
            fill_identity(identity, before, &self.tenant_id);
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
                    // Azure's own entries in the property bag change with every operation.
                    for k in ["provisioningState", "properties"] {
                        p.remove(k);
                    }
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
        let op_id = self.start_operation(
            OpKind::CreateOrUpdate,
            key,
            endpoint,
            Some(name),
            planned_failure,
        );
        let (status_url, _) = self.operation_urls(&op_id, api_version);
        property_bag(
            properties_of(&mut resource)?,
            previous.as_ref(),
            &[("AzureAsyncOperationUri", status_url)],
        );
        let resource = Value::Object(resource);
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

    /// PATCH may change only `tags` and `sku` of a deployment.
    pub fn patch_deployment(
        &mut self,
        key: &WorkspaceKey,
        endpoint: &str,
        name: &str,
        body: &[u8],
        api_version: &str,
    ) -> HandlerResult {
        let patch = resource_body(body)?;
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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn with_endpoint() -> (Store, WorkspaceKey) {
        let (mut store, key) = test_store();
        store
            .put_endpoint(
                &key,
                "ep-one",
                br#"{"properties":{"authMode":"Key"}}"#,
                "v1",
            )
            .expect("endpoint");
        store.settle(Instant::now());
        (store, key)
    }

    fn put(store: &mut Store, key: &WorkspaceKey, name: &str, body: Value) -> HandlerResult {
        let bytes = serde_json::to_vec(&body).expect("json");
        let reply = store.put_deployment(key, "ep-one", name, &bytes, "v1");
        store.settle(Instant::now());
        reply
    }

    fn managed(capacity: i64) -> Value {
        json!({
            "sku": {"capacity": capacity},
            "properties": {"endpointComputeType": "Managed", "instanceType": "Standard_DS3_v2"},
        })
    }

    #[test]
    fn instance_counts_outside_1_to_50_are_refused_naming_the_field() {
        let (mut store, key) = with_endpoint();
        for capacity in [0, MAX_INSTANCES + 1] {
            let refused = put(&mut store, &key, "blue", managed(capacity)).expect_err("range");
            assert_eq!(refused.target.as_deref(), Some("sku.capacity"));
        }
        let refused = put(&mut store, &key, "blue", json!({"properties": {}})).expect_err("type");
        assert_eq!(
            refused.target.as_deref(),
            Some("properties.endpointComputeType")
        );
        put(&mut store, &key, "blue", managed(2)).expect("created");
        let dep = store
            .deployment(&key, "ep-one", "blue")
            .expect("deployment");
        assert_eq!(dep.resource["sku"]["capacity"], 2);
        assert_eq!(dep.resource["properties"]["provisioningState"], "Succeeded");
    }

    #[test]
    fn a_deployment_with_live_traffic_cannot_be_deleted() {
        let (mut store, key) = with_endpoint();
        put(&mut store, &key, "blue", managed(1)).expect("created");
        store
            .put_endpoint(
                &key,
                "ep-one",
                br#"{"properties":{"authMode":"Key","traffic":{"blue":100}}}"#,
                "v1",
            )
            .expect("traffic");
        store.settle(Instant::now());
        let refused = store
            .delete_deployment(&key, "ep-one", "blue", "v1")
            .expect_err("live traffic");
        assert!(refused.message.contains("100%"), "{}", refused.message);
        let absent = store
            .delete_deployment(&key, "ep-one", "green", "v1")
            .expect("nothing to delete");
        assert_eq!(absent.status, StatusCode::NO_CONTENT);
    }

    #[test]
    fn patch_may_change_only_tags_and_sku() {
        let (mut store, key) = with_endpoint();
        put(&mut store, &key, "blue", managed(1)).expect("created");
        let refused = store
            .patch_deployment(&key, "ep-one", "blue", br#"{"properties":{}}"#, "v1")
            .expect_err("properties");
        assert_eq!(refused.target.as_deref(), Some("properties"));
        store
            .patch_deployment(&key, "ep-one", "blue", br#"{"sku":{"capacity":3}}"#, "v1")
            .expect("accepted");
        store.settle(Instant::now());
        let dep = store
            .deployment(&key, "ep-one", "blue")
            .expect("deployment");
        assert_eq!(dep.resource["sku"]["capacity"], 3);
    }
}
