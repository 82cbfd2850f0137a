//! The data plane of an endpoint: its keys and tokens, scoring calls, and container logs.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use super::client::{AmlClient, WorkspaceRef, check_name};
use super::deployments::deployment_segments;
use super::endpoints::endpoint_segments;
use super::error::{AzureError, Result};
use super::lro::Operation;
use super::model::{
    ContainerType, DeploymentLogs, DeploymentLogsRequest, EndpointAuthKeys, EndpointAuthToken,
    KeyType, OnlineEndpoint, RegenerateKeysRequest,
};
use super::transport::{
    bearer_header, describe_transport_error, read_capped, redact_query, request_may_have_left,
};
use crate::rollout::NameKind;

/// Most of a scoring answer kept by [`AmlClient::invoke`].
pub const MAX_INVOKE_BODY: usize = 1 << 20;
/// Most bytes of a `getLogs` answer: the service returns at most a few MiB of tail, JSON-escaped.
pub const MAX_LOGS_BODY: usize = 16 << 20;

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

impl AmlClient {
    pub async fn list_keys(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<EndpointAuthKeys> {
        let mut s = endpoint_segments(ws, endpoint)?;
        s.push("listKeys");
        self.transport
            .send(Method::POST, self.transport.url(&s)?, None)
            .await?
            .json()
    }

    pub async fn get_token(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<EndpointAuthToken> {
        let mut s = endpoint_segments(ws, endpoint)?;
        s.push("token");
        self.transport
            .send(Method::POST, self.transport.url(&s)?, None)
            .await?
            .json()
    }

    pub async fn begin_regenerate_key(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        key_type: KeyType,
    ) -> Result<Operation> {
        let mut s = endpoint_segments(ws, endpoint)?;
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

    pub async fn get_logs(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
        container: ContainerType,
        tail: Option<u32>,
    ) -> Result<String> {
        let mut s = deployment_segments(ws, endpoint, deployment)?;
        s.push("getLogs");
        let body = serde_json::to_value(DeploymentLogsRequest {
            container_type: container,
            tail: tail.map(|t| t.min(i32::MAX as u32) as i32),
        })
        .map_err(|e| AzureError::InvalidInput(e.to_string()))?;
        let logs: DeploymentLogs = self
            .transport
            .send_capped(
                Method::POST,
                self.transport.url(&s)?,
                Some(&body),
                MAX_LOGS_BODY,
            )
            .await?
            .json()?;
        Ok(logs.content.unwrap_or_default())
    }

    /// One scoring call. `deployment` pins it with the `azureml-model-deployment` header.
    /// Never retried: a scoring request is the caller's to repeat, not ours.
    pub async fn invoke(
        &self,
        scoring_uri: &str,
        credential: &str,
        deployment: Option<&str>,
        body: Vec<u8>,
    ) -> Result<InvokeResponse> {
        let authorization = bearer_header(credential).ok_or_else(|| {
            AzureError::InvalidInput(
                "the endpoint key or token contains control characters or line breaks, which \
                 an HTTP header cannot carry; check the key (it is not shown here)"
                    .to_string(),
            )
        })?;
        if let Some(d) = deployment {
            check_name(NameKind::Deployment, d)?;
        }
        let url = reqwest::Url::parse(scoring_uri).map_err(|e| {
            AzureError::InvalidInput(format!(
                "the scoring URI {:?} is not a URL: {e}",
                crate::logstream::sanitize_inline(scoring_uri)
            ))
        })?;
        let shown_url = redact_query(&url);
        let mut request = self
            .transport
            .http()
            .post(url)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(d) = deployment {
            request = request.header("azureml-model-deployment", d);
        }
        let started = Instant::now();
        let transport_error = |e: reqwest::Error| AzureError::Transport {
            url: shown_url.clone(),
            reason: describe_transport_error(&e),
            sent: request_may_have_left(&e),
        };
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        if status.is_redirection() {
            // Same-origin redirects were followed; a scoring answer from elsewhere is not ours.
            return Err(AzureError::RedirectRefused {
                url: shown_url,
                status,
                target: "another origin".to_string(),
            });
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let answered_by = header("azureml-model-deployment");
        let request_id = header("x-request-id");
        // A scoring answer can be anything a model returns: past the cap it is an error rather
        // than an arbitrarily large body in memory.
        let (body, complete) = read_capped(response, MAX_INVOKE_BODY)
            .await
            .map_err(transport_error)?;
        if !complete {
            return Err(AzureError::BodyTooLarge {
                url: shown_url,
                limit: MAX_INVOKE_BODY,
            });
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
