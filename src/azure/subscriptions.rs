//! The subscription a workspace lives in, as Azure Resource Manager describes it: the console
//! names it in its title, since a GUID alone does not tell production from a sandbox.

use reqwest::Method;

use super::client::{AmlClient, check_segment};
use super::error::{AzureError, Result};
use super::model::Subscription;

/// The Subscriptions API's version (it is versioned apart from Azure ML's).
pub const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

impl AmlClient {
    /// `GET /subscriptions/{id}`: the subscription's display name and state.
    pub async fn get_subscription(&self, subscription: &str) -> Result<Subscription> {
        check_segment("subscription", subscription)?;
        let base = self.transport.base();
        let mut url = base.clone();
        url.path_segments_mut()
            .map_err(|()| AzureError::InvalidInput(format!("{base} cannot be a base URL")))?
            .pop_if_empty()
            .extend(["subscriptions", subscription]);
        url.query_pairs_mut()
            .append_pair("api-version", SUBSCRIPTIONS_API_VERSION);
        self.transport.send(Method::GET, url, None).await?.json()
    }
}
