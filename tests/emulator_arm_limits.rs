//! Azure Resource Manager's behaviour beyond the API: request limits per subscription (on by
//! default), a latency knob and read-after-write lag, all visible through headers and the
//! control API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use aml_rollout::azure::SplitChange;
use aml_rollout::emulator::throttle::{ArmLimits, BucketLimit};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator};
use aml_rollout::rollout::parse_traffic;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn call(
    emu: &RunningEmulator,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let url = format!("{}{path}", emu.base_url);
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(&emu.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("sent")
}

fn endpoints_path(emu: &RunningEmulator) -> String {
    format!(
        "{}/onlineEndpoints?api-version=2025-12-01",
        common::ws(emu).arm_id()
    )
}

fn remaining(response: &reqwest::Response, kind: &str) -> Option<u64> {
    response
        .headers()
        .get(format!("x-ms-ratelimit-remaining-subscription-{kind}"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn every_answer_says_what_is_left_of_its_bucket() {
    let emu = common::empty().await;
    let ws = common::ws(&emu);
    let first = call(&emu, Method::GET, &endpoints_path(&emu), None).await;
    let second = call(&emu, Method::GET, &endpoints_path(&emu), None).await;
    let (a, b) = (remaining(&first, "reads"), remaining(&second, "reads"));
    assert_eq!(a, Some(249), "Azure's read burst is 250");
    assert!(b.is_some_and(|b| b <= 249), "{b:?}");
    let put = call(
        &emu,
        Method::PUT,
        &format!(
            "{}/onlineEndpoints/limits?api-version=2025-12-01",
            ws.arm_id()
        ),
        Some(json!({"location": "westus2", "properties": {"authMode": "Key"}})),
    )
    .await;
    assert_eq!(put.status(), StatusCode::CREATED);
    assert_eq!(remaining(&put, "writes"), Some(199));
    assert_eq!(remaining(&put, "reads"), None);
    let delete = call(
        &emu,
        Method::DELETE,
        &format!(
            "{}/onlineEndpoints/limits?api-version=2025-12-01",
            ws.arm_id()
        ),
        None,
    )
    .await;
    assert_eq!(remaining(&delete, "deletes"), Some(199));
}

#[tokio::test]
async fn an_empty_bucket_answers_429_with_retry_after_until_turned_off() {
    let emu = emulator::start(EmulatorConfig {
        arm_limits: ArmLimits {
            reads: BucketLimit {
                burst: 2,
                per_second: 0.01,
            },
            ..ArmLimits::default()
        },
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator");
    for _ in 0..2 {
        let ok = call(&emu, Method::GET, &endpoints_path(&emu), None).await;
        assert_eq!(ok.status(), StatusCode::OK);
    }
    let throttled = call(&emu, Method::GET, &endpoints_path(&emu), None).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = throttled
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!(retry_after >= 1);
    assert_eq!(remaining(&throttled, "reads"), Some(0));
    let envelope: Value = throttled.json().await.expect("json");
    assert_eq!(envelope["error"]["code"], "SubscriptionRequestsThrottled");
    // Writes have a bucket of their own.
    let knobs = call(&emu, Method::GET, "/_emulator/arm", None).await;
    let knobs: Value = knobs.json().await.expect("json");
    assert_eq!(knobs["throttling"]["reads"]["burst"], 2);
    assert_eq!(knobs["throttling"]["enabled"], true);

    let off = call(
        &emu,
        Method::PUT,
        "/_emulator/arm",
        Some(json!({"throttling": {"enabled": false}})),
    )
    .await;
    assert_eq!(off.status(), StatusCode::OK);
    let free = call(&emu, Method::GET, &endpoints_path(&emu), None).await;
    assert_eq!(free.status(), StatusCode::OK);
    assert_eq!(remaining(&free, "reads"), None);

    let bad = call(
        &emu,
        Method::PUT,
        "/_emulator/arm",
        Some(json!({"throttling": {"reads": {"burst": 0, "per_second": 1}}})),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_client_rides_out_throttling_by_honouring_retry_after() {
    let emu = emulator::start(EmulatorConfig {
        arm_limits: ArmLimits {
            reads: BucketLimit {
                burst: 5,
                per_second: 20.0,
            },
            ..ArmLimits::default()
        },
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator");
    let client = emu
        .client_with(aml_rollout::azure::ClientOptions {
            base_url: emu.base_url.clone(),
            ..Default::default()
        })
        .expect("client");
    let ws = common::ws(&emu);
    for _ in 0..12 {
        let endpoints = client
            .list_endpoints(&ws)
            .await
            .expect("listed despite 429s");
        assert_eq!(endpoints.len(), 1);
    }
}

#[tokio::test]
async fn during_the_visibility_lag_gets_show_the_previous_traffic() {
    let emu = emulator::start(EmulatorConfig {
        visibility_lag: Duration::from_secs(3600),
        arm_latency: Duration::from_millis(1),
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator");
    let client = emu.client().expect("client");
    let ws = common::ws(&emu);
    common::create_green(&client, &ws).await;
    let change = SplitChange {
        live: Some(parse_traffic("blue=90 green=10").expect("split")),
        ..Default::default()
    };
    let update = client
        .begin_update_split(&ws, "my-endpoint", &change)
        .await
        .expect("accepted");
    client
        .wait(&update.operation, &mut common::no_progress())
        .await
        .expect("succeeded");
    let seen = client.get_endpoint(&ws, "my-endpoint").await.expect("get");
    assert_eq!(
        seen.properties.traffic.as_ref().and_then(|t| t.get("blue")),
        Some(&100),
        "the read still shows the old split"
    );
    let listed = client.list_endpoints(&ws).await.expect("list");
    assert_eq!(
        listed[0]
            .properties
            .traffic
            .as_ref()
            .and_then(|t| t.get("blue")),
        Some(&100)
    );

    let arm: Value = call(&emu, Method::GET, "/_emulator/arm", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(arm["visibility_lag_ms"], 3_600_000);
    assert_eq!(arm["latency_ms"], 1);
    let off = call(
        &emu,
        Method::PUT,
        "/_emulator/arm",
        Some(json!({"visibility_lag_ms": 0})),
    )
    .await;
    assert_eq!(off.status(), StatusCode::OK);
    let seen = client.get_endpoint(&ws, "my-endpoint").await.expect("get");
    assert_eq!(
        seen.properties.traffic.as_ref().and_then(|t| t.get("blue")),
        Some(&90)
    );
    assert_eq!(
        seen.properties
            .traffic
            .as_ref()
            .and_then(|t| t.get("green")),
        Some(&10)
    );
}
