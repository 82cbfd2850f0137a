//! Which Azure ML workspace does aml-rollout target, and why?
//!
//! Every part of the target (subscription, resource group, workspace) and every
//! connection setting is resolved independently, first source wins:
//!
//! 1. command-line flags ([`TargetFlags`]);
//! 2. environment variables (`AZURE_SUBSCRIPTION_ID`, `AZURE_DEFAULTS_GROUP`,
//!    `AZURE_DEFAULTS_WORKSPACE`, `AML_ROLLOUT_*`), passed in as an [`EnvVars`]
//!    snapshot so tests never touch the process environment;
//! 3. the az CLI's own files in `$AZURE_CONFIG_DIR` (default `~/.azure`):
//!    `config` (`[defaults] group/workspace`) and `azureProfile.json` (the
//!    `isDefault` subscription);
//! 4. aml-rollout's own TOML config file (`<config dir>/aml-rollout/config.toml`).
//!
//! Every resolved value is a [`Sourced`] so `aml-rollout config show` (see
//! [`ResolvedTarget::describe`]) can say where it came from.
//!
//! # Error policy
//!
//! * **az CLI files are advisory.** They belong to another tool, the user may
//!   not be able to fix them right now, and a broken `~/.azure/config` must not
//!   block the demo. A missing file or directory contributes nothing; an
//!   unreadable or malformed one contributes nothing *and* adds a message
//!   (naming the file and the problem) to [`ResolvedTarget::warnings`].
//! * **aml-rollout's own config file is authoritative.** The user wrote it for
//!   this tool, so a typo (`workspce = ...`) silently ignored could point a
//!   rollout at the wrong place. Syntax errors, unknown keys, bad types and
//!   out-of-range values are a [`ConfigError`] naming the file. A missing file
//!   at the *default* location is fine; a missing file the user named
//!   explicitly is an error.
//! * Invalid flag / environment values (e.g. a non-https ARM endpoint) are
//!   errors naming the source.
//!
//! # Outcome
//!
//! * `--emulator URL` (or `AML_ROLLOUT_EMULATOR`) → [`TargetKind::Emulator`],
//!   using the demo ids unless *flags* give others (ambient Azure settings are
//!   for real Azure and would not exist in the emulator).
//! * subscription + group + workspace → [`TargetKind::Azure`].
//! * a subscription but no group/workspace, or a group/workspace *flag* but no
//!   subscription → [`TargetKind::Incomplete`] listing the [`MissingPart`]s.
//! * no subscription at all → [`TargetKind::Demo`] (the in-process emulator).

mod az_cli;
mod file;
mod target;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;

pub use az_cli::SubscriptionInfo;
pub use file::{
    DEFAULT_LOG_BUFFER_LINES, DEFAULT_LOG_POLL_INTERVAL_MS, DEFAULT_REFRESH_INTERVAL_SECS,
    FileConfig, HealthFileConfig, Settings, default_config_file, load_config_file,
};
pub use target::{
    ConfigFileLocation, DEFAULT_API_VERSION, DEFAULT_ARM_ENDPOINT, DEMO_RESOURCE_GROUP,
    DEMO_SUBSCRIPTION_ID, DEMO_WORKSPACE, DescribeRow, EnvVars, MissingPart, ResolvedTarget,
    TargetFlags, TargetInputs, TargetKind, WorkspaceRef, default_az_config_dir, demo_workspace,
    resolve,
};

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag; the payload is the flag's spelling, e.g. `--workspace`.
    Flag(&'static str),
    /// An environment variable, by name.
    Env(&'static str),
    /// `[defaults]` in the az CLI's `config` INI file.
    AzCliConfig(PathBuf),
    /// The az CLI's `azureProfile.json` (default subscription, or its cloud).
    AzCliProfile(PathBuf),
    /// aml-rollout's own TOML config file.
    ConfigFile(PathBuf),
    /// A built-in default (including the demo's ids).
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::AzCliConfig(path) => write!(f, "az config {}", path.display()),
            Source::AzCliProfile(path) => write!(f, "az profile {}", path.display()),
            Source::ConfigFile(path) => write!(f, "config file {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value together with the place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}

/// Problems that stop resolution (see the module docs for what is only a warning).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {} not found", path.display())]
    ConfigFileNotFound { path: PathBuf },

    #[error("cannot read config file {}: {source}", path.display())]
    ConfigFileRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// TOML syntax errors, unknown keys and wrong types; `message` is the TOML
    /// parser's text, which names the key and shows the offending line.
    #[error("invalid config file {}: {message}", path.display())]
    ConfigFileParse { path: PathBuf, message: String },

    // The origin is not called `source`: thiserror would treat that field as
    // the underlying error.
    #[error("invalid {field} {value:?} (from {origin}): {reason}")]
    InvalidValue {
        field: &'static str,
        value: String,
        origin: Source,
        reason: String,
    },

    #[error("{}", join_hints(missing))]
    Incomplete { missing: Vec<MissingPart> },
}

fn join_hints(missing: &[MissingPart]) -> String {
    missing
        .iter()
        .map(|m| m.hint())
        .collect::<Vec<_>>()
        .join("; ")
}
