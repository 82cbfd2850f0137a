//! The emulator's listener: plain HTTP or TLS, HTTP/1.1, and defences against clients that
//! hold connections without finishing a request (slowloris): a bound on the time to send a
//! request's headers (and the TLS handshake), and a bound on open connections.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

/// How the listener treats connections.
#[derive(Debug, Clone)]
pub(crate) struct ListenerLimits {
    /// A connection that has not sent a whole request head (or finished the TLS handshake)
    /// this long after it began, or after its previous request, is closed.
    pub(crate) header_read_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub(crate) max_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` fires; then open connections are closed.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: ListenerLimits,
    mut shutdown: oneshot::Receiver<()>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!(error = %e, "emulator accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let acceptor = acceptor.clone();
        let timeout = limits.header_read_timeout;
        // Reap finished connections so the set does not grow with the emulator's uptime.
        while connections.try_join_next().is_some() {}
        connections.spawn(async move {
            let _slot = slot;
            match acceptor {
                Some(acceptor) => {
                    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => serve_connection(TokioIo::new(tls), app, timeout).await,
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake too slow; connection closed"),
                    }
                }
                None => serve_connection(TokioIo::new(stream), app, timeout).await,
            }
        });
    }
    connections.abort_all();
}

async fn serve_connection<I>(io: TokioIo<I>, app: Router, header_read_timeout: Duration)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(app);
    let result = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true)
        .serve_connection(io, service)
        .await;
    if let Err(e) = result {
        tracing::debug!(error = %e, "emulator connection ended with an error");
    }
}
