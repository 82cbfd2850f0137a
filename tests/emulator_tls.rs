//! `aml-rollout emulator --tls`: HTTPS with a certificate from a local CA kept in the data
//! directory; clients that trust the CA connect, clients that do not are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::emulator::{self, EmulatorConfig};

#[tokio::test]
async fn the_client_talks_https_to_a_tls_emulator_that_trusts_its_ca() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emu = emulator::start(EmulatorConfig {
        tls_dir: Some(dir.path().to_path_buf()),
        ..EmulatorConfig::for_tests()
    })
    .await
    .expect("emulator starts");
    assert!(
        emu.base_url.starts_with("https://127.0.0.1:"),
        "{}",
        emu.base_url
    );
    let (ca_path, pem) = emu.ca_certificate.clone().expect("a CA certificate");
    assert_eq!(ca_path, dir.path().join(emulator::tls::CA_FILE));
    assert_eq!(std::fs::read(&ca_path).expect("written"), pem);

    let client = emu.client().expect("client");
    let endpoints = client
        .list_endpoints(&common::ws(&emu))
        .await
        .expect("listed over HTTPS");
    assert!(endpoints.iter().any(|e| e.name == "my-endpoint"));

    // The name in the certificate is localhost as well as 127.0.0.1.
    let port = emu.base_url.rsplit(':').next().expect("port");
    let trusting = reqwest::Client::builder()
        .tls_certs_merge([reqwest::Certificate::from_pem(&pem).expect("pem")])
        .build()
        .expect("client");
    let answer = trusting
        .get(format!(
            "https://localhost:{port}/subscriptions?api-version=2025-12-01"
        ))
        .send()
        .await
        .expect("TLS to localhost");
    assert_eq!(answer.status(), reqwest::StatusCode::UNAUTHORIZED);

    // Without the CA the certificate is not trusted: the TLS is real.
    let refused = reqwest::Client::new()
        .get(format!(
            "{}/subscriptions?api-version=2025-12-01",
            emu.base_url
        ))
        .send()
        .await;
    assert!(refused.is_err(), "an untrusted certificate was accepted");
}

#[tokio::test]
async fn the_ca_outlives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = EmulatorConfig {
        tls_dir: Some(dir.path().to_path_buf()),
        ..EmulatorConfig::for_tests()
    };
    let first = emulator::start(config.clone()).await.expect("first");
    let (_, first_pem) = first.ca_certificate.clone().expect("ca");
    first.stop().await;
    let second = emulator::start(config).await.expect("second");
    let (_, second_pem) = second.ca_certificate.clone().expect("ca");
    assert_eq!(first_pem, second_pem);
    // A client built with the first start's CA trusts the second start's server certificate.
    let client = second
        .client_with(aml_rollout::azure::ClientOptions {
            base_url: second.base_url.clone(),
            extra_root_certificate: Some(first_pem),
            ..Default::default()
        })
        .expect("client");
    client
        .list_endpoints(&common::ws(&second))
        .await
        .expect("listed");
}
