//! The journal of applied changes (`@`): one line per change, newest first; `enter` opens a
//! change's whole record, `esc` goes back.

use crossterm::event::{KeyCode, KeyEvent};

use super::binding::{DialogKey, action_in};
use super::outcome::Outcome;

pub use crate::app::journal_page::{JournalPage, JournalRecord};

#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// `None` while loading.
    pub page: Option<Result<JournalPage, String>>,
    /// The record under the cursor.
    pub selected: usize,
    /// The selected record's detail is open, scrolled this far.
    pub detail: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    Open,
    Back,
    Close,
}

/// The list's keys.
pub const KEYS: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "j/k",
        does: "move",
        action: Action::Down,
    },
    // Written with j above: one hint for both directions.
    DialogKey {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "k",
        does: "",
        action: Action::Up,
    },
    DialogKey {
        keys: &[KeyCode::Char('g'), KeyCode::Home],
        label: "g/G",
        does: "newest/oldest",
        action: Action::Top,
    },
    DialogKey {
        keys: &[KeyCode::Char('G'), KeyCode::End],
        label: "G",
        does: "",
        action: Action::Bottom,
    },
    DialogKey {
        keys: &[KeyCode::Enter],
        label: "enter",
        does: "details",
        action: Action::Open,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('@')],
        label: "esc",
        does: "close",
        action: Action::Close,
    },
];

/// The detail's keys.
pub const KEYS_DETAIL: &[DialogKey<Action>] = &[
    DialogKey {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "j/k",
        does: "scroll",
        action: Action::Down,
    },
    DialogKey {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "k",
        does: "",
        action: Action::Up,
    },
    DialogKey {
        keys: &[KeyCode::Char('g'), KeyCode::Home],
        label: "g/G",
        does: "top/bottom",
        action: Action::Top,
    },
    DialogKey {
        keys: &[KeyCode::Char('G'), KeyCode::End],
        label: "G",
        does: "",
        action: Action::Bottom,
    },
    DialogKey {
        keys: &[KeyCode::Esc, KeyCode::Enter, KeyCode::Char('q')],
        label: "esc",
        does: "back",
        action: Action::Back,
    },
];

impl Journal {
    fn records(&self) -> &[JournalRecord] {
        match &self.page {
            Some(Ok(page)) => &page.records,
            _ => &[],
        }
    }

    /// The record whose detail is open or under the cursor.
    pub fn selected_record(&self) -> Option<&JournalRecord> {
        self.records().get(self.selected)
    }

    pub fn keys(&self) -> &'static [DialogKey<Action>] {
        if self.detail.is_some() {
            KEYS_DETAIL
        } else {
            KEYS
        }
    }

    /// Moves the cursor, or scrolls an open detail, by `delta` rows.
    pub(crate) fn scroll_by(&mut self, delta: i64) {
        let step = |at: usize, last: usize| (at as i64 + delta).clamp(0, last as i64) as usize;
        match self.detail {
            Some(scroll) => {
                let last = self
                    .records()
                    .get(self.selected)
                    .map_or(0, |r| r.detail.len().saturating_sub(1));
                self.detail = Some(step(scroll, last));
            }
            None => {
                let last = self.records().len().saturating_sub(1);
                self.selected = step(self.selected, last);
            }
        }
    }

    pub(super) fn on_key(&mut self, key: &KeyEvent) -> Outcome {
        match action_in(self.keys(), key) {
            Some(Action::Down) => self.scroll_by(1),
            Some(Action::Up) => self.scroll_by(-1),
            Some(Action::Top) => self.scroll_by(i64::MIN / 2),
            Some(Action::Bottom) => self.scroll_by(i64::MAX / 2),
            Some(Action::Open) if self.selected_record().is_some() => self.detail = Some(0),
            Some(Action::Open) | None => {}
            Some(Action::Back) => self.detail = None,
            Some(Action::Close) => return Outcome::Close,
        }
        Outcome::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use crossterm::event::KeyModifiers;

    fn record(n: usize) -> JournalRecord {
        JournalRecord {
            time: DateTime::from_timestamp(1_700_000_000 + n as i64, 0).unwrap_or_default(),
            who: None,
            action: "traffic".to_string(),
            what: format!("e{n}"),
            change: "blue 100% → blue 90%".to_string(),
            failed: false,
            detail: vec![("a".into(), "1".into()), ("b".into(), "2".into())],
        }
    }

    fn press(journal: &mut Journal, code: KeyCode) -> Outcome {
        journal.on_key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn keys_move_open_go_back_and_close() {
        let mut journal = Journal {
            page: Some(Ok(JournalPage {
                records: (0..5).map(record).collect(),
                ..JournalPage::default()
            })),
            ..Journal::default()
        };
        press(&mut journal, KeyCode::Char('j'));
        press(&mut journal, KeyCode::Char('j'));
        assert_eq!(journal.selected, 2);
        press(&mut journal, KeyCode::Char('G'));
        assert_eq!(journal.selected, 4);
        press(&mut journal, KeyCode::Char('g'));
        assert_eq!(journal.selected, 0);
        press(&mut journal, KeyCode::Char('k'));
        assert_eq!(journal.selected, 0, "stays on the newest");
        press(&mut journal, KeyCode::Char('j'));
        press(&mut journal, KeyCode::Enter);
        assert_eq!(journal.detail, Some(0));
        assert_eq!(
            journal.selected_record().map(|r| r.what.as_str()),
            Some("e1")
        );
        press(&mut journal, KeyCode::Char('G'));
        assert_eq!(journal.detail, Some(1), "scrolls the detail, not the list");
        assert!(matches!(press(&mut journal, KeyCode::Esc), Outcome::Keep));
        assert_eq!((journal.detail, journal.selected), (None, 1));
        assert!(matches!(press(&mut journal, KeyCode::Esc), Outcome::Close));
    }
}
