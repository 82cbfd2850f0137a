//! `invoke`: a scoring request through the endpoint's scoring URI, pinned to a deployment.
//! Needs the emulator's scoring route (data plane).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use headless_common::{ENDPOINT, Harness, repo_file};

#[test]
fn invoke_pinned_to_a_zero_traffic_deployment_is_answered_by_it() {
    let h = Harness::start();
    let created = h.run(&[
        "deployment",
        "create",
        "-e",
        ENDPOINT,
        "-f",
        &repo_file("assets/demo/green-deployment.yml"),
    ]);
    assert_eq!(created.code, 0, "{created:?}");
    let request = repo_file("assets/demo/sample-request.json");
    let answered = h.run(&[
        "invoke",
        "-e",
        ENDPOINT,
        "-d",
        "green",
        "--request-file",
        &request,
        "-o",
        "json",
    ]);
    assert_eq!(answered.code, 0, "{answered:?}");
    let view = answered.json();
    assert_eq!(view["status"], 200, "{view}");
    // The emulator names who answered in the `azureml-model-deployment` response header.
    assert_eq!(view["deployment"], "green", "{view}");
    assert!(!view["body"].is_null(), "{view}");
    // The scoring key never appears in the output.
    let keys = h
        .block_on(
            h.emulator
                .client()
                .unwrap()
                .list_keys(&h.emulator.workspace, ENDPOINT),
        )
        .expect("keys");
    let primary = keys.primary_key.unwrap_or_default();
    assert!(!answered.stdout.contains(&primary) && !answered.stderr.contains(&primary));
}

#[test]
fn invoke_refuses_an_unknown_deployment_or_a_missing_file_before_sending() {
    let h = Harness::start();
    let request = repo_file("assets/demo/sample-request.json");
    let unknown = h.run(&[
        "invoke",
        "-e",
        ENDPOINT,
        "-d",
        "purple",
        "--request-file",
        &request,
    ]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("deployment purple not found"),
        "{unknown:?}"
    );
    let missing = h.run(&[
        "invoke",
        "-e",
        ENDPOINT,
        "--request-file",
        "/nonexistent.json",
    ]);
    assert_eq!(missing.code, 2, "{missing:?}");
}
