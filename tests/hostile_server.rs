//! A hostile server on 127.0.0.1: endless and huge bodies, looping nextLinks, redirects and
//! status URLs to another origin, HTML error pages full of escape sequences, throttling.
//! The real client and the real binary's headless commands run against it; every case must end
//! with a clear error, the right exit code, and nothing injected into the terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aml_rollout::azure::retry::RetryPolicy;
use aml_rollout::azure::{
    AmlClient, AzureError, ClientOptions, MAX_INVOKE_BODY, MAX_MANAGEMENT_BODY, MAX_PAGES,
    StaticCredential, WorkspaceRef,
};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use headless_common::{Run, Sandbox};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

const WS: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rollout-demo/providers/Microsoft.MachineLearningServices/workspaces/demo-ws";
const TOKEN: &str = "hostile-test-token";
/// An escape-laden text: OSC window title (payload `PWNED`), clear screen, 8-bit CSI, bidi.
const INJECTION: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}31mred\u{202e}txet";

fn endpoints_path() -> String {
    format!("{WS}/onlineEndpoints")
}

fn endpoint_path(name: &str) -> String {
    format!("{WS}/onlineEndpoints/{name}")
}

/// What a script sees of a request.
struct Request<'a> {
    method: &'a Method,
    path: &'a str,
    query: &'a str,
    /// How many requests to this path came before.
    earlier: usize,
    base: &'a str,
}

type Script = dyn Fn(&Request) -> Response + Send + Sync;

#[derive(Clone)]
struct Shared {
    script: Arc<Script>,
    base: Arc<str>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    served_bytes: Arc<AtomicUsize>,
}

struct Server {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    served_bytes: Arc<AtomicUsize>,
}

impl Server {
    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    fn total_hits(&self) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|(key, _)| key.starts_with('/'))
            .map(|(_, n)| n)
            .sum()
    }

    fn client(&self, retry: RetryPolicy) -> AmlClient {
        AmlClient::new(
            StaticCredential::new(TOKEN),
            ClientOptions {
                base_url: self.base.clone(),
                retry,
                ..ClientOptions::default()
            },
        )
        .unwrap()
    }

    /// Requests seen with this method for `path`.
    fn hits_of(&self, method: &str, path: &str) -> usize {
        self.hits(&format!("{method} {path}"))
    }
}

async fn start(script: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shared = Shared {
        script: Arc::new(script),
        base: base.clone().into(),
        hits: Arc::default(),
        served_bytes: Arc::default(),
    };
    let server = Server {
        base,
        hits: shared.hits.clone(),
        served_bytes: shared.served_bytes.clone(),
    };
    let app = Router::new().fallback(answer).with_state(shared);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    server
}

async fn answer(State(shared): State<Shared>, method: Method, uri: Uri) -> Response {
    let path = uri.path().to_string();
    let earlier = {
        let mut hits = shared.hits.lock().unwrap();
        *hits.entry(format!("{method} {path}")).or_insert(0) += 1;
        let count = hits.entry(path.clone()).or_insert(0);
        *count += 1;
        *count - 1
    };
    let request = Request {
        method: &method,
        path: &path,
        query: uri.query().unwrap_or(""),
        earlier,
        base: &shared.base,
    };
    let mut response = (shared.script)(&request);
    if response.headers().get("x-endless").is_some() {
        response.headers_mut().remove("x-endless");
        *response.body_mut() = endless(shared.served_bytes.clone());
    }
    response
}

/// A body that never ends, counting what it hands out.
fn endless(served: Arc<AtomicUsize>) -> Body {
    let chunk = Bytes::from(vec![b' '; 64 << 10]);
    Body::from_stream(futures::stream::repeat_with(move || {
        served.fetch_add(chunk.len(), Ordering::Relaxed);
        Ok::<_, Infallible>(chunk.clone())
    }))
}

fn json_reply(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn with_header(mut response: Response, name: &'static str, value: &str) -> Response {
    response
        .headers_mut()
        .insert(name, HeaderValue::from_str(value).unwrap());
    response
}

fn endless_reply() -> Response {
    with_header(
        (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")]).into_response(),
        "x-endless",
        "1",
    )
}

fn endpoint_json(base: &str) -> Value {
    json!({
        "id": endpoint_path("my-endpoint"),
        "name": "my-endpoint",
        "location": "westus2",
        "properties": {
            "authMode": "Key",
            "scoringUri": format!("{base}/score"),
            "traffic": {"blue": 100},
            "provisioningState": "Succeeded"
        }
    })
}

fn deployments_json() -> Value {
    json!({"value": [
        {"name": "blue", "properties": {"endpointComputeType": "Managed", "provisioningState": "Succeeded"}},
        {"name": "green", "properties": {"endpointComputeType": "Managed", "provisioningState": "Succeeded"}}
    ]})
}

fn ws() -> WorkspaceRef {
    WorkspaceRef::new(
        "00000000-0000-0000-0000-000000000000",
        "rollout-demo",
        "demo-ws",
    )
}

/// The binary against the hostile server, with a clean environment.
fn run_binary(server: &Server, args: &[&str]) -> Run {
    let mut all = vec![
        "--emulator",
        server.base.as_str(),
        "--emulator-token",
        TOKEN,
        "-o",
        "json",
    ];
    all.extend_from_slice(args);
    Sandbox::new().run(&all)
}

/// Nothing that a terminal would act on: no ESC, no 8-bit CSI/OSC, no bidi override, and not
/// the payload of the OSC either.
fn assert_terminal_safe(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(|c: char| c == '\u{1b}'
                || ('\u{80}'..='\u{9f}').contains(&c)
                || c == '\u{202e}'
                || c == '\u{7}'),
            "{stream} carries control characters: {text:?}"
        );
        assert!(
            !text.contains("PWNED"),
            "{stream} carries an OSC payload: {text:?}"
        );
    }
}

fn runtime() -> Runtime {
    Runtime::new().unwrap()
}

#[test]
fn an_endless_body_ends_endpoint_list_with_an_error_not_an_abort() {
    let rt = runtime();
    let server = rt.block_on(start(|_| endless_reply()));
    let run = run_binary(&server, &["endpoint", "list"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("larger than 32 MiB"), "{}", run.stderr);
    // The client stopped reading at its cap: the server handed out little more than that
    // (what the sockets buffered), not an ever-growing body.
    let served = server.served_bytes.load(Ordering::Relaxed);
    assert!(
        served < MAX_MANAGEMENT_BODY + (16 << 20),
        "served {served} bytes"
    );
    assert_terminal_safe(&run);
}

#[tokio::test]
async fn a_body_announced_past_the_cap_is_refused_without_reading_it() {
    let server = start(|_| {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            vec![b' '; MAX_MANAGEMENT_BODY + 1],
        )
            .into_response()
    })
    .await;
    let err = server
        .client(RetryPolicy::none())
        .get_endpoint(&ws(), "my-endpoint")
        .await
        .unwrap_err();
    assert!(matches!(err, AzureError::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn an_endless_scoring_answer_stops_at_the_scoring_cap() {
    let server = start(|_| endless_reply()).await;
    let err = server
        .client(RetryPolicy::none())
        .invoke(
            &format!("{}/score", server.base),
            "key",
            None,
            b"{}".to_vec(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, AzureError::BodyTooLarge { limit, .. } if limit == MAX_INVOKE_BODY),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
}

#[test]
fn a_next_link_pointing_back_to_itself_stops_endpoint_list() {
    let rt = runtime();
    let server = rt.block_on(start(|r| {
        json_reply(
            200,
            json!({"value": [], "nextLink": format!("{}{}?{}", r.base, r.path, r.query)}),
        )
    }));
    let run = run_binary(&server, &["endpoint", "list"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("already sent"), "{}", run.stderr);
    assert_eq!(server.hits(&endpoints_path()), 2);
    assert_terminal_safe(&run);
}

#[tokio::test]
async fn fresh_next_links_without_end_stop_at_the_page_limit() {
    let server = start(|r| {
        json_reply(
            200,
            json!({"value": [], "nextLink": format!("{}{}?page={}", r.base, r.path, r.earlier + 1)}),
        )
    })
    .await;
    let err = server
        .client(RetryPolicy::none())
        .list_endpoints(&ws())
        .await
        .unwrap_err();
    assert!(matches!(err, AzureError::Pagination { .. }), "{err:?}");
    assert!(err.to_string().contains("pages"), "{err}");
    assert_eq!(server.hits(&endpoints_path()), MAX_PAGES);
}

#[test]
fn a_redirect_to_another_origin_is_refused_not_followed() {
    let rt = runtime();
    let server = rt.block_on(start(|r| {
        if r.path == "/elsewhere" {
            return json_reply(200, json!({"value": []}));
        }
        let target = format!("{}/elsewhere", r.base.replace("127.0.0.1", "localhost"));
        with_header(StatusCode::FOUND.into_response(), "location", &target)
    }));
    let run = run_binary(&server, &["endpoint", "list"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("refusing to follow a redirect"),
        "{}",
        run.stderr
    );
    assert_eq!(server.hits("/elsewhere"), 0);
    assert_terminal_safe(&run);
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let server = start(|r| {
        if r.path == "/moved" {
            return json_reply(200, json!({"value": [endpoint_json(r.base)]}));
        }
        with_header(
            StatusCode::TEMPORARY_REDIRECT.into_response(),
            "location",
            "/moved",
        )
    })
    .await;
    let endpoints = server
        .client(RetryPolicy::none())
        .list_endpoints(&ws())
        .await
        .unwrap();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(server.hits("/moved"), 1);
}

/// GET endpoint and deployments answer normally; the PUT is accepted with a status URL on
/// another origin.
fn accepting_server(r: &Request) -> Response {
    match (r.method.as_str(), r.path) {
        ("GET", p) if p == endpoint_path("my-endpoint") => json_reply(200, endpoint_json(r.base)),
        ("GET", p) if p.ends_with("/deployments") => json_reply(200, deployments_json()),
        ("PUT", p) if p == endpoint_path("my-endpoint") => with_header(
            json_reply(201, endpoint_json(r.base)),
            "azure-asyncoperation",
            &format!(
                "{}/operations/op1",
                r.base.replace("127.0.0.1", "localhost")
            ),
        ),
        _ => json_reply(404, json!({"error": {"code": "NotFound", "message": "no"}})),
    }
}

#[test]
fn a_cross_origin_status_url_after_a_traffic_change_says_the_change_was_sent() {
    let rt = runtime();
    let server = rt.block_on(start(accepting_server));
    let run = run_binary(
        &server,
        &["traffic", "-e", "my-endpoint", "blue=90 green=10"],
    );
    assert_eq!(
        run.code, 1,
        "sent, outcome unknown is not a usage error: {run:?}"
    );
    assert!(
        run.stderr
            .contains("the change was sent; its outcome is unknown: check with `endpoint show`"),
        "{}",
        run.stderr
    );
    assert_eq!(server.hits_of("PUT", &endpoint_path("my-endpoint")), 1);
    assert_eq!(
        server.hits("/operations/op1"),
        0,
        "no token to another origin"
    );
    assert_terminal_safe(&run);
}

#[test]
fn an_html_502_with_escape_sequences_shows_a_short_clean_excerpt() {
    let rt = runtime();
    let server = rt.block_on(start(|_| {
        let page = format!(
            "<html><head><title>502 Bad Gateway</title><style>h1 {{}}</style></head><body><h1>Bad gateway {INJECTION}</h1>{}</body></html>",
            "<p>filler</p>".repeat(5000)
        );
        // Retry-After: 0 makes the client's retries immediate.
        with_header(
            (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")], page).into_response(),
            "retry-after",
            "0",
        )
    }));
    let run = run_binary(&server, &["endpoint", "list"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("HTTP 502"), "{}", run.stderr);
    assert!(run.stderr.contains("Bad Gateway"), "{}", run.stderr);
    assert!(
        run.stderr.len() < 1000,
        "not a short excerpt: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("<p>"), "markup shown: {}", run.stderr);
    assert_terminal_safe(&run);
}

#[test]
fn an_arm_error_message_with_escape_sequences_reaches_the_terminal_clean() {
    let rt = runtime();
    let server = rt.block_on(start(|_| {
        json_reply(
            400,
            json!({"error": {"code": format!("Bad{INJECTION}"), "message": format!("refused {INJECTION} here")}}),
        )
    }));
    let run = run_binary(&server, &["endpoint", "show", "-n", "my-endpoint"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
    assert_terminal_safe(&run);
}

#[test]
fn dot_segments_and_empty_names_are_refused_before_any_request() {
    let rt = runtime();
    let server = rt.block_on(start(accepting_server));
    for name in ["..", ".", ""] {
        let run = run_binary(
            &server,
            &[
                "deployment",
                "delete",
                "-e",
                "my-endpoint",
                "-n",
                name,
                "--yes",
            ],
        );
        assert_eq!(run.code, 2, "{name:?}: {run:?}");
        assert!(
            run.stderr.contains("invalid deployment name"),
            "{}",
            run.stderr
        );
        let run = run_binary(&server, &["endpoint", "show", "-n", name]);
        assert_eq!(run.code, 2, "{name:?}: {run:?}");
        assert!(
            run.stderr.contains("invalid endpoint name"),
            "{}",
            run.stderr
        );
    }
    // Only the (valid) endpoint was read; no URL with a dot segment or an empty name was
    // requested, so neither the workspace, the endpoint list nor a deployment list was hit.
    let endpoint_reads = server.hits_of("GET", &endpoint_path("my-endpoint"));
    assert_eq!(server.total_hits(), endpoint_reads);
    assert_eq!(server.hits(WS), 0);
    assert_eq!(server.hits(&endpoints_path()), 0);
}

#[tokio::test]
async fn a_key_with_control_characters_is_a_clear_error_that_does_not_show_the_key() {
    let server = start(|_| json_reply(200, json!({}))).await;
    let err = server
        .client(RetryPolicy::none())
        .invoke(
            &format!("{}/score", server.base),
            "secret-key\r\nX-Injected: 1",
            None,
            b"{}".to_vec(),
        )
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("control characters"), "{message}");
    assert!(!message.contains("check the network"), "{message}");
    assert!(!message.contains("secret-key"), "{message}");
    assert!(err.nothing_sent());
    assert_eq!(server.total_hits(), 0);
}

#[tokio::test]
async fn reads_wait_out_a_429_as_the_service_asks_and_then_succeed() {
    let server = start(|r| match r.earlier {
        0 => with_header(
            json_reply(
                429,
                json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
            ),
            "retry-after",
            "1",
        ),
        _ => json_reply(200, json!({"value": [endpoint_json(r.base)]})),
    })
    .await;
    let retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(5),
    };
    let endpoints = server.client(retry).list_endpoints(&ws()).await.unwrap();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(server.hits(&endpoints_path()), 2);
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_its_own_error_with_the_wait() {
    let server = start(|_| {
        with_header(
            json_reply(
                429,
                json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
            ),
            "retry-after",
            "7",
        )
    })
    .await;
    let err = server
        .client(RetryPolicy::none())
        .list_endpoints(&ws())
        .await
        .unwrap_err();
    assert!(matches!(err, AzureError::Throttled { .. }), "{err:?}");
    assert_eq!(err.throttled(), Some(Some(Duration::from_secs(7))));
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert!(err.to_string().contains("wait 7s"), "{err}");
}

#[test]
fn a_server_failure_answering_a_traffic_change_exits_1_saying_it_was_sent() {
    let rt = runtime();
    let server = rt.block_on(start(|r| {
        if r.method == Method::PUT {
            return with_header(
                (StatusCode::BAD_GATEWAY, "<html>upstream died</html>").into_response(),
                "retry-after",
                "0",
            );
        }
        accepting_server(r)
    }));
    let run = run_binary(
        &server,
        &["traffic", "-e", "my-endpoint", "blue=90 green=10"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("the change was sent; its outcome is unknown: check with `endpoint show`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("HTTP 502"), "{}", run.stderr);
}

#[tokio::test]
async fn a_connection_dropped_after_a_change_left_is_outcome_unknown_and_a_refused_one_is_not() {
    // Accepts, reads the request, and hangs up without answering.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 64 << 10];
            let _ = socket.read(&mut buffer).await;
        }
    });
    let client = |base: &str| {
        AmlClient::new(
            StaticCredential::new(TOKEN),
            ClientOptions {
                base_url: base.to_string(),
                retry: RetryPolicy::none(),
                ..ClientOptions::default()
            },
        )
        .unwrap()
    };
    let body = json!({"location": "westus2", "properties": {"authMode": "Key"}});
    let err = client(&base)
        .begin_put_endpoint(&ws(), "my-endpoint", &body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AzureError::ChangeOutcomeUnknown { .. }),
        "{err:?}"
    );
    assert!(!err.nothing_sent());

    // A port nobody listens on: the connection is refused, so nothing left.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = client(&closed_base)
        .begin_put_endpoint(&ws(), "my-endpoint", &body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AzureError::Transport { sent: false, .. }),
        "{err:?}"
    );
    assert!(err.nothing_sent());
}

/// An Azure whose usages cannot be read (here: refused, with escape sequences in the
/// message): the quota is unknown, said so cleanly, and the scale is sent all the same.
#[test]
fn usages_that_cannot_be_read_leave_the_quota_unknown_and_the_scale_goes_ahead() {
    let rt = runtime();
    let location = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.MachineLearningServices/locations/westus2";
    let blue = format!("{WS}/onlineEndpoints/my-endpoint/deployments/blue");
    let (usages, sizes, blue_path) = (
        format!("{location}/usages"),
        format!("{location}/vmSizes"),
        blue.clone(),
    );
    let server = rt.block_on(start(move |r| {
        let deployment = |capacity: u64| {
            json!({
                "id": blue_path, "name": "blue", "location": "westus2",
                "sku": {"name": "Default", "capacity": capacity},
                "properties": {
                    "endpointComputeType": "Managed",
                    "instanceType": "Standard_DS3_v2",
                    "provisioningState": "Succeeded"
                }
            })
        };
        match (r.method.as_str(), r.path) {
            ("GET", p) if p == WS => json_reply(
                200,
                json!({"id": WS, "name": "demo-ws", "location": "westus2", "properties": {}}),
            ),
            ("GET", p) if p == blue_path => json_reply(200, deployment(1)),
            ("PUT", p) if p == blue_path => json_reply(200, deployment(40)),
            ("GET", p) if p == usages => json_reply(
                403,
                json!({"error": {"code": "AuthorizationFailed", "message": INJECTION}}),
            ),
            ("GET", p) if p == sizes => json_reply(
                200,
                json!({"value": [{"name": "Standard_DS3_v2", "family": "standardDSv2Family", "vCPUs": 4}]}),
            ),
            _ => json_reply(404, json!({"error": {"code": "NotFound", "message": "no"}})),
        }
    }));
    let run = run_binary(
        &server,
        &[
            "deployment",
            "scale",
            "-e",
            "my-endpoint",
            "-n",
            "blue",
            "40",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("quota unknown: usages not read:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("AuthorizationFailed"), "{}", run.stderr);
    assert_terminal_safe(&run);
    assert_eq!(server.hits(&format!("PUT {blue}")), 1, "the scale was sent");
}
