//! Makes untrusted remote text safe to show in a terminal: the one sanitizer for everything
//! that reaches one (tables, logs, errors, dialogs, toasts, titles, and JSON output).
//!
//! Container logs, resource names, error messages and scoring answers come from code we do
//! not control. Printed verbatim, a single string could clear the screen, move the cursor
//! over other panes, recolour the UI, set the window title (OSC 0/2), query the terminal, or
//! reorder what the operator reads (U+202E before `een` makes `green` display as `grnee`). Everything produced here is therefore limited to printable characters.
//!
//! Policy, in one place:
//! * 7-bit ANSI/ECMA-48 sequences are removed entirely: CSI (`ESC [` … final byte), OSC
//!   (`ESC ]` … BEL or ST, this covers window-title OSC 0/2 and hyperlinks OSC 8),
//!   DCS/SOS/PM/APC strings (`ESC P`, `ESC X`, `ESC ^`, `ESC _` … ST), nF sequences
//!   (`ESC (` `B` …) and two-byte `ESC x` sequences. Colours are lost on purpose: the UI
//!   styles lines itself, and coloured logs are common enough that marking every colour
//!   change would bury the text.
//! * Every other control character is replaced by a visible marker, `<U+XXXX>` (the code
//!   point in upper-case hex, at least four digits): C0 controls and DEL (`<U+0007>` for BEL),
//!   the 8-bit C1 controls U+0080–U+009F (`<U+009B>` for CSI: its parameters stay as plain
//!   text, harmless once the CSI itself is gone), and the bidirectional controls (Unicode's
//!   Bidi_Control: U+061C, U+200E, U+200F, the embeddings and overrides U+202A–U+202E and the
//!   isolates U+2066–U+2069). One notation for all of them, in the form Unicode itself uses,
//!   so a hidden character is never silently dropped and never mistaken for a letter: a name
//!   that contains one plainly does not read as a name.
//! * Tab is expanded to spaces up to the next multiple of 8 output characters. Columns are
//!   counted in chars, not display cells: the crate does not depend on a width table and
//!   tabs after wide CJK text are rare.
//! * A single trailing CR (the remnant of CRLF line endings) is dropped.
//! * U+2028/U+2029 (line/paragraph separator) become a space, because some renderers treat
//!   them as line breaks.
//! * Lines longer than `max_chars` output characters are cut to exactly `max_chars`
//!   characters, the last one being `…`.
//! * JSON meant for a terminal ([`terminal_safe_json`]) keeps its meaning: the characters
//!   above that serde_json leaves raw (DEL, C1, bidi controls, U+2028/U+2029) are written as
//!   `\u` escapes (`\u009b`), which every JSON reader decodes back to the same string.

use std::borrow::Cow;

/// Line-length cap used by [`super::LogStream`]; long enough for stack
/// traces and JSON payloads, short enough that one line cannot bloat memory.
pub const DEFAULT_MAX_LINE_CHARS: usize = 4096;

const TAB_STOP: usize = 8;
const TRUNCATION_MARK: char = '…';
const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
/// CAN and SUB abort an escape sequence in a real terminal's parser.
const CAN: u8 = 0x18;
const SUB: u8 = 0x1a;
const DEL: u8 = 0x7f;

/// Sanitizes one log line (see the module documentation for the policy).
pub fn sanitize_line(raw: &str, max_chars: usize) -> String {
    sanitize_line_cow(raw, max_chars).into_owned()
}

/// Like [`sanitize_line`], but borrows the input when it needs no change.
/// This is the hot path for log ingestion: an ordinary printable ASCII line
/// costs one vectorisable scan and no allocation.
pub fn sanitize_line_cow(raw: &str, max_chars: usize) -> Cow<'_, str> {
    if is_clean(raw, max_chars) {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(sanitize_slow(raw, max_chars, Mode::Line))
    }
}

/// Like [`sanitize_line`], but takes ownership so that a clean line is
/// returned as-is without copying.
pub fn sanitize_line_owned(raw: String, max_chars: usize) -> String {
    if is_clean(&raw, max_chars) {
        raw
    } else {
        sanitize_slow(&raw, max_chars, Mode::Line)
    }
}

/// Sanitizes raw bytes of unknown encoding: invalid UTF-8 becomes U+FFFD,
/// then the line policy applies. Raw 8-bit C1 bytes (e.g. a lone 0x9B) are
/// invalid UTF-8 and thus neutralised by the replacement step.
pub fn sanitize_bytes(raw: &[u8], max_chars: usize) -> String {
    match String::from_utf8_lossy(raw) {
        Cow::Borrowed(text) => sanitize_line(text, max_chars),
        Cow::Owned(text) => sanitize_line_owned(text, max_chars),
    }
}

/// Sanitizes short single-line remote text (resource names, error messages)
/// for display inside a sentence or a title: same policy as a log line, but
/// line breaks and tabs become a single space, runs of them collapse, and
/// leading/trailing breaks disappear. No length cap: callers lay it out.
pub fn sanitize_inline(s: &str) -> String {
    sanitize_slow(s, usize::MAX, Mode::Inline)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A log line: tabs expand, stray CR/LF are shown as `^M`/`^J`.
    Line,
    /// Inline text: CR, LF, tab and Unicode line separators fold to one space.
    Inline,
}

/// True when `raw` can be displayed unchanged: no control characters at all
/// and no more than `max_chars` characters.
fn is_clean(raw: &str, max_chars: usize) -> bool {
    let bytes = raw.as_bytes();
    if bytes.len() <= max_chars && is_printable_ascii(bytes) {
        return true;
    }
    // Non-ASCII (or over-long) text: still clean if no char needs attention.
    let mut chars_seen = 0usize;
    for c in raw.chars() {
        if needs_rewrite(c) {
            return false;
        }
        chars_seen += 1;
        if chars_seen > max_chars {
            return false;
        }
    }
    true
}

/// Printable ASCII check written without early exit inside 16-byte blocks so
/// the compiler can turn each block into a couple of SIMD instructions.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    // b in 0x20..=0x7E  <=>  b - 0x20 (wrapping) <= 0x5E
    const SPAN: u8 = 0x7e - 0x20;
    let (blocks, rest) = bytes.as_chunks::<16>();
    for block in blocks {
        let mut outside = false;
        for &b in block {
            outside |= b.wrapping_sub(0x20) > SPAN;
        }
        if outside {
            return false;
        }
    }
    rest.iter().all(|&b| b.wrapping_sub(0x20) <= SPAN)
}

fn needs_rewrite(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}' || is_bidi_control(c)
}

/// True when `text` needs no sanitizing to be shown: no control, bidi control or line
/// separator (the check the console applies to every cell it draws).
pub fn is_terminal_safe(text: &str) -> bool {
    !text.chars().any(needs_rewrite)
}

/// Unicode's Bidi_Control characters: they reorder the text around them without being seen.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters serde_json writes raw that a terminal would act on or that reorder text.
fn needs_json_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// JSON text (as serde_json writes it) made safe to print to a terminal: see the module
/// documentation. Outside strings JSON is ASCII, so every character replaced here sits inside
/// a string, where a `\u` escape means the same character.
pub fn terminal_safe_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(needs_json_escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_json_escape(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Accumulates output characters while enforcing the length cap.
struct Output {
    text: String,
    chars: usize,
    max_chars: usize,
    truncated: bool,
}

impl Output {
    /// Appends `c`; returns false once the cap is reached so the caller can
    /// stop scanning (the rest of the input cannot appear anyway).
    fn push(&mut self, c: char) -> bool {
        if self.chars >= self.max_chars {
            self.truncated = true;
            return false;
        }
        self.text.push(c);
        self.chars += 1;
        true
    }

    /// `<U+XXXX>`: the visible stand-in for a character that must not reach the terminal.
    fn push_marker(&mut self, c: char) -> bool {
        format!("<U+{:04X}>", u32::from(c))
            .chars()
            .all(|m| self.push(m))
    }

    fn finish(mut self) -> String {
        if self.truncated && self.max_chars > 0 {
            self.text.pop();
            self.text.push(TRUNCATION_MARK);
        }
        self.text
    }
}

fn sanitize_slow(raw: &str, max_chars: usize, mode: Mode) -> String {
    let bytes = raw.as_bytes();
    let mut out = Output {
        text: String::with_capacity(raw.len().min(max_chars.saturating_mul(4))),
        chars: 0,
        max_chars,
        truncated: false,
    };
    // Inline mode: a line break seen after some text, not yet written because
    // it may be trailing or part of a run.
    let mut pending_break = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            let keep_going = match b {
                ESC => {
                    i = skip_escape_sequence(bytes, i);
                    true
                }
                b'\t' | b'\n' | b'\r' if mode == Mode::Inline => {
                    pending_break = out.chars > 0;
                    true
                }
                b'\t' => {
                    let spaces = TAB_STOP - out.chars % TAB_STOP;
                    (0..spaces).all(|_| out.push(' '))
                }
                // CRLF remnant: the line ended here anyway.
                b'\r' if i == bytes.len() => true,
                0x00..=0x1f | DEL => {
                    flush_pending_break(&mut out, &mut pending_break)
                        && out.push_marker(char::from(b))
                }
                _ => push_text(&mut out, &mut pending_break, char::from(b)),
            };
            if !keep_going {
                break;
            }
            continue;
        }
        // Non-ASCII: `i` always sits on a char boundary because every branch
        // advances by whole chars or by ASCII bytes.
        let Some(c) = raw.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        let keep_going = match c {
            c if c.is_control() || is_bidi_control(c) => {
                flush_pending_break(&mut out, &mut pending_break) && out.push_marker(c)
            }
            '\u{2028}' | '\u{2029}' if mode == Mode::Inline => {
                pending_break = out.chars > 0;
                true
            }
            '\u{2028}' | '\u{2029}' => out.push(' '),
            _ => push_text(&mut out, &mut pending_break, c),
        };
        if !keep_going {
            break;
        }
    }
    out.finish()
}

fn push_text(out: &mut Output, pending_break: &mut bool, c: char) -> bool {
    if c == ' ' {
        // The text brings its own separator; do not double it.
        *pending_break = false;
    }
    flush_pending_break(out, pending_break) && out.push(c)
}

/// Inline mode writes a folded line break only once more text follows, which
/// both collapses runs of breaks and drops trailing ones.
fn flush_pending_break(out: &mut Output, pending_break: &mut bool) -> bool {
    !std::mem::take(pending_break) || out.push(' ')
}

/// `start` is the index just after an ESC byte; returns the index of the
/// first byte that is not part of the sequence. A malformed sequence ends at
/// the offending byte, which is then processed as ordinary input (and, if it
/// is a control, shown visibly).
fn skip_escape_sequence(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        Some(b'[') => skip_csi_body(bytes, start + 1),
        // OSC, DCS, SOS, PM, APC: string commands terminated by BEL or ST.
        Some(b']' | b'P' | b'X' | b'^' | b'_') => skip_string_body(bytes, start + 1),
        // nF: intermediate bytes then one final byte (charset designation…).
        Some(0x20..=0x2f) => {
            let mut i = start;
            while matches!(bytes.get(i), Some(0x20..=0x2f)) {
                i += 1;
            }
            if matches!(bytes.get(i), Some(0x30..=0x7e)) {
                i += 1;
            }
            i
        }
        // Fp/Fe/Fs two-byte sequences: ESC 7, ESC 8, ESC c (reset), ESC M …
        Some(0x30..=0x7e) => start + 1,
        // Lone ESC (end of line, control, DEL or non-ASCII follows): drop it.
        _ => start,
    }
}

/// Skips CSI parameter (0x30–0x3F) and intermediate (0x20–0x2F) bytes and
/// the final byte (0x40–0x7E). We accept them in any order; being lenient
/// only ever removes more.
fn skip_csi_body(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while matches!(bytes.get(i), Some(0x20..=0x3f)) {
        i += 1;
    }
    if matches!(bytes.get(i), Some(0x40..=0x7e)) {
        i += 1;
    }
    i
}

/// Skips the body of an OSC/DCS/SOS/PM/APC string up to and including its
/// terminator: BEL, ST as `ESC \`, or ST as U+009C (bytes C2 9C). An ESC not
/// followed by `\` ends the string without being consumed, as in a real
/// terminal's parser, so it starts the next sequence. CAN/SUB abort. An
/// unterminated string swallows the rest of the line: a terminal would have
/// swallowed it too, and showing it could leak half of a command.
fn skip_string_body(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            BEL => return i + 1,
            ESC if bytes.get(i + 1) == Some(&b'\\') => return i + 2,
            ESC | CAN | SUB => return i,
            0xc2 if bytes.get(i + 1) == Some(&0x9c) => return i + 2,
            _ => i += 1,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = DEFAULT_MAX_LINE_CHARS;

    fn clean(raw: &str) -> String {
        sanitize_line(raw, MAX)
    }

    fn assert_terminal_safe(output: &str) {
        for c in output.chars() {
            assert!(
                !c.is_control(),
                "control char {:?} survived in {output:?}",
                c
            );
            assert_ne!(c, '\u{2028}');
            assert_ne!(c, '\u{2029}');
            assert!(
                !is_bidi_control(c),
                "bidi control {c:?} survived in {output:?}"
            );
        }
    }

    #[test]
    fn clean_ascii_is_borrowed_unchanged() {
        let line = r#"10.0.0.1 - - "POST /score HTTP/1.1" 200 17 "-" "curl/8.0""#;
        assert!(matches!(sanitize_line_cow(line, MAX), Cow::Borrowed(l) if l == line));
    }

    #[test]
    fn clean_unicode_is_borrowed_unchanged() {
        let line = "modèle chargé ✓ 模型已加载";
        assert!(matches!(sanitize_line_cow(line, MAX), Cow::Borrowed(l) if l == line));
    }

    #[test]
    fn strips_csi_colour() {
        assert_eq!(clean("\x1b[31mERROR\x1b[0m boom"), "ERROR boom");
        assert_eq!(clean("\x1b[1;38;5;196mred\x1b[m"), "red");
    }

    #[test]
    fn strips_cursor_movement_and_screen_clear() {
        assert_eq!(clean("a\x1b[2J\x1b[Hb"), "ab");
        assert_eq!(clean("x\x1b[10;10Hy"), "xy");
        assert_eq!(clean("\x1b[?1049h\x1b[?25lhidden"), "hidden");
    }

    #[test]
    fn strips_osc_window_title_with_bel_and_st() {
        assert_eq!(clean("\x1b]0;pwned\x07after"), "after");
        assert_eq!(clean("before\x1b]2;x\x1b\\after"), "beforeafter");
        assert_eq!(
            clean("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"),
            "link"
        );
    }

    #[test]
    fn unterminated_osc_swallows_rest_of_line() {
        assert_eq!(clean("ok\x1b]0;never ends"), "ok");
    }

    #[test]
    fn esc_inside_string_starts_new_sequence() {
        assert_eq!(clean("\x1b]0;t\x1b[31mred"), "red");
    }

    #[test]
    fn strips_dcs_apc_pm_sos_strings() {
        assert_eq!(clean("a\x1bPq#0;2;0;0;0\x1b\\b"), "ab");
        assert_eq!(clean("a\x1b_apc payload\x1b\\b"), "ab");
        assert_eq!(clean("a\x1b^pm\x1b\\b"), "ab");
        assert_eq!(clean("a\x1bXsos\x1b\\b"), "ab");
    }

    #[test]
    fn strips_two_byte_and_nf_escapes() {
        assert_eq!(clean("a\x1bcb"), "ab"); // full reset
        assert_eq!(clean("a\x1b7\x1b8b"), "ab"); // save/restore cursor
        assert_eq!(clean("a\x1b(Bb"), "ab"); // charset designation
        assert_eq!(clean("a\x1b#8b"), "ab"); // DECALN
    }

    #[test]
    fn lone_esc_is_dropped() {
        assert_eq!(clean("end\x1b"), "end");
        assert_eq!(clean("a\x1b\x07b"), "a<U+0007>b");
    }

    #[test]
    fn shows_c1_controls_as_markers() {
        assert_eq!(clean("a\u{9b}31mb"), "a<U+009B>31mb");
        assert_eq!(clean("a\u{9d}0;title\u{9c}b"), "a<U+009D>0;title<U+009C>b");
        assert_eq!(clean("a\u{85}b"), "a<U+0085>b");
        assert_eq!(sanitize_inline("x\u{9b}2J"), "x<U+009B>2J");
    }

    #[test]
    fn shows_bidi_controls_as_markers() {
        assert_eq!(clean("gr\u{202e}een"), "gr<U+202E>een");
        assert_eq!(sanitize_inline("gr\u{202e}een"), "gr<U+202E>een");
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202d}', '\u{2066}', '\u{2069}',
        ] {
            let shown = clean(&format!("a{c}b"));
            assert_eq!(shown, format!("a<U+{:04X}>b", u32::from(c)));
        }
        // Joiners are part of ordinary text (emoji, Indic scripts) and stay.
        assert_eq!(clean("a\u{200d}b"), "a\u{200d}b");
    }

    #[test]
    fn shows_c0_controls_as_markers() {
        assert_eq!(clean("ding\x07"), "ding<U+0007>");
        assert_eq!(clean("abc\x08\x08x"), "abc<U+0008><U+0008>x");
        assert_eq!(clean("a\0b"), "a<U+0000>b");
        assert_eq!(clean("a\x7fb"), "a<U+007F>b");
        assert_eq!(clean("10%\r20%"), "10%<U+000D>20%");
        assert_eq!(clean("a\nb"), "a<U+000A>b");
    }

    #[test]
    fn json_for_a_terminal_escapes_c1_and_bidi_and_keeps_its_meaning() {
        let value = serde_json::json!({"name": "gr\u{202e}een", "log": "\u{9b}2J\u{7f}\u{2028}", "ok": "modèle ✓"});
        let text = serde_json::to_string(&value).unwrap();
        let safe = terminal_safe_json(&text);
        assert!(safe.contains(r"gr\u202eeen"), "{safe}");
        assert!(safe.contains(r"\u009b2J\u007f\u2028"), "{safe}");
        assert!(safe.contains("modèle ✓"));
        assert!(
            safe.chars()
                .all(|c| !needs_json_escape(c) && !c.is_control())
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
        assert!(matches!(terminal_safe_json("{\"a\":1}"), Cow::Borrowed(_)));
    }

    #[test]
    fn drops_trailing_carriage_return() {
        assert_eq!(clean("windows line\r"), "windows line");
    }

    #[test]
    fn expands_tabs_to_stop_8() {
        assert_eq!(clean("\tx"), "        x");
        assert_eq!(clean("abc\td"), "abc     d");
        assert_eq!(clean("12345678\tx"), "12345678        x");
        assert_eq!(clean("\x1b[1mab\x1b[0m\tc"), "ab      c");
    }

    #[test]
    fn truncates_long_lines_with_ellipsis() {
        let long = "x".repeat(10_000);
        let out = sanitize_line(&long, 100);
        assert_eq!(out.chars().count(), 100);
        assert!(out.ends_with('…'));
        assert!(out[..99].bytes().all(|b| b == b'x'));

        let exact = "y".repeat(100);
        assert_eq!(sanitize_line(&exact, 100), exact);

        let wide = "é".repeat(200);
        let out = sanitize_line(&wide, 50);
        assert_eq!(out.chars().count(), 50);
        assert!(out.ends_with('…'));

        assert_eq!(sanitize_line("abc", 0), "");
        // Escape sequences do not count towards the cap.
        assert_eq!(sanitize_line("\x1b[31mabc\x1b[0m", 3), "abc");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_char() {
        assert_eq!(
            sanitize_bytes(b"ok \xff\xfe done", MAX),
            "ok \u{fffd}\u{fffd} done"
        );
        // A raw 8-bit CSI byte is not valid UTF-8: it can no longer act as CSI.
        assert_eq!(sanitize_bytes(b"a\x9b31mb", MAX), "a\u{fffd}31mb");
        assert_eq!(sanitize_bytes(b"\x1b[31mred\xc3", MAX), "red\u{fffd}");
    }

    #[test]
    fn inline_folds_line_breaks() {
        assert_eq!(
            sanitize_inline("Deployment failed:\r\n\tquota exceeded\n"),
            "Deployment failed: quota exceeded"
        );
        assert_eq!(sanitize_inline("\n\nname\x1b]0;pwned\x07"), "name");
        assert_eq!(sanitize_inline("a\u{2028}b"), "a b");
        assert_eq!(sanitize_inline("blue-deploy"), "blue-deploy");
    }

    #[test]
    fn corpus_output_is_terminal_safe() {
        let corpus = [
            "\x1b[31m",
            "\x1b[2J\x1b[H",
            "\x1b[10;10H",
            "\x1b]0;pwned\x07",
            "\x1b]2;x\x1b\\",
            "\u{9b}31m",
            "\x07\x08\r\0\x7f\t",
            "\x1b",
            "\x1b[",
            "\x1b]",
            "\x1b[?",
            "\u{9b}",
            "\u{9d}",
            "\x1b\x1b[31m",
            "\x1b[\x1b]\x1bP",
            "\u{2028}\u{2029}\u{85}",
            "\u{202e}\u{2066}\u{200f}",
            "plain text",
        ];
        for a in corpus {
            for b in corpus {
                let joined = format!("{a}mid{b}end{a}");
                assert_terminal_safe(&sanitize_line(&joined, MAX));
                assert_terminal_safe(&sanitize_line(&joined, 7));
                assert_terminal_safe(&sanitize_inline(&joined));
                assert!(!sanitize_line(&joined, MAX).contains('\x1b'));
            }
        }
    }

    /// Property-style check over pseudo-random byte soup biased towards
    /// escape-relevant bytes: whatever comes in, nothing dangerous comes out,
    /// and the length cap holds.
    #[test]
    fn random_bytes_never_yield_controls() {
        const ALPHABET: &[u8] = b"\xe2\x80\xae\xe2\x81\xa6\x1b[]P\\_^X;0123m?Hh\x07\x08\r\n\t\0\x7f\x18\x1a\xc2\x9b\x9c\x9d\x85\xe2\x80\xa8a \xff";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            // xorshift64*: deterministic, no dependency needed.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            for max in [3, 16, MAX] {
                let out = sanitize_bytes(&bytes, max);
                assert_terminal_safe(&out);
                assert!(out.chars().count() <= max, "{out:?} exceeds {max}");
            }
            assert_terminal_safe(&sanitize_inline(&String::from_utf8_lossy(&bytes)));
        }
    }
}
