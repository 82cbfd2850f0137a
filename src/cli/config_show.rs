//! `aml-rollout config show`: the resolved target, the sign-in method, and where each part
//! came from. Works for every target, including the demo and an incomplete one, because it is
//! how an operator finds out why a command would fail.

use aml_rollout::azure::credentials::{AuthChoice, AuthEnv, choose_method};
use aml_rollout::config::TargetKind;
use serde::Serialize;

use super::args::{AuthArg, GlobalArgs};
use super::context::{output_format, resolve_target};
use super::error::CliResult;
use super::output::{Output, print_json, print_table};

#[derive(Debug, Serialize)]
struct Row {
    field: String,
    value: String,
    source: String,
}

#[derive(Debug, Serialize)]
struct ConfigView {
    fields: Vec<Row>,
    warnings: Vec<String>,
}

pub(super) fn run(global: &GlobalArgs) -> CliResult<()> {
    let resolved = resolve_target(global)?;
    let mut fields: Vec<Row> = resolved
        .describe()
        .into_iter()
        .map(|row| Row {
            field: row.field.to_string(),
            value: row.value,
            source: row.source,
        })
        .collect();
    let emulator = matches!(resolved.kind, TargetKind::Emulator { .. });
    let auth = match (emulator, global.auth) {
        (true, None | Some(AuthArg::Auto)) => Row {
            field: "auth".to_string(),
            // Never the token itself: only whether there is one.
            value: if global
                .emulator_token
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty())
            {
                "emulator token (set)".to_string()
            } else {
                "emulator token (missing: pass --emulator-token)".to_string()
            },
            source: "--emulator-token / env AML_ROLLOUT_EMULATOR_TOKEN".to_string(),
        },
        (_, choice) => {
            let (method, why) = choose_method(
                choice.map(AuthChoice::from).unwrap_or_default(),
                &AuthEnv::from_process(),
            );
            Row {
                field: "auth".to_string(),
                value: method.describe().to_string(),
                source: why.to_string(),
            }
        }
    };
    fields.push(auth);
    let view = ConfigView {
        fields,
        warnings: resolved.warnings.clone(),
    };
    match output_format(global) {
        Output::Json => print_json(&view),
        Output::Table => {
            let rows: Vec<Vec<String>> = view
                .fields
                .iter()
                .map(|r| vec![r.field.clone(), r.value.clone(), r.source.clone()])
                .collect();
            print_table(&["FIELD", "VALUE", "SOURCE"], &rows);
            for warning in &view.warnings {
                eprintln!(
                    "warning: {}",
                    aml_rollout::logstream::sanitize_inline(warning)
                );
            }
            Ok(())
        }
    }
}
