//! `AmlClient`: the only code that speaks HTTP to Azure Resource Manager (or the emulator).
//!
//! This file builds the client and starts and follows operations; the resource methods live in
//! `endpoints`, `deployments`, `data_plane`, `monitor` and `quota`, the wire in `transport`, the polling
//! engine in `lro`.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use reqwest::{Method, Url};
use serde_json::Value;

use super::auth::TokenCache;
use super::error::{AzureError, Result};
use super::lro::{self, LroPolicy, LroProgress, Operation};
use super::retry::RetryPolicy;
use super::transport::{Transport, arm_scope};
use crate::rollout::{NameKind, arm_segment_problem, validate_name};

pub const DEFAULT_ARM_ENDPOINT: &str = "https://management.azure.com";
pub const DEFAULT_API_VERSION: &str = "2025-12-01";
/// Scope of a data-plane token for `AADToken` endpoints.
pub const ML_SCOPE: &str = "https://ml.azure.com/.default";
pub(crate) const PROVIDER: &str = "Microsoft.MachineLearningServices";

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub api_version: String,
    pub retry: RetryPolicy,
    /// How operations are followed, their overall timeout included (`wait_for` overrides it
    /// per call).
    pub lro: LroPolicy,
    /// Per request; a scoring call gets the same bound.
    pub request_timeout: Duration,
    /// A certificate (PEM) to trust besides the system's: a local emulator's CA.
    pub extra_root_certificate: Option<Vec<u8>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_ARM_ENDPOINT.to_string(),
            api_version: DEFAULT_API_VERSION.to_string(),
            retry: RetryPolicy::default(),
            lro: LroPolicy::default(),
            request_timeout: Duration::from_secs(60),
            extra_root_certificate: None,
        }
    }
}

/// Subscription / resource group / workspace: where the endpoints live.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkspaceRef {
    pub subscription: String,
    pub resource_group: String,
    pub workspace: String,
}

impl WorkspaceRef {
    pub fn new(
        subscription: impl Into<String>,
        resource_group: impl Into<String>,
        workspace: impl Into<String>,
    ) -> Self {
        Self {
            subscription: subscription.into(),
            resource_group: resource_group.into(),
            workspace: workspace.into(),
        }
    }

    /// The workspace's path segments, each checked first: a `.`, `..`, empty or slashed part
    /// would otherwise change which URL is requested.
    pub(crate) fn segments(&self) -> Result<Vec<&str>> {
        check_segment("subscription", &self.subscription)?;
        check_segment("resource group", &self.resource_group)?;
        check_segment("workspace", &self.workspace)?;
        Ok(vec![
            "subscriptions",
            &self.subscription,
            "resourceGroups",
            &self.resource_group,
            "providers",
            PROVIDER,
            "workspaces",
            &self.workspace,
        ])
    }

    /// The workspace's ARM id.
    pub fn arm_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{PROVIDER}/workspaces/{}",
            self.subscription, self.resource_group, self.workspace
        )
    }
}

pub(crate) fn check_segment(what: &'static str, value: &str) -> Result<()> {
    match arm_segment_problem(value) {
        None => Ok(()),
        Some(reason) => Err(AzureError::InvalidName {
            what,
            name: value.to_string(),
            reason: reason.to_string(),
        }),
    }
}

/// Checks an endpoint or deployment name by the service's rules before it goes into a URL.
pub(crate) fn check_name(kind: NameKind, name: &str) -> Result<()> {
    validate_name(kind, name).map_err(|violation| AzureError::InvalidName {
        what: match kind {
            NameKind::Endpoint => "endpoint",
            NameKind::Deployment => "deployment",
        },
        name: name.to_string(),
        reason: violation.problem.to_string(),
    })
}

/// A metrics query: which metrics, over which time, at which grain, split how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsQuery {
    /// e.g. `RequestsPerMinute`, `RequestLatency_P99`.
    pub metric_names: Vec<String>,
    /// `start/end` in ISO 8601; the service's default (the last hour) when `None`.
    pub timespan: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
    /// ISO 8601 grain, e.g. `PT1M`.
    pub interval: Option<String>,
    /// `average`, `total`, `count`, `minimum`, `maximum`.
    pub aggregations: Vec<String>,
    /// e.g. `deployment eq '*'` to split by deployment.
    pub filter: Option<String>,
    pub top: Option<u32>,
}

pub struct AmlClient {
    pub(crate) transport: Transport,
    credential: Arc<dyn TokenCredential>,
    pub(crate) ml_tokens: TokenCache,
    lro: LroPolicy,
}

impl std::fmt::Debug for AmlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmlClient")
            .field("base", &self.transport.base().as_str())
            .field("api_version", &self.transport.api_version())
            .finish_non_exhaustive()
    }
}

impl AmlClient {
    pub fn new(credential: Arc<dyn TokenCredential>, options: ClientOptions) -> Result<Self> {
        let base = Url::parse(options.base_url.trim_end_matches('/')).map_err(|e| {
            AzureError::InvalidInput(format!("invalid ARM URL {:?}: {e}", options.base_url))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(AzureError::InvalidInput(format!(
                "ARM URL {:?} must start with https:// (or http:// for a local emulator)",
                options.base_url
            )));
        }
        let scope = arm_scope(&base);
        let transport = Transport::new(
            base,
            options.api_version,
            TokenCache::new(credential.clone(), scope),
            options.retry,
            options.request_timeout,
            options.extra_root_certificate.as_deref(),
        )?;
        Ok(Self {
            transport,
            ml_tokens: TokenCache::new(credential.clone(), ML_SCOPE),
            credential,
            lro: options.lro,
        })
    }

    pub fn base_url(&self) -> &str {
        self.transport.base().as_str()
    }

    pub fn api_version(&self) -> &str {
        self.transport.api_version()
    }

    pub fn credential(&self) -> &Arc<dyn TokenCredential> {
        &self.credential
    }

    /// When requests may go again after Azure throttled this client: each new pause, as the
    /// instant it ends. Every request of the client waits it out.
    pub fn throttling(&self) -> tokio::sync::watch::Receiver<Option<std::time::Instant>> {
        self.transport.throttling()
    }

    /// The overall wait of [`Self::wait`], as configured.
    pub fn lro_timeout(&self) -> Duration {
        self.lro.timeout
    }

    /// Sends a change and returns the operation to follow. Once the request may have reached
    /// the service, a failure says that the change was sent and its outcome is unknown.
    pub(crate) async fn begin(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&Value>,
    ) -> Result<Operation> {
        let url = self.transport.url(segments)?;
        let response = self
            .transport
            .send(method.clone(), url.clone(), body)
            .await
            .map_err(AzureError::after_sending_change)?;
        Ok(Operation::from_response(
            method,
            url.to_string(),
            response.status,
            &response.headers,
            &response.body,
        ))
    }

    /// Follows `op` to its end, for at most the configured timeout. `on_progress` sees every
    /// observed state (the UI shows them). Returns the final resource for PUT/PATCH, `None` for
    /// DELETE.
    pub async fn wait(
        &self,
        op: &Operation,
        on_progress: &mut (dyn FnMut(LroProgress) + Send),
    ) -> Result<Option<Value>> {
        lro::wait(&self.transport, &self.lro, op, on_progress).await
    }

    /// Like [`Self::wait`], with its own overall timeout (e.g. a command's `--timeout`).
    pub async fn wait_for(
        &self,
        op: &Operation,
        timeout: Duration,
        on_progress: &mut (dyn FnMut(LroProgress) + Send),
    ) -> Result<Option<Value>> {
        let policy = LroPolicy {
            timeout,
            ..self.lro.clone()
        };
        lro::wait(&self.transport, &policy, op, on_progress).await
    }
}
