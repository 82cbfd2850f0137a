//! A hostile service for the text paths: it answers the management and scoring calls with
//! names, descriptions, states and scoring answers laden with escape sequences, 8-bit C1
//! controls and bidi overrides.
// Test support: a panic is how a failed setup reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Bytes;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Every way a string can attack a terminal, in one.
pub(crate) const HOSTILE: &str =
    "gr\u{202e}een\u{9b}2J\u{9d}0;pwned\u{9c}\x1b]0;title\x07\x1b[31m\u{2066}x\u{2069}\u{85}";

fn endpoint(base: &str, name: &str) -> Value {
    json!({
        "id": format!("/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/{name}"),
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        "location": HOSTILE,
        "properties": {
            "authMode": "Key",
            "description": HOSTILE,
            "provisioningState": HOSTILE,
            "scoringUri": format!("{base}/score"),
            "traffic": { HOSTILE: 100 },
        },
    })
}

async fn answer(base: String, method: Method, uri: Uri, _body: Bytes) -> Response {
    let path = uri.path();
    let body = if path == "/score" {
        json!({ "answer": HOSTILE, "items": [HOSTILE] })
    } else if path.ends_with("/listKeys") {
        json!({ "primaryKey": "k1", "secondaryKey": "k2" })
    } else if path.ends_with("/onlineEndpoints") {
        json!({ "value": [endpoint(&base, HOSTILE)] })
    } else if path.ends_with("/deployments") {
        json!({ "value": [{
            "name": HOSTILE,
            "location": "westus2",
            "properties": {
                "endpointComputeType": HOSTILE,
                "provisioningState": HOSTILE,
                "instanceType": HOSTILE,
                "model": HOSTILE,
            },
            "sku": { "name": "Default", "capacity": 1 },
        }] })
    } else if method == Method::GET && path.contains("/onlineEndpoints/") {
        endpoint(&base, "my-endpoint")
    } else {
        return (axum::http::StatusCode::NOT_FOUND, "not here").into_response();
    };
    axum::Json(body).into_response()
}

/// Serves on 127.0.0.1 from `runtime` until the runtime ends; returns the base URL.
pub(crate) fn serve(runtime: &tokio::runtime::Runtime) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let for_routes = base.clone();
    let app = Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
        answer(for_routes.clone(), method, uri, body)
    });
    runtime.spawn(async move { axum::serve(listener, app).await });
    base
}

/// True for a character that must never reach a terminal from a service: a control (other
/// than the line break a printer adds), a C1 control or a bidi control.
pub(crate) fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}
