//! Rollout plans run through the workflow layer: the engine (in `rollout::plan`) says what to
//! do next; this carries it out, records the progress on the endpoint's tags (so any console or
//! job sees it, and a new runner resumes it) and appends each step to the flight recorder.

mod control;
mod flight;
mod record;
mod runner;

pub use control::{PlanSite, record_json};
pub use record::{PlanRecord, plan_digest};
pub use runner::{GateReport, PlanEnd, PlanEvent, PlanRun, describe_split, describe_step};
