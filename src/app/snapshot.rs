//! Azure as the console last saw it, converted from the wire types: what the worker sends back
//! and the views read. Plain data with no behaviour of the console's own.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::rollout::{TrafficSplit, Verdict};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointView {
    pub name: String,
    pub auth_mode: String,
    pub kubernetes: bool,
    pub state: String,
    pub split: TrafficSplit,
    pub scoring_uri: Option<String>,
    pub swagger_uri: Option<String>,
    /// Who last changed the endpoint and when, as the service records it (`systemData`).
    pub modified: Option<String>,
    /// The rollout plan recorded in the endpoint's tags (by this console or anyone else).
    pub plan: Option<crate::ops::PlanRecord>,
}

/// One deployment's live health from the metrics API: its figures over one window of the
/// newest data, judged against the baseline, and its recent trend.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentMetrics {
    /// Which window the figures cover, in words ("5m").
    pub window: String,
    pub requests: u64,
    /// Minutes with requests in the window.
    pub samples: u32,
    pub rate_per_minute: Option<f64>,
    pub error_percent: Option<f64>,
    pub client_error_percent: Option<f64>,
    pub server_error_percent: Option<f64>,
    pub p95_ms: Option<f64>,
    /// Where the newest data ends; its age is measured against the console's clock when drawn.
    pub as_of: Option<DateTime<Utc>>,
    pub verdict: Verdict,
    /// The deployment it is judged against, when it is not the baseline itself.
    pub baseline: Option<String>,
    /// Its error share minus the baseline's, in percentage points.
    pub error_delta_points: Option<f64>,
    /// Its p95 over the baseline's.
    pub p95_ratio: Option<f64>,
    /// Requests and failed requests per minute over the trend's minutes, oldest first.
    pub trend: Vec<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentView {
    pub name: String,
    pub state: String,
    pub instance_type: String,
    pub instances: u32,
    pub model: Option<String>,
    /// `requestSettings.maxConcurrentRequestsPerInstance`, when the service says.
    pub max_concurrent_requests: Option<u32>,
    pub metrics: Option<DeploymentMetrics>,
}

/// Azure as last seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub endpoints: Vec<EndpointView>,
    /// Keyed by lower-cased endpoint name.
    pub deployments: BTreeMap<String, Vec<DeploymentView>>,
    pub loaded: bool,
    pub last_error: Option<String>,
    /// Per endpoint (lower-cased), why its metrics could not be read: the table says
    /// "metrics unavailable" with this reason instead of showing zeros.
    pub metrics_errors: BTreeMap<String, String>,
    /// The subscription's display name, once read (sanitized); the title shows its GUID
    /// until then, or for good if it cannot be read.
    pub subscription_name: Option<String>,
    /// Azure throttled the console: nothing is asked before this instant.
    pub throttled_until: Option<Instant>,
}

impl Snapshot {
    pub fn endpoint(&self, name: &str) -> Option<&EndpointView> {
        self.endpoints
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    pub fn deployments_of(&self, endpoint: &str) -> &[DeploymentView] {
        self.deployments
            .get(&endpoint.to_lowercase())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeOutcome {
    pub status: u16,
    pub deployment: Option<String>,
    pub latency_ms: u128,
    pub body: String,
}

/// Secrets: `Debug` is written by hand so that they never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct KeysInfo {
    pub auth_mode: String,
    pub scoring_uri: Option<String>,
    pub swagger_uri: Option<String>,
    pub primary: Option<String>,
    pub secondary: Option<String>,
    pub token: Option<String>,
    pub token_expiry: Option<String>,
}

impl std::fmt::Debug for KeysInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("KeysInfo")
            .field("auth_mode", &self.auth_mode)
            .field("scoring_uri", &self.scoring_uri)
            .field("primary", &masked(&self.primary))
            .field("secondary", &masked(&self.secondary))
            .field("token", &masked(&self.token))
            .field("token_expiry", &self.token_expiry)
            .finish()
    }
}
