//! Azure as the console last saw it, converted from the wire types: what the worker sends back
//! and the views read. Plain data with no behaviour of the console's own.

use std::collections::BTreeMap;

use crate::rollout::TrafficSplit;

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
}

/// Observed traffic of one deployment, from the metrics API.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DeploymentMetrics {
    pub requests_per_minute: f64,
    /// 0.0..=1.0
    pub error_share: f64,
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentView {
    pub name: String,
    pub state: String,
    pub instance_type: String,
    pub instances: u32,
    pub model: Option<String>,
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
