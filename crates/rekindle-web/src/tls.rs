//! HTTPS for hosted mode: a listener that completes the TLS handshake
//! before axum sees the connection, with the operator's certificate chain
//! and key (PEM files, as certbot writes them).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

/// A handshake that has not finished by then is dropped, so a slow or
/// silent client cannot hold the accept loop.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many handshakes at once; further connections wait in the
/// kernel's backlog until one ends. Without a cap, many silent connections
/// would each hold a file descriptor and a task for the whole timeout
/// (issue 18, item 2); `connections::Limited` counts only finished ones.
const MAX_HANDSHAKES: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("Could not read the certificate file {0}: {1}")]
    Certificate(String, String),
    #[error("Could not read the private key file {0}: {1}")]
    Key(String, String),
    #[error("The certificate and key do not work together: {0}")]
    Config(String),
}

/// Reads a PEM certificate chain and private key into a server config that
/// speaks HTTP/1.1 (what the app serves).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate(cert.display().to_string(), e.to_string()))?;
    if chain.is_empty() {
        return Err(TlsError::Certificate(
            cert.display().to_string(),
            "it holds no certificate".into(),
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| TlsError::Key(key.display().to_string(), e.to_string()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A TCP listener whose connections are TLS sessions. Each handshake runs
/// in its own task, so one slow client does not hold up the others; failed
/// handshakes are logged (no client details) and dropped.
pub struct TlsListener {
    local: SocketAddr,
    ready: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    accept_loop: tokio::task::JoinHandle<()>,
    handshakes: Arc<tokio::sync::Semaphore>,
    cap: usize,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<TlsListener> {
        TlsListener::with_cap(tcp, config, MAX_HANDSHAKES)
    }

    fn with_cap(
        tcp: TcpListener,
        config: Arc<ServerConfig>,
        cap: usize,
    ) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (done, ready) = tokio::sync::mpsc::channel(64);
        let handshakes = Arc::new(tokio::sync::Semaphore::new(cap));
        let permits = handshakes.clone();
        let accept_loop = tokio::spawn(async move {
            loop {
                // A free handshake slot first: at the cap, new connections
                // wait in the backlog instead of in tasks.
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                let (stream, addr) = match tcp.accept().await {
                    Ok(pair) => pair,
                    Err(_) => {
                        // Out of file descriptors and the like: wait, then go on.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    let shaken =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                    // The slot is free once the handshake is over, either way.
                    drop(permit);
                    match shaken {
                        Ok(Ok(tls)) => {
                            let _ = done.send((tls, addr)).await;
                        }
                        _ => tracing::debug!(event = "tls_handshake_failed"),
                    }
                });
            }
        });
        Ok(TlsListener {
            local,
            ready,
            accept_loop,
            handshakes,
            cap,
        })
    }

    /// Slots taken: handshakes running now, plus the one the accept loop
    /// holds while it waits for a client.
    pub fn handshaking(&self) -> usize {
        self.cap - self.handshakes.available_permits()
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A self-signed test certificate (CN=localhost, P-256), made with openssl.
    fn config() -> Arc<ServerConfig> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/testdata");
        server_config(&dir.join("test-cert.pem"), &dir.join("test-key.pem")).unwrap()
    }

    #[tokio::test]
    async fn silent_connections_hold_no_more_than_the_cap_of_handshakes() {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let listener = TlsListener::with_cap(tcp, config(), 3).unwrap();
        // Ten clients connect and say nothing.
        let mut silent = Vec::new();
        for _ in 0..10 {
            silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        let settle = || tokio::time::sleep(Duration::from_millis(200));
        settle().await;
        assert_eq!(listener.handshaking(), 3, "only the cap's worth run");
        // One gives up: its slot goes to the next one waiting.
        drop(silent.remove(0));
        settle().await;
        assert_eq!(listener.handshaking(), 3);
        // All give up: nothing is left running but the slot the accept loop
        // holds while it waits for the next client.
        silent.clear();
        for _ in 0..20 {
            if listener.handshaking() <= 1 {
                break;
            }
            settle().await;
        }
        assert_eq!(listener.handshaking(), 1);
    }
}
