//! A dialog's key table: which keys do what, and the hints the views make of it.

use crossterm::event::{KeyCode, KeyEvent};

/// One row of a dialog's key table.
#[derive(Debug, Clone, Copy)]
pub struct DialogKey<A> {
    /// The keys, whatever the modifiers (a letter's case says whether shift was held).
    pub keys: &'static [KeyCode],
    /// How the keys are written on screen.
    pub label: &'static str,
    /// What they do, in a few words; empty keeps the row out of the hints.
    pub does: &'static str,
    pub action: A,
}

/// A row as the views show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    /// The key a click on the hint presses; none for a row such as "any other key".
    pub key: Option<KeyCode>,
    pub label: &'static str,
    pub does: &'static str,
}

/// The action of `key` in a table, if any.
pub(super) fn action_in<A: Copy>(table: &[DialogKey<A>], key: &KeyEvent) -> Option<A> {
    table
        .iter()
        .find(|row| row.keys.contains(&key.code))
        .map(|row| row.action)
}

/// The rows of a table that the hints show.
pub(super) fn hints_of<A>(table: &[DialogKey<A>]) -> Vec<Hint> {
    table
        .iter()
        .filter(|row| !row.does.is_empty())
        .map(|row| Hint {
            key: row.keys.first().copied(),
            label: row.label,
            does: row.does,
        })
        .collect()
}
