//! Why a workflow failed, typed, so that each front end can decide what to show and which exit
//! code a script sees. Cheap to clone: the console carries it inside messages.

use std::sync::Arc;

use crate::azure::{AzureError, FailureKind};
use crate::rollout::{RuleViolation, TrafficSplit, format_traffic};

#[derive(Debug, Clone, thiserror::Error)]
pub enum OpsError {
    /// Refused before anything was sent: bad input, a missing resource, a name in use.
    #[error("{0}")]
    Invalid(String),
    /// A create refused because the deployment exists from an earlier create that failed;
    /// updating it in place (`--force-update`, or yes in the console) would converge.
    #[error(
        "deployment {deployment} of {endpoint} exists and its create Failed: run it again with --force-update to update it in place from {file}; nothing was sent"
    )]
    FailedCreateExists {
        endpoint: String,
        deployment: String,
        file: String,
    },
    /// The proposed split breaks Azure's rules; nothing was sent.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<RuleViolation>),
    /// An operator's file could not be read or understood; nothing was sent.
    #[error("{0}")]
    File(String),
    /// The endpoint's split changed since the change was drafted; nothing was sent.
    #[error(
        "not sent: someone changed the endpoint's traffic since your draft began (now live {}, mirror {}); review and apply again",
        none_if_empty(format_traffic(&.theirs.live)),
        none_if_empty(format_traffic(&.theirs.mirror))
    )]
    Stale { theirs: TrafficSplit },
    /// Azure Monitor answered, but not with metrics that can be used (a metric it failed to
    /// read, a series without its dimensions): shown as such, never as zero traffic.
    #[error("{0}")]
    Metrics(String),
    /// The service or the network.
    #[error(transparent)]
    Azure(Arc<AzureError>),
}

fn none_if_empty(text: String) -> String {
    if text.is_empty() {
        "none".to_string()
    } else {
        text
    }
}

impl From<AzureError> for OpsError {
    fn from(error: AzureError) -> Self {
        match error {
            AzureError::StaleSplit { theirs } => Self::Stale { theirs: *theirs },
            AzureError::InvalidInput(message) => Self::Invalid(message),
            e @ AzureError::InvalidName { .. } => Self::Invalid(e.to_string()),
            other => Self::Azure(Arc::new(other)),
        }
    }
}

impl OpsError {
    /// True when the failure happened before any change left the machine.
    pub fn nothing_sent(&self) -> bool {
        match self {
            Self::Azure(e) => e.nothing_sent(),
            Self::Metrics(_) => false,
            _ => true,
        }
    }

    /// The service's answer class, for a failure the service gave.
    pub fn kind(&self) -> Option<FailureKind> {
        match self {
            Self::Azure(e) => e.kind(),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind() == Some(FailureKind::NotFound)
    }
}

pub type OpsResult<T> = Result<T, OpsError>;
