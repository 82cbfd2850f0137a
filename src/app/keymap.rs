//! Keys become intents here, per focused panel. The status bar hints and the help overlay are
//! generated from this same table, so they cannot disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::Focus;

mod table;
pub use table::KEYMAP;

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

const fn plain(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

const fn shift(code: KeyCode) -> Key {
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

const fn bind(
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

fn scope_of(focus: Focus) -> Scope {
    match focus {
        Focus::Endpoints => Scope::Endpoints,
        Focus::Deployments => Scope::Deployments,
        Focus::Logs(_) => Scope::Logs,
    }
}

fn matches(key: &Key, event: &KeyEvent) -> bool {
    if key.code != event.code {
        return false;
    }
    match event.code {
        // A letter's case already says whether shift was held.
        KeyCode::Char(_) => {
            let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
            event.modifiers & relevant == key.modifiers & relevant
        }
        KeyCode::BackTab => true,
        _ => event.modifiers == key.modifiers,
    }
}

/// The action of a key in the focused panel, if any.
pub fn action_for(focus: Focus, event: &KeyEvent) -> Option<Action> {
    let scope = scope_of(focus);
    KEYMAP
        .iter()
        .filter(|b| b.scope == scope)
        .chain(KEYMAP.iter().filter(|b| b.scope == Scope::Global))
        .find(|b| b.keys.iter().any(|k| matches(k, event)))
        .map(|b| b.action)
}

/// True for the actions a read-only console refuses: they change something on Azure.
pub fn changes_azure(action: Action) -> bool {
    matches!(
        action,
        Action::NudgeDown
            | Action::NudgeUp
            | Action::NudgeDownBig
            | Action::NudgeUpBig
            | Action::ToggleMirrorMode
            | Action::Apply
            | Action::Discard
            | Action::Undo
            | Action::DisableTraffic
            | Action::AllTraffic
            | Action::RestoreGood
            | Action::Scale
            | Action::CreateDeployment
            | Action::CreateEndpoint
            | Action::Delete
            | Action::OpenPlan
            | Action::PlanPauseResume
            | Action::PlanPromote
            | Action::PlanAbort
    )
}

/// The actions that drive this console's own rollout plan: offered only while it shows one.
pub fn drives_plan(action: Action) -> bool {
    matches!(
        action,
        Action::PlanPauseResume | Action::PlanPromote | Action::PlanAbort
    )
}

/// The bindings that work: all of them, or in read-only mode those that change nothing.
pub fn working(read_only: bool) -> impl Iterator<Item = &'static Binding> {
    KEYMAP
        .iter()
        .filter(move |b| !(read_only && changes_azure(b.action)))
}

/// `(keys, hint)` pairs for the status bar of the focused panel; the plan's keys only while
/// this console shows its own plan (`own_plan`).
pub fn status_hints(
    focus: Focus,
    read_only: bool,
    own_plan: bool,
) -> Vec<(&'static str, &'static str)> {
    let scope = scope_of(focus);
    let mut bindings: Vec<&Binding> = working(read_only)
        .filter(|b| (b.scope == scope || b.scope == Scope::Global) && !b.hint.is_empty())
        .filter(|b| own_plan || !drives_plan(b.action))
        .collect();
    // While its plan is shown, the plan's keys come first: a narrow bar cuts the others.
    bindings.sort_by_key(|b| !drives_plan(b.action));
    bindings
        .into_iter()
        .map(|b| (b.keys_label, b.hint))
        .collect()
}

#[cfg(test)]
mod tests;
