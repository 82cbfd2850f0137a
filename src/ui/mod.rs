//! Views: `render(&AppState, &mut Frame)` reads the state and draws; it never changes it.
//! One file per region of the screen.

pub mod compare;
pub mod deployments;
pub mod dialogs;
pub mod draft;
pub mod endpoints;
pub mod health;
pub mod help;
pub mod journal;
pub mod logs;
pub mod operations;
pub mod picker;
pub mod plan;
pub mod plan_dialogs;
pub mod status;
pub mod theme;
pub mod title;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::AppState;
use crate::app::screen::ScreenAreas;
use crate::app::state::ToastLevel;
use theme::Theme;

/// Below this the screen cannot show the tables legibly; it says so instead.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 20;

pub fn render(state: &AppState, frame: &mut Frame) {
    render_mapped(state, frame);
}

/// Draws the console and says where the things the mouse can point at were drawn.
pub fn render_mapped(state: &AppState, frame: &mut Frame) -> ScreenAreas {
    let mut screen = ScreenAreas::default();
    let theme = Theme {
        color: !state.options.no_color,
    };
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "aml-rollout needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {}x{}. Enlarge it (q quits).",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return screen;
    }
    let area = if state.options.production() {
        let frame_block = Block::bordered()
            .border_type(BorderType::Thick)
            .border_style(theme.production_frame())
            .title(Span::styled(
                title::production_caption(state),
                theme.production_frame(),
            ));
        let inner = frame_block.inner(area);
        frame.render_widget(frame_block, area);
        inner
    } else {
        area
    };
    let tray = operations::height(state);
    let [title_area, main_area, tray_area, status_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(8),
        Constraint::Length(tray),
        Constraint::Length(1),
    ])
    .areas(area);
    title::render(state, theme, frame, title_area);
    if state.logs.maximized && matches!(state.ui.focus, crate::app::state::Focus::Logs(_)) {
        logs::render(state, theme, frame, main_area, &mut screen);
    } else {
        let deployments_rows = state
            .selected_endpoint()
            .map(|e| state.azure.deployments_of(&e.name).len())
            .unwrap_or(0) as u16;
        let table_height = (deployments_rows + 3).max(5);
        let endpoints_width = (main_area.width / 4).clamp(36, 48);
        let health_height = health::height(state, main_area.width.saturating_sub(endpoints_width));
        let draft_height = draft::height(state);
        let plan_height = plan::height(state);
        // The tables get what they need (at least 8 rows); the log panes get the rest, across
        // the whole width, so that several fit side by side.
        let top_height = if state.logs.panes.is_empty() {
            main_area.height
        } else {
            (table_height + health_height + draft_height + plan_height)
                .max(8)
                .min(main_area.height.saturating_sub(6).max(main_area.height / 2))
        };
        let [top, logs_area] =
            Layout::vertical([Constraint::Length(top_height), Constraint::Min(0)]).areas(main_area);
        let [left, right] =
            Layout::horizontal([Constraint::Length(endpoints_width), Constraint::Min(40)])
                .areas(top);
        screen.endpoints = endpoints::render(state, theme, frame, left);
        let [table_area, health_area, draft_area, plan_area, _] = Layout::vertical([
            Constraint::Length(table_height),
            Constraint::Length(health_height),
            Constraint::Length(draft_height),
            Constraint::Length(plan_height),
            Constraint::Min(0),
        ])
        .areas(right);
        screen.deployments = deployments::render(state, theme, frame, table_area);
        health::render(state, theme, frame, health_area);
        draft::render(state, theme, frame, draft_area);
        plan::render(state, theme, frame, plan_area);
        logs::render(state, theme, frame, logs_area, &mut screen);
    }
    if tray > 0 {
        operations::render(state, theme, frame, tray_area);
    }
    status::render(state, theme, frame, status_area);
    render_toasts(state, theme, frame, main_area);
    match &state.ui.dialog {
        Some(dialog @ crate::app::state::Dialog::Compare(compare)) => compare::render(
            compare,
            &dialog.hints(),
            theme,
            frame,
            area,
            &mut screen.buttons,
        ),
        Some(dialog @ crate::app::state::Dialog::Journal(journal)) => {
            let today = state.clock.with_timezone(&chrono::Utc).date_naive();
            journal::render(
                journal,
                &dialog.hints(),
                today,
                theme,
                frame,
                area,
                &mut screen.buttons,
            )
        }
        Some(dialog) if plan_dialogs::draws(dialog) => {
            plan_dialogs::render(dialog, theme, frame, area)
        }
        Some(dialog) => dialogs::render(state, dialog, theme, frame, area, &mut screen.buttons),
        None => {}
    }
    if state.ui.show_help {
        screen.help_max_scroll = help::render(
            state.ui.help_scroll,
            state.options.read_only,
            theme,
            frame,
            area,
        );
    }
    screen
}

fn render_toasts(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    // Wide enough for most messages on one row; longer ones wrap rather than lose their end.
    let width = (area.width.saturating_sub(2) * 2 / 3)
        .max(30)
        .min(area.width);
    let text_width = usize::from(width.saturating_sub(4)).max(1);
    let mut bottom = area.bottom().saturating_sub(1);
    for toast in state.ui.toasts.iter().rev().take(3) {
        let (mark, style) = match toast.level {
            ToastLevel::Info => ("ℹ", theme.key()),
            ToastLevel::Success => ("✓", theme.ok()),
            ToastLevel::Error => ("✗", theme.error()),
        };
        let rows = widgets::wrap_words(&toast.text, text_width);
        let lines: Vec<Line> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let lead = if i == 0 {
                    format!(" {mark} ")
                } else {
                    "   ".to_string()
                };
                Line::from(vec![
                    Span::styled(lead, style),
                    Span::raw(row),
                    Span::raw(" "),
                ])
            })
            .collect();
        let w = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
        let h = (lines.len() as u16).min(bottom.saturating_sub(area.y));
        if h == 0 {
            break;
        }
        let rect = Rect::new(
            area.right().saturating_sub(w.min(width) + 1),
            bottom - h,
            w.min(width),
            h,
        );
        bottom -= h;
        frame.render_widget(Clear, rect);
        frame.render_widget(Paragraph::new(lines).style(theme.selected()), rect);
    }
}
