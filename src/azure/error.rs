//! The one error type of the Azure layer: what went wrong talking to ARM (or the emulator), kept
//! precise enough for the caller to decide (retry? re-login? show the service's message?).

use std::time::Duration;

use reqwest::StatusCode;

use super::model::{ArmErrorDetail, ArmErrorResponse};

/// Broad class of an HTTP failure, so callers can tell 401 from 403, 404, 409, 429 and 5xx
/// without matching on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Throttled,
    Server,
    Other,
}

impl FailureKind {
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 => Self::Conflict,
            429 => Self::Throttled,
            500..=599 => Self::Server,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AzureError {
    /// The service answered with an ARM error envelope.
    #[error("{} ({}, HTTP {}){}", .detail.message, .detail.code, .status.as_u16(), hint_for(*.status))]
    Api {
        status: StatusCode,
        detail: Box<ArmErrorDetail>,
    },
    /// The service answered an error status with something that is not an ARM error envelope
    /// (an HTML gateway page, an empty or truncated body).
    #[error("HTTP {} from {url} with an unreadable body ({body_hint}){}", .status.as_u16(), hint_for(*.status))]
    UnexpectedBody {
        status: StatusCode,
        url: String,
        body_hint: String,
    },
    /// A success status whose body did not have the expected shape.
    #[error("could not read the answer of {url}: {reason}")]
    Decode { url: String, reason: String },
    /// The request never got an HTTP answer (DNS, refused or reset connection, timeout).
    #[error(
        "could not reach {url}: {reason}; check the network or the --arm-endpoint/--emulator URL"
    )]
    Transport { url: String, reason: String },
    /// No bearer token could be obtained.
    #[error("sign-in failed: {0}")]
    Auth(String),
    /// A long-running operation ended `Failed` or `Canceled`.
    #[error("operation {state}: {} ({})", .detail.message, .detail.code)]
    OperationFailed {
        state: String,
        detail: Box<ArmErrorDetail>,
    },
    /// A long-running operation did not finish in time; it may still be running on the service.
    #[error(
        "operation still running after {}s; it may yet finish on the service, refresh to see its state",
        .after.as_secs()
    )]
    OperationTimeout { after: Duration },
    /// A traffic change was not sent because the endpoint's split changed since the draft began.
    #[error(
        "not sent: someone changed the endpoint's traffic since your draft began (now live {}, mirror {}); review and apply again",
        crate::rollout::format_traffic(&.theirs.live),
        crate::rollout::format_traffic(&.theirs.mirror)
    )]
    StaleSplit {
        theirs: Box<crate::rollout::TrafficSplit>,
    },
    /// Input rejected before anything was sent.
    #[error("{0}")]
    InvalidInput(String),
}

fn hint_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => ": sign in again (az login) or check the token",
        403 => ": your identity lacks permission on this resource",
        409 => ": another operation is running on this resource; wait for it and retry",
        429 => ": throttled by the service; retry later",
        500..=599 => ": the service failed; retry in a moment",
        _ => "",
    }
}

impl AzureError {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedBody { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn kind(&self) -> Option<FailureKind> {
        self.status().map(FailureKind::from_status)
    }

    /// The service's error code, where it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { detail, .. } | Self::OperationFailed { detail, .. } => {
                Some(detail.code.as_str())
            }
            _ => None,
        }
    }

    /// Turns an error answer into the most precise error possible; never panics on any body.
    pub fn from_response(status: StatusCode, url: &str, body: &[u8]) -> Self {
        match serde_json::from_slice::<ArmErrorResponse>(body) {
            Ok(envelope)
                if !envelope.error.code.is_empty() || !envelope.error.message.is_empty() =>
            {
                Self::Api {
                    status,
                    detail: Box::new(envelope.error),
                }
            }
            _ => Self::UnexpectedBody {
                status,
                url: url.to_string(),
                body_hint: describe_body(body),
            },
        }
    }
}

/// A short, terminal-safe description of a body that is not what was expected.
fn describe_body(body: &[u8]) -> String {
    if body.is_empty() {
        return "empty body".to_string();
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let kind = if trimmed.starts_with('<') {
        "HTML or XML page"
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        "malformed or truncated JSON"
    } else {
        "text"
    };
    let snippet: String = trimmed
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    format!("{kind}: {snippet}")
}

pub type Result<T> = std::result::Result<T, AzureError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_keeps_code_message_and_status() {
        let body = br#"{"error":{"code":"BadArgument","message":"traffic must sum to 100","target":"traffic","details":[{"code":"X","message":"y"}],"additionalInfo":[{"type":"ComponentName","info":{"value":"mfe"}}]}}"#;
        let err = AzureError::from_response(StatusCode::BAD_REQUEST, "u", body);
        assert_eq!(err.code(), Some("BadArgument"));
        assert_eq!(err.kind(), Some(FailureKind::BadRequest));
        let AzureError::Api { detail, .. } = &err else {
            panic!("expected Api, got {err:?}");
        };
        assert_eq!(detail.target.as_deref(), Some("traffic"));
        assert_eq!(detail.details.len(), 1);
        assert_eq!(detail.additional_info[0].info_type, "ComponentName");
        assert!(err.to_string().contains("traffic must sum to 100"));
    }

    #[test]
    fn unreadable_bodies_become_clear_errors() {
        let cases: [(&[u8], &str); 4] = [
            (b"", "empty body"),
            (b"<html><body>502 Bad Gateway</body></html>", "HTML"),
            (br#"{"error":{"code":"Bad"#, "truncated JSON"),
            (b"upstream connect error", "text"),
        ];
        for (body, expected) in cases {
            let err = AzureError::from_response(StatusCode::BAD_GATEWAY, "https://x", body);
            assert!(
                matches!(err, AzureError::UnexpectedBody { .. }),
                "{body:?} gave {err:?}"
            );
            assert!(err.to_string().contains(expected), "{err}");
            assert_eq!(err.kind(), Some(FailureKind::Server));
        }
    }

    #[test]
    fn statuses_are_distinguishable() {
        for (code, kind) in [
            (401, FailureKind::Unauthorized),
            (403, FailureKind::Forbidden),
            (404, FailureKind::NotFound),
            (409, FailureKind::Conflict),
            (429, FailureKind::Throttled),
            (503, FailureKind::Server),
        ] {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
            let err = AzureError::from_response(status, "u", b"{}");
            assert_eq!(err.kind(), Some(kind), "{code}");
        }
    }
}
