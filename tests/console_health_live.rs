//! The console's health columns fed by the real worker from the real emulator: with green
//! failing 30% of its requests (the emulator's `error_rate` knob) at 50/50, the deployments
//! table shows green's error share near 30% and "worse", and blue near 0% as the baseline.
//! The loop is the console's own: ticks go into `update()`, the commands it asks for go to the
//! worker, the worker's answers go back into `update()`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aml_rollout::app::{AppState, Cmd, Msg, update};
use aml_rollout::azure::SplitChange;
use aml_rollout::emulator::scoring::knobs::KnobSetting;
use aml_rollout::emulator::{self, EmulatorConfig};
use aml_rollout::rollout::parse_traffic;
use aml_rollout::worker::Worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::unbounded_channel;

const ENDPOINT: &str = "my-endpoint";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_shows_green_failing_against_a_healthy_blue() {
    let config = EmulatorConfig::for_tests();
    let knobs =
        KnobSetting::parse("green:error_rate=0.3", config.default_knobs).expect("a knob setting");
    let emu = emulator::start(EmulatorConfig {
        knobs: vec![knobs],
        ..config
    })
    .await
    .expect("emulator starts");
    let client = Arc::new(emu.client().expect("client"));
    let ws = common::ws(&emu);
    common::create_green(&client, &ws).await;
    let split = client
        .begin_update_split(
            &ws,
            ENDPOINT,
            &SplitChange {
                live: Some(parse_traffic("blue=50 green=50").expect("split")),
                ..SplitChange::default()
            },
        )
        .await
        .expect("split sent");
    client
        .wait(&split.operation, &mut common::no_progress())
        .await
        .expect("split applied");
    emu.emulator.load.set_rps(60.0);

    let (tx, mut rx) = unbounded_channel();
    let worker = Worker::new(
        client.clone(),
        ws.clone(),
        tx,
        None,
        format!("emulator {}", emu.base_url),
        Duration::from_millis(500),
    );
    let mut options = common::console::options();
    options.refresh_interval = Duration::from_millis(500);
    let mut state = AppState::new(options, Instant::now());

    // Until both deployments have served enough for their shares to mean something; the bound
    // only keeps a broken emulator from hanging the suite.
    let enough = |state: &AppState| {
        let requests = |name: &str| {
            state
                .azure
                .deployments_of(ENDPOINT)
                .iter()
                .find(|d| d.name == name)
                .and_then(|d| d.metrics.as_ref())
                .map_or(0, |m| m.requests)
        };
        requests("blue") >= 400 && requests("green") >= 400
    };
    let mut rounds = 0;
    let mut cmds: Vec<Cmd> = Vec::new();
    while !enough(&state) {
        rounds += 1;
        assert!(rounds < 600, "no health figures arrived");
        cmds.extend(update(&mut state, Msg::Tick(Instant::now())));
        for cmd in std::mem::take(&mut cmds) {
            // The panes' tailers are not what this test is about; every read is.
            if matches!(
                cmd,
                Cmd::Refresh { .. } | Cmd::RefreshEndpoints { .. } | Cmd::RefreshEndpoint { .. }
            ) {
                worker.run(cmd).await;
            }
        }
        while let Ok(msg) = rx.try_recv() {
            cmds.extend(update(&mut state, msg));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    emu.emulator.load.set_rps(0.0);

    let metrics = |name: &str| {
        state
            .azure
            .deployments_of(ENDPOINT)
            .iter()
            .find(|d| d.name == name)
            .and_then(|d| d.metrics.clone())
            .expect("metrics shown")
    };
    let (blue, green) = (metrics("blue"), metrics("green"));
    let green_errors = green.error_percent.expect("green's error share");
    assert!((20.0..=40.0).contains(&green_errors), "{green:?}");
    assert_eq!(
        green.client_error_percent,
        Some(0.0),
        "the knob answers 5xx"
    );
    assert_eq!(blue.error_percent, Some(0.0), "{blue:?}");
    assert_eq!(
        green.baseline.as_deref(),
        Some("blue"),
        "50/50: the first by name"
    );
    assert_eq!(blue.baseline, None, "blue is the baseline");
    assert!(
        green.error_delta_points.is_some_and(|d| d > 15.0),
        "{green:?}"
    );
    assert_eq!(green.verdict, aml_rollout::rollout::Verdict::Worse);

    // And the screen says so in words, not only in colour (the options are monochrome).
    let mut terminal = Terminal::new(TestBackend::new(200, 40)).expect("terminal");
    terminal
        .draw(|f| aml_rollout::ui::render(&state, f))
        .expect("drawn");
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("worse"), "{screen}");
}
