//! The emulator's HTTP surface for ARM paths: authentication, routing (case-insensitive, as
//! ARM's is), pagination, and the mapping of each path to a [`Store`] operation.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Value, json};

use super::reply::{ArmFailure, HandlerResult, Reply};
use super::shared::Emulator;
use super::store::{WorkspaceKey, endpoint_view, workspace_key, write_endpoint_view};
use super::token::constant_time_eq;

/// Items per page of a list, unless the caller asks for fewer (`count` / `$top`).
const PAGE_SIZE: usize = 50;

pub fn query_pairs(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// `Authorization: Bearer <the emulator's token>`, else ARM's 401.
pub fn check_bearer(headers: &HeaderMap, token: &str) -> Result<(), ArmFailure> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(ArmFailure::new(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let presented = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    });
    if presented.is_some_and(|p| constant_time_eq(p.as_bytes(), token.as_bytes())) {
        Ok(())
    } else {
        Err(ArmFailure::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        ))
    }
}

/// One page of `items`, with a `nextLink` carrying `$skip` when more remain, written out as
/// JSON straight from the stored items: only the page's items are visited (a list read page
/// by page would otherwise build every item once per page), and none is cloned.
fn page<T: ?Sized>(
    items: &[&T],
    write_item: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()>,
    uri: &Uri,
    query: &HashMap<String, String>,
    base_url: &str,
) -> HandlerResult {
    let skip: usize = query
        .get("$skip")
        .or_else(|| query.get("$skiptoken"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let size = query
        .get("count")
        .or_else(|| query.get("$top"))
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(PAGE_SIZE);
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"value\":[");
    for (i, item) in items.iter().skip(skip).take(size).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_item(item, &mut out).map_err(unserializable)?;
    }
    out.push(b']');
    if skip.saturating_add(size) < items.len() {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in query {
            if k != "$skip" && k != "$skiptoken" {
                next.append_pair(k, v);
            }
        }
        next.append_pair("$skip", &(skip + size).to_string());
        let link = format!("{base_url}{}?{}", uri.path(), next.finish());
        out.extend_from_slice(b",\"nextLink\":");
        serde_json::to_writer(&mut out, &link).map_err(unserializable)?;
    }
    out.push(b'}');
    Ok(Reply::serialized(out))
}

/// A stored resource that JSON cannot express is the emulator's fault: ARM's 500.
fn unserializable(error: serde_json::Error) -> ArmFailure {
    ArmFailure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        format!("The emulator could not write a list page: {error}"),
    )
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> serde_json::Result<()> {
    serde_json::to_writer(out, value)
}

/// The subscription a request is about (ARM's limits are per subscription); empty for
/// tenant-level paths.
pub(crate) fn subscription_of(uri: &Uri) -> &str {
    let mut segments = uri.path().trim_start_matches('/').split('/');
    match (segments.next(), segments.next()) {
        (Some(first), Some(sub)) if first.eq_ignore_ascii_case("subscriptions") => sub,
        _ => "",
    }
}

/// The newest api-version of the Azure ML management API the emulator knows; shapes are
/// compatible back to the 2022 previews, so any older well-formed version is served too.
const NEWEST_API_VERSION: &str = "2026-07-01";

/// A well-formed api-version (`YYYY-MM-DD`, optionally `-preview`) that the service has
/// published, else ARM's 400.
fn check_api_version(version: &str) -> Result<(), ArmFailure> {
    let (date, suffix) = version.split_at(version.len().min(10));
    let well_formed = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
        && matches!(suffix, "" | "-preview");
    if !well_formed {
        return Err(ArmFailure::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions are dates such as '{NEWEST_API_VERSION}', optionally with '-preview'."
            ),
        )
        .target("api-version"));
    }
    if date > NEWEST_API_VERSION {
        return Err(ArmFailure::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for API version '{version}' for type 'workspaces'. The newest supported api-version is '{NEWEST_API_VERSION}'."
            ),
        )
        .target("api-version"));
    }
    Ok(())
}

/// Serves one ARM request. `segments` are the path's segments as sent.
pub fn handle(
    emulator: &Emulator,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> HandlerResult {
    check_bearer(headers, &emulator.token)?;
    let query = query_pairs(uri);
    let Some(api_version) = query.get("api-version").cloned() else {
        return Err(ArmFailure::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    check_api_version(&api_version)?;
    let mut store = emulator.lock_store();
    store.lro_failure_probability = emulator.faults.lro_failure_probability();
    let mut touched = store.settle(Instant::now());
    let result = route(
        emulator,
        &mut store,
        method,
        uri,
        &query,
        &api_version,
        body,
    );
    // Scoring reads snapshots: refresh those of the endpoints that may have changed.
    if *method != Method::GET {
        match endpoint_of(uri) {
            Some(endpoint) => touched.push(endpoint),
            None => {
                emulator.refresh_routes(&store);
                return result;
            }
        }
    }
    if !touched.is_empty() {
        emulator
            .routes
            .rebuild_endpoints(&store, &emulator.knobs, &emulator.metrics, &touched);
    }
    result
}

/// The endpoint (workspace, name) a request's path is about, if it is about one.
fn endpoint_of(uri: &Uri) -> Option<(WorkspaceKey, String)> {
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    match segments.as_slice() {
        [
            subscriptions,
            sub,
            groups,
            rg,
            _,
            _,
            workspaces,
            ws,
            endpoints,
            name,
            ..,
        ] if subscriptions.eq_ignore_ascii_case("subscriptions")
            && groups.eq_ignore_ascii_case("resourcegroups")
            && workspaces.eq_ignore_ascii_case("workspaces")
            && endpoints.eq_ignore_ascii_case("onlineendpoints") =>
        {
            Some((workspace_key(sub, rg, ws), (*name).to_string()))
        }
        _ => None,
    }
}

fn route(
    emulator: &Emulator,
    store: &mut super::store::Store,
    method: &Method,
    uri: &Uri,
    query: &HashMap<String, String>,
    api_version: &str,
    body: &Bytes,
) -> HandlerResult {
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let base = store.base_url.clone();
    let not_allowed = || {
        Err(ArmFailure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on {}.", uri.path()),
        ))
    };
    match l.as_slice() {
        ["subscriptions", _] => match *method {
            Method::GET => subscription(store, segments[1]),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "workspaces",
        ] => match *method {
            Method::GET => page(
                &store.list_workspaces(segments[1], None),
                write_value,
                uri,
                query,
                &base,
            ),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "locations",
            _,
            "mfeoperationsstatus",
            _,
        ] => match *method {
            Method::GET => store.operation_status(segments[7]),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "locations",
            _,
            "mfeoperationresults",
            _,
        ] => match *method {
            Method::GET => store.operation_result(segments[7]),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "locations",
            _,
            "usages",
        ] => match *method {
            Method::GET => Ok(Reply::ok(store.usages(segments[1], segments[5]))),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "locations",
            _,
            "vmsizes",
        ] => match *method {
            Method::GET => Ok(Reply::ok(store.vm_sizes())),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "workspaces",
        ] => match *method {
            Method::GET => page(
                &store.list_workspaces(segments[1], Some(segments[3])),
                write_value,
                uri,
                query,
                &base,
            ),
            _ => not_allowed(),
        },
        [
            "subscriptions",
            _,
            "resourcegroups",
            _,
            "providers",
            "microsoft.machinelearningservices",
            "workspaces",
            _,
            rest @ ..,
        ] => {
            let key = workspace_key(segments[1], segments[3], segments[7]);
            let raw_rest = &segments[8..];
            workspace_route(
                emulator,
                store,
                &key,
                method,
                rest,
                raw_rest,
                uri,
                query,
                api_version,
                body,
            )
        }
        _ => Err(ArmFailure::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource path '{}' is not served by this emulator.",
                uri.path()
            ),
        )),
    }
}

/// The display name of the subscription the demo seeds.
pub(crate) const DEMO_SUBSCRIPTION_NAME: &str = "Rollout Demo (emulated)";

/// `GET /subscriptions/{id}` in the Subscriptions API's shape. The emulator knows the
/// subscriptions it holds workspaces in; any other is ARM's `SubscriptionNotFound`.
fn subscription(store: &super::store::Store, id: &str) -> HandlerResult {
    if store.list_workspaces(id, None).is_empty() {
        return Err(ArmFailure::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{id}' could not be found."),
        ));
    }
    let name = if id.eq_ignore_ascii_case(crate::config::DEMO_SUBSCRIPTION_ID) {
        DEMO_SUBSCRIPTION_NAME.to_string()
    } else {
        format!("Emulated subscription {}", id.get(..8).unwrap_or(id))
    };
    Ok(Reply::ok(json!({
        "id": format!("/subscriptions/{id}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": id,
        "tenantId": store.tenant_id,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        }
    })))
}

#[allow(clippy::too_many_arguments)]
fn workspace_route(
    emulator: &Emulator,
    store: &mut super::store::Store,
    key: &WorkspaceKey,
    method: &Method,
    rest: &[&str],
    raw: &[&str],
    uri: &Uri,
    query: &HashMap<String, String>,
    api_version: &str,
    body: &Bytes,
) -> HandlerResult {
    let base = store.base_url.clone();
    let not_allowed = || {
        Err(ArmFailure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("The method {method} is not allowed on {}.", uri.path()),
        ))
    };
    match (rest, method) {
        ([], &Method::GET) => Ok(Reply::ok(store.workspace(key)?.resource.clone())),
        (["onlineendpoints"], &Method::GET) => {
            let now = Instant::now();
            let endpoints: Vec<_> = store.workspace(key)?.endpoints.values().collect();
            page(
                &endpoints,
                |ep, out| write_endpoint_view(ep, now, out),
                uri,
                query,
                &base,
            )
        }
        (["onlineendpoints", _], &Method::GET) => Ok(Reply::ok(endpoint_view(
            store.endpoint(key, raw[1])?,
            Instant::now(),
        ))),
        (["onlineendpoints", _], &Method::PUT) => {
            store.put_endpoint(key, raw[1], body, api_version)
        }
        (["onlineendpoints", _], &Method::PATCH) => {
            store.patch_endpoint(key, raw[1], body, api_version)
        }
        (["onlineendpoints", _], &Method::DELETE) => {
            store.delete_endpoint(key, raw[1], api_version)
        }
        (["onlineendpoints", _, "listkeys"], &Method::POST) => store.list_keys(key, raw[1]),
        (["onlineendpoints", _, "regeneratekeys"], &Method::POST) => {
            store.regenerate_keys(key, raw[1], body, api_version)
        }
        (["onlineendpoints", _, "token"], &Method::POST) => store.get_token(key, raw[1]),
        (["onlineendpoints", _, "deployments"], &Method::GET) => {
            let deployments: Vec<_> = store
                .endpoint(key, raw[1])?
                .deployments
                .values()
                .map(|d| &d.resource)
                .collect();
            page(&deployments, write_value, uri, query, &base)
        }
        (["onlineendpoints", _, "deployments", _], &Method::GET) => Ok(Reply::ok(
            store.deployment(key, raw[1], raw[3])?.resource.clone(),
        )),
        (["onlineendpoints", _, "deployments", _], &Method::PUT) => {
            store.put_deployment(key, raw[1], raw[3], body, api_version)
        }
        (["onlineendpoints", _, "deployments", _], &Method::PATCH) => {
            store.patch_deployment(key, raw[1], raw[3], body, api_version)
        }
        (["onlineendpoints", _, "deployments", _], &Method::DELETE) => {
            store.delete_deployment(key, raw[1], raw[3], api_version)
        }
        (["onlineendpoints", _, "deployments", _, "getlogs"], &Method::POST) => {
            store.get_logs(key, raw[1], raw[3], body)
        }
        (["onlineendpoints", _, "deployments", _, "skus"], &Method::GET) => {
            store.list_skus(key, raw[1], raw[3])
        }
        (
            [
                "onlineendpoints",
                _,
                "providers",
                "microsoft.insights",
                "metrics",
            ],
            &Method::GET,
        ) => {
            let ep = store.endpoint(key, raw[1])?;
            let id = ep.resource["id"].as_str().unwrap_or_default();
            let region = ep.resource["location"].as_str().unwrap_or_default();
            let metrics = emulator.metrics.endpoint(key, raw[1]);
            let lag = emulator
                .metrics_lag_secs
                .load(std::sync::atomic::Ordering::Relaxed);
            super::monitor::answer(id, region, query, |from, to| {
                let buckets = metrics.minutes_between(from, to);
                if lag == 0 {
                    return buckets;
                }
                // Like Azure Monitor: a minute appears only `lag` seconds after it ended.
                let now = chrono::Utc::now().timestamp();
                buckets
                    .into_iter()
                    .filter(|b| (b.minute + 1) * 60 + lag as i64 <= now)
                    .collect()
            })
        }
        (
            []
            | ["onlineendpoints"]
            | ["onlineendpoints", _]
            | ["onlineendpoints", _, "deployments"]
            | ["onlineendpoints", _, "deployments", _]
            | [
                "onlineendpoints",
                _,
                "providers",
                "microsoft.insights",
                "metrics",
            ],
            _,
        ) => not_allowed(),
        _ => Err(ArmFailure::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource path '{}' is not served by this emulator.",
                uri.path()
            ),
        )),
    }
}
