//! The resolution itself: flags > environment > az CLI files > config file > default.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::az_cli::{self, AzCliState, SubscriptionInfo};
use super::file::{self, FileConfig, Settings};
use super::source::{ConfigError, FLAG_SUBSCRIPTION, MissingPart, Source, Sourced};

pub use crate::azure::client::{DEFAULT_API_VERSION, DEFAULT_ARM_ENDPOINT};

/// Ids the demo (in-process emulator) and `--emulator` use when nothing else
/// is given. The emulator must seed a workspace with exactly these ids.
pub const DEMO_SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000000";
pub const DEMO_RESOURCE_GROUP: &str = "rollout-demo";
pub const DEMO_WORKSPACE: &str = "demo-ws";

const ENV_SUBSCRIPTION: &str = "AZURE_SUBSCRIPTION_ID";
const ENV_GROUP: &str = "AZURE_DEFAULTS_GROUP";
const ENV_WORKSPACE: &str = "AZURE_DEFAULTS_WORKSPACE";
const ENV_AZURE_CONFIG_DIR: &str = "AZURE_CONFIG_DIR";
const ENV_ARM_ENDPOINT: &str = "AML_ROLLOUT_ARM_ENDPOINT";
const ENV_API_VERSION: &str = "AML_ROLLOUT_API_VERSION";
const ENV_EMULATOR: &str = "AML_ROLLOUT_EMULATOR";

const FLAG_GROUP: &str = "--resource-group";
const FLAG_WORKSPACE: &str = "--workspace";
const FLAG_ARM_ENDPOINT: &str = "--arm-endpoint";
const FLAG_API_VERSION: &str = "--api-version";
const FLAG_EMULATOR: &str = "--emulator";

/// The command-line flags that bear on the target. Empty strings count as
/// "not given" everywhere (e.g. `-w "$UNSET_VAR"`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TargetFlags {
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub workspace: Option<String>,
    pub arm_endpoint: Option<String>,
    pub api_version: Option<String>,
    /// Attach to a running emulator at this URL instead of Azure.
    pub emulator: Option<String>,
}

/// A snapshot of the environment variables resolution looks at. Passed in
/// rather than read so tests never mutate the (process-global) environment.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EnvVars {
    vars: HashMap<String, String>,
}

impl EnvVars {
    const NAMES: [&'static str; 7] = [
        ENV_SUBSCRIPTION,
        ENV_GROUP,
        ENV_WORKSPACE,
        ENV_AZURE_CONFIG_DIR,
        ENV_ARM_ENDPOINT,
        ENV_API_VERSION,
        ENV_EMULATOR,
    ];

    /// Captures the relevant variables from the process environment. Variables
    /// that are not valid Unicode are skipped (none of these can legitimately be).
    pub fn from_process() -> Self {
        Self::from_pairs(
            Self::NAMES
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|v| (*name, v))),
        )
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The variable's value, trimmed; empty counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        non_empty(self.vars.get(name).map(String::as_str))
    }
}

/// Which aml-rollout config file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigFileLocation {
    /// Don't read one (tests, `--no-config`).
    None,
    /// The standard location: fine if it does not exist.
    Default(PathBuf),
    /// Named by the user (`--config PATH`): must exist.
    Explicit(PathBuf),
}

impl ConfigFileLocation {
    /// `--config PATH` if given, else the platform default location.
    pub fn from_flag(path: Option<PathBuf>) -> Self {
        match (path, file::default_config_file()) {
            (Some(p), _) => Self::Explicit(p),
            (None, Some(p)) => Self::Default(p),
            (None, None) => Self::None,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::None => None,
            Self::Default(p) | Self::Explicit(p) => Some(p),
        }
    }
}

/// Everything resolution reads, gathered up front so it is a pure function of
/// its inputs (plus the files they point at).
#[derive(Debug, Clone)]
pub struct TargetInputs {
    pub flags: TargetFlags,
    pub env: EnvVars,
    /// Overrides `$AZURE_CONFIG_DIR` / `~/.azure`; `None` means use those.
    pub az_config_dir: Option<PathBuf>,
    pub config_file: ConfigFileLocation,
}

impl TargetInputs {
    /// Inputs for a real run: the process environment and the default (or
    /// `--config`) config file.
    pub fn from_process(flags: TargetFlags, config_flag: Option<PathBuf>) -> Self {
        Self {
            flags,
            env: EnvVars::from_process(),
            az_config_dir: None,
            config_file: ConfigFileLocation::from_flag(config_flag),
        }
    }
}

/// `$AZURE_CONFIG_DIR` if set, else `~/.azure` (what az itself uses); `None`
/// only when there is no home directory either.
pub fn default_az_config_dir(env: &EnvVars) -> Option<PathBuf> {
    env.get(ENV_AZURE_CONFIG_DIR)
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".azure")))
}

pub use crate::azure::WorkspaceRef;

/// The workspace the demo emulator seeds.
pub fn demo_workspace() -> WorkspaceRef {
    WorkspaceRef::new(DEMO_SUBSCRIPTION_ID, DEMO_RESOURCE_GROUP, DEMO_WORKSPACE)
}

/// What the tool will talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// Real Azure, fully specified.
    Azure(WorkspaceRef),
    /// A running emulator reached over HTTP.
    Emulator {
        url: String,
        workspace: WorkspaceRef,
    },
    /// Nothing configured: the in-process emulator with the demo ids.
    Demo(WorkspaceRef),
    /// Something was chosen, but not enough: the console shows a picker, a
    /// command reports [`ConfigError::Incomplete`].
    Incomplete {
        subscription: Option<String>,
        resource_group: Option<String>,
        workspace: Option<String>,
        missing: Vec<MissingPart>,
    },
}

impl TargetKind {
    /// The workspace to operate on, unless the target is incomplete.
    pub fn workspace_ref(&self) -> Option<&WorkspaceRef> {
        match self {
            Self::Azure(w) | Self::Demo(w) | Self::Emulator { workspace: w, .. } => Some(w),
            Self::Incomplete { .. } => None,
        }
    }
}

/// The outcome of [`resolve`]: the target plus the provenance of every part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    pub kind: TargetKind,
    /// Effective values (demo ids for Demo/Emulator defaults); `None` if unresolved.
    pub subscription: Option<Sourced<String>>,
    pub resource_group: Option<Sourced<String>>,
    pub workspace: Option<Sourced<String>>,
    /// The subscription's entry in az's profile (name, tenant, account), if
    /// the chosen subscription is one az knows.
    pub subscription_info: Option<SubscriptionInfo>,
    pub emulator_url: Option<Sourced<String>>,
    /// Without trailing slash.
    pub arm_endpoint: Sourced<String>,
    pub api_version: Sourced<String>,
    pub settings: Settings,
    /// The aml-rollout config file consulted, and whether it existed.
    pub config_file: Option<PathBuf>,
    pub config_file_found: bool,
    /// The az CLI directory consulted (`None` in emulator mode or without a home).
    pub az_config_dir: Option<PathBuf>,
    /// Non-fatal problems (malformed az files, ignored settings) to show the user.
    pub warnings: Vec<String>,
}

/// One line of `aml-rollout config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeRow {
    pub field: &'static str,
    pub value: String,
    /// Human-readable origin, e.g. `env AZURE_DEFAULTS_GROUP`; `-` if unset.
    pub source: String,
}

impl ResolvedTarget {
    /// The workspace for a headless command, or an error telling the user which
    /// flag to pass.
    pub fn require_complete(&self) -> Result<&WorkspaceRef, ConfigError> {
        match &self.kind {
            TargetKind::Incomplete { missing, .. } => Err(ConfigError::Incomplete {
                missing: missing.clone(),
            }),
            kind => kind.workspace_ref().ok_or(ConfigError::Incomplete {
                missing: Vec::new(),
            }),
        }
    }

    /// Rows for `aml-rollout config show`: every field, its value and origin.
    pub fn describe(&self) -> Vec<DescribeRow> {
        fn row(
            field: &'static str,
            value: impl Into<String>,
            source: impl Into<String>,
        ) -> DescribeRow {
            DescribeRow {
                field,
                value: value.into(),
                source: source.into(),
            }
        }
        fn opt(field: &'static str, v: &Option<Sourced<String>>) -> DescribeRow {
            match v {
                Some(s) => row(field, s.value.clone(), s.source.to_string()),
                None => row(field, "(not set)", "-"),
            }
        }

        let target = match &self.kind {
            TargetKind::Azure(_) => "azure".to_string(),
            TargetKind::Emulator { url, .. } => format!("emulator at {url}"),
            TargetKind::Demo(_) => "demo (built-in emulator)".to_string(),
            TargetKind::Incomplete { missing, .. } => format!(
                "incomplete (missing {})",
                missing
                    .iter()
                    .map(|m| m.field())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut rows = vec![
            row("target", target, "-"),
            opt("subscription", &self.subscription),
        ];
        if let Some(info) = &self.subscription_info {
            let profile = self
                .az_config_dir
                .as_ref()
                .map(|d| Source::AzCliProfile(d.join("azureProfile.json")).to_string())
                .unwrap_or_else(|| "az profile".to_string());
            if let Some(name) = &info.name {
                rows.push(row("subscription_name", name.clone(), profile.clone()));
            }
            if let Some(tenant) = &info.tenant_id {
                rows.push(row("tenant", tenant.clone(), profile.clone()));
            }
            if let Some(user) = &info.user {
                rows.push(row("account", user.clone(), profile));
            }
        }
        rows.push(opt("resource_group", &self.resource_group));
        rows.push(opt("workspace", &self.workspace));
        if self.emulator_url.is_some() {
            rows.push(opt("emulator", &self.emulator_url));
        }
        rows.push(row(
            "arm_endpoint",
            self.arm_endpoint.value.clone(),
            self.arm_endpoint.source.to_string(),
        ));
        rows.push(row(
            "api_version",
            self.api_version.value.clone(),
            self.api_version.source.to_string(),
        ));
        let s = &self.settings;
        rows.push(row(
            "refresh_interval_secs",
            s.refresh_interval.value.as_secs().to_string(),
            s.refresh_interval.source.to_string(),
        ));
        rows.push(row(
            "log_poll_interval_ms",
            s.log_poll_interval.value.as_millis().to_string(),
            s.log_poll_interval.source.to_string(),
        ));
        rows.push(row(
            "log_buffer_lines",
            s.log_buffer_lines.value.to_string(),
            s.log_buffer_lines.source.to_string(),
        ));
        let health = &s.health.value;
        rows.push(row(
            "health",
            format!(
                "min_requests={} error_percent_delta={} p95_ratio={}",
                health.min_requests, health.error_percent_delta, health.p95_ratio
            ),
            s.health.source.to_string(),
        ));
        rows.push(match &s.theme {
            Some(t) => row("theme", t.value.clone(), t.source.to_string()),
            None => row("theme", "(console default)", Source::Default.to_string()),
        });
        let file_source = self
            .config_file
            .as_ref()
            .map(|p| Source::ConfigFile(p.clone()).to_string())
            .unwrap_or_else(|| "-".to_string());
        for (workspace, mark) in &s.targets {
            let mut value = format!("{workspace:?}:");
            if let Some(label) = &mark.label {
                value.push_str(&format!(" label {:?}", label.as_str()));
            }
            if let Some(color) = mark.color {
                value.push_str(&format!(" color {}", color.name()));
            }
            rows.push(row("target_mark", value, file_source.clone()));
        }
        rows.push(match &self.config_file {
            Some(p) if self.config_file_found => row("config_file", p.display().to_string(), "-"),
            Some(p) => row("config_file", format!("{} (not found)", p.display()), "-"),
            None => row("config_file", "(none)", "-"),
        });
        rows.push(match &self.az_config_dir {
            Some(p) => row("az_config_dir", p.display().to_string(), "-"),
            None => row("az_config_dir", "(not used)", "-"),
        });
        rows
    }
}

/// Resolves the target. Fails only on problems with aml-rollout's own config
/// file or invalid flag/env values; everything else is a warning in the result.
pub fn resolve(inputs: &TargetInputs) -> Result<ResolvedTarget, ConfigError> {
    let flags = &inputs.flags;
    let env = &inputs.env;
    let mut warnings = Vec::new();

    // --- aml-rollout config file (lowest-priority source, but errors are fatal).
    let (file_cfg, config_file_found) = match &inputs.config_file {
        ConfigFileLocation::None => (FileConfig::default(), false),
        ConfigFileLocation::Default(p) => match file::load_optional(p)? {
            Some(cfg) => (cfg, true),
            None => (FileConfig::default(), false),
        },
        ConfigFileLocation::Explicit(p) => (file::load_config_file(p)?, true),
    };
    let config_path = inputs.config_file.path().map(Path::to_path_buf);
    let file_src = || {
        config_path
            .clone()
            .map(Source::ConfigFile)
            .unwrap_or(Source::Default)
    };
    let settings = match &config_path {
        Some(p) => Settings::from_file(&file_cfg, p)?,
        None => Settings::default(),
    };

    let api_version = first(vec![
        (flags.api_version.clone(), Source::Flag(FLAG_API_VERSION)),
        (env.get(ENV_API_VERSION), Source::Env(ENV_API_VERSION)),
        (file_cfg.api_version.clone(), file_src()),
    ])
    .unwrap_or_else(|| Sourced::new(DEFAULT_API_VERSION.to_string(), Source::Default));
    validate_api_version(&api_version)?;

    let emulator_url = first(vec![
        (flags.emulator.clone(), Source::Flag(FLAG_EMULATOR)),
        (env.get(ENV_EMULATOR), Source::Env(ENV_EMULATOR)),
    ])
    .map(|u| normalize_url("emulator", u, false))
    .transpose()?;

    let explicit_arm = first(vec![
        (flags.arm_endpoint.clone(), Source::Flag(FLAG_ARM_ENDPOINT)),
        (env.get(ENV_ARM_ENDPOINT), Source::Env(ENV_ARM_ENDPOINT)),
        (file_cfg.arm_endpoint.clone(), file_src()),
    ])
    .map(|u| normalize_url("arm_endpoint", u, true))
    .transpose()?;
    let default_arm = || Sourced::new(DEFAULT_ARM_ENDPOINT.to_string(), Source::Default);

    // --- Emulator: only flags choose ids. Ambient env/az/config ids name real
    // Azure resources the emulator does not have.
    if let Some(url) = emulator_url {
        let demo = demo_workspace();
        let pick = |flag: &Option<String>, name: &'static str, demo: &str| {
            first(vec![(flag.clone(), Source::Flag(name))])
                .unwrap_or_else(|| Sourced::new(demo.to_string(), Source::Default))
        };
        let subscription = pick(&flags.subscription, FLAG_SUBSCRIPTION, &demo.subscription);
        let resource_group = pick(&flags.resource_group, FLAG_GROUP, &demo.resource_group);
        let workspace = pick(&flags.workspace, FLAG_WORKSPACE, &demo.workspace);
        return Ok(ResolvedTarget {
            kind: TargetKind::Emulator {
                url: url.value.clone(),
                workspace: WorkspaceRef {
                    subscription: subscription.value.clone(),
                    resource_group: resource_group.value.clone(),
                    workspace: workspace.value.clone(),
                },
            },
            subscription: Some(subscription),
            resource_group: Some(resource_group),
            workspace: Some(workspace),
            subscription_info: None,
            emulator_url: Some(url),
            arm_endpoint: explicit_arm.unwrap_or_else(default_arm),
            api_version,
            settings,
            config_file: config_path,
            config_file_found,
            az_config_dir: None,
            warnings,
        });
    }

    // --- Azure: read the az CLI's state.
    let az_dir = inputs
        .az_config_dir
        .clone()
        .or_else(|| default_az_config_dir(env));
    let az = match &az_dir {
        Some(dir) => az_cli::load(dir),
        None => AzCliState::default(),
    };
    warnings.extend(az.warnings.iter().cloned());
    let az_cfg_src = || Source::AzCliConfig(az.config_path.clone());
    let az_profile_src = || Source::AzCliProfile(az.profile_path.clone());

    let mut subscription = first(vec![
        (flags.subscription.clone(), Source::Flag(FLAG_SUBSCRIPTION)),
        (env.get(ENV_SUBSCRIPTION), Source::Env(ENV_SUBSCRIPTION)),
        (
            az.default_subscription().map(|s| s.id.clone()),
            az_profile_src(),
        ),
        (file_cfg.subscription.clone(), file_src()),
    ]);
    let resource_group = first(vec![
        (flags.resource_group.clone(), Source::Flag(FLAG_GROUP)),
        (env.get(ENV_GROUP), Source::Env(ENV_GROUP)),
        (az.group.clone(), az_cfg_src()),
        (file_cfg.resource_group.clone(), file_src()),
    ]);
    let workspace = first(vec![
        (flags.workspace.clone(), Source::Flag(FLAG_WORKSPACE)),
        (env.get(ENV_WORKSPACE), Source::Env(ENV_WORKSPACE)),
        (az.workspace.clone(), az_cfg_src()),
        (file_cfg.workspace.clone(), file_src()),
    ]);

    // Look the subscription up in az's profile: for display (name, tenant),
    // to turn a subscription *name* into the id ARM URLs need, and for its cloud.
    let subscription_info = subscription
        .as_ref()
        .and_then(|s| az.find_subscription(&s.value))
        .cloned();
    if let (Some(sub), Some(info)) = (subscription.as_mut(), &subscription_info) {
        sub.value = info.id.clone();
        if let Some(state) = info.state.as_deref()
            && !state.eq_ignore_ascii_case("Enabled")
        {
            warnings.push(format!(
                "subscription {} is {state} according to the az CLI profile",
                info.id
            ));
        }
    } else if let Some(sub) = &subscription
        && !looks_like_guid(&sub.value)
    {
        warnings.push(format!(
            "subscription {:?} (from {}) is not a subscription id and matches no subscription in the az CLI profile; Azure calls will fail",
            sub.value, sub.source
        ));
    }

    // A sovereign-cloud login implies that cloud's ARM endpoint, unless the
    // user chose one explicitly.
    let arm_endpoint = explicit_arm
        .or_else(|| {
            subscription_info
                .as_ref()
                .and_then(|i| i.environment_name.as_deref())
                .and_then(cloud_arm_endpoint)
                .map(|url| Sourced::new(url.to_string(), az_profile_src()))
        })
        .unwrap_or_else(default_arm);

    let kind = match (&subscription, &resource_group, &workspace) {
        (Some(s), Some(g), Some(w)) => TargetKind::Azure(WorkspaceRef {
            subscription: s.value.clone(),
            resource_group: g.value.clone(),
            workspace: w.value.clone(),
        }),
        (None, g, w) => {
            let flagged = |v: &Option<Sourced<String>>| {
                v.as_ref()
                    .is_some_and(|s| matches!(s.source, Source::Flag(_)))
            };
            if flagged(g) || flagged(w) {
                // The user explicitly asked for a workspace: falling back to the
                // demo would be a surprise, so say what is missing.
                incomplete(&subscription, &resource_group, &workspace)
            } else {
                // Only ambient defaults (e.g. az defaults while logged out):
                // run the demo, but say why those defaults are not used.
                for part in [g, w].into_iter().flatten() {
                    warnings.push(format!(
                        "ignoring {:?} (from {}): no subscription chosen, so running the demo",
                        part.value, part.source
                    ));
                }
                let demo = demo_workspace();
                return Ok(ResolvedTarget {
                    subscription: Some(Sourced::new(demo.subscription.clone(), Source::Default)),
                    resource_group: Some(Sourced::new(
                        demo.resource_group.clone(),
                        Source::Default,
                    )),
                    workspace: Some(Sourced::new(demo.workspace.clone(), Source::Default)),
                    kind: TargetKind::Demo(demo),
                    subscription_info: None,
                    emulator_url: None,
                    arm_endpoint,
                    api_version,
                    settings,
                    config_file: config_path,
                    config_file_found,
                    az_config_dir: az_dir,
                    warnings,
                });
            }
        }
        _ => incomplete(&subscription, &resource_group, &workspace),
    };

    Ok(ResolvedTarget {
        kind,
        subscription,
        resource_group,
        workspace,
        subscription_info,
        emulator_url: None,
        arm_endpoint,
        api_version,
        settings,
        config_file: config_path,
        config_file_found,
        az_config_dir: az_dir,
        warnings,
    })
}

fn incomplete(
    subscription: &Option<Sourced<String>>,
    resource_group: &Option<Sourced<String>>,
    workspace: &Option<Sourced<String>>,
) -> TargetKind {
    let missing = [
        (subscription, MissingPart::Subscription),
        (resource_group, MissingPart::ResourceGroup),
        (workspace, MissingPart::Workspace),
    ]
    .into_iter()
    .filter(|(v, _)| v.is_none())
    .map(|(_, part)| part)
    .collect();
    let value = |v: &Option<Sourced<String>>| v.as_ref().map(|s| s.value.clone());
    TargetKind::Incomplete {
        subscription: value(subscription),
        resource_group: value(resource_group),
        workspace: value(workspace),
        missing,
    }
}

/// The first candidate with a non-blank value, trimmed.
fn first(candidates: Vec<(Option<String>, Source)>) -> Option<Sourced<String>> {
    candidates
        .into_iter()
        .find_map(|(v, src)| non_empty(v.as_deref()).map(|v| Sourced::new(v, src)))
}

fn non_empty(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// ARM endpoints of the sovereign clouds, by az's `environmentName`.
fn cloud_arm_endpoint(environment_name: &str) -> Option<&'static str> {
    match environment_name {
        "AzureUSGovernment" => Some("https://management.usgovcloudapi.net"),
        "AzureChinaCloud" => Some("https://management.chinacloudapi.cn"),
        _ => None,
    }
}

fn looks_like_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The api-version ends up in a query string, so anything that would break
/// the URL is rejected here rather than as a confusing HTTP 400 later.
fn validate_api_version(v: &Sourced<String>) -> Result<(), ConfigError> {
    let ok = v
        .value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::InvalidValue {
            field: "api_version",
            value: v.value.clone(),
            origin: v.source.clone(),
            reason: "expected something like 2025-12-01 or 2025-01-01-preview".to_string(),
        })
    }
}

/// Checks an http(s) URL and strips trailing slashes. With `https_unless_local`,
/// plain http is only allowed to loopback: the ARM endpoint receives bearer
/// tokens, which must not cross a network in clear text.
fn normalize_url(
    field: &'static str,
    url: Sourced<String>,
    https_unless_local: bool,
) -> Result<Sourced<String>, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidValue {
        field,
        value: url.value.clone(),
        origin: url.source.clone(),
        reason: reason.to_string(),
    };
    let value = url.value.trim_end_matches('/');
    let (scheme, rest) = value
        .split_once("://")
        .ok_or_else(|| invalid("expected an http:// or https:// URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(invalid("expected an http:// or https:// URL"));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(invalid("URL contains whitespace"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(invalid("URL has no host"));
    }
    if https_unless_local && scheme == "http" && !is_loopback(host) {
        return Err(invalid(
            "plain http is only allowed to localhost (Azure tokens would be sent in clear text); use https, or --emulator for an emulator",
        ));
    }
    Ok(Sourced::new(value.to_string(), url.source))
}

fn is_loopback(host: &str) -> bool {
    // Parsed, not prefix-matched: `127.evil.example` is not loopback.
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
