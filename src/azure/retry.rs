//! When to try a request again, and how long to wait first.

use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Bounded exponential backoff with jitter. Applies to transport errors, 429 and
/// 500/502/503/504 of requests that are safe to repeat (GET, PUT, DELETE, the read-only POSTs;
/// the client decides which, see `safe_to_repeat`); PATCH, regenerateKeys and scoring calls are
/// never retried, because they are not ours to repeat.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Statuses that say "the same request may work later".
    pub fn is_retryable_status(status: StatusCode) -> bool {
        matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
    }

    /// Delay before retry number `retry` (0-based). A server's `Retry-After` is honoured (the
    /// service knows best, and retrying earlier earns another 429), capped at `max_delay` so a
    /// bogus header cannot park a request for hours; otherwise full jitter over an exponential
    /// bound, which spreads out clients that failed together. The backoff's lower half is the
    /// floor even under `Retry-After`: a `Retry-After: 0` must not turn four retries into a
    /// burst against a bucket that is already empty.
    pub fn delay_for(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(self.max_delay);
        let millis = exp.as_millis().max(1) as u64;
        if let Some(server) = retry_after {
            return server
                .max(Duration::from_millis(millis / 2))
                .min(self.max_delay);
        }
        let jittered = rand::rng().random_range(millis / 2..=millis);
        Duration::from_millis(jittered)
    }
}

/// `Retry-After` in seconds (what ARM sends) or as an HTTP date.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.signed_duration_since(chrono::Utc::now());
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn server_retry_after_wins_but_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay_for(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(p.delay_for(0, Some(Duration::from_secs(3600))), p.max_delay);
    }

    #[test]
    fn a_zero_retry_after_still_backs_off() {
        let p = RetryPolicy::default();
        let first = p.delay_for(0, Some(Duration::ZERO));
        let third = p.delay_for(2, Some(Duration::ZERO));
        assert_eq!(first, p.base_delay / 2);
        assert_eq!(third, p.base_delay * 2);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        for _ in 0..50 {
            let d0 = p.delay_for(0, None);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100));
            let d3 = p.delay_for(3, None);
            assert!(d3 >= Duration::from_millis(400) && d3 <= Duration::from_millis(800));
            assert!(p.delay_for(30, None) <= Duration::from_secs(2));
        }
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for code in [429, 500, 502, 503, 504] {
            assert!(RetryPolicy::is_retryable_status(
                StatusCode::from_u16(code).unwrap()
            ));
        }
        for code in [400, 401, 403, 404, 409, 501] {
            assert!(!RetryPolicy::is_retryable_status(
                StatusCode::from_u16(code).unwrap()
            ));
        }
    }
}
