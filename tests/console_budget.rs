//! The idle console's cost in Azure Resource Manager requests, counted by the emulator: the real
//! worker and the real `update()` run as the terminal loop runs them (a tick every 250 ms, every
//! message through `update`, every command to the worker), against a workspace of 100
//! endpoints with two log panes open. ARM refills a subscription's reads at 25/s and its
//! writes (a `getLogs` POST is one) at 10/s, for every client of the subscription together.
//! The rates are request counts over a measured window; the deadlines only bound a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aml_rollout::app::ids::RequestId;
use aml_rollout::app::state::{AppState, Focus};
use aml_rollout::app::{Cmd, Msg, update};
use aml_rollout::azure::{AmlClient, SplitChange, WorkspaceRef};
use aml_rollout::emulator::throttle::{ArmLimits, RequestCounts};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator, Seed};
use aml_rollout::rollout::parse_traffic;
use aml_rollout::worker::Worker;
use serde_json::json;
use tokio::sync::mpsc::unbounded_channel;

const ENDPOINTS: usize = 100;
/// The endpoint the console selects first (the list is sorted by name).
const SELECTED: &str = "endpoint-000";
/// As the terminal loop ticks.
const TICK: Duration = Duration::from_millis(250);
/// Long enough for several of each periodic read, short enough for a test.
const WINDOW: Duration = Duration::from_secs(25);

/// Requests counted so far, by kind, through the emulator's control API.
async fn counts(emu: &RunningEmulator) -> RequestCounts {
    reqwest::Client::new()
        .get(format!("{}/_emulator/requests", emu.base_url))
        .bearer_auth(&emu.token)
        .send()
        .await
        .expect("control API")
        .json()
        .await
        .expect("counts")
}

fn endpoint_body() -> serde_json::Value {
    json!({"location": "westus2", "properties": {"authMode": "Key"}})
}

/// A size the emulator's core quota does not model, so that 101 deployments fit.
fn deployment_body() -> serde_json::Value {
    json!({
        "location": "westus2",
        "sku": {"name": "Default", "capacity": 1},
        "properties": {"endpointComputeType": "Managed", "instanceType": "Standard_D2s_v3", "model": "azureml:m:1"},
    })
}

/// 100 endpoints with a deployment each; the first has two (blue takes all its traffic), so
/// the console opens two log panes on it. Made with ARM's limits off, then turned back on as
/// on Azure.
async fn workspace() -> (RunningEmulator, AmlClient, WorkspaceRef) {
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        arm_limits: ArmLimits::off(),
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts");
    let client = emu.client().expect("client");
    let ws = emu.workspace.clone();
    for e in 0..ENDPOINTS {
        let name = format!("endpoint-{e:03}");
        let op = client
            .begin_put_endpoint(&ws, &name, &endpoint_body())
            .await
            .expect("endpoint");
        client
            .wait(&op, &mut common::no_progress())
            .await
            .expect("created");
        let names: &[&str] = if e == 0 {
            &["blue", "green"]
        } else {
            &["blue"]
        };
        for d in names {
            let op = client
                .begin_put_deployment(&ws, &name, d, &deployment_body())
                .await
                .expect("deployment");
            client
                .wait(&op, &mut common::no_progress())
                .await
                .expect("created");
        }
    }
    set_split(&client, &ws, "blue=100").await;
    let on = reqwest::Client::new()
        .put(format!("{}/_emulator/arm", emu.base_url))
        .bearer_auth(&emu.token)
        .json(&json!({"throttling": ArmLimits::default()}))
        .send()
        .await
        .expect("control API");
    assert!(on.status().is_success());
    (emu, client, ws)
}

/// Someone else changes the selected endpoint's traffic.
async fn set_split(client: &AmlClient, ws: &WorkspaceRef, live: &str) {
    let change = SplitChange {
        live: Some(parse_traffic(live).expect("split")),
        ..Default::default()
    };
    let update = client
        .begin_update_split(ws, SELECTED, &change)
        .await
        .expect("accepted");
    client
        .wait(&update.operation, &mut common::no_progress())
        .await
        .expect("applied");
}

/// The console without a terminal: its state, shared with the test, driven by the loop.
fn console(emu: &RunningEmulator) -> Arc<Mutex<AppState>> {
    let (tx, mut rx) = unbounded_channel();
    let client = Arc::new(emu.client().expect("client"));
    let worker = Worker::new(
        client,
        emu.workspace.clone(),
        tx,
        None,
        "emulator".into(),
        // The default log poll interval.
        Duration::from_secs(1),
    );
    let options = common::console::options();
    let state = Arc::new(Mutex::new(AppState::new(options, Instant::now())));
    let shared = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK);
        loop {
            let msg = tokio::select! {
                msg = rx.recv() => match msg {
                    Some(msg) => msg,
                    None => return,
                },
                _ = tick.tick() => Msg::Tick(Instant::now()),
            };
            let cmds = update(&mut shared.lock().unwrap(), msg);
            for cmd in cmds {
                worker.spawn(cmd);
            }
        }
    });
    state
}

/// Waits for `what` of the state to hold; panics with `why` after `deadline`.
async fn until(
    state: &Arc<Mutex<AppState>>,
    deadline: Duration,
    why: &str,
    what: impl Fn(&AppState) -> bool,
) {
    let start = Instant::now();
    while !what(&state.lock().unwrap()) {
        assert!(start.elapsed() < deadline, "{why}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn live_of(state: &AppState, endpoint: &str, deployment: &str) -> u32 {
    state
        .azure
        .endpoint(endpoint)
        .map(|e| e.split.live_of(deployment))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_console_on_100_endpoints_stays_within_two_reads_and_one_write_a_second() {
    let (emu, client, ws) = workspace().await;
    let state = console(&emu);
    until(
        &state,
        Duration::from_secs(30),
        "the workspace loads",
        |s| s.azure.endpoints.len() == ENDPOINTS && s.logs.panes.len() == 2,
    )
    .await;
    {
        let s = state.lock().unwrap();
        assert_eq!(s.selected_endpoint().unwrap().name, SELECTED);
        assert_eq!(s.ui.focus, Focus::Deployments);
    }
    // The first full read is the start, not idling: measure from after it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = counts(&emu).await;
    let start = Instant::now();
    tokio::time::sleep(WINDOW).await;
    let after = counts(&emu).await;
    let seconds = start.elapsed().as_secs_f64();
    let reads = (after.reads - before.reads) as f64 / seconds;
    let writes = (after.writes - before.writes) as f64 / seconds;
    eprintln!("idle console: {reads:.2} reads/s, {writes:.2} writes/s over {seconds:.1} s");
    assert!(reads <= 2.0, "{reads:.2} reads/s over {seconds:.1} s");
    assert!(writes <= 1.0, "{writes:.2} writes/s over {seconds:.1} s");
    // Not quiet because it stopped: the selected endpoint is read (three requests) every
    // few seconds, and both panes still poll.
    assert!(
        reads >= 0.4,
        "{reads:.2} reads/s: the selected endpoint is no longer read"
    );
    assert!(
        after.writes - before.writes >= 2,
        "the panes no longer poll their logs"
    );
    assert_eq!(after.deletes, before.deletes);

    // Someone else moves the selected endpoint's traffic: the console shows it within its
    // selected endpoint's refresh (4 s), long before the endpoint list's next read (30 s).
    assert_eq!(live_of(&state.lock().unwrap(), SELECTED, "green"), 0);
    set_split(&client, &ws, "blue=60 green=40").await;
    until(
        &state,
        Duration::from_secs(5),
        "the selected endpoint's new split is shown within 5 s",
        |s| live_of(s, SELECTED, "green") == 40,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_of_the_selected_endpoint_costs_three_reads_one_of_them_metrics() {
    let (emu, _client, ws) = workspace().await;
    let (tx, mut rx) = unbounded_channel();
    let worker = Worker::new(
        Arc::new(emu.client().expect("client")),
        ws,
        tx,
        None,
        "emulator".into(),
        Duration::from_secs(1),
    );
    let before = counts(&emu).await;
    worker
        .run(Cmd::RefreshEndpoint {
            request: RequestId(1),
            endpoint: SELECTED.into(),
        })
        .await;
    let after = counts(&emu).await;
    // The endpoint, its deployments, and one metrics query for both deployments.
    assert_eq!(after.reads - before.reads, 3);
    assert_eq!(after.writes, before.writes);
    let mut metrics = 0;
    while let Ok(msg) = rx.try_recv() {
        if let Msg::MetricsLoaded { result, .. } = msg {
            metrics += 1;
            assert_eq!(result.expect("health").deployments.len(), 2);
        }
    }
    assert_eq!(metrics, 1);
}

async fn put_faults(emu: &RunningEmulator, profile: serde_json::Value) {
    let response = reqwest::Client::new()
        .put(format!("{}/_emulator/faults", emu.base_url))
        .bearer_auth(&emu.token)
        .json(&profile)
        .send()
        .await
        .expect("control API");
    assert!(response.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_holds_every_poller_for_its_retry_after_and_the_console_says_so() {
    let (emu, _client, _ws) = workspace().await;
    let state = console(&emu);
    until(
        &state,
        Duration::from_secs(30),
        "the workspace loads",
        |s| s.azure.endpoints.len() == ENDPOINTS && s.logs.panes.len() == 2,
    )
    .await;
    // Azure throttles the next request, whichever poller sends it, asking for 5 s.
    put_faults(
        &emu,
        json!({"management": {"throttle": 1.0, "retry_after_secs": 5}}),
    )
    .await;
    until(
        &state,
        Duration::from_secs(10),
        "the console hears of the 429",
        |s| s.azure.throttled_until.is_some(),
    )
    .await;
    put_faults(&emu, json!({})).await;
    let pause_ends = state.lock().unwrap().azure.throttled_until.unwrap();
    // Requests already on their way when the 429 came back land first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = counts(&emu).await;
    tokio::time::sleep(
        pause_ends
            .saturating_duration_since(Instant::now())
            .saturating_sub(Duration::from_millis(300)),
    )
    .await;
    let during = counts(&emu).await;
    assert_eq!(
        during, before,
        "no refresh, metrics query or log poll goes out during the pause"
    );
    until(
        &state,
        Duration::from_secs(10),
        "the pause ends and the reads resume",
        |s| s.azure.throttled_until.is_none() && s.azure.last_error.is_none(),
    )
    .await;
    let mut after = counts(&emu).await;
    let start = Instant::now();
    while after.reads == during.reads && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = counts(&emu).await;
    }
    assert!(
        after.reads > during.reads,
        "the reads resume after the pause"
    );
}
