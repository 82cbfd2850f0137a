//! Fault injection, for reliability tests and demos: throttling, server errors, dropped
//! connections, stalls and failed operations, on the management plane and on scoring apart.

use std::sync::RwLock;
use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::reply::ArmFailure;

/// Probabilities (0.0..=1.0) of each fault on one class of routes. All zero by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRates {
    /// 429 with `Retry-After`.
    pub throttle: f64,
    /// 500 or 503 (half each).
    pub server_error: f64,
    /// The connection is closed without an answer.
    pub reset: f64,
    /// The answer is held back for `stall_ms` first.
    pub stall: f64,
    pub stall_ms: u64,
    /// Seconds in `Retry-After` of an injected 429.
    pub retry_after_secs: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultProfile {
    pub management: FaultRates,
    pub scoring: FaultRates,
    /// Probability that a long-running operation ends `Failed`.
    pub lro_failure: f64,
}

impl FaultProfile {
    pub fn validate(&self) -> Result<(), String> {
        let all = [
            ("management.throttle", self.management.throttle),
            ("management.server_error", self.management.server_error),
            ("management.reset", self.management.reset),
            ("management.stall", self.management.stall),
            ("scoring.throttle", self.scoring.throttle),
            ("scoring.server_error", self.scoring.server_error),
            ("scoring.reset", self.scoring.reset),
            ("scoring.stall", self.scoring.stall),
            ("lro_failure", self.lro_failure),
        ];
        for (name, p) in all {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "{name} = {p}: a probability must be between 0 and 1"
                ));
            }
        }
        Ok(())
    }
}

/// What to do to one request.
#[derive(Debug, Clone)]
pub enum Fault {
    Fail(ArmFailure),
    Reset,
    Stall(Duration),
}

#[derive(Debug, Default)]
pub struct Faults {
    profile: RwLock<FaultProfile>,
}

impl Faults {
    pub fn new(profile: FaultProfile) -> Self {
        Self {
            profile: RwLock::new(profile),
        }
    }

    pub fn profile(&self) -> FaultProfile {
        self.profile.read().map(|p| p.clone()).unwrap_or_default()
    }

    pub fn set(&self, profile: FaultProfile) {
        if let Ok(mut p) = self.profile.write() {
            *p = profile;
        }
    }

    fn draw(rates: &FaultRates) -> Option<Fault> {
        let roll = |p: f64| p > 0.0 && rand::random::<f64>() < p;
        if roll(rates.reset) {
            return Some(Fault::Reset);
        }
        if roll(rates.throttle) {
            let mut f = ArmFailure::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "The request was throttled (injected fault); retry after the delay in Retry-After.",
            );
            f.retry_after = Some(rates.retry_after_secs);
            return Some(Fault::Fail(f));
        }
        if roll(rates.server_error) {
            let status = if rand::random::<bool>() {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            return Some(Fault::Fail(ArmFailure::new(
                status,
                "InternalServerError",
                "The service failed to handle the request (injected fault).",
            )));
        }
        if roll(rates.stall) {
            return Some(Fault::Stall(Duration::from_millis(rates.stall_ms)));
        }
        None
    }

    /// A fault for a management request, if the dice say so. Resets and stalls are carried
    /// out by the HTTP layer; this returns them as a failure-free `Ok` after recording them.
    pub fn management(&self) -> Option<Fault> {
        Self::draw(&self.profile.read().ok()?.management)
    }

    pub fn scoring(&self) -> Option<Fault> {
        Self::draw(&self.profile.read().ok()?.scoring)
    }

    pub fn lro_failure_probability(&self) -> f64 {
        self.profile.read().map(|p| p.lro_failure).unwrap_or(0.0)
    }
}
