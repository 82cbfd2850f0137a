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

/// An emulator with load, green created beside blue, the short plan written, and the console
/// started in a pseudo-terminal with green selected.
struct Stage {
    rt: tokio::runtime::Runtime,
    emu: Option<emulator::RunningEmulator>,
    home: tempfile::TempDir,
    pty: Pty,
}

impl Stage {
    fn env(home: &tempfile::TempDir) -> Vec<(&'static str, String)> {
        let dir = home.path().to_str().unwrap().to_string();
        vec![
            ("HOME", dir.clone()),
            ("XDG_CONFIG_HOME", dir.clone()),
            ("XDG_DATA_HOME", dir.clone()),
            ("AZURE_CONFIG_DIR", format!("{dir}/az")),
            ("AML_ROLLOUT_JOURNAL", format!("{dir}/journal.jsonl")),
        ]
    }

    fn start() -> Self {
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
        let stage_env = Self::env(&home);
        let connect = [
            "--emulator".to_string(),
            emu.base_url.clone(),
            "--emulator-token".to_string(),
            emu.token.clone(),
        ];
        let created = std::process::Command::new(env!("CARGO_BIN_EXE_aml-rollout"))
            .args(&connect)
            .args(["deployment", "create", "-e", ENDPOINT, "-f"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/demo/green-deployment.yml"
            ))
            .envs(stage_env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(created.status.success(), "{created:?}");
        std::fs::write(home.path().join("plan.yml"), short_plan()).unwrap();
        let env: Vec<(&str, &str)> = stage_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let args: Vec<&str> = connect.iter().map(String::as_str).collect();
        let mut pty = Pty::spawn(&args, &env, 200, 56);
        pty.wait_for("green's row", |s| {
            s.contains("green ") && s.contains("Succeeded")
        });
        pty.send(DOWN);
        Self {
            rt,
            emu: Some(emu),
            home,
            pty,
        }
    }

    fn emu(&self) -> &emulator::RunningEmulator {
        self.emu.as_ref().unwrap()
    }

    /// `p`, the plan's path, the preview, enter.
    fn start_plan(&mut self) {
        self.pty.send("p");
        self.pty.wait_for_text("Open a rollout plan");
        let plan = self.home.path().join("plan.yml");
        self.pty.send(&plan.display().to_string());
        self.pty.send(ENTER);
        self.pty.wait_for_text("Rollout plan preview");
        self.pty.wait_for_text("approve: 50% looks fine?");
        self.pty.send(ENTER);
    }

    fn live_share(&self, deployment: &str) -> Option<i64> {
        let ep = self
            .rt
            .block_on(
                self.emu()
                    .client()
                    .unwrap()
                    .get_endpoint(&self.emu().workspace, ENDPOINT),
            )
            .unwrap();
        ep.properties
            .traffic
            .unwrap_or_default()
            .get(deployment)
            .copied()
    }

    /// A headless command against the same emulator and journal.
    fn headless(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_aml-rollout"))
            .args(["--emulator", &self.emu().base_url])
            .args(["--emulator-token", &self.emu().token])
            .args(args)
            .envs(Self::env(&self.home))
            .output()
            .unwrap()
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.rt.block_on(emu.stop());
        }
    }
}

#[test]
fn the_seeds_plan_runs_to_the_end_from_the_console() {
    let mut stage = Stage::start();
    stage.start_plan();
    stage
        .pty
        .wait_for("the approval asked", |s| s.contains("WAITING FOR APPROVAL"));
    let screen = stage.pty.screen();
    assert!(screen.contains("✓ done"), "{screen}");
    assert!(screen.contains("gates after step"), "{screen}");
    stage.pty.send("Y");
    stage.pty.wait_for_text("Promote the rollout plan");
    stage.pty.send("y");
    stage
        .pty
        .wait_for("the plan's end", |s| s.contains("✓ DONE"));
    assert_eq!(stage.live_share("green"), Some(100));
    stage.pty.send("q");
    assert!(stage.pty.wait_exit().success());
}

#[test]
fn a_signal_mid_plan_leaves_it_resumable_from_a_shell() {
    let mut stage = Stage::start();
    stage.start_plan();
    stage.pty.wait_for("a bake", |s| s.contains("BAKING step"));
    stage.pty.signal("TERM");
    stage.pty.wait_exit();
    let status = stage.headless(&["rollout", "status", "-e", ENDPOINT, "-o", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["plan"]["active"], true, "{status}");
    // The plan goes on where the console left it: up to its approval, then to the end.
    let resumed = stage.headless(&["rollout", "resume", "-e", ENDPOINT]);
    assert_eq!(
        resumed.status.code(),
        Some(4),
        "waits for approval: {resumed:?}"
    );
    let promoted = stage.headless(&["rollout", "promote", "-e", ENDPOINT]);
    assert!(promoted.status.success(), "{promoted:?}");
    assert_eq!(stage.live_share("green"), Some(100));
}
