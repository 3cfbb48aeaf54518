//! A small fixed-rate HTTP/1.1 load generator for bench/hosted.sh (wrk2-style:
//! open loop, latency measured from when each request was *due*, so a slow
//! server cannot hide its queue by slowing the sender down).
//!
//! ```text
//! load TARGETS.json --rate 200 --seconds 20 [--connections 32]
//! load TARGETS.json --burst 40
//! ```
//! TARGETS.json: `[{"addr": "127.0.0.1:8080", "method": "GET", "path": "/",
//! "headers": [["Cookie", "..."]], "body": ""}, ...]`, used round robin.
//! Prints one JSON object: sent, ok (2xx/3xx), errors, statuses and latency
//! percentiles in milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

#[derive(Deserialize, Clone)]
struct Target {
    addr: String,
    method: String,
    path: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
}

impl Target {
    fn request(&self) -> Vec<u8> {
        let mut r = format!("{} {} HTTP/1.1\r\n", self.method, self.path);
        for (k, v) in &self.headers {
            r.push_str(&format!("{k}: {v}\r\n"));
        }
        r.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        r.push_str(&self.body);
        r.into_bytes()
    }
}

struct Conn {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    /// Sends one request on a kept-alive connection (reconnecting when the
    /// server closed it) and reads the whole response; returns the status.
    async fn send(&mut self, target: &Target) -> std::io::Result<u16> {
        if self.addr != target.addr {
            self.stream = None;
            self.addr = target.addr.clone();
        }
        for attempt in 0..2 {
            if self.stream.is_none() {
                let s = TcpStream::connect(&self.addr).await?;
                s.set_nodelay(true)?;
                self.stream = Some(BufReader::new(s));
            }
            let stream = self.stream.as_mut().unwrap();
            match exchange(stream, target).await {
                Ok((status, keep)) => {
                    if !keep {
                        self.stream = None;
                    }
                    return Ok(status);
                }
                Err(e) if attempt == 0 => {
                    // A kept-alive connection the server had closed: once more on a new one.
                    let _ = e;
                    self.stream = None;
                }
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("unreachable"))
    }
}

async fn exchange(
    stream: &mut BufReader<TcpStream>,
    target: &Target,
) -> std::io::Result<(u16, bool)> {
    stream.get_mut().write_all(&target.request()).await?;
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(std::io::Error::other("closed"));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad status line"))?;
    let (mut length, mut chunked, mut keep) = (0usize, false, true);
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').unwrap_or((l, ""));
        let (k, v) = (k.to_ascii_lowercase(), v.trim().to_ascii_lowercase());
        match k.as_str() {
            "content-length" => length = v.parse().unwrap_or(0),
            "transfer-encoding" => chunked = v.contains("chunked"),
            "connection" => keep = v != "close",
            _ => {}
        }
    }
    if chunked {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16)
                .map_err(|_| std::io::Error::other("bad chunk"))?;
            let mut chunk = vec![0u8; size + 2];
            stream.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).await?;
    }
    Ok((status, keep))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<String, u64>,
    errors: u64,
}

impl Tally {
    fn record(&mut self, due: Instant, result: std::io::Result<u16>) {
        self.latencies_us.push(due.elapsed().as_micros() as u64);
        match result {
            Ok(s) => *self.statuses.entry(s.to_string()).or_default() += 1,
            Err(_) => self.errors += 1,
        }
    }

    fn report(mut self, wall: Duration) -> serde_json::Value {
        self.latencies_us.sort_unstable();
        let n = self.latencies_us.len();
        let pct = |p: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            let i = ((p / 100.0) * n as f64).ceil() as usize;
            self.latencies_us[i.clamp(1, n) - 1] as f64 / 1000.0
        };
        let ok: u64 = self
            .statuses
            .iter()
            .filter(|(s, _)| s.starts_with('2') || s.starts_with('3'))
            .map(|(_, c)| c)
            .sum();
        serde_json::json!({
            "sent": n,
            "ok": ok,
            "errors": self.errors,
            "statuses": self.statuses,
            "achieved_per_s": (n as f64 / wall.as_secs_f64() * 10.0).round() / 10.0,
            "p50_ms": pct(50.0),
            "p90_ms": pct(90.0),
            "p99_ms": pct(99.0),
            "p999_ms": pct(99.9),
            "max_ms": pct(100.0),
        })
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .expect("usage: load TARGETS.json --rate R --seconds S | --burst N");
    let targets: Vec<Target> =
        serde_json::from_slice(&std::fs::read(file).expect("read targets")).expect("targets JSON");
    assert!(!targets.is_empty(), "no targets");
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();

    if let Some(burst) = arg(&args, "--burst").and_then(|b| b.parse::<usize>().ok()) {
        // N requests at the same moment, each on its own connection.
        let due = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..burst {
            let target = targets[i % targets.len()].clone();
            let tally = tally.clone();
            tasks.push(tokio::spawn(async move {
                let mut conn = Conn {
                    addr: target.addr.clone(),
                    stream: None,
                };
                let r = conn.send(&target).await;
                tally.lock().await.record(due, r);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    } else {
        let rate: f64 = arg(&args, "--rate")
            .and_then(|r| r.parse().ok())
            .expect("--rate");
        let seconds: f64 = arg(&args, "--seconds")
            .and_then(|r| r.parse().ok())
            .unwrap_or(20.0);
        let connections: usize = arg(&args, "--connections")
            .and_then(|r| r.parse().ok())
            .unwrap_or(32);
        let total = (rate * seconds) as usize;
        let (tx, rx) = mpsc::unbounded_channel::<(Instant, usize)>();
        let rx = Arc::new(Mutex::new(rx));
        let mut workers = Vec::new();
        for _ in 0..connections {
            let (rx, tally, targets) = (rx.clone(), tally.clone(), targets.clone());
            workers.push(tokio::spawn(async move {
                let mut conn = Conn {
                    addr: targets[0].addr.clone(),
                    stream: None,
                };
                loop {
                    let job = rx.lock().await.recv().await;
                    let Some((due, i)) = job else { break };
                    let r = conn.send(&targets[i % targets.len()]).await;
                    tally.lock().await.record(due, r);
                }
            }));
        }
        let start = Instant::now();
        for i in 0..total {
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
            tx.send((due, i)).unwrap();
        }
        drop(tx);
        for w in workers {
            w.await.unwrap();
        }
    }
    let wall = started.elapsed();
    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner();
    println!("{}", tally.report(wall));
}
