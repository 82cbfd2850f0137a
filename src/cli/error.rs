//! Why a headless command failed, and the exit code scripts see for it.
//!
//! The texts are the Display strings of the library's errors, the same the console shows.

use std::process::ExitCode;
use std::sync::Arc;

use aml_rollout::azure::AzureError;
use aml_rollout::azure::az_yaml::YamlError;
use aml_rollout::azure::credentials::SignInError;
use aml_rollout::config::ConfigError;
use aml_rollout::ops::OpsError;
use aml_rollout::rollout::{ParseError, RuleViolation};
use reqwest::StatusCode;

/// 0 success; 1 the service refused or the operation failed; 2 bad usage or invalid input,
/// refused before any change was sent; 3 sign-in failed; 4 a rollout plan waits for a person.
pub(crate) const EXIT_FAILED: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;
pub(crate) const EXIT_SIGN_IN: u8 = 3;
/// A rollout plan stopped and waits for a person (paused, or a manual gate).
pub(crate) const EXIT_WAITING: u8 = 4;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Bad usage: a missing flag, a refused confirmation, --read-only.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("{0}")]
    Yaml(#[from] YamlError),
    /// The proposed split breaks Azure's rules; nothing was sent.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<RuleViolation>),
    #[error("sign-in failed: {0}")]
    SignIn(#[from] SignInError),
    /// Shared: the ARM error detail is large, and every result in the CLI carries this type.
    #[error("{0}")]
    Azure(Arc<AzureError>),
    /// The operation failed for a reason of our own (a scoring answer with an error status,
    /// an unreadable local file after validation…).
    #[error("{0}")]
    Failed(String),
    /// A rollout plan stopped and waits for a person; the message says why.
    #[error("{0}")]
    Waiting(String),
}

impl From<AzureError> for CliError {
    fn from(error: AzureError) -> Self {
        OpsError::from(error).into()
    }
}

impl From<OpsError> for CliError {
    fn from(error: OpsError) -> Self {
        match error {
            OpsError::Invalid(message) | OpsError::File(message) => Self::Usage(message),
            e @ OpsError::FailedCreateExists { .. } => Self::Usage(e.to_string()),
            OpsError::Rules(violations) => Self::Rules(violations),
            // Nothing was sent, but the input was fine: someone else changed the endpoint.
            stale @ OpsError::Stale { .. } => Self::Failed(stale.to_string()),
            OpsError::Metrics(reason) => Self::Failed(reason),
            OpsError::Azure(error) => Self::Azure(error),
        }
    }
}

impl CliError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) | Self::Config(_) | Self::Parse(_) | Self::Yaml(_) | Self::Rules(_) => {
                EXIT_USAGE
            }
            Self::SignIn(_) => EXIT_SIGN_IN,
            Self::Azure(e) => azure_exit_code(e),
            Self::Failed(_) => EXIT_FAILED,
            Self::Waiting(_) => EXIT_WAITING,
        }
    }

    pub(crate) fn exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

fn azure_exit_code(error: &AzureError) -> u8 {
    match error {
        // No token, or the service rejected the one we sent even after a fresh one: either way
        // the operator has to sign in again.
        AzureError::Auth(_) => EXIT_SIGN_IN,
        AzureError::Api { status, .. } | AzureError::UnexpectedBody { status, .. }
            if *status == StatusCode::UNAUTHORIZED =>
        {
            EXIT_SIGN_IN
        }
        // Refused here by a local check: nothing was sent.
        AzureError::InvalidInput(_) | AzureError::InvalidName { .. } => EXIT_USAGE,
        // Everything else happened at or after the service: a refusal, a failed operation, or a
        // change sent whose outcome is unknown (the message says to check with `endpoint show`).
        _ => EXIT_FAILED,
    }
}

pub(crate) type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_documented_contract() {
        assert_eq!(CliError::Usage("x".into()).exit_code(), 2);
        assert_eq!(CliError::Rules(vec![]).exit_code(), 2);
        assert_eq!(CliError::from(AzureError::Auth("no".into())).exit_code(), 3);
        let refused = AzureError::from_response(
            StatusCode::BAD_REQUEST,
            "u",
            br#"{"error":{"code":"UserError","message":"still takes traffic"}}"#,
        );
        assert_eq!(CliError::from(refused).exit_code(), 1);
        let unauthorized = AzureError::from_response(
            StatusCode::UNAUTHORIZED,
            "u",
            br#"{"error":{"code":"InvalidAuthenticationToken","message":"bad"}}"#,
        );
        assert_eq!(CliError::from(unauthorized).exit_code(), 3);
    }

    #[test]
    fn exit_2_only_when_nothing_was_sent() {
        let invalid_name = AzureError::InvalidName {
            what: "deployment",
            name: "..".into(),
            reason: "it has 2 characters but needs at least 3".into(),
        };
        assert!(invalid_name.nothing_sent());
        assert_eq!(CliError::from(invalid_name).exit_code(), 2);
        let server_failed = AzureError::from_response(StatusCode::BAD_GATEWAY, "u", b"<html>");
        let unknown = server_failed.after_sending_change();
        assert!(!unknown.nothing_sent());
        assert!(
            unknown.to_string().starts_with(
                "the change was sent; its outcome is unknown: check with `endpoint show`"
            ),
            "{unknown}"
        );
        assert_eq!(CliError::from(unknown).exit_code(), 1);
        let elsewhere = AzureError::CrossOrigin {
            url: "http://elsewhere/op".into(),
            arm: "http://127.0.0.1:1".into(),
        };
        assert_eq!(CliError::from(elsewhere).exit_code(), 1);
    }
}
