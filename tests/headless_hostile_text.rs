//! A hostile service answers with names, descriptions, states and scoring answers laden with
//! escape sequences, 8-bit C1 controls and bidi overrides. Whatever the output format, the raw
//! bytes the commands print carry none of them: tables show markers, JSON escapes them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;
mod headless_common;

use common::hostile_text::{HOSTILE, is_dangerous, serve};
use headless_common::Sandbox;

struct Hostile {
    /// Serves the hostile answers for as long as the test runs.
    _runtime: tokio::runtime::Runtime,
    base: String,
    sandbox: Sandbox,
}

impl Hostile {
    fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let base = serve(&runtime);
        Self {
            _runtime: runtime,
            base,
            sandbox: Sandbox::new(),
        }
    }

    fn run(&self, args: &[&str]) -> headless_common::Run {
        let mut all = vec!["--emulator", &self.base, "--emulator-token", "t"];
        all.extend_from_slice(args);
        self.sandbox.run(&all)
    }
}

/// No control (other than line breaks), C1 or bidi character in what was printed.
fn assert_inert(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| is_dangerous(c)) {
        panic!("{what} printed {c:?}:\n{text:?}");
    }
}

#[test]
fn tables_show_markers_where_the_service_sent_controls() {
    let hostile = Hostile::start();
    for args in [
        &["-o", "table", "endpoint", "list"][..],
        &["-o", "table", "endpoint", "show", "-n", "my-endpoint"],
        &["-o", "table", "deployment", "list", "-e", "my-endpoint"],
    ] {
        let run = hostile.run(args);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert_inert(&format!("{args:?} stdout"), &run.stdout);
        assert_inert(&format!("{args:?} stderr"), &run.stderr);
        assert!(
            run.stdout.contains("gr<U+202E>een<U+009B>2J"),
            "{args:?} shows the hidden characters visibly:\n{}",
            run.stdout
        );
    }
}

#[test]
fn json_output_escapes_c1_and_bidi_characters() {
    let hostile = Hostile::start();
    for args in [
        &["endpoint", "list", "-o", "json"][..],
        &["deployment", "list", "-e", "my-endpoint", "-o", "json"],
    ] {
        let run = hostile.run(args);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert_inert(&format!("{args:?}"), &run.stdout);
        assert!(
            run.stdout.contains(r"gr\u202eeen\u009b2J"),
            "{}",
            run.stdout
        );
        // Escaped, not altered: a script reads back exactly what the service sent.
        let parsed = run.json();
        let first = parsed.get(0).unwrap_or(&parsed);
        assert_eq!(first["name"], HOSTILE, "{parsed}");
    }
}

#[test]
fn scoring_answers_are_inert_in_every_format() {
    let hostile = Hostile::start();
    let request = hostile.sandbox.dir.path().join("request.json");
    std::fs::write(&request, r#"{"data": [[1, 2]]}"#).expect("write the request");
    let request = request.to_str().expect("utf-8 path");
    for format in ["table", "json"] {
        let run = hostile.run(&["-o", format, "invoke", "-e", "my-endpoint", "-r", request]);
        assert_eq!(run.code, 0, "{format}: {run:?}");
        assert_inert(&format!("invoke -o {format}"), &run.stdout);
        assert_inert(&format!("invoke -o {format} stderr"), &run.stderr);
        assert!(run.stdout.contains(r"\u009b2J"), "{}", run.stdout);
    }
}
