//! Throughput of the log pane pipeline: 100k realistic container log lines
//! arrive as successive `getLogs` windows of 1000 lines, each window adding
//! 100 new ones (the steady state of a busy endpoint polled every second).
//! Every window goes through merge + sanitize + ring append.
// A benchmark's setup failing is a panic: there is no one to report an error to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use aml_rollout::logstream::LogStream;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TOTAL_LINES: usize = 100_000;
const WINDOW_LINES: usize = 1_000;
const NEW_LINES_PER_WINDOW: usize = 100;

/// Deterministic mix resembling an azureml-inference-server container:
/// mostly access-log lines, some app logs, a few coloured level tags and
/// tab-indented traceback lines (which take the sanitizer's slow path).
fn realistic_line(i: usize) -> String {
    let ip = format!("10.0.{}.{}", (i / 251) % 256, i % 251);
    let latency = 3 + (i * 7919) % 480;
    match i % 20 {
        0 => format!(
            "2024-05-01 12:{:02}:{:02},{:03} | root | INFO | \x1b[32mscoring request {i:08x} completed\x1b[0m in {latency} ms",
            (i / 60) % 60,
            i % 60,
            i % 1000
        ),
        7 => format!(
            "\tFile \"/var/azureml-app/score.py\", line {}, in run",
            10 + i % 90
        ),
        13 => format!(
            "2024-05-01T12:{:02}:{:02}.{:06}Z WARNING model batch size {} above recommended 32",
            (i / 60) % 60,
            i % 60,
            i % 1_000_000,
            32 + i % 64
        ),
        _ => format!(
            "{ip} - - [01/May/2024:12:{:02}:{:02} +0000] \"POST /score HTTP/1.1\" {} {} \"-\" \"python-requests/2.31.0\" x-ms-request-id={:032x} duration={latency}ms",
            (i / 60) % 60,
            i % 60,
            if i.is_multiple_of(97) { 500 } else { 200 },
            200 + (i * 31) % 1800,
            (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834)
        ),
    }
}

fn log_ingest(c: &mut Criterion) {
    // One contiguous log text plus line start offsets: each window is then a
    // zero-copy slice, so the benchmark measures ingestion, not setup.
    let mut log = String::new();
    let mut line_starts = Vec::with_capacity(TOTAL_LINES + 1);
    for i in 0..TOTAL_LINES {
        line_starts.push(log.len());
        log.push_str(&realistic_line(i));
        log.push('\n');
    }
    line_starts.push(log.len());

    let windows: Vec<&str> = (WINDOW_LINES..=TOTAL_LINES)
        .step_by(NEW_LINES_PER_WINDOW)
        .map(|end| &log[line_starts[end - WINDOW_LINES]..line_starts[end]])
        .collect();

    let mut group = c.benchmark_group("log_ingest");
    group.throughput(Throughput::Elements(TOTAL_LINES as u64));
    group.sample_size(10);
    group.bench_function("windows_1000_step_100", |b| {
        b.iter(|| {
            let mut stream = LogStream::new();
            for window in &windows {
                stream.ingest_window(black_box(window));
            }
            assert_eq!(stream.ring().total_pushed(), TOTAL_LINES as u64);
            black_box(stream)
        });
    });
    group.finish();
}

criterion_group!(benches, log_ingest);
criterion_main!(benches);
