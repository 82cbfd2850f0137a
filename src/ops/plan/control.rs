//! Starting a plan and a person's controls over one: resume, promote, pause, abort, and reading
//! its record (the endpoint's tags) and its history (the journal) back.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::azure::FailureKind;
use crate::journal::{JournalEntry, Outcome};
use crate::rollout::plan::{Phase, PlanTarget, Progress, parse_plan};
use crate::rollout::{TrafficSplit, default_baseline};

use super::record::{PlanRecord, Request, new_run_id, plan_digest};
use super::runner::{PlanEnd, PlanEvent, PlanRun, describe_split};
use crate::ops::apply::Ops;
use crate::ops::error::{OpsError, OpsResult};

/// How long a tag write waits for an operation already running on the endpoint, at most.
const IDLE_ATTEMPTS: u32 = 600;
const IDLE_POLL: Duration = Duration::from_millis(500);

/// An endpoint as a plan sees it: its split and the plan's record, if any.
#[derive(Debug, Clone)]
pub struct PlanSite {
    pub split: TrafficSplit,
    pub record: Option<PlanRecord>,
}

fn busy(state: Option<&str>) -> bool {
    matches!(
        state.map(str::to_ascii_lowercase).as_deref(),
        Some("updating" | "creating" | "deleting")
    )
}

fn record_error(e: super::record::RecordError) -> OpsError {
    OpsError::Invalid(e.to_string())
}

impl Ops {
    /// The endpoint's split and plan record.
    pub async fn plan_site(&self, endpoint: &str) -> OpsResult<PlanSite> {
        let ep = self.existing_endpoint(endpoint).await?;
        let record =
            PlanRecord::from_tags(&ep.tags.clone().unwrap_or_default()).map_err(record_error)?;
        Ok(PlanSite {
            split: TrafficSplit::from_maps(
                ep.properties.traffic.as_ref(),
                ep.properties.mirror_traffic.as_ref(),
            ),
            record,
        })
    }

    /// Waits until no operation runs on the endpoint (a tag PATCH is refused meanwhile).
    async fn wait_until_idle(&self, endpoint: &str) -> OpsResult<()> {
        for _ in 0..IDLE_ATTEMPTS {
            let ep = self.existing_endpoint(endpoint).await?;
            if !busy(ep.properties.provisioning_state.as_deref()) {
                return Ok(());
            }
            tokio::time::sleep(IDLE_POLL).await;
        }
        Err(OpsError::Invalid(format!(
            "an operation on {endpoint} is still running; try again once it has finished"
        )))
    }

    /// Writes the plan's record into the endpoint's tags, keeping every other tag.
    pub(super) async fn write_record(&self, endpoint: &str, record: &PlanRecord) -> OpsResult<()> {
        let mut attempts = 0;
        loop {
            self.wait_until_idle(endpoint).await?;
            let ep = self.existing_endpoint(endpoint).await?;
            let tags = record
                .merged_into(&ep.tags.clone().unwrap_or_default())
                .map_err(record_error)?;
            let sent = match self
                .client
                .begin_patch_endpoint_tags(&self.ws, &ep.name, &tags)
                .await
            {
                Ok(operation) => self.client.wait(&operation, &mut |_| {}).await.map(|_| ()),
                Err(e) => Err(e),
            };
            match sent {
                // Another operation began between the look and the PATCH: wait for it.
                Err(e) if e.kind() == Some(FailureKind::Conflict) && attempts < 5 => {
                    attempts += 1;
                }
                other => return Ok(other?),
            }
        }
    }

    /// Checks a plan against the endpoint and records its start: the first thing sent. An
    /// invalid plan, or a plan already running there, is refused with nothing sent.
    pub async fn start_plan(&self, endpoint: &str, file: &str, text: &str) -> OpsResult<PlanRun> {
        let ep = self.existing_endpoint(endpoint).await?;
        let split = TrafficSplit::from_maps(
            ep.properties.traffic.as_ref(),
            ep.properties.mirror_traffic.as_ref(),
        );
        if let Some(running) =
            PlanRecord::from_tags(&ep.tags.clone().unwrap_or_default()).map_err(record_error)?
            && running.is_active()
        {
            return Err(OpsError::Invalid(format!(
                "a rollout already runs on {endpoint}: {}; nothing was sent (see `rollout status`, `rollout resume` or `rollout abort`)",
                running.describe()
            )));
        }
        let deployments: Vec<String> = self
            .client
            .list_deployments(&self.ws, &ep.name)
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect();
        let plan = parse_plan(
            file,
            text,
            &PlanTarget {
                deployments: &deployments,
                kubernetes: ep.is_kubernetes(),
            },
        )
        .map_err(|e| OpsError::Invalid(format!("{e}; nothing was sent")))?;
        let baseline = match plan.baseline.clone() {
            Some(named) => named,
            None => default_baseline(&split.normalized().live)
                .filter(|b| !b.eq_ignore_ascii_case(&plan.deployment))
                .ok_or_else(|| {
                    OpsError::Invalid(format!(
                        "{file}: no deployment other than {} takes live traffic on {endpoint}; name the baseline in the plan; nothing was sent",
                        plan.deployment
                    ))
                })?,
        };
        let now = Utc::now();
        let record = PlanRecord {
            run: new_run_id(),
            digest: plan_digest(text),
            steps: plan.steps.len(),
            progress: Progress::start(split.clone(), baseline),
            started: now,
            step_started: now,
            request: None,
        };
        // Checked before the first write, so that an unrecordable split sends nothing.
        record
            .merged_into(&Default::default())
            .map_err(record_error)?;
        let run = PlanRun {
            endpoint: ep.name.clone(),
            plan,
            record,
            wait: true,
            by: self.principal().await,
        };
        self.write_record(&run.endpoint, &run.record).await?;
        self.record_step(
            &run,
            "start",
            &split,
            &split,
            json!({ "file": file, "plan": text, "baseline": run.record.progress.baseline }),
            Outcome::ok(),
        )
        .await;
        Ok(run)
    }

    /// The event a runner reports first.
    pub fn started_event(run: &PlanRun) -> PlanEvent {
        PlanEvent::Started {
            endpoint: run.endpoint.clone(),
            deployment: run.plan.deployment.clone(),
            baseline: run.record.progress.baseline.clone(),
            digest: run.record.digest.clone(),
            run: run.record.run.clone(),
            steps: run.plan.steps.len(),
            original: describe_split(&run.record.progress.original),
        }
    }

    /// The plan text the record's digest names: `text` when given (it must match), else the
    /// text journaled when the plan started.
    async fn plan_text_for(
        &self,
        record: &PlanRecord,
        text: Option<(String, String)>,
    ) -> OpsResult<(String, String)> {
        if let Some((file, text)) = text {
            if plan_digest(&text) != record.digest {
                return Err(OpsError::Invalid(format!(
                    "{file} is not the plan that runs (its digest is {}, the endpoint's plan is {}); nothing was sent",
                    plan_digest(&text),
                    record.digest
                )));
            }
            return Ok((file, text));
        }
        let entries = match self.journal_file() {
            Some(journal) => {
                let journal = journal.clone();
                tokio::task::spawn_blocking(move || journal.read_all())
                    .await
                    .map_err(|e| OpsError::File(e.to_string()))?
                    .map_err(|e| OpsError::File(e.to_string()))?
            }
            None => Vec::new(),
        };
        entries
            .iter()
            .rev()
            .filter(|e| e.action == "rollout start" && e.after["digest"] == record.digest)
            .find_map(|e| {
                Some((
                    e.after["file"].as_str()?.to_string(),
                    e.after["plan"].as_str()?.to_string(),
                ))
            })
            .ok_or_else(|| {
                OpsError::Invalid(format!(
                    "the plan {} is not in this machine's journal; pass it with -f plan.yml; nothing was sent",
                    record.digest
                ))
            })
    }

    /// Takes over a plan whose runner stopped (or died): a new run id in the tag, a paused plan
    /// resumed from the split the endpoint has now.
    pub async fn take_over_plan(
        &self,
        endpoint: &str,
        text: Option<(String, String)>,
    ) -> OpsResult<PlanRun> {
        let ep = self.existing_endpoint(endpoint).await?;
        let site = self.plan_site(&ep.name).await?;
        let mut record = site
            .record
            .filter(PlanRecord::is_active)
            .ok_or_else(|| OpsError::Invalid(format!("no rollout plan runs on {endpoint}")))?;
        let (file, text) = self.plan_text_for(&record, text).await?;
        let deployments: Vec<String> = self
            .client
            .list_deployments(&self.ws, &ep.name)
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect();
        let plan = parse_plan(
            &file,
            &text,
            &PlanTarget {
                deployments: &deployments,
                kubernetes: ep.is_kubernetes(),
            },
        )
        .map_err(|e| OpsError::Invalid(format!("{e}; nothing was sent")))?;
        record.run = new_run_id();
        if matches!(record.progress.phase, Phase::Paused { .. }) {
            record.progress.resume(&site.split);
        }
        Ok(PlanRun {
            endpoint: ep.name.clone(),
            plan,
            record,
            wait: true,
            by: self.principal().await,
        })
    }

    /// Resumes: records the new runner, then drives.
    pub async fn resume_plan(
        &self,
        run: &mut PlanRun,
        events: &mut (dyn FnMut(PlanEvent) + Send),
    ) -> OpsResult<PlanEnd> {
        self.write_record(&run.endpoint, &run.record).await?;
        let split = run.record.progress.expected.clone();
        self.record_step(run, "resume", &split, &split, json!({}), Outcome::ok())
            .await;
        events(Self::started_event(run));
        self.drive_plan(run, events).await
    }

    /// Approves a waiting manual gate (the caller then drives on), or asks the runner to skip
    /// the rest of the current bake. `Ok(true)`: approved here.
    pub async fn promote_plan(&self, run: &mut PlanRun) -> OpsResult<bool> {
        let split = run.record.progress.expected.clone();
        if run.record.progress.phase == Phase::AwaitingApproval {
            run.record.progress.promote(&run.plan);
            run.record.step_started = Utc::now();
            self.write_record(&run.endpoint, &run.record).await?;
            self.record_step(run, "approve", &split, &split, json!({}), Outcome::ok())
                .await;
            return Ok(true);
        }
        // The running runner keeps its id: it sees the request at its next look.
        let Some(mut theirs) = self.plan_site(&run.endpoint).await?.record else {
            return Ok(false);
        };
        theirs.request = Some(Request::Promote);
        self.write_record(&run.endpoint, &theirs).await?;
        self.record_step(
            run,
            "promote asked",
            &split,
            &split,
            json!({}),
            Outcome::ok(),
        )
        .await;
        Ok(false)
    }

    /// Pauses a plan: its runner stops at its next look; `rollout resume` goes on.
    pub async fn pause_plan(&self, endpoint: &str, reason: &str) -> OpsResult<PlanRecord> {
        let mut record = self
            .plan_site(endpoint)
            .await?
            .record
            .filter(PlanRecord::is_active)
            .ok_or_else(|| OpsError::Invalid(format!("no rollout plan runs on {endpoint}")))?;
        record.progress.pause(reason.to_string());
        self.write_record(endpoint, &record).await?;
        Ok(record)
    }

    /// Rolls a plan back on a person's word: tells its runner first (through the tag), waits
    /// for an operation in flight, restores the original split and mirror, reads it back.
    pub async fn abort_plan(
        &self,
        endpoint: &str,
        events: &mut (dyn FnMut(PlanEvent) + Send),
    ) -> OpsResult<PlanEnd> {
        let mut record = self
            .plan_site(endpoint)
            .await?
            .record
            .filter(PlanRecord::is_active)
            .ok_or_else(|| OpsError::Invalid(format!("no rollout plan runs on {endpoint}")))?;
        let reason = "aborted by a person (rollout abort)".to_string();
        let mut stopping = record.clone();
        stopping.progress.pause(reason.clone());
        self.write_record(endpoint, &stopping).await?;
        self.wait_until_idle(endpoint).await?;
        let current = self.plan_site(endpoint).await?.split;
        record.progress.phase = Phase::Paused {
            reason: reason.clone(),
        };
        let to = record.progress.original.clone();
        let mut run = PlanRun {
            endpoint: endpoint.to_string(),
            plan: crate::rollout::plan::Plan {
                deployment: String::new(),
                baseline: None,
                steps: Vec::new(),
                gates: Default::default(),
                on_failure: crate::rollout::plan::OnFailure::Rollback,
            },
            record,
            wait: false,
            by: self.principal().await,
        };
        self.roll_back(&mut run, &current, &to, reason, events)
            .await
    }

    /// The journal's entries of plans on `endpoint`, oldest first.
    pub async fn plan_history(&self, endpoint: &str) -> OpsResult<Vec<JournalEntry>> {
        let Some(journal) = self.journal_file().cloned() else {
            return Ok(Vec::new());
        };
        let entries = tokio::task::spawn_blocking(move || journal.read_all())
            .await
            .map_err(|e| OpsError::File(e.to_string()))?
            .map_err(|e| OpsError::File(e.to_string()))?;
        Ok(entries
            .into_iter()
            .filter(|e| {
                e.endpoint.eq_ignore_ascii_case(endpoint) && e.action.starts_with("rollout ")
            })
            .map(|mut e| {
                // The plan's text is kept for resuming; the history shows its digest.
                if let Some(after) = e.after.as_object_mut() {
                    after.remove("plan");
                }
                e
            })
            .collect())
    }
}

/// A record as JSON for `rollout status -o json`.
pub fn record_json(endpoint: &str, site: &PlanSite) -> Value {
    let Some(r) = &site.record else {
        return json!({ "endpoint": endpoint, "plan": null, "split": describe_split(&site.split) });
    };
    let reason = match &r.progress.phase {
        Phase::Paused { reason } | Phase::RolledBack { reason } => Some(reason.clone()),
        _ => None,
    };
    json!({
        "endpoint": endpoint,
        "plan": {
            "run": r.run,
            "digest": r.digest,
            "active": r.is_active(),
            "step": r.progress.step,
            "of": r.steps,
            "phase": r.phase_name(),
            "since": r.step_started,
            "started": r.started,
            "baseline": r.progress.baseline,
            "original": describe_split(&r.progress.original),
            "expected": describe_split(&r.progress.expected),
            "reason": reason,
            "promote_requested": r.request == Some(Request::Promote),
        },
        "split": describe_split(&site.split),
    })
}
