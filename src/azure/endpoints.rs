//! Workspaces and online endpoints: read, create or update, delete, and traffic changes.

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{AmlClient, PROVIDER, WorkspaceRef, check_name, check_segment};
use super::error::{AzureError, Result};
use super::lro::Operation;
use super::model::{OnlineEndpoint, Workspace};
use crate::rollout::{NameKind, TrafficMap, TrafficSplit};

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

/// The path of an endpoint, its name checked first.
pub(crate) fn endpoint_segments<'a>(
    ws: &'a WorkspaceRef,
    endpoint: &'a str,
) -> Result<Vec<&'a str>> {
    check_name(NameKind::Endpoint, endpoint)?;
    let mut s = ws.segments()?;
    s.extend(["onlineEndpoints", endpoint]);
    Ok(s)
}

impl AmlClient {
    pub async fn get_workspace(&self, ws: &WorkspaceRef) -> Result<Workspace> {
        self.transport.get_json(&ws.segments()?).await
    }

    /// Workspaces of a subscription, or of one resource group in it.
    pub async fn list_workspaces(
        &self,
        subscription: &str,
        resource_group: Option<&str>,
    ) -> Result<Vec<Workspace>> {
        match resource_group {
            Some(rg) => {
                check_segment("subscription", subscription)?;
                check_segment("resource group", rg)?;
                self.transport
                    .list_all(&[
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
                check_segment("subscription", subscription)?;
                self.transport
                    .list_all(&[
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

    pub async fn list_endpoints(&self, ws: &WorkspaceRef) -> Result<Vec<OnlineEndpoint>> {
        let mut s = ws.segments()?;
        s.push("onlineEndpoints");
        self.transport.list_all(&s).await
    }

    pub async fn get_endpoint(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<OnlineEndpoint> {
        self.transport
            .get_json(&endpoint_segments(ws, endpoint)?)
            .await
    }

    /// The endpoint exactly as the service sent it, for read-modify-write.
    pub async fn get_endpoint_raw(&self, ws: &WorkspaceRef, endpoint: &str) -> Result<Value> {
        self.transport
            .get_json(&endpoint_segments(ws, endpoint)?)
            .await
    }

    pub async fn begin_put_endpoint(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        body: &Value,
    ) -> Result<Operation> {
        self.begin(Method::PUT, &endpoint_segments(ws, endpoint)?, Some(body))
            .await
    }

    /// Replaces the endpoint's tags with `tags` (PATCH changes only what it names, and a tags
    /// object replaces the whole set, as on Azure). The service answers with an operation.
    pub async fn begin_patch_endpoint_tags(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> Result<Operation> {
        self.begin(
            Method::PATCH,
            &endpoint_segments(ws, endpoint)?,
            Some(&json!({ "tags": tags })),
        )
        .await
    }

    pub async fn begin_delete_endpoint(
        &self,
        ws: &WorkspaceRef,
        endpoint: &str,
    ) -> Result<Operation> {
        self.begin(Method::DELETE, &endpoint_segments(ws, endpoint)?, None)
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
}

fn traffic_json(map: &TrafficMap) -> Value {
    Value::Object(
        map.iter()
            .filter(|(_, pct)| **pct > 0)
            .map(|(name, pct)| (name.to_lowercase(), json!(pct)))
            .collect(),
    )
}
