//! The console's hot paths: one key through `update` plus a frame of the main screen with four
//! deployments; and a frame of three log panes holding 50 000 lines each at 240x70, with the
//! heap those panes take.
//!
//! Run: `cargo bench --bench console`
// A benchmark's setup failing is a panic: there is no one to report an error to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use aml_rollout::app::msg::LoadedWorkspace;
use aml_rollout::app::state::{
    AppOptions, DeploymentMetrics, DeploymentView, EndpointView, Focus, TargetLabel,
};
use aml_rollout::app::{AppState, Cmd, Msg, update};
use aml_rollout::rollout::{TrafficSplit, Verdict, parse_traffic};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Counts live heap bytes, to report what the log panes hold.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn options() -> AppOptions {
    AppOptions {
        target: TargetLabel::Demo,
        read_only: false,
        refresh_interval: std::time::Duration::from_secs(5),
        default_request_file: "sample-request.json".into(),
        default_deployment_file: "green-deployment.yml".into(),
        default_endpoint_file: "endpoint.yml".into(),
        no_color: false,
        log_buffer_lines: 50_000,
        health: Default::default(),
        target_mark: None,
    }
}

/// A deployment's health with every figure present and a full half-hour trend to draw.
fn busy_health() -> DeploymentMetrics {
    DeploymentMetrics {
        window: "5m".into(),
        requests: 6000,
        samples: 5,
        rate_per_minute: Some(1200.0),
        error_percent: Some(1.0),
        client_error_percent: Some(0.4),
        server_error_percent: Some(0.6),
        p95_ms: Some(40.0),
        as_of: Some(chrono::Utc::now()),
        verdict: Verdict::Worse,
        baseline: Some("blue".into()),
        error_delta_points: Some(0.8),
        p95_ratio: Some(1.1),
        trend: (0..30).map(|m| (1100 + m * 7, m % 13)).collect(),
    }
}

fn loaded(deployments: &[&str], live: &str) -> (AppState, Vec<Cmd>) {
    let mut state = AppState::new(options(), Instant::now());
    let now = state.now;
    let request = match &update(&mut state, Msg::Tick(now))[..] {
        [Cmd::Refresh { request }] => *request,
        other => panic!("{other:?}"),
    };
    let endpoint = EndpointView {
        name: "my-endpoint".into(),
        auth_mode: "Key".into(),
        kubernetes: false,
        state: "Succeeded".into(),
        split: TrafficSplit {
            live: parse_traffic(live).unwrap(),
            mirror: Default::default(),
        },
        scoring_uri: None,
        swagger_uri: None,
        modified: None,
        plan: None,
    };
    let views = deployments
        .iter()
        .map(|d| DeploymentView {
            name: d.to_string(),
            state: "Succeeded".into(),
            instance_type: "Standard_DS3_v2".into(),
            instances: 2,
            model: None,
            max_concurrent_requests: Some(4),
            metrics: Some(busy_health()),
        })
        .collect();
    let cmds = update(
        &mut state,
        Msg::Loaded {
            request,
            result: Ok(LoadedWorkspace {
                endpoints: vec![endpoint],
                deployments: vec![("my-endpoint".into(), views)],
            }),
        },
    );
    (state, cmds)
}

fn main_screen(c: &mut Criterion) {
    let (mut state, _) = loaded(
        &["blue", "green", "red", "yellow"],
        "blue=70 green=10 red=10 yellow=10",
    );
    state.logs.hidden = true;
    state.logs.panes.clear();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut toggle = false;
    c.bench_function("update_and_render_main_screen_4_deployments", |b| {
        b.iter(|| {
            // Alternate +1 and -1 so the draft never saturates.
            toggle = !toggle;
            let code = if toggle {
                KeyCode::Right
            } else {
                KeyCode::Left
            };
            update(
                &mut state,
                Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            );
            terminal
                .draw(|f| aml_rollout::ui::render(&state, f))
                .unwrap();
        })
    });
}

fn log_panes(c: &mut Criterion) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (mut state, cmds) = loaded(&["blue", "green", "red"], "blue=80 green=10 red=10");
    let tailers: Vec<aml_rollout::app::ids::TailerId> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::StartTail { tailer, .. } => Some(*tailer),
            _ => None,
        })
        .collect();
    assert_eq!(tailers.len(), 3);
    for (n, tailer) in tailers.iter().enumerate() {
        // 50 000 lines in windows of 1000 (as a 1000-line tail would bring them).
        for start in (0..50_000u32).step_by(1000) {
            let window: String = (start..start + 1000)
                .map(|i| format!("2026-11-22T12:{:02}:{:02}.{:03}Z POST /score 200 {}.{}ms x-request-id=req-{n}-{i:08} mirrored=no\n", (i / 60_000) % 60, (i / 1000) % 60, i % 1000, 10 + i % 30, i % 10))
                .collect();
            update(
                &mut state,
                Msg::LogWindow {
                    tailer: *tailer,
                    content: window,
                },
            );
        }
    }
    let held = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let lines: usize = state.logs.panes.iter().map(|p| p.stream.ring().len()).sum();
    eprintln!(
        "log panes: {lines} lines held in 3 panes; heap held {:.1} MiB, peak while filling {:.1} MiB",
        held as f64 / 1048576.0,
        peak as f64 / 1048576.0
    );
    state.ui.focus = Focus::Logs(0);
    let mut terminal = Terminal::new(TestBackend::new(240, 70)).unwrap();
    c.bench_function("render_three_log_panes_50k_lines_240x70", |b| {
        b.iter(|| {
            terminal
                .draw(|f| aml_rollout::ui::render(&state, f))
                .unwrap();
        })
    });
}

criterion_group!(benches, main_screen, log_panes);
criterion_main!(benches);
