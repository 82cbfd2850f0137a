//! Microsoft's published examples (tests/fixtures/azureml-examples, see SOURCE.md there) against
//! both sides: every response parses with the client's types without losing a field, and the
//! emulator's answers have the examples' field names, nesting and JSON types.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aml_rollout::azure::model::{
    ArmList, DeploymentLogs, DeploymentLogsRequest, EndpointAuthKeys, EndpointAuthToken,
    OnlineDeployment, OnlineEndpoint, RegenerateKeysRequest, SkuResource,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azureml-examples")
}

fn example(rel: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Maps whose keys are data (deployment names, tag names…), not field names.
const FREE_FORM: [&str; 7] = [
    "tags",
    "properties.traffic",
    "properties.mirrorTraffic",
    "properties.properties",
    "properties.environmentVariables",
    "identity.userAssignedIdentities",
    "additionalInfo",
];

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every (path, JSON type) in a document; free-form map keys become `*`, array items `[]`.
fn shape(v: &Value) -> BTreeSet<(String, &'static str)> {
    fn walk(v: &Value, path: &str, out: &mut BTreeSet<(String, &'static str)>) {
        if !path.is_empty() {
            out.insert((path.to_string(), json_type(v)));
        }
        match v {
            Value::Object(m) => {
                let free = FREE_FORM
                    .iter()
                    .any(|f| path == *f || path.ends_with(&format!(".{f}")));
                for (k, child) in m {
                    let key = if free { "*" } else { k.as_str() };
                    let p = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(child, &p, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

/// Parses `body` as `T`, serialises it back, and checks no field of the example was lost.
fn parses_without_loss<T: DeserializeOwned + Serialize>(file: &str, body: &Value) {
    let typed: T = serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let lost: Vec<_> = shape(body).difference(&shape(&back)).cloned().collect();
    assert!(lost.is_empty(), "{file}: the client's types drop {lost:?}");
}

fn response_bodies(doc: &Value) -> Vec<Value> {
    doc["responses"]
        .as_object()
        .map(|r| {
            r.values()
                .filter_map(|resp| resp.get("body").cloned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_response_example_parses_with_the_clients_types() {
    let mut checked = 0;
    for (file, kind) in [
        (
            "OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json",
            "deployment",
        ),
        (
            "OnlineDeployment/ManagedOnlineDeployment/get.json",
            "deployment",
        ),
        (
            "OnlineDeployment/ManagedOnlineDeployment/update.json",
            "deployment",
        ),
        (
            "OnlineDeployment/KubernetesOnlineDeployment/createOrUpdate.json",
            "deployment",
        ),
        (
            "OnlineDeployment/KubernetesOnlineDeployment/get.json",
            "deployment",
        ),
        (
            "OnlineDeployment/KubernetesOnlineDeployment/update.json",
            "deployment",
        ),
        ("OnlineDeployment/list.json", "deployment-list"),
        (
            "OnlineDeployment/ManagedOnlineDeployment/listSkus.json",
            "skus",
        ),
        (
            "OnlineDeployment/KubernetesOnlineDeployment/listSkus.json",
            "skus",
        ),
        ("OnlineDeployment/getLogs.json", "logs"),
        ("Workspace/OnlineEndpoint/createOrUpdate.json", "endpoint"),
        ("Workspace/OnlineEndpoint/get.json", "endpoint"),
        ("Workspace/OnlineEndpoint/update.json", "endpoint"),
        ("Workspace/OnlineEndpoint/list.json", "endpoint-list"),
        ("Workspace/OnlineEndpoint/getToken.json", "token"),
        ("Workspace/OnlineEndpoint/listKeys.json", "keys"),
        ("Workspace/OnlineEndpoint/regenerateKeys.json", "none"),
        ("Workspace/OnlineEndpoint/delete.json", "none"),
        ("Workspace/OnlineDeployment/delete.json", "none"),
    ] {
        let doc = example(file);
        let bodies = response_bodies(&doc);
        if kind == "none" {
            assert!(bodies.is_empty(), "{file} has bodies now: model them");
            continue;
        }
        assert!(!bodies.is_empty(), "{file} has no response body");
        for body in &bodies {
            match kind {
                "deployment" => parses_without_loss::<OnlineDeployment>(file, body),
                "deployment-list" => parses_without_loss::<ArmList<OnlineDeployment>>(file, body),
                "skus" => parses_without_loss::<ArmList<SkuResource>>(file, body),
                "logs" => parses_without_loss::<DeploymentLogs>(file, body),
                "endpoint" => parses_without_loss::<OnlineEndpoint>(file, body),
                "endpoint-list" => parses_without_loss::<ArmList<OnlineEndpoint>>(file, body),
                "token" => parses_without_loss::<EndpointAuthToken>(file, body),
                "keys" => parses_without_loss::<EndpointAuthKeys>(file, body),
                other => unreachable!("{other}"),
            }
            checked += 1;
        }
    }
    // Request bodies the client sends.
    parses_without_loss::<DeploymentLogsRequest>(
        "getLogs request",
        &example("OnlineDeployment/getLogs.json")["parameters"]["body"],
    );
    parses_without_loss::<RegenerateKeysRequest>(
        "regenerateKeys request",
        &example("Workspace/OnlineEndpoint/regenerateKeys.json")["parameters"]["body"],
    );
    assert!(checked >= 19, "only {checked} bodies checked");
}

/// The union of the shapes of the given examples' response bodies (list items included).
fn example_shape(files: &[&str], item_of_list: bool) -> BTreeSet<(String, &'static str)> {
    let mut out = BTreeSet::new();
    for file in files {
        for body in response_bodies(&example(file)) {
            let docs = if item_of_list {
                body["value"].as_array().cloned().unwrap_or_default()
            } else {
                vec![body]
            };
            for d in docs {
                out.extend(shape(&d));
            }
        }
    }
    out
}

/// Fields of the 2026-07-01 spec that none of the examples happens to show (the examples'
/// `tags` are empty; ARM tags are a string-to-string map).
const SPEC_ONLY: [(&str, &str); 4] = [
    ("tags.*", "string"),
    ("properties.mirrorTraffic", "object"),
    ("properties.mirrorTraffic.*", "integer"),
    ("properties.publicNetworkAccess", "string"),
];

/// Every field the emulator sends exists in the examples with the same JSON type.
fn assert_emulator_matches(
    what: &str,
    emulated: &Value,
    examples: &BTreeSet<(String, &'static str)>,
) {
    let unknown: Vec<_> = shape(emulated)
        .into_iter()
        .filter(|(p, t)| {
            let known =
                examples.contains(&(p.clone(), *t)) || SPEC_ONLY.contains(&(p.as_str(), *t));
            // A null is a legal value of any optional field the example shows.
            let null_of_known_field = *t == "null" && examples.iter().any(|(ep, _)| ep == p);
            !(known || null_of_known_field)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: fields or types the examples do not have: {unknown:?}"
    );
    for required in ["id", "name", "type", "location", "systemData", "properties"] {
        if examples.iter().any(|(p, _)| p == required) {
            assert!(
                emulated.get(required).is_some(),
                "{what}: missing {required}"
            );
        }
    }
}

#[tokio::test]
async fn the_emulators_json_has_the_examples_shapes() {
    let emu = common::demo().await;
    let client = emu.client().unwrap();
    let ws = common::ws(&emu);
    common::create_green(&client, &ws).await;
    let split = aml_rollout::azure::SplitChange {
        mirror: Some(aml_rollout::rollout::parse_traffic("green=10").unwrap()),
        ..Default::default()
    };
    let update = client
        .begin_update_split(&ws, "my-endpoint", &split)
        .await
        .unwrap();
    client
        .wait(&update.operation, &mut common::no_progress())
        .await
        .unwrap();

    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let token = emu.token.clone();
        let url = format!(
            "{}{}{path}?api-version=2025-12-01",
            emu.base_url,
            ws.arm_id()
        );
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let post = |path: String, body: Value| {
        let http = http.clone();
        let token = emu.token.clone();
        let url = format!(
            "{}{}{path}?api-version=2025-12-01",
            emu.base_url,
            ws.arm_id()
        );
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };

    let endpoint_examples = example_shape(
        &[
            "Workspace/OnlineEndpoint/get.json",
            "Workspace/OnlineEndpoint/createOrUpdate.json",
            "Workspace/OnlineEndpoint/update.json",
        ],
        false,
    );
    let endpoint = get("/onlineEndpoints/my-endpoint".into()).await;
    assert_emulator_matches("GET endpoint", &endpoint, &endpoint_examples);
    let listed = get("/onlineEndpoints".into()).await;
    let list_examples = example_shape(&["Workspace/OnlineEndpoint/list.json"], false);
    for item in listed["value"].as_array().unwrap() {
        assert_emulator_matches(
            "listed endpoint",
            item,
            &example_shape(&["Workspace/OnlineEndpoint/list.json"], true),
        );
    }
    assert!(list_examples.contains(&("value".to_string(), "array")));

    let deployment_examples = example_shape(
        &[
            "OnlineDeployment/ManagedOnlineDeployment/get.json",
            "OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json",
            "OnlineDeployment/ManagedOnlineDeployment/update.json",
        ],
        false,
    );
    for name in ["blue", "green"] {
        let d = get(format!("/onlineEndpoints/my-endpoint/deployments/{name}")).await;
        assert_emulator_matches(name, &d, &deployment_examples);
    }
    let deployments = get("/onlineEndpoints/my-endpoint/deployments".into()).await;
    let item_examples = example_shape(&["OnlineDeployment/list.json"], true);
    for item in deployments["value"].as_array().unwrap() {
        assert_emulator_matches("listed deployment", item, &item_examples);
    }

    let logs = post(
        "/onlineEndpoints/my-endpoint/deployments/blue/getLogs".into(),
        serde_json::json!({"containerType": "StorageInitializer", "tail": 10}),
    )
    .await;
    assert_emulator_matches(
        "getLogs",
        &logs,
        &example_shape(&["OnlineDeployment/getLogs.json"], false),
    );
    let keys = post("/onlineEndpoints/my-endpoint/listKeys".into(), Value::Null).await;
    assert_emulator_matches(
        "listKeys",
        &keys,
        &example_shape(&["Workspace/OnlineEndpoint/listKeys.json"], false),
    );
    let skus = get("/onlineEndpoints/my-endpoint/deployments/blue/skus".into()).await;
    assert_emulator_matches(
        "skus",
        &skus,
        &example_shape(
            &["OnlineDeployment/ManagedOnlineDeployment/listSkus.json"],
            false,
        ),
    );
}

#[tokio::test]
async fn the_emulators_token_answer_has_the_examples_shape() {
    let emu = common::empty().await;
    let client = emu.client().unwrap();
    let ws = common::ws(&emu);
    let body = serde_json::json!({"location": "westus2", "properties": {"authMode": "AMLToken"}});
    let op = client
        .begin_put_endpoint(&ws, "token-ep", &body)
        .await
        .unwrap();
    client.wait(&op, &mut common::no_progress()).await.unwrap();
    let url = format!(
        "{}{}/onlineEndpoints/token-ep/token?api-version=2025-12-01",
        emu.base_url,
        ws.arm_id()
    );
    let answer: Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(&emu.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_emulator_matches(
        "token",
        &answer,
        &example_shape(&["Workspace/OnlineEndpoint/getToken.json"], false),
    );
}
