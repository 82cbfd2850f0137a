//! Traffic drafts: nudging the sliders, validating, confirming, applying and what comes back
//! when the service says the split changed meanwhile.

use std::collections::BTreeMap;

use super::dialogs::{ConfirmApply, Dialog, Stale};
use super::draft_warnings::draft_warnings;
use super::effects::{refuse_read_only, start_operation, toast};
use super::ids::OpId;
use super::msg::Cmd;
use super::refresh;
use super::state::{AppState, Draft, OperationKind, SliderMode, ToastLevel};
use crate::rollout::{
    SplitProposal, TrafficMap, TrafficSplit, format_traffic, nudge_live, nudge_mirror,
    validate_split,
};

/// The message when an endpoint's draft cannot change because its apply is running.
pub(super) const APPLYING: &str = "an apply of this endpoint is running; wait for it";

/// Makes `proposed` the endpoint's draft (or drops the draft if it changes nothing). Refused
/// (false, with a toast) while that endpoint's draft is being applied: the running apply
/// would otherwise remove the new draft when it lands.
pub(super) fn start_draft(
    state: &mut AppState,
    endpoint: &str,
    base: TrafficSplit,
    proposed: TrafficSplit,
    note: &str,
) -> bool {
    let key = endpoint.to_lowercase();
    if state.ui.drafts.get(&key).is_some_and(|d| d.applying) {
        toast(state, ToastLevel::Info, APPLYING);
        return false;
    }
    if proposed.normalized() == base.normalized() {
        state.ui.drafts.remove(&key);
        return true;
    }
    state.ui.drafts.insert(
        key,
        Draft {
            base,
            proposed,
            notes: vec![note.to_string()],
            applying: false,
            warning: None,
        },
    );
    true
}

pub(super) fn nudge(state: &mut AppState, delta: i32) -> Vec<Cmd> {
    if refuse_read_only(state, "changing traffic") {
        return Vec::new();
    }
    let (Some(ep), Some(d)) = (
        state.selected_endpoint().cloned(),
        state.selected_deployment().cloned(),
    ) else {
        return Vec::new();
    };
    let key = ep.name.to_lowercase();
    if state.ui.drafts.get(&key).is_some_and(|d| d.applying) {
        toast(state, ToastLevel::Info, APPLYING);
        return Vec::new();
    }
    let (base, current, notes, warning) = match state.ui.drafts.get(&key) {
        Some(draft) => (
            draft.base.clone(),
            draft.proposed.clone(),
            draft.notes.clone(),
            draft.warning.clone(),
        ),
        None => (ep.split.clone(), ep.split.clone(), Vec::new(), None),
    };
    let names: Vec<String> = state
        .azure
        .deployments_of(&ep.name)
        .iter()
        .map(|x| x.name.to_lowercase())
        .collect();
    let target = d.name.to_lowercase();
    let proposed = match state.ui.slider_mode {
        SliderMode::Live => {
            // A mirror cleared by live traffic is explained by the diff itself, in the panel
            // and the confirmation: no note of its own, no toast.
            let outcome = nudge_live(&current.live, &current.mirror, &names, &target, delta);
            TrafficSplit {
                live: outcome.live,
                mirror: outcome.mirror,
            }
        }
        SliderMode::Mirror => {
            match nudge_mirror(
                &current.live,
                &current.mirror,
                &target,
                delta,
                ep.kubernetes,
            ) {
                Ok(mirror) => TrafficSplit {
                    live: current.live.clone(),
                    mirror,
                },
                Err(reason) => {
                    toast(
                        state,
                        ToastLevel::Error,
                        format!("mirror refused: {reason}"),
                    );
                    return Vec::new();
                }
            }
        }
    };
    if proposed.normalized() == base.normalized() {
        state.ui.drafts.remove(&key);
    } else {
        state.ui.drafts.insert(
            key,
            Draft {
                base,
                proposed,
                notes,
                applying: false,
                warning,
            },
        );
    }
    Vec::new()
}

/// Drafts all live traffic to the selected deployment (its mirror cleared, as Azure requires)
/// and opens the review.
pub(super) fn all_traffic_to_selected(state: &mut AppState) {
    if refuse_read_only(state, "changing traffic") {
        return;
    }
    let (Some(ep), Some(d)) = (
        state.selected_endpoint().cloned(),
        state.selected_deployment().cloned(),
    ) else {
        return;
    };
    let base = state
        .draft_of(&ep.name)
        .map(|d| d.base.clone())
        .unwrap_or_else(|| ep.split.clone());
    let current = state.shown_split(&ep);
    let target = d.name.to_lowercase();
    let live: TrafficMap = state
        .azure
        .deployments_of(&ep.name)
        .iter()
        .map(|x| {
            let name = x.name.to_lowercase();
            let share = if name == target { 100 } else { 0 };
            (name, share)
        })
        .collect();
    let mut mirror = current.mirror.clone();
    mirror.retain(|name, _| !name.eq_ignore_ascii_case(&target));
    let proposed = TrafficSplit { live, mirror };
    if proposed.normalized() == base.normalized() {
        toast(
            state,
            ToastLevel::Info,
            format!("{} already takes all live traffic", d.name),
        );
        return;
    }
    let note = format!("all live traffic to {}", d.name);
    if start_draft(state, &ep.name, base, proposed, &note) {
        open_apply_confirmation(state);
    }
}

pub(super) fn violations_of(state: &AppState, endpoint: &str, split: &TrafficSplit) -> Vec<String> {
    let to_i64 = |m: &TrafficMap| -> BTreeMap<String, i64> {
        m.iter().map(|(k, v)| (k.clone(), i64::from(*v))).collect()
    };
    let names: Vec<String> = state
        .azure
        .deployments_of(endpoint)
        .iter()
        .map(|d| d.name.to_lowercase())
        .collect();
    let kubernetes = state.azure.endpoint(endpoint).is_some_and(|e| e.kubernetes);
    let live = to_i64(&split.live);
    let mirror = to_i64(&split.mirror);
    validate_split(&SplitProposal {
        traffic: &live,
        mirror: &mirror,
        deployments: &names,
        kubernetes,
    })
    .into_iter()
    .map(|v| v.to_string())
    .collect()
}

/// Reviews the selected endpoint's draft.
pub(super) fn open_apply_confirmation(state: &mut AppState) {
    if let Some(name) = state.selected_endpoint().map(|e| e.name.clone()) {
        confirm_draft_of(state, &name);
    }
}

/// Opens the confirmation of `endpoint`'s draft (diff and az command), if it is valid.
pub(super) fn confirm_draft_of(state: &mut AppState, endpoint: &str) {
    if refuse_read_only(state, "applying traffic changes") {
        return;
    }
    let Some(draft) = state.draft_of(endpoint).cloned() else {
        toast(
            state,
            ToastLevel::Info,
            "no draft: move a slider (←/→) or use : traffic …",
        );
        return;
    };
    if draft.applying {
        toast(state, ToastLevel::Info, "this draft is being applied");
        return;
    }
    let violations = violations_of(state, endpoint, &draft.proposed);
    if let Some(first) = violations.first() {
        toast(state, ToastLevel::Error, format!("not valid: {first}"));
        return;
    }
    state.ui.dialog = Some(Dialog::ConfirmApply(ConfirmApply {
        guard: Default::default(),
        endpoint: endpoint.to_string(),
        diff: draft.diff(),
        az_command: draft.az_command(endpoint),
        warnings: draft_warnings(
            &draft.base,
            &draft.proposed,
            state.azure.deployments_of(endpoint),
        ),
        warning: draft.warning.clone(),
        from_command: false,
    }));
}

/// Drafts what a `:` command asks for and opens its review; cancelling the review undoes the
/// command (the endpoint's earlier draft comes back, or none), so one esc is enough.
pub(super) fn draft_from_command(
    state: &mut AppState,
    endpoint: &str,
    base: TrafficSplit,
    proposed: TrafficSplit,
    note: &str,
) {
    let key = endpoint.to_lowercase();
    let before = state.ui.drafts.get(&key).cloned();
    if !start_draft(state, endpoint, base, proposed, note) {
        return;
    }
    confirm_draft_of(state, endpoint);
    if let Some(Dialog::ConfirmApply(dialog)) = &mut state.ui.dialog {
        dialog.from_command = true;
        state.ui.before_command = Some((key, before));
    }
}

/// Undoes the `:` command whose review was cancelled.
pub(super) fn cancel_command(state: &mut AppState, endpoint: &str) {
    let key = endpoint.to_lowercase();
    match state.ui.before_command.take() {
        Some((for_endpoint, before)) if for_endpoint == key => {
            match before {
                Some(draft) => state.ui.drafts.insert(key, draft),
                None => state.ui.drafts.remove(&key),
            };
            toast(state, ToastLevel::Info, "command cancelled");
        }
        _ => {}
    }
}

/// After a reload: a draft whose endpoint's traffic someone else changed follows their new
/// split, says so, and keeps what the operator asked for. A draft that is now the endpoint's
/// traffic is done. Drafts being applied are left alone: the change seen is probably theirs.
pub(super) fn follow_new_bases(state: &mut AppState) {
    let mut done = Vec::new();
    for ep in &state.azure.endpoints {
        let key = ep.name.to_lowercase();
        let Some(draft) = state.ui.drafts.get_mut(&key) else {
            continue;
        };
        let now = ep.split.normalized();
        if draft.applying || draft.base.normalized() == now {
            continue;
        }
        if draft.proposed.normalized() == now {
            done.push(ep.name.clone());
            state.ui.drafts.remove(&key);
            continue;
        }
        draft.warning = Some(format!(
            "traffic changed meanwhile (was {}, now {}): your draft now applies on top of it",
            describe_split(&draft.base),
            describe_split(&ep.split)
        ));
        draft.base = ep.split.clone();
        let review = (
            draft.diff(),
            draft.az_command(&ep.name),
            draft.warning.clone(),
        );
        if let Some(Dialog::ConfirmApply(dialog)) = &mut state.ui.dialog
            && dialog.endpoint.eq_ignore_ascii_case(&ep.name)
        {
            (dialog.diff, dialog.az_command, dialog.warning) = review;
        }
    }
    for name in done {
        if let Some(Dialog::ConfirmApply(dialog)) = &state.ui.dialog
            && dialog.endpoint.eq_ignore_ascii_case(&name)
        {
            state.ui.dialog = None;
        }
        toast(
            state,
            ToastLevel::Info,
            format!("{name}: your draft is already in effect (traffic changed meanwhile)"),
        );
    }
}

pub(super) fn confirm_apply(state: &mut AppState, endpoint: &str) -> Vec<Cmd> {
    let key = endpoint.to_lowercase();
    let Some(draft) = state.ui.drafts.get(&key).cloned() else {
        return Vec::new();
    };
    let op = start_operation(state, OperationKind::Traffic, endpoint.to_string());
    if let Some(o) = state.ui.operations.iter_mut().find(|o| o.id == op) {
        o.split_change = Some((draft.base.clone(), draft.proposed.clone()));
    }
    if let Some(d) = state.ui.drafts.get_mut(&key) {
        d.applying = true;
    }
    vec![Cmd::ApplySplit {
        op,
        endpoint: endpoint.to_string(),
        base: draft.base,
        target: draft.proposed,
    }]
}

pub(super) fn on_stale(
    state: &mut AppState,
    op: OpId,
    endpoint: String,
    theirs: TrafficSplit,
) -> Vec<Cmd> {
    if let Some(view) = state.ui.operations.iter_mut().find(|o| o.id == op) {
        view.outcome = Some(Err("not sent: traffic changed meanwhile".to_string()));
        view.finished_at = Some(state.now);
        view.state = "Not sent".to_string();
    }
    let key = endpoint.to_lowercase();
    let Some(draft) = state.ui.drafts.get_mut(&key) else {
        return Vec::new();
    };
    draft.applying = false;
    let (base, yours) = (draft.base.clone(), draft.proposed.clone());
    if theirs.normalized() == yours.normalized() {
        // Typically an earlier apply of this very draft that failed late but did land.
        state.ui.drafts.remove(&key);
        if let Some(view) = state.ui.operations.iter_mut().find(|o| o.id == op) {
            view.outcome = Some(Ok("already in effect".to_string()));
            view.state = "Already in effect".to_string();
        }
        toast(
            state,
            ToastLevel::Success,
            format!(
                "{endpoint}: traffic {} is already in effect; nothing was sent",
                describe_split(&yours)
            ),
        );
        return refresh::after_change(state);
    }
    if state.ui.dialog.is_some() {
        toast(
            state,
            ToastLevel::Error,
            format!(
                "{endpoint}: not sent, its traffic changed meanwhile; your draft is kept (enter reviews it)"
            ),
        );
    } else {
        state.ui.dialog = Some(Dialog::Stale(Stale {
            endpoint,
            base,
            theirs,
            yours,
        }));
    }
    refresh::after_change(state)
}

/// A split as a toast or a log marker says it: `blue=90 green=10, mirror green=10`.
pub(super) fn describe_split(split: &TrafficSplit) -> String {
    let live = format_traffic(&split.normalized().live);
    let mirror = format_traffic(&split.normalized().mirror);
    match (live.is_empty(), mirror.is_empty()) {
        (true, true) => "no traffic".to_string(),
        (false, true) => live,
        (true, false) => format!("no live traffic, mirror {mirror}"),
        (false, false) => format!("{live}, mirror {mirror}"),
    }
}
