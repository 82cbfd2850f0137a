//! The JSON output shapes scripts rely on, and the target errors a script can hit.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use headless_common::{ENDPOINT, Harness, Sandbox};
use serde_json::Value;

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

#[test]
fn json_output_has_the_documented_shape() {
    let h = Harness::start();
    // stdout is a pipe here, so JSON is the default.
    let endpoints = h.run(&["endpoint", "list"]);
    assert_eq!(endpoints.code, 0, "{endpoints:?}");
    let list = endpoints.json();
    let first = &list.as_array().expect("array")[0];
    assert_eq!(
        keys(first),
        [
            "auth_mode",
            "description",
            "kind",
            "location",
            "mirror_traffic",
            "name",
            "provisioning_state",
            "scoring_uri",
            "traffic"
        ]
    );
    assert_eq!(first["name"], ENDPOINT);
    assert_eq!(first["kind"], "managed");
    assert_eq!(first["traffic"]["blue"], 100);

    let deployments = h.run(&["deployment", "list", "-e", ENDPOINT]).json();
    let blue = &deployments.as_array().expect("array")[0];
    assert_eq!(
        keys(blue),
        [
            "endpoint_name",
            "environment",
            "instance_count",
            "instance_type",
            "mirror_traffic",
            "model",
            "name",
            "provisioning_state",
            "traffic",
            "type"
        ]
    );
    assert_eq!(blue["traffic"], 100);
    assert_eq!(blue["instance_count"], 1);

    let shown = h
        .run(&["deployment", "show", "-e", ENDPOINT, "-n", "blue"])
        .json();
    assert_eq!(shown, *blue);

    let change = h.run(&["traffic", "-e", ENDPOINT, "blue=100"]).json();
    assert_eq!(
        keys(&change),
        [
            "action",
            "after",
            "az_command",
            "before",
            "changes",
            "deployment",
            "endpoint",
            "notes",
            "status"
        ]
    );

    let table = h.run(&["endpoint", "list", "-o", "table"]);
    assert!(table.stdout.starts_with("NAME"), "{table:?}");
}

#[test]
fn logs_are_printed() {
    let h = Harness::start();
    let logs = h.run(&[
        "logs", "-e", ENDPOINT, "-n", "blue", "--lines", "5", "-o", "json",
    ]);
    assert_eq!(logs.code, 0, "{logs:?}");
    let view = logs.json();
    assert_eq!(view["container"], "inference-server");
    assert!(view["lines"].as_array().is_some_and(|l| l.len() <= 5));
    let missing = h.run(&["logs", "-e", ENDPOINT, "-n", "nope"]);
    assert_eq!(missing.code, 1, "{missing:?}");
}

#[test]
fn a_command_never_falls_back_to_the_demo() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["endpoint", "list"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--subscription"), "{run:?}");
    assert!(run.stderr.contains("-w/--workspace"), "{run:?}");
    assert!(run.stdout.is_empty());

    let partial = sandbox.run(&[
        "--subscription",
        "00000000-0000-0000-0000-000000000001",
        "endpoint",
        "list",
    ]);
    assert_eq!(partial.code, 2, "{partial:?}");
    assert!(
        partial.stderr.contains("no resource group chosen"),
        "{partial:?}"
    );
    assert!(
        partial.stderr.contains("no workspace chosen"),
        "{partial:?}"
    );
}

#[test]
fn an_emulator_needs_its_token() {
    let h = Harness::start();
    let run = h
        .sandbox
        .run(&["--emulator", &h.emulator.base_url, "endpoint", "list"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--emulator-token"), "{run:?}");

    let wrong = h.sandbox.run(&[
        "--emulator",
        &h.emulator.base_url,
        "--emulator-token",
        "wrong",
        "endpoint",
        "list",
    ]);
    assert_eq!(wrong.code, 3, "{wrong:?}");
}

#[test]
fn usage_errors_exit_2_and_completions_are_generated() {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.run(&["traffic"]).code, 2);
    assert_eq!(sandbox.run(&["endpoint", "frobnicate"]).code, 2);
    for shell in ["bash", "zsh", "fish"] {
        let run = sandbox.run(&["completions", shell]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("aml-rollout"), "{shell}");
    }
}

/// `logs --follow` prints lines as they are written, each once, and stops cleanly on ctrl-c.
/// Event-driven (reads until the expected line arrives), not timed.
#[test]
fn logs_follow_prints_new_lines_once_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

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
        "-o",
        "json",
    ]);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = command.spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();

    // The existing log comes first; then a change the emulator logs must show up.
    let first = lines.next().expect("a first line").expect("utf-8");
    let row: Value = serde_json::from_str(&first).expect("JSON Lines");
    assert_eq!(row["kind"], "line");
    let client = h.emulator.client().unwrap();
    let operation = h
        .block_on(client.begin_scale_deployment(&h.emulator.workspace, ENDPOINT, "blue", 3))
        .expect("scale");
    h.block_on(client.wait(&operation, &mut |_| {}))
        .expect("scaled");

    let mut seen = vec![first];
    loop {
        let line = lines.next().expect("follow keeps printing").expect("utf-8");
        let scaled = line.contains("Scaling deployment from 1 to 3");
        seen.push(line);
        if scaled {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a line was printed twice: {seen:#?}"
    );

    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(interrupted.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "ctrl-c ends follow cleanly");
}

/// `… -o json | head`: a reader that goes away is not a crash.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let h = Harness::start();
    let mut command = h.sandbox.command(&[
        "--emulator",
        h.emulator.base_url.as_str(),
        "--emulator-token",
        h.emulator.token.as_str(),
        "endpoint",
        "list",
        "-o",
        "json",
    ]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    // Close the reading end before the command writes.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
