//! A text field that opens with a proposed value (a count, a file path) behaves like a
//! selected field in every dialog: the first typed or pasted character replaces the value,
//! while editing keys (arrows, backspace, home/end) edit it.

use tui_input::{Input, InputRequest};

pub(super) fn edit_prefilled(input: &mut Input, untouched: &mut bool, request: InputRequest) {
    if *untouched && matches!(request, InputRequest::InsertChar(_)) {
        *input = Input::default();
    }
    *untouched = false;
    input.handle(request);
}
