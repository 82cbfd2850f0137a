//! The async side of the console: runs each `Cmd` through the shared workflows (`ops`) on
//! tokio and sends the result back as a `Msg` carrying the command's id. Owns all I/O; never
//! touches the state.

pub mod convert;
mod journal_view;
mod plans;
mod reads;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::app::ids::{OpId, TailerId};
use crate::app::msg::{Cmd, Msg, QuotaQuestion};
use crate::app::state::{InvokeOutcome, KeysInfo};
use crate::azure::model::ContainerType;
use crate::azure::{AmlClient, LroProgress, WorkspaceRef};
use crate::journal::Journal;
use crate::logstream::sanitize_inline;
use crate::ops::{
    CompareReport, DeploymentCreateOptions, LogPoller, Ops, OpsError, OpsResult, Prepared,
    TailVerdict, Wait, parse_requests, read_request_file,
};
use crate::rollout::{Change, QuotaCheck};

/// Numbers within this absolute difference count as equal (the headless compare's default).
const COMPARE_TOLERANCE: f64 = 1e-6;
/// Most of a scoring answer shown in the invoke dialog.
const MAX_INVOKE_BODY: usize = 4096;

#[derive(Clone)]
pub struct Worker {
    ops: Ops,
    tx: UnboundedSender<Msg>,
    journal: Option<Journal>,
    log_poll_interval: Duration,
    /// Running log tailers, so a closed pane's tailer can be stopped.
    tailers: Arc<Mutex<HashMap<TailerId, AbortHandle>>>,
    /// Changes sent and not yet finished: if a signal ends the console, the journal says what
    /// was in flight.
    in_flight: Arc<Mutex<HashMap<OpId, Change>>>,
    /// The subscription's display name was asked for.
    subscription_asked: Arc<AtomicBool>,
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
        reads::report_throttling(client.throttling(), tx.clone());
        let warnings = tx.clone();
        let ops = Ops::new(
            client,
            ws,
            journal.clone(),
            target_label,
            Arc::new(move |text| {
                let _ = warnings.send(Msg::Warning(text));
            }),
        );
        Self {
            ops,
            tx,
            journal,
            log_poll_interval,
            tailers: Arc::new(Mutex::new(HashMap::new())),
            in_flight: Arc::new(Mutex::new(HashMap::new())),
            subscription_asked: Arc::new(AtomicBool::new(false)),
        }
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<OpId, Change>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Journals every change still in flight as `interrupted`: the console is ending (`why`,
    /// e.g. SIGTERM) and nobody will see how they end.
    pub async fn journal_interrupted(&self, why: &str) {
        let changes: Vec<Change> = self.in_flight().drain().map(|(_, c)| c).collect();
        for change in changes {
            self.ops.journal_interrupted(&change, why).await;
        }
    }

    fn tailers(&self) -> std::sync::MutexGuard<'_, HashMap<TailerId, AbortHandle>> {
        self.tailers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Polls `getLogs` until aborted: often while lines arrive, less often while the log is
    /// quiet; backs off (and says so) while polls fail.
    async fn tail(
        self,
        tailer: TailerId,
        endpoint: String,
        deployment: String,
        container: ContainerType,
        tail: u32,
    ) {
        let mut poller = LogPoller::new(self.log_poll_interval);
        let mut last_window: Option<String> = None;
        loop {
            let wait = match self
                .ops
                .poll_logs(&endpoint, &deployment, container, tail)
                .await
            {
                // The same last lines as before: nothing new, and nothing for the pane.
                Ok(content) if last_window.as_ref() == Some(&content) => poller.succeeded(false),
                Ok(content) => {
                    last_window = Some(content.clone());
                    self.send(Msg::LogWindow { tailer, content });
                    poller.succeeded(true)
                }
                Err(error) => {
                    // The next window is news again: it tells the pane the tail recovered.
                    last_window = None;
                    // A pane stays open on a deployment that is gone: it may come back (a
                    // re-create), so the console keeps asking, slowly.
                    let wait = match poller.failed(&error) {
                        TailVerdict::RetryIn(wait) => wait,
                        TailVerdict::Stop => poller.longest_wait(),
                    };
                    self.send(Msg::LogError {
                        tailer,
                        error,
                        retry_in_secs: wait.as_secs().max(1),
                    });
                    wait
                }
            };
            tokio::time::sleep(wait).await;
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

    /// Sends a prepared change and follows it, reporting each state the service reports.
    /// `Ok(false)`: done, but a read-back does not show it yet.
    async fn apply(&self, op: OpId, prepared: OpsResult<Prepared>) -> OpsResult<bool> {
        let tx = self.tx.clone();
        let mut progress = move |p: LroProgress| {
            let _ = tx.send(Msg::OperationProgress {
                op,
                state: sanitize_inline(&p.state),
            });
        };
        let prepared = prepared?;
        self.in_flight().insert(op, prepared.change.clone());
        let result = self
            .ops
            .apply(prepared, Wait::UntilDone, &mut progress)
            .await
            .map(|applied| applied.visible);
        self.in_flight().remove(&op);
        result
    }

    fn finish(&self, op: OpId, outcome: Result<String, OpsError>) {
        match &outcome {
            Ok(message) => tracing::info!(%op, %message, "operation finished"),
            Err(error) => tracing::warn!(%op, %error, "operation failed"),
        }
        self.send(Msg::OperationFinished { op, outcome });
    }

    pub async fn run(&self, cmd: Cmd) {
        match cmd {
            Cmd::Refresh { request } => {
                // The first refresh also names the subscription, once: the target never
                // changes while the console runs.
                if !self.subscription_asked.swap(true, Ordering::Relaxed) {
                    self.name_subscription().await;
                }
                self.refresh_all(request).await
            }
            Cmd::RefreshEndpoints { request } => self.refresh_endpoints(request).await,
            Cmd::RefreshEndpoint { request, endpoint } => {
                self.refresh_endpoint(request, endpoint).await
            }
            Cmd::ApplySplit {
                op,
                endpoint,
                base,
                target,
            } => {
                let prepared = self
                    .ops
                    .prepare_split(&endpoint, Some(&base), |_| target.clone())
                    .await;
                match self.apply(op, prepared).await {
                    Err(OpsError::Stale { theirs }) => self.send(Msg::SplitStale {
                        op,
                        endpoint,
                        theirs,
                    }),
                    result => self.finish(
                        op,
                        result.map(|visible| {
                            if visible {
                                "traffic applied".to_string()
                            } else {
                                "traffic applied, not yet visible: the service still shows the previous split".to_string()
                            }
                        }),
                    ),
                }
            }
            Cmd::Scale {
                op,
                endpoint,
                deployment,
                instances,
            } => {
                let prepared = self
                    .ops
                    .prepare_scale(&endpoint, &deployment, instances)
                    .await;
                let result = self
                    .apply(op, prepared)
                    .await
                    .map(|_| format!("{endpoint}/{deployment} scaled to {instances} instance(s)"));
                self.finish(op, result);
            }
            Cmd::CreateDeployment {
                op,
                endpoint,
                file,
                force_update,
            } => {
                let options = DeploymentCreateOptions {
                    endpoint: Some(&endpoint),
                    all_traffic: false,
                    force_update,
                };
                let prepared = self.ops.prepare_create_deployment(&file, options).await;
                let name = prepared
                    .as_ref()
                    .ok()
                    .and_then(|(p, _)| p.change.deployment.clone())
                    .unwrap_or_default();
                let result = self
                    .apply(op, prepared.map(|(p, _)| p))
                    .await
                    .map(|_| format!("deployment {endpoint}/{name} created at 0% traffic"));
                self.finish(op, result);
            }
            Cmd::CreateEndpoint { op, file } => {
                let prepared = self.ops.prepare_create_endpoint(&file).await;
                let name = prepared
                    .as_ref()
                    .map(|p| p.change.endpoint.clone())
                    .unwrap_or_default();
                let result = self
                    .apply(op, prepared)
                    .await
                    .map(|_| format!("endpoint {name} created"));
                self.finish(op, result);
            }
            Cmd::Delete {
                op,
                endpoint,
                deployment,
            } => {
                let (prepared, what) = match &deployment {
                    Some(d) => (
                        self.ops.prepare_delete_deployment(&endpoint, d).await,
                        format!("deployment {endpoint}/{d} deleted"),
                    ),
                    None => (
                        self.ops.prepare_delete_endpoint(&endpoint).await,
                        format!("endpoint {endpoint} deleted"),
                    ),
                };
                let result = self.apply(op, prepared).await.map(|_| what);
                self.finish(op, result);
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
            Cmd::Compare {
                request,
                endpoint,
                file,
            } => {
                let outcome = self.compare(&endpoint, &file).await.map(Box::new);
                self.send(Msg::CompareFinished { request, outcome });
            }
            Cmd::LoadKeys { request, endpoint } => {
                let result = self.load_keys(&endpoint).await;
                self.send(Msg::KeysLoaded {
                    request,
                    endpoint,
                    result,
                });
            }
            Cmd::RegenerateKey {
                op,
                request,
                endpoint,
                key,
            } => {
                let prepared = self.ops.prepare_regenerate_key(&endpoint, key);
                let result = self
                    .apply(op, Ok(prepared))
                    .await
                    .map(|_| format!("{endpoint}: {} key regenerated", key.as_str()));
                self.finish(op, result);
                let result = self.load_keys(&endpoint).await;
                self.send(Msg::KeysLoaded {
                    request,
                    endpoint,
                    result,
                });
            }
            // Handled in order by `spawn`.
            Cmd::StartTail { .. } | Cmd::StopTail { .. } => {}
            Cmd::SaveLog { name, lines } => match self.save_log(&name, &lines).await {
                Ok(message) => self.send(Msg::Info(message)),
                Err(message) => self.send(Msg::Warning(message)),
            },
            Cmd::ReadPlanFile {
                request,
                endpoint,
                file,
            } => plans::read_plan_file(&self.tx, request, endpoint, file).await,
            Cmd::RunPlan {
                driver,
                endpoint,
                file,
                text,
                how,
            } => plans::run_plan(&self.ops, &self.tx, driver, endpoint, file, text, how).await,
            Cmd::PromotePlan {
                endpoint,
                file,
                text,
            } => plans::promote(&self.ops, &self.tx, endpoint, file, text).await,
            Cmd::PausePlan { endpoint } => plans::pause(&self.ops, &self.tx, endpoint).await,
            Cmd::AbortPlan { driver, endpoint } => {
                plans::abort(&self.ops, &self.tx, driver, endpoint).await
            }
            Cmd::LoadJournal { request } => {
                let result = journal_view::read(self.journal.clone()).await;
                self.send(Msg::JournalLoaded { request, result });
            }
            Cmd::CheckQuota { request, question } => {
                let result = self.check_quota(question).await;
                self.send(Msg::QuotaChecked { request, result });
            }
        }
    }

    /// Prepares the change as sending it would, without sending, and checks its core quota
    /// the way the headless commands do.
    async fn check_quota(&self, question: QuotaQuestion) -> OpsResult<QuotaCheck> {
        let prepared = match question {
            QuotaQuestion::Scale {
                endpoint,
                deployment,
                instances,
            } => {
                self.ops
                    .prepare_scale(&endpoint, &deployment, instances)
                    .await?
            }
            QuotaQuestion::CreateDeployment { endpoint, file } => {
                // A deployment whose create failed is offered for an update in place when
                // the create is sent; that update needs the same cores.
                let options = DeploymentCreateOptions {
                    endpoint: Some(&endpoint),
                    all_traffic: false,
                    force_update: true,
                };
                self.ops.prepare_create_deployment(&file, options).await?.0
            }
        };
        Ok(self.ops.quota_check(&prepared).await.unwrap_or_else(|| {
            QuotaCheck::NotCounted("the change sets no size or instance count".to_string())
        }))
    }

    /// Sends the subscription's display name for the title. Should it not be readable (no
    /// right to read the subscription, an old emulator), the title keeps the GUID.
    async fn name_subscription(&self) {
        let (client, ws) = (self.ops.client(), self.ops.workspace());
        match client.get_subscription(&ws.subscription).await {
            Ok(subscription) => {
                let name = subscription
                    .display_name
                    .map(|n| sanitize_inline(n.trim()))
                    .filter(|n| !n.is_empty());
                if let Some(name) = name {
                    self.send(Msg::SubscriptionNamed(name));
                }
            }
            Err(e) => tracing::info!(error = %e, "subscription name not read"),
        }
    }

    async fn invoke(
        &self,
        endpoint: &str,
        deployment: Option<&str>,
        file: &Path,
    ) -> OpsResult<InvokeOutcome> {
        let path = file.to_path_buf();
        let body = tokio::task::spawn_blocking(move || read_request_file(&path))
            .await
            .map_err(|e| OpsError::File(e.to_string()))??;
        let answer = self.ops.invoke(endpoint, deployment, body).await?;
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

    /// The request file to every deployment of the endpoint, as `aml-rollout compare` does.
    async fn compare(&self, endpoint: &str, file: &Path) -> OpsResult<CompareReport> {
        let path = file.to_path_buf();
        let text = tokio::task::spawn_blocking(move || std::fs::read(&path))
            .await
            .map_err(|e| OpsError::File(e.to_string()))?
            .map_err(|e| OpsError::File(format!("cannot read {}: {e}", file.display())))?;
        let requests = parse_requests(&text)?;
        self.ops
            .compare(endpoint, &[], requests, COMPARE_TOLERANCE)
            .await
    }

    async fn load_keys(&self, endpoint: &str) -> OpsResult<KeysInfo> {
        let c = self.ops.credentials(endpoint).await?;
        let clean = |s: Option<String>| s.as_deref().map(sanitize_inline);
        Ok(KeysInfo {
            auth_mode: sanitize_inline(&c.auth_mode),
            scoring_uri: clean(c.scoring_uri),
            swagger_uri: clean(c.swagger_uri),
            primary: clean(c.primary_key),
            secondary: clean(c.secondary_key),
            token: clean(c.access_token),
            token_expiry: c
                .expiry_time_utc
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| t.to_rfc3339()),
        })
    }
}
