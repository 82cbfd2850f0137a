//! What a key press did to a dialog, and what the dialog asks of the console around it.

use std::path::PathBuf;

use crate::app::msg::QuotaQuestion;
use crate::rollout::TrafficSplit;
use crate::rollout::plan::Plan;

/// What the console around a dialog tells it.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub read_only: bool,
}

/// What a key press did to a dialog.
#[derive(Debug)]
pub enum Outcome {
    /// The dialog stays open (it may have changed itself).
    Keep,
    /// The dialog closes.
    Close,
    /// The dialog stays open and asks the console for this.
    KeepAnd(Request),
    /// The dialog closes and asks the console for this.
    CloseAnd(Request),
}

/// What a person asks of a running plan where it changes traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanControl {
    /// Skip the rest of the bake, or approve a manual gate.
    Promote,
    /// Restore the split the plan began with.
    Abort,
}

/// What a dialog asks of the console when a key decides something.
#[derive(Debug)]
pub enum Request {
    /// Send the endpoint's draft.
    ApplyDraft {
        endpoint: String,
    },
    /// Undo the `:` command that drafted the endpoint's change: its earlier draft, or none.
    CancelCommand {
        endpoint: String,
    },
    /// Keep my draft on top of their split, and review it again.
    ReviewOnTheirs {
        endpoint: String,
        theirs: TrafficSplit,
    },
    /// Drop my draft and show their split.
    TakeTheirs {
        endpoint: String,
    },
    Scale {
        endpoint: String,
        deployment: String,
        instances: u32,
    },
    /// Work out the core quota a change needs; the answer comes back to this dialog.
    CheckQuota(QuotaQuestion),
    /// Delete the deployment of the endpoint, or (`None`) the endpoint.
    Delete {
        endpoint: String,
        deployment: Option<String>,
    },
    /// Send the request file; the answer comes back to this dialog.
    Invoke {
        endpoint: String,
        deployment: Option<String>,
        file: PathBuf,
    },
    /// The invoke dialog closed: a late answer has nowhere to go.
    ForgetInvoke,
    /// Send the request file to every deployment of the endpoint; the answers come back to
    /// this dialog.
    Compare {
        endpoint: String,
        file: PathBuf,
    },
    /// The compare dialog closed: a late answer has nowhere to go.
    ForgetCompare,
    /// A deployment of `endpoint` from `file`, or (`None`) an endpoint.
    Create {
        endpoint: Option<String>,
        file: PathBuf,
    },
    /// Update the failed deployment of `endpoint` in place from `file`.
    Recreate {
        endpoint: String,
        file: PathBuf,
    },
    /// Regenerate the endpoint's primary key; the keys are read again into this dialog.
    RegenerateKey {
        endpoint: String,
    },
    /// Read the plan file (or, `None`, build the seed's plan) and preview it.
    PreviewPlan {
        endpoint: String,
        deployment: String,
        file: Option<PathBuf>,
    },
    /// Start the previewed plan.
    StartPlan {
        endpoint: String,
        file: String,
        text: String,
        plan: Box<Plan>,
        baseline: String,
    },
    /// A person's confirmed word to the endpoint's plan.
    ControlPlan {
        endpoint: String,
        control: PlanControl,
    },
    /// Refused because the console is read-only; says so, naming what was refused.
    ReadOnly(&'static str),
    Quit,
}
