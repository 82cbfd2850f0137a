//! The log panes, side by side: each follows one deployment's container log. Markers (gaps,
//! restarts, applied traffic changes) stand out; filter matches are highlighted.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme::Theme;
use super::widgets::ellipsize;
use crate::app::AppState;
use crate::app::logs::{LogPane, PaneFilter, PaneStatus};
use crate::app::screen::ScreenAreas;
use crate::app::state::Focus;
use crate::logstream::LogEntry;
use crate::rollout::StatusClass;

/// Splits a leading RFC 3339 timestamp (as Azure ML's server and the emulator write them) from
/// the rest of the line.
fn split_timestamp(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let looks_like_time = bytes.len() > 20
        && bytes[0].is_ascii_digit()
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes[10] == b'T' || bytes[10] == b' ');
    if !looks_like_time {
        return None;
    }
    let end = line.find(' ').filter(|i| *i <= 35)?;
    Some((&line[..end], &line[end + 1..]))
}

/// What a pane shows of a line, as (time of day, the rest): with timestamps, the time only
/// (the date is the same all day long and narrow panes need the room); without, no time at
/// all. Both parts borrow the line: a frame allocates nothing per line.
fn shown_parts(line: &str, timestamps: bool) -> (Option<&str>, &str) {
    match split_timestamp(line) {
        None => (None, line),
        Some((_, rest)) if !timestamps => (None, rest),
        Some((stamp, rest)) => {
            let time = stamp.get(11..).unwrap_or(stamp).trim_end_matches('Z');
            let time = time.split('+').next().unwrap_or(time);
            (Some(time), rest)
        }
    }
}

const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The status class of an access-log line: the first three-digit status after the request's
/// method (`POST /score 503 12.0ms …`, or `"POST /score HTTP/1.1" 503 …`). Lines without a
/// method are not requests: a number in them says nothing about an answer.
fn status_class(text: &str) -> Option<StatusClass> {
    let mut words = text.split_whitespace().take(12);
    words.position(|w| HTTP_METHODS.contains(&w.trim_start_matches('"')))?;
    words
        .filter(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))
        .find(|w| ("100"..="599").contains(w))
        .map(StatusClass::from_dimension)
}

/// 5xx lines in the error colour, 4xx in the warning colour: failures stand out in a busy pane.
fn status_style(text: &str, theme: Theme) -> Option<Style> {
    match status_class(text) {
        Some(StatusClass::ServerError) => Some(theme.error()),
        Some(StatusClass::ClientError) => Some(theme.warn()),
        _ => None,
    }
}

fn highlighted<'a>(text: &'a str, filter: Option<&PaneFilter>, theme: Theme) -> Line<'a> {
    let Some(filter) = filter else {
        return Line::raw(text);
    };
    let ranges = filter.ranges(text);
    if ranges.is_empty() {
        return Line::raw(text);
    }
    let mut spans = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for (start, end) in ranges {
        if start < at || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        spans.push(Span::raw(&text[at..start]));
        spans.push(Span::styled(&text[start..end], theme.changed()));
        at = end;
    }
    spans.push(Span::raw(&text[at..]));
    Line::from(spans)
}

/// Columns the pane names may take in a title, and the shortest a cut name gets: `infe…`
/// still tells inference-server from storage-initializer.
const SHORTEST_CUT_NAME: usize = 5;
const NAME_SEPARATOR: &str = " · ";

/// The deployment and container names in at most `room` columns: whole when they fit, else
/// the container cut first, then the deployment, then the container left out.
fn fit_names(deployment: &str, container: &str, room: usize) -> (String, Option<String>) {
    let sep = NAME_SEPARATOR.chars().count();
    let (d, c) = (deployment.chars().count(), container.chars().count());
    let (d_min, c_min) = (d.min(SHORTEST_CUT_NAME), c.min(SHORTEST_CUT_NAME));
    if d + c + 2 * sep <= room {
        (deployment.to_string(), Some(container.to_string()))
    } else if d + c_min + 2 * sep <= room {
        let container = ellipsize(container, room - d - 2 * sep);
        (deployment.to_string(), Some(container))
    } else if d_min + c_min + 2 * sep <= room {
        let deployment = ellipsize(deployment, room - c_min - 2 * sep);
        (deployment, Some(ellipsize(container, c_min)))
    } else {
        let deployment = ellipsize(deployment, room.saturating_sub(sep).max(1));
        (deployment, None)
    }
}

/// ` deployment · container · state /filter/ (n old lines dropped) `, cut to `width` columns:
/// the state and the filter stay, the note on dropped lines goes first, then the names are
/// cut; only a filter too long for the pane on its own is cut itself.
fn pane_title(pane: &LogPane, width: usize, theme: Theme) -> Line<'static> {
    let state = pane.title_state();
    let mut filter = pane.filter.as_ref().map(|f| format!(" /{}/", f.text));
    let dropped = match pane.stream.ring().dropped() {
        0 => None,
        n => Some(format!(" ({n} old lines dropped)")),
    };
    let columns = |text: &str| Span::raw(text).width();
    // The leading and trailing spaces, and the shortest deployment name with its separator.
    let padding = 2;
    let shortest_names = 1 + NAME_SEPARATOR.chars().count();
    let state_width = columns(&state);
    if let Some(f) = &mut filter {
        let room = width.saturating_sub(padding + shortest_names + state_width);
        if columns(f) > room {
            *f = format!("{}/", ellipsize(f, room.saturating_sub(1).max(3)));
        }
    }
    let fixed = padding + state_width + filter.as_deref().map_or(0, columns);
    let dropped = dropped.filter(|d| {
        let whole_names = pane.deployment.chars().count()
            + pane.container.cli_name().chars().count()
            + 2 * NAME_SEPARATOR.chars().count();
        fixed + whole_names + columns(d) <= width
    });
    let names_room = width.saturating_sub(fixed + dropped.as_deref().map_or(0, columns));
    let (deployment, container) =
        fit_names(&pane.deployment, pane.container.cli_name(), names_room);
    let state_style = match pane.status {
        PaneStatus::BackingOff { .. } => theme.error(),
        PaneStatus::Paused => theme.warn(),
        _ => theme.ok(),
    };
    let mut title = vec![Span::raw(" "), Span::styled(deployment, theme.key())];
    title.push(Span::raw(NAME_SEPARATOR));
    if let Some(container) = container {
        title.push(Span::raw(container));
        title.push(Span::raw(NAME_SEPARATOR));
    }
    title.push(Span::styled(state, state_style));
    if let Some(f) = filter {
        title.push(Span::styled(f, theme.changed()));
    }
    if let Some(d) = dropped {
        title.push(Span::styled(d, theme.dim()));
    }
    title.push(Span::raw(" "));
    Line::from(title)
}

fn render_pane(pane: &LogPane, focused: bool, theme: Theme, frame: &mut Frame, area: Rect) {
    let title = pane_title(pane, usize::from(area.width.saturating_sub(2)), theme);
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(focused));
    let inner_rows = area.height.saturating_sub(2) as usize;
    let entries = pane.window(inner_rows);
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|entry| match entry {
            LogEntry::Marker(text) => Line::from(Span::styled(text.as_str(), theme.badge())),
            LogEntry::Line(text) => {
                let (time, rest) = shown_parts(text, pane.timestamps);
                let mut line = highlighted(rest, pane.filter.as_ref(), theme);
                // Only failures get a style: styling every line costs a frame dearly.
                if let Some(style) = status_style(rest, theme) {
                    line = line.style(style);
                }
                if let Some(time) = time {
                    line.spans.insert(0, Span::styled(time, theme.dim()));
                    line.spans.insert(1, Span::raw(" "));
                }
                line
            }
        })
        .collect();
    if let PaneStatus::BackingOff { error, .. } = &pane.status {
        lines.push(Line::from(Span::styled(
            format!("✗ {error}"),
            theme.error(),
        )));
    }
    if pane.filter_hides_everything() {
        let text = pane.filter.as_ref().map(|f| f.text.as_str()).unwrap_or("");
        lines.push(Line::from(Span::styled(
            format!(
                "no line matches /{text}/ (of {} received)",
                pane.received_lines()
            ),
            theme.dim(),
        )));
    } else if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "waiting for log lines…",
            theme.dim(),
        )));
    }
    if pane.wrap {
        // Wrapped here rather than by the paragraph, so the rows counted are the rows drawn
        // and the newest line stays at the bottom whatever the pane's width.
        let width = usize::from(area.width.saturating_sub(2).max(1));
        let mut rows: Vec<Line> = lines
            .into_iter()
            .flat_map(|l| wrap_line(l, width))
            .collect();
        if pane.anchored_at_top {
            rows.truncate(inner_rows);
        } else {
            rows.drain(..rows.len().saturating_sub(inner_rows));
        }
        lines = rows;
    }
    // Row by row rather than through a Paragraph: the lines are already cut to the pane's
    // rows (and wrapped above when asked), and Paragraph's line composer cost most of a busy
    // frame.
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let buffer = frame.buffer_mut();
    for (line, y) in lines.iter().zip(inner.top()..inner.bottom()) {
        put_line(buffer, inner.x, y, line, inner.width);
    }
}

/// `Buffer::set_line`, with a fast path for printable ASCII (nearly every access-log line):
/// one byte is one cell, so the grapheme segmentation and width lookups per character, the
/// bulk of a busy frame's cost, are skipped. Anything else takes ratatui's own path.
fn put_line(buffer: &mut Buffer, x: u16, y: u16, line: &Line<'_>, width: u16) {
    let right = x.saturating_add(width).min(buffer.area.right());
    let mut at = x;
    for span in &line.spans {
        if at >= right {
            break;
        }
        let style = line.style.patch(span.style);
        let text = span.content.as_ref();
        if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            for b in text.bytes().take(usize::from(right - at)) {
                buffer[(at, y)].set_char(char::from(b)).set_style(style);
                at += 1;
            }
        } else {
            at = buffer
                .set_stringn(at, y, text, usize::from(right - at), style)
                .0;
        }
    }
}

/// One line cut into rows of at most `width` columns, keeping each piece's style.
fn wrap_line(line: Line<'_>, width: usize) -> Vec<Line<'_>> {
    let mut rows = Vec::new();
    let mut row: Vec<Span> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let style = span.style;
        let mut rest = span.content;
        while !rest.is_empty() {
            let mut cut = rest.len();
            let mut taken = 0;
            for (i, c) in rest.char_indices() {
                let w = Span::raw(&rest[i..i + c.len_utf8()]).width();
                if used + taken + w > width && (used + taken) > 0 {
                    cut = i;
                    break;
                }
                taken += w;
            }
            let (head, tail) = split_cow(rest, cut);
            if !head.is_empty() {
                row.push(Span::styled(head, style));
            }
            used += taken;
            rest = tail;
            if !rest.is_empty() || used >= width {
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(Line::from(row));
    }
    rows
}

/// Splits text at a byte index on a char boundary, borrowing when the text is borrowed.
fn split_cow(text: Cow<'_, str>, at: usize) -> (Cow<'_, str>, Cow<'_, str>) {
    match text {
        Cow::Borrowed(s) => {
            let (head, tail) = s.split_at(at);
            (Cow::Borrowed(head), Cow::Borrowed(tail))
        }
        Cow::Owned(s) => {
            let (head, tail) = s.split_at(at);
            (Cow::Owned(head.to_string()), Cow::Owned(tail.to_string()))
        }
    }
}

/// Draws the panes and records where each is, for the mouse.
pub fn render(
    state: &AppState,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
    screen: &mut ScreenAreas,
) {
    let panes = &state.logs.panes;
    if panes.is_empty() || area.height < 3 {
        return;
    }
    let focused = match state.ui.focus {
        Focus::Logs(i) => Some(i),
        _ => None,
    };
    if state.logs.maximized
        && let Some(i) = focused
        && let Some(pane) = panes.get(i)
    {
        render_pane(pane, true, theme, frame, area);
        screen.logs.push((i, area));
        return;
    }
    let areas =
        Layout::horizontal(vec![Constraint::Ratio(1, panes.len() as u32); panes.len()]).split(area);
    for (i, (pane, rect)) in panes.iter().zip(areas.iter()).enumerate() {
        render_pane(pane, focused == Some(i), theme, frame, *rect);
        screen.logs.push((i, *rect));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_cuts_at_the_width_and_keeps_styles() {
        let line = Line::from(vec![
            Span::raw("12345"),
            Span::styled("6789", Theme { color: true }.dim()),
        ]);
        let rows = wrap_line(line, 4);
        let texts: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(texts, ["1234", "5678", "9"]);
        assert_eq!(wrap_line(Line::raw("wide 界界"), 6).len(), 2);
        assert_eq!(wrap_line(Line::raw(""), 6).len(), 1);
    }

    #[test]
    fn lines_are_put_as_ratatui_would_set_them() {
        let theme = Theme { color: true };
        let area = Rect::new(0, 0, 12, 1);
        let lines = [
            Line::from(vec![
                Span::styled("12:00", theme.dim()),
                Span::raw(" POST /score 503"),
            ])
            .style(theme.error()),
            Line::raw("wide 界界 and more"),
            Line::raw("short"),
        ];
        for line in &lines {
            let mut ours = Buffer::empty(area);
            let mut theirs = Buffer::empty(area);
            put_line(&mut ours, 1, 0, line, 9);
            theirs.set_line(1, 0, line, 9);
            assert_eq!(ours, theirs, "{line}");
        }
    }

    #[test]
    fn names_are_cut_container_first_then_deployment_then_the_container_goes() {
        let fit = |room| fit_names("purple-long-name-x", "inference-server", room);
        let whole = (
            "purple-long-name-x".to_string(),
            Some("inference-server".to_string()),
        );
        assert_eq!(fit(40), whole);
        assert_eq!(
            fit(31),
            ("purple-long-name-x".into(), Some("infere…".into()))
        );
        assert_eq!(fit(21), ("purple-lo…".into(), Some("infe…".into())));
        assert_eq!(fit(10), ("purple…".into(), None));
        assert_eq!(fit(0), ("…".into(), None));
    }

    #[test]
    fn timestamps_shrink_to_the_time_of_day_or_go() {
        let line = "2026-11-22T16:53:18.370Z POST /score 200 16.2ms";
        assert_eq!(
            shown_parts(line, true),
            (Some("16:53:18.370"), "POST /score 200 16.2ms")
        );
        assert_eq!(shown_parts(line, false), (None, "POST /score 200 16.2ms"));
        assert_eq!(shown_parts("plain line", true), (None, "plain line"));
    }

    #[test]
    fn a_status_counts_only_after_a_request_method() {
        let class = |t: &str| status_class(t);
        assert_eq!(
            class("POST /score 503 12.0ms mirrored=no x-request-id=a"),
            Some(StatusClass::ServerError)
        );
        assert_eq!(
            class(r#"10.0.0.1 - "POST /score HTTP/1.1" 404 17"#),
            Some(StatusClass::ClientError)
        );
        assert_eq!(class("POST /score 200 3.1ms"), Some(StatusClass::Fine));
        assert_eq!(class("worker 503 restarted after 404 seconds"), None);
        assert_eq!(class("GET /health 99999 1.0ms"), None);
    }
}
