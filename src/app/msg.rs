//! What comes into `update` (`Msg`) and what goes out to the worker (`Cmd`).

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyEvent, MouseEvent};

use super::ids::{OpId, RequestId, TailerId};
use super::snapshot::{DeploymentView, EndpointView, InvokeOutcome, KeysInfo};
use crate::azure::model::ContainerType;
use crate::ops::{CompareReport, EndpointHealth, OpsError, PlanEnd, PlanEvent};
use crate::rollout::{KeySlot, QuotaCheck, TrafficSplit};

/// Input to the state machine.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press (releases and repeats are filtered out before).
    Key(KeyEvent),
    /// A click or a wheel notch.
    Mouse(MouseEvent),
    /// Pasted text (bracketed paste), for the text fields.
    Paste(String),
    Resize(u16, u16),
    /// Time passes: refreshes, toasts and finished operations age.
    Tick(Instant),
    /// The answer to `Cmd::Refresh { request }`.
    Loaded {
        request: RequestId,
        result: Result<LoadedWorkspace, OpsError>,
    },
    /// The answer to `Cmd::RefreshEndpoints { request }`: the endpoint list alone.
    EndpointsLoaded {
        request: RequestId,
        result: Result<Vec<EndpointView>, OpsError>,
    },
    /// The answer to `Cmd::RefreshEndpoint { request, endpoint }`: the endpoint and its
    /// deployments, or `None` when it no longer exists. Its metrics follow as
    /// `MetricsLoaded` with the same request.
    EndpointLoaded {
        request: RequestId,
        endpoint: String,
        result: Result<EndpointRead, OpsError>,
    },
    /// Azure throttled the console (HTTP 429): no request goes before this instant.
    Throttled(Instant),
    /// One endpoint's health refresh (its deployments and one metrics query for all of
    /// them), or why it could not be read (shown as such, never as zeros).
    MetricsLoaded {
        request: RequestId,
        endpoint: String,
        result: Result<Box<EndpointHealth>, OpsError>,
    },
    /// A long-running operation changed state (as the service reports it).
    OperationProgress {
        op: OpId,
        state: String,
    },
    /// A long-running operation ended.
    OperationFinished {
        op: OpId,
        outcome: Result<String, OpsError>,
    },
    /// An apply was not sent: the endpoint's split changed since the draft began.
    SplitStale {
        op: OpId,
        endpoint: String,
        theirs: TrafficSplit,
    },
    InvokeFinished {
        request: RequestId,
        outcome: Result<InvokeOutcome, OpsError>,
    },
    /// The answer to `Cmd::Compare { request }`.
    CompareFinished {
        request: RequestId,
        outcome: Result<Box<CompareReport>, OpsError>,
    },
    KeysLoaded {
        request: RequestId,
        endpoint: String,
        result: Result<KeysInfo, OpsError>,
    },
    JournalLoaded {
        request: RequestId,
        result: Result<super::journal_page::JournalPage, OpsError>,
    },
    /// The answer to `Cmd::CheckQuota { request }`; an error means the change itself was
    /// refused before anything was sent (a bad file, a missing deployment).
    QuotaChecked {
        request: RequestId,
        result: Result<QuotaCheck, OpsError>,
    },
    /// The answer to `Cmd::ReadPlanFile`: the plan file's text.
    PlanFileRead {
        request: RequestId,
        endpoint: String,
        file: String,
        result: Result<String, OpsError>,
    },
    /// What a plan's runner (or an abort) reports as it goes.
    PlanProgress {
        endpoint: String,
        event: PlanEvent,
    },
    /// A plan's runner (or abort), `driver`, stopped.
    PlanEnded {
        driver: RequestId,
        endpoint: String,
        result: Result<PlanEnd, OpsError>,
    },
    /// The subscription's display name, sanitized (sent only when it could be read).
    SubscriptionNamed(String),
    /// Something the operator should know that is no one operation's outcome.
    Warning(String),
    Info(String),
    /// One polled `getLogs` window of a tailer.
    LogWindow {
        tailer: TailerId,
        content: String,
    },
    /// A tailer's poll failed; it tries again after `retry_in_secs`.
    LogError {
        tailer: TailerId,
        error: OpsError,
        retry_in_secs: u64,
    },
}

/// One endpoint and its deployments as read, or `None` when the endpoint no longer exists.
pub type EndpointRead = Option<(Box<EndpointView>, Vec<DeploymentView>)>;

/// A workspace as loaded by one refresh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedWorkspace {
    pub endpoints: Vec<EndpointView>,
    pub deployments: Vec<(String, Vec<DeploymentView>)>,
}

/// A change a dialog is about to send, whose core quota it wants to show first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaQuestion {
    Scale {
        endpoint: String,
        deployment: String,
        instances: u32,
    },
    CreateDeployment {
        endpoint: String,
        file: PathBuf,
    },
}

/// Work for the worker; each result comes back as a `Msg` carrying the same id.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Everything: the endpoint list and every endpoint's deployments.
    Refresh {
        request: RequestId,
    },
    /// The endpoint list alone (their splits and states; deployments keep their last read).
    RefreshEndpoints {
        request: RequestId,
    },
    /// One endpoint, its deployments, then one metrics query for all of them.
    RefreshEndpoint {
        request: RequestId,
        endpoint: String,
    },
    /// Re-read the endpoint; if its split is still `base`, PUT `target`; follow the operation.
    ApplySplit {
        op: OpId,
        endpoint: String,
        base: TrafficSplit,
        target: TrafficSplit,
    },
    Scale {
        op: OpId,
        endpoint: String,
        deployment: String,
        instances: u32,
    },
    CreateDeployment {
        op: OpId,
        endpoint: String,
        file: PathBuf,
        /// Update the deployment in place if an earlier create of it failed.
        force_update: bool,
    },
    CreateEndpoint {
        op: OpId,
        file: PathBuf,
    },
    Delete {
        op: OpId,
        endpoint: String,
        deployment: Option<String>,
    },
    Invoke {
        request: RequestId,
        endpoint: String,
        deployment: Option<String>,
        file: PathBuf,
    },
    /// The request file to every deployment of the endpoint, each pinned; read-only.
    Compare {
        request: RequestId,
        endpoint: String,
        file: PathBuf,
    },
    LoadKeys {
        request: RequestId,
        endpoint: String,
    },
    /// Regenerates a key, then reads the keys again (`Msg::KeysLoaded` with `request`).
    RegenerateKey {
        op: OpId,
        request: RequestId,
        endpoint: String,
        key: KeySlot,
    },
    /// Poll a deployment's log until stopped, sending `Msg::LogWindow`s.
    StartTail {
        tailer: TailerId,
        endpoint: String,
        deployment: String,
        container: ContainerType,
        tail: u32,
    },
    StopTail {
        tailer: TailerId,
    },
    /// Write a pane's lines to a file in the data directory; the path comes back as a toast.
    SaveLog {
        name: String,
        lines: Vec<String>,
    },
    LoadJournal {
        request: RequestId,
    },
    /// Prepares the change without sending it and checks its core quota.
    CheckQuota {
        request: RequestId,
        question: QuotaQuestion,
    },
    /// Read a rollout plan file (`Msg::PlanFileRead`).
    ReadPlanFile {
        request: RequestId,
        endpoint: String,
        file: PathBuf,
    },
    /// Drive a plan through the shared workflows until it stops (`Msg::PlanProgress`s, then
    /// `Msg::PlanEnded` with `driver`).
    RunPlan {
        driver: RequestId,
        endpoint: String,
        file: String,
        text: String,
        how: PlanRunHow,
    },
    /// Ask the plan's runner to skip the rest of its bake (through the endpoint's tag).
    PromotePlan {
        endpoint: String,
        file: String,
        text: String,
    },
    /// Pause the plan: its runner stops at its next look; it stays resumable.
    PausePlan {
        endpoint: String,
    },
    /// Roll the plan back to the split it began with (`Msg::PlanEnded` with `driver`).
    AbortPlan {
        driver: RequestId,
        endpoint: String,
    },
}

/// How `Cmd::RunPlan` begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRunHow {
    /// Record the plan's start on the endpoint (refused if one runs there), then drive.
    Start,
    /// Take over the paused or stopped plan and drive on.
    Resume,
    /// Approve the manual gate it waits at, then drive on.
    Approve,
}
