//! The data plane: each endpoint's scoring URI, `{base}/inference/{sub}/{rg}/{ws}/{endpoint}/score`.
//!
//! A request is authenticated (the endpoint's keys, AML tokens or, for `AADToken`, the
//! emulator's token), routed by the live traffic weights (or pinned by the
//! `azureml-model-deployment` header), copied to the mirror deployment by the mirror percentage
//! when not pinned, and answered by the chosen deployment's model after its knobs' latency.
//! Every answer a deployment gives carries `azureml-model-deployment` (who served) and
//! `x-request-id`; every request a deployment serves adds a line to its `InferenceServer` log
//! and a sample to the endpoint's metrics.
//!
//! Deployments that cannot serve answer as Azure's router does, with a message saying why:
//! - never started (`Creating`, or its create `Failed`): **503** `DeploymentNotReady`;
//! - being deleted: **404** `DeploymentNotFound`;
//! - `Updating` / `Scaling`, or `Failed` after an earlier successful create: served by the
//!   containers already running, as Azure's rolling updates do.
//! - more than 2 × `maxConcurrentRequestsPerInstance` × instances in flight: **429** "Too many
//!   pending requests" (counted in metrics; it never reaches the container, so it is not logged).

pub mod knobs;
pub mod model;
pub mod routing;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use rand::Rng;
use serde_json::json;

use super::faults::Fault;
use crate::azure::model::ContainerType;
use crate::emulator::shared::Emulator;
use crate::emulator::store::DeploymentRuntime;
use routing::{Choice, DeploymentRoute, EndpointRoute, Readiness};

/// The request header that pins a deployment, and the response header naming who served.
pub const DEPLOYMENT_HEADER: &str = "azureml-model-deployment";
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const DEPLOYMENT_HEADER_NAME: HeaderName = HeaderName::from_static(DEPLOYMENT_HEADER);

/// One answer of the data plane, before it becomes an HTTP response.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// Who served (absent when no deployment was chosen: 401, unknown endpoint, no weight).
    pub deployment: Option<HeaderValue>,
    pub retry_after: Option<u64>,
    /// For 424: the status the model container answered with.
    pub model_error_status: Option<u16>,
}

impl Answer {
    fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        let body = json!({"error": {"code": code, "message": message.into()}});
        Self {
            status,
            body: serde_json::to_vec(&body).unwrap_or_default(),
            deployment: None,
            retry_after: None,
            model_error_status: None,
        }
    }

    fn from(mut self, deployment: &DeploymentRoute) -> Self {
        self.deployment = Some(deployment.header_value.clone());
        self
    }

    fn into_response(self, request_id: &str) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(v) = HeaderValue::from_str(request_id) {
            h.insert(REQUEST_ID_HEADER, v);
        }
        if let Some(d) = self.deployment {
            h.insert(DEPLOYMENT_HEADER_NAME, d);
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(status) = self.model_error_status {
            h.insert(
                HeaderName::from_static("ms-azureml-model-error-statuscode"),
                HeaderValue::from(status),
            );
            h.insert(
                HeaderName::from_static("ms-azureml-model-error-reason"),
                HeaderValue::from_static("model_error"),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The axum handler for everything under `/inference/`.
pub async fn handle(
    State(emulator): State<Arc<Emulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    score_request(&emulator, &method, uri.path(), &headers, body).await
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Serves one data-plane request: the whole path from the URL to the answer. Public so the
/// benchmark can drive it without HTTP.
pub async fn score_request(
    emulator: &Arc<Emulator>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = emulator.request_ids.next_id();
    let answer = route_and_serve(emulator, method, path, headers, body, &request_id).await;
    match answer {
        Some(answer) => answer.into_response(&request_id),
        None => super::dropped_connection(),
    }
}

/// `None`: the connection is to be dropped (an injected reset).
async fn route_and_serve(
    emulator: &Arc<Emulator>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
    request_id: &str,
) -> Option<Answer> {
    let (base, action) = path.trim_end_matches('/').rsplit_once('/')?;
    emulator.settle_if_due();
    let Some(route) = emulator.routes.lookup(base) else {
        return Some(Answer::error(
            StatusCode::NOT_FOUND,
            "EndpointNotFound",
            format!("No online endpoint is served at {base}."),
        ));
    };
    let now = unix_now();
    let authorized =
        bearer(headers).is_some_and(|b| route.accepts(b, &emulator.token, now.as_secs() as i64));
    if !authorized {
        return Some(Answer::error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "The request has no valid credential for this endpoint: send 'Authorization: Bearer <key or token>'.",
        ));
    }
    match (action, method) {
        ("score", &Method::POST) => {}
        ("swagger.json", &Method::GET) => return Some(swagger(&route)),
        ("score" | "swagger.json", _) => {
            return Some(Answer::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                format!("{method} is not allowed on /{action}."),
            ));
        }
        _ => {
            return Some(Answer::error(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("The endpoint serves /score and /swagger.json, not /{action}."),
            ));
        }
    }
    let pinned = headers
        .get(DEPLOYMENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let (live_roll, mirror_roll) = {
        let mut rng = rand::rng();
        (rng.random_range(0..100u32), rng.random_range(0..100u32))
    };
    let (live, mirror) = match route.choose(pinned, live_roll, mirror_roll) {
        Choice::Serve { live, mirror } => (live, mirror),
        Choice::UnknownDeployment => {
            return Some(Answer::error(
                StatusCode::NOT_FOUND,
                "DeploymentNotFound",
                format!(
                    "The endpoint has no deployment named '{}'.",
                    pinned.unwrap_or_default()
                ),
            ));
        }
        Choice::NoPositiveWeight => {
            return Some(Answer::error(
                StatusCode::NOT_FOUND,
                "NoValidDeployment",
                "The endpoint doesn't have any valid deployment with positive weight",
            ));
        }
    };
    let deployment = route.deployments.get(live)?.clone();
    // Faults at the front door, after routing so their statuses show up in the chosen
    // deployment's metrics (Azure counts router-side failures per deployment as well).
    match emulator.faults.scoring() {
        None => {}
        Some(Fault::Reset) => return None,
        Some(Fault::Stall(d)) => tokio::time::sleep(d).await,
        Some(Fault::Fail(f)) => {
            record_metrics(&route, &deployment, f.status, 0.0);
            let mut answer = Answer::error(f.status, &f.code, f.message).from(&deployment);
            answer.retry_after = f.retry_after;
            return Some(answer);
        }
    }
    if let Some(target) = mirror.and_then(|m| route.deployments.get(m)).cloned() {
        spawn_mirror_copy(emulator, route.clone(), target, request_id, body.clone());
    }
    Some(serve(&route, &deployment, request_id, &body, false).await)
}

/// Copies a request to the mirror deployment; its answer is discarded.
fn spawn_mirror_copy(
    emulator: &Arc<Emulator>,
    route: Arc<EndpointRoute>,
    target: Arc<DeploymentRoute>,
    request_id: &str,
    body: Bytes,
) {
    let pending = PendingMirror::new(emulator.clone());
    let request_id = request_id.to_string();
    tokio::spawn(async move {
        let _pending = pending;
        let _ = serve(&route, &target, &request_id, &body, true).await;
    });
}

/// Counts mirror copies not yet served (so a caller can wait for the copies of what it sent).
struct PendingMirror(Arc<Emulator>);

impl PendingMirror {
    fn new(emulator: Arc<Emulator>) -> Self {
        emulator.mirrors_pending.fetch_add(1, Ordering::AcqRel);
        Self(emulator)
    }
}

impl Drop for PendingMirror {
    fn drop(&mut self) {
        self.0.mirrors_pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A concurrency slot of a deployment, given back when the request ends (also when the
/// caller hangs up and the request's future is dropped).
struct InFlightSlot<'a>(&'a DeploymentRuntime);

impl<'a> InFlightSlot<'a> {
    fn acquire(runtime: &'a DeploymentRuntime, limit: u32) -> Option<Self> {
        let before = runtime.in_flight.fetch_add(1, Ordering::AcqRel);
        if before >= limit {
            runtime.in_flight.fetch_sub(1, Ordering::AcqRel);
            None
        } else {
            Some(Self(runtime))
        }
    }
}

impl Drop for InFlightSlot<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

fn record_metrics(route: &EndpointRoute, d: &DeploymentRoute, status: StatusCode, ms: f64) {
    let minute = (unix_now().as_secs() / 60) as i64;
    route.metrics.record(minute, &d.name, status.as_u16(), ms);
}

/// One deployment serves one request (live or a mirrored copy).
async fn serve(
    route: &EndpointRoute,
    d: &DeploymentRoute,
    request_id: &str,
    body: &[u8],
    mirrored: bool,
) -> Answer {
    let started = Instant::now();
    match d.readiness {
        Readiness::Serving => {}
        Readiness::NotReady => {
            record_metrics(route, d, StatusCode::SERVICE_UNAVAILABLE, 0.0);
            return Answer::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "DeploymentNotReady",
                format!(
                    "Deployment '{}' is not ready to serve (provisioningState {}); retry once its provisioning has succeeded.",
                    d.name, d.provisioning_state
                ),
            )
            .from(d);
        }
        Readiness::Deleting => {
            record_metrics(route, d, StatusCode::NOT_FOUND, 0.0);
            return Answer::error(
                StatusCode::NOT_FOUND,
                "DeploymentNotFound",
                format!("Deployment '{}' is being deleted.", d.name),
            )
            .from(d);
        }
    }
    let Some(_slot) = InFlightSlot::acquire(&d.runtime, d.max_in_flight) else {
        d.runtime.rejected.fetch_add(1, Ordering::Relaxed);
        record_metrics(route, d, StatusCode::TOO_MANY_REQUESTS, 0.0);
        return Answer::error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            format!(
                "Too many pending requests: deployment '{}' has {} in flight, its bound with {} instance(s) (2 x maxConcurrentRequestsPerInstance x instances). Scale out or slow down.",
                d.name, d.max_in_flight, d.instances
            ),
        )
        .from(d);
    };
    let latency = d.knobs.draw_latency();
    let answer = if d.knobs.draw_error() {
        let status =
            StatusCode::from_u16(d.knobs.error_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut a = Answer::error(
            status,
            "ModelError",
            format!(
                "Deployment '{}' failed to score the request (an emulator knob: error_rate {}).",
                d.name, d.knobs.error_rate
            ),
        );
        if status == StatusCode::FAILED_DEPENDENCY {
            a.model_error_status = Some(500);
        }
        a
    } else {
        match d.model.score(body) {
            Ok(predictions) => Answer {
                status: StatusCode::OK,
                body: predictions,
                deployment: None,
                retry_after: None,
                model_error_status: None,
            },
            Err(message) => Answer::error(StatusCode::BAD_REQUEST, "ScoringScriptError", message),
        }
    };
    let remaining = latency.saturating_sub(started.elapsed());
    // Below a millisecond the timer cannot wait precisely; such latencies are just served.
    if remaining >= Duration::from_millis(1) {
        tokio::time::sleep(remaining).await;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let rt = &d.runtime;
    rt.served.fetch_add(1, Ordering::Relaxed);
    if mirrored {
        rt.mirrored.fetch_add(1, Ordering::Relaxed);
    }
    if !answer.status.is_success() {
        rt.errors.fetch_add(1, Ordering::Relaxed);
    }
    rt.log(
        ContainerType::InferenceServer,
        &format!(
            // What an operator scans for first comes first: a narrow pane cuts the end.
            "POST /score {} {ms:.1}ms mirrored={} x-request-id={request_id}",
            answer.status.as_u16(),
            if mirrored { "yes" } else { "no" }
        ),
    );
    record_metrics(route, d, answer.status, ms);
    answer.from(d)
}

/// A minimal OpenAPI 2.0 description of the scoring route.
fn swagger(route: &EndpointRoute) -> Answer {
    let doc = json!({
        "swagger": "2.0",
        "info": {"title": route.name, "description": "API specification for the Azure Machine Learning service (emulated)", "version": "1.0"},
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {"Bearer": {"type": "apiKey", "name": "Authorization", "in": "header"}},
        "paths": {
            "/score": {
                "post": {
                    "description": "Run the model on rows of numbers",
                    "security": [{"Bearer": []}],
                    "parameters": [{"name": "data", "in": "body", "required": true, "schema": {"$ref": "#/definitions/ServiceInput"}}],
                    "responses": {
                        "200": {"description": "One prediction per row", "schema": {"$ref": "#/definitions/ServiceOutput"}},
                        "default": {"description": "An error", "schema": {"$ref": "#/definitions/ErrorResponse"}}
                    }
                }
            }
        },
        "definitions": {
            "ServiceInput": {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}},
            "ServiceOutput": {"type": "array", "items": {"type": "number"}},
            "ErrorResponse": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
        }
    });
    Answer {
        status: StatusCode::OK,
        body: serde_json::to_vec(&doc).unwrap_or_default(),
        deployment: None,
        retry_after: None,
        model_error_status: None,
    }
}
