//! Wire types to view models, sanitized: nothing remote reaches the terminal unfiltered.

use crate::app::state::{DeploymentView, EndpointView};
use crate::azure::model::{OnlineDeployment, OnlineEndpoint};
use crate::logstream::sanitize_inline;
use crate::rollout::TrafficSplit;

pub fn endpoint_view(e: &OnlineEndpoint) -> EndpointView {
    EndpointView {
        name: sanitize_inline(&e.name),
        auth_mode: sanitize_inline(&e.properties.auth_mode),
        kubernetes: e.is_kubernetes(),
        state: sanitize_inline(
            e.properties
                .provisioning_state
                .as_deref()
                .unwrap_or("Unknown"),
        ),
        split: sanitized_split(TrafficSplit::from_maps(
            e.properties.traffic.as_ref(),
            e.properties.mirror_traffic.as_ref(),
        )),
        scoring_uri: e.properties.scoring_uri.as_deref().map(sanitize_inline),
        swagger_uri: e.properties.swagger_uri.as_deref().map(sanitize_inline),
        modified: e.system_data.as_ref().and_then(|d| {
            let at = d.last_modified_at.as_deref().map(sanitize_inline);
            match (d.last_modified_by.as_deref().map(sanitize_inline), at) {
                (Some(by), Some(at)) => Some(format!("by {by} at {at}")),
                (Some(by), None) => Some(format!("by {by}")),
                (None, Some(at)) => Some(format!("at {at}")),
                (None, None) => None,
            }
        }),
        plan: plan_record(e),
    }
}

/// The plan recorded in the endpoint's tags, its remote text made safe to show. An unreadable
/// record is shown as none: `rollout status` says why.
fn plan_record(e: &OnlineEndpoint) -> Option<crate::ops::PlanRecord> {
    let mut record = crate::ops::PlanRecord::from_tags(e.tags.as_ref()?).ok()??;
    record.run = sanitize_inline(&record.run);
    record.digest = sanitize_inline(&record.digest);
    record.progress.baseline = sanitize_inline(&record.progress.baseline);
    record.progress.original = sanitized_split(record.progress.original);
    record.progress.expected = sanitized_split(record.progress.expected);
    if let crate::rollout::plan::Phase::Paused { reason }
    | crate::rollout::plan::Phase::RolledBack { reason } = &mut record.progress.phase
    {
        *reason = sanitize_inline(reason);
    }
    Some(record)
}

/// Deployment names in traffic maps are remote text too; valid names pass unchanged.
fn sanitized_split(split: TrafficSplit) -> TrafficSplit {
    let clean = |m: crate::rollout::TrafficMap| {
        m.into_iter()
            .map(|(k, v)| (sanitize_inline(&k), v))
            .collect()
    };
    TrafficSplit {
        live: clean(split.live),
        mirror: clean(split.mirror),
    }
}

pub fn deployment_view(d: &OnlineDeployment) -> DeploymentView {
    DeploymentView {
        name: sanitize_inline(&d.name),
        state: sanitize_inline(
            d.properties
                .provisioning_state
                .as_deref()
                .unwrap_or("Unknown"),
        ),
        instance_type: sanitize_inline(d.properties.instance_type.as_deref().unwrap_or("-")),
        instances: d.instance_count().map_or(0, |n| n.max(0) as u32),
        model: d
            .properties
            .model
            .as_deref()
            .map(|m| sanitize_inline(&crate::azure::model::short_asset(m))),
        max_concurrent_requests: d
            .properties
            .request_settings
            .as_ref()
            .and_then(|r| r.max_concurrent_requests_per_instance)
            .and_then(|n| u32::try_from(n).ok()),
        metrics: None,
    }
}
