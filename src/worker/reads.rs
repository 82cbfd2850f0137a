//! The reads behind the console's refreshes: the whole workspace (at start and on `r`), the
//! endpoint list alone, or one endpoint with its deployments and one metrics query; and the
//! news that Azure is throttling the console, passed on as soon as it is known.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use super::{Worker, convert};
use crate::app::ids::RequestId;
use crate::app::msg::{EndpointRead, LoadedWorkspace, Msg};
use crate::azure::{AzureError, FailureKind};
use crate::logstream::sanitize_inline;
use crate::ops::{OpsError, OpsResult};

/// Passes every pause Azure imposes on the client on to the console, until either goes away.
pub(super) fn report_throttling(
    mut pauses: watch::Receiver<Option<Instant>>,
    tx: UnboundedSender<Msg>,
) {
    // Without a runtime there is nothing to run the reads either.
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        while pauses.changed().await.is_ok() {
            let until = *pauses.borrow_and_update();
            if let Some(until) = until
                && tx.send(Msg::Throttled(until)).is_err()
            {
                return;
            }
        }
    });
}

fn gone(error: &AzureError) -> bool {
    error.kind() == Some(FailureKind::NotFound)
}

impl Worker {
    pub(super) async fn refresh_all(&self, request: RequestId) {
        let (client, ws) = (self.ops.client(), self.ops.workspace());
        let result = client
            .list_workspace(ws)
            .await
            .map(|listed| LoadedWorkspace {
                endpoints: listed
                    .iter()
                    .map(|(e, _)| convert::endpoint_view(e))
                    .collect(),
                deployments: listed
                    .iter()
                    .map(|(e, ds)| {
                        let views = ds.iter().map(convert::deployment_view).collect();
                        (sanitize_inline(&e.name), views)
                    })
                    .collect(),
            })
            .map_err(OpsError::from);
        self.send(Msg::Loaded { request, result });
    }

    pub(super) async fn refresh_endpoints(&self, request: RequestId) {
        let (client, ws) = (self.ops.client(), self.ops.workspace());
        let result = client
            .list_endpoints(ws)
            .await
            .map(|list| list.iter().map(convert::endpoint_view).collect())
            .map_err(OpsError::from);
        self.send(Msg::EndpointsLoaded { request, result });
    }

    /// The endpoint and its deployments, then their health from the same reads: three
    /// requests, the metrics query included.
    pub(super) async fn refresh_endpoint(&self, request: RequestId, endpoint: String) {
        let (client, ws) = (self.ops.client(), self.ops.workspace());
        let read = async {
            let ep = match client.get_endpoint(ws, &endpoint).await {
                Ok(ep) => ep,
                Err(e) if gone(&e) => return Ok(None),
                Err(e) => return Err(e),
            };
            match client.list_deployments(ws, &ep.name).await {
                Ok(deployments) => Ok(Some((ep, deployments))),
                Err(e) if gone(&e) => Ok(None),
                Err(e) => Err(e),
            }
        };
        let (result, health): (OpsResult<EndpointRead>, _) = match read.await {
            Ok(Some((ep, deployments))) => {
                let views = deployments.iter().map(convert::deployment_view).collect();
                let shown = (Box::new(convert::endpoint_view(&ep)), views);
                let health = (!deployments.is_empty()).then_some((ep, deployments));
                (Ok(Some(shown)), health)
            }
            Ok(None) => (Ok(None), None),
            Err(e) => (Err(e.into()), None),
        };
        self.send(Msg::EndpointLoaded {
            request,
            endpoint: endpoint.clone(),
            result,
        });
        if let Some((ep, deployments)) = health {
            let result = self
                .ops
                .health_of(&ep, &deployments, chrono::Utc::now())
                .await
                .map(Box::new);
            self.send(Msg::MetricsLoaded {
                request,
                endpoint,
                result,
            });
        }
    }
}
