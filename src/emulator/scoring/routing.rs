//! The scoring router's view of the workspace: per endpoint an immutable snapshot of what
//! scoring needs (credentials, traffic, deployments with their model, knobs and bound), rebuilt
//! whenever the management plane changes something. The hot path reads a snapshot under a
//! short read lock and never touches the store's mutex.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::http::HeaderValue;
use serde_json::Value;

use super::knobs::{KnobBook, Knobs};
use super::model::LinearModel;
use crate::emulator::metrics::EndpointMetrics;
use crate::emulator::store::{DeploymentRuntime, EndpointRec, Store, WorkspaceKey, WorkspaceRec};
use crate::rollout::TrafficSplit;

/// Whether a deployment can answer, from its provisioning state and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Running containers: `Succeeded`, or `Updating`/`Scaling`/`Failed` after an earlier
    /// successful create (the old containers keep serving during and after a failed update).
    Serving,
    /// Never started: still `Creating`, or its create `Failed`.
    NotReady,
    /// Being deleted.
    Deleting,
}

#[derive(Debug)]
pub struct DeploymentRoute {
    /// As stored (the response header names it so).
    pub name: Arc<str>,
    pub header_value: HeaderValue,
    pub provisioning_state: String,
    pub readiness: Readiness,
    pub model: LinearModel,
    pub knobs: Knobs,
    pub instances: u32,
    /// In flight at once before 429: 2 × maxConcurrentRequestsPerInstance × instances, the
    /// bound Azure documents for managed endpoints.
    pub max_in_flight: u32,
    pub runtime: Arc<DeploymentRuntime>,
}

/// Which bearer credentials an endpoint's scoring URI accepts.
#[derive(Debug, Clone)]
pub enum ScoringAuth {
    Keys {
        primary: String,
        secondary: String,
    },
    /// AML tokens from `/token`, with their expiry (unix seconds).
    AmlTokens(Vec<(String, i64)>),
    /// Entra tokens: the emulator's ARM token stands for one.
    Aad,
}

#[derive(Debug)]
pub struct EndpointRoute {
    pub workspace: WorkspaceKey,
    /// As stored.
    pub name: String,
    pub scoring_uri: String,
    pub auth: ScoringAuth,
    pub split: TrafficSplit,
    pub deployments: Vec<Arc<DeploymentRoute>>,
    /// (cumulative upper bound of the weight, index into `deployments`), for a weighted draw.
    live: Vec<(u32, usize)>,
    live_total: u32,
    /// (index into `deployments`, percentage copied).
    mirror: Vec<(usize, u32)>,
    pub metrics: Arc<EndpointMetrics>,
}

/// Where one scoring request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Served by `deployments[live]`, and copied to `deployments[mirror]` if set.
    Serve { live: usize, mirror: Option<usize> },
    /// The pinned deployment does not exist.
    UnknownDeployment,
    /// No pin and no deployment with positive live weight.
    NoPositiveWeight,
}

impl EndpointRoute {
    /// The routing decision. `live_roll` and `mirror_roll` are uniform in 0..100; they are
    /// parameters so the decision is pure (and benchmarked and tested without randomness).
    pub fn choose(&self, pinned: Option<&str>, live_roll: u32, mirror_roll: u32) -> Choice {
        if let Some(name) = pinned {
            // Pinned requests go where they are told and are never mirrored.
            return match self.find(name) {
                Some(i) => Choice::Serve {
                    live: i,
                    mirror: None,
                },
                None => Choice::UnknownDeployment,
            };
        }
        if self.live_total == 0 {
            return Choice::NoPositiveWeight;
        }
        // Scale the roll to the total (it is 100 whenever the service's rules hold).
        let point = live_roll % 100 * self.live_total / 100;
        let live = self
            .live
            .iter()
            .find(|(upper, _)| point < *upper)
            .or(self.live.last())
            .map(|(_, i)| *i);
        let Some(live) = live else {
            return Choice::NoPositiveWeight;
        };
        let mirror = self
            .mirror
            .iter()
            .find(|(i, pct)| *i != live && mirror_roll < *pct)
            .map(|(i, _)| *i);
        Choice::Serve { live, mirror }
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.deployments
            .iter()
            .position(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Whether unpinned requests have somewhere to go.
    pub fn has_live_traffic(&self) -> bool {
        self.live_total > 0
    }

    /// Whether `bearer` may score on this endpoint. `arm_token` is the emulator's token,
    /// accepted for `AADToken` endpoints; `now` is unix seconds.
    pub fn accepts(&self, bearer: &str, arm_token: &str, now: i64) -> bool {
        use crate::emulator::token::constant_time_eq;
        let b = bearer.as_bytes();
        match &self.auth {
            ScoringAuth::Keys { primary, secondary } => {
                // Both compared, so the time does not tell which one matched.
                let p = constant_time_eq(b, primary.as_bytes());
                let s = constant_time_eq(b, secondary.as_bytes());
                p | s
            }
            ScoringAuth::AmlTokens(tokens) => tokens
                .iter()
                .filter(|(_, expiry)| *expiry > now)
                .fold(false, |ok, (t, _)| ok | constant_time_eq(b, t.as_bytes())),
            ScoringAuth::Aad => constant_time_eq(b, arm_token.as_bytes()),
        }
    }

    /// A credential the synthetic load may use, if the endpoint has one ready.
    pub fn load_credential(&self, arm_token: &str, now: i64) -> Option<String> {
        match &self.auth {
            ScoringAuth::Keys { primary, .. } => Some(primary.clone()),
            ScoringAuth::AmlTokens(tokens) => tokens
                .iter()
                .filter(|(_, expiry)| *expiry > now + 60)
                .map(|(t, _)| t.clone())
                .next_back(),
            ScoringAuth::Aad => Some(arm_token.to_string()),
        }
    }
}

/// Every endpoint's snapshot, by the path of its scoring base (`/inference/{sub}/{rg}/{ws}/{ep}`),
/// exactly as the store spells it and lower-cased.
#[derive(Debug)]
pub struct RoutingTable {
    by_path: RwLock<HashMap<String, Arc<EndpointRoute>>>,
    /// When the next management operation ends, as nanoseconds since `epoch`; `u64::MAX` for
    /// none. The scoring path settles the store then, so it never serves a stale state.
    next_settle: AtomicU64,
    epoch: Instant,
}

impl Default for RoutingTable {
    fn default() -> Self {
        Self {
            by_path: RwLock::new(HashMap::new()),
            next_settle: AtomicU64::new(u64::MAX),
            epoch: Instant::now(),
        }
    }
}

/// Every endpoint's metric window, kept by endpoint (it outlives a deleted deployment, and
/// the endpoint's own re-creation, as Azure Monitor's history does).
#[derive(Debug, Default)]
pub struct MetricsBook {
    by_endpoint: std::sync::Mutex<HashMap<String, Arc<EndpointMetrics>>>,
}

impl MetricsBook {
    pub fn endpoint(&self, workspace: &WorkspaceKey, endpoint: &str) -> Arc<EndpointMetrics> {
        let key = format!(
            "{}/{}/{}/{}",
            workspace.0,
            workspace.1,
            workspace.2,
            endpoint.to_lowercase()
        );
        match self.by_endpoint.lock() {
            Ok(mut map) => map.entry(key).or_default().clone(),
            Err(_) => Arc::new(EndpointMetrics::default()),
        }
    }
}

impl RoutingTable {
    /// The snapshot for a request path's scoring base.
    pub fn lookup(&self, base_path: &str) -> Option<Arc<EndpointRoute>> {
        let map = self.by_path.read().ok()?;
        if let Some(route) = map.get(base_path) {
            return Some(route.clone());
        }
        map.get(&base_path.to_lowercase()).cloned()
    }

    /// Every endpoint once.
    pub fn endpoints(&self) -> Vec<Arc<EndpointRoute>> {
        let Ok(map) = self.by_path.read() else {
            return Vec::new();
        };
        // Each endpoint is in the map twice (as spelt and lower-cased): sorted, its two
        // entries are neighbours.
        let mut every: Vec<Arc<EndpointRoute>> = map.values().cloned().collect();
        every.sort_by(|a, b| a.scoring_uri.cmp(&b.scoring_uri));
        every.dedup_by(|a, b| Arc::ptr_eq(a, b));
        every
    }

    /// Whether a management operation has come due since the last rebuild.
    pub fn settle_due(&self, now: Instant) -> bool {
        let due = self.next_settle.load(Ordering::Acquire);
        due != u64::MAX && now.saturating_duration_since(self.epoch).as_nanos() >= u128::from(due)
    }

    /// Rebuilds every snapshot from the store (the caller holds its lock).
    pub fn rebuild(&self, store: &Store, knobs: &KnobBook, metrics: &MetricsBook) {
        let mut map = HashMap::new();
        for (key, ws) in &store.workspaces {
            for ep in ws.endpoints.values() {
                let name = ep.resource["name"].as_str().unwrap_or_default();
                let (path, route) = snapshot(store, key, ws, name, ep, knobs, metrics);
                map.insert(path.to_lowercase(), route.clone());
                map.insert(path, route);
            }
        }
        if let Ok(mut current) = self.by_path.write() {
            *current = map;
        }
        self.note_next_settle(store);
    }

    /// Rebuilds only the snapshots of `endpoints` (workspace, name), the ones a change
    /// touched: a rebuild of every snapshot after each write made filling a workspace with
    /// thousands of deployments quadratic. A workspace that is gone takes a full rebuild.
    pub fn rebuild_endpoints(
        &self,
        store: &Store,
        knobs: &KnobBook,
        metrics: &MetricsBook,
        endpoints: &[(WorkspaceKey, String)],
    ) {
        if endpoints
            .iter()
            .any(|(key, _)| !store.workspaces.contains_key(key))
        {
            return self.rebuild(store, knobs, metrics);
        }
        if let Ok(mut current) = self.by_path.write() {
            for (key, name) in endpoints {
                let ws = &store.workspaces[key];
                let base = store.scoring_base(ws, name);
                let path = base.strip_prefix(store.base_url.as_str()).unwrap_or(&base);
                current.remove(path);
                current.remove(&path.to_lowercase());
                if let Some(ep) = ws.endpoints.get(&name.to_lowercase()) {
                    let stored_name = ep.resource["name"].as_str().unwrap_or_default();
                    let (path, route) = snapshot(store, key, ws, stored_name, ep, knobs, metrics);
                    current.insert(path.to_lowercase(), route.clone());
                    current.insert(path, route);
                }
            }
        }
        self.note_next_settle(store);
    }

    fn note_next_settle(&self, store: &Store) {
        let next = store.next_operation_end().map_or(u64::MAX, |t| {
            u64::try_from(t.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
        });
        self.next_settle.store(next, Ordering::Release);
    }
}

/// One endpoint's snapshot and the scoring path it answers on (without the base URL).
fn snapshot(
    store: &Store,
    key: &WorkspaceKey,
    ws: &WorkspaceRec,
    name: &str,
    ep: &EndpointRec,
    knobs: &KnobBook,
    metrics: &MetricsBook,
) -> (String, Arc<EndpointRoute>) {
    let base = store.scoring_base(ws, name);
    let path = base
        .strip_prefix(store.base_url.as_str())
        .unwrap_or(&base)
        .to_string();
    let route = Arc::new(build_endpoint(
        key,
        name,
        format!("{base}/score"),
        ep,
        knobs,
        metrics.endpoint(key, name),
    ));
    (path, route)
}

fn build_endpoint(
    key: &WorkspaceKey,
    name: &str,
    scoring_uri: String,
    ep: &EndpointRec,
    knobs: &KnobBook,
    metrics: Arc<EndpointMetrics>,
) -> EndpointRoute {
    let auth = match ep
        .resource
        .pointer("/properties/authMode")
        .and_then(Value::as_str)
        .unwrap_or("Key")
    {
        "AMLToken" => ScoringAuth::AmlTokens(ep.tokens.clone()),
        "AADToken" => ScoringAuth::Aad,
        _ => ScoringAuth::Keys {
            primary: ep.primary_key.clone(),
            secondary: ep.secondary_key.clone(),
        },
    };
    let deployments: Vec<Arc<DeploymentRoute>> = ep
        .deployments
        .values()
        .map(|d| Arc::new(build_deployment(name, d, knobs)))
        .collect();
    let split = TrafficSplit::from_endpoint_json(&ep.resource);
    let index_of = |n: &str| {
        deployments
            .iter()
            .position(|d| d.name.eq_ignore_ascii_case(n))
    };
    let mut live = Vec::new();
    let mut live_total = 0u32;
    for (n, pct) in &split.live {
        if let (Some(i), true) = (index_of(n), *pct > 0) {
            live_total += pct;
            live.push((live_total, i));
        }
    }
    let mirror = split
        .mirror
        .iter()
        .filter(|(_, pct)| **pct > 0)
        .filter_map(|(n, pct)| index_of(n).map(|i| (i, *pct)))
        .collect();
    EndpointRoute {
        workspace: key.clone(),
        name: name.to_string(),
        scoring_uri,
        auth,
        split,
        deployments,
        live,
        live_total,
        mirror,
        metrics,
    }
}

fn build_deployment(
    endpoint: &str,
    d: &crate::emulator::store::DeploymentRec,
    knobs: &KnobBook,
) -> DeploymentRoute {
    let name: Arc<str> = Arc::from(d.resource["name"].as_str().unwrap_or_default());
    let state = d
        .resource
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .unwrap_or("Succeeded")
        .to_string();
    let started = d.runtime.started.load(Ordering::Acquire);
    let readiness = match state.as_str() {
        "Deleting" => Readiness::Deleting,
        _ if started => Readiness::Serving,
        "Succeeded" => Readiness::Serving,
        _ => Readiness::NotReady,
    };
    let instances = d
        .resource
        .pointer("/sku/capacity")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 1_000) as u32;
    let per_instance = d
        .resource
        .pointer("/properties/requestSettings/maxConcurrentRequestsPerInstance")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 10_000) as u32;
    let model = d
        .resource
        .pointer("/properties/model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    DeploymentRoute {
        header_value: HeaderValue::from_str(&name)
            .unwrap_or_else(|_| HeaderValue::from_static("unknown")),
        knobs: knobs.resolve(endpoint, &name),
        name,
        provisioning_state: state,
        readiness,
        model: LinearModel::for_reference(model),
        instances,
        max_in_flight: 2 * per_instance * instances,
        runtime: d.runtime.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(live: &[(&str, u32)], mirror: &[(&str, u32)], names: &[&str]) -> EndpointRoute {
        let deployments: Vec<Arc<DeploymentRoute>> = names
            .iter()
            .map(|n| {
                Arc::new(DeploymentRoute {
                    name: Arc::from(*n),
                    header_value: HeaderValue::from_static("x"),
                    provisioning_state: "Succeeded".into(),
                    readiness: Readiness::Serving,
                    model: LinearModel::for_reference(n),
                    knobs: Knobs::default(),
                    instances: 1,
                    max_in_flight: 2,
                    runtime: Arc::default(),
                })
            })
            .collect();
        let mut cumulative = 0;
        let live = live
            .iter()
            .map(|(n, p)| {
                cumulative += p;
                (cumulative, names.iter().position(|x| x == n).unwrap_or(0))
            })
            .collect();
        let mirror = mirror
            .iter()
            .map(|(n, p)| (names.iter().position(|x| x == n).unwrap_or(0), *p))
            .collect();
        EndpointRoute {
            workspace: ("s".into(), "r".into(), "w".into()),
            name: "ep".into(),
            scoring_uri: String::new(),
            auth: ScoringAuth::Aad,
            split: TrafficSplit::default(),
            deployments,
            live,
            live_total: cumulative,
            mirror,
            metrics: Arc::default(),
        }
    }

    #[test]
    fn weights_split_the_rolls_exactly() {
        let r = route(&[("blue", 90), ("green", 10)], &[], &["blue", "green"]);
        let green = (0..100)
            .filter(|roll| {
                r.choose(None, *roll, 99)
                    == Choice::Serve {
                        live: 1,
                        mirror: None,
                    }
            })
            .count();
        assert_eq!(green, 10);
    }

    #[test]
    fn mirror_copies_its_share_and_pins_bypass_it() {
        let r = route(&[("blue", 100)], &[("green", 10)], &["blue", "green"]);
        let mirrored = (0..100)
            .filter(|roll| {
                matches!(
                    r.choose(None, 0, *roll),
                    Choice::Serve {
                        mirror: Some(1),
                        ..
                    }
                )
            })
            .count();
        assert_eq!(mirrored, 10);
        assert_eq!(
            r.choose(Some("GREEN"), 0, 0),
            Choice::Serve {
                live: 1,
                mirror: None
            }
        );
        assert_eq!(
            r.choose(Some("blue"), 0, 0),
            Choice::Serve {
                live: 0,
                mirror: None
            }
        );
        assert_eq!(r.choose(Some("red"), 0, 0), Choice::UnknownDeployment);
    }

    #[test]
    fn nothing_live_is_a_404_unless_pinned() {
        let r = route(&[], &[], &["blue"]);
        assert_eq!(r.choose(None, 5, 5), Choice::NoPositiveWeight);
        assert_eq!(
            r.choose(Some("blue"), 5, 5),
            Choice::Serve {
                live: 0,
                mirror: None
            }
        );
    }

    /// What a table serves: each path with the endpoint and deployments it answers for.
    fn served(table: &RoutingTable) -> Vec<(String, String, Vec<String>)> {
        let map = table.by_path.read().expect("lock");
        let mut served: Vec<_> = map
            .iter()
            .map(|(path, r)| {
                let deployments = r.deployments.iter().map(|d| d.name.to_string()).collect();
                (path.clone(), r.scoring_uri.clone(), deployments)
            })
            .collect();
        served.sort();
        served
    }

    #[test]
    fn rebuilding_only_the_touched_endpoints_serves_what_a_full_rebuild_serves() {
        use crate::emulator::store::{StoreSettings, workspace_key};
        let mut store = Store::new("http://127.0.0.1:1".into(), StoreSettings::default());
        store.add_workspace("sub", "rg", "WS", "westus2");
        let key = workspace_key("sub", "rg", "ws");
        let (knobs, metrics) = (KnobBook::new(Knobs::default(), &[]), MetricsBook::default());
        let endpoint = serde_json::to_vec(&serde_json::json!({
            "location": "westus2", "properties": {"authMode": "Key"}
        }))
        .expect("json");
        let deployment = serde_json::to_vec(&serde_json::json!({
            "location": "westus2",
            "sku": {"name": "Default", "capacity": 1},
            "properties": {"endpointComputeType": "Managed", "instanceType": "Standard_DS3_v2", "model": "azureml:m:1"},
        }))
        .expect("json");
        let partial = RoutingTable::default();
        let full = RoutingTable::default();
        let check = |store: &mut Store, written: &str| {
            let mut touched = store.settle(Instant::now() + std::time::Duration::from_secs(3600));
            touched.push((key.clone(), written.to_string()));
            partial.rebuild_endpoints(store, &knobs, &metrics, &touched);
            full.rebuild(store, &knobs, &metrics);
            assert_eq!(
                served(&partial),
                served(&full),
                "after a change to {written}"
            );
        };
        store
            .put_endpoint(&key, "Alpha", &endpoint, "v1")
            .expect("alpha");
        check(&mut store, "Alpha");
        store
            .put_endpoint(&key, "beta", &endpoint, "v1")
            .expect("beta");
        check(&mut store, "beta");
        store
            .put_deployment(&key, "ALPHA", "blue", &deployment, "v1")
            .expect("blue");
        check(&mut store, "ALPHA");
        assert_eq!(
            served(&partial).len(),
            4,
            "two endpoints, each as spelt and lower-cased"
        );
        assert!(
            served(&partial)
                .iter()
                .any(|(_, _, d)| d == &["blue".to_string()])
        );
        store.delete_endpoint(&key, "beta", "v1").expect("delete");
        check(&mut store, "beta");
        assert_eq!(served(&partial).len(), 2, "beta no longer answers");
    }
}
