//! Listing a large workspace through the real client against the emulator on loopback:
//! 1000 endpoints x 5 deployments (the endpoint list across pages, and each endpoint's
//! deployments, a few at a time while later pages come), what the console does at start and
//! on `r`.
//!
//! Run: `cargo bench --bench client_list`
// A benchmark's setup failing is a panic: there is no one to report an error to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use aml_rollout::emulator::throttle::ArmLimits;
use aml_rollout::emulator::{self, EmulatorConfig, Seed};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

const ENDPOINTS: usize = 1000;
const DEPLOYMENTS_PER_ENDPOINT: usize = 5;

fn list_large_workspace(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let emu = runtime
        .block_on(emulator::start(EmulatorConfig {
            seed: Seed::Empty,
            // Thousands of creates: ARM's request limits would only measure Retry-After.
            arm_limits: ArmLimits::off(),
            ..EmulatorConfig::for_tests()
        }))
        .expect("emulator");
    let client = emu.client().unwrap();
    let ws = emu.workspace.clone();
    runtime.block_on(async {
        for e in 0..ENDPOINTS {
            let name = format!("endpoint-{e:04}");
            let body = json!({"location": "westus2", "properties": {"authMode": "Key"}});
            client.begin_put_endpoint(&ws, &name, &body).await.expect("endpoint");
            for d in 0..DEPLOYMENTS_PER_ENDPOINT {
                let body = json!({
                    "location": "westus2",
                    "sku": {"name": "Default", "capacity": 1},
                    "properties": {"endpointComputeType": "Managed", "instanceType": format!("Standard_D{d}s_v3"), "model": "azureml:m:1"},
                });
                client
                    .begin_put_deployment(&ws, &name, &format!("dep-{d}"), &body)
                    .await
                    .expect("deployment");
            }
        }
    });
    let mut group = c.benchmark_group("client_list");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("1000_endpoints_x_5_deployments", |b| {
        b.to_async(&runtime).iter(|| async {
            let listed = client.list_workspace(&ws).await.expect("list workspace");
            assert_eq!(listed.len(), ENDPOINTS);
            let total: usize = listed.iter().map(|(_, d)| d.len()).sum();
            assert_eq!(total, ENDPOINTS * DEPLOYMENTS_PER_ENDPOINT);
        });
    });
    group.finish();
}

criterion_group!(benches, list_large_workspace);
criterion_main!(benches);
