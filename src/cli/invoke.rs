//! `aml-rollout invoke -e E [-d D] --request-file F`: one scoring request, like
//! `az ml online-endpoint invoke`; `-d` pins it to a deployment (header
//! `azureml-model-deployment`), which works for 0% and mirror deployments too.

use aml_rollout::logstream::{DEFAULT_MAX_LINE_CHARS, sanitize_inline, sanitize_line};
use serde::Serialize;
use serde_json::Value;

use super::args::InvokeArgs;
use super::context::Context;
use super::error::{CliError, CliResult};
use super::output::{Output, print_json};
use aml_rollout::ops::read_request_file;

#[derive(Debug, Serialize)]
struct InvokeView {
    /// HTTP status of the scoring answer.
    status: u16,
    /// The deployment that answered, when the service says (response header
    /// `azureml-model-deployment`).
    deployment: Option<String>,
    request_id: Option<String>,
    latency_ms: u128,
    /// The answer: parsed JSON when it is JSON, else the text.
    body: Value,
}

pub(super) async fn run(ctx: &Context, args: InvokeArgs) -> CliResult<()> {
    let request = read_request_file(&args.request_file)?;
    let answer = ctx
        .ops
        .invoke(&args.endpoint, args.deployment.as_deref(), request)
        .await?;
    let view = InvokeView {
        status: answer.status.as_u16(),
        deployment: answer.deployment.clone(),
        request_id: answer.request_id.clone(),
        latency_ms: answer.latency.as_millis(),
        body: serde_json::from_str(&answer.body)
            .unwrap_or_else(|_| Value::String(answer.body.clone())),
    };
    match ctx.output {
        Output::Json => print_json(&view)?,
        Output::Table => {
            // JSON re-encoded by serde has its control characters escaped; other text is
            // sanitized line by line.
            match &view.body {
                Value::String(text) => {
                    for line in text.lines() {
                        println!("{}", sanitize_line(line, DEFAULT_MAX_LINE_CHARS));
                    }
                }
                json => println!("{}", super::output::compact_json(json)),
            }
            eprintln!(
                "HTTP {} from {} in {} ms{}",
                view.status,
                view.deployment
                    .as_deref()
                    .map(sanitize_inline)
                    .unwrap_or_else(|| "(deployment not reported)".to_string()),
                view.latency_ms,
                view.request_id
                    .as_deref()
                    .map(|id| format!(", request id {}", sanitize_inline(id)))
                    .unwrap_or_default()
            );
        }
    }
    if answer.status.is_success() {
        Ok(())
    } else {
        // The service's own reason, when the answer is an error envelope.
        let reason = view
            .body
            .pointer("/error/message")
            .or_else(|| view.body.pointer("/message"))
            .and_then(Value::as_str)
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        Err(CliError::Failed(format!(
            "the scoring request failed with HTTP {}{reason}",
            view.status
        )))
    }
}
