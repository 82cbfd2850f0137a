//! Shared test setup: a real emulator on 127.0.0.1 and a real client pointed at it.
#![allow(dead_code)]
// Test support: a panic is how a failed setup reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub(crate) mod console;
pub(crate) mod examples;
pub(crate) mod hostile_text;
pub(crate) mod pty;

use std::time::Duration;

use aml_rollout::azure::az_yaml::deployment_from_yaml;
use aml_rollout::azure::{AmlClient, LroProgress, WorkspaceRef};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator, Seed};

pub(crate) async fn demo() -> RunningEmulator {
    emulator::start(EmulatorConfig::for_tests())
        .await
        .expect("emulator starts")
}

pub(crate) async fn empty() -> RunningEmulator {
    emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts")
}

pub(crate) async fn with_operation_time(duration: Duration) -> RunningEmulator {
    emulator::start(EmulatorConfig {
        operation_duration: duration,
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts")
}

pub(crate) fn ws(emu: &RunningEmulator) -> WorkspaceRef {
    emu.workspace.clone()
}

pub(crate) fn no_progress() -> impl FnMut(LroProgress) + Send {
    |_| {}
}

/// Creates green from the demo's YAML and waits for it.
pub(crate) async fn create_green(client: &AmlClient, ws: &WorkspaceRef) {
    let text = include_str!("../../assets/demo/green-deployment.yml");
    let spec = deployment_from_yaml("green-deployment.yml", text, "westus2", ws).expect("yaml");
    let op = client
        .begin_put_deployment(ws, "my-endpoint", &spec.name, &spec.body)
        .await
        .expect("put green");
    client
        .wait(&op, &mut no_progress())
        .await
        .expect("green created");
}
