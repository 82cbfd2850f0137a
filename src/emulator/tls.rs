//! HTTPS the way Azurite does it: Azure's SDKs refuse to send a bearer token over plain HTTP, so
//! the emulator serves TLS with a certificate the client can be told to trust.
//!
//! A local certificate authority lives in the emulator's data directory (`ca.pem`, and its key
//! `ca-key.pem`, readable by the owner only). It is made once and kept, so clients that trust it
//! keep working across restarts; each start signs a fresh server certificate for `127.0.0.1`
//! and `localhost` with it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::shared::EmulatorError;

/// The file clients trust, in the data directory.
pub const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
const CA_NAME: &str = "aml-rollout emulator local CA";

/// What `start` needs to serve HTTPS, and where the certificate to trust was written.
pub(crate) struct ServerTls {
    pub(crate) config: Arc<rustls::ServerConfig>,
    pub(crate) ca_path: PathBuf,
}

fn tls_error(what: &str, reason: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::Config(format!("TLS: {what}: {reason}"))
}

/// The CA's parameters: the same every time, so a kept key signs as the kept certificate's
/// subject.
fn ca_params() -> Result<CertificateParams, EmulatorError> {
    let mut params = CertificateParams::new(Vec::new()).map_err(|e| tls_error("CA", e))?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, CA_NAME);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "aml-rollout");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    Ok(params)
}

/// Writes `text` to a new file only the owner may read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// The data directory's CA, made on first use.
fn local_ca(
    dir: &Path,
) -> Result<(Issuer<'static, KeyPair>, CertificateDer<'static>), EmulatorError> {
    std::fs::create_dir_all(dir).map_err(|e| tls_error(&dir.display().to_string(), e))?;
    let key_path = dir.join(CA_KEY_FILE);
    let cert_path = dir.join(CA_FILE);
    let kept = std::fs::read_to_string(&key_path)
        .ok()
        .zip(std::fs::read_to_string(&cert_path).ok());
    if let Some((key_pem, cert_pem)) = kept {
        let key = KeyPair::from_pem(&key_pem).map_err(|e| tls_error(CA_KEY_FILE, e))?;
        let der = rustls::pki_types::pem::PemObject::from_pem_slice(cert_pem.as_bytes())
            .map_err(|e| tls_error(CA_FILE, e))?;
        return Ok((Issuer::new(ca_params()?, key), der));
    }
    let key = KeyPair::generate().map_err(|e| tls_error("CA key", e))?;
    let params = ca_params()?;
    let cert = params.self_signed(&key).map_err(|e| tls_error("CA", e))?;
    write_private(&key_path, &key.serialize_pem())
        .map_err(|e| tls_error(&key_path.display().to_string(), e))?;
    std::fs::write(&cert_path, cert.pem())
        .map_err(|e| tls_error(&cert_path.display().to_string(), e))?;
    let der = cert.der().clone();
    Ok((Issuer::new(params, key), der))
}

/// A server certificate for 127.0.0.1 and localhost, signed by the data directory's CA.
pub(crate) fn server_tls(dir: &Path) -> Result<ServerTls, EmulatorError> {
    let (issuer, ca_der) = local_ca(dir)?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .map_err(|e| tls_error("server certificate", e))?;
    params
        .distinguished_name
        .push(DnType::CommonName, "aml-rollout emulator");
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(365);
    let key = KeyPair::generate().map_err(|e| tls_error("server key", e))?;
    let cert = params
        .signed_by(&key, &issuer)
        .map_err(|e| tls_error("server certificate", e))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("protocol versions", e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_der],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| tls_error("server certificate", e))?;
    // The emulator speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(ServerTls {
        config: Arc::new(config),
        ca_path: dir.join(CA_FILE),
    })
}

/// Where the emulator keeps its CA unless told otherwise: `<data dir>/aml-rollout/emulator`.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("aml-rollout").join("emulator"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = server_tls(dir.path()).expect("first start");
        let pem = std::fs::read_to_string(&first.ca_path).expect("ca written");
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        let second = server_tls(dir.path()).expect("second start");
        assert_eq!(std::fs::read_to_string(&second.ca_path).expect("kept"), pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(CA_KEY_FILE))
                .expect("key written")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the CA key is the owner's only");
        }
    }
}
