//! The headless commands against `aml-rollout emulator --tls`: they find the emulator's CA in
//! its default data directory, or take `--emulator-ca`, and refuse a certificate they cannot
//! trust.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use aml_rollout::emulator::{self, EmulatorConfig};
use headless_common::{ENDPOINT, Sandbox};
use tokio::runtime::Runtime;

#[test]
fn commands_trust_the_ca_in_the_emulators_data_directory_or_the_one_given() {
    let sandbox = Sandbox::new();
    // The default data directory as the binary sees it in the sandbox.
    let data_dir = sandbox.home().join(".local/share/aml-rollout/emulator");
    let runtime = Runtime::new().expect("runtime");
    let emu = runtime
        .block_on(emulator::start(EmulatorConfig {
            tls_dir: Some(data_dir.clone()),
            ..EmulatorConfig::for_tests()
        }))
        .expect("emulator");
    assert!(emu.base_url.starts_with("https://"));
    let base = [
        "--emulator",
        emu.base_url.as_str(),
        "--emulator-token",
        emu.token.as_str(),
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["endpoint", "list", "-o", "json"]);
        sandbox.run(&args)
    };

    let found = with(&[]);
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert!(found.stdout.contains(ENDPOINT), "{}", found.stdout);

    let ca = data_dir.join(emulator::tls::CA_FILE).display().to_string();
    let given = with(&["--emulator-ca", &ca]);
    assert_eq!(given.code, 0, "{}", given.stderr);

    // Another CA does not vouch for this emulator's certificate.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let other = runtime
        .block_on(emulator::start(EmulatorConfig {
            tls_dir: Some(elsewhere.path().to_path_buf()),
            ..EmulatorConfig::for_tests()
        }))
        .expect("another emulator");
    let (other_ca, _) = other.ca_certificate.clone().expect("ca");
    let other_ca = other_ca.display().to_string();
    let refused = with(&["--emulator-ca", &other_ca]);
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(refused.stderr.contains("certificate"), "{}", refused.stderr);

    let missing = with(&["--emulator-ca", "/nonexistent/ca.pem"]);
    assert_ne!(missing.code, 0);
    assert!(
        missing.stderr.contains("--emulator-ca"),
        "{}",
        missing.stderr
    );
}
