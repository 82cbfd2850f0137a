//! Online endpoints: create or replace (with the traffic rules), patch, delete, keys and tokens.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{Value, json};

use super::defaults::{endpoint_identity, fill_identity, property_bag};
use super::ids::{random_hex, random_key};
use super::input::{object_body, properties_of, resource_body, rule_failure, traffic_field};
use super::records::*;
use crate::emulator::reply::{ArmFailure, HandlerResult, Reply};
use crate::rollout::{NameKind, SplitProposal, validate_name, validate_split};

/// Keys are for `Key` endpoints, tokens for `AMLToken` ones; the service refuses the others.
pub(super) fn require_auth_mode(
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

/// [`endpoint_view`] written as JSON, without a copy of the endpoint unless a lag changes it.
pub(crate) fn write_endpoint_view(
    ep: &EndpointRec,
    now: Instant,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    if showing_previous_split(ep, now) {
        serde_json::to_writer(out, &endpoint_view(ep, now))
    } else {
        serde_json::to_writer(out, &ep.resource)
    }
}

fn showing_previous_split(ep: &EndpointRec, now: Instant) -> bool {
    ep.previous_split.is_some() && ep.lagging_until.is_some_and(|until| now < until)
}

/// An endpoint as a GET shows it: during the visibility lag after an update, with the traffic
/// it had before (ARM's reads can trail its writes).
pub(crate) fn endpoint_view(ep: &EndpointRec, now: Instant) -> Value {
    let mut view = ep.resource.clone();
    if let (Some(until), Some((traffic, mirror))) = (ep.lagging_until, &ep.previous_split)
        && now < until
        && let Some(properties) = view.get_mut("properties").and_then(Value::as_object_mut)
    {
        for (field, value) in [("traffic", traffic), ("mirrorTraffic", mirror)] {
            if value.is_null() {
                properties.remove(field);
            } else {
                properties.insert(field.into(), value.clone());
            }
        }
    }
    view
}

impl Store {
    /// A new visibility lag; zero also ends the lags running now (off means off).
    pub(crate) fn set_visibility_lag(&mut self, lag: std::time::Duration) {
        self.settings.visibility_lag = lag;
        if lag.is_zero() {
            for ws in self.workspaces.values_mut() {
                for ep in ws.endpoints.values_mut() {
                    ep.lagging_until = None;
                }
            }
        }
    }

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
        let mut resource = resource_body(body)?;
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
        let previous = existing.map(|e| e.resource.clone());
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
        endpoint_identity(&mut resource, previous.as_ref(), &self.tenant_id);
        let op_id = self.start_operation(OpKind::CreateOrUpdate, key, name, None, None);
        let (status_url, _) = self.operation_urls(&op_id, api_version);
        let arm_id = resource["id"].as_str().unwrap_or_default().to_lowercase();
        property_bag(
            properties_of(&mut resource)?,
            previous.as_ref(),
            &[
                ("azureml.onlineendpointid", arm_id),
                ("AzureAsyncOperationUri", status_url),
            ],
        );
        let resource = Value::Object(resource);
        let ws = self.workspace_mut(key)?;
        let ep_key = name.to_lowercase();
        match ws.endpoints.get_mut(&ep_key) {
            Some(ep) => {
                let split_of = |r: &Value, field: &str| {
                    r.pointer(&format!("/properties/{field}"))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                ep.previous_split = Some((
                    split_of(&ep.resource, "traffic"),
                    split_of(&ep.resource, "mirrorTraffic"),
                ));
                ep.lagging_until = None;
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
                        previous_split: None,
                        lagging_until: None,
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
        let patch = resource_body(body)?;
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
        let tenant_id = self.tenant_id.clone();
        let ep = self.endpoint_mut(key, name)?;
        let previous_identity = ep.resource.get("identity").cloned();
        for (k, v) in patch {
            ep.resource[k] = v;
        }
        if let Some(identity) = ep.resource.get_mut("identity") {
            fill_identity(identity, previous_identity.as_ref(), &tenant_id);
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
        let current = {
            let ep = self.endpoint(key, name)?;
            match which.to_ascii_lowercase().as_str() {
                "primary" => ep.primary_key.clone(),
                _ => ep.secondary_key.clone(),
            }
        };
        // Microsoft's SDK sends the key it has as keyValue; a regeneration must still change it.
        let new_key = value
            .filter(|v| !v.is_empty() && *v != current)
            .unwrap_or_else(random_key);
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
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

    use super::*;

    fn put(store: &mut Store, key: &WorkspaceKey, properties: Value) -> HandlerResult {
        let body = serde_json::to_vec(&json!({"location": "westus2", "properties": properties}))
            .expect("json");
        let reply = store.put_endpoint(key, "ep-one", &body, "v1");
        store.settle(Instant::now());
        reply
    }

    #[test]
    fn traffic_must_name_existing_deployments_and_sum_to_100() {
        let (mut store, key) = test_store();
        put(&mut store, &key, json!({"authMode": "Key"})).expect("created");
        let unknown = put(
            &mut store,
            &key,
            json!({"authMode": "Key", "traffic": {"blue": 100}}),
        )
        .expect_err("no such deployment");
        assert_eq!(unknown.code, "UserError");
        assert_eq!(unknown.target.as_deref(), Some("properties.traffic"));
        let bad_mode = put(&mut store, &key, json!({"authMode": "Password"})).expect_err("mode");
        assert_eq!(bad_mode.target.as_deref(), Some("properties.authMode"));
        let bad_name = store
            .put_endpoint(&key, "1-bad", br#"{"properties":{"authMode":"Key"}}"#, "v1")
            .expect_err("name");
        assert_eq!(bad_name.target.as_deref(), Some("name"));
    }

    #[test]
    fn keys_belong_to_key_endpoints_and_regenerate() {
        let (mut store, key) = test_store();
        put(&mut store, &key, json!({"authMode": "key"})).expect("created");
        let ep = store.endpoint(&key, "EP-ONE").expect("endpoint");
        assert_eq!(ep.resource["properties"]["authMode"], "Key");
        let before = ep.primary_key.clone();
        store
            .regenerate_keys(&key, "ep-one", br#"{"keyType":"Primary"}"#, "v1")
            .expect("accepted");
        assert_ne!(
            store.endpoint(&key, "ep-one").expect("ep").primary_key,
            before
        );
        assert!(store.get_token(&key, "ep-one").is_err());
        let wrong = store
            .regenerate_keys(&key, "ep-one", br#"{"keyType":"Tertiary"}"#, "v1")
            .expect_err("key type");
        assert_eq!(wrong.target.as_deref(), Some("keyType"));
    }

    #[test]
    fn patch_changes_only_tags_and_identity() {
        let (mut store, key) = test_store();
        put(&mut store, &key, json!({"authMode": "AMLToken"})).expect("created");
        let refused = store
            .patch_endpoint(&key, "ep-one", br#"{"properties":{}}"#, "v1")
            .expect_err("properties");
        assert_eq!(refused.target.as_deref(), Some("properties"));
        store
            .patch_endpoint(&key, "ep-one", br#"{"tags":{"team":"a"}}"#, "v1")
            .expect("accepted");
        store.settle(Instant::now());
        let ep = store.endpoint(&key, "ep-one").expect("endpoint");
        assert_eq!(ep.resource["tags"]["team"], "a");
        assert!(store.list_keys(&key, "ep-one").is_err());
        assert!(store.get_token(&key, "ep-one").is_ok());
    }
}
