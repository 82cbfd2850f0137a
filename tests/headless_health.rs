//! `status` and `compare` end to end: the real binary against the emulator, whose metrics
//! and answers come from what it actually served.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use headless_common::{ENDPOINT, Harness, repo_file};
use serde_json::{Value, json};

/// Green created from the demo's YAML, and the split set, through the commands.
fn with_green(h: &Harness, split: &str) {
    let created = h.run(&[
        "deployment",
        "create",
        "-e",
        ENDPOINT,
        "-f",
        &repo_file("assets/demo/green-deployment.yml"),
    ]);
    assert_eq!(created.code, 0, "{created:?}");
    let traffic = h.run(&["traffic", "-e", ENDPOINT, split]);
    assert_eq!(traffic.code, 0, "{traffic:?}");
}

fn control(h: &Harness, path: &str, body: Value) {
    let url = format!("{}{path}", h.emulator.base_url);
    let token = h.emulator.token.clone();
    let status = h.block_on(async move {
        reqwest::Client::new()
            .put(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("control API answers")
            .status()
    });
    assert!(status.is_success(), "{path}: {status}");
}

fn row<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["deployments"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["name"] == name))
        .unwrap_or_else(|| panic!("no row for {name}: {view}"))
}

#[test]
fn status_shows_green_failing_and_blue_healthy_once_the_data_is_there() {
    let h = Harness::start();
    with_green(&h, "blue=50 green=50");
    control(
        &h,
        &format!("/_emulator/deployments/{ENDPOINT}/green/knobs"),
        json!({"error_rate": 0.3}),
    );
    control(&h, "/_emulator/load", json!({"rps": 60}));

    // Poll until both sides have enough requests for the error shares to mean something; the
    // bound only keeps a broken emulator from hanging the suite.
    let mut view = Value::Null;
    for _ in 0..300 {
        let run = h.run(&["status", "-e", ENDPOINT, "--window", "5m", "-o", "json"]);
        assert_eq!(run.code, 0, "{run:?}");
        view = run.json();
        let requests = |name: &str| row(&view, name)["requests"].as_u64().unwrap_or(0);
        if requests("blue") >= 400 && requests("green") >= 400 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    control(&h, "/_emulator/load", json!({"rps": 0}));

    let (blue, green) = (row(&view, "blue"), row(&view, "green"));
    assert!(green["requests"].as_u64() >= Some(400), "{view}");
    let green_errors = green["error_percent"].as_f64().expect("a figure");
    assert!((20.0..=40.0).contains(&green_errors), "{view}");
    assert_eq!(green["client_error_percent"], 0.0, "the knob answers 5xx");
    assert_eq!(blue["error_percent"], 0.0, "{view}");
    assert_eq!(view["baseline"], "blue", "50/50: the first by name");
    assert_eq!(blue["verdict"], "baseline");
    assert_eq!(green["verdict"], "worse", "{view}");
    assert!(
        green["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("against 0.0% on blue")),
        "{view}"
    );
    for field in [
        "name",
        "live_traffic",
        "mirror_traffic",
        "instances",
        "state",
        "window_secs",
        "requests",
        "error_percent",
        "p95_ms",
        "samples",
        "age_secs",
        "verdict",
    ] {
        assert!(green.get(field).is_some(), "{field} missing: {green}");
    }
    assert_eq!(green["live_traffic"], 50);
    assert_eq!(green["instances"], 1);
    assert_eq!(green["state"], "Succeeded");
    assert!(green["samples"].as_u64() >= Some(1));
    assert!(green["p95_ms"].as_f64().is_some(), "{view}");

    // The table says the same in words.
    let table = h.run(&["status", "-e", ENDPOINT, "--window", "5m", "-o", "table"]);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("worse"), "{}", table.stdout);
    assert!(table.stdout.contains("baseline blue"), "{}", table.stdout);
    assert!(table.stdout.contains(" s ago"), "{}", table.stdout);
}

#[test]
fn status_without_traffic_data_says_so_instead_of_zeros() {
    let h = Harness::start();
    let run = h.run(&["status", "-e", ENDPOINT, "-o", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let view = run.json();
    let blue = row(&view, "blue");
    assert_eq!(blue["requests"], 0);
    assert!(blue["error_percent"].is_null(), "{view}");
    assert!(blue["age_secs"].is_null(), "{view}");
    assert_eq!(blue["verdict"], "not_enough_data");
    let unknown = h.run(&["status", "-e", ENDPOINT, "--baseline", "purple"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    let missing = h.run(&["status", "-e", "no-such-endpoint"]);
    assert_eq!(missing.code, 2, "{missing:?}");
}

#[test]
fn status_watch_prints_one_json_line_per_refresh_when_not_on_a_terminal() {
    let h = Harness::start();
    let config = h.sandbox.home().join(".config/aml-rollout");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), "refresh_interval_secs = 1\n").expect("config");
    let mut command = h.sandbox.command(&[
        "--emulator",
        &h.emulator.base_url,
        "--emulator-token",
        &h.emulator.token,
        "status",
        "-e",
        ENDPOINT,
        "--watch",
    ]);
    let mut child = command.stdout(Stdio::piped()).spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<Value> = BufReader::new(stdout)
        .lines()
        .take(2)
        .map(|line| serde_json::from_str(&line.expect("a line")).expect("each line is JSON"))
        .collect();
    child.kill().expect("stop the watch");
    let _ = child.wait();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(line["endpoint"], ENDPOINT, "{line}");
        assert_eq!(row(line, "blue")["live_traffic"], 100);
    }
}

#[test]
fn compare_blue_and_green_differ_with_the_paths_in_json() {
    let h = Harness::start();
    with_green(&h, "blue=100");
    let journal_before = std::fs::read_to_string(h.sandbox.journal_path()).unwrap_or_default();
    let request = repo_file("assets/demo/sample-request.json");
    let run = h.run(&[
        "compare",
        "-e",
        ENDPOINT,
        "--request-file",
        &request,
        "-d",
        "blue,green",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(report["requests"], 1);
    assert_eq!(report["agreeing"], 0);
    assert_eq!(report["agreement_percent"], 0.0);
    let case = &report["cases"][0];
    assert_eq!(case["agrees"], false);
    let (blue, green) = (&case["answers"][0], &case["answers"][1]);
    assert_eq!(blue["deployment"], "blue");
    assert_eq!(
        (blue["status"].clone(), green["status"].clone()),
        (json!(200), json!(200))
    );
    assert!(blue["latency_ms"].as_f64().is_some(), "{report}");
    // The demo models differ: both predictions of the two-row request differ.
    let paths: Vec<&str> = green["differences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(paths, ["$[0]", "$[1]"], "{report}");
    assert_eq!(green["differences"][0]["reference"], blue["body"][0]);
    assert_eq!(green["differences"][0]["other"], green["body"][0]);
    assert!(
        report["latency"][1]["p95_ms"].as_f64().is_some(),
        "{report}"
    );
    // Read-only: nothing journaled.
    let journal_after = std::fs::read_to_string(h.sandbox.journal_path()).unwrap_or_default();
    assert_eq!(journal_before, journal_after);
}

#[test]
fn compare_a_deployment_with_itself_agrees_over_json_lines() {
    let h = Harness::start();
    let dir = tempfile::tempdir().expect("dir");
    let lines = dir.path().join("requests.jsonl");
    std::fs::write(
        &lines,
        "{\"data\": [[1, 2, 3]]}\n\n{\"data\": [[4, 5, 6], [7, 8, 9]]}\n",
    )
    .expect("write");
    let run = h.run(&[
        "compare",
        "-e",
        ENDPOINT,
        "--request-file",
        &lines.display().to_string(),
        "-d",
        "blue,blue",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["requests"], 2);
    assert_eq!(report["agreeing"], 2);
    assert_eq!(report["agreement_percent"], 100.0);
    assert_eq!(report["latency"][0]["answered"], 2);
    let table = h.run(&[
        "compare",
        "-e",
        ENDPOINT,
        "--request-file",
        &lines.display().to_string(),
        "-d",
        "blue,blue",
        "-o",
        "table",
    ]);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(
        table.stdout.contains("agreement: 2 of 2 requests (100.0%)"),
        "{table:?}"
    );
}

#[test]
fn compare_refuses_bad_input_before_sending_anything() {
    let h = Harness::start();
    let dir = tempfile::tempdir().expect("dir");
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(&broken, "{\"data\": [[1]]}\nnot json\n").expect("write");
    let request = repo_file("assets/demo/sample-request.json");
    let cases: [&[&str]; 5] = [
        &["--request-file", &broken.display().to_string()],
        &["--request-file", "/nonexistent.json"],
        &["--request-file", &request, "-d", "blue,purple"],
        &["--request-file", &request],
        &[
            "--request-file",
            &request,
            "-d",
            "blue,blue",
            "--tolerance=-1",
        ],
    ];
    for extra in cases {
        let mut args = vec!["compare", "-e", ENDPOINT];
        args.extend_from_slice(extra);
        let run = h.run(&args);
        assert_eq!(run.code, 2, "{extra:?}: {run:?}");
        assert!(run.stderr.contains("aml-rollout:"), "{run:?}");
    }
    // Nothing reached a deployment: the emulator served no scoring request.
    let stats = h.block_on(async {
        reqwest::Client::new()
            .get(format!("{}/_emulator/stats", h.emulator.base_url))
            .bearer_auth(&h.emulator.token)
            .send()
            .await
            .expect("stats")
            .json::<Value>()
            .await
            .expect("json")
    });
    let served: u64 = stats["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|ep| ep["deployments"].as_array().into_iter().flatten())
        .filter_map(|d| d["served"].as_u64())
        .sum();
    assert_eq!(served, 0, "{stats}");
}
