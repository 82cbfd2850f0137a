//! A plan's progress as tags on the endpoint itself, so that any console or job sees that a
//! rollout runs, a second runner refuses, and a new runner resumes where the last one stood.
//!
//! ARM caps a tag value at 256 characters, so the record is spread over a few tags, each
//! compact: the progress as one small JSON object, the splits as `live;mirror` text.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rollout::plan::{Phase, Progress};
use crate::rollout::{TrafficMap, TrafficSplit, format_traffic, parse_traffic};

pub(crate) const TAG_PROGRESS: &str = "aml-rollout-plan";
pub(crate) const TAG_ORIGINAL: &str = "aml-rollout-original";
pub(crate) const TAG_EXPECTED: &str = "aml-rollout-expected";
pub(crate) const TAG_REASON: &str = "aml-rollout-reason";
const TAGS: [&str; 4] = [TAG_PROGRESS, TAG_ORIGINAL, TAG_EXPECTED, TAG_REASON];

/// ARM's limit on a tag value.
const MAX_TAG_VALUE: usize = 256;

/// What a person asked of a running plan through the tag; the runner acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Skip the rest of the current bake.
    Promote,
}

/// A plan's record on its endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    /// The runner driving the plan (random per run); another id in the tag means another
    /// runner took over.
    pub run: String,
    /// SHA-256 of the plan file's text, first 16 hex digits.
    pub digest: String,
    pub steps: usize,
    pub progress: Progress,
    /// When the plan began.
    pub started: DateTime<Utc>,
    /// When the current step began (its split applied, or the approval asked for).
    pub step_started: DateTime<Utc>,
    pub request: Option<Request>,
}

#[derive(Serialize, Deserialize)]
struct ProgressTag {
    run: String,
    digest: String,
    step: usize,
    of: usize,
    phase: String,
    started: String,
    since: String,
    baseline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request: Option<Request>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("the plan's record does not fit in a tag ({0} characters; Azure allows 256)")]
    TooLong(usize),
    #[error("the endpoint's tag {tag} cannot be read as a plan's record: {reason}")]
    Unreadable { tag: &'static str, reason: String },
}

/// The digest recorded for a plan file's text.
pub fn plan_digest(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A random run id: 8 hex digits are plenty to tell runners apart.
pub(super) fn new_run_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn split_text(split: &TrafficSplit) -> String {
    let split = split.normalized();
    format!(
        "{};{}",
        format_traffic(&split.live),
        format_traffic(&split.mirror)
    )
}

fn map_of(text: &str) -> Result<TrafficMap, String> {
    if text.trim().is_empty() {
        Ok(TrafficMap::new())
    } else {
        parse_traffic(text).map_err(|e| e.to_string())
    }
}

fn split_of(tag: &'static str, text: &str) -> Result<TrafficSplit, RecordError> {
    let unreadable = |reason: String| RecordError::Unreadable { tag, reason };
    let (live, mirror) = text
        .split_once(';')
        .ok_or_else(|| unreadable("no ';' between live and mirror".into()))?;
    Ok(TrafficSplit {
        live: map_of(live).map_err(unreadable)?,
        mirror: map_of(mirror).map_err(unreadable)?,
    })
}

fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Apply => "apply",
        Phase::Baking { .. } => "baking",
        Phase::AwaitingApproval => "awaiting_approval",
        Phase::Paused { .. } => "paused",
        Phase::RolledBack { .. } => "rolled_back",
        Phase::Done => "done",
    }
}

/// Cuts `text` to at most `max` characters, on a character boundary.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

impl PlanRecord {
    /// Whether a runner may still be driving it (or a person is asked to act).
    pub fn is_active(&self) -> bool {
        !self.progress.phase.is_finished()
    }

    /// `tags` with this record in place of any earlier one; other tags are kept.
    pub fn merged_into(
        &self,
        tags: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, RecordError> {
        let mut out: BTreeMap<String, String> = tags
            .iter()
            .filter(|(k, _)| !TAGS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let since = match &self.progress.phase {
            Phase::Baking { since } => *since,
            _ => self.step_started,
        };
        let progress = ProgressTag {
            run: self.run.clone(),
            digest: self.digest.clone(),
            step: self.progress.step,
            of: self.steps,
            phase: phase_name(&self.progress.phase).to_string(),
            started: stamp(self.started),
            since: stamp(since),
            baseline: self.progress.baseline.clone(),
            request: self.request,
        };
        let progress = serde_json::to_string(&progress).map_err(|e| RecordError::Unreadable {
            tag: TAG_PROGRESS,
            reason: e.to_string(),
        })?;
        let reason = match &self.progress.phase {
            Phase::Paused { reason } | Phase::RolledBack { reason } => Some(cut(reason, 250)),
            _ => None,
        };
        for (key, value) in [
            (TAG_PROGRESS, Some(progress)),
            (TAG_ORIGINAL, Some(split_text(&self.progress.original))),
            (TAG_EXPECTED, Some(split_text(&self.progress.expected))),
            (TAG_REASON, reason),
        ] {
            if let Some(value) = value {
                let length = value.chars().count();
                if length > MAX_TAG_VALUE {
                    return Err(RecordError::TooLong(length));
                }
                out.insert(key.to_string(), value);
            }
        }
        Ok(out)
    }

    /// The record in an endpoint's tags; `None` when no plan ever ran there.
    pub fn from_tags(tags: &BTreeMap<String, String>) -> Result<Option<Self>, RecordError> {
        let Some(progress) = tags.get(TAG_PROGRESS) else {
            return Ok(None);
        };
        let unreadable = |tag, reason: String| RecordError::Unreadable { tag, reason };
        let tag: ProgressTag =
            serde_json::from_str(progress).map_err(|e| unreadable(TAG_PROGRESS, e.to_string()))?;
        let time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| unreadable(TAG_PROGRESS, format!("time {text:?}: {e}")))
        };
        let since = time(&tag.since)?;
        let reason = tags.get(TAG_REASON).cloned().unwrap_or_default();
        let phase = match tag.phase.as_str() {
            "apply" => Phase::Apply,
            "baking" => Phase::Baking { since },
            "awaiting_approval" => Phase::AwaitingApproval,
            "paused" => Phase::Paused { reason },
            "rolled_back" => Phase::RolledBack { reason },
            "done" => Phase::Done,
            other => {
                return Err(unreadable(TAG_PROGRESS, format!("unknown phase {other:?}")));
            }
        };
        let split = |key: &'static str| {
            tags.get(key)
                .ok_or_else(|| unreadable(key, "missing".into()))
                .and_then(|text| split_of(key, text))
        };
        Ok(Some(Self {
            run: tag.run,
            digest: tag.digest,
            steps: tag.of,
            progress: Progress {
                step: tag.step,
                phase,
                original: split(TAG_ORIGINAL)?,
                expected: split(TAG_EXPECTED)?,
                baseline: tag.baseline,
            },
            started: time(&tag.started)?,
            step_started: since,
            request: tag.request,
        }))
    }

    /// One line for people: what runs and since when.
    pub fn describe(&self) -> String {
        let phase = match &self.progress.phase {
            Phase::Apply => "applying its split".to_string(),
            Phase::Baking { since } => format!("baking since {}", since.format("%H:%M:%S UTC")),
            Phase::AwaitingApproval => "waiting for approval".to_string(),
            Phase::Paused { reason } => format!("paused: {reason}"),
            Phase::RolledBack { reason } => format!("rolled back: {reason}"),
            Phase::Done => "done".to_string(),
        };
        format!(
            "plan {} (run {}), started {}, step {} of {}, {phase}",
            self.digest,
            self.run,
            self.started.format("%Y-%m-%d %H:%M:%S UTC"),
            (self.progress.step + 1).min(self.steps),
            self.steps
        )
    }

    /// The phase's name as the tag and the JSON output spell it.
    pub fn phase_name(&self) -> &'static str {
        phase_name(&self.progress.phase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(phase: Phase) -> PlanRecord {
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        PlanRecord {
            run: "0a1b2c3d".into(),
            digest: plan_digest("deployment: green"),
            steps: 5,
            progress: Progress {
                step: 2,
                phase,
                original: TrafficSplit {
                    live: parse_traffic("blue=100").expect("split"),
                    mirror: TrafficMap::new(),
                },
                expected: TrafficSplit {
                    live: parse_traffic("blue=90 green=10").expect("split"),
                    mirror: parse_traffic("green=10").expect("split"),
                },
                baseline: "blue".into(),
            },
            started: t,
            step_started: t + chrono::Duration::seconds(30),
            request: Some(Request::Promote),
        }
    }

    #[test]
    fn the_record_survives_the_tags_and_keeps_other_tags() {
        let since = DateTime::from_timestamp(1_800_000_030, 0).expect("time");
        for phase in [
            Phase::Baking { since },
            Phase::Paused {
                reason: "someone changed it".into(),
            },
            Phase::AwaitingApproval,
            Phase::Done,
        ] {
            let original = record(phase);
            let theirs = BTreeMap::from([("team".to_string(), "ml".to_string())]);
            let tags = original.merged_into(&theirs).expect("fits");
            assert_eq!(tags.get("team").map(String::as_str), Some("ml"));
            assert!(tags.values().all(|v| v.chars().count() <= MAX_TAG_VALUE));
            let back = PlanRecord::from_tags(&tags).expect("readable");
            assert_eq!(back, Some(original));
        }
        assert_eq!(PlanRecord::from_tags(&BTreeMap::new()), Ok(None));
    }

    #[test]
    fn a_long_reason_is_cut_and_a_broken_tag_is_an_error_not_a_guess() {
        let long = record(Phase::Paused {
            reason: "x".repeat(1000),
        });
        let tags = long.merged_into(&BTreeMap::new()).expect("cut to fit");
        assert!(tags[TAG_REASON].chars().count() <= MAX_TAG_VALUE);
        let mut broken = tags.clone();
        broken.insert(TAG_PROGRESS.into(), "{not json".into());
        assert!(PlanRecord::from_tags(&broken).is_err());
        let mut no_split = tags;
        no_split.remove(TAG_ORIGINAL);
        assert!(PlanRecord::from_tags(&no_split).is_err());
    }

    #[test]
    fn the_digest_follows_the_text() {
        assert_eq!(plan_digest("a"), plan_digest("a"));
        assert_ne!(plan_digest("a"), plan_digest("b"));
        assert_eq!(plan_digest("a").len(), 16);
    }
}
