//! The emulator's data plane over real HTTP on 127.0.0.1, driven by the real `AmlClient`:
//! routing by traffic weights, mirroring, pinning, knobs, the concurrency bound, logs and
//! Azure Monitor metrics from what was served, faults, synthetic load and bounded memory.
//!
//! Statistical assertions use bounds of about five standard deviations, so they do not flake;
//! nothing asserts on how long the test itself took.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::BTreeMap;
use std::time::Duration;

use aml_rollout::azure::az_yaml::deployment_from_yaml;
use aml_rollout::azure::model::{ContainerType, MetricsResponse};
use aml_rollout::azure::{AmlClient, InvokeResponse, MetricsQuery, SplitChange, WorkspaceRef};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

const ENDPOINT: &str = "my-endpoint";
const SAMPLE: &str = include_str!("../assets/demo/sample-request.json");
const GREEN_YAML: &str = include_str!("../assets/demo/green-deployment.yml");

struct Demo {
    emu: RunningEmulator,
    client: AmlClient,
    ws: WorkspaceRef,
    uri: String,
    key: String,
    http: reqwest::Client,
}

async fn demo_with(config: EmulatorConfig) -> Demo {
    let emu = emulator::start(config).await.expect("emulator starts");
    let client = emu.client().unwrap();
    let ws = emu.workspace.clone();
    let endpoint = client.get_endpoint(&ws, ENDPOINT).await.expect("endpoint");
    let uri = endpoint
        .properties
        .scoring_uri
        .clone()
        .expect("scoring uri");
    let key = client
        .list_keys(&ws, ENDPOINT)
        .await
        .expect("keys")
        .primary_key
        .expect("primary key");
    Demo {
        emu,
        client,
        ws,
        uri,
        key,
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client"),
    }
}

async fn demo() -> Demo {
    demo_with(EmulatorConfig::for_tests()).await
}

impl Demo {
    async fn create_green(&self) {
        let spec = deployment_from_yaml("green-deployment.yml", GREEN_YAML, "westus2", &self.ws)
            .expect("green yaml");
        let op = self
            .client
            .begin_put_deployment(&self.ws, ENDPOINT, &spec.name, &spec.body)
            .await
            .expect("put green");
        self.client
            .wait(&op, &mut |_| {})
            .await
            .expect("green created");
    }

    async fn set_split(&self, live: &[(&str, u32)], mirror: &[(&str, u32)]) {
        let map = |pairs: &[(&str, u32)]| -> BTreeMap<String, u32> {
            pairs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect()
        };
        let update = self
            .client
            .begin_update_split(
                &self.ws,
                ENDPOINT,
                &SplitChange {
                    live: Some(map(live)),
                    mirror: Some(map(mirror)),
                    expect: None,
                },
            )
            .await
            .expect("split accepted");
        self.client
            .wait(&update.operation, &mut |_| {})
            .await
            .expect("split applied");
    }

    async fn fire(
        &self,
        n: usize,
        concurrency: usize,
        pinned: Option<&str>,
    ) -> Vec<InvokeResponse> {
        self.fire_body(n, concurrency, pinned, SAMPLE).await
    }

    async fn fire_body(
        &self,
        n: usize,
        concurrency: usize,
        pinned: Option<&str>,
        body: &str,
    ) -> Vec<InvokeResponse> {
        futures::stream::iter(0..n)
            .map(|_| {
                self.client
                    .invoke(&self.uri, &self.key, pinned, body.as_bytes().to_vec())
            })
            .buffer_unordered(concurrency)
            .map(|r| r.expect("an HTTP answer"))
            .collect()
            .await
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emu.base_url))
            .bearer_auth(&self.emu.token);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("control API answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    async fn set_knobs(&self, deployment: &str, knobs: Value) {
        self.control(
            reqwest::Method::PUT,
            &format!("/_emulator/deployments/{ENDPOINT}/{deployment}/knobs"),
            Some(knobs),
        )
        .await;
    }

    async fn stats(&self) -> Value {
        self.control(reqwest::Method::GET, "/_emulator/stats", None)
            .await
    }

    async fn deployment_stats(&self, deployment: &str) -> Value {
        let stats = self.stats().await;
        stats["endpoints"][0]["deployments"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["name"] == deployment).cloned())
            .unwrap_or(Value::Null)
    }

    /// Waits until every mirror copy sent so far has been served (they run after the caller
    /// got its answer).
    async fn mirrors_settled(&self) {
        for _ in 0..1_000 {
            if self.stats().await["mirrorsPending"] == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("mirror copies never finished");
    }

    async fn request_lines(&self, deployment: &str) -> Vec<String> {
        let logs = self
            .client
            .get_logs(
                &self.ws,
                ENDPOINT,
                deployment,
                ContainerType::InferenceServer,
                None,
            )
            .await
            .expect("logs");
        logs.lines()
            .filter(|l| l.contains("POST /score"))
            .map(str::to_string)
            .collect()
    }

    async fn metrics(&self, names: &str, aggregation: &str, filter: &str) -> MetricsResponse {
        let now = chrono::Utc::now();
        self.client
            .get_metrics(
                &AmlClient::endpoint_resource_id(&self.ws, ENDPOINT),
                &MetricsQuery {
                    metric_names: names.split(',').map(str::to_string).collect(),
                    timespan: Some((
                        now - chrono::Duration::minutes(10),
                        now + chrono::Duration::minutes(2),
                    )),
                    interval: Some("PT1M".into()),
                    aggregations: aggregation.split(',').map(str::to_string).collect(),
                    filter: Some(filter.to_string()),
                    top: None,
                },
            )
            .await
            .expect("metrics")
    }
}

fn served_by(answers: &[InvokeResponse], deployment: &str) -> usize {
    answers
        .iter()
        .filter(|a| a.deployment.as_deref() == Some(deployment))
        .count()
}

/// Within `sigmas` standard deviations of a binomial(n, p).
fn within(count: usize, n: usize, p: f64, sigmas: f64) -> bool {
    let mean = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    (count as f64 - mean).abs() <= sigmas * sd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_traffic_splits_by_weight_and_every_answer_names_its_deployment() {
    let d = demo().await;
    d.create_green().await;
    d.set_split(&[("blue", 90), ("green", 10)], &[]).await;
    let answers = d.fire(2000, 16, None).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    assert!(answers.iter().all(|a| a.request_id.is_some()));
    let green = served_by(&answers, "green");
    let blue = served_by(&answers, "blue");
    assert_eq!(green + blue, 2000, "every answer names blue or green");
    assert!(
        within(green, 2000, 0.1, 5.0),
        "green served {green} of 2000"
    );
    // Different models answer differently; the same model the same.
    let body_of = |name: &str| {
        answers
            .iter()
            .find(|a| a.deployment.as_deref() == Some(name))
            .map(|a| a.body.clone())
    };
    assert_ne!(body_of("blue"), body_of("green"));
    assert!(
        answers
            .iter()
            .filter(|a| a.deployment.as_deref() == Some("blue"))
            .all(|a| Some(&a.body) == body_of("blue").as_ref())
    );
    // Each served request is one access-log line.
    assert_eq!(d.request_lines("green").await.len(), green);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_copies_its_share_and_the_caller_only_sees_the_live_answer() {
    let d = demo().await;
    d.create_green().await;
    d.set_split(&[("blue", 100)], &[("green", 10)]).await;
    let answers = d.fire(1000, 16, None).await;
    assert_eq!(
        served_by(&answers, "blue"),
        1000,
        "callers get only blue's answers"
    );
    d.mirrors_settled().await;
    let green_lines = d.request_lines("green").await;
    let mirrored = green_lines
        .iter()
        .filter(|l| l.contains(" mirrored=yes "))
        .count();
    assert_eq!(mirrored, green_lines.len(), "green only got copies");
    assert!(
        within(mirrored, 1000, 0.1, 5.0),
        "green got {mirrored} copies of 1000"
    );
    assert!(
        d.request_lines("blue")
            .await
            .iter()
            .all(|l| l.contains(" mirrored=no "))
    );

    // Pinned requests are never mirrored...
    let pinned_blue = d.fire(300, 16, Some("blue")).await;
    assert_eq!(served_by(&pinned_blue, "blue"), 300);
    d.mirrors_settled().await;
    assert_eq!(d.request_lines("green").await.len(), green_lines.len());
    // ...and a pin reaches the mirror target itself, as a live request.
    let pinned_green = d.fire(20, 4, Some("GREEN")).await;
    assert_eq!(served_by(&pinned_green, "green"), 20);
    let lines = d.request_lines("green").await;
    assert_eq!(
        lines.iter().filter(|l| l.contains(" mirrored=no ")).count(),
        20
    );
    let stats = d.deployment_stats("green").await;
    assert_eq!(stats["mirrored"], mirrored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_traffic_deployments_get_nothing_unpinned_and_unknown_pins_are_404() {
    let d = demo().await;
    d.create_green().await;
    let answers = d.fire(400, 16, None).await;
    assert_eq!(served_by(&answers, "blue"), 400);
    assert!(d.request_lines("green").await.is_empty());

    let unknown = d.fire(1, 1, Some("red")).await;
    assert_eq!(unknown[0].status, StatusCode::NOT_FOUND);
    assert!(unknown[0].body.contains("red"), "{}", unknown[0].body);

    d.set_split(&[], &[]).await;
    let none = d.fire(1, 1, None).await;
    assert_eq!(none[0].status, StatusCode::NOT_FOUND);
    assert!(
        none[0]
            .body
            .contains("The endpoint doesn't have any valid deployment with positive weight"),
        "{}",
        none[0].body
    );
    // A pin still works with no live traffic at all.
    let pinned = d.fire(1, 1, Some("green")).await;
    assert_eq!(pinned[0].status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knobs_change_latency_and_errors_as_set() {
    let d = demo().await;
    d.create_green().await;
    d.set_knobs("green", json!({"latency_ms": 40})).await;
    // Below green's concurrency bound (8), so none is turned away.
    let slow = d.fire(20, 4, Some("green")).await;
    assert!(slow.iter().all(|a| a.status == StatusCode::OK));
    // The logged service time is at least the knob's latency.
    let lines = d.request_lines("green").await;
    assert_eq!(lines.len(), 20);
    for line in &lines {
        let ms: f64 = line
            .split_whitespace()
            .find_map(|w| w.strip_suffix("ms").and_then(|n| n.parse().ok()))
            .expect("a latency in the line");
        assert!(ms >= 39.0, "{line}");
    }
    let latency = d
        .metrics(
            "RequestLatency,RequestLatency_P50,RequestLatency_P99",
            "average",
            "deployment eq '*'",
        )
        .await;
    for name in ["RequestLatency", "RequestLatency_P50", "RequestLatency_P99"] {
        let metric = latency.metric(name).expect("metric");
        let green = metric.series_where("deployment", "green");
        let value = green
            .iter()
            .filter_map(|s| s.latest_average())
            .fold(0.0_f64, f64::max);
        assert!(value >= 38.0, "{name} of green is {value}");
    }

    d.set_knobs("green", json!({"error_rate": 1.0, "error_status": 503}))
        .await;
    let failing = d.fire(30, 4, Some("green")).await;
    assert!(
        failing
            .iter()
            .all(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(served_by(&failing, "green"), 30);

    d.set_knobs("green", json!({"error_rate": 0.5, "error_status": 424}))
        .await;
    let half = d.fire(400, 8, Some("green")).await;
    let failed = half
        .iter()
        .filter(|a| a.status == StatusCode::FAILED_DEPENDENCY)
        .count();
    let ok = half.iter().filter(|a| a.status == StatusCode::OK).count();
    assert_eq!(failed + ok, 400);
    assert!(within(failed, 400, 0.5, 5.0), "{failed} of 400 failed");

    // Back to the default.
    d.control(
        reqwest::Method::DELETE,
        &format!("/_emulator/deployments/{ENDPOINT}/green/knobs"),
        None,
    )
    .await;
    let fine = d.fire(20, 4, Some("green")).await;
    assert!(fine.iter().all(|a| a.status == StatusCode::OK));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_agree_with_what_was_sent() {
    let d = demo().await;
    d.create_green().await;
    d.set_split(&[("blue", 90), ("green", 10)], &[]).await;
    let answers = d.fire(600, 16, None).await;
    let malformed = d.fire_body(7, 4, Some("blue"), "{\"rows\": 1}").await;
    assert!(
        malformed
            .iter()
            .all(|a| a.status == StatusCode::BAD_REQUEST)
    );
    let sent_blue = served_by(&answers, "blue") + 7;
    let sent_green = served_by(&answers, "green");

    let m = d
        .metrics("RequestsPerMinute", "total", "deployment eq '*'")
        .await;
    assert_eq!(
        m.namespace.as_deref(),
        Some("Microsoft.MachineLearningServices/workspaces/onlineEndpoints")
    );
    let rpm = m.metric("RequestsPerMinute").expect("RequestsPerMinute");
    assert_eq!(rpm.unit, "Count");
    assert_eq!(rpm.error_code.as_deref(), Some("Success"));
    let total = |dep: &str| -> f64 {
        rpm.series_where("deployment", dep)
            .iter()
            .map(|s| s.sum_of_totals())
            .sum()
    };
    assert_eq!(total("blue"), sent_blue as f64);
    assert_eq!(total("green"), sent_green as f64);

    let by_status = d
        .metrics(
            "RequestsPerMinute",
            "total",
            "deployment eq 'blue' and statusCode eq '*'",
        )
        .await;
    let rpm = by_status.metric("RequestsPerMinute").expect("metric");
    let status_total = |code: &str| -> f64 {
        rpm.series_where("statusCode", code)
            .iter()
            .map(|s| s.sum_of_totals())
            .sum()
    };
    assert_eq!(status_total("400"), 7.0);
    assert_eq!(status_total("200"), (sent_blue - 7) as f64);
    assert!(
        rpm.timeseries
            .iter()
            .all(|s| s.dimension("deployment") == Some("blue"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_checked_per_auth_mode() {
    let d = demo().await;
    let call = |uri: String, bearer: Option<String>| {
        let http = d.http.clone();
        async move {
            let mut r = http
                .post(uri)
                .header("content-type", "application/json")
                .body(SAMPLE);
            if let Some(b) = bearer {
                r = r.bearer_auth(b);
            }
            r.send().await.expect("answer").status()
        }
    };
    assert_eq!(call(d.uri.clone(), None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call(d.uri.clone(), Some("wrong".into())).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(d.uri.clone(), Some(d.emu.token.clone())).await,
        StatusCode::UNAUTHORIZED
    );
    let keys = d.client.list_keys(&d.ws, ENDPOINT).await.expect("keys");
    assert_eq!(
        call(d.uri.clone(), keys.secondary_key.clone()).await,
        StatusCode::OK
    );

    // AMLToken: a token from /token works; the other endpoint's key does not.
    for (name, mode) in [("tok-endpoint", "AMLToken"), ("aad-endpoint", "AADToken")] {
        let op = d
            .client
            .begin_put_endpoint(
                &d.ws,
                name,
                &json!({"location": "westus2", "properties": {"authMode": mode}}),
            )
            .await
            .expect("put endpoint");
        d.client.wait(&op, &mut |_| {}).await.expect("created");
    }
    let tok = d
        .client
        .get_endpoint(&d.ws, "tok-endpoint")
        .await
        .expect("endpoint");
    let tok_uri = tok.properties.scoring_uri.clone().expect("uri");
    let token = d
        .client
        .get_token(&d.ws, "tok-endpoint")
        .await
        .expect("token")
        .access_token;
    // Authenticated, but nothing deployed: 404, not 401.
    assert_eq!(call(tok_uri.clone(), token).await, StatusCode::NOT_FOUND);
    assert_eq!(
        call(tok_uri, Some(d.key.clone())).await,
        StatusCode::UNAUTHORIZED
    );
    let aad = d
        .client
        .get_endpoint(&d.ws, "aad-endpoint")
        .await
        .expect("endpoint");
    let aad_uri = aad.properties.scoring_uri.clone().expect("uri");
    assert_eq!(
        call(aad_uri.clone(), Some(d.emu.token.clone())).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(aad_uri, Some("nope".into())).await,
        StatusCode::UNAUTHORIZED
    );

    // The control API takes the emulator's token.
    let status = d
        .http
        .get(format!("{}/_emulator/stats", d.emu.base_url))
        .send()
        .await
        .expect("answer")
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let swagger = d
        .http
        .get(d.uri.replace("/score", "/swagger.json"))
        .bearer_auth(&d.key)
        .send()
        .await
        .expect("answer");
    assert_eq!(swagger.status(), StatusCode::OK);
    let doc: Value = swagger.json().await.expect("json");
    assert_eq!(doc["swagger"], "2.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_bounded_by_instances_and_scaling_lifts_the_bound() {
    let d = demo().await;
    // blue: 4 concurrent requests per instance, 1 instance: 8 in flight at most.
    d.set_knobs("blue", json!({"latency_ms": 300})).await;
    let answers = d.fire(20, 20, None).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let throttled: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(ok + throttled.len(), 20);
    assert!(
        !throttled.is_empty(),
        "20 at once is past blue's bound of 8"
    );
    assert!(
        throttled[0].body.contains("Too many pending requests"),
        "{}",
        throttled[0].body
    );
    assert_eq!(throttled[0].deployment.as_deref(), Some("blue"));
    assert_eq!(d.deployment_stats("blue").await["maxInFlight"], 8);

    let op = d
        .client
        .begin_scale_deployment(&d.ws, ENDPOINT, "blue", 3)
        .await
        .expect("scale");
    d.client.wait(&op, &mut |_| {}).await.expect("scaled");
    assert_eq!(d.deployment_stats("blue").await["maxInFlight"], 24);
    let answers = d.fire(20, 20, None).await;
    assert!(
        answers.iter().all(|a| a.status == StatusCode::OK),
        "3 instances take 24 at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_is_a_400_from_the_scoring_script() {
    let d = demo().await;
    for body in ["not json", "{\"data\": [[1, \"x\"]]}", "[1, 2]"] {
        let a = &d.fire_body(1, 1, None, body).await[0];
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(a.deployment.as_deref(), Some("blue"));
        assert!(a.body.contains("{\\\"data\\\""), "{}", a.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_still_being_created_answers_503() {
    let d = demo_with(EmulatorConfig {
        operation_duration: Duration::from_secs(60),
        ..EmulatorConfig::for_tests()
    })
    .await;
    let spec =
        deployment_from_yaml("green-deployment.yml", GREEN_YAML, "westus2", &d.ws).expect("yaml");
    d.client
        .begin_put_deployment(&d.ws, ENDPOINT, "green", &spec.body)
        .await
        .expect("creation starts");
    let a = &d.fire(1, 1, Some("green")).await[0];
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(a.body.contains("Creating"), "{}", a.body);
    // Blue is untouched.
    assert_eq!(d.fire(1, 1, None).await[0].status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoring_faults_are_injected_and_can_be_turned_off() {
    let d = demo().await;
    d.control(
        reqwest::Method::PUT,
        "/_emulator/faults",
        Some(json!({"scoring": {"throttle": 1.0, "retry_after_secs": 2}})),
    )
    .await;
    let response = d
        .http
        .post(&d.uri)
        .bearer_auth(&d.key)
        .body(SAMPLE)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    d.control(
        reqwest::Method::PUT,
        "/_emulator/faults",
        Some(json!({"scoring": {"reset": 1.0}})),
    )
    .await;
    let reset = d.client.invoke(&d.uri, &d.key, None, SAMPLE.into()).await;
    assert!(reset.is_err(), "the connection drops");
    d.control(reqwest::Method::PUT, "/_emulator/faults", Some(json!({})))
        .await;
    assert_eq!(
        d.fire(5, 5, None)
            .await
            .iter()
            .filter(|a| a.status == StatusCode::OK)
            .count(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_under_sustained_load() {
    let d = demo_with(EmulatorConfig {
        log_ring_lines: 150,
        ..EmulatorConfig::for_tests()
    })
    .await;
    let answers = d.fire(1500, 16, None).await;
    assert_eq!(served_by(&answers, "blue"), 1500);
    let stats = d.deployment_stats("blue").await;
    assert_eq!(stats["served"], 1500);
    assert_eq!(stats["logCapacity"], 150);
    assert_eq!(stats["logLines"]["InferenceServer"], 150);
    let lines = d
        .client
        .get_logs(
            &d.ws,
            ENDPOINT,
            "blue",
            ContainerType::InferenceServer,
            None,
        )
        .await
        .expect("logs");
    assert_eq!(lines.lines().count(), 150);
    let endpoint = &d.stats().await["endpoints"][0];
    let kept = endpoint["metricMinutes"].as_u64().expect("minutes");
    assert!(kept >= 1 && kept <= endpoint["metricMinutesCap"].as_u64().expect("cap"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthetic_load_reaches_live_deployments_and_stops_with_the_emulator() {
    let d = demo_with(EmulatorConfig {
        load_rps: Some(200.0),
        ..EmulatorConfig::for_tests()
    })
    .await;
    let mut served = 0;
    for _ in 0..500 {
        served = d.deployment_stats("blue").await["served"]
            .as_u64()
            .unwrap_or(0);
        if served >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(served >= 20, "the load reached blue ({served} served)");
    let load = &d.stats().await["load"];
    assert_eq!(load["rps"], 200.0);
    assert_eq!(load["failed"], 0);
    // Stopping the emulator stops the load with it.
    d.control(
        reqwest::Method::PUT,
        "/_emulator/load",
        Some(json!({"rps": 0})),
    )
    .await;
    d.emu.stop().await;
}

/// Like Azure's deployment metrics: a mirrored copy counts on the deployment that served it,
/// while the caller only ever saw the live answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrored_copies_count_in_the_metrics_of_the_deployment_that_served_them() {
    let d = demo().await;
    d.create_green().await;
    d.set_split(&[("blue", 100)], &[("green", 50)]).await;
    let answers = d.fire(400, 16, None).await;
    assert_eq!(served_by(&answers, "blue"), 400, "callers see only blue");
    d.mirrors_settled().await;
    let mirrored = d
        .request_lines("green")
        .await
        .iter()
        .filter(|l| l.contains(" mirrored=yes "))
        .count();
    assert!(mirrored > 0, "green got copies");
    let m = d
        .metrics("RequestsPerMinute", "total", "deployment eq '*'")
        .await;
    let rpm = m.metric("RequestsPerMinute").expect("RequestsPerMinute");
    let total = |dep: &str| -> f64 {
        rpm.series_where("deployment", dep)
            .iter()
            .map(|s| s.sum_of_totals())
            .sum()
    };
    assert_eq!(total("blue"), 400.0);
    assert_eq!(total("green"), mirrored as f64);
}

/// `--metrics-lag-secs`: like Azure Monitor, a minute appears only that long after it ended,
/// so requests just served are not in the metrics yet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_metrics_hide_the_minutes_not_yet_published() {
    let d = demo_with(EmulatorConfig {
        metrics_lag: std::time::Duration::from_secs(180),
        ..EmulatorConfig::for_tests()
    })
    .await;
    let answers = d.fire(50, 8, None).await;
    assert_eq!(served_by(&answers, "blue"), 50);
    let m = d
        .metrics("RequestsPerMinute", "total", "deployment eq '*'")
        .await;
    let rpm = m.metric("RequestsPerMinute").expect("RequestsPerMinute");
    let total: f64 = rpm.timeseries.iter().map(|s| s.sum_of_totals()).sum();
    assert_eq!(total, 0.0, "nothing published yet");
    // The same requests on an emulator without lag are there at once.
    let prompt = demo().await;
    prompt.fire(50, 8, None).await;
    let m = prompt
        .metrics("RequestsPerMinute", "total", "deployment eq '*'")
        .await;
    let rpm = m.metric("RequestsPerMinute").expect("RequestsPerMinute");
    let total: f64 = rpm.timeseries.iter().map(|s| s.sum_of_totals()).sum();
    assert_eq!(total, 50.0);
}
