//! The deployments table: state, instances, a live-traffic slider and a mirror slider per
//! deployment (drafts shown as before → after), and observed traffic beside them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

use super::theme::Theme;
use super::widgets::slider;
use crate::app::AppState;
use crate::app::state::{Focus, SliderMode};
use crate::rollout::MAX_MIRROR_PERCENT;

const LIVE_WIDTH: usize = 16;
const MIRROR_WIDTH: usize = 10;

fn share_cell(
    before: u32,
    after: u32,
    max: u32,
    width: usize,
    style: ratatui::style::Style,
    theme: Theme,
) -> Cell<'static> {
    let bar = slider(after, max, width);
    if before == after {
        Cell::from(Line::from(vec![
            Span::styled(bar, style),
            Span::raw(format!(" {after:>3}%")),
        ]))
    } else {
        Cell::from(Line::from(vec![
            Span::styled(bar, theme.changed()),
            Span::styled(format!(" {before}→{after}%"), theme.changed()),
        ]))
    }
}

/// Which optional columns fit: the sliders matter most, then latency, then the instance type.
struct Columns {
    model: bool,
    instance_type: bool,
    latency: bool,
}

impl Columns {
    fn for_width(width: u16) -> Self {
        Self {
            model: width >= 150,
            instance_type: width >= 114,
            latency: width >= 104,
        }
    }
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = state.ui.focus == Focus::Deployments;
    let Some(endpoint) = state.selected_endpoint() else {
        let block = Block::bordered()
            .title(" Deployments ")
            .border_style(theme.border(focused));
        frame.render_widget(block, area);
        return;
    };
    let split = &endpoint.split;
    let shown = state.shown_split(endpoint);
    let mode = match state.ui.slider_mode {
        SliderMode::Live => Span::styled(" sliders: LIVE ", theme.live()),
        SliderMode::Mirror => Span::styled(" sliders: MIRROR (max 50%) ", theme.mirror()),
    };
    let title = Line::from(vec![
        Span::raw(format!(" Deployments of {} ", endpoint.name)),
        mode,
        if state.draft_of(&endpoint.name).is_some() {
            Span::styled(" DRAFT ", theme.changed())
        } else {
            Span::raw("")
        },
    ]);
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(focused));
    let deployments = state.azure.deployments_of(&endpoint.name);
    let columns = Columns::for_width(area.width);
    let rows: Vec<Row> = deployments
        .iter()
        .map(|d| {
            let (live_before, live_after) = (split.live_of(&d.name), shown.live_of(&d.name));
            let (mirror_before, mirror_after) =
                (split.mirror_of(&d.name), shown.mirror_of(&d.name));
            let (rate, errors, p95) = match d.metrics {
                Some(m) => (
                    format!("{:.0}/min", m.requests_per_minute),
                    format!("{:.1}%", m.error_share * 100.0),
                    m.p95_ms
                        .map(|p| format!("{p:.0}ms"))
                        .unwrap_or_else(|| "-".into()),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            let error_style = match d.metrics {
                Some(m) if m.error_share >= 0.05 => theme.error(),
                Some(m) if m.error_share > 0.0 => theme.warn(),
                _ => theme.dim(),
            };
            let mut cells = vec![
                Cell::from(d.name.clone()),
                Cell::from(Span::styled(d.state.clone(), theme.state(&d.state))),
            ];
            if columns.model {
                cells.push(Cell::from(d.model.clone().unwrap_or_else(|| "-".into())));
            }
            if columns.instance_type {
                cells.push(Cell::from(d.instance_type.clone()));
            }
            cells.push(Cell::from(format!("{:>2}", d.instances)));
            cells.push(share_cell(
                live_before,
                live_after,
                100,
                LIVE_WIDTH,
                theme.live(),
                theme,
            ));
            cells.push(share_cell(
                mirror_before,
                mirror_after,
                MAX_MIRROR_PERCENT,
                MIRROR_WIDTH,
                theme.mirror(),
                theme,
            ));
            cells.push(Cell::from(rate));
            if columns.latency {
                cells.push(Cell::from(Span::styled(errors, error_style)));
                cells.push(Cell::from(p95));
            }
            Row::new(cells)
        })
        .collect();
    let empty = rows.is_empty();
    let name_width = deployments
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(6, 24) as u16;
    let mut widths = vec![Constraint::Length(name_width), Constraint::Length(10)];
    let mut header = vec!["Name", "State"];
    if columns.model {
        let model_width = deployments
            .iter()
            .filter_map(|d| d.model.as_ref().map(|m| m.chars().count()))
            .max()
            .unwrap_or(5)
            .clamp(5, 28) as u16;
        widths.push(Constraint::Length(model_width));
        header.push("Model");
    }
    if columns.instance_type {
        widths.push(Constraint::Length(16));
        header.push("Instance type");
    }
    widths.extend([
        Constraint::Length(3),
        Constraint::Length(LIVE_WIDTH as u16 + 11),
        Constraint::Length(MIRROR_WIDTH as u16 + 10),
        Constraint::Length(9),
    ]);
    header.extend(["#", "Live traffic", "Mirror", "Requests"]);
    if columns.latency {
        widths.extend([Constraint::Length(6), Constraint::Length(6)]);
        header.extend(["Errors", "p95"]);
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(if focused {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        })
        .block(block);
    let mut table_state = TableState::default();
    if !empty {
        table_state.select(Some(state.ui.selected_deployment));
    }
    frame.render_stateful_widget(table, area, &mut table_state);
    if empty && area.height > 3 {
        let inner = Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1);
        frame.render_widget(
            Span::styled(
                "no deployments: c creates one from a YAML file",
                theme.dim(),
            ),
            inner,
        );
    }
}
