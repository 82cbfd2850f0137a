//! A local emulator of the Azure ML management API (and, where built, its data plane): the same
//! paths, JSON shapes, status codes, headers, rules and long-running operations as Azure
//! Resource Manager, served by axum on 127.0.0.1.

pub mod arm;
pub mod faults;
pub mod logs;
pub mod reply;
pub mod seed;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::azure::{AmlClient, ClientOptions, StaticCredential, WorkspaceRef};
use faults::{Fault, FaultProfile, Faults};
pub use seed::Seed;
use store::{Store, StoreSettings, workspace_key};

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on 127.0.0.1:{port}: {reason}")]
    Bind { port: u16, reason: String },
    #[error("seed {file}: {reason}")]
    Seed { file: String, reason: String },
    #[error("{0}")]
    Config(String),
}

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
        }
    }

    /// The demo seed with instant operations, for tests.
    pub fn for_tests() -> Self {
        Self {
            operation_duration: Duration::ZERO,
            ..Self::demo()
        }
    }
}

/// Shared by all requests.
pub struct Emulator {
    pub token: String,
    store: Mutex<Store>,
    pub faults: Faults,
}

impl Emulator {
    /// The store, even if a handler panicked while holding it: the data is still consistent
    /// enough to serve, and one bad request must not take the emulator down.
    pub fn lock_store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A started emulator. Dropping it stops the server.
pub struct RunningEmulator {
    pub base_url: String,
    pub token: String,
    pub workspace: WorkspaceRef,
    pub emulator: Arc<Emulator>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// A client for this emulator, with retries and polling tuned for loopback.
    pub fn client(&self) -> AmlClient {
        self.client_with(ClientOptions {
            base_url: self.base_url.clone(),
            lro: crate::azure::LroPolicy {
                default_interval: Duration::from_millis(50),
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

    pub fn client_with(&self, options: ClientOptions) -> AmlClient {
        let credential = StaticCredential::new(self.token.clone());
        match AmlClient::new(credential.clone(), options) {
            Ok(c) => c,
            // Only an invalid base URL fails, and ours is always valid.
            Err(e) => unreachable!("emulator client: {e}"),
        }
    }

    pub async fn stop(mut self) {
        self.stop_inner().await;
    }

    async fn stop_inner(&mut self) {
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
    let base_url = format!("http://{addr}");
    let token = config.token.clone().unwrap_or_else(random_token);

    let mut store = Store::new(
        base_url.clone(),
        StoreSettings {
            operation_duration: config.operation_duration,
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
    });
    let app = Router::new()
        .fallback(serve_arm)
        .with_state(emulator.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = server.await {
            tracing::error!(error = %e, "emulator server stopped");
        }
    });
    Ok(RunningEmulator {
        base_url,
        token,
        workspace: config.workspace.clone(),
        emulator,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// A response whose body fails at once: the client sees the connection drop mid-answer.
fn dropped_connection() -> Response {
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
    if let Some(response) = apply_fault(emulator.faults.management(), &request_id).await {
        return response;
    }
    let result = arm::handle(&emulator, &method, &uri, &headers, &body);
    reply::into_response(result, &request_id)
}
