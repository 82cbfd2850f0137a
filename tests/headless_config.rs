//! `config show` end to end: the az CLI's own files (azureProfile.json with its UTF-8 BOM,
//! `config` INI), precedence of flags and environment, and missing files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod headless_common;

use headless_common::{Run, Sandbox, run};
use serde_json::Value;

const SUBSCRIPTION: &str = "12345678-1234-1234-1234-123456789abc";

fn field<'a>(view: &'a Value, name: &str) -> (&'a str, &'a str) {
    let row = view["fields"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["field"] == name))
        .unwrap_or_else(|| panic!("no field {name} in {view}"));
    (
        row["value"].as_str().unwrap_or_default(),
        row["source"].as_str().unwrap_or_default(),
    )
}

fn write_az_files(sandbox: &Sandbox) {
    let az = sandbox.home().join(".azure");
    let profile = format!(
        "\u{feff}{{\"installationId\": \"x\", \"subscriptions\": [{{\"id\": \"{SUBSCRIPTION}\", \"name\": \"Production\", \"state\": \"Enabled\", \"isDefault\": true, \"tenantId\": \"tenant-1\", \"environmentName\": \"AzureCloud\", \"user\": {{\"name\": \"ops@contoso.com\", \"type\": \"user\"}}}}]}}"
    );
    std::fs::write(az.join("azureProfile.json"), profile).expect("profile");
    std::fs::write(
        az.join("config"),
        "[defaults]\ngroup = ml-rg\nworkspace = ml-ws\n",
    )
    .expect("config");
}

fn show(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = args.to_vec();
    all.extend(["config", "show", "-o", "json"]);
    let mut command = sandbox.command(&all);
    for (name, value) in env {
        command.env(name, value);
    }
    run(command)
}

#[test]
fn config_show_reads_the_az_cli_files_with_a_bom() {
    let sandbox = Sandbox::new();
    write_az_files(&sandbox);
    let shown = show(&sandbox, &[], &[]);
    assert_eq!(shown.code, 0, "{shown:?}");
    let view = shown.json();
    assert_eq!(field(&view, "target").0, "azure");
    let (subscription, source) = field(&view, "subscription");
    assert_eq!(subscription, SUBSCRIPTION);
    assert!(
        source.starts_with("az profile") && source.ends_with("azureProfile.json"),
        "{source}"
    );
    assert_eq!(field(&view, "subscription_name").0, "Production");
    let (group, source) = field(&view, "resource_group");
    assert_eq!(group, "ml-rg");
    assert!(source.starts_with("az config"), "{source}");
    assert_eq!(field(&view, "workspace").0, "ml-ws");
    assert_eq!(field(&view, "auth").0, "developer tools (az CLI, then azd)");
    assert_eq!(view["warnings"], serde_json::json!([]));
}

#[test]
fn flags_beat_environment_beat_az_files() {
    let sandbox = Sandbox::new();
    write_az_files(&sandbox);
    let shown = show(
        &sandbox,
        &["-g", "flag-rg"],
        &[
            ("AZURE_DEFAULTS_GROUP", "env-rg"),
            ("AZURE_DEFAULTS_WORKSPACE", "env-ws"),
        ],
    );
    assert_eq!(shown.code, 0, "{shown:?}");
    let view = shown.json();
    assert_eq!(
        field(&view, "resource_group"),
        ("flag-rg", "flag --resource-group")
    );
    assert_eq!(
        field(&view, "workspace"),
        ("env-ws", "env AZURE_DEFAULTS_WORKSPACE")
    );
    assert_eq!(field(&view, "subscription").0, SUBSCRIPTION);
}

#[test]
fn without_az_files_config_show_says_demo_and_commands_say_what_is_missing() {
    let sandbox = Sandbox::new();
    let shown = show(&sandbox, &[], &[]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert_eq!(field(&shown.json(), "target").0, "demo (built-in emulator)");

    // A subscription from the profile but no workspace: the command names the missing flag.
    let az = sandbox.home().join(".azure");
    std::fs::write(
        az.join("azureProfile.json"),
        format!(
            "\u{feff}{{\"subscriptions\": [{{\"id\": \"{SUBSCRIPTION}\", \"isDefault\": true}}]}}"
        ),
    )
    .expect("profile");
    let listed = sandbox.run(&["-g", "some-rg", "endpoint", "list"]);
    assert_eq!(listed.code, 2, "{listed:?}");
    assert!(
        listed
            .stderr
            .contains("no workspace chosen: pass -w/--workspace"),
        "{listed:?}"
    );
}

#[test]
fn config_show_lists_the_workspace_marks_and_refuses_an_unknown_colour() {
    let sandbox = Sandbox::new();
    let file = sandbox.home().join("marks.toml");
    std::fs::write(
        &file,
        "[targets.\"prod-ws\"]\nlabel = \"PROD\"\ncolor = \"red\"\n",
    )
    .unwrap();
    let shown = show(&sandbox, &["--config", file.to_str().unwrap()], &[]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let view = shown.json();
    let (value, source) = field(&view, "target_mark");
    assert_eq!(value, r#""prod-ws": label "PROD" color red"#);
    assert!(source.contains("marks.toml"), "{source}");

    std::fs::write(
        &file,
        "[targets.\"prod-ws\"]\nlabel = \"PROD\"\ncolor = \"crimson\"\n",
    )
    .unwrap();
    let refused = show(&sandbox, &["--config", file.to_str().unwrap()], &[]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("marks.toml") && refused.stderr.contains("line 3"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("crimson"), "{}", refused.stderr);
}
