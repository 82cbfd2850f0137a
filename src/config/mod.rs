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
mod source;
mod target;
#[cfg(test)]
mod tests;

pub use az_cli::SubscriptionInfo;
pub use file::{
    DEFAULT_LOG_BUFFER_LINES, DEFAULT_LOG_POLL_INTERVAL_MS, DEFAULT_REFRESH_INTERVAL_SECS,
    FileConfig, HealthFileConfig, Settings, TargetBadgeText, TargetColor, TargetMark,
    default_config_file, load_config_file,
};
pub use source::{ConfigError, MissingPart, Source, Sourced};
pub use target::{
    ConfigFileLocation, DEFAULT_API_VERSION, DEFAULT_ARM_ENDPOINT, DEMO_RESOURCE_GROUP,
    DEMO_SUBSCRIPTION_ID, DEMO_WORKSPACE, DescribeRow, EnvVars, ResolvedTarget, TargetFlags,
    TargetInputs, TargetKind, WorkspaceRef, default_az_config_dir, demo_workspace, resolve,
};
