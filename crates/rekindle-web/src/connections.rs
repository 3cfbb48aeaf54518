//! Limits on connections, for every listener (the hardening issue's "slow
//! clients"): a cap on how many are open at once, and a deadline for each
//! request's head.
//!
//! axum's server sets no timer, so hyper's header-read timeout never fires:
//! a client that sends a request one byte at a time, or opens a connection
//! and says nothing, would hold it (and a file descriptor) for ever. Here
//! every connection counts against a semaphore, and from the moment it is
//! accepted, or a response was last written, the client has [`Limits::grace`]
//! to finish sending a request head (up to the blank line that ends the
//! headers), or the connection is closed. An idle kept-alive connection
//! therefore closes after the grace period too. Once the head is in, the
//! body and the handler take as long as they take (the body limits bound
//! the one, the handlers the other).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; the next waits in the kernel's backlog.
    pub max_connections: usize,
    /// Time a client has to send a request head.
    pub grace: Duration,
}

impl Limits {
    /// For the local app and the share listener.
    pub const DEFAULT: Limits = Limits {
        max_connections: 128,
        grace: Duration::from_secs(10),
    };
    /// For a hosted server: many people, each phone with a few connections.
    pub const HOSTED: Limits = Limits {
        max_connections: 512,
        grace: Duration::from_secs(10),
    };
}

/// A listener whose connections are capped and rate-checked.
pub struct Limited<L> {
    inner: L,
    permits: Arc<Semaphore>,
    grace: Duration,
}

impl<L> Limited<L> {
    pub fn new(inner: L, limits: Limits) -> Limited<L> {
        Limited {
            inner,
            permits: Arc::new(Semaphore::new(limits.max_connections.max(1))),
            grace: limits.grace,
        }
    }
}

impl<L: Listener> Listener for Limited<L> {
    type Io = LimitedIo<L::Io>;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The semaphore is never closed, so this waits rather than fails;
        // a connection not accepted yet costs this process nothing.
        let permit = self.permits.clone().acquire_owned().await.ok();
        let (io, addr) = self.inner.accept().await;
        (LimitedIo::new(io, permit, self.grace), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// What [`limited_with_peer`] returns: a limited listener whose connections
/// carry their peer's address to axum's `ConnectInfo`.
pub type LimitedWithPeer<L> =
    axum::serve::TapIo<Limited<L>, fn(&mut LimitedIo<<L as Listener>::Io>)>;

/// `listener` under `limits`, ready for `into_make_service_with_connect_info`:
/// `tap_io` does nothing to a connection, but axum offers `ConnectInfo`
/// (the peer's address, which the share routes' miss limiter keys on) only
/// for a plain TCP listener or a tapped one.
pub fn limited_with_peer<L: Listener>(listener: L, limits: Limits) -> LimitedWithPeer<L> {
    use axum::serve::ListenerExt;
    fn untouched<Io>(_: &mut Io) {}
    Limited::new(listener, limits).tap_io(untouched::<LimitedIo<L::Io>> as fn(&mut _))
}

/// One connection: its permit (released when it closes) and the deadline.
pub struct LimitedIo<Io> {
    io: Io,
    _permit: Option<OwnedSemaphorePermit>,
    grace: Duration,
    /// How much of the blank line ending a request head ("\r\n\r\n") was
    /// just read; 4 once the head is complete.
    head_matched: u8,
    deadline: Pin<Box<Sleep>>,
}

const HEAD_END: &[u8; 4] = b"\r\n\r\n";

impl<Io> LimitedIo<Io> {
    fn new(io: Io, permit: Option<OwnedSemaphorePermit>, grace: Duration) -> LimitedIo<Io> {
        LimitedIo {
            io,
            _permit: permit,
            grace,
            head_matched: 0,
            deadline: Box::pin(tokio::time::sleep(grace)),
        }
    }

    fn head_done(&self) -> bool {
        usize::from(self.head_matched) == HEAD_END.len()
    }

    fn saw(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.head_done() {
                return;
            }
            self.head_matched = if b == HEAD_END[usize::from(self.head_matched)] {
                self.head_matched + 1
            } else if b == b'\r' {
                1
            } else {
                0
            };
        }
    }
}

impl<Io: AsyncRead + Unpin> AsyncRead for LimitedIo<Io> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let new = buf.filled()[before..].to_vec();
                self.saw(&new);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                // Still waiting for the head: the deadline wakes us to end it.
                if !self.head_done() && self.deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no request head in time",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for LimitedIo<Io> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            // A response is going out: the next request gets its own deadline.
            self.head_matched = 0;
            let next = Instant::now() + self.grace;
            self.deadline.as_mut().reset(next);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn listener(limits: Limits) -> (Limited<tokio::net::TcpListener>, std::net::SocketAddr) {
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        (Limited::new(tcp, limits), addr)
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_or_trickling_client_is_cut_off_after_the_grace_period() {
        let limits = Limits {
            max_connections: 4,
            grace: Duration::from_secs(10),
        };
        let (mut l, addr) = listener(limits).await;
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut io, _) = l.accept().await;
        // One byte every two seconds: far below the minimum rate.
        let trickle = tokio::spawn(async move {
            for _ in 0..20 {
                if client.write_all(b"G").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        let mut buf = [0u8; 64];
        let started = Instant::now();
        let ended = loop {
            match io.read(&mut buf).await {
                Ok(0) => break Ok(()),
                Ok(_) => continue,
                Err(e) => break Err(e),
            }
        };
        assert_eq!(ended.unwrap_err().kind(), io::ErrorKind::TimedOut);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(10) && took <= Duration::from_secs(11),
            "{took:?}"
        );
        trickle.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn once_the_head_is_in_a_slow_body_or_handler_is_not_cut_off() {
        let (mut l, addr) = listener(Limits::DEFAULT).await;
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut io, _) = l.accept().await;
        client
            .write_all(b"POST /i HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 8192];
        let got = io.read(&mut buf).await.unwrap();
        assert!(got > 0);
        // The body arrives slowly and the handler thinks for a long time:
        // reads keep working well past the grace period.
        let sender = tokio::spawn(async move {
            for _ in 0..5 {
                tokio::time::sleep(Duration::from_secs(10)).await;
                client.write_all(b"part").await.unwrap();
            }
            client
        });
        let mut total = 0;
        while total < 20 {
            total += io.read(&mut buf).await.unwrap();
        }
        // A response resets the deadline: a silent client is then cut off.
        io.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let _client = sender.await.unwrap();
        let err = io.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn connections_beyond_the_cap_wait_until_one_closes() {
        let limits = Limits {
            max_connections: 2,
            grace: Duration::from_secs(10),
        };
        let (mut l, addr) = listener(limits).await;
        let _a = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _b = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _c = tokio::net::TcpStream::connect(addr).await.unwrap();
        let first = l.accept().await;
        let _second = l.accept().await;
        // The third is connected at the kernel but not taken while two are open.
        let third = tokio::time::timeout(Duration::from_millis(200), l.accept()).await;
        assert!(
            third.is_err(),
            "a third connection was accepted over the cap"
        );
        drop(first);
        let third = tokio::time::timeout(Duration::from_secs(5), l.accept()).await;
        assert!(third.is_ok(), "a closed connection frees its place");
    }
}
