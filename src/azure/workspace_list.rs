//! Every endpoint of a workspace with its deployments, as fast as the service allows: the
//! deployment lists run a few at a time, and start while later pages of the endpoint list are
//! still on their way. One request per endpoint cannot be avoided (ARM has no list of all
//! deployments of a workspace); waiting for each in turn is what costs.

use futures::StreamExt;
use futures::channel::mpsc;

use super::client::{AmlClient, WorkspaceRef};
use super::error::{FailureKind, Result};
use super::model::{OnlineDeployment, OnlineEndpoint};

/// Deployment lists in flight at once. Past a handful, loopback gains nothing and a real
/// subscription's read bucket (250) only empties sooner.
const DEPLOYMENT_LISTS_AT_ONCE: usize = 16;

impl AmlClient {
    /// Every endpoint, in the service's order, with its deployments. An endpoint deleted
    /// between the two reads is listed with none: it will be gone from the next listing.
    pub async fn list_workspace(
        &self,
        ws: &WorkspaceRef,
    ) -> Result<Vec<(OnlineEndpoint, Vec<OnlineDeployment>)>> {
        let mut s = ws.segments()?;
        s.push("onlineEndpoints");
        let mut pages = self.transport.pages(&s)?;
        let (found, endpoints) = mpsc::unbounded::<OnlineEndpoint>();
        let read_pages = async move {
            while let Some(page) = self.transport.next_page(&mut pages).await? {
                for endpoint in page {
                    // The receiver lives until every endpoint is read: the send cannot fail
                    // while it matters.
                    let _ = found.unbounded_send(endpoint);
                }
            }
            Ok::<(), super::AzureError>(())
        };
        let read_deployments = endpoints
            .map(|endpoint| async move {
                let deployments = match self.list_deployments(ws, &endpoint.name).await {
                    Err(e) if e.kind() == Some(FailureKind::NotFound) => Ok(Vec::new()),
                    other => other,
                };
                deployments.map(|d| (endpoint, d))
            })
            .buffered(DEPLOYMENT_LISTS_AT_ONCE)
            .collect::<Vec<_>>();
        let (listed, read) = futures::join!(read_pages, read_deployments);
        listed?;
        read.into_iter().collect()
    }
}
