//! What Azure fills in itself: read-only values and the spec's server-side defaults. Microsoft's
//! SDK reads several of them unconditionally, so a resource without them crashes it. Optional
//! fields the caller never set stay absent, as they do on Azure.

use serde_json::{Map, Value, json};

use super::ids::random_uuid;

/// The spec's `ProbeSettings` defaults, as real deployments show them.
fn default_probe() -> Value {
    json!({
        "failureThreshold": 30,
        "successThreshold": 1,
        "timeout": "PT2S",
        "period": "PT10S",
        "initialDelay": "PT10S",
    })
}

/// `requestSettings` as real deployments show them when the caller sent none.
fn default_request_settings() -> Value {
    json!({"maxConcurrentRequestsPerInstance": 1, "requestTimeout": "PT5S"})
}

/// Fields of `defaults` that `target[key]` lacks are added; what the caller sent stays.
fn fill_object(target: &mut Map<String, Value>, key: &str, defaults: Value) {
    let slot = target.entry(key).or_insert_with(|| json!({}));
    if slot.is_null() {
        *slot = json!({});
    }
    if let (Some(given), Value::Object(defaults)) = (slot.as_object_mut(), defaults) {
        for (k, v) in defaults {
            given.entry(k).or_insert(v);
        }
    }
}

/// The `properties.properties` bag: the caller's entries, the ones Azure recorded before
/// (entries can be added, never removed) and Azure's own.
pub(super) fn property_bag(
    properties: &mut Map<String, Value>,
    previous: Option<&Value>,
    own: &[(&str, String)],
) {
    let mut bag = previous
        .and_then(|p| p.pointer("/properties/properties"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(given) = properties.get("properties").and_then(Value::as_object) {
        for (k, v) in given {
            bag.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in own {
        bag.insert((*k).to_string(), json!(v));
    }
    properties.insert("properties".into(), Value::Object(bag));
}

/// A managed identity as ARM returns it: the system-assigned principal (kept from before, so
/// it stays stable across updates) and a client and principal id for each user-assigned one.
pub(super) fn fill_identity(identity: &mut Value, previous: Option<&Value>, tenant_id: &str) {
    let Some(identity) = identity.as_object_mut() else {
        return;
    };
    let kind = identity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if kind.contains("systemassigned") {
        let principal = previous
            .and_then(|p| p.get("principalId"))
            .and_then(Value::as_str)
            .map_or_else(random_uuid, str::to_string);
        identity.insert("principalId".into(), json!(principal));
        identity.insert("tenantId".into(), json!(tenant_id));
    }
    if let Some(assigned) = identity
        .get_mut("userAssignedIdentities")
        .and_then(Value::as_object_mut)
    {
        for (id, entry) in assigned.iter_mut() {
            let before = previous.and_then(|p| {
                p.pointer(&format!(
                    "/userAssignedIdentities/{}",
                    id.replace('~', "~0").replace('/', "~1")
                ))
            });
            let keep = |field: &str| {
                before
                    .and_then(|b| b.get(field))
                    .and_then(Value::as_str)
                    .map_or_else(random_uuid, str::to_string)
            };
            *entry = json!({"principalId": keep("principalId"), "clientId": keep("clientId")});
        }
    }
}

/// Managed online endpoints get a system-assigned identity when the caller asks for none.
pub(super) fn endpoint_identity(
    resource: &mut Map<String, Value>,
    previous: Option<&Value>,
    tenant_id: &str,
) {
    let identity = resource
        .entry("identity")
        .or_insert_with(|| json!({"type": "SystemAssigned"}));
    if identity.is_null() {
        *identity = json!({"type": "SystemAssigned"});
    }
    fill_identity(
        identity,
        previous.and_then(|p| p.get("identity")),
        tenant_id,
    );
}

/// The deployment fields Azure defaults: probes, request settings, Application Insights,
/// egress and scale settings (the spec's `Default` scale type for both compute types).
pub(super) fn deployment_properties(properties: &mut Map<String, Value>) {
    fill_object(properties, "livenessProbe", default_probe());
    fill_object(properties, "readinessProbe", default_probe());
    fill_object(properties, "requestSettings", default_request_settings());
    fill_object(properties, "scaleSettings", json!({"scaleType": "Default"}));
    properties
        .entry("appInsightsEnabled")
        .or_insert_with(|| json!(false));
    properties
        .entry("egressPublicNetworkAccess")
        .or_insert_with(|| json!("Enabled"));
}

/// What a Kubernetes deployment's containers get when the caller names no resources: those of
/// Azure Arc's `defaultinstancetype` (the SDK reads them unconditionally).
pub(super) fn kubernetes_properties(properties: &mut Map<String, Value>) {
    fill_object(
        properties,
        "containerResourceRequirements",
        json!({
            "containerResourceRequests": {"cpu": "100m", "memory": "2Gi"},
            "containerResourceLimits": {"cpu": "2", "memory": "2Gi"},
        }),
    );
}

/// The workspace's dependent resources, as ARM ids in its resource group.
pub(super) fn workspace_properties(workspace_id: &str, name: &str) -> Map<String, Value> {
    let rg_id = workspace_id
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    // Azure names the dependencies after the workspace, without hyphens, plus a suffix.
    let stem: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    let suffix = &random_uuid()[..8];
    let mut map = Map::new();
    map.insert(
        "storageAccount".into(),
        json!(format!(
            "{rg_id}/providers/Microsoft.Storage/storageAccounts/{stem}{suffix}"
        )),
    );
    map.insert(
        "keyVault".into(),
        json!(format!(
            "{rg_id}/providers/Microsoft.KeyVault/vaults/{stem}{suffix}"
        )),
    );
    map.insert(
        "applicationInsights".into(),
        json!(format!(
            "{rg_id}/providers/Microsoft.Insights/components/{stem}{suffix}"
        )),
    );
    map.insert(
        "containerRegistry".into(),
        json!(format!(
            "{rg_id}/providers/Microsoft.ContainerRegistry/registries/{stem}{suffix}"
        )),
    );
    map.insert("hbiWorkspace".into(), json!(false));
    map.insert("allowPublicAccessWhenBehindVnet".into(), json!(false));
    map.insert("privateLinkCount".into(), json!(0));
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_keep_what_was_sent_and_gain_the_rest() {
        let mut properties = json!({"livenessProbe": {"period": "PT30S"}})
            .as_object()
            .cloned()
            .expect("object");
        deployment_properties(&mut properties);
        assert_eq!(properties["livenessProbe"]["period"], "PT30S");
        assert_eq!(properties["livenessProbe"]["failureThreshold"], 30);
        assert_eq!(properties["readinessProbe"]["timeout"], "PT2S");
        assert_eq!(properties["requestSettings"]["requestTimeout"], "PT5S");
        assert_eq!(properties["scaleSettings"]["scaleType"], "Default");
        assert_eq!(properties["appInsightsEnabled"], false);
        assert_eq!(properties["egressPublicNetworkAccess"], "Enabled");
    }

    #[test]
    fn a_system_assigned_principal_is_stable_across_updates() {
        let mut first =
            json!({"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {"/a/b": {}}});
        fill_identity(&mut first, None, "tenant");
        assert_eq!(first["tenantId"], "tenant");
        assert!(first["userAssignedIdentities"]["/a/b"]["clientId"].is_string());
        let mut second =
            json!({"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {"/a/b": {}}});
        fill_identity(&mut second, Some(&first), "tenant");
        assert_eq!(second, first);
        let mut none = json!({"type": "None"});
        fill_identity(&mut none, None, "tenant");
        assert!(none.get("principalId").is_none());
    }

    #[test]
    fn the_property_bag_only_grows() {
        let previous = json!({"properties": {"properties": {"old": "1"}}});
        let mut properties = json!({"properties": {"mine": "2"}})
            .as_object()
            .cloned()
            .expect("object");
        property_bag(&mut properties, Some(&previous), &[("azure", "3".into())]);
        assert_eq!(
            properties["properties"],
            json!({"old": "1", "mine": "2", "azure": "3"})
        );
    }
}
