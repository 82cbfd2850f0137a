//! Throughput of the emulator's scoring router with mirroring (live blue=100, mirror green=10),
//! at three depths:
//!
//! - `decision`: the pure routing decision (snapshot lookup + weighted draw + mirror draw);
//! - `in_process`: the whole data-plane handler without HTTP (auth, routing, model, access log,
//!   metrics, the spawned mirror copy);
//! - `http`: end to end over loopback HTTP/1.1 keep-alive, [`HTTP_CLIENTS`] concurrent clients
//!   sending the demo's sample request, server and clients sharing one 2-thread runtime.
//!
//! Run: `cargo bench --bench scoring_router` (criterion reports elements/s = requests/s).
// A benchmark's setup failing is a panic: there is no one to report an error to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aml_rollout::azure::az_yaml::deployment_from_yaml;
use aml_rollout::azure::{AmlClient, SplitChange};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator, scoring};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;

const ENDPOINT: &str = "my-endpoint";
const SAMPLE: &str = include_str!("../assets/demo/sample-request.json");
const GREEN_YAML: &str = include_str!("../assets/demo/green-deployment.yml");
/// Concurrent keep-alive connections of the HTTP run.
const HTTP_CLIENTS: usize = 32;

struct Setup {
    emu: RunningEmulator,
    scoring_uri: String,
    /// The scoring URI's path.
    path: String,
    key: String,
}

/// The demo with green created and mirroring 10% of blue's traffic. Blue and green are
/// scaled out so the concurrency bound never turns the benchmark's requests away.
async fn setup() -> Setup {
    let emu = emulator::start(EmulatorConfig::for_tests())
        .await
        .expect("emulator starts");
    let client = emu.client().unwrap();
    let ws = emu.workspace.clone();
    let spec =
        deployment_from_yaml("green-deployment.yml", GREEN_YAML, "westus2", &ws).expect("yaml");
    let op = client
        .begin_put_deployment(&ws, ENDPOINT, "green", &spec.body)
        .await
        .expect("put green");
    client.wait(&op, &mut |_| {}).await.expect("green");
    for d in ["blue", "green"] {
        scale(&client, &emu, d).await;
    }
    let update = client
        .begin_update_split(
            &ws,
            ENDPOINT,
            &SplitChange {
                live: Some([("blue".to_string(), 100)].into()),
                mirror: Some([("green".to_string(), 10)].into()),
                expect: None,
            },
        )
        .await
        .expect("split");
    client
        .wait(&update.operation, &mut |_| {})
        .await
        .expect("split applied");
    let endpoint = client.get_endpoint(&ws, ENDPOINT).await.expect("endpoint");
    let scoring_uri = endpoint.properties.scoring_uri.expect("scoring uri");
    let path = scoring_uri
        .strip_prefix(emu.base_url.as_str())
        .expect("same host")
        .to_string();
    let key = client
        .list_keys(&ws, ENDPOINT)
        .await
        .expect("keys")
        .primary_key
        .expect("key");
    Setup {
        emu,
        scoring_uri,
        path,
        key,
    }
}

async fn scale(client: &AmlClient, emu: &RunningEmulator, deployment: &str) {
    let op = client
        .begin_scale_deployment(&emu.workspace, ENDPOINT, deployment, 12)
        .await
        .expect("scale");
    client.wait(&op, &mut |_| {}).await.expect("scaled");
}

fn scoring_router(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let s = rt.block_on(setup());
    let emulator = s.emu.emulator.clone();
    let base_path = s.path.trim_end_matches("/score").to_string();

    let mut group = c.benchmark_group("scoring_router");
    group.throughput(Throughput::Elements(1));

    group.bench_function("decision", |b| {
        let mut roll = 0u32;
        b.iter(|| {
            roll = roll.wrapping_add(37);
            let route = emulator
                .routes
                .lookup(black_box(&base_path))
                .expect("route");
            black_box(route.choose(None, roll % 100, (roll / 100) % 100))
        });
    });

    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {}", s.key)).expect("header"),
    );
    let body = Bytes::from_static(SAMPLE.as_bytes());
    group.bench_function("in_process", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    let response = scoring::score_request(
                        &emulator,
                        &Method::POST,
                        &s.path,
                        &headers,
                        body.clone(),
                    )
                    .await;
                    black_box(response);
                }
                started.elapsed()
            })
        });
    });

    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    let clients: Vec<reqwest::Client> = (0..HTTP_CLIENTS)
        .map(|_| {
            reqwest::Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client")
        })
        .collect();
    let clients = Arc::new(clients);
    group.bench_function("http", |b| {
        b.iter_custom(|iters| {
            let clients = clients.clone();
            let uri = s.scoring_uri.clone();
            let key = s.key.clone();
            rt.block_on(async move {
                let per_client = iters.div_ceil(HTTP_CLIENTS as u64);
                let started = Instant::now();
                futures::stream::iter(0..HTTP_CLIENTS)
                    .map(|i| {
                        let client = clients[i].clone();
                        let uri = uri.clone();
                        let key = key.clone();
                        tokio::spawn(async move {
                            for _ in 0..per_client {
                                let response = client
                                    .post(&uri)
                                    .bearer_auth(&key)
                                    .header("content-type", "application/json")
                                    .body(SAMPLE)
                                    .send()
                                    .await
                                    .expect("answer");
                                assert!(response.status().is_success());
                                black_box(response.bytes().await.expect("body"));
                            }
                        })
                    })
                    .buffer_unordered(HTTP_CLIENTS)
                    .for_each(|r| async move { r.expect("client task") })
                    .await;
                // Time per request as if exactly `iters` were sent.
                started
                    .elapsed()
                    .mul_f64(iters as f64 / (per_client * HTTP_CLIENTS as u64) as f64)
            })
        });
    });
    group.finish();

    let stats = emulator.routes.lookup(&base_path).expect("route");
    let served: u64 = stats
        .deployments
        .iter()
        .map(|d| d.runtime.served.load(std::sync::atomic::Ordering::Relaxed))
        .sum();
    eprintln!("served in total (live + mirrored): {served}");
    drop(s);
}

criterion_group!(benches, scoring_router);
criterion_main!(benches);
