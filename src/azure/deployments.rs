//! Online deployments: read, create or update, scale, delete, and their SKUs.

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{AmlClient, WorkspaceRef, check_name};
use super::endpoints::endpoint_segments;
use super::error::{AzureError, Result};
use super::lro::Operation;
use super::model::{OnlineDeployment, SkuResource};
use crate::rollout::NameKind;

/// The path of a deployment, both names checked first.
pub(crate) fn deployment_segments<'a>(
    ws: &'a WorkspaceRef,
    endpoint: &'a str,
    deployment: &'a str,
) -> Result<Vec<&'a str>> {
    check_name(NameKind::Deployment, deployment)?;
    let mut s = endpoint_segments(ws, endpoint)?;
    s.extend(["deployments", deployment]);
    Ok(s)
}

impl AmlClient {
    pub async fn list_deployments(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
    ) -> Result<Vec<OnlineDeployment>> {
        let mut s = endpoint_segments(ws, endpoint)?;
        s.push("deployments");
        self.transport.list_all(&s).await
    }

    pub async fn get_deployment(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<OnlineDeployment> {
        self.transport
            .get_json(&deployment_segments(ws, endpoint, deployment)?)
            .await
    }

    pub async fn get_deployment_raw(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<Value> {
        self.transport
            .get_json(&deployment_segments(ws, endpoint, deployment)?)
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
            &deployment_segments(ws, endpoint, deployment)?,
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
            &deployment_segments(ws, endpoint, deployment)?,
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
            &deployment_segments(ws, endpoint, deployment)?,
            None,
        )
        .await
    }

    pub async fn list_skus(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        deployment: &str,
    ) -> Result<Vec<SkuResource>> {
        let mut s = deployment_segments(ws, endpoint, deployment)?;
        s.push("skus");
        self.transport.list_all(&s).await
    }
}
