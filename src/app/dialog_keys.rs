//! Keys while a dialog is open: confirm, cancel, edit its field, or act (apply, scale,
//! delete, invoke, create, keys, journal, quit).

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::changes::{create_from_file, delete, parse_instances, scale};
use super::drafts::{confirm_apply, confirm_draft_of};
use super::effects::{refuse_read_only, start_operation, toast};
use super::msg::Cmd;
use super::state::{AppState, DeleteFocus, Dialog, InvokeRouting, OperationKind, ToastLevel};
use super::text_input::{edit, input_request};
use crate::rollout::KeySlot;

pub(super) fn on_dialog_key(state: &mut AppState, key: KeyEvent) -> Vec<Cmd> {
    let Some(dialog) = state.ui.dialog.clone() else {
        return Vec::new();
    };
    let close = |state: &mut AppState| state.ui.dialog = None;
    match dialog {
        Dialog::ConfirmApply { endpoint, .. } => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => {
                close(state);
                confirm_apply(state, &endpoint)
            }
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                close(state);
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Stale {
            endpoint, theirs, ..
        } => match key.code {
            // Keep my change, on top of theirs: review it again before sending.
            KeyCode::Char('y') | KeyCode::Char('k') | KeyCode::Enter => {
                close(state);
                if let Some(d) = state.ui.drafts.get_mut(&endpoint.to_lowercase()) {
                    d.base = theirs;
                }
                // That endpoint's draft, whichever endpoint is selected by now.
                confirm_draft_of(state, &endpoint);
                Vec::new()
            }
            KeyCode::Char('t') => {
                close(state);
                state.ui.drafts.remove(&endpoint.to_lowercase());
                toast(
                    state,
                    ToastLevel::Info,
                    "draft dropped: showing their traffic",
                );
                Vec::new()
            }
            KeyCode::Esc | KeyCode::Char('n') => {
                close(state);
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Scale {
            endpoint,
            deployment,
            input,
            ..
        } => match key.code {
            KeyCode::Esc => {
                close(state);
                Vec::new()
            }
            KeyCode::Enter => match parse_instances(input.value()) {
                Ok(n) => {
                    close(state);
                    scale(state, &endpoint, &deployment, n)
                }
                Err(e) => {
                    if let Some(Dialog::Scale { error, .. }) = &mut state.ui.dialog {
                        *error = Some(e);
                    }
                    Vec::new()
                }
            },
            _ => {
                if let Some(r) = input_request(&key) {
                    edit(state, r);
                }
                Vec::new()
            }
        },
        Dialog::Delete {
            target,
            input,
            focus,
            ..
        } => match (key.code, focus) {
            (KeyCode::Esc, _) | (KeyCode::Enter, DeleteFocus::Cancel) => {
                close(state);
                Vec::new()
            }
            (KeyCode::Tab | KeyCode::BackTab, _) => {
                if let Some(Dialog::Delete { focus, .. }) = &mut state.ui.dialog {
                    *focus = match focus {
                        DeleteFocus::Cancel => DeleteFocus::Name,
                        DeleteFocus::Name => DeleteFocus::Cancel,
                    };
                }
                Vec::new()
            }
            (KeyCode::Enter, DeleteFocus::Name) => {
                if input.value() == target.name() {
                    close(state);
                    delete(state, target)
                } else {
                    if let Some(Dialog::Delete { error, .. }) = &mut state.ui.dialog {
                        *error = Some(format!(
                            "type {} exactly to confirm, or esc to cancel",
                            target.name()
                        ));
                    }
                    Vec::new()
                }
            }
            _ => {
                if let Some(r) = input_request(&key) {
                    edit(state, r);
                }
                Vec::new()
            }
        },
        Dialog::Invoke {
            endpoint,
            deployment,
            routing,
            input,
            running,
            ..
        } => match key.code {
            KeyCode::Esc => {
                close(state);
                state.requests.awaited_invoke = None;
                Vec::new()
            }
            KeyCode::Tab if deployment.is_some() => {
                if let Some(Dialog::Invoke { routing, .. }) = &mut state.ui.dialog {
                    *routing = match routing {
                        InvokeRouting::Pinned => InvokeRouting::Endpoint,
                        InvokeRouting::Endpoint => InvokeRouting::Pinned,
                    };
                }
                Vec::new()
            }
            KeyCode::Enter if !running => {
                let request = state.requests.request();
                state.requests.awaited_invoke = Some(request);
                if let Some(Dialog::Invoke {
                    running, outcome, ..
                }) = &mut state.ui.dialog
                {
                    *running = true;
                    *outcome = None;
                }
                vec![Cmd::Invoke {
                    request,
                    endpoint,
                    deployment: match routing {
                        InvokeRouting::Pinned => deployment,
                        InvokeRouting::Endpoint => None,
                    },
                    file: PathBuf::from(input.value()),
                }]
            }
            _ => {
                if let Some(r) = input_request(&key) {
                    edit(state, r);
                }
                Vec::new()
            }
        },
        Dialog::CreateFromFile {
            endpoint, input, ..
        } => match key.code {
            KeyCode::Esc => {
                close(state);
                Vec::new()
            }
            KeyCode::Enter => {
                let path = input.value().trim();
                if path.is_empty() {
                    let what = if endpoint.is_some() {
                        "a deployment"
                    } else {
                        "an endpoint"
                    };
                    if let Some(Dialog::CreateFromFile { error, .. }) = &mut state.ui.dialog {
                        *error = Some(format!("give the path of {what} YAML file"));
                    }
                    return Vec::new();
                }
                let file = PathBuf::from(path);
                close(state);
                create_from_file(state, endpoint, file)
            }
            _ => {
                if let Some(r) = input_request(&key) {
                    edit(state, r);
                }
                Vec::new()
            }
        },
        Dialog::Keys {
            endpoint,
            confirm_regenerate,
            ..
        } => match (key.code, confirm_regenerate) {
            (KeyCode::Char('y'), true) => {
                if let Some(Dialog::Keys {
                    confirm_regenerate,
                    info,
                    ..
                }) = &mut state.ui.dialog
                {
                    *confirm_regenerate = false;
                    *info = None;
                }
                let op = start_operation(state, OperationKind::RegenerateKey, endpoint.clone());
                let request = state.requests.request();
                state.requests.awaited_keys = Some(request);
                vec![Cmd::RegenerateKey {
                    op,
                    request,
                    endpoint: endpoint.clone(),
                    key: KeySlot::Primary,
                }]
            }
            (_, true) => {
                if let Some(Dialog::Keys {
                    confirm_regenerate, ..
                }) = &mut state.ui.dialog
                {
                    *confirm_regenerate = false;
                }
                Vec::new()
            }
            (KeyCode::Char('v') | KeyCode::Char(' '), false) => {
                if let Some(Dialog::Keys { revealed, .. }) = &mut state.ui.dialog {
                    *revealed = !*revealed;
                }
                Vec::new()
            }
            (KeyCode::Char('R'), false) => {
                if !refuse_read_only(state, "regenerating keys")
                    && let Some(Dialog::Keys {
                        confirm_regenerate, ..
                    }) = &mut state.ui.dialog
                {
                    *confirm_regenerate = true;
                }
                Vec::new()
            }
            (KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('k') | KeyCode::Enter, false) => {
                close(state);
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Journal { .. } => match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('@') | KeyCode::Enter => {
                close(state);
                Vec::new()
            }
            KeyCode::Down | KeyCode::Char('j') => {
                if let Some(Dialog::Journal { scroll, .. }) = &mut state.ui.dialog {
                    *scroll += 1;
                }
                Vec::new()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                if let Some(Dialog::Journal { scroll, .. }) = &mut state.ui.dialog {
                    *scroll = scroll.saturating_sub(1);
                }
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::ConfirmQuit { .. } => match key.code {
            KeyCode::Char('y') | KeyCode::Char('q') => {
                state.ui.quit = true;
                Vec::new()
            }
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Enter => {
                close(state);
                Vec::new()
            }
            _ => Vec::new(),
        },
        Dialog::Error { .. } => match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                close(state);
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}
