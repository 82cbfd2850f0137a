//! The console's state machine: pure, no I/O, no terminal. `update` takes a message and
//! returns the work the worker must do.

mod actions;
mod changes;
mod command_bar;
mod dialog_keys;
pub mod dialogs;
pub(crate) mod draft_warnings;
mod drafts;
mod effects;
mod field_keys;
mod health;
mod help;
pub mod ids;
pub mod journal_page;
pub mod keymap;
mod log_actions;
pub mod logs;
mod mouse;
pub mod msg;
pub mod picker;
mod plan_actions;
pub mod plans;
mod reads;
mod refresh;
mod results;
pub mod screen;
mod selection;
pub mod snapshot;
pub mod state;
mod text_input;
pub(crate) mod tick;
pub mod update;

pub use msg::{Cmd, Msg};
pub use state::AppState;
pub use update::{Step, step, update};
