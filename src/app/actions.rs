//! What the panels' keys do, once the keymap has turned them into actions: quit, focus,
//! refresh, open a prompt or a dialog, move the selection, draft traffic.

use super::drafts::{
    all_traffic_to_selected, describe_split, nudge, open_apply_confirmation, start_draft,
};
use super::effects::{refuse_read_only, request_refresh, toast};
use super::keymap::Action;
use super::log_actions;
use super::msg::Cmd;
use super::plan_actions::{self, running_plan};
use super::plans::PlanStatus;
use super::selection;
use tui_input::Input;

use super::dialogs::{
    Compare, ConfirmQuit, CreateFromFile, Delete, DeleteTarget, Dialog, Invoke, Journal, Keys,
    PlanControl, Scale,
};
use super::state::{AppState, Focus, Prompt, SliderMode, ToastLevel};
use crate::rollout::{TrafficMap, TrafficSplit};

pub(super) fn on_action(state: &mut AppState, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => {
            let drafts = state.ui.drafts.len();
            let running = state.running_operations();
            if drafts > 0 || running > 0 || running_plan(state).is_some() {
                let mut parts = Vec::new();
                if drafts > 0 {
                    parts.push(if drafts == 1 {
                        "1 unapplied draft will be lost".to_string()
                    } else {
                        format!("{drafts} unapplied drafts will be lost")
                    });
                }
                if running > 0 {
                    parts.push(if running == 1 {
                        "1 operation is still running on Azure (it will finish without you)"
                            .to_string()
                    } else {
                        format!(
                            "{running} operations are still running on Azure (they will finish without you)"
                        )
                    });
                }
                if let Some(plan) = running_plan(state) {
                    parts.push(if plan.status == PlanStatus::Aborting {
                        format!(
                            "the abort of the rollout plan on {0} stops part-way (`aml-rollout rollout abort -e {0}` finishes it)",
                            plan.endpoint
                        )
                    } else {
                        format!(
                            "the rollout plan on {0} stops where it stands and stays resumable (`aml-rollout rollout resume -e {0}`)",
                            plan.endpoint
                        )
                    });
                }
                state.ui.dialog = Some(Dialog::ConfirmQuit(ConfirmQuit {
                    reason: parts.join("; "),
                }));
            } else {
                state.ui.quit = true;
            }
            Vec::new()
        }
        Action::Help => {
            state.ui.show_help = true;
            Vec::new()
        }
        Action::FocusNext | Action::FocusPrev => {
            selection::cycle_focus(state, action == Action::FocusNext);
            Vec::new()
        }
        Action::ToggleLogs
        | Action::LogFollow
        | Action::LogUp
        | Action::LogDown
        | Action::LogPageUp
        | Action::LogPageDown
        | Action::LogTop
        | Action::LogBottom
        | Action::LogMaximize
        | Action::LogContainer
        | Action::LogTimestamps
        | Action::LogWrap
        | Action::LogTail(_)
        | Action::LogFilter
        | Action::LogNextMatch
        | Action::LogPrevMatch
        | Action::LogFilterAll
        | Action::LogSave
        | Action::LogPagePrev
        | Action::LogPageNext => log_actions::on_action(state, action),
        Action::Refresh => {
            toast(state, ToastLevel::Info, "refreshing…");
            request_refresh(state)
        }
        Action::CommandBar => {
            state.ui.prompt = Some(Prompt::Command {
                input: Input::default(),
                error: None,
                matches: None,
            });
            Vec::new()
        }
        Action::Filter => {
            state.ui.prompt = Some(Prompt::Filter {
                input: Input::new(state.ui.filter.clone()),
            });
            Vec::new()
        }
        Action::Journal => {
            state.ui.dialog = Some(Dialog::Journal(Journal::default()));
            let request = state.requests.request();
            state.requests.awaited_journal = Some(request);
            vec![Cmd::LoadJournal { request }]
        }
        Action::CreateEndpoint => {
            if refuse_read_only(state, "creating an endpoint") {
                return Vec::new();
            }
            state.ui.dialog = Some(Dialog::CreateFromFile(CreateFromFile::new(
                None,
                path_text(&state.options.default_endpoint_file),
            )));
            Vec::new()
        }
        Action::Up => selection::move_by(state, -1),
        Action::Down => selection::move_by(state, 1),
        Action::First => selection::move_by(state, -i64::from(u32::MAX)),
        Action::Last => selection::move_by(state, i64::from(u32::MAX)),
        Action::AllTraffic => {
            all_traffic_to_selected(state);
            Vec::new()
        }
        Action::Open => {
            state.ui.focus = Focus::Deployments;
            Vec::new()
        }
        Action::NudgeDown => nudge(state, -1),
        Action::NudgeUp => nudge(state, 1),
        Action::NudgeDownBig => nudge(state, -10),
        Action::NudgeUpBig => nudge(state, 10),
        Action::ToggleMirrorMode => {
            state.ui.slider_mode = match state.ui.slider_mode {
                SliderMode::Live => SliderMode::Mirror,
                SliderMode::Mirror => SliderMode::Live,
            };
            Vec::new()
        }
        Action::Apply => {
            open_apply_confirmation(state);
            Vec::new()
        }
        Action::Discard => {
            if let Some(ep) = state.selected_endpoint().map(|e| e.name.to_lowercase())
                && let Some(draft) = state.ui.drafts.get(&ep)
                && !draft.applying
            {
                state.ui.drafts.remove(&ep);
                // The next draft starts on live traffic, as a fresh one would.
                state.ui.slider_mode = SliderMode::Live;
                toast(state, ToastLevel::Info, "draft discarded");
            }
            Vec::new()
        }
        Action::Undo => {
            if refuse_read_only(state, "undo") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            match state.ui.last_replaced.get(&ep.name.to_lowercase()).cloned() {
                Some(previous) => {
                    if start_draft(
                        state,
                        &ep.name,
                        ep.split.clone(),
                        previous,
                        "undo of the last applied change",
                    ) {
                        toast(state, ToastLevel::Info, "undo drafted: review with enter");
                    }
                }
                None => toast(
                    state,
                    ToastLevel::Info,
                    "nothing to undo on this endpoint yet",
                ),
            }
            Vec::new()
        }
        Action::DisableTraffic => {
            if refuse_read_only(state, "changing traffic") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            let current = state.shown_split(&ep);
            let base = state
                .draft_of(&ep.name)
                .map(|d| d.base.clone())
                .unwrap_or_else(|| ep.split.clone());
            let off = TrafficSplit {
                live: current.live.keys().map(|k| (k.clone(), 0)).collect(),
                mirror: current.mirror,
            };
            // One key must not be one enter away from an outage: it opens the review.
            if start_draft(state, &ep.name, base, off, "all live traffic off (total 0)") {
                open_apply_confirmation(state);
            }
            Vec::new()
        }
        Action::MarkGood => {
            if let Some(ep) = state.selected_endpoint().cloned() {
                state
                    .ui
                    .known_good
                    .insert(ep.name.to_lowercase(), ep.split.clone());
                toast(
                    state,
                    ToastLevel::Success,
                    format!("known-good for {}: {}", ep.name, describe_split(&ep.split)),
                );
            }
            Vec::new()
        }
        Action::RestoreGood => {
            if refuse_read_only(state, "restoring the known-good split") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            let Some(good) = state.ui.known_good.get(&ep.name.to_lowercase()).cloned() else {
                toast(
                    state,
                    ToastLevel::Info,
                    format!(
                        "no known-good split for {}: M marks the current one",
                        ep.name
                    ),
                );
                return Vec::new();
            };
            let target = TrafficSplit {
                live: good.live,
                mirror: TrafficMap::new(),
            };
            if target.normalized() == ep.split.normalized() {
                toast(
                    state,
                    ToastLevel::Info,
                    format!(
                        "{} is at its known-good split already ({}): nothing to restore",
                        ep.name,
                        describe_split(&target)
                    ),
                );
                return Vec::new();
            }
            if start_draft(
                state,
                &ep.name,
                ep.split.clone(),
                target,
                "return to the known-good split, mirror off",
            ) {
                open_apply_confirmation(state);
            }
            Vec::new()
        }
        Action::Scale => {
            if refuse_read_only(state, "scaling") {
                return Vec::new();
            }
            let (Some(ep), Some(d)) = (
                state.selected_endpoint().cloned(),
                state.selected_deployment().cloned(),
            ) else {
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::Scale(Scale::new(ep.name, d.name, d.instances)));
            Vec::new()
        }
        Action::Invoke => {
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            let deployment = (state.ui.focus == Focus::Deployments)
                .then(|| state.selected_deployment().map(|d| d.name.clone()))
                .flatten();
            state.ui.dialog = Some(Dialog::Invoke(Invoke::new(
                ep.name,
                deployment,
                path_text(&state.options.default_request_file),
            )));
            Vec::new()
        }
        Action::Compare => {
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::Compare(Compare::new(
                ep.name,
                path_text(&state.options.default_request_file),
            )));
            Vec::new()
        }
        Action::CreateDeployment => {
            if refuse_read_only(state, "creating a deployment") {
                return Vec::new();
            }
            let Some(ep) = state.selected_endpoint().cloned() else {
                toast(
                    state,
                    ToastLevel::Error,
                    "no endpoint selected: create one first (C)",
                );
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::CreateFromFile(CreateFromFile::new(
                Some(ep.name),
                path_text(&state.options.default_deployment_file),
            )));
            Vec::new()
        }
        Action::ShowKeys => {
            let Some(ep) = state.selected_endpoint().cloned() else {
                return Vec::new();
            };
            state.ui.dialog = Some(Dialog::Keys(Keys::new(
                ep.name.clone(),
                state.options.read_only,
            )));
            let request = state.requests.request();
            state.requests.awaited_keys = Some(request);
            vec![Cmd::LoadKeys {
                request,
                endpoint: ep.name,
            }]
        }
        Action::OpenPlan => plan_actions::open(state, None),
        Action::PlanPauseResume => plan_actions::pause_or_resume(state),
        Action::PlanPromote => plan_actions::ask(state, PlanControl::Promote),
        Action::PlanAbort => plan_actions::ask(state, PlanControl::Abort),
        Action::Delete => {
            if refuse_read_only(state, "deleting") {
                return Vec::new();
            }
            open_delete(state);
            Vec::new()
        }
    }
}

/// A default file as a dialog's field offers it.
fn path_text(path: &std::path::Path) -> String {
    path.display().to_string()
}

fn open_delete(state: &mut AppState) {
    let Some(ep) = state.selected_endpoint().cloned() else {
        return;
    };
    let target = match state.ui.focus {
        Focus::Endpoints => DeleteTarget {
            endpoint: ep.name.clone(),
            deployment: None,
        },
        _ => {
            let Some(d) = state.selected_deployment().cloned() else {
                return;
            };
            let live = ep.split.live_of(&d.name);
            if live > 0 {
                toast(
                    state,
                    ToastLevel::Error,
                    format!(
                        "{} takes {live}% of live traffic: move its traffic to 0% and apply before deleting it",
                        d.name
                    ),
                );
                return;
            }
            let mirror = ep.split.mirror_of(&d.name);
            if mirror > 0 {
                toast(
                    state,
                    ToastLevel::Error,
                    format!(
                        "{} receives {mirror}% mirror traffic: turn mirroring off (m, then ←) before deleting it",
                        d.name
                    ),
                );
                return;
            }
            DeleteTarget {
                endpoint: ep.name.clone(),
                deployment: Some(d.name),
            }
        }
    };
    state.ui.dialog = Some(Dialog::Delete(Delete::new(target)));
}
