//! The real binary in a pseudo-terminal runs the seed's rollout plan (with bakes of a few
//! seconds and a low request floor) against an emulator with its load generator on: preview,
//! start, the approval with its confirmation, to the end; green's 100% is then read back
//! through the client. Every check waits for a condition; the deadlines only bound a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::plans::default_plan_text;
use aml_rollout::emulator::{self, EmulatorConfig};
use common::pty::*;

const ENDPOINT: &str = "my-endpoint";

/// The seed's plan for green with seconds-long bakes. The gates are widened: this test is
/// about the console driving a plan to its end, not about the emulator's latency spread.
fn short_plan() -> String {
    default_plan_text("green", "blue")
        .replace("bake: 5m", "bake: 3s")
        .replace("bake: 10m", "bake: 3s")
        .replace("min_requests: 100", "min_requests: 3")
        .replace("error_percent_delta: 1.0", "error_percent_delta: 5.0")
        .replace("p95_ratio: 1.5", "p95_ratio: 5.0")
}

#[test]
fn the_seeds_plan_runs_to_the_end_from_the_console() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emu = rt
        .block_on(emulator::start(EmulatorConfig {
            load_rps: Some(40.0),
            ..EmulatorConfig::for_tests()
        }))
        .expect("emulator starts");
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().to_str().unwrap().to_string();
    let env = [
        ("HOME", dir.clone()),
        ("XDG_CONFIG_HOME", dir.clone()),
        ("XDG_DATA_HOME", dir.clone()),
        ("AZURE_CONFIG_DIR", format!("{dir}/az")),
        ("AML_ROLLOUT_JOURNAL", format!("{dir}/journal.jsonl")),
    ];
    let connect = ["--emulator", &emu.base_url, "--emulator-token", &emu.token];
    let created = std::process::Command::new(env!("CARGO_BIN_EXE_aml-rollout"))
        .args(connect)
        .args(["deployment", "create", "-e", ENDPOINT, "-f"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/demo/green-deployment.yml"
        ))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let plan = home.path().join("plan.yml");
    std::fs::write(&plan, short_plan()).unwrap();

    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut pty = Pty::spawn(&connect, &env, 200, 56);
    pty.wait_for("green's row", |s| s.contains("green ") && s.contains("Succeeded"));
    pty.send(DOWN);
    pty.send("p");
    pty.wait_for_text("Open a rollout plan");
    pty.send(&plan.display().to_string());
    pty.send(ENTER);
    pty.wait_for_text("Rollout plan preview");
    pty.wait_for_text("approve: 50% looks fine?");
    pty.send(ENTER);
    pty.wait_for("the approval asked", |s| s.contains("WAITING FOR APPROVAL"));
    let screen = pty.screen();
    assert!(screen.contains("✓ done"), "{screen}");
    assert!(screen.contains("gates after step"), "{screen}");
    pty.send("Y");
    pty.wait_for_text("Promote the rollout plan");
    pty.send("y");
    pty.wait_for("the plan's end", |s| s.contains("✓ DONE"));

    let ep = rt
        .block_on(emu.client().unwrap().get_endpoint(&emu.workspace, ENDPOINT))
        .unwrap();
    let live = ep.properties.traffic.unwrap_or_default();
    assert_eq!(live.get("green"), Some(&100), "{live:?}");
    pty.send("q");
    assert!(pty.wait_exit().success());
    rt.block_on(emu.stop());
}
