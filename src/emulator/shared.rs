//! What every request handler of the emulator shares, and how starting it can fail.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use super::faults::Faults;
use super::scoring::knobs::KnobBook;
use super::scoring::routing::{MetricsBook, RoutingTable};
use super::store::Store;
use super::throttle::Throttle;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on 127.0.0.1:{port}: {reason}")]
    Bind { port: u16, reason: String },
    #[error("seed {file}: {reason}")]
    Seed { file: String, reason: String },
    #[error("{0}")]
    Config(String),
}

/// Shared by all requests.
pub struct Emulator {
    pub token: String,
    pub(super) store: Mutex<Store>,
    pub faults: Faults,
    /// What scoring reads instead of the store.
    pub routes: RoutingTable,
    pub knobs: KnobBook,
    pub metrics: MetricsBook,
    pub request_ids: RequestIds,
    /// Mirror copies spawned and not yet served.
    pub mirrors_pending: AtomicU64,
    pub load: LoadControl,
    pub(crate) throttle: Throttle,
    /// Milliseconds every management call waits before it is answered.
    pub(crate) arm_latency_ms: AtomicU64,
    /// Seconds a minute of metrics takes to appear after it ends (Azure Monitor's delay).
    pub(crate) metrics_lag_secs: AtomicU64,
}

impl Emulator {
    /// The store, even if a handler panicked while holding it: the data is still consistent
    /// enough to serve, and one bad request must not take the emulator down.
    pub fn lock_store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Rebuilds the scoring snapshots from `store` (whose lock the caller holds).
    pub fn refresh_routes(&self, store: &Store) {
        self.routes.rebuild(store, &self.knobs, &self.metrics);
    }

    /// Rebuilds the scoring snapshots (after a knob changed).
    pub fn refresh_routes_now(&self) {
        let store = self.lock_store();
        self.refresh_routes(&store);
    }

    /// Ends the management operations that are due, if any, so scoring sees a deployment
    /// become ready (or go away) on time without waiting for a management request.
    pub fn settle_if_due(&self) {
        if self.routes.settle_due(Instant::now()) {
            let mut store = self.lock_store();
            let touched = store.settle(Instant::now());
            self.routes
                .rebuild_endpoints(&store, &self.knobs, &self.metrics, &touched);
        }
    }
}

/// The highest rate the control API and the flag accept, per endpoint.
pub(super) const MAX_RPS: f64 = 100_000.0;

/// The load generator's setting and counters, shared with the control API.
#[derive(Debug, Default)]
pub struct LoadControl {
    /// Requests per second per endpoint, as `f64` bits.
    rps_bits: AtomicU64,
    pub sent: AtomicU64,
    /// Due requests not sent because [`MAX_IN_FLIGHT`] were pending.
    pub skipped: AtomicU64,
    /// Requests that got no HTTP answer (transport errors, injected resets).
    pub failed: AtomicU64,
}

impl LoadControl {
    pub fn rps(&self) -> f64 {
        f64::from_bits(self.rps_bits.load(Ordering::Relaxed))
    }

    pub fn set_rps(&self, rps: f64) {
        let rps = if rps.is_finite() {
            rps.clamp(0.0, MAX_RPS)
        } else {
            0.0
        };
        self.rps_bits.store(rps.to_bits(), Ordering::Relaxed);
    }
}

/// GUID-shaped request ids without a random draw per request: a random prefix per emulator
/// and a counter (unique, and cheap on the hot path).
#[derive(Debug)]
pub struct RequestIds {
    prefix: String,
    counter: AtomicU64,
}

impl Default for RequestIds {
    fn default() -> Self {
        let b: [u8; 12] = rand::random();
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Self {
            prefix: format!(
                "{}-{}-4{}-8{}-",
                &hex[0..8],
                &hex[8..12],
                &hex[13..16],
                &hex[17..20]
            ),
            counter: AtomicU64::new(1),
        }
    }
}

impl RequestIds {
    pub fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{:012x}", self.prefix, n & 0xffff_ffff_ffff)
    }
}
