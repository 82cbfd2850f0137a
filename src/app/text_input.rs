//! Where typed or pasted text goes: the open prompt, else the open dialog's field.

use tui_input::InputRequest;

use super::state::{AppState, Prompt};

/// Pasted text, character by character, into whichever field is open.
pub(super) fn paste(state: &mut AppState, text: &str) {
    for c in text.chars().filter(|c| !c.is_control()) {
        edit(state, InputRequest::InsertChar(c));
    }
}

/// One edit of the open prompt's field, else of the open dialog's field.
pub(super) fn edit(state: &mut AppState, request: InputRequest) {
    if let Some(prompt) = &mut state.ui.prompt {
        match prompt {
            Prompt::Command {
                input,
                error,
                matches,
            } => {
                input.handle(request);
                *error = None;
                *matches = None;
            }
            Prompt::Filter { input } => {
                input.handle(request);
                state.ui.filter = input.value().to_string();
                state.ui.selected_endpoint = 0;
            }
            Prompt::LogFilter { input, .. } => {
                input.handle(request);
            }
        }
        return;
    }
    if let Some(dialog) = &mut state.ui.dialog {
        dialog.edit(request);
    }
}
