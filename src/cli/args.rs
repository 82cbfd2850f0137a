//! The command line, as clap types. Names and flags follow `az ml` so operators can move
//! between the two; global flags work before or after the subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use aml_rollout::azure::credentials::AuthChoice;
use aml_rollout::azure::model::ContainerType;

#[derive(Debug, Parser)]
#[command(
    name = "aml-rollout",
    version,
    about = "Safe blue/green rollouts for Azure ML online endpoints",
    long_about = "Safe blue/green rollouts for Azure ML online endpoints.\n\n\
        Without a subcommand, opens the console. The subcommands are headless equivalents of \
        `az ml online-endpoint` / `online-deployment` for scripts.\n\n\
        Exit codes: 0 success; 1 the service refused or the operation failed; 2 bad usage or \
        invalid input (nothing was changed); 3 sign-in failed."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// Subscription id or name (else AZURE_SUBSCRIPTION_ID, else az's default subscription).
    #[arg(long, global = true, value_name = "ID")]
    pub subscription: Option<String>,
    /// Resource group (else AZURE_DEFAULTS_GROUP, else `az configure --defaults group=`).
    #[arg(short = 'g', long, global = true, value_name = "NAME")]
    pub resource_group: Option<String>,
    /// Azure ML workspace (else AZURE_DEFAULTS_WORKSPACE, else `az configure --defaults workspace=`).
    #[arg(short = 'w', long, global = true, value_name = "NAME")]
    pub workspace: Option<String>,
    /// Azure Resource Manager URL, for sovereign clouds (default https://management.azure.com).
    #[arg(long, global = true, value_name = "URL")]
    pub arm_endpoint: Option<String>,
    /// ARM api-version of the Azure ML API.
    #[arg(long, global = true, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// Talk to a running aml-rollout emulator at this URL instead of Azure.
    #[arg(long, global = true, value_name = "URL")]
    pub emulator: Option<String>,
    /// Bearer token of the emulator given with --emulator (it prints it when it starts).
    #[arg(
        long,
        global = true,
        env = "AML_ROLLOUT_EMULATOR_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub emulator_token: Option<String>,
    /// The CA certificate an HTTPS emulator printed (`ca certificate: PATH`); by default the one
    /// in the emulator's data directory.
    #[arg(
        long,
        global = true,
        env = "AML_ROLLOUT_EMULATOR_CA",
        value_name = "PATH"
    )]
    pub emulator_ca: Option<PathBuf>,
    /// aml-rollout's config file (default: <config dir>/aml-rollout/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// How to sign in to Azure [default: auto].
    #[arg(long, global = true, value_enum, value_name = "METHOD")]
    pub auth: Option<AuthArg>,
    /// Refuse every command that would change something.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputArg>,
    /// Do not wait for long-running operations to finish.
    #[arg(long, global = true)]
    pub no_wait: bool,
    /// How long to wait for a long-running operation (e.g. 90s, 10m, 1h) before giving up on
    /// waiting; the operation may still finish on the service. Default 30m.
    #[arg(long, global = true, value_name = "DURATION", value_parser = timeout_arg)]
    pub timeout: Option<std::time::Duration>,
}

fn timeout_arg(text: &str) -> Result<std::time::Duration, String> {
    match aml_rollout::rollout::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("the timeout must be longer than 0s".to_string()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// Service principal or workload identity if their variables are set, managed identity in
    /// Azure, else the developer tools.
    Auto,
    /// The az CLI (`az login`).
    Cli,
    /// az CLI, then azd.
    Devtools,
    /// Service principal: AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID.
    Sp,
    /// Managed identity (user-assigned with AZURE_CLIENT_ID).
    Msi,
    /// Workload identity: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE.
    Workload,
}

impl From<AuthArg> for AuthChoice {
    fn from(arg: AuthArg) -> Self {
        match arg {
            AuthArg::Auto => Self::Auto,
            AuthArg::Cli => Self::Cli,
            AuthArg::Devtools => Self::DevTools,
            AuthArg::Sp => Self::ServicePrincipal,
            AuthArg::Msi => Self::ManagedIdentity,
            AuthArg::Workload => Self::Workload,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputArg {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Online endpoints (az ml online-endpoint).
    #[command(subcommand)]
    Endpoint(EndpointCommand),
    /// Online deployments (az ml online-deployment).
    #[command(subcommand)]
    Deployment(DeploymentCommand),
    /// Set an endpoint's live traffic, e.g. "blue=90 green=10" (replaces the whole split).
    Traffic(TrafficArgs),
    /// Set an endpoint's mirror (shadow) traffic, e.g. "green=10"; "green=0" stops it.
    Mirror(TrafficArgs),
    /// Show a deployment's container log, or follow it.
    Logs(LogsArgs),
    /// Send a scoring request to an endpoint, optionally pinned to one deployment.
    Invoke(InvokeArgs),
    /// Each deployment's live health from Azure Monitor, judged against the baseline.
    Status(StatusArgs),
    /// Send the same requests to several deployments and compare their answers (read-only).
    Compare(CompareArgs),
    /// Rollout plans: steps, bakes, metric gates and automatic rollback.
    #[command(subcommand)]
    Rollout(RolloutCommand),
    /// aml-rollout's own settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Run the local emulator of the Azure ML management API on 127.0.0.1.
    Emulator(EmulatorArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum EndpointCommand {
    /// List the workspace's online endpoints.
    List,
    /// Show one endpoint.
    Show(NameArg),
    /// Create an endpoint from an az ml endpoint YAML file.
    Create(FileArg),
    /// Show the keys or token a scoring request needs (masked unless --show-secrets).
    GetCredentials(GetCredentialsArgs),
    /// Delete an endpoint and all its deployments.
    Delete(DeleteEndpointArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeploymentCommand {
    /// List an endpoint's deployments with their traffic.
    List(EndpointArg),
    /// Show one deployment.
    Show(DeploymentRef),
    /// Create a deployment from an az ml deployment YAML file.
    Create(CreateDeploymentArgs),
    /// Change a deployment: --set instance_count=2 (and other keys, see --help).
    Update(UpdateDeploymentArgs),
    /// Set a deployment's instance count.
    Scale(ScaleArgs),
    /// Delete a deployment (it must have no live or mirror traffic).
    Delete(DeleteDeploymentArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum RolloutCommand {
    /// Run a plan file on an endpoint (exit 0 done, 1 rolled back, 2 invalid, 4 waiting).
    Run(RolloutRunArgs),
    /// The plan recorded on the endpoint: step, phase, since when.
    Status(EndpointArg),
    /// Continue a plan whose runner stopped or died, at its step, with the remaining bake.
    Resume(RolloutResumeArgs),
    /// Skip the current bake, or approve a manual gate (and drive on).
    Promote(RolloutResumeArgs),
    /// Pause a plan; `rollout resume` continues it.
    Pause(EndpointArg),
    /// Roll a plan back: restore the split and mirror from before it began.
    Abort(EndpointArg),
    /// The plan's flight recorder, from the journal.
    History(EndpointArg),
}

#[derive(Debug, Args)]
pub(crate) struct RolloutRunArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// The plan file (YAML).
    #[arg(short = 'f', long)]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct RolloutResumeArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// The plan file, when this machine's journal does not hold it (another machine started it).
    #[arg(short = 'f', long)]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// The resolved target and where each part came from.
    Show,
}

#[derive(Debug, Args)]
pub(crate) struct NameArg {
    /// Endpoint name.
    #[arg(short = 'n', long)]
    pub name: String,
}

#[derive(Debug, Args)]
pub(crate) struct FileArg {
    /// az ml YAML file.
    #[arg(short = 'f', long)]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct GetCredentialsArgs {
    /// Endpoint name.
    #[arg(short = 'n', long)]
    pub name: String,
    /// Print the keys or token in clear text.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DeleteEndpointArgs {
    /// Endpoint name.
    #[arg(short = 'n', long)]
    pub name: String,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EndpointArg {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
}

#[derive(Debug, Args)]
pub(crate) struct DeploymentRef {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// Deployment name.
    #[arg(short = 'n', long)]
    pub name: String,
}

#[derive(Debug, Args)]
pub(crate) struct CreateDeploymentArgs {
    /// Endpoint name (default: the YAML's endpoint_name).
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: Option<String>,
    /// az ml deployment YAML file.
    #[arg(short = 'f', long)]
    pub file: PathBuf,
    /// After creating it, send all live traffic to the new deployment.
    #[arg(long)]
    pub all_traffic: bool,
    /// If the deployment exists because an earlier create failed, update it in place from the
    /// file instead of refusing (re-running a failed create then converges).
    #[arg(long)]
    pub force_update: bool,
    /// Send even when the core quota check says the change cannot fit (Azure then decides).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateDeploymentArgs {
    #[command(flatten)]
    pub target: DeploymentRef,
    /// KEY=VALUE, repeatable. Keys: instance_count, description, tags.<name>,
    /// request_settings.request_timeout_ms, request_settings.max_concurrent_requests_per_instance.
    #[arg(long = "set", value_name = "KEY=VALUE", required = true)]
    pub set: Vec<String>,
    /// Send even when the core quota check says the change cannot fit (Azure then decides).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ScaleArgs {
    #[command(flatten)]
    pub target: DeploymentRef,
    /// The new instance count.
    pub instance_count: u32,
    /// Send even when the core quota check says the change cannot fit (Azure then decides).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DeleteDeploymentArgs {
    #[command(flatten)]
    pub target: DeploymentRef,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct TrafficArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// The new split in az syntax: "blue=90 green=10".
    pub split: String,
}

#[derive(Debug, Args)]
pub(crate) struct LogsArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// Deployment name.
    #[arg(short = 'n', long)]
    pub name: String,
    /// How many lines from the end of the log (with --follow: the window polled, default 100).
    #[arg(short = 'l', long)]
    pub lines: Option<u32>,
    /// Which container's log.
    #[arg(long, value_parser = parse_container, default_value = "inference-server")]
    pub container: ContainerType,
    /// Keep polling and print new lines until ctrl-c.
    #[arg(long)]
    pub follow: bool,
}

fn parse_container(s: &str) -> Result<ContainerType, String> {
    ContainerType::parse(s)
        .ok_or_else(|| "expected inference-server or storage-initializer".to_string())
}

#[derive(Debug, Args)]
pub(crate) struct InvokeArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// Send the request to this deployment only (header azureml-model-deployment).
    #[arg(short = 'd', long = "deployment-name", visible_alias = "deployment")]
    pub deployment: Option<String>,
    /// JSON request body.
    #[arg(short = 'r', long)]
    pub request_file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// Which stretch of the metrics the figures cover; windows end where the newest data ends
    /// (Azure Monitor's data is 1-3 minutes late).
    #[arg(long, value_enum, default_value = "5m")]
    pub window: WindowArg,
    /// Judge the others against this deployment (default: the one with the most live traffic).
    #[arg(long, value_name = "DEPLOYMENT")]
    pub baseline: Option<String>,
    /// Refresh every refresh_interval_secs until ctrl-c: redrawn on a terminal, one JSON line
    /// per refresh otherwise.
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WindowArg {
    /// The last minute of data.
    #[value(name = "1m")]
    OneMinute,
    /// The last five minutes of data.
    #[value(name = "5m")]
    FiveMinutes,
    /// Since the endpoint's last change (its traffic split).
    SinceChange,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Endpoint name.
    #[arg(short = 'e', long = "endpoint-name", visible_alias = "endpoint")]
    pub endpoint: String,
    /// A JSON request, or JSON Lines (one request per line).
    #[arg(short = 'r', long)]
    pub request_file: PathBuf,
    /// Comma-separated deployments to compare, the first is the reference (default: all of
    /// the endpoint's).
    #[arg(
        short = 'd',
        long = "deployments",
        visible_alias = "deployment",
        value_delimiter = ','
    )]
    pub deployments: Vec<String>,
    /// Numbers within this absolute difference count as equal.
    #[arg(long, default_value_t = 1e-6)]
    pub tolerance: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    pub shell: ShellArg,
}

#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The bearer token to accept (random if not given).
    #[arg(long)]
    pub token: Option<String>,
    /// Seed the workspace from this folder of az ml YAML files instead of the demo.
    #[arg(long, conflicts_with = "empty")]
    pub seed: Option<PathBuf>,
    /// Start with an empty workspace.
    #[arg(long)]
    pub empty: bool,
    /// Seconds a simulated create/update/delete takes.
    #[arg(long, default_value_t = 3.0)]
    pub operation_seconds: f64,
    /// A fault profile as JSON, e.g. '{"management":{"throttle":0.1,"retry_after_secs":1}}'
    /// or '{"scoring":{"server_error":0.05}}'.
    #[arg(long)]
    pub faults: Option<String>,
    /// Synthetic load: unpinned scoring requests per second to each endpoint with live traffic.
    #[arg(long, value_name = "RPS")]
    pub load: Option<f64>,
    /// A deployment's behaviour, e.g. 'green:latency_ms=300,error_rate=0.2' or
    /// 'my-endpoint/green:latency_sigma=0.5,error_status=503' (repeatable).
    #[arg(long, value_name = "[ENDPOINT/]DEPLOYMENT:KEY=VALUE,...")]
    pub knobs: Vec<String>,
    /// Serve HTTPS with a certificate from a local CA (made in the data directory on first use;
    /// its path is printed as `ca certificate: PATH`), as Azure's own SDKs require.
    #[arg(long)]
    pub tls: bool,
    /// Where the emulator keeps its CA (default: <data dir>/aml-rollout/emulator).
    #[arg(long, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,
    /// Azure Resource Manager's request limits per subscription, on by default:
    /// 'off', or 'reads=250/25,writes=200/10,deletes=200/10' (burst/refill per second; kinds
    /// left out keep Azure's limits).
    #[arg(long, value_name = "off|KIND=BURST/PER_SECOND,...")]
    pub arm_throttling: Option<String>,
    /// Milliseconds every management call waits before it is answered.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub arm_latency_ms: u64,
    /// Milliseconds after an endpoint update succeeds during which GETs still show the
    /// previous traffic, as Azure's reads can trail its writes.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub visibility_lag_ms: u64,
    /// Seconds a minute of metrics takes to appear in the metrics API after it ends, as Azure
    /// Monitor's platform metrics arrive 1–3 minutes late (0: at once, the current minute too).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub metrics_lag_secs: u64,
}

impl Default for EmulatorArgs {
    fn default() -> Self {
        Self {
            port: 0,
            token: None,
            seed: None,
            empty: false,
            operation_seconds: 3.0,
            faults: None,
            load: None,
            knobs: Vec::new(),
            tls: false,
            data_dir: None,
            arm_throttling: None,
            arm_latency_ms: 0,
            visibility_lag_ms: 0,
            metrics_lag_secs: 0,
        }
    }
}
