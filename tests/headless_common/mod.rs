//! Shared by the headless_* tests: an emulator in this process, the real binary as a child
//! process with an isolated environment (no real az files, config or journal are touched).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator};
use tempfile::TempDir;
use tokio::runtime::Runtime;

pub const ENDPOINT: &str = "my-endpoint";

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub fn repo_file(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(relative)
        .display()
        .to_string()
}

/// A home directory of its own, so the binary sees no real az CLI files, config or journal.
pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home/.azure")).expect("az dir");
        Self { dir }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn journal_path(&self) -> PathBuf {
        self.dir.path().join("journal.jsonl")
    }

    /// The binary with a clean environment: only PATH, the sandbox's home and journal.
    pub fn command(&self, args: &[&str]) -> Command {
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

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.command(args))
    }
}

pub fn run(mut command: Command) -> Run {
    let output = command.output().expect("run aml-rollout");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The demo emulator served by a runtime of this test; the binary talks to it over HTTP.
pub struct Harness {
    pub runtime: Runtime,
    pub emulator: RunningEmulator,
    pub sandbox: Sandbox,
}

impl Harness {
    pub fn start() -> Self {
        Self::start_with(EmulatorConfig::for_tests())
    }

    pub fn start_with(config: EmulatorConfig) -> Self {
        let runtime = Runtime::new().expect("runtime");
        let emulator = runtime.block_on(emulator::start(config)).expect("emulator");
        Self {
            runtime,
            emulator,
            sandbox: Sandbox::new(),
        }
    }

    /// `aml-rollout --emulator URL --emulator-token T <args>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec![
            "--emulator",
            self.emulator.base_url.as_str(),
            "--emulator-token",
            self.emulator.token.as_str(),
        ];
        all.extend_from_slice(args);
        self.sandbox.run(&all)
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}
