//! Keys while a dialog is open. The dialog is taken out of the state, handles the key itself
//! (see `dialogs`), and is put back unless it closed; then what it asked for is carried out
//! here, where the rest of the state is at hand.

use crossterm::event::KeyEvent;

use super::changes::{check_quota, create_from_file, delete, scale};
use super::dialogs::{Context, Outcome, Request};
use super::drafts::{cancel_command, confirm_apply, confirm_draft_of};
use super::effects::{refuse_read_only, start_operation, toast};
use super::msg::Cmd;
use super::plan_actions;
use super::state::{AppState, DeleteTarget, OperationKind, ToastLevel};
use crate::rollout::KeySlot;

pub(super) fn on_dialog_key(state: &mut AppState, key: KeyEvent) -> Vec<Cmd> {
    let Some(mut dialog) = state.ui.dialog.take() else {
        return Vec::new();
    };
    let context = Context {
        read_only: state.options.read_only,
    };
    let request = match dialog.on_key(&key, context) {
        Outcome::Keep => {
            state.ui.dialog = Some(dialog);
            None
        }
        Outcome::KeepAnd(request) => {
            state.ui.dialog = Some(dialog);
            Some(request)
        }
        Outcome::Close => None,
        Outcome::CloseAnd(request) => Some(request),
    };
    match request {
        Some(request) => carry_out(state, request),
        None => Vec::new(),
    }
}

fn carry_out(state: &mut AppState, request: Request) -> Vec<Cmd> {
    match request {
        Request::ApplyDraft { endpoint } => {
            state.ui.before_command = None;
            confirm_apply(state, &endpoint)
        }
        Request::CancelCommand { endpoint } => {
            cancel_command(state, &endpoint);
            Vec::new()
        }
        Request::ReviewOnTheirs { endpoint, theirs } => {
            if let Some(d) = state.ui.drafts.get_mut(&endpoint.to_lowercase()) {
                d.base = theirs;
            }
            // That endpoint's draft, whichever endpoint is selected by now.
            confirm_draft_of(state, &endpoint);
            Vec::new()
        }
        Request::TakeTheirs { endpoint } => {
            state.ui.drafts.remove(&endpoint.to_lowercase());
            toast(
                state,
                ToastLevel::Info,
                "draft dropped: showing their traffic",
            );
            Vec::new()
        }
        Request::Scale {
            endpoint,
            deployment,
            instances,
        } => scale(state, &endpoint, &deployment, instances),
        Request::CheckQuota(question) => check_quota(state, question),
        Request::Delete {
            endpoint,
            deployment,
        } => delete(
            state,
            DeleteTarget {
                endpoint,
                deployment,
            },
        ),
        Request::Invoke {
            endpoint,
            deployment,
            file,
        } => {
            let request = state.requests.request();
            state.requests.awaited_invoke = Some(request);
            vec![Cmd::Invoke {
                request,
                endpoint,
                deployment,
                file,
            }]
        }
        Request::ForgetInvoke => {
            state.requests.awaited_invoke = None;
            Vec::new()
        }
        Request::Create { endpoint, file } => create_from_file(state, endpoint, file, false),
        Request::Recreate { endpoint, file } => create_from_file(state, Some(endpoint), file, true),
        Request::Compare { endpoint, file } => {
            let request = state.requests.request();
            state.requests.awaited_compare = Some(request);
            vec![Cmd::Compare {
                request,
                endpoint,
                file,
            }]
        }
        Request::ForgetCompare => {
            state.requests.awaited_compare = None;
            Vec::new()
        }
        Request::RegenerateKey { endpoint } => {
            let op = start_operation(state, OperationKind::RegenerateKey, endpoint.clone());
            let request = state.requests.request();
            state.requests.awaited_keys = Some(request);
            vec![Cmd::RegenerateKey {
                op,
                request,
                endpoint,
                key: KeySlot::Primary,
            }]
        }
        Request::ReadOnly(what) => {
            refuse_read_only(state, what);
            Vec::new()
        }
        Request::PreviewPlan {
            endpoint,
            deployment,
            file,
        } => plan_actions::preview(state, &endpoint, &deployment, file),
        Request::StartPlan {
            endpoint,
            file,
            text,
            plan,
            baseline,
        } => plan_actions::start(state, endpoint, file, text, *plan, baseline),
        Request::ControlPlan { endpoint, control } => {
            plan_actions::control(state, &endpoint, control)
        }
        Request::Quit => {
            state.ui.quit = true;
            Vec::new()
        }
    }
}
