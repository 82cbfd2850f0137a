//! Changes to what already exists: the split (with the stale guard), scale, delete, key
//! regeneration.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::azure::SplitChange;
use crate::azure::model::KeyType;
use crate::rollout::{
    Change, ChangeKind, KeySlot, SplitProposal, TrafficMap, TrafficSplit, check_instance_count,
    split_value, validate_split,
};

use super::apply::{Ops, Prepared, Request};
use super::error::{OpsError, OpsResult};

impl Ops {
    /// A new split for `endpoint`. `expect` is the split the operator's draft began from: if
    /// the endpoint no longer has it, nothing is sent ([`OpsError::Stale`]); the same check is
    /// made again right before the PUT. `after` computes the new split from the current one.
    pub async fn prepare_split(
        &self,
        endpoint: &str,
        expect: Option<&TrafficSplit>,
        after: impl FnOnce(&TrafficSplit) -> TrafficSplit,
    ) -> OpsResult<Prepared> {
        let current = self.existing_endpoint(endpoint).await?;
        let before = TrafficSplit::from_maps(
            current.properties.traffic.as_ref(),
            current.properties.mirror_traffic.as_ref(),
        );
        if let Some(expected) = expect
            && expected.normalized() != before.normalized()
        {
            return Err(OpsError::Stale { theirs: before });
        }
        let after = after(&before).normalized();
        let deployments = self
            .client
            .list_deployments(&self.ws, &current.name)
            .await?;
        let names: Vec<String> = deployments.iter().map(|d| d.name.clone()).collect();
        check_split(&after, &names, current.is_kubernetes())?;
        let change = Change::split(&current.name, &before, &after);
        Ok(Prepared {
            request: Request::Split {
                endpoint: current.name.clone(),
                change: SplitChange {
                    live: Some(after.live.clone()),
                    mirror: Some(after.mirror.clone()),
                    expect: Some(before),
                },
            },
            change,
        })
    }

    pub async fn prepare_scale(
        &self,
        endpoint: &str,
        deployment: &str,
        instances: u32,
    ) -> OpsResult<Prepared> {
        let instances = check_instance_count(instances)
            .map_err(|why| OpsError::Invalid(format!("{why}; nothing was sent")))?;
        let current = self
            .client
            .get_deployment(&self.ws, endpoint, deployment)
            .await?;
        let change = Change {
            kind: ChangeKind::DeploymentScale { instances },
            endpoint: endpoint.to_string(),
            deployment: Some(current.name.clone()),
            before: json!({"instance_count": current.instance_count()}),
            after: json!({"instance_count": instances}),
        };
        Ok(Prepared {
            change,
            request: Request::Scale {
                endpoint: endpoint.to_string(),
                deployment: current.name,
                instances,
            },
        })
    }

    pub async fn prepare_delete_endpoint(&self, name: &str) -> OpsResult<Prepared> {
        let endpoint = self.client.get_endpoint(&self.ws, name).await?;
        let split = TrafficSplit::from_maps(
            endpoint.properties.traffic.as_ref(),
            endpoint.properties.mirror_traffic.as_ref(),
        );
        Ok(Prepared {
            change: Change {
                kind: ChangeKind::EndpointDelete,
                endpoint: endpoint.name.clone(),
                deployment: None,
                before: split_value(&split.normalized()),
                after: Value::Null,
            },
            request: Request::DeleteEndpoint {
                name: endpoint.name,
            },
        })
    }

    /// The service itself refuses to delete a deployment that still takes traffic; its message
    /// is what the operator sees.
    pub async fn prepare_delete_deployment(
        &self,
        endpoint: &str,
        name: &str,
    ) -> OpsResult<Prepared> {
        let current = self.client.get_endpoint(&self.ws, endpoint).await?;
        let deployment = self
            .client
            .get_deployment(&self.ws, &current.name, name)
            .await?;
        let split = TrafficSplit::from_maps(
            current.properties.traffic.as_ref(),
            current.properties.mirror_traffic.as_ref(),
        );
        Ok(Prepared {
            change: Change {
                kind: ChangeKind::DeploymentDelete,
                endpoint: current.name.clone(),
                deployment: Some(deployment.name.clone()),
                before: json!({
                    "traffic": split.live_of(&deployment.name),
                    "mirror_traffic": split.mirror_of(&deployment.name),
                    "instance_count": deployment.instance_count(),
                }),
                after: Value::Null,
            },
            request: Request::DeleteDeployment {
                endpoint: current.name,
                name: deployment.name,
            },
        })
    }

    /// Never journals a key: only which one was replaced.
    pub fn prepare_regenerate_key(&self, endpoint: &str, key: KeySlot) -> Prepared {
        Prepared {
            change: Change {
                kind: ChangeKind::KeyRegenerate { key },
                endpoint: endpoint.to_string(),
                deployment: None,
                before: Value::Null,
                after: json!({"key_type": key.as_str()}),
            },
            request: Request::RegenerateKey {
                endpoint: endpoint.to_string(),
                key: match key {
                    KeySlot::Primary => KeyType::Primary,
                    KeySlot::Secondary => KeyType::Secondary,
                },
            },
        }
    }
}

/// Refuses a split that breaks Azure's rules, before anything is sent.
pub fn check_split(
    split: &TrafficSplit,
    deployments: &[String],
    kubernetes: bool,
) -> OpsResult<()> {
    let signed = |m: &TrafficMap| -> BTreeMap<String, i64> {
        m.iter().map(|(k, v)| (k.clone(), i64::from(*v))).collect()
    };
    let traffic = signed(&split.live);
    let mirror = signed(&split.mirror);
    let violations = validate_split(&SplitProposal {
        traffic: &traffic,
        mirror: &mirror,
        deployments,
        kubernetes,
    });
    if violations.is_empty() {
        Ok(())
    } else {
        Err(OpsError::Rules(violations))
    }
}
