//! Which workspace the console is pointed at must be unmistakable: the title names the
//! workspace, resource group and subscription, the config file's label shows as a badge, and
//! production gets a red frame that still reads as production without colour.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::app::state::{AppOptions, TargetLabel};
use aml_rollout::app::{AppState, Msg, update};
use aml_rollout::config::{TargetBadgeText, TargetColor, TargetMark};
use common::console::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const SUBSCRIPTION: &str = "4f1c2a9e-0b7d-4c1e-9a55-3d2e8f6b7c10";

fn draw(state: &AppState, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| aml_rollout::ui::render(state, f))
        .unwrap();
    terminal
}

fn row(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

fn mark(label: Option<&str>, color: Option<TargetColor>) -> Option<TargetMark> {
    Some(TargetMark {
        label: label.map(|l| TargetBadgeText::try_from(l.to_string()).unwrap()),
        color,
    })
}

fn azure(workspace: &str, mark: Option<TargetMark>, colour: bool) -> AppState {
    let options = AppOptions {
        target: TargetLabel::Azure {
            subscription: SUBSCRIPTION.to_string(),
            resource_group: "ml-rg".to_string(),
            workspace: workspace.to_string(),
        },
        target_mark: mark,
        no_color: !colour,
        ..options()
    };
    let mut state = loaded_with(
        options,
        vec![(
            endpoint("my-endpoint", "blue=100", ""),
            vec![deployment("blue", 1), deployment("green", 1)],
        )],
    );
    update(
        &mut state,
        Msg::SubscriptionNamed("Contoso Production".to_string()),
    );
    state
}

#[test]
fn the_title_names_workspace_group_and_subscription_with_the_config_label() {
    let state = azure(
        "team-ws",
        mark(Some("TEAM A"), Some(TargetColor::Blue)),
        true,
    );
    let terminal = draw(&state, 120, 30);
    let title = row(&terminal, 0);
    assert!(title.contains(" AZURE "), "{title}");
    assert!(title.contains(" TEAM A "), "{title}");
    assert!(
        title.contains("team-ws · ml-rg · Contoso Production (4f1c2a9e…)"),
        "{title}"
    );
    assert!(!title.contains("PROD"), "not production: {title}");
    let at = title.find("TEAM A").unwrap() as u16;
    let badge = &terminal.backend().buffer()[(at, 0)];
    assert_eq!(badge.bg, Color::Blue, "the label in the configured colour");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn without_the_subscription_name_the_title_keeps_the_guid_sanitized() {
    let options = AppOptions {
        target: TargetLabel::Azure {
            subscription: "sub\u{1b}[2J\u{202e}".to_string(),
            resource_group: "ml-rg".to_string(),
            workspace: "team-ws".to_string(),
        },
        ..options()
    };
    let state = loaded_with(options, vec![]);
    let title = row(&draw(&state, 120, 30), 0);
    assert!(title.contains("team-ws · ml-rg · sub"), "{title}");
    assert!(
        title.chars().all(|c| !c.is_control() && c != '\u{202e}'),
        "{title:?}"
    );
}

#[test]
fn a_prod_workspace_gets_a_red_frame_around_the_whole_console() {
    let state = azure("contoso-PROD-ws", mark(Some("PROD"), None), true);
    let terminal = draw(&state, 120, 30);
    let buffer = terminal.backend().buffer();
    // The four edges are red, not only the title bar.
    for (x, y) in [
        (0, 0),
        (119, 0),
        (0, 15),
        (119, 15),
        (0, 29),
        (60, 29),
        (119, 29),
    ] {
        assert_eq!(buffer[(x, y)].fg, Color::Red, "({x},{y})");
    }
    assert!(row(&terminal, 0).contains("PRODUCTION · contoso-PROD-ws"));
    let title = row(&terminal, 1);
    assert_eq!(
        title.matches("PROD ").count(),
        1,
        "a PROD label is not said twice: {title}"
    );
    let red_cells = (1..119)
        .filter(|x| buffer[(*x, 1)].bg == Color::Red)
        .count();
    assert!(
        red_cells > 60,
        "the title bar is red too: {red_cells} cells"
    );
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn a_target_marked_red_is_production_whatever_its_name() {
    let state = azure("payments", mark(None, Some(TargetColor::Red)), true);
    let terminal = draw(&state, 100, 30);
    assert!(row(&terminal, 0).contains("PRODUCTION · payments"));
    assert!(row(&terminal, 1).contains(" PROD "));
}

#[test]
fn the_red_frame_fits_80x24_and_reads_without_colour() {
    let state = azure("prod-ws", mark(Some("LIVE"), Some(TargetColor::Red)), false);
    let terminal = draw(&state, 80, 24);
    let buffer = terminal.backend().buffer();
    assert!(
        buffer.content.iter().all(|c| c.fg == Color::Reset),
        "mono draws no colour"
    );
    assert!(row(&terminal, 0).contains("PRODUCTION · prod-ws"));
    assert!(row(&terminal, 1).contains(" LIVE ") && row(&terminal, 1).contains(" PROD "));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_traffic_dialog_says_the_production_target_in_red() {
    let mut state = azure("prod-ws", None, true);
    feed(
        &mut state,
        [key(KeyCode::Down), ch('L'), key(KeyCode::Enter)],
    );
    let terminal = draw(&state, 120, 30);
    let buffer = terminal.backend().buffer();
    let (y, line) = (0..30)
        .map(|y| (y, row(&terminal, y)))
        .find(|(_, l)| l.contains("Target: PRODUCTION"))
        .expect("the dialog names the target");
    assert!(
        line.contains("prod-ws · ml-rg · Contoso Production"),
        "{line}"
    );
    let x = line.find("Target").unwrap();
    let x = line[..x].chars().count() as u16;
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    insta::assert_snapshot!(terminal.backend());
}
