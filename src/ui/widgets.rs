//! Small drawing helpers shared by the screens.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::app::dialogs::Hint;
use crate::app::screen::Button;

/// `[██████░░░░]` for `value` out of `max`, `width` cells wide.
pub fn slider(value: u32, max: u32, width: usize) -> String {
    let filled = if max == 0 {
        0
    } else {
        ((value.min(max) as usize * width) + (max as usize / 2)) / max as usize
    };
    let mut s = String::with_capacity(width * 3 + 2);
    s.push('[');
    for i in 0..width {
        s.push(if i < filled { '█' } else { '░' });
    }
    s.push(']');
    s
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// `abc…` so that the result has at most `max` characters.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Text cut into rows of at most `width` characters, between words where it can (a word
/// longer than a row is cut), so that nothing is lost to the right edge.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let used = row.chars().count();
            let needed = word.chars().count() + usize::from(used > 0);
            if used + needed <= width {
                if used > 0 {
                    row.push(' ');
                }
                row.push_str(&word);
                break;
            }
            if used > 0 {
                rows.push(std::mem::take(&mut row));
                continue;
            }
            // A word wider than a whole row.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            rows.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// Masks a secret, keeping only enough to tell two apart.
pub fn mask(secret: &str) -> String {
    // A short secret shows nothing of itself: four characters of eight would be half of it.
    let count = secret.chars().count();
    if count < 16 {
        return "••••••••".to_string();
    }
    let tail: String = secret.chars().skip(count - 4).collect();
    format!("••••••••{tail}")
}

/// Room between two hints.
const HINT_GAP: &str = "   ";

/// Each hint as drawn: its key, then what it does (` apply`).
fn hint_spans(hint: &Hint, theme: Theme) -> [Span<'static>; 2] {
    [
        Span::styled(hint.label, theme.key()),
        Span::raw(format!(" {}", hint.does)),
    ]
}

/// A dialog's keys on one row, `enter apply   esc cancel`, each hint also recorded as a button
/// where it is drawn, so that a click on it presses its key.
pub(super) fn keys_row(
    hints: &[Hint],
    theme: Theme,
    frame: &mut Frame,
    row: Rect,
    buttons: &mut Vec<Button>,
) {
    let mut spans = Vec::new();
    let mut x = row.x;
    for hint in hints {
        let [label, does] = hint_spans(hint, theme);
        let width = (label.width() + does.width()) as u16;
        // Only what is wholly on screen can be clicked.
        if let Some(key) = hint.key
            && x.saturating_add(width) <= row.right()
        {
            buttons.push(Button {
                area: Rect::new(x, row.y, width, 1),
                key,
            });
        }
        let gap = Span::raw(HINT_GAP);
        x = x.saturating_add(width + gap.width() as u16);
        spans.extend([label, does, gap]);
    }
    frame.render_widget(Line::from(spans), row);
}

/// The width of [`keys_row`]'s text.
pub(super) fn keys_width(hints: &[Hint], theme: Theme) -> u16 {
    hints
        .iter()
        .map(|h| hint_spans(h, theme).iter().map(Span::width).sum::<usize>() + HINT_GAP.len())
        .sum::<usize>() as u16
}

/// A bordered table's data rows: its block's inner area below the one-row header.
pub(super) fn data_rows(inner: Rect) -> Rect {
    Rect {
        y: inner.y.saturating_add(1),
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

/// A whole number of hours or minutes as a plan file writes it (`1h`, `5m`), else seconds.
pub(super) fn short_duration(secs: u64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// On a bordered table's bottom border, how many rows are scrolled out of view above and
/// below, so that a row out of sight is never a row that does not exist.
pub(super) fn scrolled_out(
    frame: &mut Frame,
    table: Rect,
    rows: Rect,
    first: usize,
    total: usize,
    theme: Theme,
) {
    let above = first;
    let below = total.saturating_sub(first + usize::from(rows.height));
    if (above == 0 && below == 0) || table.height < 3 {
        return;
    }
    let text = match (above, below) {
        (0, b) => format!(" ↓ {b} more "),
        (a, 0) => format!(" ↑ {a} more "),
        (a, b) => format!(" ↑ {a} · ↓ {b} more "),
    };
    let border = Rect::new(
        table.x + 1,
        table.bottom() - 1,
        table.width.saturating_sub(2),
        1,
    );
    frame.render_widget(
        Line::from(Span::styled(text, theme.warn())).right_aligned(),
        border,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliders_fill_in_proportion() {
        assert_eq!(slider(0, 100, 10), "[░░░░░░░░░░]");
        assert_eq!(slider(100, 100, 10), "[██████████]");
        assert_eq!(slider(10, 100, 10), "[█░░░░░░░░░]");
        assert_eq!(slider(25, 50, 10), "[█████░░░░░]");
        assert_eq!(slider(200, 100, 4), "[████]");
    }

    #[test]
    fn words_wrap_between_words_and_long_ones_are_cut() {
        assert_eq!(wrap_words("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap_words("abcdefghij x", 4), ["abcd", "efgh", "ij x"]);
        assert_eq!(wrap_words("", 4), [""]);
        let text = "the quick brown fox jumps over the lazy dog";
        assert_eq!(wrap_words(text, 10).join(" "), text);
    }

    #[test]
    fn masks_keep_four_characters() {
        assert_eq!(mask("abcdefghijkl1234"), "••••••••1234");
        assert_eq!(mask("1234"), "••••••••");
        assert!(!mask("supersecretkey").contains("supersecret"));
    }
}
