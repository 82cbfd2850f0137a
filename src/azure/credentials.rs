//! Which Azure identity signs in, chosen from `--auth` and the environment, the way an az user
//! expects: a service principal or workload identity when its variables are set, managed
//! identity inside Azure, else the developer tools (az CLI, then azd).
//!
//! azure_identity 1.0 has no `DefaultAzureCredential`, so the selection lives here. Every
//! credential is wrapped in [`ExplainedCredential`], which turns azure_identity's multi-line
//! errors into one paragraph that says what to do; [`AmlClient`](super::AmlClient) then caches
//! the tokens (the az CLI credential has no cache of its own).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_identity::{
    ClientSecretCredential, DeveloperToolsCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};

use super::auth::{StaticCredential, one_paragraph};

pub const ENV_CLIENT_ID: &str = "AZURE_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
pub const ENV_TENANT_ID: &str = "AZURE_TENANT_ID";
pub const ENV_FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
/// Set by App Service, Container Apps, Functions, Azure Arc, Service Fabric.
pub const ENV_IDENTITY_ENDPOINT: &str = "IDENTITY_ENDPOINT";
/// Set by Cloud Shell and Azure ML compute.
pub const ENV_MSI_ENDPOINT: &str = "MSI_ENDPOINT";

/// The `--auth` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthChoice {
    #[default]
    Auto,
    /// The az CLI only.
    Cli,
    /// az CLI, then azd (azure_identity's `DeveloperToolsCredential`).
    DevTools,
    /// Service principal with a client secret.
    ServicePrincipal,
    /// Managed identity (system-assigned, or user-assigned by `AZURE_CLIENT_ID`).
    ManagedIdentity,
    /// Workload identity federation (AKS, GitHub Actions OIDC via a token file).
    Workload,
}

/// A concrete way to sign in, after `auto` has been decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Cli,
    DevTools,
    ServicePrincipal,
    ManagedIdentity,
    Workload,
    /// The emulator's fixed bearer token.
    EmulatorToken,
}

impl AuthMethod {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Cli => "az CLI",
            Self::DevTools => "developer tools (az CLI, then azd)",
            Self::ServicePrincipal => "service principal (client secret)",
            Self::ManagedIdentity => "managed identity",
            Self::Workload => "workload identity (federated token file)",
            Self::EmulatorToken => "emulator token",
        }
    }
}

/// The environment variables sign-in looks at, as a snapshot so tests never touch the process
/// environment. Empty values count as unset.
#[derive(Debug, Clone, Default)]
pub struct AuthEnv {
    vars: HashMap<&'static str, String>,
}

impl AuthEnv {
    const NAMES: [&'static str; 6] = [
        ENV_CLIENT_ID,
        ENV_CLIENT_SECRET,
        ENV_TENANT_ID,
        ENV_FEDERATED_TOKEN_FILE,
        ENV_IDENTITY_ENDPOINT,
        ENV_MSI_ENDPOINT,
    ];

    pub fn from_process() -> Self {
        Self::from_pairs(
            Self::NAMES
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|value| (*name, value))),
        )
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        let vars = pairs
            .into_iter()
            .filter_map(|(name, value)| {
                let known = Self::NAMES.iter().find(|known| **known == name)?;
                let value = value.trim().to_string();
                (!value.is_empty()).then_some((*known, value))
            })
            .collect();
        Self { vars }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    fn has(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    fn missing<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names
            .iter()
            .copied()
            .filter(|name| !self.has(name))
            .collect()
    }
}

/// Why sign-in could not even start, or failed: one paragraph saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SignInError {
    pub method: AuthMethod,
    pub message: String,
}

/// What `auto` resolves to, and why (shown by `config show`).
pub fn choose_method(choice: AuthChoice, env: &AuthEnv) -> (AuthMethod, &'static str) {
    match choice {
        AuthChoice::Cli => (AuthMethod::Cli, "--auth cli"),
        AuthChoice::DevTools => (AuthMethod::DevTools, "--auth devtools"),
        AuthChoice::ServicePrincipal => (AuthMethod::ServicePrincipal, "--auth sp"),
        AuthChoice::ManagedIdentity => (AuthMethod::ManagedIdentity, "--auth msi"),
        AuthChoice::Workload => (AuthMethod::Workload, "--auth workload"),
        AuthChoice::Auto => {
            let principal = env.has(ENV_CLIENT_ID) && env.has(ENV_TENANT_ID);
            if principal && env.has(ENV_CLIENT_SECRET) {
                (
                    AuthMethod::ServicePrincipal,
                    "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID are set",
                )
            } else if principal && env.has(ENV_FEDERATED_TOKEN_FILE) {
                (
                    AuthMethod::Workload,
                    "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE are set",
                )
            } else if env.has(ENV_IDENTITY_ENDPOINT) || env.has(ENV_MSI_ENDPOINT) {
                (
                    AuthMethod::ManagedIdentity,
                    "running in Azure (IDENTITY_ENDPOINT or MSI_ENDPOINT is set)",
                )
            } else {
                (
                    AuthMethod::DevTools,
                    "no service principal, workload or managed identity variables are set",
                )
            }
        }
    }
}

/// Builds the credential for `choice`. Construction fails only for missing variables or
/// invalid ids; a failure to obtain a token surfaces later, on the first request.
pub fn build_credential(
    choice: AuthChoice,
    env: &AuthEnv,
) -> Result<Arc<dyn TokenCredential>, SignInError> {
    let (method, _) = choose_method(choice, env);
    let built: azure_core::Result<Arc<dyn TokenCredential>> = match method {
        AuthMethod::Cli => {
            azure_identity::AzureCliCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::DevTools => {
            DeveloperToolsCredential::new(None).map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::ServicePrincipal => {
            let missing = env.missing(&[ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_TENANT_ID]);
            let (Some(tenant), Some(client), Some(secret)) = (
                env.get(ENV_TENANT_ID),
                env.get(ENV_CLIENT_ID),
                env.get(ENV_CLIENT_SECRET),
            ) else {
                return Err(missing_variables(method, &missing));
            };
            ClientSecretCredential::new(
                tenant,
                client.to_string(),
                Secret::new(secret.to_string()),
                None,
            )
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::Workload => {
            let missing = env.missing(&[ENV_CLIENT_ID, ENV_TENANT_ID, ENV_FEDERATED_TOKEN_FILE]);
            if !missing.is_empty() {
                return Err(missing_variables(method, &missing));
            }
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                client_id: env.get(ENV_CLIENT_ID).map(str::to_string),
                tenant_id: env.get(ENV_TENANT_ID).map(str::to_string),
                token_file_path: env.get(ENV_FEDERATED_TOKEN_FILE).map(PathBuf::from),
                ..Default::default()
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: env
                    .get(ENV_CLIENT_ID)
                    .map(|id| UserAssignedId::ClientId(id.to_string())),
                ..Default::default()
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::EmulatorToken => {
            return Err(SignInError {
                method,
                message: "the emulator token is not an Azure sign-in method".to_string(),
            });
        }
    };
    let inner = built.map_err(|e| SignInError {
        method,
        message: explain(method, &e.to_string()),
    })?;
    Ok(ExplainedCredential::wrap(inner, method))
}

/// The emulator's static token behind the same wrapper, so a wrong token reads the same way.
pub fn emulator_credential(token: &str) -> Arc<dyn TokenCredential> {
    ExplainedCredential::wrap(StaticCredential::new(token), AuthMethod::EmulatorToken)
}

fn missing_variables(method: AuthMethod, missing: &[&str]) -> SignInError {
    SignInError {
        method,
        message: format!(
            "cannot sign in with a {}: {} not set. Set {}, or choose another sign-in with --auth (e.g. --auth cli after `az login`).",
            method.describe(),
            if missing.len() == 1 {
                format!("{} is", missing[0])
            } else {
                format!("{} are", missing.join(", "))
            },
            missing.join(" and "),
        ),
    }
}

/// One paragraph: what failed, the tool's own reason, and what to do next.
pub fn explain(method: AuthMethod, raw: &str) -> String {
    let reason = crate::logstream::sanitize_inline(&one_paragraph(raw));
    let advice = match method {
        AuthMethod::Cli => {
            "Run `az login` (and `az account set --subscription ID`), check that `az account get-access-token` works, or choose another sign-in with --auth."
        }
        AuthMethod::DevTools => {
            "Run `az login` (or `azd auth login`), or set AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID for a service principal, or choose another sign-in with --auth."
        }
        AuthMethod::ServicePrincipal => {
            "Check AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID (the secret may have expired), or use `az login` with --auth cli."
        }
        AuthMethod::ManagedIdentity => {
            "Managed identity works only inside Azure with an identity assigned to this resource; elsewhere use `az login` with --auth cli."
        }
        AuthMethod::Workload => {
            "Check AZURE_CLIENT_ID, AZURE_TENANT_ID and the file AZURE_FEDERATED_TOKEN_FILE points to, and the identity's federated credential; or use `az login` with --auth cli."
        }
        AuthMethod::EmulatorToken => {
            "Pass the token the emulator printed with --emulator-token or AML_ROLLOUT_EMULATOR_TOKEN."
        }
    };
    format!(
        "could not get a token with the {}: {reason}. {advice}",
        method.describe()
    )
}

/// Any credential, whose errors are rewritten into [`explain`]'s paragraph.
pub struct ExplainedCredential {
    inner: Arc<dyn TokenCredential>,
    method: AuthMethod,
}

impl ExplainedCredential {
    pub fn wrap(inner: Arc<dyn TokenCredential>, method: AuthMethod) -> Arc<dyn TokenCredential> {
        Arc::new(Self { inner, method })
    }
}

impl fmt::Debug for ExplainedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExplainedCredential")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenCredential for ExplainedCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.inner.get_token(scopes, options).await.map_err(|e| {
            azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                explain(self.method, &e.to_string()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&'static str, &str)]) -> AuthEnv {
        AuthEnv::from_pairs(pairs.iter().map(|(k, v)| (*k, v.to_string())))
    }

    #[test]
    fn auto_prefers_service_principal_then_workload_then_managed_identity_then_dev_tools() {
        let sp = env(&[
            (ENV_CLIENT_ID, "c"),
            (ENV_CLIENT_SECRET, "s"),
            (ENV_TENANT_ID, "t"),
            (ENV_FEDERATED_TOKEN_FILE, "/f"),
        ]);
        assert_eq!(
            choose_method(AuthChoice::Auto, &sp).0,
            AuthMethod::ServicePrincipal
        );
        let workload = env(&[
            (ENV_CLIENT_ID, "c"),
            (ENV_TENANT_ID, "t"),
            (ENV_FEDERATED_TOKEN_FILE, "/f"),
        ]);
        assert_eq!(
            choose_method(AuthChoice::Auto, &workload).0,
            AuthMethod::Workload
        );
        let msi = env(&[(ENV_IDENTITY_ENDPOINT, "http://169.254.169.254")]);
        assert_eq!(
            choose_method(AuthChoice::Auto, &msi).0,
            AuthMethod::ManagedIdentity
        );
        let partial = env(&[(ENV_CLIENT_ID, "c"), (ENV_CLIENT_SECRET, " ")]);
        assert_eq!(
            choose_method(AuthChoice::Auto, &partial).0,
            AuthMethod::DevTools
        );
        assert_eq!(
            choose_method(AuthChoice::Cli, &sp).0,
            AuthMethod::Cli,
            "an explicit choice wins"
        );
    }

    #[test]
    fn a_service_principal_without_its_variables_says_which_are_missing() {
        let Err(err) =
            build_credential(AuthChoice::ServicePrincipal, &env(&[(ENV_CLIENT_ID, "c")]))
        else {
            panic!("expected an error");
        };
        assert!(
            err.message
                .contains("AZURE_CLIENT_SECRET, AZURE_TENANT_ID are not set"),
            "{err}"
        );
        assert!(!err.message.contains('\n'));
    }

    #[test]
    fn explanations_are_one_paragraph_with_advice() {
        let text = explain(
            AuthMethod::Cli,
            "AzureCliCredential authentication failed. ERROR: Please run 'az login'\x1b[31m\nTo troubleshoot, visit https://aka.ms/x\n",
        );
        assert!(!text.contains('\n') && !text.contains('\x1b'), "{text}");
        assert!(text.contains("`az login`"), "{text}");
    }
}
