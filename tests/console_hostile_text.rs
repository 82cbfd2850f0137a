//! The console attached to a hostile service: names, states and descriptions laden with
//! escape sequences, C1 controls and bidi overrides are drawn as visible markers, and the raw
//! byte stream to the terminal carries none of what the service sent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use common::hostile_text::serve;
use common::pty::*;

#[test]
fn the_console_never_forwards_what_the_service_injects() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let base = serve(&runtime);
    let home = tempfile::tempdir().expect("a temporary home");
    let dir = home.path().to_str().expect("utf-8 temp path").to_string();
    let journal = format!("{dir}/journal.jsonl");
    let mut pty = Pty::spawn(
        &["--emulator", &base, "--emulator-token", "t"],
        &[
            ("HOME", &dir),
            ("XDG_CONFIG_HOME", &dir),
            ("XDG_DATA_HOME", &dir),
            ("AZURE_CONFIG_DIR", &format!("{dir}/az")),
            ("AML_ROLLOUT_JOURNAL", &journal),
        ],
        200,
        40,
    );
    // The endpoints list is narrow: the start of the marked-up name is enough.
    pty.wait_for_text("gr<U+202E>e");
    pty.send("q");
    pty.wait_exit();
    let raw = pty.raw_output();
    let text = String::from_utf8_lossy(&raw);
    for (what, injected) in [
        ("an 8-bit CSI", "\u{9b}"),
        ("an 8-bit OSC", "\u{9d}"),
        ("NEL", "\u{85}"),
        ("a right-to-left override", "\u{202e}"),
        ("a directional isolate", "\u{2066}"),
        ("an OSC window title", "\x1b]0;title"),
        ("the OSC payload", "pwned\u{9c}"),
    ] {
        assert!(!text.contains(injected), "the terminal received {what}");
    }
}
