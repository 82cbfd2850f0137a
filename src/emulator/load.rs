//! Synthetic load: unpinned scoring requests (the demo's sample request) to every endpoint
//! with live traffic, so routing, mirroring, logs and metrics move by themselves.
//!
//! The requests go through real HTTP on loopback (the emulator only listens on 127.0.0.1),
//! not an in-process call: the load then exercises exactly what a client sees (the HTTP
//! layer, injected resets and stalls included), and costs nothing worth saving at demo
//! rates. Concurrency is bounded: when [`MAX_IN_FLIGHT`] requests are pending, a due request
//! is skipped (counted), never queued, so a slow deployment cannot pile up work. The task
//! ends with the emulator; aborting it aborts its requests.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::scoring::routing::{EndpointRoute, ScoringAuth};
use super::seed::DEMO_SAMPLE_REQUEST;
use super::shared::Emulator;

/// Requests of the load generator pending at once.
pub const MAX_IN_FLIGHT: usize = 64;
const TICK: Duration = Duration::from_millis(20);

/// Runs until aborted.
pub async fn run(emulator: Arc<Emulator>) {
    let client = match reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(70))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "synthetic load: no HTTP client");
            return;
        }
    };
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut requests = JoinSet::new();
    let mut budget: HashMap<String, f64> = HashMap::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last = Instant::now();
    loop {
        ticker.tick().await;
        while requests.try_join_next().is_some() {}
        let elapsed = last.elapsed().as_secs_f64();
        last = Instant::now();
        let rps = emulator.load.rps();
        if rps <= 0.0 {
            budget.clear();
            continue;
        }
        emulator.settle_if_due();
        let endpoints = emulator.routes.endpoints();
        let serving: std::collections::HashSet<&str> =
            endpoints.iter().map(|e| e.scoring_uri.as_str()).collect();
        budget.retain(|uri, _| serving.contains(uri.as_str()));
        for ep in endpoints.iter().filter(|e| e.has_live_traffic()) {
            let due = budget.entry(ep.scoring_uri.clone()).or_default();
            // At most a second's worth at once, so a stall does not end in a burst.
            *due = (*due + rps * elapsed).min(rps.max(1.0));
            if *due < 1.0 {
                continue;
            }
            let Some(credential) = credential_for(&emulator, ep) else {
                continue;
            };
            while *due >= 1.0 {
                *due -= 1.0;
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    emulator.load.skipped.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let request = client
                    .post(&ep.scoring_uri)
                    .bearer_auth(&credential)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(DEMO_SAMPLE_REQUEST);
                let emulator = emulator.clone();
                requests.spawn(async move {
                    let _permit = permit;
                    emulator.load.sent.fetch_add(1, Ordering::Relaxed);
                    let outcome = match request.send().await {
                        Ok(response) => response.bytes().await.map(|_| ()),
                        Err(e) => Err(e),
                    };
                    if outcome.is_err() {
                        emulator.load.failed.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        }
    }
}

/// The endpoint's key, a fresh AML token (minted like `POST .../token` would), or the
/// emulator's token for `AADToken` endpoints.
fn credential_for(emulator: &Emulator, ep: &EndpointRoute) -> Option<String> {
    let now = chrono::Utc::now().timestamp();
    if let Some(c) = ep.load_credential(&emulator.token, now) {
        return Some(c);
    }
    if !matches!(ep.auth, ScoringAuth::AmlTokens(_)) {
        return None;
    }
    let mut store = emulator.lock_store();
    let reply = store.get_token(&ep.workspace, &ep.name).ok()?;
    emulator.refresh_routes(&store);
    reply
        .json()
        .and_then(|b| b.get("accessToken"))
        .and_then(Value::as_str)
        .map(str::to_string)
}
