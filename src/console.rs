//! Starting the console: connect (the in-process demo emulator, a running emulator, or Azure),
//! then run the terminal loop.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::app::AppState;
use crate::app::state::{AppOptions, TargetLabel};
use crate::azure::{AmlClient, WorkspaceRef};
use crate::emulator::{self, EmulatorConfig};
use crate::journal::Journal;
use crate::worker::Worker;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("could not start the demo emulator: {0}")]
    Emulator(#[from] emulator::EmulatorError),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("{0}")]
    Client(#[from] crate::azure::AzureError),
}

/// Where the console's data comes from.
pub enum Connection {
    /// Start the demo emulator in-process.
    Demo,
    /// A client already pointed at Azure or at a running emulator.
    Client {
        client: Arc<AmlClient>,
        workspace: WorkspaceRef,
        label: TargetLabel,
    },
}

#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    pub read_only: bool,
    pub refresh_interval: Duration,
    pub log_poll_interval: Duration,
    pub log_buffer_lines: usize,
    /// No colours, emphasis only (the config file's `theme = "mono"`; NO_COLOR does the same).
    pub monochrome: bool,
    /// When a deployment counts as worse than its baseline.
    pub health: crate::rollout::HealthThresholds,
    /// The config file's mark of the workspace (its badge and colour).
    pub target_mark: Option<crate::config::TargetMark>,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            read_only: false,
            refresh_interval: Duration::from_secs(5),
            log_poll_interval: Duration::from_secs(1),
            log_buffer_lines: crate::logstream::DEFAULT_RING_CAPACITY,
            monochrome: false,
            health: Default::default(),
            target_mark: None,
        }
    }
}

/// The demo's files, written next to the journal so the dialogs can offer real paths even
/// when the console runs outside its source tree.
fn demo_files_dir() -> PathBuf {
    let source_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    if source_tree.join("green-deployment.yml").is_file() {
        return source_tree;
    }
    let dir = std::env::temp_dir().join("aml-rollout-demo");
    if std::fs::create_dir_all(&dir).is_ok() {
        for (name, text) in emulator::seed::DEMO_FILES {
            let _ = std::fs::write(dir.join(name), text);
        }
        let _ = std::fs::write(
            dir.join("sample-request.json"),
            emulator::seed::DEMO_SAMPLE_REQUEST,
        );
    }
    dir
}

/// Runs the console; says whether the operator quit or a signal ended it.
pub async fn run(
    connection: Connection,
    settings: ConsoleSettings,
) -> Result<crate::tui::Ending, ConsoleError> {
    // Keeps the demo emulator alive for as long as the console runs.
    let mut _demo = None;
    let (client, workspace, label) = match connection {
        Connection::Demo => {
            let running = emulator::start(EmulatorConfig::demo()).await?;
            let client = Arc::new(running.client_with(crate::azure::ClientOptions {
                base_url: running.base_url.clone(),
                lro: crate::azure::LroPolicy {
                    default_interval: Duration::from_millis(500),
                    ..Default::default()
                },
                ..Default::default()
            })?);
            let ws = running.workspace.clone();
            _demo = Some(running);
            (client, ws, TargetLabel::Demo)
        }
        Connection::Client {
            client,
            workspace,
            label,
        } => (client, workspace, label),
    };
    let demo_dir = demo_files_dir();
    let options = AppOptions {
        target: label,
        read_only: settings.read_only,
        refresh_interval: settings.refresh_interval,
        default_request_file: demo_dir.join("sample-request.json"),
        default_deployment_file: demo_dir.join("green-deployment.yml"),
        default_endpoint_file: demo_dir.join("endpoint.yml"),
        no_color: settings.monochrome
            || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        log_buffer_lines: settings.log_buffer_lines,
        health: settings.health,
        target_mark: settings.target_mark,
    };
    let target_label = match &options.target {
        TargetLabel::Demo => "demo".to_string(),
        TargetLabel::Emulator { url, .. } => format!("emulator {url}"),
        TargetLabel::Azure {
            subscription,
            resource_group,
            workspace,
        } => format!("{subscription}/{resource_group}/{workspace}"),
    };
    // A journal that cannot be located leaves the console usable; `@` says why.
    let journal = Journal::default_path().ok().map(Journal::open);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(
        client,
        workspace,
        tx,
        journal,
        target_label,
        settings.log_poll_interval,
    );
    let state = AppState::new(options, Instant::now());
    Ok(crate::tui::run(state, worker, &mut rx).await?)
}
