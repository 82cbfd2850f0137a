//! Keys while the `?` overlay is open: scroll it or close it.

use crossterm::event::{KeyCode, KeyEvent};

use super::state::AppState;

pub(super) fn on_key(state: &mut AppState, key: KeyEvent) {
    match key.code {
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
            state.ui.show_help = false;
            state.ui.help_scroll = 0;
        }
        KeyCode::Down | KeyCode::Char('j') => state.ui.help_scroll += 1,
        KeyCode::Up | KeyCode::Char('k') => {
            state.ui.help_scroll = state.ui.help_scroll.saturating_sub(1);
        }
        _ => {}
    }
}
