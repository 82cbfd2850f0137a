//! Keys become intents here, per focused panel. The status bar hints and the help overlay are
//! generated from this same table, so they cannot disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::Focus;

mod binding;
mod table;
pub use binding::{Action, Binding, Key, Scope};
pub use table::KEYMAP;

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
/// this console shows its own plan (`own_plan`), apply and discard only with a `draft`.
pub fn status_hints(
    focus: Focus,
    read_only: bool,
    own_plan: bool,
    draft: bool,
) -> Vec<(&'static str, &'static str)> {
    let scope = scope_of(focus);
    let mut bindings: Vec<&Binding> = working(read_only)
        .filter(|b| (b.scope == scope || b.scope == Scope::Global) && !b.hint.is_empty())
        .filter(|b| own_plan || !drives_plan(b.action))
        // Apply and discard act on a draft: offered while the selected endpoint has one.
        .filter(|b| draft || !matches!(b.action, Action::Apply | Action::Discard))
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
