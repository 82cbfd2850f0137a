//! What a key binding is: the intents keys stand for, the panel a binding works in, and the
//! binding itself with its words for the status bar and the help overlay.

use crossterm::event::{KeyCode, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the console (asks first if a draft or an operation is pending).
    Quit,
    /// Show or hide the key reference.
    Help,
    FocusNext,
    FocusPrev,
    /// Reload the workspace now.
    Refresh,
    /// Open the `:` command bar.
    CommandBar,
    /// Show the journal of applied changes.
    Journal,
    /// Create an endpoint from an az ml endpoint YAML.
    CreateEndpoint,
    Up,
    Down,
    /// The first / last row of the focused list.
    First,
    Last,
    /// Filter endpoints by name.
    Filter,
    /// Move the selected deployment's share down / up by 1 or 10.
    NudgeDown,
    NudgeUp,
    NudgeDownBig,
    NudgeUpBig,
    /// Switch the sliders between live traffic and mirror traffic.
    ToggleMirrorMode,
    /// Review and apply the draft.
    Apply,
    /// Throw the draft away.
    Discard,
    /// Draft a return to the split before the last applied change.
    Undo,
    /// Draft live traffic off for every deployment (a total of 0, which Azure allows), and
    /// review it.
    DisableTraffic,
    /// Draft all live traffic to the selected deployment, and review it.
    AllTraffic,
    /// Remember the current split as known-good.
    MarkGood,
    /// Draft a return to the known-good split, mirror off, and confirm at once.
    RestoreGood,
    Scale,
    Invoke,
    /// Send the same request to every deployment and show the answers side by side.
    Compare,
    CreateDeployment,
    /// Scoring URI and credentials.
    ShowKeys,
    Delete,
    /// From the endpoints list into its deployments.
    Open,
    /// Open a rollout plan for the selected deployment: preview, then start.
    OpenPlan,
    /// Pause this console's running plan, or resume it.
    PlanPauseResume,
    /// Skip the rest of the bake, or approve a manual gate (asks first).
    PlanPromote,
    /// Roll the plan back to the split it began with (asks first).
    PlanAbort,
    /// Hide or show the log panes.
    ToggleLogs,
    LogFollow,
    LogUp,
    LogDown,
    LogPageUp,
    LogPageDown,
    LogTop,
    LogBottom,
    LogMaximize,
    LogContainer,
    LogTimestamps,
    LogWrap,
    /// A tail preset, by its number key.
    LogTail(char),
    LogFilter,
    LogNextMatch,
    LogPrevMatch,
    /// Give every pane the focused pane's filter.
    LogFilterAll,
    LogSave,
    LogPagePrev,
    LogPageNext,
}

/// Which panel a binding works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Endpoints,
    Deployments,
    Logs,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Endpoints => "Endpoints list",
            Self::Deployments => "Deployments table",
            Self::Logs => "Log panes",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

pub(super) const fn plain(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
    }
}

pub(super) const fn code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

pub(super) const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

pub(super) const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::SHIFT,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    /// How the keys are written on screen.
    pub keys_label: &'static str,
    pub action: Action,
    /// A word or two for the status bar; empty keeps it out of the bar (help only).
    pub hint: &'static str,
    pub help: &'static str,
}

pub(super) const fn bind(
    scope: Scope,
    keys: &'static [Key],
    keys_label: &'static str,
    action: Action,
    hint: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        scope,
        keys,
        keys_label,
        action,
        hint,
        help,
    }
}
