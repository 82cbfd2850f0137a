//! The emulator's starting workspace, written as az ml YAML: an endpoint file and deployment
//! files. Deployments the endpoint's `traffic` names are deployed at start with that traffic;
//! the others wait for the operator to create them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use super::shared::EmulatorError;
use super::store::{Store, WorkspaceKey};
use crate::azure::WorkspaceRef;
use crate::azure::az_yaml::{deployment_from_yaml, endpoint_from_yaml};

/// The demo seed, compiled in so the first run works from any directory.
pub const DEMO_FILES: [(&str, &str); 3] = [
    (
        "endpoint.yml",
        include_str!("../../assets/demo/endpoint.yml"),
    ),
    (
        "blue-deployment.yml",
        include_str!("../../assets/demo/blue-deployment.yml"),
    ),
    (
        "green-deployment.yml",
        include_str!("../../assets/demo/green-deployment.yml"),
    ),
];
pub const DEMO_SAMPLE_REQUEST: &str = include_str!("../../assets/demo/sample-request.json");
pub const DEMO_LOCATION: &str = "westus2";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    Demo,
    Dir(PathBuf),
    Empty,
}

/// The YAML files of a seed, as (file name, text).
pub fn seed_files(seed: &Seed) -> Result<Vec<(String, String)>, EmulatorError> {
    match seed {
        Seed::Empty => Ok(Vec::new()),
        Seed::Demo => Ok(DEMO_FILES
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect()),
        Seed::Dir(dir) => read_dir_files(dir),
    }
}

fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, EmulatorError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EmulatorError::Seed {
        file: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
        if !is_yaml {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| EmulatorError::Seed {
            file: path.display().to_string(),
            reason: e.to_string(),
        })?;
        files.push((path.display().to_string(), text));
    }
    files.sort();
    Ok(files)
}

fn is_deployment_file(name: &str) -> bool {
    Path::new(name)
        .file_name()
        .and_then(|f| f.to_str())
        .is_some_and(|f| f.to_ascii_lowercase().contains("deployment"))
}

/// Creates the seed's endpoints and named deployments in `key`'s workspace and finishes their
/// operations at once: a seed starts ready.
pub fn apply(
    store: &mut Store,
    key: &WorkspaceKey,
    ws: &WorkspaceRef,
    location: &str,
    files: &[(String, String)],
) -> Result<(), EmulatorError> {
    let seed_err = |file: &str, reason: String| EmulatorError::Seed {
        file: file.to_string(),
        reason,
    };
    let failure = |file: &str, f: super::reply::ArmFailure| seed_err(file, f.message);
    let saved = store.settings.operation_duration;
    store.settings.operation_duration = std::time::Duration::ZERO;
    let mut endpoints = Vec::new();
    for (file, text) in files.iter().filter(|(f, _)| !is_deployment_file(f)) {
        let spec =
            endpoint_from_yaml(file, text, location).map_err(|e| seed_err(file, e.to_string()))?;
        let mut body = spec.body.clone();
        let traffic = body["properties"]
            .as_object_mut()
            .and_then(|p| p.remove("traffic"))
            .unwrap_or_else(|| json!({}));
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        store
            .put_endpoint(key, &spec.name, &bytes, crate::config::DEFAULT_API_VERSION)
            .map_err(|f| failure(file, f))?;
        endpoints.push((file.clone(), spec.name, body, traffic));
    }
    store.settle(Instant::now());
    for (file, text) in files.iter().filter(|(f, _)| is_deployment_file(f)) {
        let spec = deployment_from_yaml(file, text, location, ws)
            .map_err(|e| seed_err(file, e.to_string()))?;
        let endpoint = spec
            .endpoint_name
            .clone()
            .or_else(|| (endpoints.len() == 1).then(|| endpoints[0].1.clone()));
        let Some(endpoint) = endpoint else {
            return Err(seed_err(
                file,
                "no endpoint_name, and the seed has several endpoints".into(),
            ));
        };
        let named_in_traffic = endpoints.iter().any(|(_, ep, _, traffic)| {
            ep.eq_ignore_ascii_case(&endpoint)
                && traffic
                    .as_object()
                    .is_some_and(|t| t.keys().any(|k| k.eq_ignore_ascii_case(&spec.name)))
        });
        if !named_in_traffic {
            continue;
        }
        let bytes = serde_json::to_vec(&spec.body).unwrap_or_default();
        store
            .put_deployment(
                key,
                &endpoint,
                &spec.name,
                &bytes,
                crate::config::DEFAULT_API_VERSION,
            )
            .map_err(|f| failure(file, f))?;
    }
    store.settle(Instant::now());
    for (file, name, mut body, traffic) in endpoints {
        if traffic.as_object().is_some_and(|t| !t.is_empty()) {
            body["properties"]["traffic"] = traffic;
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            store
                .put_endpoint(key, &name, &bytes, crate::config::DEFAULT_API_VERSION)
                .map_err(|f| failure(&file, f))?;
        }
    }
    store.settle(Instant::now());
    store.settings.operation_duration = saved;
    Ok(())
}
