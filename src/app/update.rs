//! `update(&mut AppState, Msg) -> Vec<Cmd>`: every behaviour of the console, synchronous and
//! free of I/O, so that it can be driven by messages in tests. This module only routes each
//! message to the module whose job it is. `step` is the same, and also says whether the
//! message changed what the screen shows, so that the event loop draws only then.

use crossterm::event::KeyEvent;

use super::effects::toast;
use super::keymap::action_for;
use super::mouse::{self, MouseOutcome};
use super::msg::{Cmd, Msg};
use super::state::{AppState, ToastLevel};
use super::tick;
use super::{
    actions, command_bar, dialog_keys, drafts, help, log_actions, plan_actions, reads, results,
    text_input,
};
use crate::logstream::sanitize_inline;

/// What one message did.
#[derive(Debug)]
pub struct Step {
    /// Work for the worker.
    pub cmds: Vec<Cmd>,
    /// False only when the screen would be drawn exactly as before.
    pub changed: bool,
}

/// Handles one message; see [`step`] for whether it needs a frame.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Cmd> {
    step(state, msg).cmds
}

/// Handles one message and says whether the screen must be drawn again. Only ticks can leave
/// it unchanged; every other message is input or news, and counts as a change.
pub fn step(state: &mut AppState, msg: Msg) -> Step {
    let cmds = match msg {
        Msg::Tick(now) => {
            let (cmds, changed) = tick::on_tick(state, now);
            return Step { cmds, changed };
        }
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(event) => match mouse::on_mouse(state, event) {
            MouseOutcome::Done(cmds) => cmds,
            MouseOutcome::Press(key) => on_key(state, key),
        },
        Msg::Paste(text) => {
            text_input::paste(state, &text);
            Vec::new()
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Msg::Loaded { request, result } => reads::on_loaded(state, request, result),
        Msg::EndpointsLoaded { request, result } => {
            reads::on_endpoints_loaded(state, request, result)
        }
        Msg::EndpointLoaded {
            request,
            endpoint,
            result,
        } => reads::on_endpoint_loaded(state, request, &endpoint, result),
        Msg::Throttled(until) => {
            // A longer pause already known stays.
            let known = state.azure.throttled_until.get_or_insert(until);
            *known = (*known).max(until);
            Vec::new()
        }
        Msg::MetricsLoaded {
            request,
            endpoint,
            result,
        } => {
            results::on_metrics(state, request, &endpoint, result);
            Vec::new()
        }
        Msg::OperationProgress { op, state: s } => {
            results::on_progress(state, op, s);
            Vec::new()
        }
        Msg::OperationFinished { op, outcome } => {
            results::on_operation_finished(state, op, outcome)
        }
        Msg::SplitStale {
            op,
            endpoint,
            theirs,
        } => drafts::on_stale(state, op, endpoint, theirs),
        Msg::InvokeFinished { request, outcome } => {
            results::on_invoke_finished(state, request, outcome);
            Vec::new()
        }
        Msg::CompareFinished { request, outcome } => {
            results::on_compare_finished(state, request, outcome);
            Vec::new()
        }
        Msg::KeysLoaded {
            request,
            endpoint,
            result,
        } => {
            results::on_keys_loaded(state, request, &endpoint, result);
            Vec::new()
        }
        Msg::JournalLoaded { request, result } => {
            results::on_journal_loaded(state, request, result);
            Vec::new()
        }
        Msg::QuotaChecked { request, result } => {
            results::on_quota_checked(state, request, result);
            Vec::new()
        }
        Msg::PlanFileRead {
            request,
            endpoint,
            file,
            result,
        } => {
            plan_actions::on_file_read(state, request, &endpoint, file, result);
            Vec::new()
        }
        Msg::PlanProgress { endpoint, event } => {
            plan_actions::on_event(state, &endpoint, &event);
            Vec::new()
        }
        Msg::PlanEnded { driver, result, .. } => plan_actions::on_ended(state, driver, result),
        Msg::SubscriptionNamed(name) => {
            state.azure.subscription_name = Some(name);
            Vec::new()
        }
        Msg::Warning(text) => {
            toast(state, ToastLevel::Error, text);
            Vec::new()
        }
        Msg::Info(text) => {
            toast(state, ToastLevel::Info, text);
            Vec::new()
        }
        Msg::LogWindow { tailer, content } => {
            log_actions::on_window(state, tailer, &content);
            Vec::new()
        }
        Msg::LogError {
            tailer,
            error,
            retry_in_secs,
        } => {
            log_actions::on_error(
                state,
                tailer,
                sanitize_inline(&error.to_string()),
                retry_in_secs,
            );
            Vec::new()
        }
    };
    Step {
        cmds,
        changed: true,
    }
}

/// A key goes to what is on top: the help overlay, a prompt, a dialog, else the focused panel.
fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Cmd> {
    if state.ui.show_help {
        help::on_key(state, key);
        Vec::new()
    } else if state.ui.prompt.is_some() {
        command_bar::on_key(state, key)
    } else if state.ui.dialog.is_some() {
        dialog_keys::on_dialog_key(state, key)
    } else {
        match action_for(state.ui.focus, &key) {
            Some(action) => actions::on_action(state, action),
            None => Vec::new(),
        }
    }
}
