//! `logs --follow --lines N` against the emulator: N is what is printed first, not the polling
//! window, so a burst of more than N lines between two polls loses nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use headless_common::{ENDPOINT, Harness, repo_file};
use serde_json::Value;

#[test]
fn follow_with_few_lines_prints_a_burst_whole() {
    let h = Harness::start();
    let mut command = h.sandbox.command(&[
        "--emulator",
        &h.emulator.base_url,
        "--emulator-token",
        &h.emulator.token,
        "logs",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--follow",
        "--lines",
        "2",
        "-o",
        "json",
    ]);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = command.spawn().expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    assert_eq!(
        serde_json::from_str::<Value>(&first).unwrap()["kind"],
        "line"
    );

    let request = repo_file("assets/demo/sample-request.json");
    let burst = 12;
    for _ in 0..burst {
        let run = h.run(&[
            "invoke",
            "-e",
            ENDPOINT,
            "-d",
            "blue",
            "--request-file",
            &request,
        ]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let mut rows = vec![first];
    let mut scored = 0;
    while scored < burst {
        let line = lines.next().expect("follow keeps printing").expect("utf-8");
        if line.contains("/score") {
            scored += 1;
        }
        rows.push(line);
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let markers: Vec<&String> = rows.iter().filter(|r| r.contains("\"marker\"")).collect();
    assert!(markers.is_empty(), "no line was missed: {markers:#?}");
    let before_burst = rows.iter().take_while(|r| !r.contains("/score")).count();
    assert!(
        before_burst <= 2,
        "--lines 2 prints 2 lines first: {rows:#?}"
    );
}
