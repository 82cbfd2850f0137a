//! Pure logic for blue/green rollouts on Azure Machine Learning online endpoints.
//!
//! Nothing in this module performs I/O: it parses and renders az-style traffic maps
//! (`traffic`), checks names and proposed splits against Azure's rules (`rules`, `names`),
//! moves the console's sliders (`rebalance`), explains a change (`diff`) and judges live health
//! against a baseline (`health`), compares two deployments' answers (`answers`) and checks planned cores against
//! the region's quota (`quota`).
//!
//! Convention: every [`TrafficMap`] key is a lower-cased deployment name, because Azure treats
//! names case-insensitively and the az CLI lower-cases keys before sending them.

mod answers;
mod change;
mod diff;
mod duration;
mod health;
mod names;
pub mod plan;
mod quota;
mod rebalance;
mod rules;
mod split;
mod traffic;

pub use answers::{JsonDifference, diff_json, latency_summary};
pub use change::{
    Change, ChangeKind, KeySlot, MAX_INSTANCES, MIN_INSTANCES, check_instance_count, shell_quote,
    split_value,
};
pub use diff::{DiffRow, SplitDiff, SplitState, az_update_command, diff_split};
pub use duration::{DurationError, parse_duration};
pub use health::{
    Comparison, DataAnchor, DeploymentHealth, HealthReport, HealthSeries, HealthThresholds,
    Percentile, StatusClass, Verdict, Window, WindowStats, assess, default_baseline,
};
pub use names::{InvalidName, NameKind, NameProblem, arm_segment_problem, validate_name};
pub use quota::{
    FamilyQuota, Footprint, PlannedCores, QuotaCheck, QuotaFigures, VmSize, check_quota,
};
pub use rebalance::{NudgeOutcome, nudge_live, nudge_mirror};
pub use rules::{MAX_MIRROR_PERCENT, RuleViolation, SplitProposal, TrafficKind, validate_split};
pub use split::TrafficSplit;
pub use traffic::{ParseError, TrafficMap, format_traffic, parse_traffic};
