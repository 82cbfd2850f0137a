//! Real sign-in code paths: azure_identity's AzureCliCredential runs a fake `az` found on PATH
//! (it executes `/bin/sh -c "cd /bin && az account get-access-token -o json --scope …"`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use headless_common::{ENDPOINT, Harness, Run, run};

/// Writes an executable `az` into `dir`.
fn write_fake_az(dir: &Path, script: &str) {
    let path = dir.join("az");
    std::fs::write(&path, script).expect("write fake az");
    let mut permissions = std::fs::metadata(&path).expect("metadata").permissions();
    permissions.set_mode(0o755);
    std::fs::set_permissions(&path, permissions).expect("chmod");
}

/// PATH with the fake az first.
fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_string())
    )
}

fn run_with_cli_auth(h: &Harness, bin_dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--auth", "cli", "--emulator", h.emulator.base_url.as_str()];
    all.extend_from_slice(args);
    let mut command = h.sandbox.command(&all);
    command.env("PATH", path_with(bin_dir));
    run(command)
}

#[test]
fn the_az_cli_credential_runs_az_once_for_many_requests() {
    let h = Harness::start();
    let bin = tempfile::tempdir().expect("bin dir");
    let counter = bin.path().join("calls");
    let expires = chrono::Utc::now().timestamp() + 3600;
    write_fake_az(
        bin.path(),
        &format!(
            r#"#!/bin/sh
echo "$*" >> '{counter}'
cat <<'JSON'
{{"accessToken": "{token}", "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": {expires}, "subscription": "00000000-0000-0000-0000-000000000000", "tenant": "11111111-1111-1111-1111-111111111111", "tokenType": "Bearer"}}
JSON
"#,
            counter = counter.display(),
            token = h.emulator.token,
        ),
    );

    // One command, many ARM requests: GET endpoint, list deployments, GET endpoint again, PUT,
    // then the operation polls.
    let changed = run_with_cli_auth(&h, bin.path(), &["traffic", "-e", ENDPOINT, "blue=100"]);
    assert_eq!(changed.code, 0, "{changed:?}");
    let calls = std::fs::read_to_string(&counter).expect("counter");
    assert_eq!(calls.lines().count(), 1, "az ran more than once: {calls}");
    assert!(
        calls.contains(
            "account get-access-token -o json --scope https://management.azure.com/.default"
        ),
        "{calls}"
    );
    // The token never appears in the output.
    assert!(
        !changed.stdout.contains(&h.emulator.token) && !changed.stderr.contains(&h.emulator.token)
    );
}

#[test]
fn a_failing_az_cli_means_exit_3_and_one_paragraph_saying_az_login() {
    let h = Harness::start();
    let bin = tempfile::tempdir().expect("bin dir");
    write_fake_az(
        bin.path(),
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\necho 'second line of noise' >&2\nexit 1\n",
    );
    let failed = run_with_cli_auth(&h, bin.path(), &["endpoint", "list"]);
    assert_eq!(failed.code, 3, "{failed:?}");
    assert!(failed.stdout.is_empty(), "{failed:?}");
    assert_eq!(
        failed.stderr.lines().count(),
        1,
        "one paragraph: {failed:?}"
    );
    assert!(failed.stderr.contains("`az login`"), "{failed:?}");
    assert!(
        failed.stderr.contains("Please run 'az login'"),
        "the tool's reason: {failed:?}"
    );
}

#[test]
fn a_service_principal_without_its_variables_means_exit_3_naming_them() {
    let h = Harness::start();
    let mut command = h.sandbox.command(&[
        "--auth",
        "sp",
        "--emulator",
        &h.emulator.base_url,
        "endpoint",
        "list",
    ]);
    command.env("AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222");
    let failed = run(command);
    assert_eq!(failed.code, 3, "{failed:?}");
    assert!(failed.stderr.contains("AZURE_CLIENT_SECRET"), "{failed:?}");
    assert!(failed.stderr.contains("AZURE_TENANT_ID"), "{failed:?}");
    assert_eq!(failed.stderr.lines().count(), 1, "{failed:?}");
}
