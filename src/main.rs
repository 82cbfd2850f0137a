//! The `aml-rollout` binary: picks the console, a headless command or the emulator.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use aml_rollout::emulator::faults::FaultProfile;
use aml_rollout::emulator::scoring::knobs::KnobSetting;
use aml_rollout::emulator::{self, EmulatorConfig, Seed};

#[derive(Debug, Parser)]
#[command(
    name = "aml-rollout",
    version,
    about = "Safe blue/green rollouts for Azure ML online endpoints"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the local emulator of the Azure ML management API on 127.0.0.1.
    Emulator(EmulatorArgs),
}

#[derive(Debug, Args)]
struct EmulatorArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The bearer token to accept (random if not given).
    #[arg(long)]
    token: Option<String>,
    /// Seed the workspace from this folder of az ml YAML files instead of the demo.
    #[arg(long, conflicts_with = "empty")]
    seed: Option<PathBuf>,
    /// Start with an empty workspace.
    #[arg(long)]
    empty: bool,
    /// Seconds a simulated create/update/delete takes.
    #[arg(long, default_value_t = 3.0)]
    operation_seconds: f64,
    /// A fault profile as JSON, e.g. '{"management":{"throttle":0.1,"retry_after_secs":1}}'
    /// or '{"scoring":{"server_error":0.05}}'.
    #[arg(long)]
    faults: Option<String>,
    /// Synthetic load: unpinned scoring requests per second to each endpoint with live traffic.
    #[arg(long, value_name = "RPS")]
    load: Option<f64>,
    /// A deployment's behaviour, e.g. 'green:latency_ms=300,error_rate=0.2' or
    /// 'my-endpoint/green:latency_sigma=0.5,error_status=503' (repeatable).
    #[arg(long, value_name = "[ENDPOINT/]DEPLOYMENT:KEY=VALUE,...")]
    knobs: Vec<String>,
}

fn main() -> ExitCode {
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
    let result = match cli.command {
        Some(Command::Emulator(args)) => runtime.block_on(run_emulator(args)),
        // Until the console lands, the bare command serves the demo emulator.
        None => runtime.block_on(run_emulator(EmulatorArgs {
            port: 0,
            token: None,
            seed: None,
            empty: false,
            operation_seconds: 3.0,
            faults: None,
            load: None,
            knobs: Vec::new(),
        })),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("aml-rollout: {message}");
            ExitCode::from(2)
        }
    }
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
    let config = EmulatorConfig {
        port: args.port,
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
    println!(
        "workspace: subscription {} / resource group {} / workspace {}",
        ws.subscription, ws.resource_group, ws.workspace
    );
    println!(
        "try: curl -H 'Authorization: Bearer {}' '{}{}/onlineEndpoints?api-version=2025-12-01'",
        running.token,
        running.base_url,
        ws.arm_id()
    );
    println!(
        "control API: {}/_emulator/stats, /_emulator/knobs, /_emulator/faults, /_emulator/load (same bearer token)",
        running.base_url
    );
    println!("press ctrl-c to stop");
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    Ok(())
}
