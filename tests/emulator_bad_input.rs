//! Bad input gets ARM's error envelope with the right status, never a panic: unknown or
//! malformed api-versions, bodies that are not JSON objects, fields of the wrong type. A
//! refusal names the field it is about.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn send(
    emu: &aml_rollout::emulator::RunningEmulator,
    method: Method,
    path: &str,
    query: &str,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let url = format!("{}{}{path}{query}", emu.base_url, common::ws(emu).arm_id());
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(&emu.token)
        .header("content-type", "application/json");
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    let envelope: Value = response.json().await.expect("an error envelope");
    (status, envelope)
}

#[tokio::test]
async fn api_versions_are_checked() {
    let emu = common::demo().await;
    for (query, status, code) in [
        ("", StatusCode::BAD_REQUEST, "MissingApiVersionParameter"),
        (
            "?api-version=latest",
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
        ),
        (
            "?api-version=2025-13",
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
        ),
        (
            "?api-version=2099-01-01",
            StatusCode::BAD_REQUEST,
            "NoRegisteredProviderFound",
        ),
    ] {
        let (got, envelope) = send(&emu, Method::GET, "/onlineEndpoints", query, None).await;
        assert_eq!(got, status, "{query}: {envelope}");
        assert_eq!(envelope["error"]["code"], code, "{query}");
    }
    for known in ["2022-02-01-preview", "2024-10-01", "2026-07-01"] {
        let query = format!("?api-version={known}");
        let (got, _) = send(&emu, Method::GET, "/onlineEndpoints", &query, None).await;
        assert_eq!(got, StatusCode::OK, "{known}");
    }
}

#[tokio::test]
async fn malformed_bodies_and_wrong_types_are_refused_naming_the_field() {
    let emu = common::demo().await;
    let query = "?api-version=2025-12-01";
    let endpoint = "/onlineEndpoints/my-endpoint";
    let deployment = "/onlineEndpoints/my-endpoint/deployments/blue";
    let get_logs = format!("{deployment}/getLogs");
    let cases: Vec<(Method, &str, String, Option<&str>)> = vec![
        (Method::PUT, endpoint, "{\"properties\":".into(), None),
        (Method::PUT, endpoint, "[1, 2]".into(), None),
        (Method::PUT, endpoint, json!({"properties": 7}).to_string(), Some("properties")),
        (
            Method::PUT,
            endpoint,
            json!({"properties": {"authMode": 3}}).to_string(),
            Some("properties.authMode"),
        ),
        (
            Method::PUT,
            endpoint,
            json!({"properties": {"authMode": "Key", "traffic": {"blue": "all"}}}).to_string(),
            Some("properties.traffic"),
        ),
        (
            Method::PUT,
            endpoint,
            json!({"properties": {"authMode": "Key", "traffic": {"blue": 90}}}).to_string(),
            Some("properties.traffic"),
        ),
        (
            Method::PUT,
            endpoint,
            json!({"properties": {"authMode": "Key", "traffic": {"blue": 100}, "mirrorTraffic": {"blue": 60}}})
                .to_string(),
            Some("properties.mirrorTraffic"),
        ),
        (
            Method::PUT,
            deployment,
            json!({"sku": {"capacity": "two"}, "properties": {"endpointComputeType": "Managed", "instanceType": "Standard_DS3_v2"}})
                .to_string(),
            Some("sku.capacity"),
        ),
        (
            Method::PUT,
            deployment,
            json!({"properties": {"endpointComputeType": true}}).to_string(),
            Some("properties.endpointComputeType"),
        ),
        (
            Method::PATCH,
            endpoint,
            json!({"tags": {"team": 7}}).to_string(),
            Some("tags"),
        ),
        (
            Method::PUT,
            endpoint,
            json!({"properties": {"authMode": "Key", "properties": ["x"]}}).to_string(),
            Some("properties.properties"),
        ),
        (
            Method::PATCH,
            deployment,
            json!({"properties": {}}).to_string(),
            Some("properties"),
        ),
        (
            Method::POST,
            &get_logs,
            json!({"containerType": "Sidecar"}).to_string(),
            Some("containerType"),
        ),
        (
            Method::POST,
            &get_logs,
            json!({"tail": -1}).to_string(),
            Some("tail"),
        ),
    ];
    for (method, path, body, target) in cases {
        let (status, envelope) = send(&emu, method.clone(), path, query, Some(&body)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method} {path} {body}: {envelope}"
        );
        assert!(envelope["error"]["code"].is_string(), "{envelope}");
        assert!(envelope["error"]["message"].is_string(), "{envelope}");
        if let Some(target) = target {
            assert_eq!(
                envelope["error"]["target"], target,
                "{method} {path} {body}"
            );
        }
    }
    // Nothing of it changed the endpoint.
    let (status, endpoint) = send(&emu, Method::GET, endpoint, query, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(endpoint["properties"]["traffic"], json!({"blue": 100}));
}
