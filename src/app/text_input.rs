//! Text fields: the editing keys every field shares, and where typed or pasted text goes
//! (the open prompt, else the open dialog's field).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

use super::state::{AppState, DeleteFocus, Dialog, Prompt};

/// Editing keys shared by every text field.
pub(super) fn input_request(key: &KeyEvent) -> Option<InputRequest> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('u') if ctrl => InputRequest::DeleteLine,
        KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
        KeyCode::Char('a') if ctrl => InputRequest::GoToStart,
        KeyCode::Char('e') if ctrl => InputRequest::GoToEnd,
        KeyCode::Char(c) if !ctrl => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return None,
    })
}

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
            Prompt::Command { input, error } => {
                input.handle(request);
                *error = None;
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
    match &mut state.ui.dialog {
        Some(Dialog::Scale {
            input,
            untouched,
            error,
            ..
        }) => {
            // Like a selected field: typing replaces the current count, editing keys edit it.
            if *untouched && matches!(request, InputRequest::InsertChar(_)) {
                *input = Input::default();
            }
            *untouched = false;
            input.handle(request);
            *error = None;
        }
        Some(Dialog::CreateFromFile { input, error, .. }) => {
            input.handle(request);
            *error = None;
        }
        Some(Dialog::Delete {
            input,
            focus,
            error,
            ..
        }) => {
            *focus = DeleteFocus::Name;
            input.handle(request);
            *error = None;
        }
        Some(Dialog::Invoke {
            input,
            running: false,
            ..
        }) => {
            input.handle(request);
        }
        _ => {}
    }
}
