//! The plan panel: each step done / running / waiting, the bake's countdown, the gates' figures
//! against their thresholds and the verdict with its reason. A plan started elsewhere (its
//! record in the endpoint's tags) is shown read-only. Words and marks carry every state, so
//! colour is not the only cue.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::theme::Theme;
use super::widgets::short_duration;
use crate::app::AppState;
use crate::app::plans::{GateReport, PlanPanel, PlanRecord, PlanStatus, StepMark, step_text};
use crate::rollout::plan::{Gates, Phase};

/// Rows the panel needs (0: nothing to show).
pub fn height(state: &AppState) -> u16 {
    match lines(state, Theme { color: false }) {
        Some(lines) => lines.len() as u16 + 2,
        None => 0,
    }
}

pub fn render(state: &AppState, theme: Theme, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let Some(lines) = lines(state, theme) else {
        return;
    };
    let title = match state.own_plan() {
        Some(panel) => format!(" Rollout plan · {} ", panel.file),
        None => " Rollout plan · started elsewhere (read-only) ".to_string(),
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(title)
                .border_style(theme.border(false)),
        ),
        area,
    );
}

fn lines(state: &AppState, theme: Theme) -> Option<Vec<Line<'static>>> {
    if let Some(panel) = state.own_plan() {
        return Some(own_lines(state, panel, theme));
    }
    let ep = state.selected_endpoint()?;
    let record = ep.plan.as_ref().filter(|r| r.is_active())?;
    Some(elsewhere_lines(&ep.name, record, theme))
}

/// "3m 05s".
fn countdown(secs: i64) -> String {
    let secs = secs.max(0);
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

fn status_line(state: &AppState, panel: &PlanPanel, theme: Theme) -> Line<'static> {
    let of = panel.plan.steps.len();
    let at = (panel.step + 1).min(of);
    let (text, style) = match &panel.status {
        PlanStatus::Starting => (
            "▶ STARTING: recording the plan on the endpoint".to_string(),
            theme.key(),
        ),
        PlanStatus::Applying => (format!("▶ APPLYING step {at} of {of}"), theme.key()),
        PlanStatus::Baking { until } => {
            let left = (*until - state.clock.with_timezone(&chrono::Utc)).num_seconds();
            (
                format!("▶ BAKING step {at} of {of}: {} left", countdown(left)),
                theme.key(),
            )
        }
        PlanStatus::AwaitingApproval { prompt } => (
            format!("? WAITING FOR APPROVAL at step {at}: {prompt} (Y approves)"),
            theme.warn(),
        ),
        PlanStatus::Paused { reason } => (
            format!("‖ PAUSED at step {at}: {reason} (P resumes)"),
            theme.warn(),
        ),
        PlanStatus::Aborting => (
            format!("✗ ABORTING at step {at}: rolling back to the split the plan began with"),
            theme.error(),
        ),
        PlanStatus::RolledBack { reason } => (
            format!("✗ ROLLED BACK at step {at}: {reason}"),
            theme.error(),
        ),
        PlanStatus::Done => (format!("✓ DONE: {of} steps"), theme.ok()),
        PlanStatus::Failed { error } => (
            format!("✗ STOPPED at step {at}: {error} (P resumes)"),
            theme.error(),
        ),
    };
    Line::from(Span::styled(text, style))
}

fn own_lines(state: &AppState, panel: &PlanPanel, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(vec![
            Span::raw(format!(
                "{} against {}",
                panel.plan.deployment, panel.baseline
            )),
            Span::styled(
                panel
                    .split_text()
                    .map(|s| format!(" · {s}"))
                    .unwrap_or_default(),
                theme.dim(),
            ),
        ]),
        status_line(state, panel, theme),
    ];
    for (i, step) in panel.plan.steps.iter().enumerate() {
        let mark = panel.mark(i);
        let style = match mark {
            StepMark::Done => theme.ok(),
            StepMark::Running => theme.key(),
            StepMark::Waiting => theme.dim(),
            StepMark::Stopped => theme.error(),
            StepMark::Paused => theme.warn(),
        };
        let bake = step
            .bake
            .map(|b| format!("bake {}", short_duration(b.as_secs())))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<10}", mark.label()), style),
            Span::raw(format!(" {}. {:<24} {bake}", i + 1, step_text(&step.kind))),
        ]));
    }
    match &panel.gates {
        Some((step, report)) => lines.extend(gate_lines(*step, report, &panel.plan.gates, theme)),
        None => lines.push(Line::styled(
            format!(
                "gates: none checked yet (error delta ≤ {:.1} pts, p95 ratio ≤ {:.2}, requests ≥ {})",
                panel.plan.gates.error_percent_delta,
                panel.plan.gates.p95_ratio,
                panel.plan.gates.min_requests
            ),
            theme.dim(),
        )),
    }
    lines
}

fn judged(ok: bool, theme: Theme) -> (&'static str, Style) {
    if ok {
        ("ok", theme.ok())
    } else {
        ("OVER", theme.error())
    }
}

/// The verdict, then each figure against its threshold.
fn gate_lines(step: usize, report: &GateReport, gates: &Gates, theme: Theme) -> Vec<Line<'static>> {
    let verdict_style = match report.verdict {
        "pass" => theme.ok(),
        "fail" => theme.error(),
        _ => theme.warn(),
    };
    let mut lines = vec![Line::from(vec![
        Span::raw(format!("gates after step {}'s bake: ", step + 1)),
        Span::styled(
            report.verdict.to_uppercase().replace('_', " "),
            verdict_style,
        ),
        Span::raw(format!(": {}", report.reason)),
    ])];
    let delta = report.green_error_percent - report.baseline_error_percent;
    let (word, style) = judged(delta <= gates.error_percent_delta, theme);
    lines.push(Line::from(vec![
        Span::raw(format!(
            "  error delta  green {:.2}% − baseline {:.2}% = {delta:+.2} pts (≤ {:.2}) ",
            report.green_error_percent, report.baseline_error_percent, gates.error_percent_delta
        )),
        Span::styled(word, style),
    ]));
    match (report.green_p95_ms, report.baseline_p95_ms) {
        (Some(green), Some(base)) if base > 0.0 => {
            let ratio = green / base;
            let (word, style) = judged(ratio <= gates.p95_ratio, theme);
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "  p95 ratio    green {green:.0} ms / baseline {base:.0} ms = {ratio:.2} (≤ {:.2}) ",
                    gates.p95_ratio
                )),
                Span::styled(word, style),
            ]));
        }
        _ => lines.push(Line::styled(
            format!(
                "  p95 ratio    no latency figures (≤ {:.2})",
                gates.p95_ratio
            ),
            theme.dim(),
        )),
    }
    let (word, style) = judged(report.green_requests >= gates.min_requests, theme);
    lines.push(Line::from(vec![
        Span::raw(format!(
            "  requests     green {} (≥ {}), baseline {} ",
            report.green_requests, gates.min_requests, report.baseline_requests
        )),
        Span::styled(if word == "OVER" { "TOO FEW" } else { word }, style),
    ]));
    lines
}

fn elsewhere_lines(endpoint: &str, record: &PlanRecord, theme: Theme) -> Vec<Line<'static>> {
    let phase = match &record.progress.phase {
        Phase::Baking { since } => format!("baking since {}", since.format("%H:%M:%S UTC")),
        Phase::AwaitingApproval => "waiting for approval".to_string(),
        Phase::Paused { reason } => format!("paused: {reason}"),
        Phase::Apply => "applying its split".to_string(),
        Phase::RolledBack { reason } => format!("rolled back: {reason}"),
        Phase::Done => "done".to_string(),
    };
    let at = (record.progress.step + 1).min(record.steps);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("▶ step {at} of {}", record.steps), theme.key()),
        Span::raw(format!(
            ": {phase} · against {} · plan {} (run {})",
            record.progress.baseline, record.digest, record.run
        )),
    ])];
    for i in 0..record.steps {
        let mark = match i.cmp(&record.progress.step) {
            std::cmp::Ordering::Less => StepMark::Done,
            std::cmp::Ordering::Equal => StepMark::Running,
            std::cmp::Ordering::Greater => StepMark::Waiting,
        };
        lines.push(Line::raw(format!("  {:<10} {}.", mark.label(), i + 1)));
    }
    lines.push(Line::styled(
        format!(
            "driven by another runner; from a shell: aml-rollout rollout status|pause|promote|abort -e {endpoint}"
        ),
        theme.dim(),
    ));
    lines
}
