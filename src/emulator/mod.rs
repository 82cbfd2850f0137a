//! A local emulator of Azure ML: the management API (the same paths, JSON shapes, status
//! codes, headers, rules and long-running operations as Azure Resource Manager), the data
//! plane (scoring with traffic routing and mirroring, logs and Azure Monitor metrics from what
//! was served), synthetic load, fault injection and a control API, served by axum on 127.0.0.1.
//!
//! Routes: `/inference/…` is the data plane ([`scoring`]), `/_emulator/…` the control API
//! ([`control`]), everything else ARM ([`arm`], with the metrics API in [`monitor`]).

pub mod arm;
pub mod control;
pub mod faults;
pub mod load;
pub mod logs;
pub mod metrics;
pub mod monitor;
pub mod reply;
pub mod scoring;
pub mod seed;
mod serve;
mod shared;
pub mod store;
pub mod throttle;
pub mod tls;
pub mod token;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::azure::{AmlClient, ClientOptions, StaticCredential, WorkspaceRef};
use faults::{Fault, FaultProfile, Faults};

use scoring::knobs::{KnobBook, KnobSetting, Knobs};
use scoring::routing::{MetricsBook, RoutingTable};
pub use seed::Seed;
pub use shared::{Emulator, EmulatorError, LoadControl, RequestIds};
use store::{Store, StoreSettings, workspace_key};
use throttle::{ArmLimits, Throttle};

/// The synthetic load of the in-process demo, per endpoint with live traffic.
pub const DEMO_LOAD_RPS: f64 = 20.0;

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// The bearer token the emulator accepts; random when `None`.
    pub token: Option<String>,
    pub seed: Seed,
    /// The workspace the seed goes into.
    pub workspace: WorkspaceRef,
    pub location: String,
    /// How long simulated long-running operations take.
    pub operation_duration: Duration,
    pub faults: FaultProfile,
    /// Unpinned scoring requests per second to each endpoint with live traffic; `None` or 0
    /// for none (it can be started later through `PUT /_emulator/load`).
    pub load_rps: Option<f64>,
    /// Knobs of deployments not named in `knobs`.
    pub default_knobs: Knobs,
    /// Knobs per deployment (`--knobs`).
    pub knobs: Vec<KnobSetting>,
    /// Log lines kept per container of each deployment.
    pub log_ring_lines: usize,
    /// Serve HTTPS with a certificate from the local CA kept in this directory (made there on
    /// first use); `None` serves plain HTTP.
    pub tls_dir: Option<PathBuf>,
    /// A connection that takes longer than this to send a request's headers is closed.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// ARM's request limits per subscription (on by default, as on Azure).
    pub arm_limits: ArmLimits,
    /// A delay before every management call is answered.
    pub arm_latency: Duration,
    /// How long after an endpoint operation succeeds GETs still show the previous traffic.
    pub visibility_lag: Duration,
    /// How late a minute of metrics appears in the metrics API after it ends (Azure Monitor's
    /// delay); zero shows every minute at once, the current one included.
    pub metrics_lag: Duration,
}

impl EmulatorConfig {
    /// The demo workspace, seeded from `assets/demo/`, with operations that take a moment.
    pub fn demo() -> Self {
        Self {
            port: 0,
            token: None,
            seed: Seed::Demo,
            workspace: crate::config::demo_workspace(),
            location: seed::DEMO_LOCATION.to_string(),
            operation_duration: Duration::from_secs(3),
            faults: FaultProfile::default(),
            load_rps: Some(DEMO_LOAD_RPS),
            // A believable scoring service: about 20 ms, with a tail.
            default_knobs: Knobs {
                latency_ms: 20.0,
                latency_sigma: 0.3,
                ..Knobs::default()
            },
            knobs: Vec::new(),
            log_ring_lines: logs::LOG_RING_LINES,
            tls_dir: None,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            arm_limits: ArmLimits::default(),
            arm_latency: Duration::ZERO,
            visibility_lag: Duration::ZERO,
            metrics_lag: Duration::ZERO,
        }
    }

    /// The demo seed with instant operations, instant answers and no synthetic load, for tests.
    pub fn for_tests() -> Self {
        Self {
            operation_duration: Duration::ZERO,
            load_rps: None,
            default_knobs: Knobs::default(),
            ..Self::demo()
        }
    }
}

/// A started emulator. Dropping it stops the server.
pub struct RunningEmulator {
    pub base_url: String,
    pub token: String,
    /// The CA certificate (PEM) an HTTPS emulator's clients trust, and where it was written.
    pub ca_certificate: Option<(PathBuf, Vec<u8>)>,
    pub workspace: WorkspaceRef,
    pub emulator: Arc<Emulator>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    load_task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// A client for this emulator, with retries and polling tuned for loopback.
    pub fn client(&self) -> Result<AmlClient, crate::azure::AzureError> {
        self.client_with(ClientOptions {
            base_url: self.base_url.clone(),
            lro: crate::azure::LroPolicy {
                default_interval: Duration::from_millis(50),
                min_interval: Duration::from_millis(20),
                ..Default::default()
            },
            retry: crate::azure::retry::RetryPolicy {
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(500),
                ..Default::default()
            },
            ..ClientOptions::default()
        })
    }

    /// A client with `options`; it trusts an HTTPS emulator's CA unless told another.
    pub fn client_with(
        &self,
        mut options: ClientOptions,
    ) -> Result<AmlClient, crate::azure::AzureError> {
        if options.extra_root_certificate.is_none() {
            options.extra_root_certificate =
                self.ca_certificate.as_ref().map(|(_, pem)| pem.clone());
        }
        AmlClient::new(StaticCredential::new(self.token.clone()), options)
    }

    pub async fn stop(mut self) {
        self.stop_inner().await;
    }

    async fn stop_inner(&mut self) {
        if let Some(load) = self.load_task.take() {
            load.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(load) = self.load_task.take() {
            load.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn random_token() -> String {
    let bytes: [u8; 24] = rand::random();
    format!(
        "emu-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Binds 127.0.0.1 (never another interface: the emulator has no real security) and serves.
pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    config.faults.validate().map_err(EmulatorError::Config)?;
    config
        .arm_limits
        .validate()
        .map_err(|e| EmulatorError::Config(format!("ARM limits: {e}")))?;
    config
        .default_knobs
        .validate()
        .map_err(|e| EmulatorError::Config(format!("default knobs: {e}")))?;
    for k in &config.knobs {
        k.knobs
            .validate()
            .map_err(|e| EmulatorError::Config(format!("knobs of {}: {e}", k.deployment)))?;
    }
    let load_rps = config.load_rps.unwrap_or(0.0);
    if !(0.0..=shared::MAX_RPS).contains(&load_rps) {
        return Err(EmulatorError::Config(format!(
            "load: {load_rps} requests/s is out of range (0 to {})",
            shared::MAX_RPS
        )));
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], config.port)))
        .await
        .map_err(|e| EmulatorError::Bind {
            port: config.port,
            reason: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| EmulatorError::Bind {
        port: config.port,
        reason: e.to_string(),
    })?;
    let tls = config.tls_dir.as_deref().map(tls::server_tls).transpose()?;
    let ca_certificate = match &tls {
        Some(t) => {
            let pem = std::fs::read(&t.ca_path)
                .map_err(|e| EmulatorError::Config(format!("TLS: {}: {e}", t.ca_path.display())))?;
            Some((t.ca_path.clone(), pem))
        }
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let base_url = format!("{scheme}://{addr}");
    let token = config.token.clone().unwrap_or_else(random_token);

    let mut store = Store::new(
        base_url.clone(),
        StoreSettings {
            operation_duration: config.operation_duration,
            log_ring_lines: config.log_ring_lines,
            visibility_lag: config.visibility_lag,
            ..StoreSettings::default()
        },
    );
    let ws = &config.workspace;
    let key = workspace_key(&ws.subscription, &ws.resource_group, &ws.workspace);
    store.add_workspace(
        &ws.subscription,
        &ws.resource_group,
        &ws.workspace,
        &config.location,
    );
    let files = seed::seed_files(&config.seed)?;
    seed::apply(&mut store, &key, ws, &config.location, &files)?;

    let emulator = Arc::new(Emulator {
        token: token.clone(),
        store: Mutex::new(store),
        faults: Faults::new(config.faults.clone()),
        routes: RoutingTable::default(),
        knobs: KnobBook::new(config.default_knobs, &config.knobs),
        metrics: MetricsBook::default(),
        request_ids: RequestIds::default(),
        mirrors_pending: AtomicU64::new(0),
        load: LoadControl::default(),
        throttle: Throttle::new(config.arm_limits),
        arm_latency_ms: AtomicU64::new(config.arm_latency.as_millis() as u64),
        metrics_lag_secs: AtomicU64::new(config.metrics_lag.as_secs()),
    });
    emulator.refresh_routes_now();
    emulator.load.set_rps(load_rps);
    let app = Router::new()
        .route("/inference/{*rest}", any(scoring::handle))
        .route("/_emulator/{*rest}", any(control::handle))
        .fallback(serve_arm)
        .with_state(emulator.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let limits = serve::ListenerLimits {
        header_read_timeout: config.header_read_timeout,
        max_connections: config.max_connections.max(1),
    };
    let task = tokio::spawn(serve::run(listener, app, tls.map(|t| t.config), limits, rx));
    let load_task = Some(tokio::spawn(load::run(emulator.clone())));
    Ok(RunningEmulator {
        base_url,
        token,
        ca_certificate,
        workspace: config.workspace.clone(),
        emulator,
        shutdown: Some(tx),
        task: Some(task),
        load_task,
    })
}

/// A response whose body fails at once: the client sees the connection drop mid-answer.
pub(crate) fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    Body::from_stream(stream).into_response()
}

async fn apply_fault(fault: Option<Fault>, request_id: &str) -> Option<Response> {
    match fault? {
        Fault::Reset => Some(dropped_connection()),
        Fault::Stall(d) => {
            tokio::time::sleep(d).await;
            None
        }
        Fault::Fail(f) => Some(reply::into_response(Err(f), request_id)),
    }
}

async fn serve_arm(
    State(emulator): State<Arc<Emulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = store::random_uuid();
    let latency = emulator.arm_latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let admission = emulator
        .throttle
        .admit(arm::subscription_of(&uri), &method, Instant::now());
    let mut response = match admission.refused {
        Some(throttled) => reply::into_response(Err(throttled), &request_id),
        None => match apply_fault(emulator.faults.management(), &request_id).await {
            Some(response) => response,
            None => {
                let result = arm::handle(&emulator, &method, &uri, &headers, &body);
                reply::into_response(result, &request_id)
            }
        },
    };
    if let Some((name, value)) = admission.header
        && let Ok(value) = HeaderValue::from_str(&value)
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
    response
}
