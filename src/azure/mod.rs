//! Everything that speaks HTTP to Azure Resource Manager: the wire (`transport`), the
//! long-running-operation engine (`lro`), the client and its resource methods (quota included), the typed wire
//! format (`model`), sign-in, and the az ml YAML mapping.

pub mod auth;
pub mod az_yaml;
pub mod client;
pub mod credentials;
mod data_plane;
mod deployments;
mod endpoints;
pub mod error;
pub mod lro;
pub mod model;
mod monitor;
mod quota;
pub mod retry;
mod subscriptions;
#[cfg(test)]
mod test_server;
mod throttle_gate;
mod transport;
mod workspace_list;

pub use auth::{StaticCredential, TokenCache};
pub use client::{AmlClient, ClientOptions, MetricsQuery, WorkspaceRef};
pub use data_plane::{InvokeResponse, MAX_INVOKE_BODY, MAX_LOGS_BODY};
pub use endpoints::{SplitChange, SplitUpdate};
pub use error::{AzureError, FailureKind, Result};
pub use lro::{LroPolicy, LroProgress, Operation, OperationIds};
pub use monitor::MONITOR_API_VERSION;
pub use subscriptions::SUBSCRIPTIONS_API_VERSION;
pub use transport::{MAX_MANAGEMENT_BODY, MAX_PAGES};
