//! The shared tail of every mutating command: send, follow the operation unless --no-wait
//! (progress on stderr), journal the outcome either way.

use std::future::Future;

use aml_rollout::azure::{AzureError, Operation};
use aml_rollout::journal::{JournalEntry, Outcome};
use serde_json::Value;

use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::progress;
use super::views::{ChangeStatus, ChangeView};

/// A change about to be sent: what it is, on what, from what to what.
pub struct Change {
    pub action: String,
    pub endpoint: String,
    pub deployment: Option<String>,
    pub before: Value,
    pub after: Value,
    pub az_command: Option<String>,
}

impl Change {
    /// Sends the change (`begin`), waits for it unless --no-wait, and journals the outcome.
    /// Returns the view to print and the final resource, if the operation returned one.
    pub async fn run(
        self,
        ctx: &Context,
        begin: impl Future<Output = Result<Operation, AzureError>>,
    ) -> CliResult<(ChangeView, Option<Value>)> {
        let operation = match begin.await {
            Ok(op) => op,
            Err(e) => return Err(self.failed(ctx, e.into())),
        };
        if ctx.no_wait {
            self.journal(
                ctx,
                Outcome::ok_with("accepted by the service; not waited for (--no-wait)"),
            );
            return Ok((self.view(ChangeStatus::Accepted), None));
        }
        let mut on_progress = progress(self.describe());
        match ctx.client.wait(&operation, &mut on_progress).await {
            Ok(resource) => {
                self.journal(ctx, Outcome::ok());
                Ok((self.view(ChangeStatus::Succeeded), resource))
            }
            Err(e) => Err(self.failed(ctx, e.into())),
        }
    }

    /// Journals a failure and hands the error back.
    pub fn failed(&self, ctx: &Context, error: CliError) -> CliError {
        self.journal(ctx, Outcome::failed(error.to_string()));
        error
    }

    fn describe(&self) -> String {
        match &self.deployment {
            Some(d) => format!("{} {}/{d}", self.action, self.endpoint),
            None => format!("{} {}", self.action, self.endpoint),
        }
    }

    fn journal(&self, ctx: &Context, outcome: Outcome) {
        ctx.journal(JournalEntry {
            time: chrono::Utc::now(),
            target: ctx.target_label.clone(),
            endpoint: self.endpoint.clone(),
            deployment: self.deployment.clone(),
            action: self.action.clone(),
            before: self.before.clone(),
            after: self.after.clone(),
            outcome,
            az_command: self.az_command.clone(),
        });
    }

    fn view(&self, status: ChangeStatus) -> ChangeView {
        ChangeView {
            action: self.action.clone(),
            endpoint: self.endpoint.clone(),
            deployment: self.deployment.clone(),
            status,
            before: self.before.clone(),
            after: self.after.clone(),
            changes: None,
            notes: None,
            az_command: self.az_command.clone(),
        }
    }
}
