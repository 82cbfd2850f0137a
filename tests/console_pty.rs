//! The real binary in a pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use common::pty::*;

#[test]
fn the_demo_opens_and_quits_cleanly() {
    let mut pty = Pty::spawn(&[], &[], 140, 36);
    pty.wait_for_text("DEMO");
    pty.wait_for("blue at 100%", |s| s.contains("blue") && s.contains("100%"));
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
}
