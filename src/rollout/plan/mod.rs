//! Rollout plans: the plan file (kept in git) and the pure engine that drives it. Given the
//! plan, its progress, what is observed (the endpoint's split, the gates' figures) and the
//! time, the engine says what to do next; the console and the headless runner both carry it
//! out through the workflow layer.

mod engine;
mod file;

pub use engine::{
    GateFigures, GateVerdict, NextAction, Observation, Phase, Progress, evaluate_gates,
    next_action, split_for_step,
};
pub use file::{
    Gates, MissingData, OnFailure, Plan, PlanError, PlanTarget, Step, StepKind, parse_plan,
};
