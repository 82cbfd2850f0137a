//! Listing a whole workspace (every endpoint with its deployments) through the real client
//! against the emulator: complete and in order across pages, and within ARM's read limits by
//! waiting out their 429s. How long it takes is the `client_list` bench's business.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::Instant;

use aml_rollout::azure::{AmlClient, WorkspaceRef};
use aml_rollout::emulator::throttle::{ArmLimits, BucketLimit};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator, Seed};
use serde_json::json;

async fn emulator_with(arm_limits: ArmLimits) -> RunningEmulator {
    emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        arm_limits,
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts")
}

/// `endpoints` endpoints, the n-th with `deployments(n)` deployments (of sizes the emulator's
/// quota does not model, so that thousands fit).
async fn fill(
    client: &AmlClient,
    ws: &WorkspaceRef,
    endpoints: usize,
    deployments: impl Fn(usize) -> usize,
) {
    for e in 0..endpoints {
        let name = format!("endpoint-{e:04}");
        let body = json!({"location": "westus2", "properties": {"authMode": "Key"}});
        client
            .begin_put_endpoint(ws, &name, &body)
            .await
            .expect("endpoint");
        for d in 0..deployments(e) {
            let body = json!({
                "location": "westus2",
                "sku": {"name": "Default", "capacity": 1},
                "properties": {"endpointComputeType": "Managed", "instanceType": format!("Standard_D{d}s_v3"), "model": "azureml:m:1"},
            });
            client
                .begin_put_deployment(ws, &name, &format!("dep-{d}"), &body)
                .await
                .expect("deployment");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_comes_with_its_own_deployments_in_the_services_order() {
    let emu = emulator_with(ArmLimits::off()).await;
    let client = emu.client().unwrap();
    let ws = emu.workspace.clone();
    // Three pages of 50 endpoints, 0 to 3 deployments each.
    fill(&client, &ws, 130, |e| e % 4).await;
    let listed = client.list_workspace(&ws).await.expect("listed");
    let names: Vec<&str> = listed.iter().map(|(e, _)| e.name.as_str()).collect();
    let expected = client.list_endpoints(&ws).await.expect("endpoints");
    let expected: Vec<&str> = expected.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, expected);
    assert_eq!(names.len(), 130);
    for (endpoint, deployments) in &listed {
        let own = client
            .list_deployments(&ws, &endpoint.name)
            .await
            .expect("deployments");
        let own: Vec<&str> = own.iter().map(|d| d.name.as_str()).collect();
        let got: Vec<&str> = deployments.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(got, own, "{}", endpoint.name);
    }
    assert!(listed.iter().any(|(_, d)| d.len() == 3));
    assert!(listed.iter().any(|(_, d)| d.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_larger_than_the_read_bucket_waits_out_the_429s_and_completes() {
    let emu = emulator_with(ArmLimits::off()).await;
    let setup = emu.client().unwrap();
    let ws = emu.workspace.clone();
    fill(&setup, &ws, 60, |_| 1).await;
    // A bucket of 20 reads refilled at 20/s: the 61 reads of the listing cannot all pass at
    // once, and the emulator answers 429 with Retry-After: 1.
    let limits = ArmLimits {
        reads: BucketLimit {
            burst: 20,
            per_second: 20.0,
        },
        ..ArmLimits::default()
    };
    let on = reqwest::Client::new()
        .put(format!("{}/_emulator/arm", emu.base_url))
        .bearer_auth(&emu.token)
        .json(&json!({ "throttling": limits }))
        .send()
        .await
        .expect("control API");
    assert!(on.status().is_success());
    // Azure's own retry policy, not the loopback one that caps waits at half a second.
    let client = emu
        .client_with(aml_rollout::azure::ClientOptions {
            base_url: emu.base_url.clone(),
            ..Default::default()
        })
        .unwrap();
    let mut pauses = client.throttling();
    let listed = client
        .list_workspace(&ws)
        .await
        .expect("listed despite 429s");
    assert_eq!(listed.len(), 60);
    assert!(listed.iter().all(|(_, d)| d.len() == 1));
    assert!(
        pauses.has_changed().expect("the client is alive"),
        "the listing was throttled and waited"
    );
    let until = (*pauses.borrow_and_update()).expect("a pause");
    assert!(
        Instant::now() >= until,
        "the listing ended before the pause did"
    );
}
