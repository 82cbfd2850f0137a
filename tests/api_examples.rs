//! Microsoft's published examples (tests/fixtures/azureml-examples, see SOURCE.md there) against
//! both sides: every response parses with the client's types without losing a field, and the
//! emulator's answers have the examples' field names, nesting and JSON types.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::azure::model::{
    ArmList, DeploymentLogs, DeploymentLogsRequest, EndpointAuthKeys, EndpointAuthToken,
    OnlineDeployment, OnlineEndpoint, RegenerateKeysRequest, SkuResource,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use common::examples::{assert_emulator_matches, example, example_shape, response_bodies, shape};

/// Parses `body` as `T`, serialises it back, and checks no field of the example was lost.
fn parses_without_loss<T: DeserializeOwned + Serialize>(file: &str, body: &Value) {
    let typed: T = serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    let lost: Vec<_> = shape(body).difference(&shape(&back)).cloned().collect();
    assert!(lost.is_empty(), "{file}: the client's types drop {lost:?}");
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
    // A listed deployment is a deployment: the list example shows only a Kubernetes one.
    let mut item_examples = example_shape(&["OnlineDeployment/list.json"], true);
    item_examples.extend(deployment_examples.iter().cloned());
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
