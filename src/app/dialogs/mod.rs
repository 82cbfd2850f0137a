//! The modal dialogs, one module each: its state, a table of its keys (which the views, the
//! status bar and the help overlay read, so hints cannot disagree with keys) and what a key
//! does to it. A dialog only changes itself; what it asks of the rest of the console comes
//! back as an [`Outcome`] that `dialog_keys` carries out.

mod binding;
pub mod compare;
pub mod confirm_apply;
pub mod confirm_plan;
pub mod confirm_quit;
pub mod confirm_recreate;
pub mod create;
pub mod delete;
pub mod error;
pub mod invoke;
pub mod journal;
pub mod keys;
mod outcome;
pub mod plan_open;
pub mod plan_preview;
mod prefilled;
pub mod quota_gate;
pub mod scale;
pub mod stale;
pub mod typing_guard;

use crossterm::event::KeyEvent;
use tui_input::InputRequest;

use binding::hints_of;
pub use binding::{DialogKey, Hint};
pub use compare::Compare;
pub use confirm_apply::ConfirmApply;
pub use confirm_plan::ConfirmPlan;
pub use confirm_quit::ConfirmQuit;
pub use confirm_recreate::ConfirmRecreate;
pub use create::CreateFromFile;
pub use delete::{Delete, DeleteFocus, DeleteTarget};
pub use error::ErrorNotice;
pub use invoke::{Invoke, InvokeRouting};
pub use journal::Journal;
pub use keys::Keys;
pub use outcome::{Context, Outcome, PlanControl, Request};
pub use plan_open::PlanOpen;
pub use plan_preview::PlanPreview;
pub use scale::Scale;
pub use stale::Stale;

/// A modal dialog; at most one is open.
#[derive(Debug, Clone)]
pub enum Dialog {
    ConfirmApply(ConfirmApply),
    Stale(Stale),
    Scale(Scale),
    Delete(Delete),
    Invoke(Invoke),
    Compare(Compare),
    CreateFromFile(CreateFromFile),
    Keys(Keys),
    Journal(Journal),
    ConfirmQuit(ConfirmQuit),
    ConfirmRecreate(ConfirmRecreate),
    PlanOpen(PlanOpen),
    PlanPreview(PlanPreview),
    ConfirmPlan(ConfirmPlan),
    Error(ErrorNotice),
}

impl Dialog {
    /// Handles one key.
    pub(crate) fn on_key(&mut self, key: &KeyEvent, context: Context) -> Outcome {
        match self {
            Self::ConfirmApply(d) => d.on_key(key),
            Self::Stale(d) => d.on_key(key),
            Self::Scale(d) => d.on_key(key),
            Self::Delete(d) => d.on_key(key),
            Self::Invoke(d) => d.on_key(key),
            Self::Compare(d) => d.on_key(key),
            Self::CreateFromFile(d) => d.on_key(key),
            Self::Keys(d) => d.on_key(key, context),
            Self::Journal(d) => d.on_key(key),
            Self::ConfirmQuit(d) => d.on_key(key),
            Self::ConfirmRecreate(d) => d.on_key(key),
            Self::PlanOpen(d) => d.on_key(key),
            Self::PlanPreview(d) => d.on_key(key),
            Self::ConfirmPlan(d) => d.on_key(key),
            Self::Error(d) => d.on_key(key),
        }
    }

    /// Typed or pasted text, for the dialogs with a text field.
    pub(crate) fn edit(&mut self, request: InputRequest) {
        match self {
            Self::Scale(d) => d.edit(request),
            Self::Delete(d) => d.edit(request),
            Self::Invoke(d) => d.edit(request),
            Self::Compare(d) => d.edit(request),
            Self::CreateFromFile(d) => d.edit(request),
            Self::PlanOpen(d) => d.edit(request),
            Self::PlanPreview(_) | Self::ConfirmPlan(_) => {}
            Self::ConfirmApply(_)
            | Self::Stale(_)
            | Self::Keys(_)
            | Self::Journal(_)
            | Self::ConfirmQuit(_)
            | Self::ConfirmRecreate(_)
            | Self::Error(_) => {}
        }
    }

    /// The keys that work now, from the dialog's table.
    pub fn hints(&self) -> Vec<Hint> {
        match self {
            Self::ConfirmApply(d) => hints_of(d.keys()),
            Self::Stale(_) => hints_of(stale::KEYS),
            Self::Scale(d) => hints_of(d.keys()),
            Self::Delete(_) => hints_of(delete::KEYS),
            Self::Invoke(d) => hints_of(d.keys()),
            Self::Compare(_) => hints_of(compare::KEYS),
            Self::CreateFromFile(d) => hints_of(d.keys()),
            Self::Keys(d) => hints_of(d.keys()),
            Self::Journal(d) => hints_of(d.keys()),
            Self::ConfirmQuit(_) => hints_of(confirm_quit::KEYS),
            Self::ConfirmRecreate(_) => hints_of(confirm_recreate::KEYS),
            Self::PlanOpen(_) => hints_of(plan_open::KEYS),
            Self::PlanPreview(d) => hints_of(d.keys()),
            Self::ConfirmPlan(_) => hints_of(confirm_plan::KEYS),
            Self::Error(_) => hints_of(error::KEYS),
        }
    }
}

/// Every dialog's keys, by dialog, for the help overlay: the same tables the dialogs handle
/// keys with and their views show. Read-only: only the dialogs that open there, with the keys
/// they offer there.
pub fn key_tables(read_only: bool) -> Vec<(&'static str, Vec<Hint>)> {
    // (title, keys, opens in read-only mode)
    let credentials: Vec<Hint> = if read_only {
        hints_of(keys::KEYS_MASKED_READ_ONLY)
    } else {
        [keys::KEYS_MASKED, keys::KEYS_CONFIRMING]
            .into_iter()
            .flat_map(hints_of)
            .collect()
    };
    let tables = vec![
        (
            "Review a traffic change",
            hints_of(confirm_apply::KEYS),
            false,
        ),
        ("Traffic changed meanwhile", hints_of(stale::KEYS), false),
        ("Scale", hints_of(scale::KEYS_OVER_QUOTA), false),
        ("Delete", hints_of(delete::KEYS), false),
        ("Invoke", hints_of(invoke::KEYS_WITH_PINNING), true),
        ("Compare answers", hints_of(compare::KEYS), true),
        (
            "Create from a file",
            hints_of(create::KEYS_OVER_QUOTA),
            false,
        ),
        (
            "Update a failed create in place",
            hints_of(confirm_recreate::KEYS),
            false,
        ),
        ("Credentials", credentials, true),
        ("Journal", hints_of(journal::KEYS), true),
        ("Open a rollout plan", hints_of(plan_open::KEYS), false),
        (
            "Preview a rollout plan",
            hints_of(plan_preview::KEYS),
            false,
        ),
        (
            "Promote or abort a rollout plan",
            hints_of(confirm_plan::KEYS),
            false,
        ),
        ("Journal record", hints_of(journal::KEYS_DETAIL), true),
        ("Quit", hints_of(confirm_quit::KEYS), true),
    ];
    tables
        .into_iter()
        .filter(|(_, _, opens_read_only)| *opens_read_only || !read_only)
        .map(|(title, hints, _)| (title, hints))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::binding::action_in;
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    /// Every key of every row reaches that row's action: no row is shadowed by an earlier one,
    /// so a hint never names a key that does something else.
    fn every_key_reaches_its_row<A: Copy + PartialEq + std::fmt::Debug>(table: &[DialogKey<A>]) {
        for row in table {
            for code in row.keys {
                let event = KeyEvent::new(*code, KeyModifiers::NONE);
                assert_eq!(action_in(table, &event), Some(row.action), "{}", row.label);
            }
        }
    }

    #[test]
    fn hints_name_keys_that_do_what_they_say() {
        every_key_reaches_its_row(confirm_apply::KEYS);
        every_key_reaches_its_row(stale::KEYS);
        every_key_reaches_its_row(scale::KEYS);
        every_key_reaches_its_row(scale::KEYS_OVER_QUOTA);
        every_key_reaches_its_row(delete::KEYS);
        every_key_reaches_its_row(invoke::KEYS);
        every_key_reaches_its_row(invoke::KEYS_WITH_PINNING);
        every_key_reaches_its_row(compare::KEYS);
        every_key_reaches_its_row(create::KEYS);
        every_key_reaches_its_row(create::KEYS_DEPLOYMENT);
        every_key_reaches_its_row(create::KEYS_OVER_QUOTA);
        every_key_reaches_its_row(keys::KEYS_MASKED);
        every_key_reaches_its_row(keys::KEYS_REVEALED);
        every_key_reaches_its_row(keys::KEYS_CONFIRMING);
        every_key_reaches_its_row(journal::KEYS);
        every_key_reaches_its_row(journal::KEYS_DETAIL);
        every_key_reaches_its_row(confirm_quit::KEYS);
        every_key_reaches_its_row(confirm_recreate::KEYS);
        every_key_reaches_its_row(error::KEYS);
        every_key_reaches_its_row(plan_open::KEYS);
        every_key_reaches_its_row(plan_preview::KEYS);
        every_key_reaches_its_row(plan_preview::KEYS_REFUSED);
        every_key_reaches_its_row(confirm_plan::KEYS);
    }

    #[test]
    fn a_dialog_shows_the_keys_that_work_in_its_state() {
        let mut dialog = Dialog::Keys(Keys::new("ep".into(), false));
        let labels = |d: &Dialog| d.hints().iter().map(|h| h.does).collect::<Vec<_>>();
        assert_eq!(
            labels(&dialog),
            ["reveal", "regenerate primary key", "close"]
        );
        let context = Context { read_only: false };
        dialog.on_key(
            &KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE),
            context,
        );
        assert_eq!(labels(&dialog), ["mask", "regenerate primary key", "close"]);
        dialog.on_key(
            &KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT),
            context,
        );
        assert_eq!(labels(&dialog), ["regenerate", "cancel"]);
        let pinned = Dialog::Invoke(Invoke::new("ep".into(), Some("blue".into()), "f".into()));
        let routed = Dialog::Invoke(Invoke::new("ep".into(), None, "f".into()));
        assert!(labels(&pinned).contains(&"pinned / endpoint routing"));
        assert!(!labels(&routed).contains(&"pinned / endpoint routing"));
    }
}
