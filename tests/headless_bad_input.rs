//! The bad-input corpus, data-driven: each row runs the real binary against the emulator with
//! one bad input and names the exit code and a fragment of stderr it must produce. Every row
//! is a usage error (exit 2: nothing was sent), checked by the emulator's state and the
//! journal, which must not have changed.

mod headless_common;

use aml_rollout::journal::Journal;
use aml_rollout::rollout::TrafficSplit;
use headless_common::{ENDPOINT, Harness};

/// One bad input. `{dir}` in an argument is the sandbox's directory (where `files` are put).
struct Case {
    what: &'static str,
    args: &'static [&'static str],
    code: i32,
    stderr: &'static str,
}

const CASES: &[Case] = &[
    Case {
        what: "an empty split",
        args: &["traffic", "-e", ENDPOINT, ""],
        code: 2,
        stderr: "the split is empty",
    },
    Case {
        what: "a blank split",
        args: &["traffic", "-e", ENDPOINT, "   "],
        code: 2,
        stderr: "to turn traffic off on purpose, set each deployment to 0",
    },
    Case {
        what: "a split of separators only",
        args: &["traffic", "-e", ENDPOINT, " , \t"],
        code: 2,
        stderr: "the split is empty",
    },
    Case {
        what: "an empty mirror split",
        args: &["mirror", "-e", ENDPOINT, ""],
        code: 2,
        stderr: "the split is empty",
    },
    Case {
        // An argument cannot hold a NUL; the files below carry those.
        what: "a control character in a split",
        args: &["traffic", "-e", ENDPOINT, "blue=10\u{1}0"],
        code: 2,
        stderr: "not a whole-number percentage",
    },
    Case {
        what: "a huge percentage",
        args: &["traffic", "-e", ENDPOINT, "blue=99999999999999999999999999"],
        code: 2,
        stderr: "more than 100%",
    },
];

fn split(h: &Harness) -> TrafficSplit {
    let client = h.emulator.client().expect("client");
    let endpoint = h
        .block_on(client.get_endpoint(&h.emulator.workspace, ENDPOINT))
        .expect("endpoint");
    TrafficSplit::from_maps(
        endpoint.properties.traffic.as_ref(),
        endpoint.properties.mirror_traffic.as_ref(),
    )
    .normalized()
}

fn run_cases(h: &Harness, cases: &[Case]) {
    let dir = h.sandbox.dir.path().to_str().expect("utf-8 temp path");
    let before = split(h);
    let mut failures = Vec::new();
    for case in cases {
        let args: Vec<String> = case.args.iter().map(|a| a.replace("{dir}", dir)).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = h.run(&args);
        if run.code != case.code || !run.stderr.contains(case.stderr) {
            failures.push(format!(
                "{}: expected exit {} with {:?}; got exit {} with stderr {:?}",
                case.what, case.code, case.stderr, run.code, run.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(split(h), before, "nothing was sent");
    let journal = Journal::open(h.sandbox.journal_path());
    assert!(journal.read_all().expect("journal").is_empty());
}

#[test]
fn bad_inputs_are_usage_errors_and_send_nothing() {
    let h = Harness::start();
    run_cases(&h, CASES);
}

#[test]
fn all_traffic_off_is_written_out() {
    let h = Harness::start();
    let run = h.run(&["traffic", "-e", ENDPOINT, "blue=0"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(split(&h).live.values().all(|p| *p == 0), "{:?}", split(&h));
}
