//! Where a resolved value came from, which part of the target is missing, and why resolving
//! failed: the vocabulary every part of `config` shares.

use std::fmt;
use std::path::PathBuf;

pub(super) const FLAG_SUBSCRIPTION: &str = "--subscription";

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

/// A part of the target that could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MissingPart {
    Subscription,
    ResourceGroup,
    Workspace,
}

impl MissingPart {
    /// The field name used in `config show` and the config file.
    pub fn field(self) -> &'static str {
        match self {
            Self::Subscription => "subscription",
            Self::ResourceGroup => "resource_group",
            Self::Workspace => "workspace",
        }
    }

    /// The flag that supplies it.
    pub fn flag(self) -> &'static str {
        match self {
            Self::Subscription => FLAG_SUBSCRIPTION,
            Self::ResourceGroup => "-g/--resource-group",
            Self::Workspace => "-w/--workspace",
        }
    }

    /// A one-line message telling the user every way to supply it.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Subscription => {
                "no subscription chosen: pass --subscription, set AZURE_SUBSCRIPTION_ID, or run `az login` / `az account set --subscription ID`"
            }
            Self::ResourceGroup => {
                "no resource group chosen: pass -g/--resource-group, set AZURE_DEFAULTS_GROUP, or run `az configure --defaults group=NAME`"
            }
            Self::Workspace => {
                "no workspace chosen: pass -w/--workspace, set AZURE_DEFAULTS_WORKSPACE, or run `az configure --defaults workspace=NAME`"
            }
        }
    }
}

impl fmt::Display for MissingPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hint())
    }
}
