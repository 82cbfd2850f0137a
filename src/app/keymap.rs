//! Keys become intents here, per focused panel. The status bar hints and the help overlay are
//! generated from this same table, so they cannot disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::Focus;

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

use Action as A;
use Scope as S;

/// Scoped bindings come before global ones: a key means what the focused panel says first.
pub const KEYMAP: &[Binding] = &[
    bind(
        S::Deployments,
        &[code(KeyCode::Left), plain('h')],
        "←/h",
        A::NudgeDown,
        "-1",
        "Move the selected deployment's share down by 1",
    ),
    bind(
        S::Deployments,
        &[code(KeyCode::Right), plain('l')],
        "→/l",
        A::NudgeUp,
        "+1",
        "Move the selected deployment's share up by 1 (taken from the largest other)",
    ),
    bind(
        S::Deployments,
        &[shift(KeyCode::Left), plain('H')],
        "⇧←/H",
        A::NudgeDownBig,
        "-10",
        "Move the selected deployment's share down by 10",
    ),
    bind(
        S::Deployments,
        &[shift(KeyCode::Right), plain('L')],
        "⇧→/L",
        A::NudgeUpBig,
        "+10",
        "Move the selected deployment's share up by 10",
    ),
    bind(
        S::Deployments,
        &[plain('m')],
        "m",
        A::ToggleMirrorMode,
        "mirror",
        "Switch the sliders between live traffic and mirror traffic",
    ),
    bind(
        S::Deployments,
        &[code(KeyCode::Enter)],
        "enter",
        A::Apply,
        "apply",
        "Review the draft (before → after, az command) and apply it",
    ),
    bind(
        S::Deployments,
        &[code(KeyCode::Esc)],
        "esc",
        A::Discard,
        "discard",
        "Discard the draft",
    ),
    bind(
        S::Deployments,
        &[plain('0')],
        "0",
        A::DisableTraffic,
        "",
        "Draft all live traffic off (total 0) and review it; a nudge up starts it again",
    ),
    bind(
        S::Deployments,
        &[plain('A')],
        "A",
        A::AllTraffic,
        "",
        "Draft all live traffic to the selected deployment and review it",
    ),
    bind(
        S::Deployments,
        &[plain('z')],
        "z",
        A::Undo,
        "undo",
        "Draft a return to the split before the last applied change",
    ),
    bind(
        S::Deployments,
        &[plain('M')],
        "M",
        A::MarkGood,
        "",
        "Mark the current split as known-good",
    ),
    bind(
        S::Deployments,
        &[plain('Z')],
        "Z",
        A::RestoreGood,
        "",
        "Draft a return to the known-good split with mirror off, and confirm",
    ),
    bind(
        S::Deployments,
        &[plain('s')],
        "s",
        A::Scale,
        "scale",
        "Scale the selected deployment",
    ),
    bind(
        S::Deployments,
        &[plain('i')],
        "i",
        A::Invoke,
        "invoke",
        "Invoke the selected deployment (or the endpoint's routing)",
    ),
    bind(
        S::Deployments,
        &[plain('x')],
        "x",
        A::Compare,
        // Help only: the status bar keeps room for `? help` at 140 columns.
        "",
        "Send one request to every deployment and compare the answers",
    ),
    bind(
        S::Deployments,
        &[plain('c')],
        "c",
        A::CreateDeployment,
        "create",
        "Create a deployment from an az ml YAML file",
    ),
    bind(
        S::Deployments,
        &[plain('K')],
        "K",
        A::ShowKeys,
        "",
        "Show the endpoint's scoring URI and credentials",
    ),
    bind(
        S::Deployments,
        &[ctrl('d')],
        "ctrl-d",
        A::Delete,
        "delete",
        "Delete the selected deployment",
    ),
    bind(
        S::Deployments,
        &[code(KeyCode::Up), plain('k')],
        "↑/k",
        A::Up,
        "",
        "Select the deployment above",
    ),
    bind(
        S::Deployments,
        &[code(KeyCode::Down), plain('j')],
        "↓/j",
        A::Down,
        "",
        "Select the deployment below",
    ),
    bind(
        S::Deployments,
        &[plain('g'), code(KeyCode::Home)],
        "g",
        A::First,
        "",
        "Select the first deployment",
    ),
    bind(
        S::Deployments,
        &[plain('G'), code(KeyCode::End)],
        "G",
        A::Last,
        "",
        "Select the last deployment",
    ),
    bind(
        S::Endpoints,
        &[code(KeyCode::Up), plain('k')],
        "↑/k",
        A::Up,
        "",
        "Select the endpoint above",
    ),
    bind(
        S::Endpoints,
        &[code(KeyCode::Down), plain('j')],
        "↓/j",
        A::Down,
        "",
        "Select the endpoint below",
    ),
    bind(
        S::Endpoints,
        &[plain('g'), code(KeyCode::Home)],
        "g",
        A::First,
        "",
        "Select the first endpoint",
    ),
    bind(
        S::Endpoints,
        &[plain('G'), code(KeyCode::End)],
        "G",
        A::Last,
        "",
        "Select the last endpoint",
    ),
    bind(
        S::Endpoints,
        &[code(KeyCode::Enter), code(KeyCode::Right), plain('l')],
        "enter",
        A::Open,
        "open",
        "Go to the endpoint's deployments",
    ),
    bind(
        S::Endpoints,
        &[plain('/')],
        "/",
        A::Filter,
        "filter",
        "Filter endpoints by name",
    ),
    bind(
        S::Endpoints,
        &[plain('K')],
        "K",
        A::ShowKeys,
        "keys",
        "Show the endpoint's scoring URI and credentials",
    ),
    bind(
        S::Endpoints,
        &[plain('i')],
        "i",
        A::Invoke,
        "invoke",
        "Invoke the endpoint with its own routing",
    ),
    bind(
        S::Endpoints,
        &[plain('c')],
        "c",
        A::CreateDeployment,
        "",
        "Create a deployment from an az ml YAML file",
    ),
    bind(
        S::Endpoints,
        &[ctrl('d')],
        "ctrl-d",
        A::Delete,
        "delete",
        "Delete the selected endpoint and its deployments",
    ),
    bind(
        S::Logs,
        &[plain(' ')],
        "space",
        A::LogFollow,
        "follow",
        "Follow the end of the log, or pause",
    ),
    bind(
        S::Logs,
        &[plain('k'), code(KeyCode::Up)],
        "k/↑",
        A::LogUp,
        "",
        "Scroll up a line (pauses)",
    ),
    bind(
        S::Logs,
        &[plain('j'), code(KeyCode::Down)],
        "j/↓",
        A::LogDown,
        "",
        "Scroll down a line",
    ),
    bind(
        S::Logs,
        &[code(KeyCode::PageUp), ctrl('u')],
        "pgup/ctrl-u",
        A::LogPageUp,
        "",
        "Scroll up a page (pauses)",
    ),
    bind(
        S::Logs,
        &[code(KeyCode::PageDown), ctrl('d')],
        "pgdn/ctrl-d",
        A::LogPageDown,
        "",
        "Scroll down a page",
    ),
    bind(
        S::Logs,
        &[plain('g'), code(KeyCode::Home)],
        "g",
        A::LogTop,
        "",
        "Go to the oldest line (pauses)",
    ),
    bind(
        S::Logs,
        &[plain('G'), code(KeyCode::End)],
        "G",
        A::LogBottom,
        "",
        "Go to the newest line and follow",
    ),
    bind(
        S::Logs,
        &[plain('f')],
        "f",
        A::LogMaximize,
        "max",
        "Maximise the pane, or back",
    ),
    bind(
        S::Logs,
        &[plain('c')],
        "c",
        A::LogContainer,
        "container",
        "Switch container: inference-server / storage-initializer",
    ),
    bind(
        S::Logs,
        &[plain('t')],
        "t",
        A::LogTimestamps,
        "",
        "Timestamps on/off",
    ),
    bind(
        S::Logs,
        &[plain('w')],
        "w",
        A::LogWrap,
        "",
        "Wrap long lines on/off",
    ),
    bind(
        S::Logs,
        &[plain('0')],
        "0-5",
        A::LogTail('0'),
        "",
        "Tail: 0 since open · 1 100 · 2 500 · 3 1000 · 4 5000 · 5 10000 lines",
    ),
    bind(S::Logs, &[plain('1')], "1", A::LogTail('1'), "", ""),
    bind(S::Logs, &[plain('2')], "2", A::LogTail('2'), "", ""),
    bind(S::Logs, &[plain('3')], "3", A::LogTail('3'), "", ""),
    bind(S::Logs, &[plain('4')], "4", A::LogTail('4'), "", ""),
    bind(S::Logs, &[plain('5')], "5", A::LogTail('5'), "", ""),
    bind(
        S::Logs,
        &[plain('/')],
        "/",
        A::LogFilter,
        "filter",
        "Filter the pane (regex or plain text)",
    ),
    bind(
        S::Logs,
        &[plain('n')],
        "n",
        A::LogNextMatch,
        "",
        "Next match",
    ),
    bind(
        S::Logs,
        &[plain('N')],
        "N",
        A::LogPrevMatch,
        "",
        "Previous match",
    ),
    bind(
        S::Logs,
        &[plain('F')],
        "F",
        A::LogFilterAll,
        "",
        "Apply this pane's filter to all panes",
    ),
    bind(
        S::Logs,
        &[ctrl('s')],
        "ctrl-s",
        A::LogSave,
        "save",
        "Save the pane's lines to a file",
    ),
    bind(
        S::Logs,
        &[plain('[')],
        "[",
        A::LogPagePrev,
        "",
        "Previous page of deployments",
    ),
    bind(
        S::Logs,
        &[plain(']')],
        "]",
        A::LogPageNext,
        "",
        "Next page of deployments",
    ),
    bind(
        S::Deployments,
        &[plain('p')],
        "p",
        A::OpenPlan,
        "plan",
        "Rollout plan for this deployment: a file or the seed's plan, previewed",
    ),
    bind(
        S::Global,
        &[plain('P')],
        "P",
        A::PlanPauseResume,
        "pause/resume",
        "Pause this console's rollout plan, or resume it",
    ),
    bind(
        S::Global,
        &[plain('Y')],
        "Y",
        A::PlanPromote,
        "promote",
        "Promote the plan: skip the bake or approve its gate (asks first)",
    ),
    bind(
        S::Global,
        &[plain('X')],
        "X",
        A::PlanAbort,
        "abort",
        "Abort the plan: restore the split it began with (asks first)",
    ),
    bind(
        S::Global,
        &[plain('L')],
        "L",
        A::ToggleLogs,
        "",
        "Hide or show the log panes (in the table, L is +10)",
    ),
    bind(
        S::Global,
        &[code(KeyCode::Tab)],
        "tab",
        A::FocusNext,
        "",
        "Focus the next panel",
    ),
    bind(
        S::Global,
        &[code(KeyCode::BackTab), shift(KeyCode::BackTab)],
        "⇧tab",
        A::FocusPrev,
        "",
        "Focus the previous panel",
    ),
    bind(
        S::Global,
        &[plain(':')],
        ":",
        A::CommandBar,
        "cmd",
        "Commands: traffic blue=90 green=10 · scale blue 2 · q · help; ↑↓ history, tab completes",
    ),
    bind(
        S::Global,
        &[plain('C')],
        "C",
        A::CreateEndpoint,
        "",
        "Create an endpoint from an az ml YAML file",
    ),
    bind(S::Global, &[plain('r')], "r", A::Refresh, "", "Refresh now"),
    bind(
        S::Global,
        &[plain('@')],
        "@",
        A::Journal,
        "",
        "Show the journal of applied changes",
    ),
    bind(
        S::Global,
        &[plain('?')],
        "?",
        A::Help,
        "help",
        "Show or hide this help",
    ),
    bind(
        S::Global,
        &[plain('q'), ctrl('c')],
        "q",
        A::Quit,
        "quit",
        "Quit (asks first if a draft or an operation is pending)",
    ),
];

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
