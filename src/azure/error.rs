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
    #[error("{} ({}, HTTP {}){}", safe(&.detail.message), safe(&.detail.code), .status.as_u16(), hint_for(*.status))]
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
    #[error("could not read the answer of {url}: {}", excerpt(.reason))]
    Decode { url: String, reason: String },
    /// The request never got an HTTP answer (DNS, refused or reset connection, timeout).
    #[error(
        "could not reach {url}: {reason}; check the network or the --arm-endpoint/--emulator URL"
    )]
    Transport {
        url: String,
        reason: String,
        /// False when the connection was never made, so the service cannot have seen it.
        sent: bool,
    },
    /// A success answer larger than the client holds in memory; the rest was not read.
    #[error("the answer of {url} is larger than {} MiB; stopped reading it", .limit >> 20)]
    BodyTooLarge { url: String, limit: usize },
    /// A list whose `nextLink`s do not end (a link repeated, or too many pages).
    #[error("stopped following the pages of a list at {url}: {reason}")]
    Pagination { url: String, reason: String },
    /// A URL from the service points away from the ARM endpoint; no credentials were sent to it.
    #[error("refusing to send credentials to {url} (not the ARM endpoint {arm})")]
    CrossOrigin { url: String, arm: String },
    /// The service redirected to another origin; the redirect was not followed.
    #[error("HTTP {} from {url}: refusing to follow a redirect to {target}", .status.as_u16())]
    RedirectRefused {
        url: String,
        status: StatusCode,
        target: String,
    },
    /// Throttled (HTTP 429) after the retries a read is allowed; `retry_after` is the wait the
    /// service asked for, if it said.
    #[error("{source}{}", retry_hint(*.retry_after))]
    Throttled {
        retry_after: Option<Duration>,
        source: Box<AzureError>,
    },
    /// A change left this client, and then the answer or the follow-up failed: the service may
    /// or may not have applied it.
    #[error("the change was sent; its outcome is unknown: check with `endpoint show` ({source})")]
    ChangeOutcomeUnknown { source: Box<AzureError> },
    /// A name breaks the service's naming rules; no URL was built, nothing was sent.
    #[error("invalid {what} name {}: {reason}; nothing was sent", quoted(.name))]
    InvalidName {
        what: &'static str,
        name: String,
        reason: String,
    },
    /// No bearer token could be obtained.
    #[error("sign-in failed: {0}")]
    Auth(String),
    /// A long-running operation ended `Failed` or `Canceled`.
    #[error("operation {}: {} ({})", safe(.state), safe(&.detail.message), safe(&.detail.code))]
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

/// Remote text made safe for a terminal: escape sequences (with their payload) and controls
/// removed or shown, bidi overrides and isolates dropped.
/// The one sanitizer: controls, escapes and bidi marks shown as markers, never passed on.
fn safe(text: &str) -> String {
    crate::logstream::sanitize_inline(text)
}

/// A name as typed, quoted and terminal-safe, cut short when long.
fn quoted(name: &str) -> String {
    let shown: String = safe(name).chars().take(64).collect();
    format!("{shown:?}")
}

/// Parser messages quote the text they choked on: shown only short and clean.
fn excerpt(text: &str) -> String {
    let clean = safe(text);
    let mut shown: String = clean.chars().take(EXCERPT_CHARS * 2).collect();
    if clean.chars().nth(EXCERPT_CHARS * 2).is_some() {
        shown.push('…');
    }
    shown
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(" (the service asks to wait {}s)", wait.as_secs()),
        None => String::new(),
    }
}

impl AzureError {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedBody { status, .. } => Some(*status),
            Self::Throttled { source, .. } | Self::ChangeOutcomeUnknown { source } => {
                source.status()
            }
            _ => None,
        }
    }

    /// True when the request was refused here, before anything left for the service.
    pub fn nothing_sent(&self) -> bool {
        match self {
            Self::InvalidInput(_)
            | Self::InvalidName { .. }
            | Self::StaleSplit { .. }
            | Self::CrossOrigin { .. }
            | Self::Auth(_) => true,
            Self::Transport { sent, .. } => !sent,
            _ => false,
        }
    }

    /// Throttled by the service (HTTP 429), with the wait it asked for if it gave one.
    pub fn throttled(&self) -> Option<Option<Duration>> {
        match self {
            Self::Throttled { retry_after, .. } => Some(*retry_after),
            Self::ChangeOutcomeUnknown { source } => source.throttled(),
            _ if self.status() == Some(StatusCode::TOO_MANY_REQUESTS) => Some(None),
            _ => None,
        }
    }

    /// How an error of a change's request reads once the request may have reached the service:
    /// a transport failure after connecting, a server failure or an unreadable success answer
    /// leave its outcome unknown; a refusal (4xx) or an error before sending stays what it is.
    pub fn after_sending_change(self) -> Self {
        let unknown = match &self {
            Self::Transport { sent, .. } => *sent,
            Self::Api { status, .. } | Self::UnexpectedBody { status, .. } => {
                status.is_server_error()
            }
            Self::BodyTooLarge { .. } | Self::Decode { .. } => true,
            _ => false,
        };
        if unknown {
            Self::ChangeOutcomeUnknown {
                source: Box::new(self),
            }
        } else {
            self
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
            Self::Throttled { source, .. } | Self::ChangeOutcomeUnknown { source } => source.code(),
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

/// Most characters of a body shown in an error message.
const EXCERPT_CHARS: usize = 120;

/// A short, terminal-safe description of a body that is not what was expected: its kind and an
/// excerpt of its text, with escape sequences (payload included), controls and markup removed.
fn describe_body(body: &[u8]) -> String {
    if body.is_empty() {
        return "empty body".to_string();
    }
    // The excerpt comes from the head of the body: no need to clean what will not be shown.
    let head = &body[..body.len().min(8 << 10)];
    let text = safe(&String::from_utf8_lossy(head));
    let trimmed = text.trim_start();
    let kind = if trimmed.starts_with('<') {
        "HTML or XML page"
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        "malformed or truncated JSON"
    } else {
        "text"
    };
    let visible = if kind == "HTML or XML page" {
        without_markup(trimmed)
    } else {
        trimmed.to_string()
    };
    let words: Vec<&str> = visible.split_whitespace().collect();
    let joined = words.join(" ");
    let mut excerpt: String = joined.chars().take(EXCERPT_CHARS).collect();
    if joined.chars().nth(EXCERPT_CHARS).is_some() {
        excerpt.push('…');
    }
    format!("{kind}: {excerpt}")
}

/// The text of a page with its tags, and the content of `<script>`/`<style>`, left out.
fn without_markup(page: &str) -> String {
    let mut text = String::new();
    let mut rest = page;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let tag = &rest[open..];
        let lower: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            "</script>"
        } else if lower.starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        match tag.to_ascii_lowercase().find(skip_to) {
            Some(end) => rest = &tag[end + skip_to.len()..],
            None => return text,
        }
    }
    text.push_str(rest);
    text
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
    fn an_html_page_becomes_a_short_excerpt_without_escapes_payloads_or_markup() {
        let page = format!(
            "<html><head><title>502 Bad Gateway</title><script>var x = 1;</script></head>\
             <body>\u{1b}]0;PWNED\u{7}<h1>Bad\u{9b}31m gateway\u{202e}</h1>{}</body></html>",
            "<p>more</p>".repeat(1000)
        );
        let err = AzureError::from_response(StatusCode::BAD_GATEWAY, "https://x", page.as_bytes());
        let message = err.to_string();
        assert!(message.contains("HTTP 502"), "{message}");
        assert!(message.contains("502 Bad Gateway Bad"), "{message}");
        for unwanted in ["PWNED", "]0;", "<", "var x", "\u{1b}", "\u{9b}", "\u{202e}"] {
            assert!(!message.contains(unwanted), "{unwanted:?} in {message}");
        }
        assert!(message.chars().count() < 300, "{message}");
    }

    #[test]
    fn a_decode_error_quoting_the_body_is_short_and_clean() {
        // What serde_json says of a string where a number belongs: it quotes the string.
        let err = AzureError::Decode {
            url: "https://x".into(),
            reason: format!(
                "invalid type: string \"\u{1b}]0;PWNED\u{7}{}\", expected u32",
                "a".repeat(5000)
            ),
        };
        let message = err.to_string();
        assert!(message.contains("invalid type: string"), "{message}");
        assert!(
            !message.contains('\u{1b}') && !message.contains("PWNED"),
            "{message}"
        );
        assert!(message.chars().count() < 400, "{message}");
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
