//! What comes into `update` (`Msg`) and what goes out to the worker (`Cmd`).

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::KeyEvent;

use super::state::{DeploymentMetrics, DeploymentView, EndpointView, InvokeOutcome, KeysInfo};
use crate::azure::model::{ContainerType, KeyType};
use crate::rollout::TrafficSplit;

/// Input to the state machine.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press (releases and repeats are filtered out before).
    Key(KeyEvent),
    /// Pasted text (bracketed paste), for the text fields.
    Paste(String),
    Resize(u16, u16),
    /// Time passes: refreshes, toasts and finished operations age.
    Tick(Instant),
    /// The answer to `Cmd::Refresh { request }`.
    Loaded {
        request: u64,
        result: Result<LoadedWorkspace, String>,
    },
    /// Observed request rates, error shares and latencies of one endpoint's deployments.
    MetricsLoaded {
        request: u64,
        endpoint: String,
        metrics: Vec<(String, DeploymentMetrics)>,
    },
    /// A long-running operation changed state (as the service reports it).
    OperationProgress {
        op: u64,
        state: String,
    },
    /// A long-running operation ended.
    OperationFinished {
        op: u64,
        outcome: Result<String, String>,
    },
    /// An apply was not sent: the endpoint's split changed since the draft began.
    SplitStale {
        op: u64,
        endpoint: String,
        theirs: TrafficSplit,
    },
    InvokeFinished {
        request: u64,
        outcome: Result<InvokeOutcome, String>,
    },
    KeysLoaded {
        endpoint: String,
        result: Result<KeysInfo, String>,
    },
    JournalLoaded(Result<Vec<String>, String>),
    /// Something the operator should know that is no one operation's outcome.
    Warning(String),
    Info(String),
    /// One polled `getLogs` window of a tailer.
    LogWindow {
        tailer: u64,
        content: String,
    },
    /// A tailer's poll failed; it tries again after `retry_in_secs`.
    LogError {
        tailer: u64,
        error: String,
        retry_in_secs: u64,
    },
}

/// A workspace as loaded by one refresh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedWorkspace {
    pub endpoints: Vec<EndpointView>,
    pub deployments: Vec<(String, Vec<DeploymentView>)>,
}

/// Work for the worker; each result comes back as a `Msg` carrying the same id.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    Refresh {
        request: u64,
    },
    LoadMetrics {
        request: u64,
        endpoint: String,
        deployments: Vec<String>,
    },
    /// Re-read the endpoint; if its split is still `base`, PUT `target`; follow the operation.
    ApplySplit {
        op: u64,
        endpoint: String,
        base: TrafficSplit,
        target: TrafficSplit,
    },
    Scale {
        op: u64,
        endpoint: String,
        deployment: String,
        instances: u32,
    },
    CreateDeployment {
        op: u64,
        endpoint: String,
        file: PathBuf,
    },
    CreateEndpoint {
        op: u64,
        file: PathBuf,
    },
    Delete {
        op: u64,
        endpoint: String,
        deployment: Option<String>,
    },
    Invoke {
        request: u64,
        endpoint: String,
        deployment: Option<String>,
        file: PathBuf,
    },
    LoadKeys {
        endpoint: String,
    },
    RegenerateKey {
        op: u64,
        endpoint: String,
        key: KeyType,
    },
    /// Poll a deployment's log until stopped, sending `Msg::LogWindow`s.
    StartTail {
        tailer: u64,
        endpoint: String,
        deployment: String,
        container: ContainerType,
        tail: u32,
    },
    StopTail {
        tailer: u64,
    },
    /// Write a pane's lines to a file in the data directory; the path comes back as a toast.
    SaveLog {
        name: String,
        lines: Vec<String>,
    },
    /// Record an applied change in the journal (never a secret).
    Journal(JournalRecord),
    LoadJournal,
}

/// One line of the journal, as the console writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRecord {
    pub endpoint: String,
    pub deployment: Option<String>,
    /// Named as the headless commands name them: `traffic`, `mirror`, `deployment scale`…
    pub action: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub outcome: Result<String, String>,
    pub az_command: Option<String>,
}
