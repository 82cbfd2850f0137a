//! Creating an endpoint or a deployment from an az ml YAML file. Like `az ml … create`, an
//! existing resource is never overwritten, with one exception the operator asks for: a
//! deployment whose create failed is updated in place (`--force-update`), so that re-running a
//! failed create converges.

use std::path::Path;

use serde_json::{Value, json};

use crate::azure::az_yaml::{deployment_from_yaml, endpoint_from_yaml};
use crate::azure::model::OnlineEndpoint;
use crate::rollout::{Change, ChangeKind};

use super::apply::{Ops, Prepared, Request};
use super::error::{OpsError, OpsResult};
use super::files::read_spec_file;

/// Where a deployment create goes when the file and the caller may both name the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeploymentCreateOptions<'a> {
    /// The endpoint the caller names (`-e`, or the one selected in the console).
    pub endpoint: Option<&'a str>,
    /// `--all-traffic`: recorded in the az command; the caller moves the traffic afterwards.
    pub all_traffic: bool,
    /// Update a deployment whose earlier create failed instead of refusing.
    pub force_update: bool,
}

impl Ops {
    pub async fn prepare_create_endpoint(&self, file: &Path) -> OpsResult<Prepared> {
        let shown = file.display().to_string();
        let text = read_spec_file(file)?;
        let workspace = self.client.get_workspace(&self.ws).await?;
        let spec = endpoint_from_yaml(&shown, &text, &workspace.location).map_err(yaml_error)?;
        match self.client.get_endpoint(&self.ws, &spec.name).await {
            Ok(_) => {
                return Err(OpsError::Invalid(format!(
                    "an endpoint named {} already exists; change it with `aml-rollout traffic`/`mirror`, or delete it first; nothing was sent",
                    spec.name
                )));
            }
            Err(e) if e.kind() == Some(crate::azure::FailureKind::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        let kind = if spec.body.pointer("/properties/compute").is_some() {
            "kubernetes"
        } else {
            "managed"
        };
        let change = Change {
            kind: ChangeKind::EndpointCreate {
                file: shown.clone(),
            },
            endpoint: spec.name.clone(),
            deployment: None,
            before: Value::Null,
            after: json!({
                "file": shown,
                "auth_mode": spec.body.pointer("/properties/authMode"),
                "kind": kind,
            }),
        };
        Ok(Prepared {
            change,
            request: Request::PutEndpoint {
                name: spec.name,
                body: spec.body,
            },
        })
    }

    /// Reads and checks a deployment YAML. Returns the change and the endpoint it goes to.
    pub async fn prepare_create_deployment(
        &self,
        file: &Path,
        options: DeploymentCreateOptions<'_>,
    ) -> OpsResult<(Prepared, OnlineEndpoint)> {
        let shown = file.display().to_string();
        let text = read_spec_file(file)?;
        // The location only fills the body's `location`; the endpoint's is checked below.
        let workspace = self.client.get_workspace(&self.ws).await?;
        let spec = deployment_from_yaml(&shown, &text, &workspace.location, &self.ws)
            .map_err(yaml_error)?;
        let endpoint_name = match (options.endpoint, spec.endpoint_name.as_deref()) {
            (Some(given), Some(named)) if !given.eq_ignore_ascii_case(named) => {
                return Err(OpsError::Invalid(format!(
                    "{shown} is for endpoint {named}, but {given} was given: choose {named} or edit endpoint_name; nothing was sent"
                )));
            }
            (Some(given), _) => given.to_string(),
            (None, Some(named)) => named.to_string(),
            (None, None) => {
                return Err(OpsError::Invalid(format!(
                    "{shown} has no endpoint_name: pass -e/--endpoint-name; nothing was sent"
                )));
            }
        };
        let endpoint = self.existing_endpoint(&endpoint_name).await?;
        let mut body = spec.body;
        if let Some(object) = body.as_object_mut() {
            // A deployment lives where its endpoint does.
            object.insert("location".to_string(), json!(endpoint.location));
        }
        let kind = match self
            .client
            .get_deployment(&self.ws, &endpoint.name, &spec.name)
            .await
        {
            Ok(existing) => {
                let failed = existing
                    .properties
                    .provisioning_state
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("Failed"));
                match (failed, options.force_update) {
                    (true, true) => ChangeKind::DeploymentRecreate {
                        file: shown.clone(),
                    },
                    (true, false) => {
                        return Err(OpsError::FailedCreateExists {
                            endpoint: endpoint.name.clone(),
                            deployment: spec.name.clone(),
                            file: shown,
                        });
                    }
                    (false, _) => {
                        return Err(OpsError::Invalid(format!(
                            "deployment {} already exists under endpoint {}; change it with `aml-rollout deployment update` or scale it; nothing was sent",
                            spec.name, endpoint.name
                        )));
                    }
                }
            }
            Err(e) if e.kind() == Some(crate::azure::FailureKind::NotFound) => {
                ChangeKind::DeploymentCreate {
                    file: shown.clone(),
                    all_traffic: options.all_traffic,
                }
            }
            Err(e) => return Err(e.into()),
        };
        let change = Change {
            kind,
            endpoint: endpoint.name.clone(),
            deployment: Some(spec.name.clone()),
            before: Value::Null,
            after: json!({
                "file": shown,
                "model": body.pointer("/properties/model"),
                "instance_type": body.pointer("/properties/instanceType"),
                "instance_count": body.pointer("/sku/capacity"),
            }),
        };
        let prepared = Prepared {
            change,
            request: Request::PutDeployment {
                endpoint: endpoint.name.clone(),
                name: spec.name,
                body,
            },
        };
        Ok((prepared, endpoint))
    }

    /// The endpoint a change names, or a refusal saying it does not exist.
    pub async fn existing_endpoint(&self, name: &str) -> OpsResult<OnlineEndpoint> {
        match self.client.get_endpoint(&self.ws, name).await {
            Ok(endpoint) => Ok(endpoint),
            Err(e) if e.kind() == Some(crate::azure::FailureKind::NotFound) => {
                Err(OpsError::Invalid(format!(
                    "endpoint {name} does not exist in {}; create it first (aml-rollout endpoint create -f endpoint.yml); nothing was sent",
                    self.target_label
                )))
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn yaml_error(e: crate::azure::az_yaml::YamlError) -> OpsError {
    OpsError::File(e.to_string())
}
