//! Everything a headless command needs, built once from the global flags: the resolved target,
//! a signed-in client, the output format, the journal.

use std::io::IsTerminal;
use std::sync::Arc;

use aml_rollout::azure::credentials::{self, AuthChoice, AuthEnv};
use aml_rollout::azure::{AmlClient, ClientOptions, LroPolicy, WorkspaceRef};
use aml_rollout::config::{
    ConfigError, MissingPart, ResolvedTarget, TargetFlags, TargetInputs, TargetKind, resolve,
};
use aml_rollout::journal::Journal;
use aml_rollout::logstream::sanitize_inline;
use aml_rollout::ops::Ops;

use super::args::{GlobalArgs, OutputArg};
use super::error::{CliError, CliResult};
use super::output::Output;

/// Resolves the target from flags, environment, az CLI files and the config file.
pub(crate) fn resolve_target(global: &GlobalArgs) -> Result<ResolvedTarget, ConfigError> {
    let flags = TargetFlags {
        subscription: global.subscription.clone(),
        resource_group: global.resource_group.clone(),
        workspace: global.workspace.clone(),
        arm_endpoint: global.arm_endpoint.clone(),
        api_version: global.api_version.clone(),
        emulator: global.emulator.clone(),
    };
    resolve(&TargetInputs::from_process(flags, global.config.clone()))
}

/// A client signed in as the flags say: the emulator's token for an emulator (unless a real
/// sign-in method is asked for: the tests exercise the az CLI credential that way), else the
/// chosen azure_identity credential.
pub(crate) fn signed_in_client(
    global: &GlobalArgs,
    resolved: &ResolvedTarget,
    base_url: String,
    emulator: bool,
) -> CliResult<AmlClient> {
    let credential = match (emulator, global.auth) {
        (true, None | Some(super::args::AuthArg::Auto)) => {
            let token = global
                .emulator_token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    CliError::Usage(
                        "--emulator needs the emulator's token: pass --emulator-token TOKEN or set AML_ROLLOUT_EMULATOR_TOKEN (the emulator prints it when it starts)".to_string(),
                    )
                })?;
            credentials::emulator_credential(token)
        }
        (_, choice) => credentials::build_credential(
            choice.map(AuthChoice::from).unwrap_or_default(),
            &AuthEnv::from_process(),
        )?,
    };
    let extra_root_certificate = if emulator && base_url.starts_with("https://") {
        emulator_ca(global)?
    } else {
        None
    };
    Ok(AmlClient::new(
        credential,
        ClientOptions {
            base_url,
            api_version: resolved.api_version.value.clone(),
            lro: LroPolicy {
                timeout: global.timeout.unwrap_or(LroPolicy::default().timeout),
                ..LroPolicy::default()
            },
            extra_root_certificate,
            ..ClientOptions::default()
        },
    )?)
}

/// The CA an HTTPS emulator's certificate comes from: `--emulator-ca`, else the one in the
/// emulator's default data directory, if it is there (else the system's roots decide).
fn emulator_ca(global: &GlobalArgs) -> CliResult<Option<Vec<u8>>> {
    match &global.emulator_ca {
        Some(path) => std::fs::read(path)
            .map(Some)
            .map_err(|e| CliError::Usage(format!("--emulator-ca {}: {e}", path.display()))),
        None => Ok(aml_rollout::emulator::tls::default_data_dir()
            .and_then(|dir| std::fs::read(dir.join(aml_rollout::emulator::tls::CA_FILE)).ok())),
    }
}

pub(super) fn output_format(global: &GlobalArgs) -> Output {
    match global.output {
        Some(OutputArg::Json) => Output::Json,
        Some(OutputArg::Table) => Output::Table,
        // Scripts capture stdout: they get the stable JSON unless they ask for a table.
        None if std::io::stdout().is_terminal() => Output::Table,
        None => Output::Json,
    }
}

pub(crate) struct Context {
    pub client: Arc<AmlClient>,
    /// The workflows every change goes through (they journal it).
    pub ops: Ops,
    pub workspace: WorkspaceRef,
    pub output: Output,
    pub no_wait: bool,
    read_only: bool,
    pub settings: aml_rollout::config::Settings,
}

impl Context {
    /// Resolves the target and signs in. A headless command never falls back to the demo: a
    /// script that silently changed a demo instead of production would be worse than failing.
    pub(crate) fn build(global: &GlobalArgs) -> CliResult<Self> {
        let resolved = resolve_target(global)?;
        for warning in &resolved.warnings {
            eprintln!("aml-rollout: warning: {}", sanitize_inline(warning));
        }
        let (workspace, base_url, target_label, emulator) = match &resolved.kind {
            TargetKind::Azure(ws) => (
                ws.clone(),
                resolved.arm_endpoint.value.clone(),
                format!("{}/{}/{}", ws.subscription, ws.resource_group, ws.workspace),
                false,
            ),
            TargetKind::Emulator { url, workspace } => (
                workspace.clone(),
                url.clone(),
                format!("emulator {url}"),
                true,
            ),
            TargetKind::Demo(_) => {
                return Err(CliError::Usage(format!(
                    "no Azure ML workspace chosen, and commands never fall back to the demo: {}; or pass --emulator URL to use a running emulator",
                    ConfigError::Incomplete {
                        missing: vec![
                            MissingPart::Subscription,
                            MissingPart::ResourceGroup,
                            MissingPart::Workspace,
                        ],
                    }
                )));
            }
            TargetKind::Incomplete { missing, .. } => {
                return Err(CliError::Config(ConfigError::Incomplete {
                    missing: missing.clone(),
                }));
            }
        };

        let client = Arc::new(signed_in_client(global, &resolved, base_url, emulator)?);
        let journal = match Journal::default_path() {
            Ok(path) => Some(Journal::open(path)),
            Err(e) => {
                eprintln!("aml-rollout: warning: {e}; changes will not be journaled");
                None
            }
        };
        let ops = Ops::new(
            client.clone(),
            workspace.clone(),
            journal,
            target_label.clone(),
            Arc::new(|warning| eprintln!("aml-rollout: warning: {}", sanitize_inline(&warning))),
        );
        Ok(Self {
            client,
            ops,
            workspace,
            output: output_format(global),
            no_wait: global.no_wait,
            read_only: global.read_only,
            settings: resolved.settings.clone(),
        })
    }

    /// Called by every command that changes something, before it sends anything.
    pub(crate) fn ensure_writable(&self, what: &str) -> CliResult<()> {
        if self.read_only {
            Err(CliError::Usage(format!(
                "--read-only: refusing to {what}; nothing was sent"
            )))
        } else {
            Ok(())
        }
    }
}
