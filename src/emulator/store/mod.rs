//! The emulator's in-memory workspaces and the ARM semantics of changing them: validation,
//! simulated long-running operations, conflicts, cascading deletes.

mod deployments;
mod endpoints;
mod input;
mod operations;
mod records;

pub use records::*;
