//! The emulator answers what Azure answers: each of Microsoft's examples' requests, sent to the
//! emulator, gets a response with every (path, JSON type) of the example's response, and nothing
//! the examples (or the spec) do not have. Minimal requests, the seeded demo and patched
//! resources carry the fields Azure fills in itself, and not the optional ones never sent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::collections::BTreeSet;

use aml_rollout::azure::WorkspaceRef;
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator, Seed};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::examples::{assert_emulator_matches, example, example_shape, shape};

const API_VERSION: &str = "2025-12-01";

/// A list's `nextLink` appears only when another page follows, on Azure as here.
const LAST_PAGE: &[&str] = &["nextLink"];

type Shape = BTreeSet<(String, &'static str)>;

/// Raw ARM calls to one workspace of the emulator.
struct Arm {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Arm {
    fn new(emu: &RunningEmulator, ws: &WorkspaceRef) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}{}", emu.base_url, ws.arm_id()),
            token: emu.token.clone(),
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let url = format!("{}{path}?api-version={API_VERSION}", self.base);
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }
}

/// The example's request body, as sent.
fn request_of(file: &str) -> Value {
    example(file)["parameters"]["body"].clone()
}

/// The shape of one response of an example.
fn response_shape(file: &str, status: &str) -> Shape {
    let doc = example(file);
    let body = &doc["responses"][status]["body"];
    assert!(!body.is_null(), "{file} has no {status} body");
    shape(body)
}

/// Every (path, type) of the example's response appears in the emulator's answer, except the
/// paths in `not_sent` (optional fields the walk's requests never set: Azure leaves them out).
fn assert_has_example_paths(what: &str, emulated: &Value, example: &Shape, not_sent: &[&str]) {
    let got = shape(emulated);
    let missing: Vec<_> = example
        .iter()
        .filter(|(path, _)| {
            !not_sent
                .iter()
                .any(|n| path == n || path.starts_with(&format!("{n}.")))
        })
        .filter(|entry| !got.contains(*entry))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: the example has fields or types the emulator's answer lacks: {missing:?}"
    );
}

const DEPLOYMENT_FILES: [&str; 6] = [
    "OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json",
    "OnlineDeployment/ManagedOnlineDeployment/get.json",
    "OnlineDeployment/ManagedOnlineDeployment/update.json",
    "OnlineDeployment/KubernetesOnlineDeployment/createOrUpdate.json",
    "OnlineDeployment/KubernetesOnlineDeployment/get.json",
    "OnlineDeployment/KubernetesOnlineDeployment/update.json",
];

const ENDPOINT_FILES: [&str; 3] = [
    "Workspace/OnlineEndpoint/createOrUpdate.json",
    "Workspace/OnlineEndpoint/get.json",
    "Workspace/OnlineEndpoint/update.json",
];

/// The examples' own workspace, empty, so their paths are used as they are.
async fn examples_emulator() -> (RunningEmulator, WorkspaceRef) {
    let doc = example("Workspace/OnlineEndpoint/createOrUpdate.json");
    let p = &doc["parameters"];
    let ws = WorkspaceRef::new(
        p["subscriptionId"].as_str().expect("subscription"),
        p["resourceGroupName"].as_str().expect("resource group"),
        p["workspaceName"].as_str().expect("workspace"),
    );
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        workspace: ws.clone(),
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts");
    (emu, ws)
}

#[tokio::test]
async fn every_examples_request_gets_the_examples_response_shape() {
    let (emu, ws) = examples_emulator().await;
    let arm = Arm::new(&emu, &ws);
    let deployment_union = example_shape(&DEPLOYMENT_FILES, false);
    let endpoint_union = example_shape(&ENDPOINT_FILES, false);
    let endpoint = "/onlineEndpoints/testEndpointName";
    let managed = format!("{endpoint}/deployments/testDeploymentName");
    let kubernetes = format!("{endpoint}/deployments/testKubernetesName");

    // The endpoint first without traffic: the example's traffic names a deployment that does
    // not exist yet, which Azure refuses too.
    let mut create_endpoint = request_of("Workspace/OnlineEndpoint/createOrUpdate.json");
    create_endpoint["properties"]["traffic"] = json!({});
    let (status, _) = arm
        .send(Method::PUT, endpoint, Some(&create_endpoint))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    for (kind, path, not_sent_by_create) in [
        ("Managed", &managed, &["properties.startupProbe"][..]),
        ("Kubernetes", &kubernetes, &[][..]),
    ] {
        let dir = format!("OnlineDeployment/{kind}OnlineDeployment");
        let create = format!("{dir}/createOrUpdate.json");
        let (status, answer) = arm
            .send(Method::PUT, path, Some(&request_of(&create)))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{create}: {answer}");
        assert_has_example_paths(&create, &answer, &response_shape(&create, "201"), &[]);
        assert_emulator_matches(&create, &answer, &deployment_union);

        let get = format!("{dir}/get.json");
        let got = arm.get(path).await;
        assert_has_example_paths(&get, &got, &response_shape(&get, "200"), not_sent_by_create);
        assert_emulator_matches(&get, &got, &deployment_union);

        let update = format!("{dir}/update.json");
        let (status, _) = arm
            .send(Method::PATCH, path, Some(&request_of(&update)))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{update}");
        let patched = arm.get(path).await;
        assert_has_example_paths(
            &update,
            &patched,
            &response_shape(&update, "200"),
            not_sent_by_create,
        );
        assert_emulator_matches(&update, &patched, &deployment_union);

        let skus_file = format!("{dir}/listSkus.json");
        let skus = arm.get(&format!("{path}/skus")).await;
        let skus_shape = response_shape(&skus_file, "200");
        assert_has_example_paths(&skus_file, &skus, &skus_shape, LAST_PAGE);
        assert_emulator_matches(&skus_file, &skus, &skus_shape);
    }

    let listed = arm.get(&format!("{endpoint}/deployments")).await;
    let mut list_union = example_shape(&["OnlineDeployment/list.json"], false);
    list_union.extend(
        deployment_union
            .iter()
            .map(|(p, t)| (format!("value[].{p}"), *t)),
    );
    assert_has_example_paths(
        "OnlineDeployment/list.json",
        &listed,
        &response_shape("OnlineDeployment/list.json", "200"),
        LAST_PAGE,
    );
    assert_emulator_matches("OnlineDeployment/list.json", &listed, &list_union);

    let logs_file = "OnlineDeployment/getLogs.json";
    let (status, logs) = arm
        .send(
            Method::POST,
            &format!("{managed}/getLogs"),
            Some(&request_of(logs_file)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{logs}");
    assert_has_example_paths(logs_file, &logs, &response_shape(logs_file, "200"), &[]);
    assert_emulator_matches(logs_file, &logs, &response_shape(logs_file, "200"));

    // Now the example's endpoint request itself, its traffic naming the deployment.
    let create_file = "Workspace/OnlineEndpoint/createOrUpdate.json";
    let mut with_traffic = request_of(create_file);
    with_traffic["properties"]["traffic"] = json!({"testDeploymentName": 100});
    let (status, answer) = arm.send(Method::PUT, endpoint, Some(&with_traffic)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_has_example_paths(
        create_file,
        &answer,
        &response_shape(create_file, "201"),
        &[],
    );
    assert_emulator_matches(create_file, &answer, &endpoint_union);

    let get_file = "Workspace/OnlineEndpoint/get.json";
    let got = arm.get(endpoint).await;
    assert_has_example_paths(get_file, &got, &response_shape(get_file, "200"), &[]);
    assert_emulator_matches(get_file, &got, &endpoint_union);

    let list_file = "Workspace/OnlineEndpoint/list.json";
    let listed = arm.get("/onlineEndpoints").await;
    let mut list_union = example_shape(&[list_file], false);
    list_union.extend(
        endpoint_union
            .iter()
            .map(|(p, t)| (format!("value[].{p}"), *t)),
    );
    assert_has_example_paths(
        list_file,
        &listed,
        &response_shape(list_file, "200"),
        LAST_PAGE,
    );
    assert_emulator_matches(list_file, &listed, &list_union);

    let update_file = "Workspace/OnlineEndpoint/update.json";
    let (status, _) = arm
        .send(Method::PATCH, endpoint, Some(&request_of(update_file)))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let patched = arm.get(endpoint).await;
    assert_has_example_paths(
        update_file,
        &patched,
        &response_shape(update_file, "200"),
        &[],
    );
    assert_emulator_matches(update_file, &patched, &endpoint_union);

    // The example endpoint uses AML tokens.
    let token_file = "Workspace/OnlineEndpoint/getToken.json";
    let (status, token) = arm
        .send(Method::POST, &format!("{endpoint}/token"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_has_example_paths(token_file, &token, &response_shape(token_file, "200"), &[]);
    assert_emulator_matches(token_file, &token, &response_shape(token_file, "200"));

    // Keys belong to a key endpoint.
    let keyed = "/onlineEndpoints/keyed-endpoint";
    let (status, _) = arm
        .send(
            Method::PUT,
            keyed,
            Some(&json!({"location": "westus2", "properties": {"authMode": "Key"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let keys_file = "Workspace/OnlineEndpoint/listKeys.json";
    let (status, keys) = arm
        .send(Method::POST, &format!("{keyed}/listKeys"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_has_example_paths(keys_file, &keys, &response_shape(keys_file, "200"), &[]);
    assert_emulator_matches(keys_file, &keys, &response_shape(keys_file, "200"));
    let regenerate_file = "Workspace/OnlineEndpoint/regenerateKeys.json";
    let (status, _) = arm
        .send(
            Method::POST,
            &format!("{keyed}/regenerateKeys"),
            Some(&request_of(regenerate_file)),
        )
        .await;
    assert!(answers_as_the_example(regenerate_file, status), "{status}");
    let (_, after) = arm
        .send(Method::POST, &format!("{keyed}/listKeys"), None)
        .await;
    let regenerated = request_of(regenerate_file)["keyType"]
        .as_str()
        .expect("key type")
        .to_ascii_lowercase();
    let field = format!("{regenerated}Key");
    assert_ne!(after[&field], keys[&field], "{field} did not change");

    let (status, _) = arm.send(Method::DELETE, &kubernetes, None).await;
    assert!(answers_as_the_example(
        "Workspace/OnlineDeployment/delete.json",
        status
    ));
    let (status, _) = arm.send(Method::DELETE, endpoint, None).await;
    assert!(answers_as_the_example(
        "Workspace/OnlineEndpoint/delete.json",
        status
    ));
}

/// The status is one the example lists.
fn answers_as_the_example(file: &str, status: StatusCode) -> bool {
    example(file)["responses"]
        .as_object()
        .is_some_and(|r| r.contains_key(status.as_str()))
}

/// Fields Azure fills in on every endpoint, whatever the caller sent.
fn assert_endpoint_filled_in(what: &str, endpoint: &Value) {
    let id = endpoint["id"].as_str().expect("id");
    let properties = &endpoint["properties"];
    assert_eq!(
        properties["properties"]["azureml.onlineendpointid"],
        json!(id.to_lowercase()),
        "{what}"
    );
    let operation = properties["properties"]["AzureAsyncOperationUri"]
        .as_str()
        .unwrap_or_default();
    assert!(
        operation.contains("/mfeOperationsStatus/oeidp:"),
        "{what}: {operation}"
    );
    for field in [
        "scoringUri",
        "swaggerUri",
        "provisioningState",
        "publicNetworkAccess",
    ] {
        assert!(properties[field].is_string(), "{what}: {field}");
    }
    if endpoint["identity"]["type"] == "SystemAssigned" {
        assert!(endpoint["identity"]["principalId"].is_string(), "{what}");
        assert!(endpoint["identity"]["tenantId"].is_string(), "{what}");
    }
    for field in ["systemData", "kind", "location", "tags"] {
        assert!(endpoint.get(field).is_some(), "{what}: {field}");
    }
}

/// Fields Azure fills in on every deployment, whatever the caller sent.
fn assert_deployment_filled_in(what: &str, deployment: &Value) {
    let properties = &deployment["properties"];
    assert!(
        properties["properties"]["AzureAsyncOperationUri"].is_string(),
        "{what}: {properties}"
    );
    for probe in ["livenessProbe", "readinessProbe"] {
        for field in ["failureThreshold", "successThreshold"] {
            assert!(properties[probe][field].is_i64(), "{what}: {probe}.{field}");
        }
        for field in ["timeout", "period", "initialDelay"] {
            assert!(
                properties[probe][field].is_string(),
                "{what}: {probe}.{field}"
            );
        }
    }
    assert!(properties["requestSettings"]["maxConcurrentRequestsPerInstance"].is_i64());
    assert!(properties["requestSettings"]["requestTimeout"].is_string());
    assert_eq!(properties["appInsightsEnabled"], json!(false), "{what}");
    assert_eq!(properties["egressPublicNetworkAccess"], "Enabled", "{what}");
    assert!(
        properties["scaleSettings"]["scaleType"].is_string(),
        "{what}"
    );
    assert!(properties["instanceType"].is_string(), "{what}");
}

/// Optional fields nobody sent stay absent.
fn assert_absent(what: &str, resource: &Value, pointers: &[&str]) {
    for pointer in pointers {
        assert!(
            resource.pointer(pointer).is_none(),
            "{what}: {pointer} was never sent but is {}",
            resource.pointer(pointer).unwrap_or(&Value::Null)
        );
    }
}

#[tokio::test]
async fn a_minimal_put_gets_what_azure_fills_in_and_nothing_else() {
    let emu = common::empty().await;
    let ws = common::ws(&emu);
    let arm = Arm::new(&emu, &ws);
    let (status, _) = arm
        .send(
            Method::PUT,
            "/onlineEndpoints/minimal",
            Some(&json!({"location": "westus2", "properties": {"authMode": "Key"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let endpoint = arm.get("/onlineEndpoints/minimal").await;
    assert_endpoint_filled_in("minimal endpoint", &endpoint);
    assert_eq!(endpoint["identity"]["type"], "SystemAssigned");
    assert_absent(
        "minimal endpoint",
        &endpoint,
        &[
            "/properties/description",
            "/properties/compute",
            "/properties/keys",
            "/identity/userAssignedIdentities",
        ],
    );

    for (name, body) in [
        (
            "managed",
            json!({"properties": {"endpointComputeType": "Managed", "model": "azureml:m:1"}}),
        ),
        (
            "kubernetes",
            json!({"properties": {"endpointComputeType": "Kubernetes", "model": "azureml:m:1"}}),
        ),
    ] {
        let path = format!("/onlineEndpoints/minimal/deployments/{name}");
        let (status, answer) = arm.send(Method::PUT, &path, Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let deployment = arm.get(&path).await;
        assert_deployment_filled_in(name, &deployment);
        assert_eq!(
            deployment["properties"]["scaleSettings"]["scaleType"],
            "Default"
        );
        assert_absent(
            name,
            &deployment,
            &[
                "/properties/description",
                "/properties/environmentVariables",
                "/properties/startupProbe",
                "/properties/codeConfiguration",
                "/identity",
            ],
        );
        // Kubernetes containers get the default instance type's resources; managed ones none.
        let resources = deployment.pointer("/properties/containerResourceRequirements");
        assert_eq!(
            resources.is_some(),
            name == "kubernetes",
            "{name}: {resources:?}"
        );
        if let Some(resources) = resources {
            assert!(resources["containerResourceRequests"]["cpu"].is_string());
        }
    }
}

#[tokio::test]
async fn the_seeded_demo_and_its_workspace_carry_what_azure_fills_in() {
    let emu = common::demo().await;
    let ws = common::ws(&emu);
    let arm = Arm::new(&emu, &ws);
    let workspace = arm.get("").await;
    for field in [
        "storageAccount",
        "keyVault",
        "applicationInsights",
        "containerRegistry",
    ] {
        let id = workspace["properties"][field].as_str().unwrap_or_default();
        assert!(id.starts_with("/subscriptions/"), "{field}: {id}");
    }
    assert_eq!(workspace["properties"]["hbiWorkspace"], json!(false));
    assert_eq!(
        workspace["properties"]["allowPublicAccessWhenBehindVnet"],
        json!(false)
    );
    assert_eq!(workspace["properties"]["privateLinkCount"], json!(0));

    let endpoints = arm.get("/onlineEndpoints").await;
    let endpoints = endpoints["value"].as_array().expect("list");
    assert!(!endpoints.is_empty());
    for endpoint in endpoints {
        assert_endpoint_filled_in("seeded endpoint", endpoint);
        let name = endpoint["name"].as_str().expect("name");
        let deployments = arm
            .get(&format!("/onlineEndpoints/{name}/deployments"))
            .await;
        let deployments = deployments["value"].as_array().expect("list");
        assert!(!deployments.is_empty());
        for deployment in deployments {
            assert_deployment_filled_in("seeded deployment", deployment);
        }
    }
}

#[tokio::test]
async fn after_a_patch_the_filled_in_fields_remain_and_stay_stable() {
    let emu = common::demo().await;
    let ws = common::ws(&emu);
    let arm = Arm::new(&emu, &ws);
    let endpoint_path = "/onlineEndpoints/my-endpoint";
    let before = arm.get(endpoint_path).await;
    let (status, _) = arm
        .send(
            Method::PATCH,
            endpoint_path,
            Some(&json!({"tags": {"team": "ml"}})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let after = arm.get(endpoint_path).await;
    assert_eq!(after["tags"]["team"], "ml");
    assert_endpoint_filled_in("patched endpoint", &after);
    assert_eq!(
        after["identity"]["principalId"], before["identity"]["principalId"],
        "the system-assigned identity survives an update"
    );

    let deployment_path = "/onlineEndpoints/my-endpoint/deployments/blue";
    let (status, _) = arm
        .send(
            Method::PATCH,
            deployment_path,
            Some(&json!({"sku": {"capacity": 2}})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let deployment = arm.get(deployment_path).await;
    assert_eq!(deployment["sku"]["capacity"], 2);
    assert_deployment_filled_in("patched deployment", &deployment);
}
