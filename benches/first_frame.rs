//! Time from starting `aml-rollout` (the demo: emulator in-process, then the console) to its
//! first full frame, and to the first frame showing the workspace's data, in a pseudo-terminal.
//!
//! Run: `cargo bench --bench first_frame`
// A benchmark's setup failing is a panic: there is no one to report an error to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Starts the console and returns how long it took until `marker` was on the screen.
fn time_until(marker: &'static [u8]) -> Duration {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 140,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_aml-rollout"));
    cmd.env("TERM", "xterm-256color");
    let started = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(marker.len()).any(|w| w == marker) {
                let _ = tx.send(started.elapsed());
                break;
            }
        }
    });
    let elapsed = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the console drew its frame");
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn first_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("start");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("first_frame", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| time_until(b"DEMO")).sum())
    });
    group.bench_function("workspace_shown", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| time_until(b"my-endpoint")).sum())
    });
    group.finish();
}

criterion_group!(benches, first_frame);
criterion_main!(benches);
