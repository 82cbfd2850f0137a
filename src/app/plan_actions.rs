//! The console's rollout plans: open one for the selected deployment, preview it, start it,
//! and a person's word to it (pause, resume, promote, abort). The worker drives the plan
//! through the same workflows as `rollout run`; its events come back here.

use std::path::PathBuf;

use super::dialogs::{ConfirmPlan, Dialog, PlanControl, PlanOpen, PlanPreview};
use super::effects::{refuse_read_only, toast};
use super::ids::RequestId;
use super::msg::{Cmd, PlanRunHow};
use super::plans::{PlanPanel, PlanStatus, default_plan_text, step_text};
use super::state::{AppState, ToastLevel};
use crate::logstream::sanitize_inline;
use crate::ops::{OpsError, PlanEnd, PlanEvent};
use crate::rollout::default_baseline;
use crate::rollout::plan::{Plan, PlanTarget, parse_plan};

/// How the seed's plan is named where a file's path would be.
const SEED_PLAN: &str = "the seed's plan";

/// A plan this console drives and that may still change traffic (running, or being aborted):
/// quitting asks first.
pub(crate) fn running_plan(state: &AppState) -> Option<&PlanPanel> {
    state
        .ui
        .plan
        .as_ref()
        .filter(|p| p.status.is_active() || p.status == PlanStatus::Aborting)
}

/// `p` or `:plan [file]`: the dialog for the selected deployment, or straight to the preview
/// of `file`.
pub(super) fn open(state: &mut AppState, file: Option<PathBuf>) -> Vec<Cmd> {
    if refuse_read_only(state, "running a rollout plan") {
        return Vec::new();
    }
    let (Some(ep), Some(d)) = (
        state.selected_endpoint().cloned(),
        state.selected_deployment().cloned(),
    ) else {
        toast(
            state,
            ToastLevel::Error,
            "select the deployment to roll out first",
        );
        return Vec::new();
    };
    if let Some(running) = running_plan(state) {
        let text = format!(
            "a plan already runs from this console on {}: one at a time",
            running.endpoint
        );
        toast(state, ToastLevel::Error, text);
        return Vec::new();
    }
    match file {
        Some(file) => preview(state, &ep.name, &d.name, Some(file)),
        None => {
            state.ui.dialog = Some(Dialog::PlanOpen(PlanOpen::new(
                ep.name,
                d.name,
                String::new(),
            )));
            Vec::new()
        }
    }
}

/// The preview of a plan file (read by the worker first) or of the seed's plan.
pub(super) fn preview(
    state: &mut AppState,
    endpoint: &str,
    deployment: &str,
    file: Option<PathBuf>,
) -> Vec<Cmd> {
    match file {
        Some(file) => {
            let request = state.requests.request();
            state.requests.awaited_plan_file = Some(request);
            vec![Cmd::ReadPlanFile {
                request,
                endpoint: endpoint.to_string(),
                file,
            }]
        }
        None => {
            let baseline = state
                .azure
                .endpoint(endpoint)
                .and_then(|ep| default_baseline(&ep.split.normalized().live))
                .filter(|b| !b.eq_ignore_ascii_case(deployment))
                .unwrap_or_else(|| "blue".to_string());
            let text = default_plan_text(deployment, &baseline);
            show_preview(state, endpoint, SEED_PLAN.to_string(), text);
            Vec::new()
        }
    }
}

pub(super) fn on_file_read(
    state: &mut AppState,
    request: RequestId,
    endpoint: &str,
    file: String,
    result: Result<String, OpsError>,
) {
    if state.requests.awaited_plan_file != Some(request) {
        return;
    }
    state.requests.awaited_plan_file = None;
    match result {
        Ok(text) => show_preview(state, endpoint, file, text),
        Err(e) => {
            let text = sanitize_inline(&format!("cannot read the plan {file}: {e}"));
            toast(state, ToastLevel::Error, text);
        }
    }
}

/// Checks the plan against the endpoint as the console knows it; the preview shows the plan
/// or why it is refused. Nothing is sent either way.
fn show_preview(state: &mut AppState, endpoint: &str, file: String, text: String) {
    let checked = check(state, endpoint, &file, &text);
    state.ui.dialog = Some(Dialog::PlanPreview(PlanPreview {
        endpoint: endpoint.to_string(),
        file,
        text,
        checked,
    }));
}

fn check(
    state: &AppState,
    endpoint: &str,
    file: &str,
    text: &str,
) -> Result<(Plan, String), String> {
    let ep = state
        .azure
        .endpoint(endpoint)
        .ok_or_else(|| format!("{endpoint} is not in the workspace any more"))?;
    if let Some(record) = ep.plan.as_ref().filter(|r| r.is_active()) {
        return Err(format!(
            "a rollout already runs on {endpoint}: {}",
            record.describe()
        ));
    }
    let deployments: Vec<String> = state
        .azure
        .deployments_of(&ep.name)
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let target = PlanTarget {
        deployments: &deployments,
        kubernetes: ep.kubernetes,
    };
    let plan = parse_plan(file, text, &target).map_err(|e| sanitize_inline(&e.to_string()))?;
    let baseline = match &plan.baseline {
        Some(named) => named.clone(),
        None => default_baseline(&ep.split.normalized().live)
            .filter(|b| !b.eq_ignore_ascii_case(&plan.deployment))
            .ok_or_else(|| {
                format!(
                    "no deployment other than {} takes live traffic on {endpoint}: name the baseline in the plan",
                    plan.deployment
                )
            })?,
    };
    Ok((plan, baseline))
}

pub(super) fn start(
    state: &mut AppState,
    endpoint: String,
    file: String,
    text: String,
    plan: Plan,
    baseline: String,
) -> Vec<Cmd> {
    if refuse_read_only(state, "running a rollout plan") {
        return Vec::new();
    }
    let driver = state.requests.request();
    let mut panel = PlanPanel::new(endpoint.clone(), file.clone(), text.clone(), plan, baseline);
    panel.driver = Some(driver);
    state.ui.plan = Some(panel);
    vec![Cmd::RunPlan {
        driver,
        endpoint,
        file,
        text,
        how: PlanRunHow::Start,
    }]
}

fn no_plan(state: &mut AppState) {
    let text = match state.selected_endpoint().and_then(|e| e.plan.as_ref()) {
        Some(r) if r.is_active() => {
            "this plan was started elsewhere: it is shown read-only (rollout pause|promote|abort drive it)"
        }
        _ => "no plan of this console runs here: p opens one",
    };
    toast(state, ToastLevel::Info, text);
}

/// `P`: pause a running plan, or resume a paused (or stopped) one.
pub(super) fn pause_or_resume(state: &mut AppState) -> Vec<Cmd> {
    if refuse_read_only(state, "driving a rollout plan") {
        return Vec::new();
    }
    let Some(panel) = state.own_plan().cloned() else {
        no_plan(state);
        return Vec::new();
    };
    match &panel.status {
        status if status.is_active() => vec![Cmd::PausePlan {
            endpoint: panel.endpoint,
        }],
        PlanStatus::Paused { .. } | PlanStatus::Failed { .. } => {
            let driver = state.requests.request();
            if let Some(p) = state.ui.plan.as_mut() {
                p.driver = Some(driver);
                p.status = PlanStatus::Starting;
            }
            vec![Cmd::RunPlan {
                driver,
                endpoint: panel.endpoint,
                file: panel.file,
                text: panel.text,
                how: PlanRunHow::Resume,
            }]
        }
        PlanStatus::Aborting => {
            toast(state, ToastLevel::Info, "the plan is being aborted");
            Vec::new()
        }
        _ => {
            toast(state, ToastLevel::Info, "the plan has ended");
            Vec::new()
        }
    }
}

/// `Y` and `X`: promote and abort change traffic, so each asks first.
pub(super) fn ask(state: &mut AppState, control: PlanControl) -> Vec<Cmd> {
    if refuse_read_only(state, "driving a rollout plan") {
        return Vec::new();
    }
    let Some(panel) = state.own_plan().cloned() else {
        no_plan(state);
        return Vec::new();
    };
    let next = panel
        .plan
        .steps
        .get(panel.step + 1)
        .map(|s| step_text(&s.kind))
        .unwrap_or_else(|| "the end of the plan".to_string());
    let consequence = match (control, &panel.status) {
        (_, PlanStatus::Aborting) => {
            toast(state, ToastLevel::Info, "the plan is being aborted");
            return Vec::new();
        }
        (PlanControl::Promote, PlanStatus::Baking { .. }) => format!(
            "Skip the rest of step {}'s bake (its gates are not checked): the plan goes on to {next}.",
            panel.step + 1
        ),
        (PlanControl::Promote, PlanStatus::AwaitingApproval { prompt }) => {
            format!("Approve \"{prompt}\": the plan goes on to {next}.")
        }
        (PlanControl::Promote, _) => {
            toast(
                state,
                ToastLevel::Info,
                "promote works while a step bakes or waits for approval",
            );
            return Vec::new();
        }
        (PlanControl::Abort, status) if !status.is_finished() => format!(
            "Roll {} back to the split the plan began with, mirror included; the plan ends.",
            panel.endpoint
        ),
        (PlanControl::Abort, _) => {
            toast(state, ToastLevel::Info, "the plan has ended");
            return Vec::new();
        }
    };
    state.ui.dialog = Some(Dialog::ConfirmPlan(ConfirmPlan {
        guard: Default::default(),
        endpoint: panel.endpoint,
        control,
        consequence,
    }));
    Vec::new()
}

/// A confirmed promote or abort.
pub(super) fn control(state: &mut AppState, endpoint: &str, control: PlanControl) -> Vec<Cmd> {
    let Some(panel) = state
        .ui
        .plan
        .as_ref()
        .filter(|p| p.endpoint.eq_ignore_ascii_case(endpoint))
        .cloned()
    else {
        return Vec::new();
    };
    let approving = matches!(panel.status, PlanStatus::AwaitingApproval { .. });
    let (file, text, endpoint) = (panel.file, panel.text, panel.endpoint);
    if control == PlanControl::Promote && !approving {
        // The running runner sees the request in the endpoint's tag at its next look.
        return vec![Cmd::PromotePlan {
            endpoint,
            file,
            text,
        }];
    }
    // A new driver: for an abort, the runner's own end (it sees the pause the abort writes
    // first) no longer counts.
    let driver = state.requests.request();
    if let Some(p) = state.ui.plan.as_mut() {
        p.driver = Some(driver);
        if control == PlanControl::Abort {
            p.status = PlanStatus::Aborting;
        }
    }
    match control {
        PlanControl::Promote => vec![Cmd::RunPlan {
            driver,
            endpoint,
            file,
            text,
            how: PlanRunHow::Approve,
        }],
        PlanControl::Abort => vec![Cmd::AbortPlan { driver, endpoint }],
    }
}

pub(super) fn on_event(state: &mut AppState, endpoint: &str, event: &PlanEvent) {
    super::log_actions::mark_plan_event(state, endpoint, event);
    if let Some(panel) = state
        .ui
        .plan
        .as_mut()
        .filter(|p| p.endpoint.eq_ignore_ascii_case(endpoint))
    {
        panel.on_event(event);
    }
}

/// A runner (or an abort) stopped; only the one that drives the plan now counts.
pub(super) fn on_ended(
    state: &mut AppState,
    driver: RequestId,
    result: Result<PlanEnd, OpsError>,
) -> Vec<Cmd> {
    let Some(panel) = state.ui.plan.as_mut().filter(|p| p.driver == Some(driver)) else {
        return Vec::new();
    };
    panel.driver = None;
    let (level, text) = match result {
        Ok(PlanEnd::Done) => {
            panel.status = PlanStatus::Done;
            (ToastLevel::Success, "rollout plan done".to_string())
        }
        Ok(PlanEnd::RolledBack { reason }) => {
            panel.status = PlanStatus::RolledBack {
                reason: sanitize_inline(&reason),
            };
            (ToastLevel::Error, format!("rolled back: {reason}"))
        }
        Ok(PlanEnd::RollbackUnverified { reason }) => {
            panel.status = PlanStatus::Failed {
                error: sanitize_inline(&reason),
            };
            (ToastLevel::Error, reason)
        }
        Ok(PlanEnd::Paused { reason }) => {
            if !panel.status.is_finished() {
                panel.status = PlanStatus::Paused {
                    reason: sanitize_inline(&reason),
                };
            }
            (ToastLevel::Info, format!("plan paused: {reason}"))
        }
        Ok(PlanEnd::AwaitingApproval { prompt }) => {
            panel.status = PlanStatus::AwaitingApproval {
                prompt: sanitize_inline(&prompt),
            };
            (
                ToastLevel::Info,
                format!("the plan waits for approval: {prompt} (Y approves)"),
            )
        }
        Ok(PlanEnd::TakenOver { by }) => {
            let error = format!("another runner ({by}) drives the plan now");
            panel.status = PlanStatus::Failed {
                error: sanitize_inline(&error),
            };
            (ToastLevel::Info, error)
        }
        Ok(PlanEnd::Detached { .. }) => (ToastLevel::Info, "the plan bakes".to_string()),
        Err(e) => {
            let error = sanitize_inline(&e.to_string());
            panel.status = PlanStatus::Failed {
                error: error.clone(),
            };
            (
                ToastLevel::Error,
                format!("the plan stopped: {error} (P resumes it)"),
            )
        }
    };
    toast(state, level, sanitize_inline(&text));
    // The endpoint's split and record changed: show them.
    super::effects::request_refresh(state)
}
