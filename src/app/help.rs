//! Keys while the `?` overlay is open: scroll it (as far as the last frame showed it could
//! go) or close it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::AppState;

/// Rows a page key moves.
const PAGE: usize = 10;

pub(super) fn on_key(state: &mut AppState, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let scroll = state.ui.help_scroll;
    let last = state.screen.help_max_scroll;
    let to = match key.code {
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
            state.ui.show_help = false;
            0
        }
        KeyCode::Char('d') if ctrl => scroll + PAGE,
        KeyCode::Char('u') if ctrl => scroll.saturating_sub(PAGE),
        KeyCode::PageDown => scroll + PAGE,
        KeyCode::PageUp => scroll.saturating_sub(PAGE),
        KeyCode::Down | KeyCode::Char('j') => scroll + 1,
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => scroll,
    };
    state.ui.help_scroll = to.min(last);
}
