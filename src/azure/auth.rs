//! Where the ARM bearer token comes from: any azure_identity credential (az CLI, service
//! principal, managed identity…) or the emulator's static token, behind one cache.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use time::{Duration as TimeDuration, OffsetDateTime};
use tokio::sync::Mutex;

use super::error::{AzureError, Result};

/// The scope of every Azure Resource Manager call.
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";

/// A token is renewed this long before it expires, so a request never leaves with a token that
/// dies in flight.
const REFRESH_MARGIN: TimeDuration = TimeDuration::minutes(5);

/// A fixed bearer token: what the emulator accepts. It never expires.
pub struct StaticCredential {
    token: String,
}

impl StaticCredential {
    pub fn new(token: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            token: token.into(),
        })
    }
}

impl fmt::Debug for StaticCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticCredential(***)")
    }
}

#[async_trait::async_trait]
impl TokenCredential for StaticCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            self.token.clone(),
            OffsetDateTime::now_utc() + TimeDuration::days(365),
        ))
    }
}

/// Caches the token of any credential until shortly before it expires.
///
/// Why: `AzureCliCredential` has no cache of its own and starts an `az` process (about a second)
/// for every call; without this, every ARM request would pay that.
pub struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    scope: String,
    cached: Mutex<Option<AccessToken>>,
}

impl TokenCache {
    pub fn new(credential: Arc<dyn TokenCredential>, scope: impl Into<String>) -> Self {
        Self {
            credential,
            scope: scope.into(),
            cached: Mutex::new(None),
        }
    }

    /// A valid bearer token, from the cache or freshly obtained. Concurrent callers wait for one
    /// refresh instead of each starting their own.
    pub async fn bearer(&self) -> Result<String> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref()
            && token.expires_on - REFRESH_MARGIN > OffsetDateTime::now_utc()
        {
            return Ok(token.token.secret().to_string());
        }
        let fresh = self
            .credential
            .get_token(&[self.scope.as_str()], None)
            .await
            .map_err(|e| AzureError::Auth(one_paragraph(&e.to_string())))?;
        let secret = fresh.token.secret().to_string();
        *cached = Some(fresh);
        Ok(secret)
    }

    /// Forget the cached token, e.g. after a 401.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// azure_identity's messages span several lines; operators get one readable paragraph.
pub fn one_paragraph(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct CountingCredential {
        calls: AtomicUsize,
        lifetime: TimeDuration,
    }

    #[async_trait::async_trait]
    impl TokenCredential for CountingCredential {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(AccessToken::new(
                format!("token-{n}"),
                OffsetDateTime::now_utc() + self.lifetime,
            ))
        }
    }

    #[tokio::test]
    async fn a_long_lived_token_is_fetched_once() {
        let cred = Arc::new(CountingCredential {
            calls: AtomicUsize::new(0),
            lifetime: TimeDuration::hours(1),
        });
        let cache = TokenCache::new(cred.clone(), ARM_SCOPE);
        for _ in 0..10 {
            assert_eq!(cache.bearer().await.unwrap(), "token-0");
        }
        assert_eq!(cred.calls.load(Ordering::SeqCst), 1);
        cache.invalidate().await;
        assert_eq!(cache.bearer().await.unwrap(), "token-1");
    }

    #[tokio::test]
    async fn a_token_close_to_expiry_is_renewed() {
        let cred = Arc::new(CountingCredential {
            calls: AtomicUsize::new(0),
            lifetime: TimeDuration::minutes(2),
        });
        let cache = TokenCache::new(cred.clone(), ARM_SCOPE);
        cache.bearer().await.unwrap();
        cache.bearer().await.unwrap();
        assert_eq!(cred.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn multi_line_messages_become_one_paragraph() {
        let msg = "AzureCliCredential authentication failed. az not found on PATH\nTo troubleshoot, visit https://aka.ms/x\n";
        assert_eq!(
            one_paragraph(msg),
            "AzureCliCredential authentication failed. az not found on PATH To troubleshoot, visit https://aka.ms/x"
        );
    }
}
