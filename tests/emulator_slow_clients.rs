//! Clients that open connections and send a request's head slowly, or never finish it
//! (slowloris), are cut off, so they cannot hold the emulator's connections from real clients.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::time::Duration;

use aml_rollout::emulator::{self, EmulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A guard against a hang, not a measure of speed: far beyond what any step needs.
const HANG_GUARD: Duration = Duration::from_secs(60);

#[tokio::test]
async fn slow_partial_requests_are_closed_and_real_clients_get_served() {
    const CONNECTIONS: usize = 4;
    let emu = emulator::start(EmulatorConfig {
        header_read_timeout: Duration::from_millis(300),
        max_connections: CONNECTIONS,
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator");
    let address = emu.base_url.trim_start_matches("http://").to_string();

    // Every connection the emulator serves is taken by a client that never finishes its head.
    let mut slow = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut stream = TcpStream::connect(&address).await.expect("connect");
        stream
            .write_all(b"GET /subscriptions?api-version=2025-12-01 HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("partial head");
        slow.push(stream);
    }

    // A real client is still answered: the slow ones are cut off and free their places.
    let client = emu.client().expect("client");
    let listed = tokio::time::timeout(HANG_GUARD, client.list_endpoints(&common::ws(&emu)))
        .await
        .expect("not starved by slow clients")
        .expect("listed");
    assert_eq!(listed.len(), 1);

    for mut stream in slow {
        let mut buffer = [0u8; 1024];
        let read = tokio::time::timeout(HANG_GUARD, async {
            // The server may answer 408 before closing; read until the end either way.
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(read.is_ok(), "a slow connection was left open");
    }
}
