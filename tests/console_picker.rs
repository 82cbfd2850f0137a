//! A subscription without a workspace: the console lists the workspaces and opens the one
//! chosen. Signed in through a fake `az` that hands out the emulator's token, with the ARM
//! endpoint pointed at the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::os::unix::fs::PermissionsExt;

use common::pty::*;

#[test]
fn the_console_offers_a_workspace_picker() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = runtime.block_on(common::demo());
    emu.emulator.lock_store().add_workspace(
        "00000000-0000-0000-0000-000000000000",
        "team-b",
        "other-ws",
        "eastus",
    );

    let dir = tempfile::tempdir().unwrap();
    let az = dir.path().join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\ncat <<'JSON'\n{{\"accessToken\": \"{}\", \"expiresOn\": \"2099-01-01 00:00:00.000000\", \"expires_on\": 4070908800, \"tokenType\": \"Bearer\"}}\nJSON\n",
            emu.token
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let az_config = dir.path().join("azure");
    std::fs::create_dir_all(&az_config).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.path().display().to_string();
    let journal = dir.path().join("journal.jsonl").display().to_string();

    let mut pty = Pty::spawn(
        &[
            "--subscription",
            "00000000-0000-0000-0000-000000000000",
            "--arm-endpoint",
            &emu.base_url,
            "--auth",
            "cli",
        ],
        &[
            ("PATH", path.as_str()),
            ("AZURE_CONFIG_DIR", az_config.to_str().unwrap()),
            ("HOME", home.as_str()),
            ("XDG_CONFIG_HOME", home.as_str()),
            ("AML_ROLLOUT_JOURNAL", journal.as_str()),
            ("AZURE_DEFAULTS_GROUP", ""),
            ("AZURE_DEFAULTS_WORKSPACE", ""),
        ],
        140,
        30,
    );
    let screen = pty.wait_for_text("Workspaces (2)");
    assert!(
        screen.contains("demo-ws") && screen.contains("other-ws"),
        "{screen}"
    );
    // Filter down to the demo and open it.
    pty.send("demo");
    pty.wait_for_text("Workspaces (1/2)");
    pty.send(ENTER);
    let screen = pty.wait_for("the demo workspace opened", |s| {
        s.contains("demo-ws · rollout-demo") && s.contains("my-endpoint")
    });
    assert!(
        !screen.contains("DEMO"),
        "a real target is not labelled as the demo"
    );
    pty.send("q");
    assert!(pty.wait_exit().success());
}
