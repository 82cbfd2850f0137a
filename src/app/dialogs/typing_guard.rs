//! A confirmation that changes Azure takes `y` or `enter` as keys pressed for it, not as part
//! of text typed in the wrong place: an operator who types `:apply` or `yellow=10` into the
//! dialog, thinking the command bar is open, must not confirm with the `y` inside the word or
//! the `enter` that ends it. After stray text, confirming keys are refused with a word of why,
//! until a `y` pressed after that word.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Said once stray text has been typed.
pub const STRAY_TEXT: &str =
    "typed text is ignored here: nothing confirmed (y confirms, esc goes back)";

/// Said once a confirming key was refused.
pub const REFUSED: &str = "not confirmed: text was typed here. Press y to confirm, esc to go back";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TypingGuard {
    /// Nothing typed: `y` and `enter` confirm.
    #[default]
    Clear,
    /// Printable keys the dialog does not bind came.
    Typed,
    /// A confirming key after typed text was refused: only `y` confirms now.
    Refused,
}

impl TypingGuard {
    /// Notes a key the dialog does not bind.
    pub fn unbound(&mut self, key: &KeyEvent) {
        let printable = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if printable {
            *self = Self::Typed;
        }
    }

    /// Whether a confirming `key` may act now.
    pub fn lets_confirm(&mut self, key: &KeyEvent) -> bool {
        match self {
            Self::Clear => true,
            Self::Typed => {
                *self = Self::Refused;
                false
            }
            Self::Refused if key.code == KeyCode::Char('y') => {
                *self = Self::Clear;
                true
            }
            Self::Refused => false,
        }
    }

    pub fn notice(&self) -> Option<&'static str> {
        match self {
            Self::Clear => None,
            Self::Typed => Some(STRAY_TEXT),
            Self::Refused => Some(REFUSED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn enter() -> KeyEvent {
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
    }

    #[test]
    fn after_stray_text_only_a_y_pressed_after_the_refusal_confirms() {
        let mut guard = TypingGuard::default();
        assert!(guard.lets_confirm(&enter()), "nothing typed: it confirms");
        for c in ":appl".chars() {
            guard.unbound(&key(c));
        }
        assert_eq!(guard.notice(), Some(STRAY_TEXT));
        assert!(
            !guard.lets_confirm(&key('y')),
            "the y of `apply` is refused"
        );
        assert!(!guard.lets_confirm(&enter()), "and the enter after it");
        assert_eq!(guard.notice(), Some(REFUSED));
        assert!(guard.lets_confirm(&key('y')), "a y pressed now confirms");
        assert_eq!(guard.notice(), None);
    }

    #[test]
    fn keys_that_are_not_text_do_not_arm_it() {
        let mut guard = TypingGuard::default();
        guard.unbound(&KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL));
        guard.unbound(&KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE));
        assert!(guard.lets_confirm(&key('y')));
        assert_eq!(guard.notice(), None);
    }
}
