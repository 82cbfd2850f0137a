//! `Ops::endpoint_health` against a hostile server: it relays the management API to the real
//! emulator but answers the metrics query with a metric Azure Monitor failed to read. The
//! failure must come back with its reason, never as a table of zeros.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::sync::Arc;

use aml_rollout::azure::ClientOptions;
use aml_rollout::ops::{Ops, OpsError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

struct Relay {
    upstream: String,
    http: reqwest::Client,
}

async fn relay(
    State(relay): State<Arc<Relay>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if uri
        .path()
        .ends_with("/providers/Microsoft.Insights/metrics")
    {
        let broken = |name: &str| {
            json!({
                "name": {"value": name},
                "unit": "Count",
                "timeseries": [],
                "errorCode": "Throttled",
                "errorMessage": "\u{1b}[31mtoo many metric queries\u{1b}[0m",
            })
        };
        let value: Vec<_> = [
            "RequestsPerMinute",
            "RequestLatency_P50",
            "RequestLatency_P95",
            "RequestLatency_P99",
        ]
        .into_iter()
        .map(broken)
        .collect();
        return axum::Json(json!({"timespan": "x", "value": value})).into_response();
    }
    let url = format!(
        "{}{}",
        relay.upstream,
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut request = relay.http.request(method, url).body(body);
    if let Some(auth) = headers.get("authorization") {
        request = request.header("authorization", auth);
    }
    match request.send().await {
        Ok(answer) => {
            let status =
                StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let bytes = answer.bytes().await.unwrap_or_default();
            (status, [("content-type", "application/json")], bytes).into_response()
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

#[tokio::test]
async fn a_metric_azure_monitor_could_not_read_is_an_error_with_its_reason() {
    let emu = common::demo().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let app = axum::Router::new()
        .fallback(relay)
        .with_state(Arc::new(Relay {
            upstream: emu.base_url.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = emu
        .client_with(ClientOptions {
            base_url: format!("http://{address}"),
            ..ClientOptions::default()
        })
        .expect("client");
    let ops = Ops::new(
        Arc::new(client),
        common::ws(&emu),
        None,
        "hostile relay".to_string(),
        Arc::new(|_| {}),
    );
    let failure = ops
        .endpoint_health("my-endpoint", chrono::Utc::now())
        .await
        .expect_err("the metrics cannot be used");
    assert!(matches!(failure, OpsError::Metrics(_)), "{failure:?}");
    let text = failure.to_string();
    assert!(
        text.contains("RequestsPerMinute failed with Throttled"),
        "{text}"
    );
    // The same through the emulator itself works: the relay only breaks the metrics.
    let direct = Ops::new(
        Arc::new(emu.client().expect("client")),
        common::ws(&emu),
        None,
        "emulator".to_string(),
        Arc::new(|_| {}),
    );
    let health = direct
        .endpoint_health("my-endpoint", chrono::Utc::now())
        .await
        .expect("health");
    assert_eq!(health.baseline.as_deref(), Some("blue"));
    assert_eq!(health.deployments.len(), 1);
}
