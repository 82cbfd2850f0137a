//! Modal dialogs: apply confirmation, stale draft, scale, delete, invoke, create, keys,
//! journal, quit, errors. The keys each one shows come from its table in `app::dialogs`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;

use super::draft::{diff_lines, warning_lines};
use super::theme::Theme;
use super::widgets::{centered, keys_row, keys_width, mask};
use crate::app::AppState;
use crate::app::dialogs::quota_gate::QuotaGate;
use crate::app::dialogs::{
    ConfirmApply, ConfirmQuit, ConfirmRecreate, CreateFromFile, Delete, DeleteFocus, Dialog,
    ErrorNotice, Hint, Invoke, InvokeRouting, Keys, Scale, Stale,
};
use crate::app::screen::Button;
use crate::rollout::{QuotaCheck, TrafficSplit, format_traffic};

fn split_text(split: &TrafficSplit) -> String {
    let n = split.normalized();
    let live = if n.live.is_empty() {
        "none".to_string()
    } else {
        format_traffic(&n.live)
    };
    if n.mirror.is_empty() {
        format!("live {live}")
    } else {
        format!("live {live} · mirror {}", format_traffic(&n.mirror))
    }
}

fn input_line<'a>(label: &'a str, input: &Input, theme: Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(label, theme.key()),
        Span::raw(" "),
        Span::styled(format!("{}▏", input.value()), theme.changed()),
    ])
}

/// The quota line of a scale or create dialog: the figures, red when they do not fit.
fn quota_line(gate: &QuotaGate, theme: Theme) -> Option<Line<'static>> {
    let text = gate.line()?;
    let style = match gate {
        QuotaGate::Checked { check, .. } if check.blocks() => theme.error(),
        QuotaGate::Checked {
            check: QuotaCheck::Known(_),
            ..
        } => theme.ok(),
        QuotaGate::Checked { .. } => theme.warn(),
        _ => theme.dim(),
    };
    Some(Line::from(vec![
        Span::styled("quota: ", theme.dim()),
        Span::styled(text, style),
    ]))
}

/// Where a traffic change goes: in red, and said in words, when it is production.
fn target_line(state: &AppState, theme: Theme) -> Line<'static> {
    let target = super::title::target_text(state);
    if state.options.production() {
        Line::styled(format!("Target: PRODUCTION{target}"), theme.error())
    } else {
        Line::styled(format!("Target:{target}"), theme.dim())
    }
}

/// A dialog's box: its title, text and whether it asks about something dangerous.
struct Boxed<'a> {
    title: String,
    lines: Vec<Line<'a>>,
    danger: bool,
}

/// Draws a dialog centred, its keys on the bottom row (recorded as buttons).
fn draw(
    frame: &mut Frame,
    area: Rect,
    boxed: Boxed,
    hints: &[Hint],
    theme: Theme,
    buttons: &mut Vec<Button>,
) {
    let Boxed {
        title,
        lines,
        danger,
    } = boxed;
    // Wide enough for the longest line (a scoring URI, an az command) where the screen allows.
    let longest = lines
        .iter()
        .map(|l| l.width() as u16)
        .chain([keys_width(hints, theme)])
        .max()
        .unwrap_or(0)
        + 2;
    let width = longest
        .clamp(64, 120)
        .min(area.width.saturating_sub(2).max(20));
    // Wrapped lines need more rows than they count: as many as the wrapping makes.
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let rows = text.line_count(width.saturating_sub(2).max(1));
    let rect = centered(area, width, (rows as u16).saturating_add(3));
    let border = if danger {
        theme.error()
    } else {
        theme.border(true)
    };
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(title).border_style(border);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [text_area, keys] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(text, text_area);
    keys_row(hints, theme, frame, keys, buttons);
}

pub fn render(
    state: &AppState,
    dialog: &Dialog,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
    buttons: &mut Vec<Button>,
) {
    let hints = dialog.hints();
    match dialog {
        Dialog::ConfirmApply(ConfirmApply {
            endpoint,
            diff,
            az_command,
            warnings,
            warning,
            guard,
            ..
        }) => {
            let mut lines = vec![
                Line::raw(format!("Apply this traffic change to {endpoint}?")),
                target_line(state, theme),
                Line::raw(""),
            ];
            if let Some(warning) = warning {
                lines.push(Line::styled(format!("! {warning}"), theme.warn()));
                lines.push(Line::raw(""));
            }
            lines.extend(diff_lines(diff, theme));
            lines.extend(warning_lines(warnings, theme));
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled("$ ", theme.dim()),
                Span::raw(az_command.clone()),
            ]));
            lines.push(Line::raw(""));
            if let Some(notice) = guard.notice() {
                lines.push(Line::styled(format!("! {notice}"), theme.warn()));
            }
            draw(
                frame,
                area,
                Boxed {
                    title: " Apply traffic change ".into(),
                    lines,
                    danger: state.options.production(),
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::Stale(Stale {
            endpoint,
            base,
            theirs,
            yours,
        }) => {
            let lines = vec![
                Line::raw(format!(
                    "Nothing was sent: {endpoint}'s traffic changed since your draft began."
                )),
                target_line(state, theme),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("  base    ", theme.dim()),
                    Span::raw(split_text(base)),
                ]),
                Line::from(vec![
                    Span::styled("  theirs  ", theme.warn()),
                    Span::raw(split_text(theirs)),
                ]),
                Line::from(vec![
                    Span::styled("  yours   ", theme.changed()),
                    Span::raw(split_text(yours)),
                ]),
                Line::raw(""),
            ];
            draw(
                frame,
                area,
                Boxed {
                    title: " Traffic changed meanwhile ".into(),
                    lines,
                    danger: true,
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::Scale(Scale {
            endpoint,
            deployment,
            input,
            error,
            quota,
            ..
        }) => {
            let mut lines = vec![
                Line::raw(format!(
                    "Scale {endpoint}/{deployment} to how many instances (1-50)?"
                )),
                Line::raw(""),
                input_line("instances:", input, theme),
            ];
            lines.extend(quota_line(quota, theme));
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
            lines.push(Line::raw(""));
            draw(
                frame,
                area,
                Boxed {
                    title: " Scale deployment ".into(),
                    lines,
                    danger: false,
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::Delete(Delete {
            target,
            input,
            focus,
            error,
        }) => {
            let what = match &target.deployment {
                Some(d) => format!(
                    "This deletes deployment {d} of endpoint {}: its instances stop and its logs are gone.",
                    target.endpoint
                ),
                None => {
                    let n = state.azure.deployments_of(&target.endpoint).len();
                    format!(
                        "This deletes endpoint {} and its {n} deployment(s): its scoring URI stops answering.",
                        target.endpoint
                    )
                }
            };
            let cancel = if *focus == DeleteFocus::Cancel {
                theme.selected()
            } else {
                theme.dim()
            };
            let mut lines = vec![
                Line::from(Span::styled(what, theme.error())),
                Line::raw(""),
                Line::raw(format!("Type {} to confirm:", target.name())),
                input_line(">", input, theme),
            ];
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(Span::styled(" [ Cancel ] ", cancel)));
            draw(
                frame,
                area,
                Boxed {
                    title: " Delete ".into(),
                    lines,
                    danger: true,
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::Invoke(Invoke {
            endpoint,
            deployment,
            routing,
            input,
            running,
            outcome,
            ..
        }) => {
            let route = match (routing, deployment) {
                (InvokeRouting::Pinned, Some(d)) => {
                    format!("pinned to {d} (azureml-model-deployment: {d})")
                }
                _ => "routed by the endpoint's own traffic split".to_string(),
            };
            let mut lines = vec![
                Line::raw(format!("Invoke {endpoint}, {route}")),
                input_line("request file:", input, theme),
                Line::raw(""),
            ];
            match outcome {
                _ if *running => lines.push(Line::from(Span::styled("sending…", theme.warn()))),
                Some(Ok(o)) => {
                    let style = if (200..300).contains(&o.status) {
                        theme.ok()
                    } else {
                        theme.error()
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("HTTP {}", o.status), style),
                        Span::raw(format!(
                            "  {} ms  answered by {}",
                            o.latency_ms,
                            o.deployment.as_deref().unwrap_or("(not said)")
                        )),
                    ]));
                    for l in o.body.lines().take(8) {
                        lines.push(Line::raw(l.to_string()));
                    }
                }
                Some(Err(e)) => {
                    lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())))
                }
                None => {}
            }
            lines.push(Line::raw(""));
            draw(
                frame,
                area,
                Boxed {
                    title: " Invoke ".into(),
                    lines,
                    danger: false,
                },
                &hints,
                theme,
                buttons,
            );
        }
        // Drawn by `ui::compare`: it needs the whole screen, not a box sized to its lines.
        // Drawn by their own modules.
        Dialog::Compare(_)
        | Dialog::PlanOpen(_)
        | Dialog::PlanPreview(_)
        | Dialog::ConfirmPlan(_) => {}
        Dialog::CreateFromFile(CreateFromFile {
            endpoint,
            input,
            error,
            quota,
            ..
        }) => {
            let (what, title) = match endpoint {
                Some(ep) => (
                    format!("Create a deployment of {ep} from an az ml deployment YAML (created at 0% traffic)"),
                    " Create deployment ",
                ),
                None => (
                    "Create an endpoint from an az ml endpoint YAML (name, auth_mode, description, tags)".to_string(),
                    " Create endpoint ",
                ),
            };
            let mut lines = vec![Line::raw(what), input_line("file:", input, theme)];
            lines.extend(quota_line(quota, theme));
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())));
            }
            lines.push(Line::raw(""));
            draw(
                frame,
                area,
                Boxed {
                    title: title.into(),
                    lines,
                    danger: false,
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::Keys(Keys {
            endpoint,
            info,
            revealed,
            confirm_regenerate,
            ..
        }) => {
            let mut lines = vec![Line::raw(format!("Endpoint {endpoint}")), Line::raw("")];
            match info {
                None => lines.push(Line::from(Span::styled("loading…", theme.dim()))),
                Some(Err(e)) => {
                    lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error())))
                }
                Some(Ok(k)) => {
                    let show = |s: &Option<String>| match s {
                        Some(v) if *revealed => v.clone(),
                        Some(v) => mask(v),
                        None => "-".to_string(),
                    };
                    lines.push(Line::raw(format!("auth mode    {}", k.auth_mode)));
                    lines.push(Line::raw(format!(
                        "scoring URI  {}",
                        k.scoring_uri.as_deref().unwrap_or("-")
                    )));
                    lines.push(Line::raw(format!(
                        "swagger URI  {}",
                        k.swagger_uri.as_deref().unwrap_or("-")
                    )));
                    if k.primary.is_some() || k.secondary.is_some() {
                        lines.push(Line::raw(format!("primary      {}", show(&k.primary))));
                        lines.push(Line::raw(format!("secondary    {}", show(&k.secondary))));
                    }
                    if k.token.is_some() {
                        lines.push(Line::raw(format!("AML token    {}", show(&k.token))));
                        if let Some(exp) = &k.token_expiry {
                            lines.push(Line::raw(format!("expires      {exp}")));
                        }
                    }
                }
            }
            lines.push(Line::raw(""));
            if *confirm_regenerate {
                lines.push(Line::from(Span::styled(
                    "Regenerate the primary key? Callers using it stop working.",
                    theme.error(),
                )));
            }
            draw(
                frame,
                area,
                Boxed {
                    title: " Scoring URI and credentials ".into(),
                    lines,
                    danger: *confirm_regenerate,
                },
                &hints,
                theme,
                buttons,
            );
        }
        // Drawn by `ui::journal`: a list and a detail view, across the screen.
        Dialog::Journal(_) => {}
        Dialog::ConfirmQuit(ConfirmQuit { reason }) => {
            let lines = vec![
                Line::raw("Quit aml-rollout?"),
                Line::from(Span::styled(reason.clone(), theme.warn())),
                Line::raw(""),
            ];
            draw(
                frame,
                area,
                Boxed {
                    title: " Quit ".into(),
                    lines,
                    danger: true,
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::ConfirmRecreate(ConfirmRecreate {
            endpoint,
            deployment,
            file,
            guard,
        }) => {
            let mut lines = vec![
                Line::raw(format!(
                    "Deployment {deployment} of {endpoint} exists: its earlier create failed."
                )),
                Line::raw(format!(
                    "Update it in place from {}? (az ml online-deployment update --file …)",
                    file.display()
                )),
                Line::raw(""),
            ];
            if let Some(notice) = guard.notice() {
                lines.push(Line::styled(format!("! {notice}"), theme.warn()));
            }
            draw(
                frame,
                area,
                Boxed {
                    title: " Create failed before ".into(),
                    lines,
                    danger: true,
                },
                &hints,
                theme,
                buttons,
            );
        }
        Dialog::Error(ErrorNotice { title, message }) => {
            let lines = vec![
                Line::from(Span::styled(message.clone(), theme.error())),
                Line::raw(""),
            ];
            draw(
                frame,
                area,
                Boxed {
                    title: format!(" {title} "),
                    lines,
                    danger: true,
                },
                &hints,
                theme,
                buttons,
            );
        }
    }
}
