//! Everything that speaks HTTP to Azure Resource Manager: typed wire format, the client, its
//! retry and long-running-operation logic, sign-in, and the az ml YAML mapping.

pub mod auth;
pub mod az_yaml;
pub mod client;
pub mod credentials;
pub mod error;
pub mod lro;
pub mod model;
pub mod retry;

pub use auth::{StaticCredential, TokenCache};
pub use client::{
    AmlClient, ClientOptions, InvokeResponse, MetricsQuery, SplitChange, SplitUpdate, WorkspaceRef,
};
pub use error::{AzureError, FailureKind, Result};
pub use lro::{LroPolicy, LroProgress, Operation};
