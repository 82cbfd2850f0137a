//! Rollout plans headless, end to end: the real binary against the emulator with seconds-long
//! bakes, its load generator serving the traffic the gates measure.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use std::process::Stdio;

use aml_rollout::journal::Journal;
use aml_rollout::rollout::TrafficSplit;
use headless_common::{ENDPOINT, Harness, repo_file};
use serde_json::{Value, json};

const GATES: &str = "gates:\n  min_requests: 5\n  error_percent_delta: 5.0\n  p95_ratio: 5.0\n  on_missing_data: pause\non_failure: rollback\n";

fn plan(h: &Harness, steps: &str) -> String {
    let path = h.sandbox.dir.path().join("plan.yml");
    let text = format!("deployment: green\nbaseline: blue\nsteps:\n{steps}{GATES}");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn with_green(h: &Harness) {
    let created = h.run(&[
        "deployment",
        "create",
        "-e",
        ENDPOINT,
        "-f",
        &repo_file("assets/demo/green-deployment.yml"),
    ]);
    assert_eq!(created.code, 0, "{created:?}");
    let traffic = h.run(&["traffic", "-e", ENDPOINT, "blue=100"]);
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

fn split(h: &Harness) -> TrafficSplit {
    let client = h.emulator.client().unwrap();
    let endpoint = h
        .block_on(client.get_endpoint(&h.emulator.workspace, ENDPOINT))
        .expect("endpoint");
    TrafficSplit::from_maps(
        endpoint.properties.traffic.as_ref(),
        endpoint.properties.mirror_traffic.as_ref(),
    )
    .normalized()
}

fn status(h: &Harness) -> Value {
    let run = h.run(&["rollout", "status", "-e", ENDPOINT, "-o", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    run.json()
}

fn history(h: &Harness) -> Vec<Value> {
    let run = h.run(&["rollout", "history", "-e", ENDPOINT, "-o", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    run.json().as_array().cloned().unwrap_or_default()
}

fn actions(history: &[Value]) -> Vec<String> {
    history
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_healthy_green_completes_and_the_history_has_every_step() {
    let h = Harness::start();
    with_green(&h);
    control(&h, "/_emulator/load", json!({"rps": 40}));
    let file = plan(
        &h,
        "  - mirror: 10\n    bake: 2s\n  - traffic: 50\n    bake: 2s\n  - traffic: 100\n",
    );
    let run = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file, "-o", "json"]);
    control(&h, "/_emulator/load", json!({"rps": 0}));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(split(&h).live.get("green"), Some(&100));
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let gates: Vec<&Value> = events.iter().filter(|e| e["event"] == "gates").collect();
    assert_eq!(gates.len(), 2, "{events:?}");
    assert!(gates.iter().all(|g| g["verdict"] == "pass"), "{gates:?}");
    let history = history(&h);
    let steps = history
        .iter()
        .filter(|e| e["action"] == "rollout step")
        .count();
    assert_eq!(steps, 3, "{:?}", actions(&history));
    assert!(actions(&history).contains(&"rollout done".to_string()));
    // The flight recorder: every step names its ARM operation and the health of both
    // deployments as it was taken; the steps after a bake carry the verdict that let them go.
    let step_entries: Vec<&Value> = history
        .iter()
        .filter(|e| e["action"] == "rollout step")
        .collect();
    for entry in &step_entries {
        let after = &entry["after"];
        let operation = &after["operation"];
        assert!(
            operation["request_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty()),
            "{entry}"
        );
        assert!(
            operation["operation"]
                .as_str()
                .is_some_and(|id| !id.is_empty()),
            "{entry}"
        );
        assert_eq!(after["health"]["green"]["deployment"], "green", "{entry}");
        assert_eq!(after["health"]["baseline"]["deployment"], "blue", "{entry}");
        assert!(after["health"]["baseline"]["requests"].is_u64(), "{entry}");
        assert!(
            entry["time"].is_string() && entry["before"].is_object(),
            "{entry}"
        );
    }
    assert_eq!(step_entries[0]["after"]["gates"], Value::Null);
    for later in &step_entries[1..] {
        assert_eq!(later["after"]["gates"]["verdict"], "pass", "{later}");
        assert!(later["after"]["gates"]["green_requests"].as_u64() >= Some(5));
    }
    // Under load, the baseline served requests in the minutes before the last step.
    assert!(
        step_entries[2]["after"]["health"]["baseline"]["requests"].as_u64() > Some(0),
        "{}",
        step_entries[2]
    );
    let ids: Vec<&str> = step_entries
        .iter()
        .filter_map(|e| e["after"]["operation"]["operation"].as_str())
        .collect();
    let table = h.run(&["rollout", "history", "-e", ENDPOINT, "-o", "table"]);
    assert_eq!(table.code, 0, "{table:?}");
    for header in ["SPLIT", "HEALTH", "OPERATION", "BY"] {
        assert!(table.stdout.contains(header), "{}", table.stdout);
    }
    for id in ids {
        assert!(table.stdout.contains(id), "{id} in {}", table.stdout);
    }
    assert!(table.stdout.contains("green=100"), "{}", table.stdout);
    assert_eq!(status(&h)["plan"]["phase"], "done");
}

#[test]
fn a_bad_green_rolls_back_at_the_first_gate_and_the_original_split_returns() {
    let h = Harness::start();
    with_green(&h);
    control(
        &h,
        &format!("/_emulator/deployments/{ENDPOINT}/green/knobs"),
        json!({"error_rate": 0.5}),
    );
    control(&h, "/_emulator/load", json!({"rps": 60}));
    let file = plan(
        &h,
        "  - mirror: 20\n    bake: 3s\n  - traffic: 50\n    bake: 2s\n  - traffic: 100\n",
    );
    let run = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file]);
    control(&h, "/_emulator/load", json!({"rps": 0}));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("rolled back: gate failed"),
        "{}",
        run.stderr
    );
    // Not a terminal: the events are JSON lines on stdout.
    assert!(run.stdout.contains(r#""verdict":"fail""#), "{}", run.stdout);
    let now = split(&h);
    assert_eq!(now.live.get("blue"), Some(&100));
    assert!(now.mirror.is_empty(), "{now:?}");
    let history = history(&h);
    let gates = history
        .iter()
        .find(|e| e["action"] == "rollout gates")
        .expect("the gate's verdict is recorded");
    assert_eq!(gates["after"]["step"], 0);
    assert_eq!(gates["after"]["gates"]["verdict"], "fail");
    assert_eq!(status(&h)["plan"]["phase"], "rolled_back");
}

#[test]
fn no_traffic_pauses_the_plan_and_waits_for_a_person() {
    let h = Harness::start();
    with_green(&h);
    let file = plan(&h, "  - mirror: 10\n    bake: 1s\n  - traffic: 100\n");
    let run = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("not enough data"), "{}", run.stderr);
    assert_eq!(status(&h)["plan"]["phase"], "paused");
}

#[test]
fn an_invalid_plan_exits_2_with_its_position_and_sends_nothing() {
    let h = Harness::start();
    with_green(&h);
    let before = Journal::open(h.sandbox.journal_path())
        .read_all()
        .unwrap()
        .len();
    let file = plan(&h, "  - mirror: 70\n    bake: 1s\n  - traffic: 100\n");
    let run = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("plan.yml:4:"), "{}", run.stderr);
    let after = Journal::open(h.sandbox.journal_path())
        .read_all()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing journaled, so nothing sent");
    assert_eq!(status(&h)["plan"], Value::Null, "no record on the endpoint");
}

#[test]
fn a_second_runner_is_refused_and_resume_continues_at_the_same_step() {
    let h = Harness::start();
    with_green(&h);
    let file = plan(&h, "  - traffic: 10\n    bake: 1h\n  - traffic: 100\n");
    let first = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file, "--no-wait"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(status(&h)["plan"]["phase"], "baking");
    let second = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file]);
    assert_eq!(second.code, 2, "{second:?}");
    assert!(second.stderr.contains("already runs"), "{}", second.stderr);
    assert_eq!(split(&h).live.get("green"), Some(&10));

    // Promote skips the hour's bake; resume (from the journaled plan) drives on to the end.
    let promote = h.run(&["rollout", "promote", "-e", ENDPOINT]);
    assert_eq!(promote.code, 0, "{promote:?}");
    let resume = h.run(&["rollout", "resume", "-e", ENDPOINT]);
    assert_eq!(resume.code, 0, "{resume:?}");
    assert_eq!(split(&h).live.get("green"), Some(&100));
}

#[test]
fn a_runner_killed_mid_bake_is_resumed_at_the_same_step() {
    let h = Harness::start();
    with_green(&h);
    control(&h, "/_emulator/load", json!({"rps": 40}));
    let file = plan(&h, "  - traffic: 20\n    bake: 4s\n  - traffic: 100\n");
    let mut child = h
        .sandbox
        .command(&[
            "--emulator",
            h.emulator.base_url.as_str(),
            "--emulator-token",
            h.emulator.token.as_str(),
            "rollout",
            "run",
            "-e",
            ENDPOINT,
            "-f",
            &file,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut baking = false;
    for _ in 0..200 {
        if status(&h)["plan"]["phase"] == "baking" {
            baking = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(baking, "the runner reached the bake");
    let recorded = status(&h);
    assert_eq!(recorded["plan"]["step"], 0, "{recorded}");
    let resume = h.run(&["rollout", "resume", "-e", ENDPOINT]);
    control(&h, "/_emulator/load", json!({"rps": 0}));
    assert_eq!(resume.code, 0, "{resume:?}");
    assert!(
        !resume.stderr.contains("step 1: traffic 20"),
        "the step was not applied again: {}",
        resume.stderr
    );
    assert_eq!(split(&h).live.get("green"), Some(&100));
}

#[test]
fn someone_else_changing_traffic_mid_plan_pauses_it_and_their_change_survives() {
    let h = Harness::start();
    with_green(&h);
    let file = plan(&h, "  - traffic: 10\n    bake: 1h\n  - traffic: 100\n");
    let child = h
        .sandbox
        .command(&[
            "--emulator",
            h.emulator.base_url.as_str(),
            "--emulator-token",
            h.emulator.token.as_str(),
            "rollout",
            "run",
            "-e",
            ENDPOINT,
            "-f",
            &file,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if status(&h)["plan"]["phase"] == "baking" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let theirs = h.run(&["traffic", "-e", ENDPOINT, "blue=70 green=30"]);
    assert_eq!(theirs.code, 0, "{theirs:?}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("changed by someone else"),
        "{out:?}"
    );
    assert_eq!(split(&h).live.get("green"), Some(&30));
    assert_eq!(status(&h)["plan"]["phase"], "paused");
}

/// Base64url without padding, as a JWT spells its parts.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn the_history_names_the_signed_in_principal_and_never_the_token() {
    // A token shaped like Entra ID's: the runner reads its claims (unverified) for the name.
    let token = format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        base64url(br#"{"upn":"ana@contoso.com","appid":"04b07795"}"#)
    );
    let h = Harness::start_with(aml_rollout::emulator::EmulatorConfig {
        token: Some(token.clone()),
        ..aml_rollout::emulator::EmulatorConfig::for_tests()
    });
    with_green(&h);
    let file = plan(&h, "  - traffic: 100\n");
    let run = h.run(&["rollout", "run", "-e", ENDPOINT, "-f", &file]);
    assert_eq!(run.code, 0, "{run:?}");
    let history = history(&h);
    assert!(!history.is_empty());
    for entry in &history {
        assert_eq!(entry["by"], "ana@contoso.com", "{entry}");
        assert_eq!(entry["after"]["by"], Value::Null, "said once: {entry}");
    }
    let table = h.run(&["rollout", "history", "-e", ENDPOINT, "-o", "table"]);
    assert!(table.stdout.contains("ana@contoso.com"), "{}", table.stdout);
    let journal = std::fs::read_to_string(h.sandbox.journal_path()).unwrap();
    assert!(
        !journal.contains(&token),
        "the token never reaches the journal"
    );
    // Every record says who, the plain changes before the plan included.
    let records: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        records.iter().any(|r| r["action"] == "deployment create"),
        "{journal}"
    );
    for record in &records {
        assert_eq!(record["by"], "ana@contoso.com", "{record}");
    }
    assert!(!table.stdout.contains(&token) && !run.stderr.contains(&token));
}
