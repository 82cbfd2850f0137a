//! Resolution tests against real files in temporary directories.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use tempfile::TempDir;

use super::*;

const SUB_A: &str = "11111111-1111-1111-1111-111111111111";
const SUB_B: &str = "22222222-2222-2222-2222-222222222222";
const SUB_C: &str = "33333333-3333-3333-3333-333333333333";
const SUB_D: &str = "44444444-4444-4444-4444-444444444444";

struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn az_dir(&self) -> PathBuf {
        self.dir.path().join("azure")
    }

    fn az_config_path(&self) -> PathBuf {
        self.az_dir().join("config")
    }

    fn profile_path(&self) -> PathBuf {
        self.az_dir().join("azureProfile.json")
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("aml-rollout").join("config.toml")
    }

    fn write_az_config(&self, text: &str) -> &Self {
        fs::create_dir_all(self.az_dir()).expect("mkdir");
        fs::write(self.az_config_path(), text).expect("write");
        self
    }

    /// Writes the profile the way az does: utf-8-sig, i.e. with a BOM.
    fn write_profile(&self, json: &str) -> &Self {
        fs::create_dir_all(self.az_dir()).expect("mkdir");
        fs::write(self.profile_path(), format!("\u{feff}{json}")).expect("write");
        self
    }

    fn write_config(&self, text: &str) -> &Self {
        fs::create_dir_all(self.config_path().parent().expect("parent")).expect("mkdir");
        fs::write(self.config_path(), text).expect("write");
        self
    }

    fn inputs(&self, flags: TargetFlags, env: &[(&str, &str)]) -> TargetInputs {
        TargetInputs {
            flags,
            env: EnvVars::from_pairs(env.iter().copied()),
            az_config_dir: Some(self.az_dir()),
            config_file: ConfigFileLocation::Default(self.config_path()),
        }
    }

    fn resolve(&self, flags: TargetFlags, env: &[(&str, &str)]) -> ResolvedTarget {
        resolve(&self.inputs(flags, env)).expect("resolve")
    }

    fn resolve_err(&self, flags: TargetFlags, env: &[(&str, &str)]) -> String {
        match resolve(&self.inputs(flags, env)) {
            Ok(r) => panic!("expected an error, got {r:?}"),
            Err(e) => e.to_string(),
        }
    }
}

fn profile(subs: &[(&str, &str, bool)]) -> String {
    let entries: Vec<String> = subs
        .iter()
        .map(|(id, name, default)| {
            format!(
                r#"{{"id": "{id}", "name": "{name}", "state": "Enabled", "isDefault": {default},
                    "tenantId": "tenant-{name}", "environmentName": "AzureCloud",
                    "user": {{"name": "me@example.com", "type": "user"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"installationId": "abc", "subscriptions": [{}]}}"#,
        entries.join(",")
    )
}

fn all_flags() -> TargetFlags {
    TargetFlags {
        subscription: Some(SUB_A.into()),
        resource_group: Some("rg-flag".into()),
        workspace: Some("ws-flag".into()),
        arm_endpoint: Some("https://arm.flag.example".into()),
        api_version: Some("2024-01-01-flag".into()),
        emulator: None,
    }
}

const ALL_ENV: &[(&str, &str)] = &[
    ("AZURE_SUBSCRIPTION_ID", SUB_B),
    ("AZURE_DEFAULTS_GROUP", "rg-env"),
    ("AZURE_DEFAULTS_WORKSPACE", "ws-env"),
    ("AML_ROLLOUT_ARM_ENDPOINT", "https://arm.env.example"),
    ("AML_ROLLOUT_API_VERSION", "2024-01-01-env"),
];

/// Every source populated for every field; then peel them off one at a time.
fn full_fixture() -> Fixture {
    let fx = Fixture::new();
    fx.write_az_config("[defaults]\ngroup = rg-az\nworkspace = ws-az\n")
        .write_profile(&profile(&[(SUB_C, "az-sub", true)]))
        .write_config(&format!(
            "subscription = \"{SUB_D}\"\nresource_group = \"rg-file\"\nworkspace = \"ws-file\"\n\
             arm_endpoint = \"https://arm.file.example/\"\napi_version = \"2024-01-01-file\"\n"
        ));
    fx
}

fn values(r: &ResolvedTarget) -> (String, String, String) {
    let v = |s: &Option<Sourced<String>>| s.as_ref().map(|s| s.value.clone()).unwrap_or_default();
    (v(&r.subscription), v(&r.resource_group), v(&r.workspace))
}

#[test]
fn flags_beat_everything() {
    let fx = full_fixture();
    let r = fx.resolve(all_flags(), ALL_ENV);
    assert_eq!(
        r.kind,
        TargetKind::Azure(WorkspaceRef {
            subscription: SUB_A.into(),
            resource_group: "rg-flag".into(),
            workspace: "ws-flag".into(),
        })
    );
    assert_eq!(
        r.subscription.as_ref().map(|s| &s.source),
        Some(&Source::Flag("--subscription"))
    );
    assert_eq!(
        r.resource_group.as_ref().map(|s| &s.source),
        Some(&Source::Flag("--resource-group"))
    );
    assert_eq!(
        r.workspace.as_ref().map(|s| &s.source),
        Some(&Source::Flag("--workspace"))
    );
    assert_eq!(
        r.arm_endpoint,
        Sourced::new(
            "https://arm.flag.example".into(),
            Source::Flag("--arm-endpoint")
        )
    );
    assert_eq!(r.api_version.value, "2024-01-01-flag");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn env_beats_az_files_and_config_file() {
    let fx = full_fixture();
    let r = fx.resolve(TargetFlags::default(), ALL_ENV);
    assert_eq!(values(&r), (SUB_B.into(), "rg-env".into(), "ws-env".into()));
    assert_eq!(
        r.subscription.as_ref().map(|s| &s.source),
        Some(&Source::Env("AZURE_SUBSCRIPTION_ID"))
    );
    assert_eq!(
        r.resource_group.as_ref().map(|s| &s.source),
        Some(&Source::Env("AZURE_DEFAULTS_GROUP"))
    );
    assert_eq!(
        r.workspace.as_ref().map(|s| &s.source),
        Some(&Source::Env("AZURE_DEFAULTS_WORKSPACE"))
    );
    assert_eq!(
        r.arm_endpoint.source,
        Source::Env("AML_ROLLOUT_ARM_ENDPOINT")
    );
    assert_eq!(r.api_version.source, Source::Env("AML_ROLLOUT_API_VERSION"));
}

#[test]
fn az_files_beat_config_file() {
    let fx = full_fixture();
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(values(&r), (SUB_C.into(), "rg-az".into(), "ws-az".into()));
    assert_eq!(
        r.subscription.as_ref().map(|s| &s.source),
        Some(&Source::AzCliProfile(fx.profile_path()))
    );
    assert_eq!(
        r.resource_group.as_ref().map(|s| &s.source),
        Some(&Source::AzCliConfig(fx.az_config_path()))
    );
    assert_eq!(
        r.workspace.as_ref().map(|s| &s.source),
        Some(&Source::AzCliConfig(fx.az_config_path()))
    );
    let info = r.subscription_info.as_ref().expect("info");
    assert_eq!(info.name.as_deref(), Some("az-sub"));
    assert_eq!(info.tenant_id.as_deref(), Some("tenant-az-sub"));
    // The az files say nothing about endpoints: those come from the config file.
    assert_eq!(
        r.arm_endpoint,
        Sourced::new(
            "https://arm.file.example".into(),
            Source::ConfigFile(fx.config_path())
        )
    );
    assert_eq!(r.api_version.source, Source::ConfigFile(fx.config_path()));
}

#[test]
fn config_file_is_the_last_resort() {
    let fx = full_fixture();
    fs::remove_dir_all(fx.az_dir()).expect("rm");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(
        values(&r),
        (SUB_D.into(), "rg-file".into(), "ws-file".into())
    );
    for s in [&r.subscription, &r.resource_group, &r.workspace] {
        assert_eq!(
            s.as_ref().map(|s| &s.source),
            Some(&Source::ConfigFile(fx.config_path()))
        );
    }
    assert!(matches!(r.kind, TargetKind::Azure(_)));
}

#[test]
fn sources_mix_per_field() {
    let fx = Fixture::new();
    fx.write_az_config("[defaults]\nworkspace: ws-az\n")
        .write_profile(&profile(&[(SUB_C, "az-sub", true)]))
        .write_config("resource_group = \"rg-file\"\n");
    let r = fx.resolve(
        TargetFlags {
            subscription: Some(SUB_A.into()),
            ..Default::default()
        },
        &[],
    );
    assert_eq!(values(&r), (SUB_A.into(), "rg-file".into(), "ws-az".into()));
}

#[test]
fn defaults_for_endpoint_and_api_version() {
    let fx = Fixture::new();
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(
        r.arm_endpoint,
        Sourced::new(DEFAULT_ARM_ENDPOINT.into(), Source::Default)
    );
    assert_eq!(
        r.api_version,
        Sourced::new(DEFAULT_API_VERSION.into(), Source::Default)
    );
    assert_eq!(r.settings, Settings::default());
}

#[test]
fn only_the_default_subscription_counts() {
    let fx = Fixture::new();
    fx.write_profile(&profile(&[
        (SUB_A, "first", false),
        (SUB_B, "chosen", true),
        (SUB_C, "last", false),
    ]))
    .write_az_config("[defaults]\ngroup = g\nworkspace = w\n");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(
        r.subscription.as_ref().map(|s| s.value.as_str()),
        Some(SUB_B)
    );
    assert_eq!(
        r.subscription_info.as_ref().and_then(|i| i.name.as_deref()),
        Some("chosen")
    );
    assert_eq!(
        r.subscription_info
            .as_ref()
            .and_then(|i| i.tenant_id.as_deref()),
        Some("tenant-chosen")
    );
}

#[test]
fn profile_without_default_or_logged_out_gives_nothing() {
    let fx = Fixture::new();
    fx.write_profile(&profile(&[(SUB_A, "a", false)]));
    assert!(matches!(
        fx.resolve(TargetFlags::default(), &[]).kind,
        TargetKind::Demo(_)
    ));
    fx.write_profile(r#"{"installationId": "x", "subscriptions": []}"#);
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert!(matches!(r.kind, TargetKind::Demo(_)));
    assert!(r.warnings.is_empty());
}

#[test]
fn flag_subscription_is_looked_up_in_profile_by_id_or_name() {
    let fx = Fixture::new();
    fx.write_profile(&profile(&[
        (SUB_A, "Prod Sub", false),
        (SUB_B, "other", true),
    ]));
    let flags = |s: &str| TargetFlags {
        subscription: Some(s.into()),
        resource_group: Some("g".into()),
        workspace: Some("w".into()),
        ..Default::default()
    };
    let r = fx.resolve(flags(&SUB_A.to_uppercase()), &[]);
    assert_eq!(
        r.subscription_info.as_ref().and_then(|i| i.name.as_deref()),
        Some("Prod Sub")
    );
    // A name becomes the id ARM URLs need; the source is still the flag.
    let r = fx.resolve(flags("prod sub"), &[]);
    assert_eq!(
        r.subscription,
        Some(Sourced::new(SUB_A.into(), Source::Flag("--subscription")))
    );
    assert!(r.warnings.is_empty());
    let r = fx.resolve(flags("no-such-sub"), &[]);
    assert!(
        r.warnings.iter().any(|w| w.contains("no-such-sub")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn sovereign_cloud_login_picks_its_arm_endpoint() {
    let fx = Fixture::new();
    fx.write_profile(&format!(
        r#"{{"subscriptions": [{{"id": "{SUB_A}", "isDefault": true, "environmentName": "AzureUSGovernment"}}]}}"#
    ))
    .write_az_config("[defaults]\ngroup = g\nworkspace = w\n");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(
        r.arm_endpoint,
        Sourced::new(
            "https://management.usgovcloudapi.net".into(),
            Source::AzCliProfile(fx.profile_path())
        )
    );
    // An explicit choice still wins.
    let r = fx.resolve(
        TargetFlags::default(),
        &[("AML_ROLLOUT_ARM_ENDPOINT", "https://x.example")],
    );
    assert_eq!(r.arm_endpoint.value, "https://x.example");
}

#[test]
fn missing_az_dir_and_config_file_are_fine() {
    let fx = Fixture::new();
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert!(matches!(r.kind, TargetKind::Demo(_)));
    assert!(r.warnings.is_empty());
    assert!(!r.config_file_found);
    assert_eq!(r.config_file, Some(fx.config_path()));
}

#[test]
fn az_config_dir_that_is_a_file_is_ignored() {
    let fx = Fixture::new();
    fs::write(fx.az_dir(), "not a dir").expect("write");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert!(matches!(r.kind, TargetKind::Demo(_)));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn malformed_az_config_is_a_warning_naming_file_and_line() {
    let fx = Fixture::new();
    fx.write_az_config("[defaults]\ngroup = g\nthis is not ini\n")
        .write_profile(&profile(&[(SUB_A, "a", true)]));
    let r = fx.resolve(
        TargetFlags {
            workspace: Some("w".into()),
            ..Default::default()
        },
        &[],
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let w = &r.warnings[0];
    assert!(
        w.contains(&fx.az_config_path().display().to_string()),
        "{w}"
    );
    assert!(w.contains("line 3"), "{w}");
    // The broken file contributes nothing (as az itself would refuse it), but
    // the profile still does.
    assert_eq!(
        r.kind,
        TargetKind::Incomplete {
            subscription: Some(SUB_A.into()),
            resource_group: None,
            workspace: Some("w".into()),
            missing: vec![MissingPart::ResourceGroup],
        }
    );
}

#[test]
fn malformed_profile_is_a_warning_naming_the_file() {
    let fx = Fixture::new();
    fx.write_profile("{\"subscriptions\": [ {\"id\": ");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert!(matches!(r.kind, TargetKind::Demo(_)));
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].contains("azureProfile.json"),
        "{}",
        r.warnings[0]
    );
    assert!(r.warnings[0].contains("EOF"), "{}", r.warnings[0]);
}

#[test]
fn profile_without_bom_also_works() {
    let fx = Fixture::new();
    fs::create_dir_all(fx.az_dir()).expect("mkdir");
    fs::write(fx.profile_path(), profile(&[(SUB_A, "a", true)])).expect("write");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(r.subscription.map(|s| s.value), Some(SUB_A.to_string()));
}

#[test]
fn malformed_toml_is_an_error_naming_the_file() {
    let fx = Fixture::new();
    fx.write_config("workspace = \n");
    let e = fx.resolve_err(TargetFlags::default(), &[]);
    assert!(e.contains(&fx.config_path().display().to_string()), "{e}");
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn unknown_key_is_an_error_naming_key_and_file() {
    let fx = Fixture::new();
    fx.write_config("workspce = \"w\"\n");
    let e = fx.resolve_err(TargetFlags::default(), &[]);
    assert!(e.contains("workspce"), "{e}");
    assert!(e.contains(&fx.config_path().display().to_string()), "{e}");
}

#[test]
fn wrong_type_and_out_of_range_settings_are_errors() {
    let fx = Fixture::new();
    fx.write_config("refresh_interval_secs = \"5\"\n");
    let e = fx.resolve_err(TargetFlags::default(), &[]);
    assert!(
        e.contains("refresh_interval_secs") || e.contains("integer"),
        "{e}"
    );
    fx.write_config("log_buffer_lines = 0\n");
    let e = fx.resolve_err(TargetFlags::default(), &[]);
    assert!(
        e.contains("log_buffer_lines") && e.contains("config file"),
        "{e}"
    );
}

#[test]
fn settings_come_from_the_config_file() {
    let fx = Fixture::new();
    fx.write_config(
        "# mine\nrefresh_interval_secs = 10\nlog_poll_interval_ms = 500\nlog_buffer_lines = 100\ntheme = \"light\"\n",
    );
    let r = fx.resolve(TargetFlags::default(), &[]);
    let src = Source::ConfigFile(fx.config_path());
    assert_eq!(
        r.settings.refresh_interval,
        Sourced::new(Duration::from_secs(10), src.clone())
    );
    assert_eq!(
        r.settings.log_poll_interval.value,
        Duration::from_millis(500)
    );
    assert_eq!(r.settings.log_buffer_lines, Sourced::new(100, src.clone()));
    assert_eq!(r.settings.theme, Some(Sourced::new("light".into(), src)));
    assert!(r.config_file_found);
}

#[test]
fn explicit_config_file_must_exist() {
    let fx = Fixture::new();
    let mut inputs = fx.inputs(TargetFlags::default(), &[]);
    inputs.config_file = ConfigFileLocation::Explicit(fx.dir.path().join("nope.toml"));
    let e = resolve(&inputs).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("nope.toml") && e.contains("not found"), "{e}");
}

#[test]
fn nothing_configured_is_the_demo() {
    let fx = Fixture::new();
    let r = fx.resolve(TargetFlags::default(), &[]);
    let demo = WorkspaceRef {
        subscription: DEMO_SUBSCRIPTION_ID.into(),
        resource_group: DEMO_RESOURCE_GROUP.into(),
        workspace: DEMO_WORKSPACE.into(),
    };
    assert_eq!(r.kind, TargetKind::Demo(demo.clone()));
    assert_eq!(r.require_complete().ok(), Some(&demo));
    assert_eq!(r.workspace.map(|w| w.source), Some(Source::Default));
}

#[test]
fn blank_values_count_as_unset() {
    let fx = Fixture::new();
    fx.write_az_config("[defaults]\ngroup =\nworkspace = \n");
    let r = fx.resolve(
        TargetFlags {
            workspace: Some("  ".into()),
            ..Default::default()
        },
        &[("AZURE_SUBSCRIPTION_ID", ""), ("AZURE_DEFAULTS_GROUP", " ")],
    );
    assert!(matches!(r.kind, TargetKind::Demo(_)));
}

#[test]
fn ambient_defaults_without_subscription_still_run_the_demo() {
    let fx = Fixture::new();
    fx.write_az_config("[defaults]\ngroup = rg-az\nworkspace = ws-az\n");
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert!(matches!(r.kind, TargetKind::Demo(_)));
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("rg-az") && r.warnings[0].contains("no subscription"));
}

#[test]
fn workspace_flag_without_subscription_is_incomplete() {
    let fx = Fixture::new();
    let r = fx.resolve(
        TargetFlags {
            workspace: Some("w".into()),
            ..Default::default()
        },
        &[],
    );
    match &r.kind {
        TargetKind::Incomplete {
            missing, workspace, ..
        } => {
            assert_eq!(
                missing,
                &vec![MissingPart::Subscription, MissingPart::ResourceGroup]
            );
            assert_eq!(workspace.as_deref(), Some("w"));
        }
        other => panic!("expected Incomplete, got {other:?}"),
    }
    let e = r.require_complete().map(|_| ()).unwrap_err().to_string();
    assert!(
        e.contains("--subscription") && e.contains("-g/--resource-group"),
        "{e}"
    );
}

#[test]
fn subscription_without_workspace_is_incomplete() {
    let fx = Fixture::new();
    fx.write_profile(&profile(&[(SUB_A, "a", true)]));
    let r = fx.resolve(TargetFlags::default(), &[]);
    assert_eq!(
        r.kind,
        TargetKind::Incomplete {
            subscription: Some(SUB_A.into()),
            resource_group: None,
            workspace: None,
            missing: vec![MissingPart::ResourceGroup, MissingPart::Workspace],
        }
    );
    let r = fx.resolve(TargetFlags::default(), &[("AZURE_DEFAULTS_GROUP", "g")]);
    let e = r.require_complete().map(|_| ()).unwrap_err().to_string();
    assert_eq!(
        e,
        "no workspace chosen: pass -w/--workspace, set AZURE_DEFAULTS_WORKSPACE, or run `az configure --defaults workspace=NAME`"
    );
}

#[test]
fn emulator_uses_demo_ids_unless_flags_say_otherwise() {
    let fx = full_fixture();
    let flags = TargetFlags {
        emulator: Some("http://127.0.0.1:8080/".into()),
        ..Default::default()
    };
    // Env and az state name real Azure resources; the emulator ignores them.
    let r = fx.resolve(flags.clone(), ALL_ENV);
    assert_eq!(
        r.kind,
        TargetKind::Emulator {
            url: "http://127.0.0.1:8080".into(),
            workspace: WorkspaceRef {
                subscription: DEMO_SUBSCRIPTION_ID.into(),
                resource_group: DEMO_RESOURCE_GROUP.into(),
                workspace: DEMO_WORKSPACE.into(),
            },
        }
    );
    assert_eq!(
        r.emulator_url.as_ref().map(|u| &u.source),
        Some(&Source::Flag("--emulator"))
    );
    assert!(r.az_config_dir.is_none());

    let r = fx.resolve(
        TargetFlags {
            workspace: Some("ws-x".into()),
            ..flags
        },
        &[],
    );
    let w = r.kind.workspace_ref().expect("workspace");
    assert_eq!(
        (w.resource_group.as_str(), w.workspace.as_str()),
        (DEMO_RESOURCE_GROUP, "ws-x")
    );
    assert_eq!(
        r.workspace.map(|w| w.source),
        Some(Source::Flag("--workspace"))
    );
}

#[test]
fn emulator_from_env_and_bad_urls() {
    let fx = Fixture::new();
    let r = fx.resolve(
        TargetFlags::default(),
        &[("AML_ROLLOUT_EMULATOR", "http://emu:9000")],
    );
    assert!(matches!(r.kind, TargetKind::Emulator { ref url, .. } if url == "http://emu:9000"));
    let e = fx.resolve_err(
        TargetFlags {
            emulator: Some("emu:9000".into()),
            ..Default::default()
        },
        &[],
    );
    assert!(
        e.contains("emulator") && e.contains("flag --emulator"),
        "{e}"
    );
}

#[test]
fn arm_endpoint_must_be_https_unless_loopback() {
    let fx = Fixture::new();
    let e = fx.resolve_err(
        TargetFlags {
            arm_endpoint: Some("http://arm.example".into()),
            ..Default::default()
        },
        &[],
    );
    assert!(
        e.contains("arm_endpoint") && e.contains("clear text"),
        "{e}"
    );
    let e = fx.resolve_err(
        TargetFlags {
            arm_endpoint: Some("http://127.evil.example".into()),
            ..Default::default()
        },
        &[],
    );
    assert!(e.contains("clear text"), "{e}");
    for ok in [
        "http://localhost:1234/",
        "http://127.0.0.1",
        "http://[::1]:80",
        "HTTPS://arm.example",
    ] {
        let r = fx.resolve(
            TargetFlags {
                arm_endpoint: Some(ok.into()),
                ..Default::default()
            },
            &[],
        );
        assert_eq!(r.arm_endpoint.value, ok.trim_end_matches('/'));
    }
}

#[test]
fn api_version_that_would_break_the_url_is_rejected() {
    let fx = Fixture::new();
    let e = fx.resolve_err(
        TargetFlags::default(),
        &[("AML_ROLLOUT_API_VERSION", "2025-01-01&x=1")],
    );
    assert!(
        e.contains("api_version") && e.contains("AML_ROLLOUT_API_VERSION"),
        "{e}"
    );
}

#[test]
fn azure_config_dir_env_is_honoured() {
    let fx = Fixture::new();
    fx.write_profile(&profile(&[(SUB_A, "a", true)]))
        .write_az_config("[defaults]\ngroup = g\nworkspace = w\n");
    let az = fx.az_dir().display().to_string();
    let env = EnvVars::from_pairs([("AZURE_CONFIG_DIR", az.as_str())]);
    assert_eq!(default_az_config_dir(&env), Some(fx.az_dir()));
    let mut inputs = fx.inputs(TargetFlags::default(), &[("AZURE_CONFIG_DIR", &az)]);
    inputs.az_config_dir = None;
    let r = resolve(&inputs).expect("resolve");
    assert!(matches!(r.kind, TargetKind::Azure(_)));
    assert_eq!(r.az_config_dir, Some(fx.az_dir()));
}

#[test]
fn describe_names_every_source() {
    let fx = full_fixture();
    let r = fx.resolve(
        TargetFlags {
            workspace: Some("ws-flag".into()),
            ..Default::default()
        },
        &[("AZURE_DEFAULTS_GROUP", "rg-env")],
    );
    let rows = r.describe();
    let find = |f: &str| rows.iter().find(|r| r.field == f).cloned().expect(f);
    assert_eq!(find("target").value, "azure");
    assert_eq!(find("workspace").source, "flag --workspace");
    assert_eq!(find("resource_group").source, "env AZURE_DEFAULTS_GROUP");
    assert!(find("subscription").source.starts_with("az profile "));
    assert_eq!(find("subscription_name").value, "az-sub");
    assert_eq!(find("tenant").value, "tenant-az-sub");
    assert!(find("arm_endpoint").source.starts_with("config file "));
    assert_eq!(find("refresh_interval_secs").source, "default");
    assert_eq!(
        find("config_file").value,
        fx.config_path().display().to_string()
    );

    let r = Fixture::new().resolve(
        TargetFlags {
            subscription: Some(SUB_A.into()),
            ..Default::default()
        },
        &[],
    );
    let rows = r.describe();
    assert!(
        rows.iter()
            .any(|r| r.field == "target" && r.value.contains("resource_group, workspace"))
    );
    assert!(
        rows.iter()
            .any(|r| r.field == "workspace" && r.value == "(not set)")
    );
}
