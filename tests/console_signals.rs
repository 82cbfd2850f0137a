//! Signals to the real binary in a pseudo-terminal: whatever ends the console gives the
//! terminal back (alternate screen left, cursor shown, cooked mode), and work in flight is
//! journaled.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use aml_rollout::emulator::{self, EmulatorConfig};
use aml_rollout::journal::Journal;
use common::pty::*;

/// A console with its own home, so it reads no config, az defaults or journal of the person
/// running the tests.
struct Session {
    pty: Pty,
    home: tempfile::TempDir,
}

impl Session {
    fn start(args: &[&str]) -> Self {
        let home = tempfile::tempdir().expect("a temporary home");
        let dir = home.path().to_str().expect("utf-8 temp path").to_string();
        let journal = format!("{dir}/journal.jsonl");
        let az = format!("{dir}/az");
        let pty = Pty::spawn(
            args,
            &[
                ("HOME", &dir),
                ("XDG_CONFIG_HOME", &dir),
                ("XDG_DATA_HOME", &dir),
                ("AZURE_CONFIG_DIR", &az),
                ("AML_ROLLOUT_JOURNAL", &journal),
            ],
            120,
            36,
        );
        Self { pty, home }
    }

    fn journal(&self) -> Journal {
        Journal::open(self.home.path().join("journal.jsonl"))
    }
}

/// The console was left the way a shell needs it.
fn assert_restored(pty: &Pty) {
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    assert!(
        raw.rfind("\x1b[?1049l") > Some(entered),
        "the alternate screen is left at the end"
    );
    // Mouse capture (clicks and the wheel) is switched off again: otherwise the shell's
    // mouse would print escape codes instead of selecting text.
    let captured = raw.rfind("\x1b[?1000h").expect("the mouse was captured");
    assert!(
        raw.rfind("\x1b[?1000l") > Some(captured),
        "mouse capture is off at the end"
    );
    let hidden = raw.rfind("\x1b[?25l");
    assert!(
        raw.rfind("\x1b[?25h") > hidden,
        "the cursor is shown at the end"
    );
    let modes = pty.stty();
    let flags: Vec<&str> = modes.split_whitespace().collect();
    for cooked in ["icanon", "echo", "isig", "opost"] {
        assert!(
            flags.contains(&cooked),
            "{cooked} is on again; stty -a says:\n{modes}"
        );
    }
}

fn ends_the_demo_with(signal: &str) -> (Session, portable_pty::ExitStatus) {
    let mut session = Session::start(&[]);
    session.pty.wait_for("blue at 100%", |s| {
        s.contains("DEMO") && s.contains("blue") && s.contains("100%")
    });
    // Before the signal, the terminal is raw: otherwise the test would prove nothing.
    let raw_modes = session.pty.stty();
    assert!(raw_modes.contains("-icanon") && raw_modes.contains("-echo"));
    session.pty.signal(signal);
    let status = session.pty.wait_exit();
    assert_restored(&session.pty);
    (session, status)
}

#[test]
fn sigterm_restores_the_terminal() {
    let (session, status) = ends_the_demo_with("TERM");
    assert_eq!(status.exit_code(), 128 + 15);
    let raw = String::from_utf8_lossy(&session.pty.raw_output()).into_owned();
    assert!(raw.contains("ended by SIGTERM"), "stderr says why");
}

#[test]
fn sighup_restores_the_terminal() {
    let (_, status) = ends_the_demo_with("HUP");
    assert_eq!(status.exit_code(), 128 + 1);
}

#[test]
fn sigquit_restores_the_terminal() {
    let (_, status) = ends_the_demo_with("QUIT");
    assert_eq!(status.exit_code(), 128 + 3);
}

#[test]
fn sigint_is_ctrl_c_and_quits_when_nothing_is_pending() {
    let (_, status) = ends_the_demo_with("INT");
    assert!(status.success(), "{status:?}");
}

#[test]
fn sigterm_during_a_running_operation_journals_it_as_interrupted() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    // Operations that outlast the test: the scale is certainly still running at the signal.
    let emu = rt
        .block_on(emulator::start(EmulatorConfig {
            operation_duration: Duration::from_secs(3600),
            ..EmulatorConfig::for_tests()
        }))
        .expect("emulator starts");
    let mut session =
        Session::start(&["--emulator", &emu.base_url, "--emulator-token", &emu.token]);
    let pty = &mut session.pty;
    pty.wait_for("blue at 100%", |s| s.contains("blue") && s.contains("100%"));
    pty.send("s");
    pty.wait_for_text("Scale my-endpoint/blue to how many instances");
    pty.keys(&[CTRL_U, "3", ENTER]);
    // The quota figures first, then enter sends.
    pty.wait_for_text("free in Standard DSv2 Family");
    pty.send(ENTER);
    pty.wait_for("the scale in progress", |s| s.contains("InProgress"));
    pty.signal("TERM");
    let status = pty.wait_exit();
    assert_eq!(status.exit_code(), 128 + 15);
    assert_restored(pty);
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    assert!(
        raw.contains("still running on Azure (journaled as interrupted): scale my-endpoint/blue"),
        "stderr names the running operation"
    );

    let entries = session.journal().read_all().expect("the journal reads");
    let interrupted: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "interrupted")
        .collect();
    assert_eq!(interrupted.len(), 1, "{entries:?}");
    let entry = interrupted[0];
    assert_eq!(entry.endpoint, "my-endpoint");
    assert_eq!(entry.deployment.as_deref(), Some("blue"));
    assert_eq!(entry.after, serde_json::json!({"instance_count": 3}));
    let message = entry.outcome.message.clone().unwrap_or_default();
    assert!(
        message.contains("SIGTERM") && message.contains("outcome is unknown"),
        "{message}"
    );
    rt.block_on(emu.stop());
}

/// The raw output's alternate-screen switches, as (entered, left) counts.
fn screen_switches(pty: &Pty) -> (usize, usize) {
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    (
        raw.matches("\x1b[?1049h").count(),
        raw.matches("\x1b[?1049l").count(),
    )
}

#[test]
fn sigtstp_and_ctrl_z_suspend_with_the_terminal_given_back_and_fg_redraws() {
    let mut session = Session::start(&[]);
    let pty = &mut session.pty;
    pty.wait_for("blue at 100%", |s| s.contains("DEMO") && s.contains("100%"));
    for suspend_by_key in [false, true] {
        let (entered, left) = screen_switches(pty);
        if suspend_by_key {
            pty.send(CTRL_Z);
        } else {
            pty.signal("TSTP");
        }
        pty.wait_stopped(true);
        assert_eq!(
            screen_switches(pty).1,
            left + 1,
            "the alternate screen was left"
        );
        assert_restored(pty);

        pty.signal("CONT");
        pty.wait_stopped(false);
        pty.wait_for("the console taken back", |_| {
            screen_switches(pty).0 == entered + 1
        });
        let modes = pty.stty();
        assert!(
            modes.contains("-icanon") && modes.contains("-echo"),
            "raw again: {modes}"
        );
        pty.wait_for("the demo redrawn", |s| {
            s.contains("DEMO") && s.contains("100%")
        });
    }
    // Still the live console: keys work after the second resume.
    pty.signal("INT");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    assert_restored(pty);
}
