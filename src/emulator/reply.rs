//! What an emulator handler answers: a status, ARM headers and a JSON body, or an ARM error.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: ReplyBody,
}

#[derive(Debug)]
pub enum ReplyBody {
    Empty,
    Json(Value),
    /// JSON already written out: a list page is serialized straight from the stored
    /// resources, under the store's lock, instead of cloning each one into a new `Value`.
    Serialized(Vec<u8>),
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self::with(StatusCode::OK, body)
    }

    pub fn with(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(body),
        }
    }

    /// A `200 OK` whose JSON body is already written.
    pub fn serialized(json: Vec<u8>) -> Self {
        Self {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: ReplyBody::Serialized(json),
        }
    }

    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: ReplyBody::Empty,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The body as a JSON value, when it was made as one.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            ReplyBody::Json(value) => Some(value),
            ReplyBody::Empty | ReplyBody::Serialized(_) => None,
        }
    }
}

/// An ARM error envelope with its status.
#[derive(Debug, Clone)]
pub struct ArmFailure {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    pub retry_after: Option<u64>,
}

impl ArmFailure {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            target: None,
            retry_after: None,
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Conflict", message)
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn envelope(&self) -> Value {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "details": [],
            "additionalInfo": [{"type": "ComponentName", "info": {"value": "aml-rollout-emulator"}}],
        });
        if let Some(t) = &self.target {
            error["target"] = json!(t);
        }
        json!({ "error": error })
    }
}

pub type HandlerResult = Result<Reply, ArmFailure>;

pub fn into_response(result: HandlerResult, request_id: &str) -> Response {
    let (status, headers, body) = match result {
        Ok(reply) => (reply.status, reply.headers, reply.body),
        Err(failure) => {
            let mut headers = Vec::new();
            if let Some(secs) = failure.retry_after {
                headers.push(("retry-after", secs.to_string()));
            }
            if failure.status == StatusCode::UNAUTHORIZED {
                headers.push((
                    "www-authenticate",
                    "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\"".to_string(),
                ));
            }
            (failure.status, headers, ReplyBody::Json(failure.envelope()))
        }
    };
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            map.insert(HeaderName::from_static(name), v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        map.insert(HeaderName::from_static("x-ms-request-id"), v.clone());
        map.insert(HeaderName::from_static("x-ms-correlation-request-id"), v);
    }
    match body {
        ReplyBody::Json(body) => (status, map, axum::Json(body)).into_response(),
        ReplyBody::Serialized(json) => {
            map.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            (status, map, json).into_response()
        }
        ReplyBody::Empty => (status, map).into_response(),
    }
}
