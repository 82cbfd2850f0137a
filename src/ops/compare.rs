//! The same requests to two or more deployments of one endpoint, each pinned with
//! `azureml-model-deployment`: per deployment the status, latency and body, whether the answers
//! agree (JSON-aware, see [`crate::rollout::diff_json`]), the agreement rate and the latency
//! figures. Read-only: it changes nothing and journals nothing.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::rollout::{JsonDifference, diff_json, latency_summary};

use super::apply::Ops;
use super::error::{OpsError, OpsResult};

/// Requests one comparison sends at most (each goes to every deployment compared).
pub const MAX_COMPARE_REQUESTS: usize = 1_000;
/// Differing cases a report keeps, with their answers.
const SHOWN_CASES: usize = 5;
/// Differences listed per answer.
const SHOWN_DIFFERENCES: usize = 20;

/// The requests of a request file: one JSON document, or JSON Lines (one per non-blank line).
/// Anything else is refused before anything is sent.
pub fn parse_requests(text: &[u8]) -> OpsResult<Vec<Vec<u8>>> {
    let text = std::str::from_utf8(text)
        .map_err(|_| OpsError::File("the request file is not UTF-8 text".to_string()))?;
    if serde_json::from_str::<Value>(text).is_ok() {
        return Ok(vec![text.trim().as_bytes().to_vec()]);
    }
    let mut requests = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        serde_json::from_str::<Value>(line).map_err(|e| {
            OpsError::File(format!(
                "the request file is neither one JSON document nor JSON Lines: line {} is not JSON ({e}); nothing was sent",
                i + 1
            ))
        })?;
        requests.push(line.trim().as_bytes().to_vec());
    }
    if requests.is_empty() {
        return Err(OpsError::File(
            "the request file holds no request; nothing was sent".to_string(),
        ));
    }
    if requests.len() > MAX_COMPARE_REQUESTS {
        return Err(OpsError::File(format!(
            "the request file holds {} requests; compare at most {MAX_COMPARE_REQUESTS} at a time; nothing was sent",
            requests.len()
        )));
    }
    Ok(requests)
}

/// One deployment's answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub deployment: String,
    /// `None` when no HTTP answer came (the reason is in `failure`).
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    /// Parsed JSON when it is JSON, else the text.
    pub body: Value,
    /// Why this answer counts as failed: an error status, or no answer at all.
    pub failure: Option<String>,
    /// Where it differs from the reference's answer (the first few).
    pub differences: Vec<JsonDifference>,
    /// All differences, when more than are listed.
    pub difference_count: usize,
}

/// One request and every deployment's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// 1-based: the line of a JSON Lines file.
    pub number: usize,
    pub agrees: bool,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentLatency {
    pub deployment: String,
    pub answered: usize,
    pub failed: usize,
    pub mean_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    pub endpoint: String,
    /// The first is the reference the others are compared with.
    pub deployments: Vec<String>,
    pub tolerance: f64,
    pub requests: usize,
    /// Requests every deployment answered successfully and alike.
    pub agreeing: usize,
    pub agreement_percent: f64,
    pub latency: Vec<DeploymentLatency>,
    /// The first differing cases; when all agree, the first case, so the answers show.
    pub cases: Vec<Case>,
}

impl CompareReport {
    pub fn all_agree(&self) -> bool {
        self.agreeing == self.requests
    }
}

fn body_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

impl Ops {
    /// Sends each request to each deployment (all of the endpoint's when `deployments` is
    /// empty; a name may repeat, to compare a deployment with itself). Everything that can be
    /// checked is checked before the first request leaves.
    pub async fn compare(
        &self,
        endpoint: &str,
        deployments: &[String],
        requests: Vec<Vec<u8>>,
        tolerance: f64,
    ) -> OpsResult<CompareReport> {
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(OpsError::Invalid(format!(
                "--tolerance {tolerance}: use a number of at least 0; nothing was sent"
            )));
        }
        let ep = self.existing_endpoint(endpoint).await?;
        let existing = self.client.list_deployments(&self.ws, &ep.name).await?;
        let names: Vec<String> = if deployments.is_empty() {
            let mut all: Vec<String> = existing.iter().map(|d| d.name.clone()).collect();
            all.sort();
            all
        } else {
            deployments
                .iter()
                .map(|wanted| {
                    existing
                        .iter()
                        .find(|d| d.name.eq_ignore_ascii_case(wanted.trim()))
                        .map(|d| d.name.clone())
                        .ok_or_else(|| {
                            OpsError::Invalid(format!(
                                "deployment {wanted} not found for endpoint {} (it has {}); nothing was sent",
                                ep.name,
                                existing.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
                            ))
                        })
                })
                .collect::<OpsResult<_>>()?
        };
        if names.len() < 2 {
            return Err(OpsError::Invalid(format!(
                "a comparison needs two deployments or more (endpoint {} has {}); nothing was sent (headless, `--deployments blue,blue` compares one with itself)",
                ep.name,
                names.len()
            )));
        }
        let (scoring_uri, credential) = self.scoring_target(&ep).await?;
        let credential: Arc<str> = credential.into();

        let mut latencies: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        let mut failures = vec![0usize; names.len()];
        let (mut agreeing, mut shown, mut first) = (0, Vec::new(), None);
        for (i, body) in requests.iter().enumerate() {
            // All deployments at once, so that each answers under the same conditions.
            let answers = futures::future::join_all(names.iter().map(|name| {
                let (uri, credential) = (scoring_uri.as_str(), credential.clone());
                async move {
                    let result = self
                        .client
                        .invoke(uri, &credential, Some(name), body.clone())
                        .await;
                    (name.clone(), result)
                }
            }))
            .await;
            let mut answers: Vec<Answer> = answers
                .into_iter()
                .map(|(deployment, result)| match result {
                    Ok(a) => Answer {
                        deployment,
                        status: Some(a.status.as_u16()),
                        latency_ms: Some(a.latency.as_secs_f64() * 1000.0),
                        body: body_value(&a.body),
                        failure: (!a.status.is_success())
                            .then(|| format!("HTTP {}", a.status.as_u16())),
                        differences: Vec::new(),
                        difference_count: 0,
                    },
                    Err(e) => Answer {
                        deployment,
                        status: None,
                        latency_ms: None,
                        body: Value::Null,
                        failure: Some(e.to_string()),
                        differences: Vec::new(),
                        difference_count: 0,
                    },
                })
                .collect();
            let reference = answers[0].body.clone();
            for answer in answers.iter_mut().skip(1) {
                let all = diff_json(&reference, &answer.body, tolerance);
                answer.difference_count = all.len();
                answer.differences = all.into_iter().take(SHOWN_DIFFERENCES).collect();
            }
            for (slot, answer) in answers.iter().enumerate() {
                if let Some(ms) = answer.latency_ms {
                    latencies[slot].push(ms);
                }
                if answer.failure.is_some() {
                    failures[slot] += 1;
                }
            }
            let agrees = answers
                .iter()
                .all(|a| a.failure.is_none() && a.difference_count == 0);
            let case = Case {
                number: i + 1,
                agrees,
                answers,
            };
            if agrees {
                agreeing += 1;
                first.get_or_insert(case);
            } else if shown.len() < SHOWN_CASES {
                shown.push(case);
            }
        }
        if shown.is_empty() {
            shown.extend(first);
        }
        let latency = names
            .iter()
            .zip(latencies.iter().zip(failures))
            .map(|(name, (ms, failed))| {
                let summary = latency_summary(ms);
                DeploymentLatency {
                    deployment: name.clone(),
                    answered: ms.len(),
                    failed,
                    mean_ms: summary.map(|(mean, _)| mean),
                    p95_ms: summary.map(|(_, p95)| p95),
                }
            })
            .collect();
        Ok(CompareReport {
            endpoint: ep.name.clone(),
            deployments: names,
            tolerance,
            requests: requests.len(),
            agreeing,
            agreement_percent: agreeing as f64 * 100.0 / requests.len() as f64,
            latency,
            cases: shown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_file_is_one_json_document_or_json_lines() {
        let one = parse_requests(b"{\"data\":\n  [[1, 2]]}\n").expect("one document");
        assert_eq!(one.len(), 1);
        let lines = parse_requests(b"{\"data\": [[1]]}\n\n{\"data\": [[2]]}\n").expect("lines");
        assert_eq!(
            lines,
            [b"{\"data\": [[1]]}".to_vec(), b"{\"data\": [[2]]}".to_vec()]
        );
        let e = parse_requests(b"{\"data\": [[1]]}\nnot json\n").expect_err("refused");
        assert!(e.to_string().contains("line 2 is not JSON"), "{e}");
        assert!(parse_requests(b"  \n").is_err());
        assert!(parse_requests(&[0xff, 0xfe]).is_err());
    }
}
