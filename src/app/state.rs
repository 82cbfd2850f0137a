//! The console's whole state: what Azure looks like (`Snapshot`) and what the operator is
//! doing (`UiState`). Owned by the UI task alone; workers send results as messages.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tui_input::Input;

use crate::config::{TargetColor, TargetMark};
use crate::rollout::{HealthThresholds, SplitDiff, TrafficSplit};

pub use super::dialogs::{DeleteFocus, DeleteTarget, Dialog, InvokeRouting};
use super::ids::{OpId, RequestId, TailerId};
pub use super::snapshot::{
    DeploymentMetrics, DeploymentView, EndpointView, InvokeOutcome, KeysInfo, Snapshot,
};

/// What the console is connected to, for the title bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetLabel {
    /// The in-process demo emulator.
    Demo,
    /// A running emulator at this URL.
    Emulator {
        url: String,
        subscription: String,
        resource_group: String,
        workspace: String,
    },
    Azure {
        subscription: String,
        resource_group: String,
        workspace: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    Endpoints,
    #[default]
    Deployments,
    /// A log pane, by index among the visible panes.
    Logs(usize),
}

/// Which share the sliders move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SliderMode {
    #[default]
    Live,
    Mirror,
}

/// An unapplied traffic change of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The endpoint's split when the draft began: the stale guard compares against it.
    pub base: TrafficSplit,
    pub proposed: TrafficSplit,
    /// Things the operator should know about the draft ("mirror to green cleared…").
    pub notes: Vec<String>,
    /// An apply of this draft is running.
    pub applying: bool,
    /// Someone else changed the endpoint's traffic while the draft was open: the draft now
    /// applies on top of their split, and this says so until it is applied or dropped.
    pub warning: Option<String>,
}

impl Draft {
    /// Before → after per deployment that changes, with notes.
    pub fn diff(&self) -> SplitDiff {
        crate::rollout::diff_split(
            &self.base.live,
            &self.base.mirror,
            &self.proposed.live,
            &self.proposed.mirror,
        )
    }

    /// The `az ml online-endpoint update …` command that makes the same change.
    pub fn az_command(&self, endpoint: &str) -> String {
        crate::rollout::az_update_command(
            endpoint,
            crate::rollout::SplitState {
                live: &self.base.live,
                mirror: &self.base.mirror,
            },
            crate::rollout::SplitState {
                live: &self.proposed.live,
                mirror: &self.proposed.mirror,
            },
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub level: ToastLevel,
    pub text: String,
    pub shown_at: Instant,
}

/// A split this console applied, and when (wall clock, for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedHere {
    pub split: TrafficSplit,
    pub at: String,
    /// The operator has been told the endpoint drifted from it.
    pub drift_told: bool,
}

/// How long toasts and finished operations stay on screen.
pub const TOAST_TTL: Duration = Duration::from_secs(6);
pub const FINISHED_OPERATION_TTL: Duration = Duration::from_secs(8);

/// A long-running operation in the tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationView {
    pub id: OpId,
    pub kind: OperationKind,
    /// What it acts on, e.g. `my-endpoint/green`.
    pub target: String,
    pub started: Instant,
    pub state: String,
    pub outcome: Option<Result<String, String>>,
    pub finished_at: Option<Instant>,
    /// For a traffic change: the split it replaces and the one it sets.
    pub split_change: Option<(TrafficSplit, TrafficSplit)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Traffic,
    Scale,
    CreateDeployment,
    CreateEndpoint,
    Delete,
    RegenerateKey,
}

impl OperationKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Traffic => "traffic",
            Self::Scale => "scale",
            Self::CreateDeployment => "create deployment",
            Self::CreateEndpoint => "create endpoint",
            Self::Delete => "delete",
            Self::RegenerateKey => "regenerate key",
        }
    }
}

/// The `:` command bar or a `/` filter while they are being typed.
#[derive(Debug, Clone)]
pub enum Prompt {
    Command {
        input: Input,
        error: Option<String>,
        /// What tab found when it could not choose one: shown beside the line, not as an error.
        matches: Option<String>,
    },
    Filter {
        input: Input,
    },
    /// The filter of log pane `pane`.
    LogFilter {
        pane: usize,
        input: Input,
    },
}

#[derive(Debug, Clone, Default)]
pub struct UiState {
    pub focus: Focus,
    pub selected_endpoint: usize,
    pub selected_deployment: usize,
    /// Endpoint name filter (case-insensitive substring).
    pub filter: String,
    pub slider_mode: SliderMode,
    /// Keyed by lower-cased endpoint name.
    pub drafts: HashMap<String, Draft>,
    pub dialog: Option<Dialog>,
    pub prompt: Option<Prompt>,
    pub toasts: VecDeque<Toast>,
    pub operations: Vec<OperationView>,
    /// The split of each endpoint when the console first loaded it, until marked otherwise.
    pub known_good: HashMap<String, TrafficSplit>,
    /// The split before the last applied change, for undo.
    pub last_replaced: HashMap<String, TrafficSplit>,
    /// Per endpoint (lower-cased), the split this console last applied, to notice when someone
    /// else changes it afterwards.
    pub applied_here: HashMap<String, AppliedHere>,
    /// The endpoint (lower-cased) a `:` command just drafted for, with the draft it had
    /// before: cancelling the command's review puts that back.
    pub before_command: Option<(String, Option<Draft>)>,
    /// `:` command lines run, oldest first, and where ↑/↓ is in them while typing.
    pub command_history: Vec<String>,
    pub history_at: Option<usize>,
    /// The rollout plan this console started or resumed (one at a time).
    pub plan: Option<super::plans::PlanPanel>,
    pub show_help: bool,
    pub help_scroll: usize,
    pub quit: bool,
}

/// Settings the console is started with.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub target: TargetLabel,
    pub read_only: bool,
    /// How often the selected endpoint and its deployments are read again (at most every
    /// [`super::refresh::SELECTED_MAX_AGE`], whatever this says).
    pub refresh_interval: Duration,
    /// Offered in the invoke dialog.
    pub default_request_file: PathBuf,
    /// Offered in the create-deployment dialog.
    pub default_deployment_file: PathBuf,
    pub default_endpoint_file: PathBuf,
    pub no_color: bool,
    /// Lines each log pane keeps.
    pub log_buffer_lines: usize,
    /// When a deployment counts as worse than its baseline (the config file's `[health]`).
    pub health: HealthThresholds,
    /// The config file's `[targets."<workspace>"]` mark of this workspace.
    pub target_mark: Option<TargetMark>,
}

impl AppOptions {
    /// Production gets a red frame: a workspace whose name says `prod`, or one the config
    /// file marks red.
    pub fn production(&self) -> bool {
        let named_prod = match &self.target {
            TargetLabel::Demo => false,
            TargetLabel::Emulator { workspace, .. } | TargetLabel::Azure { workspace, .. } => {
                workspace.to_lowercase().contains("prod")
            }
        };
        named_prod
            || self
                .target_mark
                .as_ref()
                .is_some_and(|m| m.color == Some(TargetColor::Red))
    }
}

/// Ids that tie worker results to the request that asked for them.
#[derive(Debug, Clone, Default)]
pub struct RequestIds {
    pub next: u64,
    /// The full refresh whose answer is awaited; older answers are stale.
    pub awaited_refresh: Option<RequestId>,
    pub latest_refresh_applied: RequestId,
    pub last_refresh_at: Option<Instant>,
    /// The endpoint-list read awaited, and when the list was last asked for (by it or by a
    /// full refresh).
    pub awaited_endpoints: Option<RequestId>,
    pub last_endpoints_at: Option<Instant>,
    /// The read of the selected endpoint awaited, and when it was last asked for.
    pub awaited_selected: Option<RequestId>,
    pub last_selected_at: Option<Instant>,
    /// Per endpoint (lower-cased), the newest read whose data is shown: an older answer
    /// landing later must not put older data back.
    pub endpoint_read: HashMap<String, RequestId>,
    pub awaited_invoke: Option<RequestId>,
    /// The keys read whose answer the keys dialog waits for: an older read (started before a
    /// regeneration) must not overwrite the keys the regeneration returned.
    pub awaited_keys: Option<RequestId>,
    pub awaited_journal: Option<RequestId>,
    /// The quota check whose answer the scale or create dialog waits for.
    pub awaited_quota: Option<RequestId>,
    /// The plan file read whose text the preview waits for.
    pub awaited_plan_file: Option<RequestId>,
    /// The comparison whose answers the compare dialog waits for.
    pub awaited_compare: Option<RequestId>,
    /// Per endpoint (lower-cased), the newest metrics answer shown.
    pub metrics_applied: HashMap<String, RequestId>,
}

impl RequestIds {
    fn next(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    pub fn request(&mut self) -> RequestId {
        RequestId(self.next())
    }

    pub fn op(&mut self) -> OpId {
        OpId(self.next())
    }

    pub fn tailer(&mut self) -> TailerId {
        TailerId(self.next())
    }
}

pub struct AppState {
    pub azure: Snapshot,
    pub ui: UiState,
    pub logs: super::logs::LogPanes,
    /// Wall-clock time for markers, set by the event loop (tests set it themselves).
    pub clock: chrono::DateTime<chrono::Local>,
    pub options: AppOptions,
    pub requests: RequestIds,
    /// The time as of the last message: `update` never reads the clock itself.
    pub now: Instant,
    pub size: (u16, u16),
    /// What the last frame showed where, for the mouse (set by the event loop after drawing).
    pub screen: super::screen::ScreenAreas,
}

impl AppState {
    pub fn new(options: AppOptions, now: Instant) -> Self {
        Self {
            azure: Snapshot::default(),
            ui: UiState::default(),
            logs: super::logs::LogPanes::default(),
            clock: chrono::Local::now(),
            options,
            requests: RequestIds::default(),
            now,
            size: (120, 40),
            screen: Default::default(),
        }
    }

    /// Endpoints that pass the filter, in display order.
    pub fn visible_endpoints(&self) -> Vec<&EndpointView> {
        let filter = self.ui.filter.to_lowercase();
        self.azure
            .endpoints
            .iter()
            .filter(|e| filter.is_empty() || e.name.to_lowercase().contains(&filter))
            .collect()
    }

    pub fn selected_endpoint(&self) -> Option<&EndpointView> {
        self.visible_endpoints()
            .get(self.ui.selected_endpoint)
            .copied()
    }

    pub fn selected_deployment(&self) -> Option<&DeploymentView> {
        let ep = self.selected_endpoint()?;
        self.azure
            .deployments_of(&ep.name)
            .get(self.ui.selected_deployment)
    }

    /// The split shown for an endpoint: its draft if it has one, else what Azure says.
    pub fn shown_split(&self, endpoint: &EndpointView) -> TrafficSplit {
        self.ui
            .drafts
            .get(&endpoint.name.to_lowercase())
            .map(|d| d.proposed.clone())
            .unwrap_or_else(|| endpoint.split.clone())
    }

    pub fn draft_of(&self, endpoint: &str) -> Option<&Draft> {
        self.ui.drafts.get(&endpoint.to_lowercase())
    }

    /// True when the endpoint's split is no longer the one this console last applied to it:
    /// someone (or something) else changed it since.
    pub fn drifted(&self, endpoint: &str) -> bool {
        let key = endpoint.to_lowercase();
        let applying = self.ui.drafts.get(&key).is_some_and(|d| d.applying);
        match (
            self.ui.applied_here.get(&key),
            self.azure.endpoint(endpoint),
        ) {
            (Some(applied), Some(now)) if !applying => {
                applied.split.normalized() != now.split.normalized()
            }
            _ => false,
        }
    }

    /// This console's rollout plan on the selected endpoint, if any.
    pub fn own_plan(&self) -> Option<&super::plans::PlanPanel> {
        let ep = self.selected_endpoint()?;
        self.ui
            .plan
            .as_ref()
            .filter(|p| p.endpoint.eq_ignore_ascii_case(&ep.name))
    }

    pub fn running_operations(&self) -> usize {
        self.ui
            .operations
            .iter()
            .filter(|o| o.outcome.is_none())
            .count()
    }
}
