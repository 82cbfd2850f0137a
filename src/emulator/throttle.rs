//! Azure Resource Manager's request limits: token buckets per subscription, one for reads, one
//! for writes (PUT, PATCH and POST actions) and one for deletes. Every answer says what is left
//! (`x-ms-ratelimit-remaining-subscription-reads|writes|deletes`); an empty bucket answers 429
//! with `Retry-After` and ARM's error envelope. On by default, as on Azure. Every request is
//! also counted by kind, refused or not, so that a client's request budget can be measured.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::ArmFailure;

/// One bucket's size and refill rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketLimit {
    pub burst: u32,
    pub per_second: f64,
}

/// The limits per subscription; `enabled: false` turns throttling (and its headers) off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArmLimits {
    pub enabled: bool,
    pub reads: BucketLimit,
    pub writes: BucketLimit,
    pub deletes: BucketLimit,
}

impl Default for ArmLimits {
    /// Azure's documented limits.
    fn default() -> Self {
        Self {
            enabled: true,
            reads: BucketLimit {
                burst: 250,
                per_second: 25.0,
            },
            writes: BucketLimit {
                burst: 200,
                per_second: 10.0,
            },
            deletes: BucketLimit {
                burst: 200,
                per_second: 10.0,
            },
        }
    }
}

impl ArmLimits {
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// `off`, or `reads=250/25,writes=200/10,deletes=200/10` (kinds left out keep Azure's).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Self::off());
        }
        let mut limits = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, value) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}': expected KIND=BURST/PER_SECOND"))?;
            let (burst, rate) = value
                .split_once('/')
                .ok_or_else(|| format!("'{part}': expected KIND=BURST/PER_SECOND"))?;
            let limit = BucketLimit {
                burst: burst
                    .trim()
                    .parse()
                    .map_err(|_| format!("'{part}': the burst must be a whole number"))?,
                per_second: rate
                    .trim()
                    .parse()
                    .map_err(|_| format!("'{part}': the refill must be a number per second"))?,
            };
            match kind.trim().to_ascii_lowercase().as_str() {
                "reads" => limits.reads = limit,
                "writes" => limits.writes = limit,
                "deletes" => limits.deletes = limit,
                other => {
                    return Err(format!(
                        "'{other}': the kinds are reads, writes and deletes"
                    ));
                }
            }
        }
        limits.validate()?;
        Ok(limits)
    }

    pub fn validate(&self) -> Result<(), String> {
        for (name, limit) in [
            ("reads", self.reads),
            ("writes", self.writes),
            ("deletes", self.deletes),
        ] {
            if limit.burst == 0 || !(limit.per_second > 0.0 && limit.per_second <= 1e6) {
                return Err(format!(
                    "{name}: burst must be at least 1 and per_second between 0 (excluded) and 1000000"
                ));
            }
        }
        Ok(())
    }

    fn limit(&self, kind: RequestKind) -> BucketLimit {
        match kind {
            RequestKind::Read => self.reads,
            RequestKind::Write => self.writes,
            RequestKind::Delete => self.deletes,
        }
    }
}

/// The discriminant indexes the request counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RequestKind {
    Read = 0,
    Write = 1,
    Delete = 2,
}

impl RequestKind {
    fn of(method: &Method) -> Self {
        match *method {
            Method::GET | Method::HEAD | Method::OPTIONS => Self::Read,
            Method::DELETE => Self::Delete,
            _ => Self::Write,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Read => "reads",
            Self::Write => "writes",
            Self::Delete => "deletes",
        }
    }

    fn header(self) -> &'static str {
        match self {
            Self::Read => "x-ms-ratelimit-remaining-subscription-reads",
            Self::Write => "x-ms-ratelimit-remaining-subscription-writes",
            Self::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

/// What a request may do: go on (with the header to add), or be refused.
#[derive(Debug)]
pub(crate) struct Admission {
    /// The remaining-requests header, when throttling is on.
    pub(crate) header: Option<(&'static str, String)>,
    pub(crate) refused: Option<ArmFailure>,
}

/// Management requests received since the emulator started, by the bucket they draw on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub reads: u64,
    pub writes: u64,
    pub deletes: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Throttle {
    limits: Mutex<ArmLimits>,
    buckets: Mutex<HashMap<(String, RequestKind), Bucket>>,
    /// Reads, writes, deletes: counted whether throttling is on or off.
    received: [AtomicU64; 3],
}

impl Throttle {
    pub(crate) fn new(limits: ArmLimits) -> Self {
        Self {
            limits: Mutex::new(limits),
            buckets: Mutex::default(),
            received: Default::default(),
        }
    }

    pub(crate) fn counts(&self) -> RequestCounts {
        let count = |kind: RequestKind| self.received[kind as usize].load(Ordering::Relaxed);
        RequestCounts {
            reads: count(RequestKind::Read),
            writes: count(RequestKind::Write),
            deletes: count(RequestKind::Delete),
        }
    }

    pub(crate) fn limits(&self) -> ArmLimits {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// New limits; the buckets start full again.
    pub(crate) fn set_limits(&self, limits: ArmLimits) {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner()) = limits;
        self.buckets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Takes a token for a request of `method` to `subscription` at `now`.
    pub(crate) fn admit(&self, subscription: &str, method: &Method, now: Instant) -> Admission {
        let kind = RequestKind::of(method);
        self.received[kind as usize].fetch_add(1, Ordering::Relaxed);
        let limits = self.limits();
        if !limits.enabled {
            return Admission {
                header: None,
                refused: None,
            };
        }
        let limit = limits.limit(kind);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets
            .entry((subscription.to_ascii_lowercase(), kind))
            .or_insert(Bucket {
                tokens: f64::from(limit.burst),
                refilled_at: now,
            });
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * limit.per_second).min(f64::from(limit.burst));
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Admission {
                header: Some((kind.header(), (bucket.tokens.floor() as u64).to_string())),
                refused: None,
            };
        }
        let wait = ((1.0 - bucket.tokens) / limit.per_second).ceil().max(1.0) as u64;
        let mut failure = ArmFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "SubscriptionRequestsThrottled",
            format!(
                "Number of '{}' requests for subscription '{subscription}' exceeded the limit of {} (refilled at {} per second). Please try again after '{wait}' seconds.",
                kind.name(),
                limit.burst,
                limit.per_second
            ),
        );
        failure.retry_after = Some(wait);
        Admission {
            header: Some((kind.header(), "0".to_string())),
            refused: Some(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn small() -> ArmLimits {
        ArmLimits {
            enabled: true,
            reads: BucketLimit {
                burst: 3,
                per_second: 1.0,
            },
            ..ArmLimits::default()
        }
    }

    #[test]
    fn a_bucket_empties_then_refills_with_time() {
        let throttle = Throttle::new(small());
        let start = Instant::now();
        let remaining: Vec<String> = (0..3)
            .map(|_| {
                let a = throttle.admit("SUB", &Method::GET, start);
                assert!(a.refused.is_none());
                a.header.expect("header").1
            })
            .collect();
        assert_eq!(remaining, ["2", "1", "0"]);
        let refused = throttle.admit("sub", &Method::GET, start);
        let failure = refused.refused.expect("throttled");
        assert_eq!(failure.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(failure.retry_after, Some(1));
        // Writes and other subscriptions have buckets of their own.
        assert!(throttle.admit("sub", &Method::PUT, start).refused.is_none());
        assert!(
            throttle
                .admit("other", &Method::GET, start)
                .refused
                .is_none()
        );
        let later = start + Duration::from_secs(2);
        let again = throttle.admit("sub", &Method::GET, later);
        assert!(again.refused.is_none());
        assert_eq!(
            again.header,
            Some(("x-ms-ratelimit-remaining-subscription-reads", "1".into()))
        );
    }

    #[test]
    fn every_request_is_counted_by_kind_refused_or_not() {
        let throttle = Throttle::new(small());
        let now = Instant::now();
        for _ in 0..5 {
            throttle.admit("sub", &Method::GET, now);
        }
        throttle.admit("sub", &Method::POST, now);
        throttle.admit("sub", &Method::PUT, now);
        throttle.admit("sub", &Method::DELETE, now);
        let counts = throttle.counts();
        assert_eq!((counts.reads, counts.writes, counts.deletes), (5, 2, 1));
        throttle.set_limits(ArmLimits::off());
        throttle.admit("sub", &Method::GET, now);
        assert_eq!(throttle.counts().reads, 6);
    }

    #[test]
    fn off_means_no_refusals_and_no_headers() {
        let throttle = Throttle::new(ArmLimits::off());
        for _ in 0..1_000 {
            let a = throttle.admit("sub", &Method::DELETE, Instant::now());
            assert!(a.refused.is_none() && a.header.is_none());
        }
        assert!(ArmLimits::default().validate().is_ok());
        assert_eq!(ArmLimits::parse("OFF"), Ok(ArmLimits::off()));
        let parsed = ArmLimits::parse("reads=10/2, deletes=5/0.5").expect("valid");
        assert_eq!(parsed.reads.burst, 10);
        assert_eq!(parsed.deletes.per_second, 0.5);
        assert_eq!(parsed.writes, ArmLimits::default().writes);
        for bad in ["reads=10", "reads=x/1", "puts=1/1", "reads=0/1"] {
            assert!(ArmLimits::parse(bad).is_err(), "{bad}");
        }
        let mut zero = ArmLimits::default();
        zero.writes.burst = 0;
        assert!(zero.validate().is_err());
    }
}
