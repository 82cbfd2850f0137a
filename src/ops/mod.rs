//! The workflows, shared by the console's worker and the headless commands: create from YAML,
//! scale, change the split (with the stale guard), delete, regenerate keys, invoke, read
//! credentials, tail logs, read an endpoint's live health, compare deployments' answers, run rollout plans, check a change against the core quota. One
//! implementation; both front ends call it.
//!
//! A change runs in two steps. `prepare_*` reads what it needs, checks everything that can be
//! checked locally and returns a [`Prepared`] change: nothing has been sent yet, so the caller
//! may still ask the operator to confirm. [`Ops::apply`] then sends it, follows the operation
//! and journals the outcome, the same record whichever front end asked.

mod apply;
mod changes;
mod compare;
mod create;
mod error;
mod files;
mod health;
mod invoke;
mod logs;
mod plan;
mod quota;

pub use apply::{Applied, Ops, Prepared, Wait, WarningSink};
pub use changes::check_split;
pub use compare::{
    Answer, Case, CompareReport, DeploymentLatency, MAX_COMPARE_REQUESTS, parse_requests,
};
pub use create::DeploymentCreateOptions;
pub use error::{OpsError, OpsResult};
pub use files::read_request_file;
pub use health::{DeploymentState, EndpointHealth, HISTORY_MINUTES, health_query, series_from};
pub use invoke::{Credentials, InvokeAnswer};
pub use logs::{LogPoller, TailVerdict};
pub use plan::{
    GateReport, PlanEnd, PlanEvent, PlanRecord, PlanRun, PlanSite, describe_split, describe_step,
    plan_digest, record_json,
};
