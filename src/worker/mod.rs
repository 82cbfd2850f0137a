//! The async side of the console: runs each `Cmd` on tokio with the `AmlClient` and sends the
//! result back as a `Msg`. Owns all I/O; never touches the state.

pub mod convert;
mod metrics;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::AbortHandle;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::msg::{Cmd, JournalRecord, LoadedWorkspace, Msg};
use crate::app::state::{InvokeOutcome, KeysInfo};
use crate::azure::az_yaml::{deployment_from_yaml, endpoint_from_yaml};
use crate::azure::model::ContainerType;
use crate::azure::{AmlClient, AzureError, LroProgress, Operation, SplitChange, WorkspaceRef};
use crate::journal::{Journal, JournalEntry, Outcome, OutcomeStatus};
use crate::logstream::sanitize_inline;
use futures::StreamExt;

/// Deployment lists fetched at once during a refresh.
const REFRESH_CONCURRENCY: usize = 8;
/// Most of a scoring answer shown in the invoke dialog.
const MAX_INVOKE_BODY: usize = 4096;

#[derive(Clone)]
pub struct Worker {
    client: Arc<AmlClient>,
    ws: WorkspaceRef,
    tx: UnboundedSender<Msg>,
    journal: Option<Journal>,
    /// How the journal names the target: `sub/rg/ws` or `emulator URL`.
    target_label: String,
    log_poll_interval: Duration,
    /// Running log tailers, so a closed pane's tailer can be stopped.
    tailers: Arc<Mutex<HashMap<u64, AbortHandle>>>,
}

/// Journal entries the `@` view shows.
const JOURNAL_VIEW_ENTRIES: usize = 500;

/// A journal `before`/`after` value on one line: a split as `blue=90 green=10 (mirror
/// green=10)`, anything else as compact JSON, nothing as `-`.
fn journal_value(v: &serde_json::Value) -> String {
    let map = |key: &str| -> Option<crate::rollout::TrafficMap> {
        serde_json::from_value(v.get(key)?.clone()).ok()
    };
    match (v, map("traffic"), map("mirror_traffic")) {
        (serde_json::Value::Null, _, _) => "-".to_string(),
        (_, Some(live), mirror) => {
            let live = match crate::rollout::format_traffic(&live) {
                t if t.is_empty() => "no traffic".to_string(),
                t => t,
            };
            match mirror.filter(|m| m.values().any(|p| *p > 0)) {
                Some(m) => format!("{live} (mirror {})", crate::rollout::format_traffic(&m)),
                None => live,
            }
        }
        (serde_json::Value::String(s), _, _) => s.clone(),
        (other, _, _) => other.to_string(),
    }
}

/// The longest a failing tailer waits before trying again.
const MAX_TAIL_BACKOFF: Duration = Duration::from_secs(30);

/// One line of an error, safe for the terminal.
fn describe(e: &AzureError) -> String {
    sanitize_inline(&e.to_string())
}

impl Worker {
    pub fn new(
        client: Arc<AmlClient>,
        ws: WorkspaceRef,
        tx: UnboundedSender<Msg>,
        journal: Option<Journal>,
        target_label: String,
        log_poll_interval: Duration,
    ) -> Self {
        Self {
            client,
            ws,
            tx,
            journal,
            target_label,
            log_poll_interval,
            tailers: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn tailers(&self) -> std::sync::MutexGuard<'_, HashMap<u64, AbortHandle>> {
        self.tailers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Polls `getLogs` until aborted; backs off (and says so) while polls fail.
    async fn tail(
        self,
        tailer: u64,
        endpoint: String,
        deployment: String,
        container: ContainerType,
        tail: u32,
    ) {
        let mut backoff = self.log_poll_interval;
        loop {
            match self
                .client
                .get_logs(&self.ws, &endpoint, &deployment, container, Some(tail))
                .await
            {
                Ok(content) => {
                    backoff = self.log_poll_interval;
                    self.send(Msg::LogWindow { tailer, content });
                    tokio::time::sleep(self.log_poll_interval).await;
                }
                Err(e) => {
                    backoff = (backoff * 2).min(MAX_TAIL_BACKOFF);
                    self.send(Msg::LogError {
                        tailer,
                        error: describe(&e),
                        retry_in_secs: backoff.as_secs().max(1),
                    });
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }

    async fn save_log(&self, name: &str, lines: &[String]) -> Result<String, String> {
        let dir = dirs::data_dir()
            .map(|d| d.join("aml-rollout").join("logs"))
            .unwrap_or_else(std::env::temp_dir);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!(
            "{safe}-{}.log",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        ));
        let mut text = lines.join("\n");
        text.push('\n');
        tokio::fs::write(&path, text)
            .await
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(format!("saved {} lines to {}", lines.len(), path.display()))
    }

    fn send(&self, msg: Msg) {
        // The UI has gone away only when the console is quitting: nothing to tell anyone.
        let _ = self.tx.send(msg);
    }

    /// Runs `cmd` in the background.
    pub fn spawn(&self, cmd: Cmd) {
        match cmd {
            // Tailers start and stop right here, in order: were they tasks of their own, a
            // stop could run before its start and leave a tailer polling forever.
            Cmd::StartTail {
                tailer,
                endpoint,
                deployment,
                container,
                tail,
            } => {
                let task = tokio::spawn(
                    self.clone()
                        .tail(tailer, endpoint, deployment, container, tail),
                );
                self.tailers().insert(tailer, task.abort_handle());
            }
            Cmd::StopTail { tailer } => {
                if let Some(handle) = self.tailers().remove(&tailer) {
                    handle.abort();
                }
            }
            cmd => {
                let worker = self.clone();
                tokio::spawn(async move { worker.run(cmd).await });
            }
        }
    }

    async fn follow(
        &self,
        op: u64,
        operation: &Operation,
    ) -> Result<Option<serde_json::Value>, String> {
        let tx = self.tx.clone();
        let mut progress = move |p: LroProgress| {
            let _ = tx.send(Msg::OperationProgress {
                op,
                state: sanitize_inline(&p.state),
            });
        };
        self.client
            .wait(operation, &mut progress)
            .await
            .map_err(|e| describe(&e))
    }

    async fn finish(&self, op: u64, result: Result<String, String>) {
        match &result {
            Ok(message) => tracing::info!(op, %message, "operation finished"),
            Err(message) => tracing::warn!(op, %message, "operation failed"),
        }
        self.send(Msg::OperationFinished {
            op,
            outcome: result,
        });
    }

    pub async fn run(&self, cmd: Cmd) {
        let (client, ws) = (&self.client, &self.ws);
        match cmd {
            Cmd::Refresh { request } => {
                let result = self.load_workspace().await.map_err(|e| describe(&e));
                self.send(Msg::Loaded { request, result });
            }
            Cmd::LoadMetrics {
                request,
                endpoint,
                deployments,
            } => {
                let resource = AmlClient::endpoint_resource_id(ws, &endpoint);
                // Metrics are a nicety: a workspace without them (or a failed read) simply
                // shows dashes, without bothering the operator.
                if let Ok(response) = client.get_metrics(&resource, &metrics::query()).await {
                    let metrics = metrics::summarize(&response, &deployments, chrono::Utc::now());
                    self.send(Msg::MetricsLoaded {
                        request,
                        endpoint,
                        metrics,
                    });
                }
            }
            Cmd::ApplySplit {
                op,
                endpoint,
                base,
                target,
            } => {
                let change = SplitChange {
                    live: Some(target.live.clone()),
                    mirror: Some(target.mirror.clone()),
                    expect: Some(base),
                };
                match client.begin_update_split(ws, &endpoint, &change).await {
                    Err(AzureError::StaleSplit { theirs }) => {
                        self.send(Msg::SplitStale {
                            op,
                            endpoint,
                            theirs: *theirs,
                        });
                    }
                    Err(e) => self.finish(op, Err(describe(&e))).await,
                    Ok(update) => {
                        let result = self
                            .follow(op, &update.operation)
                            .await
                            .map(|_| "traffic applied".to_string());
                        self.finish(op, result).await;
                    }
                }
            }
            Cmd::Scale {
                op,
                endpoint,
                deployment,
                instances,
            } => {
                let result = match client
                    .begin_scale_deployment(ws, &endpoint, &deployment, instances)
                    .await
                {
                    Ok(operation) => self.follow(op, &operation).await.map(|_| {
                        format!("{endpoint}/{deployment} scaled to {instances} instance(s)")
                    }),
                    Err(e) => Err(describe(&e)),
                };
                self.finish(op, result).await;
            }
            Cmd::CreateDeployment { op, endpoint, file } => {
                let result = self.create_deployment(op, &endpoint, &file).await;
                self.finish(op, result).await;
            }
            Cmd::CreateEndpoint { op, file } => {
                let result = self.create_endpoint(op, &file).await;
                self.finish(op, result).await;
            }
            Cmd::Delete {
                op,
                endpoint,
                deployment,
            } => {
                let started = match &deployment {
                    Some(d) => client.begin_delete_deployment(ws, &endpoint, d).await,
                    None => client.begin_delete_endpoint(ws, &endpoint).await,
                };
                let what = match &deployment {
                    Some(d) => format!("deployment {endpoint}/{d} deleted"),
                    None => format!("endpoint {endpoint} deleted"),
                };
                let result = match started {
                    Ok(operation) => self.follow(op, &operation).await.map(|_| what),
                    Err(e) => Err(describe(&e)),
                };
                self.finish(op, result).await;
            }
            Cmd::Invoke {
                request,
                endpoint,
                deployment,
                file,
            } => {
                let outcome = self.invoke(&endpoint, deployment.as_deref(), &file).await;
                self.send(Msg::InvokeFinished { request, outcome });
            }
            Cmd::LoadKeys { endpoint } => {
                let result = self.load_keys(&endpoint).await.map_err(|e| describe(&e));
                self.send(Msg::KeysLoaded { endpoint, result });
            }
            Cmd::RegenerateKey { op, endpoint, key } => {
                let result = match client.begin_regenerate_key(ws, &endpoint, key).await {
                    Ok(operation) => self
                        .follow(op, &operation)
                        .await
                        .map(|_| format!("{endpoint}: {key:?} key regenerated")),
                    Err(e) => Err(describe(&e)),
                };
                self.finish(op, result).await;
                let keys = self.load_keys(&endpoint).await.map_err(|e| describe(&e));
                self.send(Msg::KeysLoaded {
                    endpoint,
                    result: keys,
                });
            }
            // Handled in order by `spawn`.
            Cmd::StartTail { .. } | Cmd::StopTail { .. } => {}
            Cmd::SaveLog { name, lines } => match self.save_log(&name, &lines).await {
                Ok(message) => self.send(Msg::Info(message)),
                Err(message) => self.send(Msg::Warning(message)),
            },
            Cmd::Journal(record) => self.append_journal(record).await,
            Cmd::LoadJournal => {
                let result = self.read_journal().await;
                self.send(Msg::JournalLoaded(result));
            }
        }
    }

    pub(crate) async fn append_journal(&self, record: JournalRecord) {
        let Some(journal) = self.journal.clone() else {
            return;
        };
        let entry = JournalEntry {
            time: chrono::Utc::now(),
            target: self.target_label.clone(),
            endpoint: record.endpoint,
            deployment: record.deployment,
            action: record.action,
            before: record.before,
            after: record.after,
            outcome: match record.outcome {
                Ok(_) => Outcome::ok(),
                Err(message) => Outcome::failed(message),
            },
            az_command: record.az_command,
        };
        let written = tokio::task::spawn_blocking(move || journal.append(&entry)).await;
        if let Ok(Err(e)) = written {
            self.send(Msg::Warning(format!("journal not written: {e}")));
        }
    }

    /// The journal as display lines, newest first.
    async fn read_journal(&self) -> Result<Vec<String>, String> {
        let Some(journal) = self.journal.clone() else {
            return Err(
                "no journal location (no data directory; set AML_ROLLOUT_JOURNAL)".to_string(),
            );
        };
        let contents = tokio::task::spawn_blocking(move || journal.read_all_counting())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let mut lines = Vec::new();
        // Newest first, and only the most recent: the view is for the session at hand.
        for e in contents.entries.iter().rev().take(JOURNAL_VIEW_ENTRIES) {
            let what = match &e.deployment {
                Some(d) => format!("{}/{d}", e.endpoint),
                None => e.endpoint.clone(),
            };
            let outcome = match (&e.outcome.status, &e.outcome.message) {
                (OutcomeStatus::Ok, _) => "ok".to_string(),
                (OutcomeStatus::Failed, Some(m)) => format!("FAILED: {m}"),
                (OutcomeStatus::Failed, None) => "FAILED".to_string(),
            };
            lines.push(sanitize_inline(&format!(
                "{}  {}  {what}  {}  {} → {}  {outcome}",
                e.time.format("%Y-%m-%d %H:%M:%S"),
                e.target,
                e.action,
                journal_value(&e.before),
                journal_value(&e.after)
            )));
            if let Some(az) = &e.az_command {
                lines.push(sanitize_inline(&format!("    $ {az}")));
            }
        }
        if contents.skipped_lines > 0 {
            lines.push(format!(
                "({} unreadable line(s) skipped)",
                contents.skipped_lines
            ));
        }
        Ok(lines)
    }

    async fn load_workspace(&self) -> Result<LoadedWorkspace, AzureError> {
        let endpoints = self.client.list_endpoints(&self.ws).await?;
        let names: Vec<String> = endpoints.iter().map(|e| e.name.clone()).collect();
        let lists: Vec<(String, Result<Vec<_>, AzureError>)> = futures::stream::iter(names)
            .map(|name| async move {
                let r = self.client.list_deployments(&self.ws, &name).await;
                (name, r)
            })
            .buffer_unordered(REFRESH_CONCURRENCY)
            .collect()
            .await;
        let mut deployments = Vec::with_capacity(lists.len());
        for (name, list) in lists {
            match list {
                Ok(list) => {
                    deployments.push((name, list.iter().map(convert::deployment_view).collect()))
                }
                // An endpoint deleted between the two calls: it will be gone next time.
                Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {
                    deployments.push((name, Vec::new()))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(LoadedWorkspace {
            endpoints: endpoints.iter().map(convert::endpoint_view).collect(),
            deployments,
        })
    }

    async fn read_file(path: &Path) -> Result<String, String> {
        let owned = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            crate::operator_file::read_text(&owned, crate::operator_file::AZ_ML_YAML)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
    }

    async fn create_deployment(
        &self,
        op: u64,
        endpoint: &str,
        file: &Path,
    ) -> Result<String, String> {
        let text = Self::read_file(file).await?;
        let ep = self
            .client
            .get_endpoint(&self.ws, endpoint)
            .await
            .map_err(|e| describe(&e))?;
        // The error can quote the file, which may hold anything.
        let spec = deployment_from_yaml(&file.display().to_string(), &text, &ep.location, &self.ws)
            .map_err(|e| sanitize_inline(&e.to_string()))?;
        if let Some(named) = &spec.endpoint_name
            && !named.eq_ignore_ascii_case(endpoint)
        {
            return Err(format!(
                "{} is for endpoint {named}, but {endpoint} is selected: select {named} or edit endpoint_name",
                file.display()
            ));
        }
        if self
            .client
            .get_deployment(&self.ws, endpoint, &spec.name)
            .await
            .is_ok()
        {
            return Err(format!(
                "deployment {} already exists on {endpoint}: scale it (s) or delete it first",
                spec.name
            ));
        }
        let operation = self
            .client
            .begin_put_deployment(&self.ws, endpoint, &spec.name, &spec.body)
            .await
            .map_err(|e| describe(&e))?;
        self.follow(op, &operation).await?;
        Ok(format!(
            "deployment {endpoint}/{} created at 0% traffic",
            spec.name
        ))
    }

    async fn create_endpoint(&self, op: u64, file: &Path) -> Result<String, String> {
        let text = Self::read_file(file).await?;
        let workspace = self
            .client
            .get_workspace(&self.ws)
            .await
            .map_err(|e| describe(&e))?;
        let spec = endpoint_from_yaml(&file.display().to_string(), &text, &workspace.location)
            .map_err(|e| sanitize_inline(&e.to_string()))?;
        if self.client.get_endpoint(&self.ws, &spec.name).await.is_ok() {
            return Err(format!("endpoint {} already exists", spec.name));
        }
        let operation = self
            .client
            .begin_put_endpoint(&self.ws, &spec.name, &spec.body)
            .await
            .map_err(|e| describe(&e))?;
        self.follow(op, &operation).await?;
        Ok(format!("endpoint {} created", spec.name))
    }

    async fn invoke(
        &self,
        endpoint: &str,
        deployment: Option<&str>,
        file: &Path,
    ) -> Result<InvokeOutcome, String> {
        let owned = file.to_path_buf();
        let body = tokio::task::spawn_blocking(move || {
            crate::operator_file::read(&owned, crate::operator_file::SCORING_REQUEST)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
            return Err(format!(
                "{} is not valid JSON: fix the request file",
                file.display()
            ));
        }
        let ep = self
            .client
            .get_endpoint(&self.ws, endpoint)
            .await
            .map_err(|e| describe(&e))?;
        let uri = ep.properties.scoring_uri.clone().ok_or_else(|| {
            format!("{endpoint} has no scoring URI yet (is it still being created?)")
        })?;
        let credential = self
            .client
            .scoring_credential(&self.ws, &ep)
            .await
            .map_err(|e| describe(&e))?;
        let answer = self
            .client
            .invoke(&uri, &credential, deployment, body)
            .await
            .map_err(|e| describe(&e))?;
        let text: String = answer.body.chars().take(MAX_INVOKE_BODY).collect();
        Ok(InvokeOutcome {
            status: answer.status.as_u16(),
            deployment: answer.deployment.map(|d| sanitize_inline(&d)),
            latency_ms: answer.latency.as_millis(),
            body: text
                .lines()
                .map(|l| crate::logstream::sanitize_line(l, 400))
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }

    async fn load_keys(&self, endpoint: &str) -> Result<KeysInfo, AzureError> {
        let ep = self.client.get_endpoint(&self.ws, endpoint).await?;
        let mut info = KeysInfo {
            auth_mode: sanitize_inline(&ep.properties.auth_mode),
            scoring_uri: ep.properties.scoring_uri.as_deref().map(sanitize_inline),
            swagger_uri: ep.properties.swagger_uri.as_deref().map(sanitize_inline),
            primary: None,
            secondary: None,
            token: None,
            token_expiry: None,
        };
        match ep.properties.auth_mode.to_ascii_lowercase().as_str() {
            "key" => {
                let keys = self.client.list_keys(&self.ws, endpoint).await?;
                info.primary = keys.primary_key.as_deref().map(sanitize_inline);
                info.secondary = keys.secondary_key.as_deref().map(sanitize_inline);
            }
            "amltoken" => {
                let token = self.client.get_token(&self.ws, endpoint).await?;
                info.token = token.access_token.as_deref().map(sanitize_inline);
                info.token_expiry = chrono::DateTime::from_timestamp(token.expiry_time_utc, 0)
                    .map(|t| t.to_rfc3339());
            }
            _ => {}
        }
        Ok(info)
    }
}
