//! Per-deployment behaviour knobs: how slow a deployment answers and how often it fails, so a
//! bad green can be demonstrated and tested. Set at start (`--knobs`) or through the control API.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The longest latency a knob may ask for: enough for any demo, short enough that a typo
/// cannot hold requests (and their concurrency slots) for hours.
pub const MAX_LATENCY_MS: f64 = 60_000.0;
/// Statuses a failing deployment may answer with: the scoring script's 500, the router's 424
/// for a model container error, 503 for an unavailable container, and the timeouts.
pub const ERROR_STATUSES: [u16; 6] = [408, 424, 500, 502, 503, 504];

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// Median service time in milliseconds.
    pub latency_ms: f64,
    /// Spread of the service time: the sigma of a log-normal around `latency_ms` (0 = fixed,
    /// 0.3 = a realistic tail, 1.0 = a very long tail).
    pub latency_sigma: f64,
    /// Probability (0..=1) that a request fails with `error_status`.
    pub error_rate: f64,
    pub error_status: u16,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            latency_ms: 0.0,
            latency_sigma: 0.0,
            error_rate: 0.0,
            error_status: 500,
        }
    }
}

impl Knobs {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=MAX_LATENCY_MS).contains(&self.latency_ms) {
            return Err(format!(
                "latency_ms = {}: must be between 0 and {MAX_LATENCY_MS}",
                self.latency_ms
            ));
        }
        if !(0.0..=3.0).contains(&self.latency_sigma) {
            return Err(format!(
                "latency_sigma = {}: must be between 0 and 3",
                self.latency_sigma
            ));
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(format!(
                "error_rate = {}: a probability must be between 0 and 1",
                self.error_rate
            ));
        }
        if !ERROR_STATUSES.contains(&self.error_status) {
            return Err(format!(
                "error_status = {}: must be one of {ERROR_STATUSES:?}",
                self.error_status
            ));
        }
        Ok(())
    }

    /// Applies `key=value,key=value` on top of these knobs.
    pub fn apply_assignments(mut self, assignments: &str) -> Result<Self, String> {
        for pair in assignments
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("'{pair}': expected key=value"))?;
            let number = |v: &str| -> Result<f64, String> {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("'{pair}': {v:?} is not a number"))
            };
            match key.trim() {
                "latency_ms" => self.latency_ms = number(value)?,
                "latency_sigma" => self.latency_sigma = number(value)?,
                "error_rate" => self.error_rate = number(value)?,
                "error_status" => {
                    self.error_status = value
                        .trim()
                        .parse()
                        .map_err(|_| format!("'{pair}': {value:?} is not a status code"))?;
                }
                other => {
                    return Err(format!(
                        "unknown knob '{other}' (known: latency_ms, latency_sigma, error_rate, error_status)"
                    ));
                }
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// One service time drawn from the distribution.
    pub fn draw_latency(&self) -> Duration {
        if self.latency_ms <= 0.0 {
            return Duration::ZERO;
        }
        let ms = if self.latency_sigma > 0.0 {
            self.latency_ms * (self.latency_sigma * standard_normal()).exp()
        } else {
            self.latency_ms
        };
        Duration::from_secs_f64(ms.clamp(0.0, MAX_LATENCY_MS) / 1000.0)
    }

    /// Whether this request fails (by `error_rate`).
    pub fn draw_error(&self) -> bool {
        self.error_rate > 0.0 && rand::random::<f64>() < self.error_rate
    }
}

/// Box-Muller: one standard normal variate from two uniforms (no extra dependency needed).
fn standard_normal() -> f64 {
    let u1 = rand::random::<f64>().max(f64::MIN_POSITIVE);
    let u2 = rand::random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Knobs for one deployment, from the `--knobs` flag: `[ENDPOINT/]DEPLOYMENT:key=value,...`.
#[derive(Debug, Clone, PartialEq)]
pub struct KnobSetting {
    /// `None`: the deployment of that name on every endpoint.
    pub endpoint: Option<String>,
    pub deployment: String,
    pub knobs: Knobs,
}

impl KnobSetting {
    /// Parses `[ENDPOINT/]DEPLOYMENT:key=value,...` with unnamed knobs left at `base`.
    pub fn parse(spec: &str, base: Knobs) -> Result<Self, String> {
        let (target, assignments) = spec.split_once(':').ok_or_else(|| {
            format!("'{spec}': expected [ENDPOINT/]DEPLOYMENT:key=value,... (e.g. green:latency_ms=300,error_rate=0.2)")
        })?;
        let (endpoint, deployment) = match target.split_once('/') {
            Some((e, d)) => (Some(e.trim().to_string()), d.trim()),
            None => (None, target.trim()),
        };
        if deployment.is_empty() || endpoint.as_deref().is_some_and(str::is_empty) {
            return Err(format!(
                "'{spec}': the deployment (and endpoint, if given) must be named"
            ));
        }
        let knobs = base
            .apply_assignments(assignments)
            .map_err(|e| format!("'{spec}': {e}"))?;
        Ok(Self {
            endpoint,
            deployment: deployment.to_string(),
            knobs,
        })
    }
}

/// Wildcard endpoint in [`KnobBook`] keys.
pub const ANY_ENDPOINT: &str = "*";

/// Every knob setting, by (endpoint, deployment), lower-cased; endpoint `*` means any. Knobs
/// are kept by name, not on the deployment, so they can be set before a deployment exists
/// (set green's knobs, then create green) and survive a delete and re-create.
#[derive(Debug)]
pub struct KnobBook {
    default: Knobs,
    by_target: RwLock<BTreeMap<(String, String), Knobs>>,
}

impl KnobBook {
    pub fn new(default: Knobs, settings: &[KnobSetting]) -> Self {
        let by_target = settings
            .iter()
            .map(|s| {
                (
                    key(s.endpoint.as_deref().unwrap_or(ANY_ENDPOINT), &s.deployment),
                    s.knobs,
                )
            })
            .collect();
        Self {
            default,
            by_target: RwLock::new(by_target),
        }
    }

    /// The knobs in force for a deployment: its own, else its name's on any endpoint, else
    /// the default.
    pub fn resolve(&self, endpoint: &str, deployment: &str) -> Knobs {
        let Ok(map) = self.by_target.read() else {
            return self.default;
        };
        map.get(&key(endpoint, deployment))
            .or_else(|| map.get(&key(ANY_ENDPOINT, deployment)))
            .copied()
            .unwrap_or(self.default)
    }

    /// The setting stored for exactly this target, if any.
    pub fn get(&self, endpoint: &str, deployment: &str) -> Option<Knobs> {
        self.by_target
            .read()
            .ok()?
            .get(&key(endpoint, deployment))
            .copied()
    }

    pub fn set(&self, endpoint: &str, deployment: &str, knobs: Knobs) {
        if let Ok(mut map) = self.by_target.write() {
            map.insert(key(endpoint, deployment), knobs);
        }
    }

    /// Forgets a target's setting; returns whether there was one.
    pub fn remove(&self, endpoint: &str, deployment: &str) -> bool {
        self.by_target
            .write()
            .map(|mut map| map.remove(&key(endpoint, deployment)).is_some())
            .unwrap_or(false)
    }

    pub fn default_knobs(&self) -> Knobs {
        self.default
    }

    /// Every explicit setting as ((endpoint, deployment), knobs).
    pub fn all(&self) -> Vec<((String, String), Knobs)> {
        self.by_target
            .read()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default()
    }
}

fn key(endpoint: &str, deployment: &str) -> (String, String) {
    (endpoint.to_lowercase(), deployment.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_flag_with_and_without_an_endpoint() {
        let s = KnobSetting::parse("green:latency_ms=300,error_rate=0.2", Knobs::default())
            .expect("valid");
        assert_eq!(s.endpoint, None);
        assert_eq!(s.deployment, "green");
        assert_eq!(s.knobs.latency_ms, 300.0);
        assert_eq!(s.knobs.error_rate, 0.2);
        assert_eq!(s.knobs.error_status, 500);
        let s = KnobSetting::parse("my-endpoint/blue:error_status=503", Knobs::default())
            .expect("valid");
        assert_eq!(s.endpoint.as_deref(), Some("my-endpoint"));
        assert_eq!(s.knobs.error_status, 503);
    }

    #[test]
    fn refuses_bad_knobs() {
        for bad in [
            "green",
            ":latency_ms=1",
            "green:latency=1",
            "green:error_rate=2",
            "green:error_status=200",
            "green:latency_ms=abc",
            "green:latency_ms=-1",
        ] {
            assert!(
                KnobSetting::parse(bad, Knobs::default()).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn resolves_specific_then_wildcard_then_default() {
        let default = Knobs {
            latency_ms: 5.0,
            ..Knobs::default()
        };
        let book = KnobBook::new(
            default,
            &[KnobSetting::parse("green:latency_ms=300", Knobs::default()).expect("valid")],
        );
        assert_eq!(book.resolve("ep", "GREEN").latency_ms, 300.0);
        assert_eq!(book.resolve("ep", "blue").latency_ms, 5.0);
        book.set("ep", "green", Knobs::default());
        assert_eq!(book.resolve("EP", "green").latency_ms, 0.0);
        assert_eq!(book.resolve("other", "green").latency_ms, 300.0);
        assert!(book.remove("ep", "green"));
        assert_eq!(book.resolve("ep", "green").latency_ms, 300.0);
    }

    #[test]
    fn latency_draws_centre_on_the_median() {
        let knobs = Knobs {
            latency_ms: 100.0,
            latency_sigma: 0.5,
            ..Knobs::default()
        };
        let mut draws: Vec<f64> = (0..2001)
            .map(|_| knobs.draw_latency().as_secs_f64() * 1000.0)
            .collect();
        draws.sort_by(f64::total_cmp);
        let median = draws[1000];
        assert!((70.0..140.0).contains(&median), "median {median}");
        let fixed = Knobs {
            latency_ms: 40.0,
            ..Knobs::default()
        };
        assert_eq!(fixed.draw_latency(), Duration::from_millis(40));
    }
}
