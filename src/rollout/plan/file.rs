//! The plan file: YAML, validated before anything is sent, with the line and column of the
//! first problem.
//!
//! ```yaml
//! deployment: green           # the deployment being rolled out
//! baseline: blue              # default: the one with the most live traffic
//! steps:
//!   - mirror: 10              # mirror 10% of live traffic to green
//!     bake: 5m
//!   - traffic: 10             # green gets 10% of live traffic (mirror cleared)
//!     bake: 5m
//!   - approve: "50% looks fine?"
//!   - traffic: 100
//! gates:
//!   min_requests: 100
//!   error_percent_delta: 1.0
//!   p95_ratio: 1.5
//!   on_missing_data: pause    # or: fail
//! on_failure: rollback        # or: pause
//! ```

use std::time::Duration;

use serde::Deserialize;

use crate::rollout::{MAX_MIRROR_PERCENT, NameKind, parse_duration, validate_name};

/// The largest plan file read; real ones are a few hundred bytes.
pub(super) const MAX_PLAN_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub deployment: String,
    pub baseline: Option<String>,
    pub steps: Vec<Step>,
    pub gates: Gates,
    pub on_failure: OnFailure,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    /// Held after the step's split is applied; the gates are checked at its end.
    pub bake: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// Mirror this share of live traffic to the deployment (live traffic unchanged).
    Mirror(u32),
    /// The deployment takes this share of live traffic, mirror cleared.
    Traffic(u32),
    /// A manual gate: waits for a person.
    Approve(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gates {
    /// Requests green must have served in a bake window; fewer is "not enough data".
    pub min_requests: u64,
    /// Green's error % minus the baseline's, at most.
    pub error_percent_delta: f64,
    /// Green's p95 over the baseline's, at most.
    pub p95_ratio: f64,
    pub on_missing_data: MissingData,
}

impl Default for Gates {
    fn default() -> Self {
        Self {
            min_requests: 100,
            error_percent_delta: 1.0,
            p95_ratio: 1.5,
            on_missing_data: MissingData::Pause,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingData {
    Pause,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Restore the split and mirror recorded when the plan began.
    Rollback,
    Pause,
}

/// What a plan is checked against before it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTarget<'a> {
    pub deployments: &'a [String],
    pub kubernetes: bool,
}

/// Why a plan file was refused; `line` and `column` are 1-based, when known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}: {message}", location(*.line, *.column))]
pub struct PlanError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanYaml {
    deployment: String,
    #[serde(default)]
    baseline: Option<String>,
    steps: Vec<StepYaml>,
    #[serde(default)]
    gates: Option<GatesYaml>,
    #[serde(default)]
    on_failure: Option<OnFailure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepYaml {
    #[serde(default)]
    mirror: Option<i64>,
    #[serde(default)]
    traffic: Option<i64>,
    #[serde(default)]
    approve: Option<String>,
    #[serde(default)]
    bake: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GatesYaml {
    #[serde(default)]
    min_requests: Option<u64>,
    #[serde(default)]
    error_percent_delta: Option<f64>,
    #[serde(default)]
    p95_ratio: Option<f64>,
    #[serde(default)]
    on_missing_data: Option<MissingData>,
}

/// Where a step's key is in the text: the `n`-th item under `steps:` and, within it, `key:`.
/// The YAML parser gives positions for syntax errors only; rule errors are located this way.
fn locate(text: &str, step: Option<usize>, key: &str) -> (Option<usize>, Option<usize>) {
    let lines: Vec<&str> = text.lines().collect();
    let find_key = |from: usize, to: usize| {
        (from..to).find_map(|i| {
            let line = lines[i];
            let trimmed = line.trim_start().trim_start_matches("- ");
            trimmed
                .starts_with(&format!("{key}:"))
                .then(|| (Some(i + 1), Some(line.len() - trimmed.len() + 1)))
        })
    };
    let Some(step) = step else {
        return find_key(0, lines.len()).unwrap_or((None, None));
    };
    let Some(steps_at) = lines.iter().position(|l| l.trim_end() == "steps:") else {
        return (None, None);
    };
    let items: Vec<usize> = (steps_at + 1..lines.len())
        .filter(|i| lines[*i].trim_start().starts_with('-'))
        .take_while(|i| lines[*i].starts_with(' ') || lines[*i].starts_with('-'))
        .collect();
    let Some(&start) = items.get(step) else {
        return (None, None);
    };
    let end = items.get(step + 1).copied().unwrap_or(lines.len());
    find_key(start, end).unwrap_or((Some(start + 1), None))
}

/// Parses and checks a plan against the endpoint it will drive. Nothing is sent before this
/// passes.
pub fn parse_plan(file: &str, text: &str, target: &PlanTarget<'_>) -> Result<Plan, PlanError> {
    let refuse = |step: Option<usize>, key: &str, message: String| {
        let (line, column) = locate(text, step, key);
        PlanError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    if text.len() > MAX_PLAN_BYTES {
        return Err(refuse(
            None,
            "",
            format!("the plan is over the limit of {MAX_PLAN_BYTES} bytes"),
        ));
    }
    let raw: PlanYaml = serde_yaml_ng::from_str(text).map_err(|e| {
        let at = e.location();
        PlanError {
            file: file.to_string(),
            line: at.as_ref().map(|l| l.line()),
            column: at.as_ref().map(|l| l.column()),
            message: e.to_string(),
        }
    })?;
    let known = |name: &str| {
        target
            .deployments
            .iter()
            .any(|d| d.eq_ignore_ascii_case(name))
    };
    validate_name(NameKind::Deployment, &raw.deployment)
        .map_err(|e| refuse(None, "deployment", e.to_string()))?;
    if !known(&raw.deployment) {
        return Err(refuse(
            None,
            "deployment",
            format!(
                "deployment {} does not exist on this endpoint (it has {}); create it first",
                raw.deployment,
                target.deployments.join(", ")
            ),
        ));
    }
    if let Some(baseline) = &raw.baseline {
        if !known(baseline) {
            return Err(refuse(
                None,
                "baseline",
                format!(
                    "baseline {baseline} does not exist on this endpoint (it has {})",
                    target.deployments.join(", ")
                ),
            ));
        }
        if baseline.eq_ignore_ascii_case(&raw.deployment) {
            return Err(refuse(
                None,
                "baseline",
                "the baseline must be another deployment than the one rolled out".to_string(),
            ));
        }
    }
    if raw.steps.is_empty() {
        return Err(refuse(
            None,
            "steps",
            "a plan needs at least one step".to_string(),
        ));
    }
    let mut steps = Vec::with_capacity(raw.steps.len());
    for (i, s) in raw.steps.iter().enumerate() {
        let n = i + 1;
        let kind = match (s.mirror, s.traffic, &s.approve) {
            (Some(pct), None, None) => {
                if target.kubernetes {
                    return Err(refuse(
                        Some(i),
                        "mirror",
                        format!("step {n}: Kubernetes endpoints cannot mirror traffic"),
                    ));
                }
                if !(0..=i64::from(MAX_MIRROR_PERCENT)).contains(&pct) {
                    return Err(refuse(
                        Some(i),
                        "mirror",
                        format!(
                            "step {n}: mirror {pct}% is out of range: 0 to {MAX_MIRROR_PERCENT}"
                        ),
                    ));
                }
                StepKind::Mirror(pct as u32)
            }
            (None, Some(pct), None) => {
                if !(0..=100).contains(&pct) {
                    return Err(refuse(
                        Some(i),
                        "traffic",
                        format!("step {n}: traffic {pct}% is out of range: 0 to 100"),
                    ));
                }
                StepKind::Traffic(pct as u32)
            }
            (None, None, Some(prompt)) => StepKind::Approve(prompt.clone()),
            _ => {
                return Err(refuse(
                    Some(i),
                    "",
                    format!("step {n}: give exactly one of mirror, traffic or approve"),
                ));
            }
        };
        let bake = match &s.bake {
            None => None,
            Some(text) => Some(
                parse_duration(text)
                    .map_err(|e| refuse(Some(i), "bake", format!("step {n}: {e}")))?,
            ),
        };
        if matches!(kind, StepKind::Approve(_)) && bake.is_some() {
            return Err(refuse(
                Some(i),
                "bake",
                format!("step {n}: an approve step waits for a person, not for a bake time"),
            ));
        }
        steps.push(Step { kind, bake });
    }
    let last_traffic = steps.iter().rev().find_map(|s| match s.kind {
        StepKind::Traffic(p) => Some(p),
        _ => None,
    });
    if !matches!(steps.last().map(|s| &s.kind), Some(StepKind::Traffic(100))) {
        return Err(refuse(
            Some(steps.len() - 1),
            "",
            format!(
                "the last step must be `traffic: 100` (a plan ends with the deployment taking all live traffic){}",
                last_traffic
                    .map(|p| format!("; the last traffic step here is {p}%"))
                    .unwrap_or_default()
            ),
        ));
    }
    let gates = match raw.gates {
        None => Gates::default(),
        Some(g) => {
            let defaults = Gates::default();
            let gates = Gates {
                min_requests: g.min_requests.unwrap_or(defaults.min_requests),
                error_percent_delta: g
                    .error_percent_delta
                    .unwrap_or(defaults.error_percent_delta),
                p95_ratio: g.p95_ratio.unwrap_or(defaults.p95_ratio),
                on_missing_data: g.on_missing_data.unwrap_or(defaults.on_missing_data),
            };
            if !(gates.error_percent_delta.is_finite() && gates.error_percent_delta >= 0.0) {
                return Err(refuse(
                    None,
                    "error_percent_delta",
                    "error_percent_delta must be a number of percentage points, 0 or more"
                        .to_string(),
                ));
            }
            if !(gates.p95_ratio.is_finite() && gates.p95_ratio >= 1.0) {
                return Err(refuse(
                    None,
                    "p95_ratio",
                    "p95_ratio must be 1.0 or more (green's p95 over the baseline's)".to_string(),
                ));
            }
            gates
        }
    };
    Ok(Plan {
        deployment: raw.deployment.to_lowercase(),
        baseline: raw.baseline.map(|b| b.to_lowercase()),
        steps,
        gates,
        on_failure: raw.on_failure.unwrap_or(OnFailure::Rollback),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "deployment: green
baseline: blue
steps:
  - mirror: 10
    bake: 5m
  - traffic: 10
    bake: 5m
  - traffic: 50
    bake: 10m
  - approve: \"50% looks fine?\"
  - traffic: 100
gates:
  min_requests: 100
  error_percent_delta: 1.0
  p95_ratio: 1.5
  on_missing_data: pause
on_failure: rollback
";

    fn names() -> Vec<String> {
        vec!["blue".to_string(), "green".to_string()]
    }

    fn parse(text: &str) -> Result<Plan, PlanError> {
        parse_plan(
            "plan.yml",
            text,
            &PlanTarget {
                deployments: &names(),
                kubernetes: false,
            },
        )
    }

    #[test]
    fn the_seed_plan_parses() {
        let plan = parse(SEED).unwrap();
        assert_eq!(plan.deployment, "green");
        assert_eq!(plan.baseline.as_deref(), Some("blue"));
        assert_eq!(plan.steps.len(), 5);
        assert_eq!(plan.steps[0].kind, StepKind::Mirror(10));
        assert_eq!(plan.steps[0].bake, Some(Duration::from_secs(300)));
        assert_eq!(
            plan.steps[3].kind,
            StepKind::Approve("50% looks fine?".into())
        );
        assert_eq!(plan.on_failure, OnFailure::Rollback);
        assert_eq!(plan.gates.on_missing_data, MissingData::Pause);
    }

    #[test]
    fn refusals_name_the_line_and_column() {
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "traffic: 50\n    bake: 10m",
                "traffic: 150\n    bake: 10m",
                8,
                "out of range",
            ),
            ("mirror: 10", "mirror: 60", 4, "0 to 50"),
            (
                "bake: 5m\n  - traffic: 10",
                "bake: 5 minutes\n  - traffic: 10",
                5,
                "not a duration",
            ),
            (
                "deployment: green",
                "deployment: purple",
                1,
                "does not exist",
            ),
            ("baseline: blue", "baseline: red", 2, "does not exist"),
            (
                "  - traffic: 100\n",
                "  - traffic: 90\n",
                11,
                "last step must be",
            ),
        ];
        for (from, to, line, words) in cases {
            let text = SEED.replacen(from, to, 1);
            let error = parse(&text).unwrap_err();
            assert_eq!(error.line, Some(*line), "{to}: {error}");
            assert!(error.to_string().contains(words), "{to}: {error}");
            assert!(
                error.to_string().starts_with(&format!("plan.yml:{line}")),
                "{error}"
            );
        }
        let syntax = parse("deployment: green\nsteps: [\n").unwrap_err();
        assert!(syntax.line.is_some(), "{syntax}");
        let unknown =
            parse(&SEED.replace("on_failure: rollback", "on_failure: shrug")).unwrap_err();
        assert!(unknown.line.is_some(), "{unknown}");
    }

    #[test]
    fn kubernetes_endpoints_refuse_mirror_steps() {
        let error = parse_plan(
            "plan.yml",
            SEED,
            &PlanTarget {
                deployments: &names(),
                kubernetes: true,
            },
        )
        .unwrap_err();
        assert!(error.message.contains("Kubernetes"), "{error}");
        assert_eq!(error.line, Some(4));
    }
}
