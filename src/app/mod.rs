//! The console's state machine: pure, no I/O, no terminal. `update` takes a message and
//! returns the work the worker must do.

mod dialog_keys;
mod drafts;
pub mod ids;
pub mod keymap;
mod log_actions;
pub mod logs;
pub mod msg;
pub mod picker;
pub mod snapshot;
pub mod state;
pub mod update;

pub use msg::{Cmd, Msg};
pub use state::AppState;
pub use update::update;
