//! The `aml-rollout` binary: picks the console, a headless command or the emulator.

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use std::sync::Arc;

use aml_rollout::app::state::TargetLabel;
use aml_rollout::config::{ConfigError, ResolvedTarget, TargetKind};
use aml_rollout::console::{self, Connection, ConsoleSettings};
use aml_rollout::emulator::faults::FaultProfile;
use aml_rollout::emulator::scoring::knobs::KnobSetting;
use aml_rollout::emulator::{self, EmulatorConfig, Seed};
use aml_rollout::tui::Ending;

use cli::args::{Cli, Command, EmulatorArgs, GlobalArgs};
use cli::error::{CliError, EXIT_USAGE};

fn main() -> ExitCode {
    // clap exits with 2 on usage errors by itself, matching our exit-code contract.
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("aml-rollout: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.command {
        Some(Command::Emulator(args)) => report_plain(runtime.block_on(run_emulator(args))),
        None => match cli::resolve_target(&cli.global) {
            Ok(target) => match runtime.block_on(run_console(&cli.global, target)) {
                Ok(Ending::Quit) => ExitCode::SUCCESS,
                Ok(Ending::Signal(signal)) => ExitCode::from(signal.exit_code()),
                Err(error) => {
                    cli::report(&error);
                    error.exit()
                }
            },
            Err(e) => {
                let error = CliError::from(e);
                cli::report(&error);
                error.exit()
            }
        },
        Some(command) => match runtime.block_on(cli::run(&cli.global, command)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                cli::report(&error);
                error.exit()
            }
        },
    }
}

fn report_plain(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("aml-rollout: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The console (bare `aml-rollout`): the in-process demo when nothing is configured, else the
/// resolved workspace (Azure, or a running emulator), signed in the same way as the commands.
async fn run_console(global: &GlobalArgs, target: ResolvedTarget) -> Result<Ending, CliError> {
    for warning in &target.warnings {
        eprintln!(
            "aml-rollout: warning: {}",
            aml_rollout::logstream::sanitize_inline(warning)
        );
    }
    // stdout belongs to the console: diagnostics go to a file. Held until the console ends.
    let _log_guard = start_console_log();
    let mut settings = ConsoleSettings {
        read_only: global.read_only,
        refresh_interval: target.settings.refresh_interval.value,
        log_poll_interval: target.settings.log_poll_interval.value,
        log_buffer_lines: target.settings.log_buffer_lines.value,
        monochrome: match target
            .settings
            .theme
            .as_ref()
            .map(|t| t.value.to_ascii_lowercase())
        {
            None => false,
            Some(t) if t == "default" || t == "color" => false,
            Some(t) if t == "mono" || t == "monochrome" => true,
            Some(other) => {
                eprintln!(
                    "aml-rollout: warning: theme {:?} is not known (use \"default\" or \"mono\"); using the default",
                    aml_rollout::logstream::sanitize_inline(&other)
                );
                false
            }
        },
        health: target.settings.health.value,
        target_mark: target
            .workspace
            .as_ref()
            .and_then(|w| target.settings.target_mark(&w.value))
            .cloned(),
    };
    let connection = match &target.kind {
        TargetKind::Demo(_) => Connection::Demo,
        TargetKind::Incomplete {
            subscription: Some(subscription),
            resource_group,
            workspace: None,
            ..
        } => {
            let client =
                cli::signed_in_client(global, &target, target.arm_endpoint.value.clone(), false)?;
            let workspace =
                pick_workspace(&client, subscription, resource_group.as_deref()).await?;
            // Chosen only now: its mark could not be looked up before.
            settings.target_mark = target.settings.target_mark(&workspace.workspace).cloned();
            let label = TargetLabel::Azure {
                subscription: workspace.subscription.clone(),
                resource_group: workspace.resource_group.clone(),
                workspace: workspace.workspace.clone(),
            };
            Connection::Client {
                client: Arc::new(client),
                workspace,
                label,
            }
        }
        TargetKind::Incomplete { missing, .. } => {
            return Err(CliError::Config(ConfigError::Incomplete {
                missing: missing.clone(),
            }));
        }
        TargetKind::Azure(ws) | TargetKind::Emulator { workspace: ws, .. } => {
            let label = match &target.kind {
                TargetKind::Emulator { url, .. } => TargetLabel::Emulator {
                    url: url.clone(),
                    subscription: ws.subscription.clone(),
                    resource_group: ws.resource_group.clone(),
                    workspace: ws.workspace.clone(),
                },
                _ => TargetLabel::Azure {
                    subscription: ws.subscription.clone(),
                    resource_group: ws.resource_group.clone(),
                    workspace: ws.workspace.clone(),
                },
            };
            let context = cli::Context::build(global)?;
            Connection::Client {
                client: context.client,
                workspace: context.workspace,
                label,
            }
        }
    };
    console::run(connection, settings)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// Diagnostics of a console session go to `<data dir>/aml-rollout/console.log`, at the level
/// `AML_ROLLOUT_LOG` sets (tracing's filter syntax; default `warn,aml_rollout=info`). Without a
/// data directory there is simply no log: the console itself does not depend on it.
fn start_console_log() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = dirs::data_dir()?.join("aml-rollout");
    std::fs::create_dir_all(&dir).ok()?;
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(&dir, "console.log"));
    let filter = tracing_subscriber::EnvFilter::try_from_env("AML_ROLLOUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,aml_rollout=info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The console's answer to "a subscription, but which workspace?": list them (in the resource
/// group, if one is known) and let the operator choose; one workspace is simply opened.
async fn pick_workspace(
    client: &aml_rollout::azure::AmlClient,
    subscription: &str,
    resource_group: Option<&str>,
) -> Result<aml_rollout::azure::WorkspaceRef, CliError> {
    use aml_rollout::app::picker::{Picker, WorkspaceChoice, resource_group_of};
    use aml_rollout::logstream::sanitize_inline;
    let found = client.list_workspaces(subscription, resource_group).await?;
    let choices: Vec<WorkspaceChoice> = found
        .iter()
        .map(|w| WorkspaceChoice {
            name: sanitize_inline(&w.name),
            resource_group: sanitize_inline(resource_group_of(&w.id).unwrap_or_default()),
            location: sanitize_inline(&w.location),
        })
        .collect();
    let chosen = match choices.len() {
        0 => {
            return Err(CliError::Usage(format!(
                "subscription {subscription}{} has no Azure ML workspace: create one, or pass -s/-g/-w for another",
                resource_group
                    .map(|g| format!(" (resource group {g})"))
                    .unwrap_or_default()
            )));
        }
        1 => 0,
        _ => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let picker = Picker::new(subscription, choices.clone());
            let sorted = picker.choices.clone();
            match aml_rollout::tui::pick(picker, no_color)
                .await
                .map_err(|e| CliError::Failed(format!("terminal: {e}")))?
            {
                Some(i) => {
                    let c = &sorted[i];
                    return Ok(aml_rollout::azure::WorkspaceRef::new(
                        subscription,
                        &c.resource_group,
                        &c.name,
                    ));
                }
                None => return Err(CliError::Usage("no workspace chosen".to_string())),
            }
        }
    };
    let c = &choices[chosen];
    Ok(aml_rollout::azure::WorkspaceRef::new(
        subscription,
        &c.resource_group,
        &c.name,
    ))
}

async fn run_emulator(args: EmulatorArgs) -> Result<(), String> {
    let faults: FaultProfile = match &args.faults {
        Some(json) => serde_json::from_str(json).map_err(|e| format!("--faults: {e}"))?,
        None => FaultProfile::default(),
    };
    if !(0.0..=3600.0).contains(&args.operation_seconds) {
        return Err("--operation-seconds must be between 0 and 3600".to_string());
    }
    let seed = match (args.seed, args.empty) {
        (Some(dir), _) => Seed::Dir(dir),
        (None, true) => Seed::Empty,
        (None, false) => Seed::Demo,
    };
    let defaults = EmulatorConfig::demo();
    let knobs = args
        .knobs
        .iter()
        .map(|k| KnobSetting::parse(k, defaults.default_knobs).map_err(|e| format!("--knobs {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let tls_dir = if args.tls {
        let dir = args
            .data_dir
            .clone()
            .or_else(emulator::tls::default_data_dir)
            .ok_or("--tls needs a data directory for its CA: pass --data-dir PATH")?;
        Some(dir)
    } else {
        None
    };
    let arm_limits = match &args.arm_throttling {
        Some(text) => emulator::throttle::ArmLimits::parse(text)
            .map_err(|e| format!("--arm-throttling {e}"))?,
        None => emulator::throttle::ArmLimits::default(),
    };
    let config = EmulatorConfig {
        port: args.port,
        tls_dir,
        arm_limits,
        arm_latency: Duration::from_millis(args.arm_latency_ms),
        visibility_lag: Duration::from_millis(args.visibility_lag_ms),
        metrics_lag: Duration::from_secs(args.metrics_lag_secs),
        token: args.token,
        seed,
        operation_duration: Duration::from_secs_f64(args.operation_seconds),
        faults,
        load_rps: args.load,
        knobs,
        ..defaults
    };
    let ws = config.workspace.clone();
    let running = emulator::start(config).await.map_err(|e| e.to_string())?;
    println!("aml-rollout emulator listening on {}", running.base_url);
    println!("bearer token: {}", running.token);
    if let Some((path, _)) = &running.ca_certificate {
        println!("ca certificate: {}", path.display());
    }
    println!(
        "workspace: subscription {} / resource group {} / workspace {}",
        ws.subscription, ws.resource_group, ws.workspace
    );
    println!(
        "try: aml-rollout --emulator {} --emulator-token {} endpoint list",
        running.base_url, running.token
    );
    let curl_ca = running
        .ca_certificate
        .as_ref()
        .map(|(path, _)| format!("--cacert '{}' ", path.display()))
        .unwrap_or_default();
    println!(
        "or:  curl {curl_ca}-H 'Authorization: Bearer {}' '{}{}/onlineEndpoints?api-version=2025-12-01'",
        running.token,
        running.base_url,
        ws.arm_id()
    );
    println!(
        "control API: {}/_emulator/stats, /_emulator/knobs, /_emulator/faults, /_emulator/load, /_emulator/arm (same bearer token)",
        running.base_url
    );
    println!("press ctrl-c to stop");
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    Ok(())
}
