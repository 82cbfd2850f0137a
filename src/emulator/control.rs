//! The emulator's control API, for tests, demos and the operator's curiosity. It lives under
//! `/_emulator/`, which no ARM path can start with, and takes the emulator's bearer token (the
//! same one ARM calls take).
//!
//! | method | path | body / answer |
//! | --- | --- | --- |
//! | `GET` | `/_emulator/stats` | per endpoint and deployment: state, instances, concurrency bound, in flight, served, mirrored, errors, rejected (429), log lines kept and their cap, metric minutes kept and their cap; pending mirror copies; the load generator's counters |
//! | `GET` | `/_emulator/knobs` | `{"default": Knobs, "settings": [{"endpoint", "deployment", "knobs"}]}` |
//! | `GET` / `PUT` / `DELETE` | `/_emulator/deployments/{endpoint}/{deployment}/knobs` | a deployment's knobs: `{"latency_ms": 300, "latency_sigma": 0.3, "error_rate": 0.2, "error_status": 503}` (fields left out take the defaults); `{endpoint}` may be `*` (any endpoint); the deployment need not exist yet; `DELETE` goes back to the default |
//! | `GET` / `PUT` | `/_emulator/faults` | the fault profile: `{"management": FaultRates, "scoring": FaultRates, "lro_failure": p}` with `FaultRates = {"throttle", "server_error", "reset", "stall", "stall_ms", "retry_after_secs"}` |
//! | `GET` / `PUT` | `/_emulator/load` | the synthetic load: `{"rps": 20}` per endpoint with live traffic; 0 stops it |
//! | `GET` | `/_emulator/requests` | management requests received so far by the ARM bucket they draw on, throttled ones included: `{"reads", "writes", "deletes"}` |
//! | `GET` / `PUT` | `/_emulator/arm` | Resource Manager's behaviour: `{"throttling": {"enabled", "reads", "writes", "deletes"}, "latency_ms", "visibility_lag_ms"}` with buckets `{"burst", "per_second"}`; a `PUT` changes the fields it names |

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::arm::check_bearer;
use super::faults::FaultProfile;
use super::metrics::WINDOW_MINUTES;
use super::reply::{self, ArmFailure, HandlerResult, Reply};
use super::scoring::knobs::Knobs;
use super::shared::Emulator;
use super::throttle::ArmLimits;
use crate::azure::model::ContainerType;

pub async fn handle(
    State(emulator): State<Arc<Emulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = super::store::random_uuid();
    let result = check_bearer(&headers, &emulator.token)
        .and_then(|()| route(&emulator, &method, uri.path(), &body));
    reply::into_response(result, &request_id)
}

fn json_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ArmFailure> {
    serde_json::from_slice(body).map_err(|e| {
        ArmFailure::bad_request(
            "InvalidRequestContent",
            format!("The body is not valid here: {e}."),
        )
    })
}

fn route(emulator: &Emulator, method: &Method, path: &str, body: &[u8]) -> HandlerResult {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (segments.as_slice(), method) {
        (["_emulator", "stats"], &Method::GET) => Ok(Reply::ok(stats(emulator))),
        (["_emulator", "faults"], &Method::GET) => Ok(Reply::ok(json!(emulator.faults.profile()))),
        (["_emulator", "faults"], &Method::PUT) => {
            let profile: FaultProfile = json_body(body)?;
            profile
                .validate()
                .map_err(|e| ArmFailure::bad_request("BadArgument", e))?;
            emulator.faults.set(profile.clone());
            Ok(Reply::ok(json!(profile)))
        }
        (["_emulator", "knobs"], &Method::GET) => {
            let settings: Vec<Value> = emulator
                .knobs
                .all()
                .into_iter()
                .map(|((e, d), k)| json!({"endpoint": e, "deployment": d, "knobs": k}))
                .collect();
            Ok(Reply::ok(json!({
                "default": emulator.knobs.default_knobs(),
                "settings": settings,
            })))
        }
        (["_emulator", "deployments", endpoint, deployment, "knobs"], m) => {
            knobs(emulator, m, endpoint, deployment, body)
        }
        (["_emulator", "load"], &Method::GET) => Ok(Reply::ok(load_json(emulator))),
        (["_emulator", "load"], &Method::PUT) => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Load {
                rps: f64,
            }
            let load: Load = json_body(body)?;
            if !(0.0..=super::shared::MAX_RPS).contains(&load.rps) {
                return Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!("rps must be between 0 and {}.", super::shared::MAX_RPS),
                ));
            }
            emulator.load.set_rps(load.rps);
            Ok(Reply::ok(load_json(emulator)))
        }
        (["_emulator", "requests"], &Method::GET) => {
            Ok(Reply::ok(json!(emulator.throttle.counts())))
        }
        (["_emulator", "arm"], &Method::GET) => Ok(Reply::ok(arm_json(emulator))),
        (["_emulator", "arm"], &Method::PUT) => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct ArmBehaviour {
                throttling: Option<ArmLimits>,
                latency_ms: Option<u64>,
                visibility_lag_ms: Option<u64>,
            }
            let change: ArmBehaviour = json_body(body)?;
            if let Some(limits) = change.throttling {
                limits
                    .validate()
                    .map_err(|e| ArmFailure::bad_request("BadArgument", e).target("throttling"))?;
                emulator.throttle.set_limits(limits);
            }
            for (field, value) in [
                ("latency_ms", change.latency_ms),
                ("visibility_lag_ms", change.visibility_lag_ms),
            ] {
                if value.is_some_and(|ms| ms > MAX_ARM_DELAY_MS) {
                    return Err(ArmFailure::bad_request(
                        "BadArgument",
                        format!("{field} must be at most {MAX_ARM_DELAY_MS}."),
                    )
                    .target(field));
                }
            }
            if let Some(ms) = change.latency_ms {
                emulator.arm_latency_ms.store(ms, Ordering::Relaxed);
            }
            if let Some(ms) = change.visibility_lag_ms {
                emulator
                    .lock_store()
                    .set_visibility_lag(Duration::from_millis(ms));
            }
            Ok(Reply::ok(arm_json(emulator)))
        }
        (
            [
                "_emulator",
                "stats" | "faults" | "knobs" | "load" | "arm" | "requests",
            ],
            _,
        ) => Err(ArmFailure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on {path}."),
        )),
        _ => Err(ArmFailure::not_found(format!(
            "{path} is not part of the emulator's control API (see /_emulator/stats, /_emulator/faults, /_emulator/knobs, /_emulator/load, /_emulator/arm, /_emulator/requests, /_emulator/deployments/{{endpoint}}/{{deployment}}/knobs)."
        ))),
    }
}

fn knobs(
    emulator: &Emulator,
    method: &Method,
    endpoint: &str,
    deployment: &str,
    body: &[u8],
) -> HandlerResult {
    match *method {
        Method::GET => {
            let own = emulator.knobs.get(endpoint, deployment);
            let effective = emulator.knobs.resolve(endpoint, deployment);
            Ok(Reply::ok(
                json!({"knobs": effective, "explicit": own.is_some()}),
            ))
        }
        Method::PUT => {
            let knobs: Knobs = json_body(body)?;
            knobs
                .validate()
                .map_err(|e| ArmFailure::bad_request("BadArgument", e))?;
            emulator.knobs.set(endpoint, deployment, knobs);
            emulator.refresh_routes_now();
            Ok(Reply::ok(json!({"knobs": knobs, "explicit": true})))
        }
        Method::DELETE => {
            let removed = emulator.knobs.remove(endpoint, deployment);
            emulator.refresh_routes_now();
            Ok(if removed {
                Reply::ok(
                    json!({"knobs": emulator.knobs.resolve(endpoint, deployment), "explicit": false}),
                )
            } else {
                Reply::empty(StatusCode::NO_CONTENT)
            })
        }
        _ => Err(ArmFailure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on knobs."),
        )),
    }
}

/// The longest delay or lag the control API sets: a minute is plenty to see the effect.
const MAX_ARM_DELAY_MS: u64 = 60_000;

fn arm_json(emulator: &Emulator) -> Value {
    json!({
        "throttling": emulator.throttle.limits(),
        "latency_ms": emulator.arm_latency_ms.load(Ordering::Relaxed),
        "visibility_lag_ms": emulator.lock_store().settings.visibility_lag.as_millis() as u64,
    })
}

fn load_json(emulator: &Emulator) -> Value {
    let l = &emulator.load;
    json!({
        "rps": l.rps(),
        "sent": l.sent.load(Ordering::Relaxed),
        "skipped": l.skipped.load(Ordering::Relaxed),
        "failed": l.failed.load(Ordering::Relaxed),
    })
}

fn stats(emulator: &Emulator) -> Value {
    emulator.settle_if_due();
    let endpoints: Vec<Value> = emulator
        .routes
        .endpoints()
        .iter()
        .map(|ep| {
            let deployments: Vec<Value> = ep
                .deployments
                .iter()
                .map(|d| {
                    let rt = &d.runtime;
                    let (inference, storage, cap) = rt
                        .logs
                        .lock()
                        .map(|l| {
                            (
                                l.len(ContainerType::InferenceServer),
                                l.len(ContainerType::StorageInitializer),
                                l.capacity(),
                            )
                        })
                        .unwrap_or_default();
                    json!({
                        "name": &*d.name,
                        "provisioningState": d.provisioning_state,
                        "instances": d.instances,
                        "maxInFlight": d.max_in_flight,
                        "inFlight": rt.in_flight.load(Ordering::Relaxed),
                        "served": rt.served.load(Ordering::Relaxed),
                        "mirrored": rt.mirrored.load(Ordering::Relaxed),
                        "errors": rt.errors.load(Ordering::Relaxed),
                        "rejected": rt.rejected.load(Ordering::Relaxed),
                        "knobs": d.knobs,
                        "logLines": {"InferenceServer": inference, "StorageInitializer": storage},
                        "logCapacity": cap,
                    })
                })
                .collect();
            json!({
                "name": ep.name,
                "scoringUri": ep.scoring_uri,
                "traffic": ep.split.live,
                "mirrorTraffic": ep.split.mirror,
                "deployments": deployments,
                "metricMinutes": ep.metrics.minutes_kept(),
                "metricMinutesCap": WINDOW_MINUTES,
            })
        })
        .collect();
    json!({
        "endpoints": endpoints,
        "mirrorsPending": emulator.mirrors_pending.load(Ordering::Acquire),
        "load": load_json(emulator),
    })
}
