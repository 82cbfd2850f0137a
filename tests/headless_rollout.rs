//! The seed's blue/green rollout, step by step through the real binary against the emulator:
//! state checked through the client, output and exit codes checked on the command line,
//! refused steps checked to have sent nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use aml_rollout::azure::FailureKind;
use aml_rollout::journal::{Journal, OutcomeStatus};
use aml_rollout::rollout::TrafficSplit;
use headless_common::{ENDPOINT, Harness, repo_file};
use serde_json::json;

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

fn instance_count(h: &Harness, deployment: &str) -> Option<i32> {
    let client = h.emulator.client().unwrap();
    h.block_on(client.get_deployment(&h.emulator.workspace, ENDPOINT, deployment))
        .expect("deployment")
        .instance_count()
}

fn journal_actions(h: &Harness) -> Vec<(String, OutcomeStatus)> {
    Journal::open(h.sandbox.journal_path())
        .read_all()
        .expect("journal")
        .into_iter()
        .map(|e| (e.action, e.outcome.status))
        .collect()
}

#[test]
fn the_whole_rollout_runs_through_the_commands() {
    let h = Harness::start();
    let green_yaml = repo_file("assets/demo/green-deployment.yml");

    // 1. Create green (0% traffic).
    let created = h.run(&[
        "deployment",
        "create",
        "-e",
        ENDPOINT,
        "-f",
        &green_yaml,
        "-o",
        "json",
    ]);
    assert_eq!(created.code, 0, "{created:?}");
    let view = created.json();
    assert_eq!(view["action"], "deployment create");
    assert_eq!(view["deployment"], "green");
    assert_eq!(view["status"], "succeeded");
    assert_eq!(instance_count(&h, "green"), Some(1));
    assert_eq!(split(&h).live, [("blue".to_string(), 100)].into());
    assert!(
        created.stderr.contains("Succeeded"),
        "progress on stderr: {created:?}"
    );

    // Creating it again is refused before anything is sent.
    let again = h.run(&["deployment", "create", "-e", ENDPOINT, "-f", &green_yaml]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("already exists"), "{again:?}");

    // 2. Scale blue to 2 instances.
    let scaled = h.run(&[
        "deployment",
        "scale",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "2",
        "-o",
        "table",
    ]);
    assert_eq!(scaled.code, 0, "{scaled:?}");
    assert!(scaled.stdout.contains("scaled from 1 to 2"), "{scaled:?}");
    assert!(
        scaled
            .stdout
            .contains("az ml online-deployment update --name blue --endpoint-name my-endpoint --set instance_count=2"),
        "{scaled:?}"
    );
    assert_eq!(instance_count(&h, "blue"), Some(2));

    // Test green alone: a request pinned to it, whatever its (zero) traffic.
    let request = repo_file("assets/demo/sample-request.json");
    let pinned = h.run(&[
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
    assert_eq!(pinned.code, 0, "{pinned:?}");
    assert_eq!(pinned.json()["status"], 200, "{pinned:?}");
    assert_eq!(pinned.json()["deployment"], "green", "{pinned:?}");

    // 3. Mirror 10% to green.
    let mirrored = h.run(&["mirror", "-e", ENDPOINT, "green=10", "-o", "json"]);
    assert_eq!(mirrored.code, 0, "{mirrored:?}");
    let view = mirrored.json();
    assert_eq!(view["before"]["mirror_traffic"], json!({}));
    assert_eq!(view["after"]["mirror_traffic"], json!({"green": 10}));
    assert_eq!(
        view["az_command"],
        r#"az ml online-endpoint update --name my-endpoint --traffic "blue=100" --mirror-traffic "green=10""#
    );
    assert_eq!(split(&h).mirror, [("green".to_string(), 10)].into());

    // Refused: live traffic summing to 110%. Exit 2, nothing sent, nothing journaled.
    let journaled = journal_actions(&h).len();
    let before = split(&h);
    let refused = h.run(&["traffic", "-e", ENDPOINT, "blue=90 green=20"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("sums to 110%"), "{refused:?}");
    assert!(refused.stdout.is_empty(), "{refused:?}");
    assert_eq!(split(&h), before);

    // Refused: mirror 60% (Azure's limit is 50%).
    let refused = h.run(&["mirror", "-e", ENDPOINT, "green=60"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("at most 50%"), "{refused:?}");
    assert_eq!(split(&h), before);

    // Refused: a syntax error, and a deployment that does not exist.
    assert_eq!(h.run(&["traffic", "-e", ENDPOINT, "blue:90"]).code, 2);
    let unknown = h.run(&["traffic", "-e", ENDPOINT, "blue=90 gren=10"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(unknown.stderr.contains("`gren`"), "{unknown:?}");
    assert_eq!(
        journal_actions(&h).len(),
        journaled,
        "refusals send nothing"
    );

    // 4. 90/10: green leaves the mirror and takes live traffic.
    let moved = h.run(&["traffic", "-e", ENDPOINT, "blue=90 green=10", "-o", "table"]);
    assert_eq!(moved.code, 0, "{moved:?}");
    assert!(moved.stdout.contains("100% →  90%"), "{moved:?}");
    assert!(
        moved.stdout.contains("mirror to green cleared"),
        "{moved:?}"
    );
    assert!(
        moved
            .stdout
            .contains("az equivalent: az ml online-endpoint update"),
        "{moved:?}"
    );
    let now = split(&h);
    assert_eq!(
        now.live,
        [("blue".to_string(), 90), ("green".to_string(), 10)].into()
    );
    assert!(now.mirror.is_empty());

    // Refused by the service: blue still takes traffic. Exit 1 with the service's message.
    let refused = h.run(&[
        "deployment",
        "delete",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--yes",
    ]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("still takes 90% of live traffic"),
        "{refused:?}"
    );
    instance_count(&h, "blue");

    // Without --yes and without a terminal, a delete is refused before anything is sent.
    let unconfirmed = h.run(&["deployment", "delete", "-e", ENDPOINT, "-n", "green"]);
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    assert!(unconfirmed.stderr.contains("--yes"), "{unconfirmed:?}");

    // 5. 0/100.
    let all_green = h.run(&["traffic", "-e", ENDPOINT, "blue=0 green=100"]);
    assert_eq!(all_green.code, 0, "{all_green:?}");
    assert_eq!(split(&h).live, [("green".to_string(), 100)].into());

    // 6. Delete blue.
    let deleted = h.run(&[
        "deployment",
        "delete",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(deleted.code, 0, "{deleted:?}");
    assert_eq!(deleted.json()["status"], "succeeded");
    let gone = h.block_on(h.emulator.client().unwrap().get_deployment(
        &h.emulator.workspace,
        ENDPOINT,
        "blue",
    ));
    assert_eq!(
        gone.err().and_then(|e| e.kind()),
        Some(FailureKind::NotFound)
    );

    // The journal has every change sent, in order, failures included.
    assert_eq!(
        journal_actions(&h),
        vec![
            ("deployment create".to_string(), OutcomeStatus::Ok),
            ("deployment scale".to_string(), OutcomeStatus::Ok),
            ("mirror".to_string(), OutcomeStatus::Ok),
            ("traffic".to_string(), OutcomeStatus::Ok),
            ("deployment delete".to_string(), OutcomeStatus::Failed),
            ("traffic".to_string(), OutcomeStatus::Ok),
            ("deployment delete".to_string(), OutcomeStatus::Ok),
        ]
    );
    let entries = Journal::open(h.sandbox.journal_path())
        .read_all()
        .expect("journal");
    let traffic = &entries[3];
    assert_eq!(traffic.target, format!("emulator {}", h.emulator.base_url));
    assert_eq!(traffic.endpoint, ENDPOINT);
    assert_eq!(traffic.before["traffic"], json!({"blue": 100}));
    assert_eq!(traffic.after["traffic"], json!({"blue": 90, "green": 10}));
    assert!(
        traffic
            .az_command
            .as_deref()
            .is_some_and(|c| c.contains("blue=90 green=10"))
    );
    assert!(
        entries[4]
            .outcome
            .message
            .as_deref()
            .is_some_and(|m| m.contains("still takes 90%"))
    );
}

#[test]
fn the_journal_never_holds_a_token_or_key() {
    let h = Harness::start();
    let created = h.run(&[
        "deployment",
        "create",
        "-f",
        &repo_file("assets/demo/green-deployment.yml"),
        "--all-traffic",
    ]);
    assert_eq!(created.code, 0, "{created:?}");
    assert_eq!(split(&h).live, [("green".to_string(), 100)].into());
    let shown = h.run(&[
        "endpoint",
        "get-credentials",
        "-n",
        ENDPOINT,
        "--show-secrets",
        "-o",
        "json",
    ]);
    assert_eq!(shown.code, 0, "{shown:?}");
    let keys = h
        .block_on(
            h.emulator
                .client()
                .unwrap()
                .list_keys(&h.emulator.workspace, ENDPOINT),
        )
        .expect("keys");
    let primary = keys.primary_key.expect("primary key");
    assert_eq!(shown.json()["primary_key"], primary.as_str());

    let text = std::fs::read_to_string(h.sandbox.journal_path()).expect("journal");
    assert_eq!(text.lines().count(), 2, "create + traffic: {text}");
    for secret in [primary.as_str(), h.emulator.token.as_str()] {
        assert!(!text.contains(secret), "secret in journal: {text}");
    }
}

#[test]
fn credentials_are_masked_unless_asked_for() {
    let h = Harness::start();
    let masked = h.run(&["endpoint", "get-credentials", "-n", ENDPOINT, "-o", "json"]);
    assert_eq!(masked.code, 0, "{masked:?}");
    let keys = h
        .block_on(
            h.emulator
                .client()
                .unwrap()
                .list_keys(&h.emulator.workspace, ENDPOINT),
        )
        .expect("keys");
    for key in [keys.primary_key, keys.secondary_key].into_iter().flatten() {
        assert!(!masked.stdout.contains(&key) && !masked.stderr.contains(&key));
    }
    assert_eq!(masked.json()["masked"], true);
    let table = h.run(&["endpoint", "get-credentials", "-n", ENDPOINT, "-o", "table"]);
    assert!(table.stdout.contains("--show-secrets"), "{table:?}");
}

#[test]
fn read_only_and_no_wait() {
    let h = Harness::start();
    let refused = h.run(&["--read-only", "traffic", "-e", ENDPOINT, "blue=100"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--read-only"), "{refused:?}");
    assert!(!h.sandbox.journal_path().exists());

    // Reading is fine in read-only mode.
    assert_eq!(h.run(&["--read-only", "endpoint", "list"]).code, 0);

    let accepted = h.run(&[
        "deployment",
        "update",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--set",
        "instance_count=3",
        "--no-wait",
        "-o",
        "json",
    ]);
    assert_eq!(accepted.code, 0, "{accepted:?}");
    let view = accepted.json();
    assert_eq!(view["status"], "accepted");
    assert_eq!(view["before"], json!({"instance_count": 1}));
    assert_eq!(view["after"], json!({"instance_count": 3}));
    assert!(!accepted.stderr.contains("waiting"), "{accepted:?}");

    let bad = h.run(&[
        "deployment",
        "update",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--set",
        "colour=blue",
    ]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("settable keys"), "{bad:?}");
}

/// `--timeout` bounds the wait, not the operation: the command says the operation may still
/// finish, exits 1 (something was sent), and the journal records the unknown outcome.
#[test]
fn timeout_stops_waiting_and_says_the_operation_may_still_finish() {
    let h = Harness::start_with(aml_rollout::emulator::EmulatorConfig {
        operation_duration: std::time::Duration::from_secs(30),
        ..aml_rollout::emulator::EmulatorConfig::for_tests()
    });
    let run = h.run(&[
        "deployment",
        "scale",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "2",
        "--timeout",
        "1s",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("still running"), "{}", run.stderr);
    let journal = Journal::open(h.sandbox.journal_path())
        .read_all()
        .expect("journal");
    let last = journal.last().expect("the scale is journaled");
    assert_eq!(last.action, "deployment scale");
    assert_eq!(last.outcome.status, OutcomeStatus::Failed);
    assert!(
        last.outcome
            .message
            .as_deref()
            .is_some_and(|m| m.contains("still running")),
        "{last:?}"
    );
    let bad = h.run(&[
        "deployment",
        "scale",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "2",
        "--timeout",
        "soon",
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("not a duration"), "{}", bad.stderr);
}

/// A create whose operation failed leaves the deployment `Failed`; running the same create
/// again is refused and names `--force-update`, which converges.
#[test]
fn a_failed_create_converges_with_force_update() {
    let h = Harness::start();
    let dir = tempfile::tempdir().expect("dir");
    let original =
        std::fs::read_to_string(repo_file("assets/demo/green-deployment.yml")).expect("demo yaml");
    // More instances than the demo workspace's quota: accepted, then the operation fails.
    let too_big = dir.path().join("green.yml");
    std::fs::write(
        &too_big,
        original.replace("instance_count: 1", "instance_count: 45"),
    )
    .expect("write");
    let file = too_big.display().to_string();
    // --force: past the quota check, so that the service itself fails the operation.
    let first = h.run(&["deployment", "create", "-f", &file, "--force"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let again = h.run(&["deployment", "create", "-f", &file, "--force"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("--force-update"), "{}", again.stderr);

    std::fs::write(&too_big, &original).expect("write");
    let fixed = h.run(&["deployment", "create", "-f", &file, "--force-update"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    let show = h.run(&[
        "deployment",
        "show",
        "-e",
        ENDPOINT,
        "-n",
        "green",
        "-o",
        "json",
    ]);
    assert_eq!(
        show.json()["provisioning_state"],
        "Succeeded",
        "{}",
        show.stdout
    );
}

/// Azure Resource Manager can serve the previous split for a while after a change succeeded:
/// the command reads it back and says "applied" only once it is visible.
#[test]
fn a_split_change_is_applied_once_it_reads_back_and_says_so_when_it_does_not_yet() {
    let with_lag = |lag_ms: u64| {
        Harness::start_with(aml_rollout::emulator::EmulatorConfig {
            visibility_lag: std::time::Duration::from_millis(lag_ms),
            ..aml_rollout::emulator::EmulatorConfig::for_tests()
        })
    };
    let create = |h: &Harness| {
        let run = h.run(&[
            "deployment",
            "create",
            "-f",
            &repo_file("assets/demo/green-deployment.yml"),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    };
    // A short lag: the read-back waits it out.
    let short = with_lag(600);
    create(&short);
    let run = short.run(&["traffic", "-e", ENDPOINT, "blue=90 green=10", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["status"], "succeeded", "{}", run.stdout);
    // A lag longer than the read-back: applied, and honest that it is not visible yet.
    let long = with_lag(120_000);
    create(&long);
    let run = long.run(&["traffic", "-e", ENDPOINT, "blue=90 green=10", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["status"], "not_yet_visible", "{}", run.stdout);
}
