//! `AmlClient`: the only code that speaks HTTP to Azure Resource Manager (or the emulator).

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::credentials::TokenCredential;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::auth::{ARM_SCOPE, TokenCache};
use super::error::{AzureError, Result};
use super::lro::{LroPolicy, Operation};
use super::model::{
    ArmList, ContainerType, DeploymentLogs, DeploymentLogsRequest, EndpointAuthKeys,
    EndpointAuthToken, KeyType, MetricsResponse, OnlineDeployment, OnlineEndpoint,
    RegenerateKeysRequest, SkuResource, Workspace,
};
use super::retry::{RetryPolicy, parse_retry_after};
use crate::rollout::{TrafficMap, TrafficSplit};

pub const DEFAULT_ARM_ENDPOINT: &str = "https://management.azure.com";
pub const DEFAULT_API_VERSION: &str = "2025-12-01";
/// Azure Monitor's metrics API version.
pub const MONITOR_API_VERSION: &str = "2024-02-01";
/// Scope of a data-plane token for `AADToken` endpoints.
pub const ML_SCOPE: &str = "https://ml.azure.com/.default";
const PROVIDER: &str = "Microsoft.MachineLearningServices";
/// Most of a scoring answer kept by [`AmlClient::invoke`].
pub const MAX_INVOKE_BODY: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub api_version: String,
    pub retry: RetryPolicy,
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

    fn segments(&self) -> Vec<&str> {
        vec![
            "subscriptions",
            &self.subscription,
            "resourceGroups",
            &self.resource_group,
            "providers",
            PROVIDER,
            "workspaces",
            &self.workspace,
        ]
    }

    /// The workspace's ARM id.
    pub fn arm_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{PROVIDER}/workspaces/{}",
            self.subscription, self.resource_group, self.workspace
        )
    }
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

/// A buffered HTTP answer with a success status.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    pub url: String,
}

impl RawResponse {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| AzureError::Decode {
            url: self.url.clone(),
            reason: e.to_string(),
        })
    }

    /// `None` for an empty body (204, or a 200 without content).
    pub fn json_opt(&self) -> Result<Option<Value>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            self.json().map(Some)
        }
    }
}

/// The answer of a scoring call. Error statuses are answers too: the operator sees them.
#[derive(Debug, Clone)]
pub struct InvokeResponse {
    pub status: StatusCode,
    /// The `azureml-model-deployment` response header: who answered.
    pub deployment: Option<String>,
    pub request_id: Option<String>,
    pub latency: Duration,
    pub body: String,
}

/// How a change of live traffic or mirror traffic is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitChange {
    /// `None` leaves live traffic as it is.
    pub live: Option<TrafficMap>,
    /// `None` leaves mirror traffic as it is; an empty map turns mirroring off.
    pub mirror: Option<TrafficMap>,
    /// If set, the change is refused (nothing is sent) unless the endpoint still has this split:
    /// the guard against overwriting someone else's change made since the draft began.
    pub expect: Option<TrafficSplit>,
}

/// A traffic change that was sent: what it replaced, and the operation to follow.
#[derive(Debug, Clone)]
pub struct SplitUpdate {
    pub before: TrafficSplit,
    pub after: TrafficSplit,
    pub operation: Operation,
}

pub struct AmlClient {
    http: reqwest::Client,
    base: Url,
    api_version: String,
    credential: Arc<dyn TokenCredential>,
    arm_tokens: TokenCache,
    ml_tokens: TokenCache,
    retry: RetryPolicy,
    lro: LroPolicy,
}

impl std::fmt::Debug for AmlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmlClient")
            .field("base", &self.base.as_str())
            .field("api_version", &self.api_version)
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
        let mut builder = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("aml-rollout/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &options.extra_root_certificate {
            let certificate = reqwest::Certificate::from_pem(pem)
                .map_err(|e| AzureError::InvalidInput(format!("CA certificate: {e}")))?;
            builder = builder.tls_certs_merge([certificate]);
        }
        let http = builder
            .build()
            .map_err(|e| AzureError::InvalidInput(format!("HTTP client: {e}")))?;
        let scope = arm_scope(&base);
        Ok(Self {
            http,
            base,
            api_version: options.api_version,
            arm_tokens: TokenCache::new(credential.clone(), scope),
            ml_tokens: TokenCache::new(credential.clone(), ML_SCOPE),
            credential,
            retry: options.retry,
            lro: options.lro,
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    pub fn credential(&self) -> &Arc<dyn TokenCredential> {
        &self.credential
    }

    pub(crate) fn lro_policy(&self) -> &LroPolicy {
        &self.lro
    }

    fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| AzureError::InvalidInput(format!("{} cannot be a base URL", self.base)))?
            .pop_if_empty()
            .extend(segments);
        url.query_pairs_mut()
            .append_pair("api-version", &self.api_version);
        Ok(url)
    }

    /// The bearer token goes only to the ARM host we were configured with: a `nextLink` or an
    /// operation URL pointing elsewhere is refused rather than handed our credentials.
    fn check_same_origin(&self, url: &Url) -> Result<()> {
        if url.origin() == self.base.origin() {
            Ok(())
        } else {
            Err(AzureError::InvalidInput(format!(
                "refusing to send credentials to {} (not the ARM endpoint {})",
                url.origin().ascii_serialization(),
                self.base.origin().ascii_serialization()
            )))
        }
    }

    /// Sends one ARM request, retrying what is safe to retry, and turns error statuses into
    /// [`AzureError`]. A 401 invalidates the cached token and is tried once more.
    async fn send(&self, method: Method, url: Url, body: Option<&Value>) -> Result<RawResponse> {
        self.check_same_origin(&url)?;
        let max_retries = if safe_to_repeat(&method, &url) {
            self.retry.max_retries
        } else {
            0
        };
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            let token = self.arm_tokens.bearer().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token)
                .header("x-ms-client-request-id", new_request_id());
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) => Ok((status, headers, body)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            let (status, headers, body) = match outcome {
                Ok(parts) => parts,
                Err(e) => {
                    if retries < max_retries {
                        let delay = self.retry.delay_for(retries, None);
                        tracing::debug!(%url, error = %e, ?delay, "transport error, retrying");
                        retries += 1;
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(AzureError::Transport {
                        url: redact_query(&url),
                        reason: describe_transport_error(&e),
                    });
                }
            };
            if status.is_success() {
                return Ok(RawResponse {
                    status,
                    headers,
                    body,
                    url: redact_query(&url),
                });
            }
            if status == StatusCode::UNAUTHORIZED && !reauthenticated {
                reauthenticated = true;
                self.arm_tokens.invalidate().await;
                continue;
            }
            if RetryPolicy::is_retryable_status(status) && retries < max_retries {
                let delay = self.retry.delay_for(retries, parse_retry_after(&headers));
                tracing::debug!(%url, %status, ?delay, "transient status, retrying");
                retries += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(AzureError::from_response(
                status,
                &redact_query(&url),
                &body,
            ));
        }
    }

    pub(crate) async fn get_absolute(&self, url: &str) -> Result<RawResponse> {
        let url = Url::parse(url).map_err(|e| AzureError::Decode {
            url: url.to_string(),
            reason: format!("the service sent an invalid URL: {e}"),
        })?;
        self.send(Method::GET, url, None).await
    }

    async fn get_json<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<T> {
        self.send(Method::GET, self.url(segments)?, None)
            .await?
            .json()
    }

    /// All pages of a list, following `nextLink`.
    async fn list_all<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<Vec<T>> {
        let mut page: ArmList<T> = self.get_json(segments).await?;
        let mut items = std::mem::take(&mut page.value);
        while let Some(next) = page.next_link.take().filter(|l| !l.is_empty()) {
            page = self.get_absolute(&next).await?.json()?;
            items.append(&mut page.value);
        }
        Ok(items)
    }

    async fn begin(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&Value>,
    ) -> Result<Operation> {
        let url = self.url(segments)?;
        let response = self.send(method.clone(), url.clone(), body).await?;
        Ok(Operation::from_response(
            method,
            url.to_string(),
            response.status,
            &response.headers,
            &response.body,
        ))
    }

    // ---- workspaces ----

    pub async fn get_workspace(&self, ws: &WorkspaceRef) -> Result<Workspace> {
        self.get_json(&ws.segments()).await
    }

    /// Workspaces of a subscription, or of one resource group in it.
    pub async fn list_workspaces(
        &self,
        subscription: &str,
        resource_group: Option<&str>,
    ) -> Result<Vec<Workspace>> {
        match resource_group {
            Some(rg) => {
                self.list_all(&[
                    "subscriptions",
                    subscription,
                    "resourceGroups",
                    rg,
                    "providers",
                    PROVIDER,
                    "workspaces",
                ])
                .await
            }
            None => {
                self.list_all(&[
                    "subscriptions",
                    subscription,
                    "providers",
                    PROVIDER,
                    "workspaces",
                ])
                .await
            }
        }
    }

    // ---- endpoints ----

    fn endpoint_segments<'a>(ws: &'a WorkspaceRef, endpoint: &'a str) -> Vec<&'a str> {
        let mut s = ws.segments();
        s.extend(["onlineEndpoints", endpoint]);
        s
    }

    fn deployment_segments<'a>(
        ws: &'a WorkspaceRef,
        endpoint: &'a str,
        deployment: &'a str,
    ) -> Vec<&'a str> {
        let mut s = Self::endpoint_segments(ws, endpoint);
        s.extend(["deployments", deployment]);
        s
    }

    pub async fn list_endpoints(&self, ws: &WorkspaceRef) -> Result<Vec<OnlineEndpoint>> {
        let mut s = ws.segments();
        s.push("onlineEndpoints");
        self.list_all(&s).await
    }

    pub async fn get_endpoint(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<OnlineEndpoint> {
        self.get_json(&Self::endpoint_segments(ws, endpoint)).await
    }

    /// The endpoint exactly as the service sent it, for read-modify-write.
    pub async fn get_endpoint_raw(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<Value> {
        self.get_json(&Self::endpoint_segments(ws, endpoint)).await
    }

    pub async fn begin_put_endpoint(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        body: &Value,
    ) -> Result<Operation> {
        self.begin(
            Method::PUT,
            &Self::endpoint_segments(ws, endpoint),
            Some(body),
        )
        .await
    }

    pub async fn begin_delete_endpoint(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
    ) -> Result<Operation> {
        self.begin(Method::DELETE, &Self::endpoint_segments(ws, endpoint), None)
            .await
    }

    /// Changes live and/or mirror traffic: GET the endpoint, replace only `properties.traffic`
    /// / `properties.mirrorTraffic`, PUT everything else exactly as received (fields this client
    /// does not know survive). Like the az CLI, names are lower-cased and 0% entries dropped.
    pub async fn begin_update_split(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        change: &SplitChange,
    ) -> Result<SplitUpdate> {
        let mut resource = self.get_endpoint_raw(ws, endpoint).await?;
        let before = TrafficSplit::from_endpoint_json(&resource);
        if let Some(expected) = &change.expect
            && expected.normalized() != before.normalized()
        {
            return Err(AzureError::StaleSplit {
                theirs: Box::new(before),
            });
        }
        let properties = resource
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| AzureError::Decode {
                url: endpoint.to_string(),
                reason: "the endpoint has no properties object".to_string(),
            })?;
        if let Some(live) = &change.live {
            properties.insert("traffic".to_string(), traffic_json(live));
        }
        if let Some(mirror) = &change.mirror {
            properties.insert("mirrorTraffic".to_string(), traffic_json(mirror));
        }
        let after = TrafficSplit::from_endpoint_json(&resource);
        let operation = self.begin_put_endpoint(ws, endpoint, &resource).await?;
        Ok(SplitUpdate {
            before,
            after,
            operation,
        })
    }

    pub async fn list_keys(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<EndpointAuthKeys> {
        let mut s = Self::endpoint_segments(ws, endpoint);
        s.push("listKeys");
        self.send(Method::POST, self.url(&s)?, None).await?.json()
    }

    pub async fn get_token(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<EndpointAuthToken> {
        let mut s = Self::endpoint_segments(ws, endpoint);
        s.push("token");
        self.send(Method::POST, self.url(&s)?, None).await?.json()
    }

    pub async fn begin_regenerate_key(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        key_type: KeyType,
    ) -> Result<Operation> {
        let mut s = Self::endpoint_segments(ws, endpoint);
        s.push("regenerateKeys");
        let body = serde_json::to_value(RegenerateKeysRequest {
            key_type,
            key_value: None,
        })
        .map_err(|e| AzureError::InvalidInput(e.to_string()))?;
        self.begin(Method::POST, &s, Some(&body)).await
    }

    /// The bearer credential a scoring call needs, by the endpoint's auth mode: a key
    /// (`Key`), an AML token (`AMLToken`) or an Entra token for ml.azure.com (`AADToken`).
    pub async fn scoring_credential(
        &self,
        ws: &WorkspaceRef,
        endpoint: &OnlineEndpoint,
    ) -> Result<String> {
        let mode = endpoint.properties.auth_mode.to_ascii_lowercase();
        let missing = || {
            AzureError::InvalidInput(format!(
                "the service returned no credential for endpoint {}",
                endpoint.name
            ))
        };
        match mode.as_str() {
            "key" => self
                .list_keys(ws, &endpoint.name)
                .await?
                .primary_key
                .ok_or_else(missing),
            "amltoken" => self
                .get_token(ws, &endpoint.name)
                .await?
                .access_token
                .ok_or_else(missing),
            "aadtoken" => self.ml_tokens.bearer().await,
            other => Err(AzureError::InvalidInput(format!(
                "endpoint {} uses auth mode {other:?}, which aml-rollout does not know",
                endpoint.name
            ))),
        }
    }

    // ---- deployments ----

    pub async fn list_deployments(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
    ) -> Result<Vec<OnlineDeployment>> {
        let mut s = Self::endpoint_segments(ws, endpoint);
        s.push("deployments");
        self.list_all(&s).await
    }

    pub async fn get_deployment(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<OnlineDeployment> {
        self.get_json(&Self::deployment_segments(ws, endpoint, deployment))
            .await
    }

    pub async fn get_deployment_raw(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<Value> {
        self.get_json(&Self::deployment_segments(ws, endpoint, deployment))
            .await
    }

    pub async fn begin_put_deployment(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
        body: &Value,
    ) -> Result<Operation> {
        self.begin(
            Method::PUT,
            &Self::deployment_segments(ws, endpoint, deployment),
            Some(body),
        )
        .await
    }

    /// PATCH: only `tags` and `sku` can change this way (the service's own contract).
    pub async fn begin_patch_deployment(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
        patch: &Value,
    ) -> Result<Operation> {
        self.begin(
            Method::PATCH,
            &Self::deployment_segments(ws, endpoint, deployment),
            Some(patch),
        )
        .await
    }

    /// Sets the instance count the way `az ml online-deployment update --set instance_count=N`
    /// does: GET, change only `sku.capacity`, PUT the rest exactly as received.
    pub async fn begin_scale_deployment(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
        instances: u32,
    ) -> Result<Operation> {
        let mut resource = self.get_deployment_raw(ws, endpoint, deployment).await?;
        let object = resource.as_object_mut().ok_or_else(|| AzureError::Decode {
            url: deployment.to_string(),
            reason: "the deployment is not a JSON object".to_string(),
        })?;
        match object.get_mut("sku").and_then(Value::as_object_mut) {
            Some(sku) => {
                sku.insert("capacity".to_string(), json!(instances));
            }
            // The SDK's choice when a deployment has no sku: the service requires a name.
            None => {
                object.insert(
                    "sku".to_string(),
                    json!({"name": "Default", "capacity": instances}),
                );
            }
        }
        self.begin_put_deployment(ws, endpoint, deployment, &resource)
            .await
    }

    pub async fn begin_delete_deployment(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<Operation> {
        self.begin(
            Method::DELETE,
            &Self::deployment_segments(ws, endpoint, deployment),
            None,
        )
        .await
    }

    pub async fn get_logs(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
        container: ContainerType,
        tail: Option<u32>,
    ) -> Result<String> {
        let mut s = Self::deployment_segments(ws, endpoint, deployment);
        s.push("getLogs");
        let body = serde_json::to_value(DeploymentLogsRequest {
            container_type: container,
            tail: tail.map(|t| t.min(i32::MAX as u32) as i32),
        })
        .map_err(|e| AzureError::InvalidInput(e.to_string()))?;
        let logs: DeploymentLogs = self
            .send(Method::POST, self.url(&s)?, Some(&body))
            .await?
            .json()?;
        Ok(logs.content.unwrap_or_default())
    }

    pub async fn list_skus(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<Vec<SkuResource>> {
        let mut s = Self::deployment_segments(ws, endpoint, deployment);
        s.push("skus");
        self.list_all(&s).await
    }

    // ---- metrics ----

    /// The ARM id of an online endpoint (the `resourceUri` of its metrics).
    pub fn endpoint_resource_id(ws: &WorkspaceRef, endpoint: &str) -> String {
        format!("{}/onlineEndpoints/{endpoint}", ws.arm_id())
    }

    /// Azure Monitor metrics of a resource (e.g. [`Self::endpoint_resource_id`]):
    /// `GET {resourceId}/providers/Microsoft.Insights/metrics`. Retried like any ARM read.
    pub async fn get_metrics(
        &self,
        resource_id: &str,
        query: &MetricsQuery,
    ) -> Result<MetricsResponse> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| AzureError::InvalidInput(format!("{} cannot be a base URL", self.base)))?
            .pop_if_empty()
            .extend(resource_id.split('/').filter(|s| !s.is_empty()))
            .extend(["providers", "Microsoft.Insights", "metrics"]);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", MONITOR_API_VERSION);
            if !query.metric_names.is_empty() {
                pairs.append_pair("metricnames", &query.metric_names.join(","));
            }
            if let Some((start, end)) = &query.timespan {
                let iso = |t: &chrono::DateTime<chrono::Utc>| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                };
                pairs.append_pair("timespan", &format!("{}/{}", iso(start), iso(end)));
            }
            if let Some(interval) = &query.interval {
                pairs.append_pair("interval", interval);
            }
            if !query.aggregations.is_empty() {
                pairs.append_pair("aggregation", &query.aggregations.join(","));
            }
            if let Some(filter) = &query.filter {
                pairs.append_pair("$filter", filter);
            }
            if let Some(top) = query.top {
                pairs.append_pair("top", &top.to_string());
            }
        }
        self.send(Method::GET, url, None).await?.json()
    }

    // ---- scoring ----

    /// One scoring call. `deployment` pins it with the `azureml-model-deployment` header.
    /// Never retried: a scoring request is the caller's to repeat, not ours.
    pub async fn invoke(
        &self,
        scoring_uri: &str,
        credential: &str,
        deployment: Option<&str>,
        body: Vec<u8>,
    ) -> Result<InvokeResponse> {
        let mut request = self
            .http
            .post(scoring_uri)
            .bearer_auth(credential)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(d) = deployment {
            request = request.header("azureml-model-deployment", d);
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|e| AzureError::Transport {
            url: scoring_uri.to_string(),
            reason: describe_transport_error(&e),
        })?;
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let answered_by = header("azureml-model-deployment");
        let request_id = header("x-request-id");
        // A scoring answer can be anything a model returns: keep the first MAX_INVOKE_BODY
        // bytes and stop reading, rather than holding an arbitrarily large body.
        let mut response = response;
        let mut body = Vec::new();
        loop {
            let chunk = response.chunk().await.map_err(|e| AzureError::Transport {
                url: scoring_uri.to_string(),
                reason: describe_transport_error(&e),
            })?;
            let Some(chunk) = chunk else { break };
            let room = MAX_INVOKE_BODY.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= MAX_INVOKE_BODY {
                break;
            }
        }
        Ok(InvokeResponse {
            status,
            deployment: answered_by,
            request_id,
            latency: started.elapsed(),
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// The token scope of an ARM endpoint: `https://management.azure.com/.default` for the public
/// cloud, `<scheme>://<host>/.default` for a sovereign cloud's (e.g. management.chinacloudapi.cn).
fn arm_scope(base: &Url) -> String {
    match base.host_str() {
        Some(host)
            if !host.eq_ignore_ascii_case("management.azure.com") && base.scheme() == "https" =>
        {
            format!("https://{host}/.default")
        }
        _ => ARM_SCOPE.to_string(),
    }
}

/// Whether sending the same request twice is harmless: GET, PUT and DELETE are idempotent, and
/// so are the POSTs that only read (`listKeys`, `token`, `getLogs`). A PATCH or a
/// `regenerateKeys` is not repeated behind the caller's back: a lost answer does not mean the
/// service did nothing.
fn safe_to_repeat(method: &Method, url: &Url) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE => true,
        Method::POST => url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .is_some_and(|last| {
                ["listkeys", "token", "getlogs"].contains(&last.to_ascii_lowercase().as_str())
            }),
        _ => false,
    }
}

fn traffic_json(map: &TrafficMap) -> Value {
    Value::Object(
        map.iter()
            .filter(|(_, pct)| **pct > 0)
            .map(|(name, pct)| (name.to_lowercase(), json!(pct)))
            .collect(),
    )
}

fn new_request_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// URLs carry no secrets here, but query strings are noise in an error message.
fn redact_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

fn describe_transport_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the answer"
    } else if e.is_request() {
        "connection dropped before an answer arrived"
    } else {
        "request failed"
    };
    // The source chain says why (refused, reset, DNS); keep it on one line.
    let mut reason = what.to_string();
    let mut source = std::error::Error::source(e);
    if let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    if let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sovereign_clouds_get_their_own_token_scope() {
        let scope = |u: &str| arm_scope(&Url::parse(u).unwrap());
        assert_eq!(
            scope("https://management.azure.com"),
            "https://management.azure.com/.default"
        );
        assert_eq!(
            scope("https://management.chinacloudapi.cn"),
            "https://management.chinacloudapi.cn/.default"
        );
        assert_eq!(
            scope("https://management.usgovcloudapi.net/"),
            "https://management.usgovcloudapi.net/.default"
        );
        // A local emulator takes its own static token; the scope does not matter there.
        assert_eq!(
            scope("http://127.0.0.1:8080"),
            "https://management.azure.com/.default"
        );
    }

    #[test]
    fn only_requests_safe_to_repeat_are_retried() {
        let url = |path: &str| {
            Url::parse(&format!("https://management.azure.com{path}?api-version=x")).unwrap()
        };
        let ep = "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e";
        assert!(safe_to_repeat(&Method::GET, &url(ep)));
        assert!(safe_to_repeat(&Method::PUT, &url(ep)));
        assert!(safe_to_repeat(&Method::DELETE, &url(ep)));
        assert!(safe_to_repeat(
            &Method::POST,
            &url(&format!("{ep}/listKeys"))
        ));
        assert!(safe_to_repeat(&Method::POST, &url(&format!("{ep}/token"))));
        assert!(safe_to_repeat(
            &Method::POST,
            &url(&format!("{ep}/deployments/d/getLogs"))
        ));
        assert!(!safe_to_repeat(
            &Method::POST,
            &url(&format!("{ep}/regenerateKeys"))
        ));
        assert!(!safe_to_repeat(&Method::PATCH, &url(ep)));
    }
}
