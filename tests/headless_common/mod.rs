//! Shared by the headless_* tests: an emulator in this process, the real binary as a child
//! process with an isolated environment (no real az files, config or journal are touched).
// Test support: a panic is how a failed setup reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator};
use tempfile::TempDir;
use tokio::runtime::Runtime;

pub(crate) const ENDPOINT: &str = "my-endpoint";

/// What a run of the binary produced.
#[derive(Debug)]
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub(crate) fn repo_file(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(relative)
        .display()
        .to_string()
}

/// A home directory of its own, so the binary sees no real az CLI files, config or journal.
pub(crate) struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home/.azure")).expect("az dir");
        Self { dir }
    }

    pub(crate) fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub(crate) fn journal_path(&self) -> PathBuf {
        self.dir.path().join("journal.jsonl")
    }

    /// The binary with a clean environment: only PATH, the sandbox's home and journal.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aml-rollout"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("XDG_DATA_HOME", self.home().join(".local/share"))
            .env("AZURE_CONFIG_DIR", self.home().join(".azure"))
            .env("AML_ROLLOUT_JOURNAL", self.journal_path())
            .stdin(Stdio::null());
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        run(self.command(args))
    }
}

pub(crate) fn run(mut command: Command) -> Run {
    let output = command.output().expect("run aml-rollout");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The demo emulator served by a runtime of this test; the binary talks to it over HTTP.
pub(crate) struct Harness {
    pub runtime: Runtime,
    pub emulator: RunningEmulator,
    pub sandbox: Sandbox,
}

impl Harness {
    pub(crate) fn start() -> Self {
        Self::start_with(EmulatorConfig::for_tests())
    }

    pub(crate) fn start_with(config: EmulatorConfig) -> Self {
        let runtime = Runtime::new().expect("runtime");
        let emulator = runtime.block_on(emulator::start(config)).expect("emulator");
        Self {
            runtime,
            emulator,
            sandbox: Sandbox::new(),
        }
    }

    /// `aml-rollout --emulator URL --emulator-token T <args>`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let mut all = vec![
            "--emulator",
            self.emulator.base_url.as_str(),
            "--emulator-token",
            self.emulator.token.as_str(),
        ];
        all.extend_from_slice(args);
        self.sandbox.run(&all)
    }

    pub(crate) fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}
