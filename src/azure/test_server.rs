//! A scripted HTTP server on 127.0.0.1 for the unit tests of the transport and the LRO engine:
//! each request is answered by a closure that sees the path and how often it was asked before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use reqwest::Url;
use tokio::net::TcpListener;

use super::StaticCredential;
use super::auth::{ARM_SCOPE, TokenCache};
use super::retry::RetryPolicy;
use super::transport::Transport;

type Script = dyn Fn(&Method, &str, usize) -> Response + Send + Sync;

#[derive(Clone)]
struct Shared {
    script: Arc<Script>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

pub(crate) struct TestServer {
    pub base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Requests seen so far for `path` (without the query).
    pub(super) fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// A transport to this server, without retries unless given a policy.
    pub(super) fn transport(&self, retry: RetryPolicy) -> Transport {
        Transport::new(
            Url::parse(&self.base).expect("test server URL"),
            "2025-12-01".to_string(),
            TokenCache::new(StaticCredential::new("test-token"), ARM_SCOPE),
            retry,
            Duration::from_secs(10),
            None,
        )
        .expect("transport")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `script(method, path, earlier_hits_of_path)` for every request.
pub(crate) async fn serve(
    script: impl Fn(&Method, &str, usize) -> Response + Send + Sync + 'static,
) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let shared = Shared {
        script: Arc::new(script),
        hits: Arc::new(Mutex::new(HashMap::new())),
    };
    let hits = shared.hits.clone();
    let app = Router::new().fallback(answer).with_state(shared);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestServer { base, hits, task }
}

async fn answer(State(shared): State<Shared>, method: Method, uri: Uri) -> Response {
    let path = uri.path().to_string();
    let earlier = {
        let mut hits = shared.hits.lock().expect("hits");
        let count = hits.entry(path.clone()).or_insert(0);
        *count += 1;
        *count - 1
    };
    (shared.script)(&method, &path, earlier)
}

/// A JSON answer with extra headers.
pub(crate) fn json(status: u16, body: serde_json::Value, headers: &[(&str, &str)]) -> Response {
    let mut response = (
        StatusCode::from_u16(status).expect("status"),
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    for (name, value) in headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            axum::http::HeaderValue::from_str(value).expect("header value"),
        );
    }
    response
}
