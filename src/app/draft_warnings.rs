//! What an operator should think twice about before applying a draft: traffic moved onto a
//! deployment with fewer instances than it leaves, or beyond what it admits at once, and
//! traffic sent to a deployment that is not in service. Warnings, never blocks: the operator
//! may know better (a warm-up, a deliberate drain).

use crate::rollout::TrafficSplit;

use super::snapshot::DeploymentView;

/// Provisioning states in which a deployment cannot be trusted with traffic.
const NOT_IN_SERVICE: [&str; 4] = ["failed", "creating", "updating", "deleting"];

/// Azure queues up to about as many requests again as an instance runs at once: beyond twice
/// its concurrency a deployment starts refusing with 429.
const ADMITTED_PER_CONCURRENT: f64 = 2.0;

fn instances(n: u32) -> String {
    format!("{n} instance{}", if n == 1 { "" } else { "s" })
}

/// The endpoint's observed live request rate per minute, when every live deployment has one.
fn live_rate(base: &TrafficSplit, deployments: &[DeploymentView]) -> Option<f64> {
    deployments
        .iter()
        .filter(|d| base.live_of(&d.name) > 0)
        .map(|d| d.metrics.as_ref().and_then(|m| m.rate_per_minute))
        .sum()
}

/// The warnings for moving an endpoint from `base` to `proposed`, in display order.
pub(crate) fn draft_warnings(
    base: &TrafficSplit,
    proposed: &TrafficSplit,
    deployments: &[DeploymentView],
) -> Vec<String> {
    let mut warnings = Vec::new();
    let leaving: Vec<&DeploymentView> = deployments
        .iter()
        .filter(|d| proposed.live_of(&d.name) < base.live_of(&d.name))
        .collect();
    let rate = live_rate(base, deployments);
    for d in deployments {
        let (before, after) = (base.live_of(&d.name), proposed.live_of(&d.name));
        let mirror_gain = proposed.mirror_of(&d.name) > base.mirror_of(&d.name);
        if (after > before || mirror_gain)
            && NOT_IN_SERVICE.contains(&d.state.to_ascii_lowercase().as_str())
        {
            warnings.push(format!("{} is {}: it may not answer", d.name, d.state));
        }
        if after <= before {
            continue;
        }
        if let Some(bigger) = leaving.iter().max_by_key(|l| l.instances)
            && d.instances < bigger.instances
        {
            warnings.push(format!(
                "{} ({}) takes live traffic from {} ({})",
                d.name,
                instances(d.instances),
                bigger.name,
                instances(bigger.instances)
            ));
        }
        // Little's law: requests in flight are the arrival rate times the time each takes.
        let latency_ms = d
            .metrics
            .as_ref()
            .and_then(|m| m.p95_ms)
            .or_else(|| leaving.iter().find_map(|l| l.metrics.as_ref()?.p95_ms));
        if let (Some(rate), Some(latency_ms), Some(per_instance)) =
            (rate, latency_ms, d.max_concurrent_requests)
        {
            let in_flight = rate / 60.0 * f64::from(after) / 100.0 * latency_ms / 1000.0;
            let admitted =
                ADMITTED_PER_CONCURRENT * f64::from(per_instance) * f64::from(d.instances);
            if in_flight > admitted {
                warnings.push(format!(
                    "{} at {after}% would hold about {in_flight:.0} requests at once; it admits {admitted:.0} (2 × {per_instance} per instance × {})",
                    d.name,
                    instances(d.instances)
                ));
            }
        }
    }
    warnings
}
