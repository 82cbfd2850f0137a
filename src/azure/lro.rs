//! Long-running operations: a PUT/PATCH/DELETE/POST answered 201/202 is followed to its end by
//! polling `Azure-AsyncOperation`, else `Location`, else the resource's `provisioningState`.
//!
//! The engine only needs the transport; the client hands it the operation and the policy.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::error::{AzureError, Result};
use super::model::{ArmErrorDetail, OperationStatus, is_terminal_state};
use super::retry::parse_retry_after;
use super::transport::{RawResponse, Transport};

/// How long to wait overall, and how long between polls.
#[derive(Debug, Clone)]
pub struct LroPolicy {
    /// The whole wait; past it the operation may still be running on the service.
    pub timeout: Duration,
    /// The first pause between polls when the service gives no `Retry-After`; it grows from
    /// there, so a silent long operation is not polled at a constant rate.
    pub default_interval: Duration,
    /// Lower bound between polls, `Retry-After: 0` included, so no answer can make a busy loop.
    pub min_interval: Duration,
    /// Upper bound between polls, a server's `Retry-After` included, so a bogus header cannot
    /// park the wait.
    pub max_interval: Duration,
}

impl Default for LroPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30 * 60),
            default_interval: Duration::from_secs(2),
            min_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(60),
        }
    }
}

impl LroPolicy {
    /// The pause before the next poll: the server's `Retry-After` if it gave one, else the
    /// default interval grown by half for each poll that came without one; always within
    /// `min_interval..=max_interval`.
    pub fn next_delay(&self, retry_after: Option<Duration>, polls_without_hint: u32) -> Duration {
        let ceiling = self.max_interval.max(self.min_interval);
        let wanted = match retry_after {
            Some(server) => server,
            None => {
                let growth = 1.5f64.powi(polls_without_hint.min(64) as i32);
                let secs =
                    (self.default_interval.as_secs_f64() * growth).min(ceiling.as_secs_f64());
                Duration::try_from_secs_f64(secs).unwrap_or(ceiling)
            }
        };
        wanted.clamp(self.min_interval, ceiling)
    }
}

/// An operation the service accepted and may still be running.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    /// The resource the operation acts on (its GET URL).
    pub resource_url: String,
    pub async_operation_url: Option<String>,
    pub location_url: Option<String>,
    /// The service's id of the request that began the operation (`x-ms-request-id`).
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    pub initial_status: StatusCode,
    /// The body of the initial answer (for PUT, the resource as accepted).
    pub initial_body: Option<Value>,
}

impl Operation {
    pub(crate) fn from_response(
        method: Method,
        resource_url: String,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Self {
            method,
            resource_url,
            async_operation_url: header("azure-asyncoperation"),
            location_url: header("location"),
            request_id: header("x-ms-request-id"),
            retry_after: parse_retry_after(headers),
            initial_status: status,
            initial_body: serde_json::from_slice(body).ok(),
        }
    }

    /// How the service names this operation, for a flight recorder: the request id and the
    /// last path segment of the `Azure-AsyncOperation` (else `Location`) URL.
    pub fn ids(&self) -> OperationIds {
        let operation = self
            .async_operation_url
            .as_deref()
            .or(self.location_url.as_deref())
            .and_then(|url| url.split('?').next())
            .and_then(|path| path.trim_end_matches('/').rsplit('/').next())
            .filter(|id| !id.is_empty())
            .map(str::to_string);
        OperationIds {
            request_id: self.request_id.clone(),
            operation,
        }
    }

    /// The resource's `provisioningState` in the initial answer, if it had one.
    pub fn initial_state(&self) -> Option<&str> {
        provisioning_state(self.initial_body.as_ref()?)
    }
}

/// The ids Azure Resource Manager gave an operation; either may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OperationIds {
    pub request_id: Option<String>,
    pub operation: Option<String>,
}

/// One observation of a running operation, for a progress display.
#[derive(Debug, Clone, PartialEq)]
pub struct LroProgress {
    /// `InProgress`, `Creating`, `Updating`, `Succeeded`, … as the service says it.
    pub state: String,
    pub elapsed: Duration,
    pub polls: u32,
}

fn provisioning_state(body: &Value) -> Option<&str> {
    body.pointer("/properties/provisioningState")?.as_str()
}

enum Poll {
    Running(String),
    Done(Option<Value>),
}

/// Follows `op` to its end, for at most `policy.timeout`. `on_progress` sees every observed
/// state. Returns the final resource for PUT/PATCH, `None` for DELETE and POST.
///
/// The change was sent before this starts: a poll that fails (transport, server, a status URL
/// on another origin) leaves its outcome unknown, and the error says so.
pub(crate) async fn wait(
    transport: &Transport,
    policy: &LroPolicy,
    op: &Operation,
    on_progress: &mut (dyn FnMut(LroProgress) + Send),
) -> Result<Option<Value>> {
    follow(transport, policy, op, on_progress)
        .await
        .map_err(|error| match error {
            AzureError::OperationFailed { .. }
            | AzureError::OperationTimeout { .. }
            | AzureError::ChangeOutcomeUnknown { .. } => error,
            other => AzureError::ChangeOutcomeUnknown {
                source: Box::new(other),
            },
        })
}

async fn follow(
    transport: &Transport,
    policy: &LroPolicy,
    op: &Operation,
    on_progress: &mut (dyn FnMut(LroProgress) + Send),
) -> Result<Option<Value>> {
    let started = Instant::now();
    let mut polls = 0u32;
    let mut polls_without_hint = 0u32;
    let mut retry_after = op.retry_after;

    if op.async_operation_url.is_none() && op.location_url.is_none() {
        // Synchronous completion, or a resource whose state we must watch ourselves.
        match op.initial_state() {
            Some(state) if !is_terminal_state(state) => {}
            Some(state) => {
                on_progress(LroProgress {
                    state: state.to_string(),
                    elapsed: started.elapsed(),
                    polls,
                });
                return finish_on_state(state, op.initial_body.clone());
            }
            None => return Ok(op.initial_body.clone()),
        }
    }

    loop {
        let remaining = policy.timeout.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            return Err(AzureError::OperationTimeout {
                after: policy.timeout,
            });
        }
        if retry_after.is_none() {
            polls_without_hint = polls_without_hint.saturating_add(1);
        }
        let pause = policy.next_delay(retry_after, polls_without_hint.saturating_sub(1));
        // The last poll lands on the deadline rather than past it.
        tokio::time::sleep(pause.min(remaining)).await;
        polls += 1;

        let (poll, next_retry_after) = if let Some(url) = &op.async_operation_url {
            poll_async_operation(transport, op, url).await?
        } else if let Some(url) = &op.location_url {
            poll_location(transport, url).await?
        } else {
            poll_resource(transport, op).await?
        };
        retry_after = next_retry_after;
        match poll {
            Poll::Running(state) => on_progress(LroProgress {
                state,
                elapsed: started.elapsed(),
                polls,
            }),
            Poll::Done(result) => {
                on_progress(LroProgress {
                    state: "Succeeded".to_string(),
                    elapsed: started.elapsed(),
                    polls,
                });
                return Ok(result);
            }
        }
    }
}

async fn poll_async_operation(
    transport: &Transport,
    op: &Operation,
    url: &str,
) -> Result<(Poll, Option<Duration>)> {
    let response = transport.get_absolute(url).await?;
    let status: OperationStatus = response.json()?;
    let retry_after = parse_retry_after(&response.headers);
    if !is_terminal_state(&status.status) {
        return Ok((Poll::Running(status.status), retry_after));
    }
    if !status.status.eq_ignore_ascii_case("succeeded") {
        return Err(AzureError::OperationFailed {
            detail: Box::new(status.error.unwrap_or_else(|| ArmErrorDetail {
                code: status.status.clone(),
                message: "the service gave no reason".to_string(),
                ..ArmErrorDetail::default()
            })),
            state: status.status,
        });
    }
    // final-state-via: PUT reads the original URI; PATCH the Location; DELETE has no result.
    let result = if op.method == Method::DELETE || op.method == Method::POST {
        None
    } else if op.method == Method::PATCH
        && let Some(location) = &op.location_url
    {
        transport.get_absolute(location).await?.json_opt()?
    } else {
        Some(transport.get_absolute(&op.resource_url).await?.json()?)
    };
    Ok((Poll::Done(result), None))
}

async fn poll_location(transport: &Transport, url: &str) -> Result<(Poll, Option<Duration>)> {
    // A 4xx answer from the Location monitor is the operation's outcome, not a failure to
    // ask; authentication, "no such operation", throttling and server errors (left after
    // retries) stay what they are: the operation may well still be running.
    let response: RawResponse = match transport.get_absolute(url).await {
        Err(AzureError::Api { status, detail })
            if status.is_client_error() && !matches!(status.as_u16(), 401 | 403 | 404 | 429) =>
        {
            return Err(AzureError::OperationFailed {
                state: "Failed".to_string(),
                detail,
            });
        }
        other => other?,
    };
    let retry_after = parse_retry_after(&response.headers);
    if response.status == StatusCode::ACCEPTED {
        return Ok((Poll::Running("InProgress".to_string()), retry_after));
    }
    Ok((Poll::Done(response.json_opt()?), None))
}

async fn poll_resource(transport: &Transport, op: &Operation) -> Result<(Poll, Option<Duration>)> {
    let response = match transport.get_absolute(&op.resource_url).await {
        Err(err) if op.method == Method::DELETE && err.status() == Some(StatusCode::NOT_FOUND) => {
            return Ok((Poll::Done(None), None));
        }
        other => other?,
    };
    let retry_after = parse_retry_after(&response.headers);
    let body: Value = response.json()?;
    match provisioning_state(&body) {
        Some(state) if is_terminal_state(state) => Ok((
            Poll::Done(finish_on_state(state, Some(body.clone()))?),
            None,
        )),
        Some(state) => Ok((Poll::Running(state.to_string()), retry_after)),
        None => Ok((Poll::Done(Some(body)), None)),
    }
}

fn finish_on_state(state: &str, body: Option<Value>) -> Result<Option<Value>> {
    if state.eq_ignore_ascii_case("succeeded") {
        Ok(body)
    } else {
        Err(AzureError::OperationFailed {
            state: state.to_string(),
            detail: Box::new(ArmErrorDetail {
                code: state.to_string(),
                message: format!("the resource's provisioning state is {state}"),
                ..ArmErrorDetail::default()
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::response::IntoResponse;
    use serde_json::json;

    use super::*;
    use crate::azure::retry::RetryPolicy;
    use crate::azure::test_server::{TestServer, json, serve};

    const RESOURCE: &str = "/deployments/green";
    const STATUS: &str = "/operations/op1";
    const RESULT: &str = "/operationResults/op1";

    /// Polls back to back: these tests count polls and states, never time.
    fn quick() -> LroPolicy {
        LroPolicy {
            timeout: Duration::from_secs(30),
            default_interval: Duration::from_millis(1),
            min_interval: Duration::from_millis(1),
            max_interval: Duration::from_millis(5),
        }
    }

    fn operation(server: &TestServer, method: Method, status: bool, location: bool) -> Operation {
        Operation {
            method,
            resource_url: format!("{}{RESOURCE}", server.base),
            async_operation_url: status.then(|| format!("{}{STATUS}", server.base)),
            location_url: location.then(|| format!("{}{RESULT}", server.base)),
            request_id: None,
            retry_after: None,
            initial_status: StatusCode::CREATED,
            initial_body: None,
        }
    }

    async fn follow_with(
        server: &TestServer,
        policy: &LroPolicy,
        op: &Operation,
    ) -> (Result<Option<Value>>, Vec<String>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let transport = server.transport(RetryPolicy::none());
        let result = wait(&transport, policy, op, &mut |p: LroProgress| {
            sink.lock().unwrap().push(p.state)
        })
        .await;
        let states = seen.lock().unwrap().clone();
        (result, states)
    }

    fn green(state: &str) -> Value {
        json!({"name": "green", "properties": {"provisioningState": state}})
    }

    #[tokio::test]
    async fn azure_async_operation_is_polled_to_success_then_the_resource_is_read() {
        let server = serve(|_, path, n| match (path, n) {
            (STATUS, 0 | 1) => json(200, json!({"status": "InProgress"}), &[]),
            (STATUS, _) => json(200, json!({"status": "Succeeded"}), &[]),
            (RESOURCE, _) => json(200, green("Succeeded"), &[]),
            _ => json(500, json!({}), &[]),
        })
        .await;
        let op = operation(&server, Method::PUT, true, true);
        let (result, states) = follow_with(&server, &quick(), &op).await;
        assert_eq!(result.unwrap(), Some(green("Succeeded")));
        assert_eq!(states, ["InProgress", "InProgress", "Succeeded"]);
        assert_eq!(server.hits(STATUS), 3);
        assert_eq!(
            server.hits(RESULT),
            0,
            "Azure-AsyncOperation wins over Location"
        );
    }

    #[tokio::test]
    async fn a_failed_async_operation_carries_the_services_error() {
        let server = serve(|_, _, _| {
            json(
                200,
                json!({"status": "Failed", "error": {"code": "OutOfQuota", "message": "no cores left"}}),
                &[],
            )
        })
        .await;
        let op = operation(&server, Method::PUT, true, false);
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, AzureError::OperationFailed { state, .. } if state == "Failed"),
            "{err:?}"
        );
        assert_eq!(err.code(), Some("OutOfQuota"));
        assert!(err.to_string().contains("no cores left"), "{err}");
    }

    #[tokio::test]
    async fn a_canceled_operation_without_a_reason_says_so() {
        let server = serve(|_, _, _| json(200, json!({"status": "Canceled"}), &[])).await;
        let op = operation(&server, Method::DELETE, true, false);
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert_eq!(err.code(), Some("Canceled"));
        assert!(err.to_string().contains("gave no reason"), "{err}");
    }

    #[tokio::test]
    async fn location_is_polled_while_202_and_its_final_answer_is_the_result() {
        let server = serve(|_, path, n| match (path, n) {
            (RESULT, 0) => json(202, json!({}), &[]),
            (RESULT, _) => json(200, green("Succeeded"), &[]),
            _ => json(500, json!({}), &[]),
        })
        .await;
        let op = operation(&server, Method::PATCH, false, true);
        let (result, states) = follow_with(&server, &quick(), &op).await;
        assert_eq!(result.unwrap(), Some(green("Succeeded")));
        assert_eq!(states, ["InProgress", "Succeeded"]);
    }

    #[tokio::test]
    async fn a_client_error_from_location_is_the_operations_failure() {
        let server = serve(|_, _, _| {
            json(
                400,
                json!({"error": {"code": "BadArgument", "message": "image not found"}}),
                &[],
            )
        })
        .await;
        let op = operation(&server, Method::DELETE, false, true);
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert!(matches!(err, AzureError::OperationFailed { .. }), "{err:?}");
        assert_eq!(err.code(), Some("BadArgument"));
    }

    #[tokio::test]
    async fn without_headers_the_provisioning_state_is_watched() {
        let server = serve(|_, _, n| match n {
            0 => json(200, green("Updating"), &[]),
            _ => json(200, green("Succeeded"), &[]),
        })
        .await;
        let mut op = operation(&server, Method::PUT, false, false);
        op.initial_body = Some(green("Creating"));
        let (result, states) = follow_with(&server, &quick(), &op).await;
        assert_eq!(result.unwrap(), Some(green("Succeeded")));
        assert_eq!(states, ["Updating", "Succeeded"]);
    }

    #[tokio::test]
    async fn a_resource_that_ends_failed_is_a_failure() {
        let server = serve(|_, _, _| json(200, green("Failed"), &[])).await;
        let mut op = operation(&server, Method::PUT, false, false);
        op.initial_body = Some(green("Updating"));
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, AzureError::OperationFailed { state, .. } if state == "Failed"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_delete_watched_on_the_resource_ends_when_it_is_gone() {
        let server = serve(|_, _, n| match n {
            0 => json(200, green("Deleting"), &[]),
            _ => json(
                404,
                json!({"error": {"code": "NotFound", "message": "gone"}}),
                &[],
            ),
        })
        .await;
        let mut op = operation(&server, Method::DELETE, false, false);
        op.initial_body = Some(green("Deleting"));
        let (result, _) = follow_with(&server, &quick(), &op).await;
        assert_eq!(result.unwrap(), None);
        assert_eq!(server.hits(RESOURCE), 2);
    }

    #[tokio::test]
    async fn a_synchronous_answer_is_the_result_without_a_poll() {
        let server = serve(|_, _, _| json(500, json!({}), &[])).await;
        let mut op = operation(&server, Method::PUT, false, false);
        op.initial_body = Some(green("Succeeded"));
        let (result, states) = follow_with(&server, &quick(), &op).await;
        assert_eq!(result.unwrap(), Some(green("Succeeded")));
        assert_eq!(states, ["Succeeded"]);
        assert_eq!(server.hits(RESOURCE), 0);
    }

    #[tokio::test]
    async fn an_operation_that_never_ends_times_out_and_says_it_may_still_finish() {
        let server = serve(|_, _, _| json(200, json!({"status": "InProgress"}), &[])).await;
        let op = operation(&server, Method::PUT, true, false);
        let policy = LroPolicy {
            timeout: Duration::from_millis(50),
            ..quick()
        };
        let (result, states) = follow_with(&server, &policy, &op).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, AzureError::OperationTimeout { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("may yet finish"), "{err}");
        assert!(states.iter().all(|s| s == "InProgress"), "{states:?}");
    }

    #[tokio::test]
    async fn the_servers_retry_after_sets_the_pause_between_polls() {
        // An hour between polls, and a wait of a fraction of a second: honouring the header
        // means exactly one poll, at the deadline; ignoring it would mean dozens.
        let server = serve(|_, _, _| {
            json(
                200,
                json!({"status": "InProgress"}),
                &[("retry-after", "3600")],
            )
        })
        .await;
        let mut op = operation(&server, Method::PUT, true, false);
        op.retry_after = Some(Duration::from_secs(3600));
        let policy = LroPolicy {
            timeout: Duration::from_millis(200),
            max_interval: Duration::from_secs(7200),
            ..quick()
        };
        let (result, _) = follow_with(&server, &policy, &op).await;
        assert!(matches!(result, Err(AzureError::OperationTimeout { .. })));
        assert_eq!(server.hits(STATUS), 1);
    }

    #[test]
    fn retry_after_is_honoured_within_a_floor_and_a_ceiling() {
        let policy = LroPolicy::default();
        assert_eq!(
            policy.next_delay(Some(Duration::ZERO), 0),
            Duration::from_secs(1),
            "Retry-After: 0 must not become a busy loop"
        );
        assert_eq!(
            policy.next_delay(Some(Duration::from_secs(7)), 0),
            Duration::from_secs(7)
        );
        assert_eq!(
            policy.next_delay(Some(Duration::from_secs(86_400)), 0),
            policy.max_interval
        );
    }

    #[test]
    fn without_retry_after_the_pause_grows_up_to_the_ceiling() {
        let policy = LroPolicy::default();
        let pauses: Vec<Duration> = (0..20).map(|n| policy.next_delay(None, n)).collect();
        assert_eq!(pauses[0], policy.default_interval);
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]), "{pauses:?}");
        assert!(pauses[3] > pauses[0], "{pauses:?}");
        assert_eq!(pauses[19], policy.max_interval);
        assert_eq!(policy.next_delay(None, u32::MAX), policy.max_interval);
    }

    #[tokio::test]
    async fn a_status_url_on_another_origin_is_not_polled_and_says_the_change_was_sent() {
        let server = serve(|_, _, _| json(200, json!({"status": "Succeeded"}), &[])).await;
        let mut op = operation(&server, Method::PUT, true, false);
        // Same server, other origin: the token must not go there.
        op.async_operation_url = Some(format!(
            "{}{STATUS}",
            server.base.replace("127.0.0.1", "localhost")
        ));
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, AzureError::ChangeOutcomeUnknown { source } if matches!(**source, AzureError::CrossOrigin { .. })),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("the change was sent; its outcome is unknown"),
            "{err}"
        );
        assert!(!err.nothing_sent());
        assert_eq!(server.hits(STATUS), 0);
    }

    #[tokio::test]
    async fn a_server_failure_while_polling_leaves_the_outcome_unknown() {
        let server = serve(|_, _, _| {
            (
                StatusCode::BAD_GATEWAY,
                "<html><h1>502 Bad Gateway</h1></html>",
            )
                .into_response()
        })
        .await;
        let op = operation(&server, Method::PUT, true, false);
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert!(
            matches!(err, AzureError::ChangeOutcomeUnknown { .. }),
            "{err:?}"
        );
        assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
        assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
    }

    #[tokio::test]
    async fn an_unreadable_status_body_is_an_error_not_a_hang() {
        let server = serve(|_, _, _| json(200, json!({"unexpected": true}), &[])).await;
        let op = operation(&server, Method::PUT, true, false);
        let (result, _) = follow_with(&server, &quick(), &op).await;
        let err = result.unwrap_err();
        assert!(
            matches!(&err, AzureError::ChangeOutcomeUnknown { source } if matches!(**source, AzureError::Decode { .. })),
            "{err:?}"
        );
    }
}
