//! Reads that change nothing: one scoring request, and an endpoint's credentials.

use crate::azure::InvokeResponse;
use crate::azure::model::OnlineEndpoint;

use super::apply::Ops;
use super::error::{OpsError, OpsResult};

/// A scoring answer, raw: each front end sanitizes and trims it for its own display.
pub type InvokeAnswer = InvokeResponse;

/// What an endpoint's callers need. Secrets: `Debug` is written by hand so that they never
/// reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub endpoint: String,
    pub auth_mode: String,
    pub scoring_uri: Option<String>,
    pub swagger_uri: Option<String>,
    pub primary_key: Option<String>,
    pub secondary_key: Option<String>,
    pub access_token: Option<String>,
    pub expiry_time_utc: Option<i64>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Credentials")
            .field("endpoint", &self.endpoint)
            .field("auth_mode", &self.auth_mode)
            .field("primary_key", &masked(&self.primary_key))
            .field("secondary_key", &masked(&self.secondary_key))
            .field("access_token", &masked(&self.access_token))
            .field("expiry_time_utc", &self.expiry_time_utc)
            .finish()
    }
}

impl Ops {
    /// Sends `body` to the endpoint's scoring URI, pinned to `deployment` when given (header
    /// `azureml-model-deployment`, which reaches 0% and mirror deployments too). The body must
    /// be JSON and a pinned deployment must exist: either is refused before anything is sent.
    pub async fn invoke(
        &self,
        endpoint: &str,
        deployment: Option<&str>,
        body: Vec<u8>,
    ) -> OpsResult<InvokeAnswer> {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&body) {
            return Err(OpsError::Invalid(format!(
                "the request is not valid JSON ({e}): fix the request file; nothing was sent"
            )));
        }
        let endpoint = self.existing_endpoint(endpoint).await?;
        if let Some(pinned) = deployment {
            self.check_pinned(&endpoint, pinned).await?;
        }
        let (scoring_uri, credential) = self.scoring_target(&endpoint).await?;
        Ok(self
            .client
            .invoke(&scoring_uri, &credential, deployment, body)
            .await?)
    }

    /// Where the endpoint's scoring requests go and the credential they carry.
    pub(super) async fn scoring_target(
        &self,
        endpoint: &OnlineEndpoint,
    ) -> OpsResult<(String, String)> {
        let scoring_uri = endpoint
            .properties
            .scoring_uri
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                OpsError::Invalid(format!(
                    "endpoint {} has no scoring URI yet (is it still being created?); nothing was sent",
                    endpoint.name
                ))
            })?;
        let credential = self.client.scoring_credential(&self.ws, endpoint).await?;
        Ok((scoring_uri, credential))
    }

    /// As az does: a pinned name must be one of the endpoint's deployments.
    async fn check_pinned(&self, endpoint: &OnlineEndpoint, pinned: &str) -> OpsResult<()> {
        let deployments = self
            .client
            .list_deployments(&self.ws, &endpoint.name)
            .await?;
        if deployments
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(pinned))
        {
            return Ok(());
        }
        Err(OpsError::Invalid(if deployments.is_empty() {
            format!(
                "no deployment exists for endpoint {}; nothing was sent",
                endpoint.name
            )
        } else {
            format!(
                "deployment {pinned} not found for endpoint {} (it has {}); nothing was sent",
                endpoint.name,
                deployments
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }))
    }

    /// The endpoint's auth mode and, by that mode, its keys or an AML token. Entra-token
    /// endpoints have no secret of their own to read.
    pub async fn credentials(&self, endpoint: &str) -> OpsResult<Credentials> {
        let ep = self.client.get_endpoint(&self.ws, endpoint).await?;
        let mut credentials = Credentials {
            endpoint: ep.name.clone(),
            auth_mode: ep.properties.auth_mode.clone(),
            scoring_uri: ep.properties.scoring_uri.clone(),
            swagger_uri: ep.properties.swagger_uri.clone(),
            primary_key: None,
            secondary_key: None,
            access_token: None,
            expiry_time_utc: None,
        };
        match ep.properties.auth_mode.to_ascii_lowercase().as_str() {
            "key" => {
                let keys = self.client.list_keys(&self.ws, &ep.name).await?;
                credentials.primary_key = keys.primary_key;
                credentials.secondary_key = keys.secondary_key;
            }
            "amltoken" => {
                let token = self.client.get_token(&self.ws, &ep.name).await?;
                credentials.access_token = token.access_token;
                credentials.expiry_time_utc = Some(token.expiry_time_utc);
            }
            "aadtoken" => {}
            other => {
                return Err(OpsError::Invalid(format!(
                    "endpoint {} uses auth mode {other:?}, which aml-rollout does not know",
                    ep.name
                )));
            }
        }
        Ok(credentials)
    }
}
