//! The deployments table: state, instances, a live-traffic slider and a mirror slider per
//! deployment (drafts shown as before → after), and observed traffic beside them.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

use super::theme::Theme;
use super::widgets::slider;
use super::widgets::{data_rows, scrolled_out};
use crate::app::AppState;
use crate::app::screen::TableArea;
use crate::app::snapshot::DeploymentMetrics;
use crate::app::state::{Focus, SliderMode};
use crate::rollout::{MAX_MIRROR_PERCENT, Verdict};

fn share_cell(
    before: u32,
    after: u32,
    max: u32,
    width: usize,
    style: Style,
    theme: Theme,
) -> Cell<'static> {
    // A pane too narrow for bars still shows the percentages.
    let bar = if width == 0 {
        String::new()
    } else {
        slider(after, max, width)
    };
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

/// Which optional columns fit the pane: the sliders and their percentages always; then the
/// verdict against the baseline, the rate, errors and p95, the data's window and age, and
/// last the instance type and model. What a narrow pane drops, the health line under the table
/// still says for the selected deployment.
struct Columns {
    live_width: usize,
    mirror_width: usize,
    verdict: bool,
    rate: bool,
    latency: bool,
    data: bool,
    instance_type: bool,
    model: bool,
}

const STATE_WIDTH: u16 = 10;
const INSTANCES_WIDTH: u16 = 2;
const VERDICT_WIDTH: u16 = 16;
const RATE_WIDTH: u16 = 9;
const PERCENT_WIDTH: u16 = 7;
const DATA_WIDTH: u16 = 24;
const INSTANCE_TYPE_WIDTH: u16 = 16;

impl Columns {
    /// The columns that fit `inner` cells (one cell between columns), added by priority.
    fn fit(inner: u16, name_width: u16, model_width: u16) -> Self {
        let slider_cells = |(live, mirror): (usize, usize)| live as u16 + 10 + mirror as u16 + 9;
        let base = name_width + STATE_WIDTH + INSTANCES_WIDTH + 4;
        let health = 1 + VERDICT_WIDTH + 1 + RATE_WIDTH;
        let latency = 1 + 2 * PERCENT_WIDTH + 1;
        // Bars give way before figures do; the percentages beside them always stay.
        let tiers = [(16, 10), (10, 5), (5, 3), (0, 0)];
        let fitting = |extra: u16| {
            tiers
                .into_iter()
                .find(|t| base + slider_cells(*t) + extra <= inner)
        };
        let (live_width, mirror_width) = fitting(health + latency)
            .or_else(|| fitting(1 + VERDICT_WIDTH))
            .unwrap_or((0, 0));
        let mut used = base + slider_cells((live_width, mirror_width));
        let mut fits = |width: u16| {
            let fit = used + 1 + width <= inner;
            if fit {
                used += 1 + width;
            }
            fit
        };
        let verdict = fits(VERDICT_WIDTH);
        let rate = verdict && fits(RATE_WIDTH);
        let latency = rate && fits(2 * PERCENT_WIDTH + 1);
        let data = latency && fits(DATA_WIDTH);
        let instance_type = data && fits(INSTANCE_TYPE_WIDTH);
        let model = instance_type && fits(model_width);
        Self {
            live_width,
            mirror_width,
            verdict,
            rate,
            latency,
            data,
            instance_type,
            model,
        }
    }
}

/// Rate, errors and p95 as the table shows them, or why there are none.
struct Figures {
    rate: String,
    errors: String,
    p95: String,
    data: String,
    verdict: String,
}

impl Figures {
    fn of(metrics: Option<&DeploymentMetrics>, unavailable: bool, now: DateTime<Utc>) -> Self {
        let Some(m) = metrics.filter(|_| !unavailable) else {
            let what = if unavailable { "unavailable" } else { "-" };
            return Self {
                rate: what.into(),
                errors: what.into(),
                p95: what.into(),
                data: if unavailable {
                    "metrics unavailable".into()
                } else {
                    "waiting for metrics".into()
                },
                verdict: if unavailable { "unavailable" } else { "-" }.into(),
            };
        };
        Self {
            rate: m
                .rate_per_minute
                .map_or_else(|| "-".into(), |r| format!("{r:.0}/min")),
            errors: m
                .error_percent
                .map_or_else(|| "-".into(), |e| format!("{e:.1}%")),
            p95: m.p95_ms.map_or_else(|| "-".into(), |p| format!("{p:.0}ms")),
            data: data_label(m, now),
            verdict: verdict_label(m),
        }
    }
}

/// "5m · 412 req · 40 s ago": the window, how much it holds and how old the data is.
pub(super) fn data_label(m: &DeploymentMetrics, now: DateTime<Utc>) -> String {
    match m.as_of {
        Some(as_of) => format!(
            "{} · {} req · {} s ago",
            m.window,
            m.requests,
            (now - as_of).num_seconds().max(0)
        ),
        None => format!("{} · no data", m.window),
    }
}

/// The comparison with the baseline in words: `worse: +28.1 pts`, `ok`, `no data`.
pub(super) fn verdict_label(m: &DeploymentMetrics) -> String {
    let delta = m
        .error_delta_points
        .map(|d| format!(": {d:+.1} pts"))
        .unwrap_or_default();
    match m.verdict {
        Verdict::Baseline => "baseline".into(),
        Verdict::Ok => "ok".into(),
        Verdict::Worse => format!("worse{delta}"),
        Verdict::NotEnoughData => "no data".into(),
    }
}

pub(super) fn verdict_style(m: Option<&DeploymentMetrics>, theme: Theme) -> Style {
    match m.map(|m| m.verdict) {
        Some(Verdict::Worse) => theme.error(),
        Some(Verdict::Ok) => theme.ok(),
        _ => theme.dim(),
    }
}

/// Draws the table; returns where its rows are, for the mouse.
pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) -> Option<TableArea> {
    let focused = state.ui.focus == Focus::Deployments;
    let Some(endpoint) = state.selected_endpoint() else {
        let block = Block::bordered()
            .title(" Deployments ")
            .border_style(theme.border(focused));
        frame.render_widget(block, area);
        return None;
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
    let name_width = deployments
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(6, 24) as u16;
    let model_width = deployments
        .iter()
        .filter_map(|d| d.model.as_ref().map(|m| m.chars().count()))
        .max()
        .unwrap_or(5)
        .clamp(5, 28) as u16;
    let columns = Columns::fit(area.width.saturating_sub(2), name_width, model_width);
    let unavailable = state
        .azure
        .metrics_errors
        .contains_key(&endpoint.name.to_lowercase());
    let now = state.clock.with_timezone(&Utc);
    let rows: Vec<Row> = deployments
        .iter()
        .map(|d| {
            let (live_before, live_after) = (split.live_of(&d.name), shown.live_of(&d.name));
            let (mirror_before, mirror_after) =
                (split.mirror_of(&d.name), shown.mirror_of(&d.name));
            let figures = Figures::of(d.metrics.as_ref(), unavailable, now);
            let error_style = match d.metrics.as_ref().and_then(|m| m.error_percent) {
                _ if unavailable => theme.warn(),
                Some(e) if e >= 5.0 => theme.error(),
                Some(e) if e > 0.0 => theme.warn(),
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
                columns.live_width,
                theme.live(),
                theme,
            ));
            cells.push(share_cell(
                mirror_before,
                mirror_after,
                MAX_MIRROR_PERCENT,
                columns.mirror_width,
                theme.mirror(),
                theme,
            ));
            if columns.verdict {
                cells.push(Cell::from(Span::styled(
                    figures.verdict,
                    verdict_style(d.metrics.as_ref(), theme),
                )));
            }
            if columns.rate {
                cells.push(Cell::from(figures.rate));
            }
            if columns.latency {
                cells.push(Cell::from(Span::styled(figures.errors, error_style)));
                cells.push(Cell::from(figures.p95));
            }
            if columns.data {
                cells.push(Cell::from(Span::styled(figures.data, theme.dim())));
            }
            Row::new(cells)
        })
        .collect();
    let empty = rows.is_empty();
    let mut widths = vec![
        Constraint::Length(name_width),
        Constraint::Length(STATE_WIDTH),
    ];
    let mut header = vec!["Name", "State"];
    if columns.model {
        widths.push(Constraint::Length(model_width));
        header.push("Model");
    }
    if columns.instance_type {
        widths.push(Constraint::Length(INSTANCE_TYPE_WIDTH));
        header.push("Instance type");
    }
    widths.extend([
        Constraint::Length(INSTANCES_WIDTH),
        Constraint::Length(columns.live_width as u16 + 10),
        Constraint::Length(columns.mirror_width as u16 + 9),
    ]);
    let live_header = if columns.live_width == 0 {
        "Live"
    } else {
        "Live traffic"
    };
    header.extend(["#", live_header, "Mirror"]);
    if columns.verdict {
        widths.push(Constraint::Length(VERDICT_WIDTH));
        header.push("vs baseline");
    }
    if columns.rate {
        widths.push(Constraint::Length(RATE_WIDTH));
        header.push("Rate");
    }
    if columns.latency {
        widths.extend([
            Constraint::Length(PERCENT_WIDTH),
            Constraint::Length(PERCENT_WIDTH),
        ]);
        header.extend(["Errors", "p95"]);
    }
    if columns.data {
        widths.push(Constraint::Length(DATA_WIDTH));
        header.push("Data");
    }
    let rows_area = data_rows(block.inner(area));
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
    scrolled_out(
        frame,
        area,
        rows_area,
        table_state.offset(),
        deployments.len(),
        theme,
    );
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
    Some(TableArea {
        rows: rows_area,
        first: table_state.offset(),
    })
}
