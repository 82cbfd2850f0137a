//! The core quota check before a deployment change is sent: the figures on stderr, a change
//! that cannot fit refused with exit 2 and nothing sent, `--force` sending it anyway so that
//! Azure's own `OutOfQuota` comes back. The emulator holds 100 cores per VM family; the seed's
//! blue (one four-core Standard_DS3_v2) holds 8 of them with the 20% reserve.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use aml_rollout::journal::Journal;
use headless_common::{ENDPOINT, Harness};

fn journal_len(h: &Harness) -> usize {
    Journal::open(h.sandbox.journal_path())
        .read_all()
        .map(|entries| entries.len())
        .unwrap_or(0)
}

fn instances_of(h: &Harness, deployment: &str) -> i64 {
    let shown = h.run(&[
        "deployment",
        "show",
        "-e",
        ENDPOINT,
        "-n",
        deployment,
        "-o",
        "json",
    ]);
    assert_eq!(shown.code, 0, "{shown:?}");
    shown.json()["instance_count"].as_i64().expect("a count")
}

#[test]
fn a_scale_beyond_quota_is_refused_unless_forced_and_then_azure_refuses_it() {
    let h = Harness::start();
    // Fits: 10 instances hold 48 cores, blue holds 8 of the 8 in use already.
    let fits = h.run(&[
        "deployment",
        "scale",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "10",
        "-o",
        "json",
    ]);
    assert_eq!(fits.code, 0, "{fits:?}");
    assert!(
        fits.stderr.contains(
            "quota: needs 40 more cores (48 in all, incl. 20% reserve), 92 free in Standard DSv2 Family"
        ),
        "{}",
        fits.stderr
    );
    assert_eq!(
        fits.json()["action"],
        "deployment scale",
        "stdout stays JSON"
    );
    assert_eq!(instances_of(&h, "blue"), 10);
    let journaled = journal_len(&h);
    assert_eq!(journaled, 1);

    // 30 instances hold 144: 96 more than blue's 48, with 52 free.
    let refused = h.run(&["deployment", "scale", "-e", ENDPOINT, "-n", "blue", "30"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "not sent: my-endpoint/blue needs 96 more cores (144 in all, incl. 20% reserve), 52 free in Standard DSv2 Family"
        ),
        "{}",
        refused.stderr
    );
    for advice in [
        "Scale down",
        "smaller instance type",
        "request more quota",
        "--force",
    ] {
        assert!(
            refused.stderr.contains(advice),
            "{advice}: {}",
            refused.stderr
        );
    }
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert_eq!(instances_of(&h, "blue"), 10, "nothing was sent");
    assert_eq!(journal_len(&h), journaled, "nothing was journaled");

    // Forced: sent, and the service's OutOfQuota is the failure. Its shortfall is the check's:
    // 96 more with 52 free is 44 short.
    let forced = h.run(&[
        "deployment",
        "scale",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "30",
        "--force",
    ]);
    assert_eq!(forced.code, 1, "{forced:?}");
    assert!(forced.stderr.contains("--force"), "{}", forced.stderr);
    assert!(forced.stderr.contains("OutOfQuota"), "{}", forced.stderr);
    assert!(
        forced.stderr.contains("Additional needed: 44"),
        "{}",
        forced.stderr
    );
    assert_eq!(journal_len(&h), journaled + 1, "the failure is journaled");
}

#[test]
fn an_update_of_the_instance_count_is_checked_like_a_scale() {
    let h = Harness::start();
    let refused = h.run(&[
        "deployment",
        "update",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--set",
        "instance_count=40",
    ]);
    assert_eq!(refused.code, 2, "{refused:?}");
    // 40 instances hold 192 cores; blue's 8 are freed: 184 more, 92 free.
    assert!(
        refused
            .stderr
            .contains("needs 184 more cores (192 in all, incl. 20% reserve), 92 free"),
        "{}",
        refused.stderr
    );
    assert_eq!(instances_of(&h, "blue"), 1);
    assert_eq!(journal_len(&h), 0);
    // A setting that draws on no cores is not checked.
    let described = h.run(&[
        "deployment",
        "update",
        "-e",
        ENDPOINT,
        "-n",
        "blue",
        "--set",
        "description=steady",
    ]);
    assert_eq!(described.code, 0, "{described:?}");
    assert!(!described.stderr.contains("quota:"), "{}", described.stderr);
}

#[test]
fn a_create_beyond_quota_is_refused_with_nothing_sent() {
    let h = Harness::start();
    let yaml = std::fs::read_to_string(headless_common::repo_file(
        "assets/demo/green-deployment.yml",
    ))
    .expect("demo YAML")
    .replace("instance_count: 1", "instance_count: 24");
    let file = h.sandbox.dir.path().join("green-24.yml");
    std::fs::write(&file, yaml).expect("written");
    let file = file.display().to_string();

    let refused = h.run(&["deployment", "create", "-f", &file, "-o", "json"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    // 24 instances and a reserve of 5, four cores each.
    assert!(
        refused.stderr.contains(
            "quota: needs 116 cores (incl. 20% reserve), 92 free in Standard DSv2 Family"
        ),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    let shown = h.run(&["deployment", "show", "-e", ENDPOINT, "-n", "green"]);
    assert_ne!(shown.code, 0, "green was not created: {shown:?}");
    assert_eq!(journal_len(&h), 0);

    let forced = h.run(&["deployment", "create", "-f", &file, "--force"]);
    assert_eq!(forced.code, 1, "{forced:?}");
    assert!(forced.stderr.contains("OutOfQuota"), "{}", forced.stderr);

    // The demo's own green (one instance, 8 cores) fits.
    let fits = h.run(&[
        "deployment",
        "create",
        "-f",
        &headless_common::repo_file("assets/demo/green-deployment.yml"),
        "--force-update",
    ]);
    assert_eq!(fits.code, 0, "{fits:?}");
    assert!(
        fits.stderr
            .contains("quota: needs 8 cores (incl. 20% reserve), 92 free"),
        "{}",
        fits.stderr
    );
}
