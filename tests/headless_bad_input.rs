//! The bad-input corpus, data-driven: each row runs the real binary against the emulator with
//! one bad input and names the exit code and a fragment of stderr it must produce. Every row
//! is a usage error (exit 2: nothing was sent), checked by the emulator's state and the
//! journal, which must not have changed. Files are read with a cap, devices and FIFOs are
//! refused (a FIFO with no writer would otherwise hang the command).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use aml_rollout::journal::Journal;
use aml_rollout::rollout::TrafficSplit;
use std::path::Path;

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
        what: "a deployment named ..",
        args: &["deployment", "delete", "-e", ENDPOINT, "-n", "..", "--yes"],
        code: 2,
        stderr: "deployment name",
    },
    Case {
        what: "a deployment named .",
        args: &["deployment", "show", "-e", ENDPOINT, "-n", "."],
        code: 2,
        stderr: "deployment name",
    },
    Case {
        what: "an empty endpoint name",
        args: &["endpoint", "show", "-n", ""],
        code: 2,
        stderr: "endpoint name",
    },
    Case {
        what: "an endpoint named ..",
        args: &["traffic", "-e", "..", "blue=100"],
        code: 2,
        stderr: "endpoint name",
    },
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
    Case {
        what: "a deployment YAML nested 100,000 levels deep",
        args: &[
            "deployment",
            "create",
            "-e",
            ENDPOINT,
            "-f",
            "{dir}/deep.yml",
        ],
        code: 2,
        stderr: "nested deeper than 256 levels, the limit for an az ml YAML file",
    },
    Case {
        what: "an endpoint YAML of nested sequence entries",
        args: &["endpoint", "create", "-f", "{dir}/dashes.yml"],
        code: 2,
        stderr: "nested deeper than 256 levels",
    },
    Case {
        what: "a YAML file over the size limit",
        args: &["endpoint", "create", "-f", "{dir}/huge.yml"],
        code: 2,
        stderr: "larger than 1 MiB, the limit for an az ml YAML file",
    },
    Case {
        what: "an empty YAML file",
        args: &["endpoint", "create", "-f", "{dir}/empty.yml"],
        code: 2,
        stderr: "empty.yml",
    },
    Case {
        what: "a NUL in a YAML file",
        args: &[
            "deployment",
            "create",
            "-e",
            ENDPOINT,
            "-f",
            "{dir}/nul.yml",
        ],
        code: 2,
        stderr: "nul.yml",
    },
    Case {
        what: "a YAML file that is a device",
        args: &["endpoint", "create", "-f", "/dev/zero"],
        code: 2,
        stderr: "it is a device; aml-rollout reads only regular files",
    },
    Case {
        what: "a YAML file that is a directory",
        args: &["deployment", "create", "-e", ENDPOINT, "-f", "."],
        code: 2,
        stderr: "it is a directory",
    },
    Case {
        what: "a YAML file that is a FIFO",
        args: &["endpoint", "create", "-f", "{dir}/fifo"],
        code: 2,
        stderr: "it is a FIFO",
    },
    Case {
        what: "a request file that is a device",
        args: &["invoke", "-e", ENDPOINT, "--request-file", "/dev/zero"],
        code: 2,
        stderr: "it is a device",
    },
    Case {
        what: "a request file that is a FIFO",
        args: &["invoke", "-e", ENDPOINT, "-r", "{dir}/fifo"],
        code: 2,
        stderr: "it is a FIFO",
    },
    Case {
        what: "a request file over the size limit",
        args: &["invoke", "-e", ENDPOINT, "-r", "{dir}/huge.json"],
        code: 2,
        stderr: "larger than 16 MiB, the limit for a scoring request",
    },
];

/// The files the cases name, in `dir`.
fn write_files(dir: &Path) {
    let levels = 100_000;
    let deep = format!(
        "name: x\nendpoint_name: {ENDPOINT}\nmodel: {}{}\n",
        "[".repeat(levels),
        "]".repeat(levels)
    );
    std::fs::write(dir.join("deep.yml"), deep).expect("write");
    std::fs::write(
        dir.join("dashes.yml"),
        format!("name: x\ntags:\n{}x\n", "- ".repeat(levels)),
    )
    .expect("write");
    let huge = format!("name: x\ndescription: {}\n", "y".repeat(2 << 20));
    std::fs::write(dir.join("huge.yml"), huge).expect("write");
    std::fs::write(dir.join("empty.yml"), "").expect("write");
    std::fs::write(
        dir.join("nul.yml"),
        "name: gre\0en\nendpoint_name: my-endpoint\n",
    )
    .expect("write");
    // Sparse: its size is over the limit without taking the disk space.
    let huge_request = std::fs::File::create(dir.join("huge.json")).expect("create");
    huge_request.set_len(17 << 20).expect("size");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("fifo"))
        .status()
        .expect("run mkfifo");
    assert!(made.success());
}

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

/// Every endpoint and deployment, by name.
fn resource_names(h: &Harness) -> Vec<String> {
    let client = h.emulator.client().expect("client");
    let ws = &h.emulator.workspace;
    let mut names = Vec::new();
    for endpoint in h.block_on(client.list_endpoints(ws)).expect("endpoints") {
        let deployments = h
            .block_on(client.list_deployments(ws, &endpoint.name))
            .expect("deployments");
        names.extend(
            deployments
                .into_iter()
                .map(|d| format!("{}/{}", endpoint.name, d.name)),
        );
        names.push(endpoint.name);
    }
    names
}

fn run_cases(h: &Harness, cases: &[Case]) {
    let dir = h.sandbox.dir.path().to_str().expect("utf-8 temp path");
    let before = split(h);
    let resources = resource_names(h);
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
    assert_eq!(resource_names(h), resources, "nothing was created");
    let journal = Journal::open(h.sandbox.journal_path());
    assert!(journal.read_all().expect("journal").is_empty());
}

#[test]
fn bad_inputs_are_usage_errors_and_send_nothing() {
    let h = Harness::start();
    write_files(h.sandbox.dir.path());
    run_cases(&h, CASES);
}

#[test]
fn all_traffic_off_is_written_out() {
    let h = Harness::start();
    let run = h.run(&["traffic", "-e", ENDPOINT, "blue=0"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(split(&h).live.values().all(|p| *p == 0), "{:?}", split(&h));
}
