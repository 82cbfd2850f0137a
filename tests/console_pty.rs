//! The real binary in a pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use common::pty::*;

#[test]
fn the_demo_opens_and_quits_cleanly() {
    let mut pty = Pty::spawn(&[], &[], 140, 36);
    pty.wait_for_text("DEMO");
    pty.wait_for("blue at 100%", |s| s.contains("blue") && s.contains("100%"));
    // The title names the subscription as ARM (here the emulator) calls it.
    pty.wait_for_text("demo-ws · rollout-demo · Rollout Demo (emulated) (00000000…)");
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    assert!(raw.contains("\x1b[?1049h"), "entered the alternate screen");
    assert!(
        raw.rfind("\x1b[?1049l") > raw.rfind("\x1b[?1049h"),
        "left it at the end"
    );
}

#[test]
fn the_terminal_is_restored_after_a_panic() {
    let mut pty = Pty::spawn(
        &[],
        &[("AML_ROLLOUT_PANIC_AFTER_FIRST_FRAME", "1")],
        100,
        30,
    );
    let status = pty.wait_exit();
    assert!(!status.success(), "a panic is a failure exit");
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = entered
        + raw[entered..]
            .find("\x1b[?1049l")
            .expect("left the alternate screen");
    let message = raw
        .find("panic requested")
        .expect("the panic message is shown");
    assert!(
        message > left,
        "the message is printed after the terminal is restored, where the operator can read it"
    );
    let shown = raw.rfind("\x1b[?25h").expect("the cursor is shown again");
    assert!(shown > entered);
    let released = raw
        .rfind("\x1b[?1000l")
        .expect("mouse capture is switched off");
    assert!(released > entered);
}

#[test]
fn a_click_reaches_the_console_and_mouse_capture_ends_with_it() {
    let mut pty = Pty::spawn(&[], &[], 140, 36);
    let screen = pty.wait_for("the log panes", |s| {
        s.contains("inference-server") && s.contains("100%")
    });
    assert!(!screen.contains("space follow"), "{screen}");
    let (column, row) = screen
        .lines()
        .enumerate()
        .find_map(|(y, line)| {
            line.find("inference-server")
                .map(|i| (line[..i].chars().count(), y))
        })
        .expect("a log pane's title");
    // An SGR mouse report (1-based): press and release, two rows into the pane.
    let (x, y) = (column + 1, row + 3);
    pty.send(&format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m"));
    pty.wait_for("the log pane has the focus: its keys show", |s| {
        s.contains("space follow")
    });
    pty.send("q");
    assert!(pty.wait_exit().success());
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    let captured = raw.rfind("\x1b[?1000h").expect("the mouse was captured");
    assert!(raw.rfind("\x1b[?1000l") > Some(captured), "and released");
}
