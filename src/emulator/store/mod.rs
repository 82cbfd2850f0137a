//! The emulator's in-memory workspaces and the ARM semantics of changing them: validation,
//! simulated long-running operations, conflicts, cascading deletes.

mod defaults;
mod deployments;
mod endpoints;
mod ids;
mod input;
mod operations;
mod quota;
mod records;

pub(crate) use endpoints::{endpoint_view, write_endpoint_view};
pub use ids::random_uuid;
pub use records::*;
