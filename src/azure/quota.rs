//! The region's core quota: Usages_List and VirtualMachineSizes_List, both under the
//! subscription's location of the workspace (`.../locations/{location}/usages|vmSizes`).

use super::client::{AmlClient, PROVIDER, WorkspaceRef, check_segment};
use super::error::Result;
use super::model::{Usage, VirtualMachineSize};

/// The path of a list under the workspace's subscription and location.
fn location_segments<'a>(
    ws: &'a WorkspaceRef,
    location: &'a str,
    list: &'a str,
) -> Result<Vec<&'a str>> {
    check_segment("subscription", &ws.subscription)?;
    check_segment("location", location)?;
    Ok(vec![
        "subscriptions",
        &ws.subscription,
        "providers",
        PROVIDER,
        "locations",
        location,
        list,
    ])
}

impl AmlClient {
    /// Quota in use per VM family (and other quotas) in `location`.
    pub async fn list_usages(&self, ws: &WorkspaceRef, location: &str) -> Result<Vec<Usage>> {
        self.transport
            .list_all(&location_segments(ws, location, "usages")?)
            .await
    }

    /// The VM sizes of `location`, with their family and vCPUs.
    pub async fn list_vm_sizes(
        &self,
        ws: &WorkspaceRef,
        location: &str,
    ) -> Result<Vec<VirtualMachineSize>> {
        self.transport
            .list_all(&location_segments(ws, location, "vmSizes")?)
            .await
    }
}
