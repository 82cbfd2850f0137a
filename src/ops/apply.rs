//! The `Ops` handle (client, workspace, journal) and the second step of every change:
//! sending a [`Prepared`] change, following it and journaling its outcome.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::azure::model::KeyType;
use crate::azure::{AmlClient, LroProgress, Operation, OperationIds, SplitChange, WorkspaceRef};
use crate::journal::{Journal, JournalEntry, Outcome};
use crate::rollout::{Change, TrafficSplit};

use super::error::OpsResult;

/// Where warnings go that are no one operation's outcome (an unwritable journal): stderr for
/// the commands, a toast in the console.
pub type WarningSink = Arc<dyn Fn(String) + Send + Sync>;

/// Everything a workflow needs: the signed-in client, the workspace, the journal.
#[derive(Clone)]
pub struct Ops {
    pub(super) client: Arc<AmlClient>,
    pub(super) ws: WorkspaceRef,
    journal: Option<Journal>,
    /// How the journal names the target: `sub/rg/ws` or `emulator URL`.
    pub(super) target_label: String,
    warn: WarningSink,
    /// The workspace's region, once read (quota is per region).
    pub(super) location: Arc<std::sync::OnceLock<String>>,
}

/// What `apply` sends: one request of the management API.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Request {
    PutEndpoint {
        name: String,
        body: Value,
    },
    PutDeployment {
        endpoint: String,
        name: String,
        body: Value,
    },
    Scale {
        endpoint: String,
        deployment: String,
        instances: u32,
    },
    Split {
        endpoint: String,
        change: SplitChange,
    },
    RegenerateKey {
        endpoint: String,
        key: KeyType,
    },
    DeleteEndpoint {
        name: String,
    },
    DeleteDeployment {
        endpoint: String,
        name: String,
    },
}

/// A change checked and ready to send. Nothing has left the machine yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub change: Change,
    pub(super) request: Request,
}

impl Prepared {
    /// A deployment PUT of a body the caller built (`deployment update`).
    pub fn put_deployment(change: Change, body: Value) -> Self {
        let request = Request::PutDeployment {
            endpoint: change.endpoint.clone(),
            name: change.deployment.clone().unwrap_or_default(),
            body,
        };
        Self { change, request }
    }
}

/// Whether `apply` follows the operation to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    UntilDone,
    /// `--no-wait`: accepted by the service is enough.
    Accepted,
}

/// A change the service took.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub change: Change,
    /// False when not waited for (`--no-wait`): the operation may still be running.
    pub finished: bool,
    /// The final resource, when the operation returned one.
    pub resource: Option<Value>,
    /// For a split change followed to its end: whether reading the endpoint back shows the new
    /// split. Azure Resource Manager can serve the previous one for a while after the operation
    /// succeeded; `false` means it still did when the read-back gave up.
    pub visible: bool,
    /// How the service named the operation.
    pub ids: OperationIds,
}

/// How long a split change is read back before it is reported "not yet visible".
const READ_BACK_ATTEMPTS: u32 = 8;
const READ_BACK_FIRST_WAIT: Duration = Duration::from_millis(250);
const READ_BACK_LONGEST_WAIT: Duration = Duration::from_secs(2);

impl Ops {
    pub fn new(
        client: Arc<AmlClient>,
        ws: WorkspaceRef,
        journal: Option<Journal>,
        target_label: String,
        warn: WarningSink,
    ) -> Self {
        Self {
            client,
            ws,
            journal,
            target_label,
            warn,
            location: Arc::default(),
        }
    }

    pub fn client(&self) -> &AmlClient {
        &self.client
    }

    pub fn workspace(&self) -> &WorkspaceRef {
        &self.ws
    }

    pub fn target_label(&self) -> &str {
        &self.target_label
    }

    /// Sends a prepared change, follows it unless told not to, and journals the outcome
    /// (failures included) with the change's own record.
    pub async fn apply(
        &self,
        prepared: Prepared,
        wait: Wait,
        on_progress: &mut (dyn FnMut(LroProgress) + Send),
    ) -> OpsResult<Applied> {
        let Prepared { change, request } = prepared;
        let read_back = match (&request, wait) {
            (Request::Split { endpoint, change }, Wait::UntilDone) => Some((
                endpoint.clone(),
                TrafficSplit {
                    live: change.live.clone().unwrap_or_default(),
                    mirror: change.mirror.clone().unwrap_or_default(),
                },
            )),
            _ => None,
        };
        let result = self.send(request, wait, on_progress).await;
        let outcome = match result.as_ref().map(|(_, finished)| finished) {
            Ok(None) => Outcome::ok_with("accepted by the service; not waited for (--no-wait)"),
            Ok(Some(_)) => Outcome::ok(),
            Err(e) => Outcome::failed(e.to_string()),
        };
        self.journal(&change, outcome).await;
        let (ids, finished) = result?;
        let visible = match read_back {
            Some((endpoint, target)) => self.read_back_split(&endpoint, &target).await,
            None => true,
        };
        Ok(Applied {
            change,
            finished: finished.is_some(),
            resource: finished.flatten(),
            visible,
            ids,
        })
    }

    /// Reads the endpoint until it shows `target` (bounded, with backoff): a change is
    /// reported applied only once a reader would see it.
    async fn read_back_split(&self, endpoint: &str, target: &TrafficSplit) -> bool {
        let target = target.normalized();
        let mut wait = READ_BACK_FIRST_WAIT;
        for attempt in 0..READ_BACK_ATTEMPTS {
            if let Ok(current) = self.client.get_endpoint(&self.ws, endpoint).await {
                let seen = TrafficSplit::from_maps(
                    current.properties.traffic.as_ref(),
                    current.properties.mirror_traffic.as_ref(),
                );
                if seen.normalized() == target {
                    return true;
                }
            }
            if attempt + 1 < READ_BACK_ATTEMPTS {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(READ_BACK_LONGEST_WAIT);
            }
        }
        false
    }

    /// The operation's ids with `None`: accepted, not waited for; `Some(resource)`: finished.
    async fn send(
        &self,
        request: Request,
        wait: Wait,
        on_progress: &mut (dyn FnMut(LroProgress) + Send),
    ) -> OpsResult<(OperationIds, Option<Option<Value>>)> {
        let (client, ws) = (&self.client, &self.ws);
        let operation: Operation = match request {
            Request::PutEndpoint { name, body } => {
                client.begin_put_endpoint(ws, &name, &body).await?
            }
            Request::PutDeployment {
                endpoint,
                name,
                body,
            } => {
                client
                    .begin_put_deployment(ws, &endpoint, &name, &body)
                    .await?
            }
            Request::Scale {
                endpoint,
                deployment,
                instances,
            } => {
                client
                    .begin_scale_deployment(ws, &endpoint, &deployment, instances)
                    .await?
            }
            Request::Split { endpoint, change } => {
                client
                    .begin_update_split(ws, &endpoint, &change)
                    .await?
                    .operation
            }
            Request::RegenerateKey { endpoint, key } => {
                client.begin_regenerate_key(ws, &endpoint, key).await?
            }
            Request::DeleteEndpoint { name } => client.begin_delete_endpoint(ws, &name).await?,
            Request::DeleteDeployment { endpoint, name } => {
                client.begin_delete_deployment(ws, &endpoint, &name).await?
            }
        };
        let ids = operation.ids();
        match wait {
            Wait::Accepted => Ok((ids, None)),
            Wait::UntilDone => Ok((ids, Some(client.wait(&operation, on_progress).await?))),
        }
    }

    /// Records a change that was in flight when the program was ended (`why`: the signal):
    /// its outcome is unknown.
    pub async fn journal_interrupted(&self, change: &Change, why: &str) {
        let message = format!(
            "{}: {} was in flight when {why} ended the console; its outcome is unknown: check with `endpoint show`",
            change.action(),
            change.target()
        );
        self.write_journal(change, "interrupted", Outcome::failed(message))
            .await;
    }

    /// Appends a change's record. A journal that cannot be written is a warning, not a
    /// failure: the change itself already happened (or failed) on the service.
    pub async fn journal(&self, change: &Change, outcome: Outcome) {
        self.write_journal(change, change.action(), outcome).await;
    }

    /// The journal, for workflows that read their own records back (a plan's history).
    pub(crate) fn journal_file(&self) -> Option<&Journal> {
        self.journal.as_ref()
    }

    /// Appends an entry that is no single change's record (a plan's step, its gates).
    pub(crate) async fn append_entry(&self, entry: JournalEntry) {
        let Some(journal) = self.journal.clone() else {
            return;
        };
        match tokio::task::spawn_blocking(move || journal.append(&entry)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => (self.warn)(format!("journal not written: {e}")),
            Err(e) => (self.warn)(format!("journal not written: {e}")),
        }
    }

    async fn write_journal(&self, change: &Change, action: &str, outcome: Outcome) {
        let Some(journal) = self.journal.clone() else {
            return;
        };
        let entry = JournalEntry {
            time: chrono::Utc::now(),
            target: self.target_label.clone(),
            endpoint: change.endpoint.clone(),
            deployment: change.deployment.clone(),
            action: action.to_string(),
            before: change.before.clone(),
            after: change.after.clone(),
            outcome,
            az_command: Some(change.az_command()),
            by: self.principal().await,
        };
        match tokio::task::spawn_blocking(move || journal.append(&entry)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => (self.warn)(format!("journal not written: {e}")),
            Err(e) => (self.warn)(format!("journal not written: {e}")),
        }
    }
}
