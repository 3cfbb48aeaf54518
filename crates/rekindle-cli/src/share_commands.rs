//! `rekindle share create|list|revoke|serve` and `rekindle report`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use clap::Subcommand;
use rekindle_app::method::MethodError;
use rekindle_app::report::{self, Sections};
use rekindle_app::{seal, share};
use rekindle_store::SqliteVault;

use crate::commands::user_error;

#[derive(Subcommand, Debug)]
pub enum ShareCmd {
    /// Make a link to a copy of your progress for an ally or counsellor
    Create {
        /// Sections: changed, record, wrong, confirmations (comma-separated)
        #[arg(long, default_value = "changed,record")]
        sections: String,
        /// Days the link works (1–180)
        #[arg(long, default_value = "30")]
        days: String,
        /// Who it is for (only you see this)
        #[arg(long, default_value = "")]
        label: String,
        /// The address the share listener uses
        #[arg(long, default_value = "http://127.0.0.1:8719")]
        base: String,
        /// Print the link and its details as JSON
        #[arg(long)]
        json: bool,
    },
    /// Your links, their expiry, views, and confirmations received
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a link at once (its number from `share list`)
    Revoke {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Serve share pages only (no vault key needed; can run beside `rekindle serve`)
    Serve {
        /// Address and port, e.g. 127.0.0.1:8719; a network address needs --tls-cert and --tls-key
        #[arg(long, default_value = "127.0.0.1:8719")]
        bind: String,
        /// TLS certificate chain (PEM), to serve links over HTTPS on a network
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM)
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// A reverse proxy on this computer does TLS: listen on loopback only, and count the
        /// address it forwards (X-Forwarded-For) for the rate limit
        #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
        behind_proxy: bool,
    },
}

fn err(e: MethodError) -> anyhow::Error {
    match e {
        MethodError::Form(f) => user_error(f.summary()),
        MethodError::NotFound => {
            user_error("There is no link with that number; see `rekindle share list`.")
        }
        MethodError::Refused(r) => user_error(r.explain()),
        MethodError::Store(s) => s.into(),
    }
}

fn today() -> jiff::civil::Date {
    rekindle_core::method::checkin::local_day(jiff::Timestamp::now(), &jiff::tz::TimeZone::system())
}

fn render_body(vault: &SqliteVault, sections: &str) -> Result<String> {
    let s = Sections::from_keys(sections.split(',').map(str::trim));
    if !s.any() {
        return Err(user_error(
            "Pick at least one section: wrong, changed, record, confirmations (check-in notes are never shared).",
        ));
    }
    let r = report::build(vault, s, today()).map_err(err)?;
    rekindle_web::report_body(r).context("Could not render the report.")
}

pub fn share_cmd(vault: Option<&mut SqliteVault>, data_dir: &Path, cmd: &ShareCmd) -> Result<()> {
    let dir = data_dir.join(rekindle_store::SHARES_DIR);
    let share_box = rekindle_store::ShareDir::new(&dir);
    let now = jiff::Timestamp::now();
    match (cmd, vault) {
        (
            ShareCmd::Create {
                sections,
                days,
                label,
                base,
                json,
            },
            Some(vault),
        ) => {
            let days = share::validate_days(days).map_err(|e| user_error(e.summary()))?;
            let html = render_body(vault, sections)?;
            let r = share::create(vault, &share_box, &html, label, days, now).map_err(err)?;
            let url = format!("{}{}", base.trim_end_matches('/'), r.path());
            if *json {
                let number = share::shares(vault)
                    .map_err(err)?
                    .into_iter()
                    .find(|(_, s)| s.id_hash == r.id_hash)
                    .map(|(id, _)| id);
                return crate::common::print_json(&serde_json::json!({
                    "id": number, "url": url, "label": r.label,
                    "created": r.created, "expires": r.expires,
                }));
            }
            outln!("{url}");
            errln!(
                "Shown only now: send it to them. Serve it with `rekindle share serve --bind …`. Works until {}.",
                r.expires.strftime("%Y-%m-%d")
            );
            Ok(())
        }
        (ShareCmd::List { json }, Some(vault)) => {
            share::sync_confirmations(vault, &share_box, now).map_err(err)?;
            let links = share::shares(vault).map_err(err)?;
            let confirmations = share::confirmations(vault).map_err(err)?;
            if *json {
                let out = serde_json::json!({
                    "links": links.iter().map(|(id, r)| serde_json::json!({
                        "id": id, "label": r.label, "created": r.created, "expires": r.expires,
                        "revoked": r.revoked, "views": share::views(&share_box, r).len(),
                    })).collect::<Vec<_>>(),
                    "confirmations": confirmations,
                });
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&out).context("Could not write JSON.")?
                );
            } else {
                for (id, r) in &links {
                    let state = if r.revoked {
                        "revoked"
                    } else if r.expires <= now {
                        "expired"
                    } else {
                        "active"
                    };
                    outln!(
                        "{id:>3}  {}  until {}  {state}  {} view(s)",
                        r.label,
                        r.expires.strftime("%Y-%m-%d"),
                        share::views(&share_box, r).len()
                    );
                }
                for c in &confirmations {
                    outln!(
                        "confirmed by {} on {}: {}",
                        c.by,
                        c.at.strftime("%Y-%m-%d"),
                        c.milestone
                    );
                }
            }
            Ok(())
        }
        (ShareCmd::Revoke { id, json }, Some(vault)) => {
            share::revoke(vault, &share_box, *id, now).map_err(err)?;
            if *json {
                return crate::common::print_json(&serde_json::json!({"id": id, "revoked": true}));
            }
            outln!("Revoked: the link stopped working now.");
            Ok(())
        }
        (
            ShareCmd::Serve {
                bind,
                tls_cert,
                tls_key,
                behind_proxy,
            },
            _,
        ) => {
            let tls = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some((c.as_path(), k.as_path())),
                _ => None,
            };
            serve(dir, bind, tls, *behind_proxy)
        }
        (_, None) => Err(user_error("This needs the vault.")),
    }
}

fn serve(dir: PathBuf, bind: &str, tls: Option<(&Path, &Path)>, behind_proxy: bool) -> Result<()> {
    let addr: std::net::SocketAddr = bind.parse().map_err(|_| {
        user_error(format!(
            "“{bind}” is not an address and port like 127.0.0.1:8719."
        ))
    })?;
    // Links travel with their key in the fragment; on a network, plain HTTP
    // would let anyone on the way read the page and the key (security.md 36).
    if !addr.ip().is_loopback() && tls.is_none() {
        return Err(user_error(if behind_proxy {
            "Behind a proxy, listen on this computer only (e.g. --bind 127.0.0.1:8719); the proxy faces the network."
        } else {
            "On a network the links must travel over HTTPS: give --tls-cert FILE and --tls-key FILE, or run a TLS proxy in front with --behind-proxy and --bind 127.0.0.1:PORT."
        }));
    }
    let tls = tls
        .map(|(cert, key)| rekindle_web::tls::server_config(cert, key))
        .transpose()
        .map_err(|e| user_error(e.to_string()))?;
    rekindle_store::fsutil::ensure_private_dir(&dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| user_error(format!("Could not listen on {addr}: {e}.")))?;
        let bound = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        outln!("Serving share links only on {scheme}://{bound}/ (press Ctrl+C to stop). Links whose key is missing or revoked show nothing.");
        std::io::stdout().flush().ok();
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match tls {
            Some(config) => {
                let listener = rekindle_web::tls::TlsListener::new(listener, config)?;
                rekindle_web::share_server::serve_shares(listener, dir, false, shutdown).await
            }
            None => {
                rekindle_web::share_server::serve_shares(listener, dir, behind_proxy, shutdown)
                    .await
            }
        }
        .context("The share listener stopped unexpectedly.")
    })
}

/// `rekindle report`: the printable report as a file, or sealed.
pub fn report_cmd(
    vault: &SqliteVault,
    sections: &str,
    out: &Path,
    share_passphrase_file: Option<&Path>,
    json: bool,
) -> Result<()> {
    if out.exists() {
        return Err(user_error(format!(
            "{} already exists; choose a new file name.",
            out.display()
        )));
    }
    let body =
        crate::progress::with_spinner("Writing the report", json, || render_body(vault, sections))?;
    let html = match share_passphrase_file {
        Some(f) => {
            let pass = crate::passphrase_input::from_file(f)?;
            seal::check_share_passphrase(&pass).map_err(|e| user_error(e.summary()))?;
            let sealed = crate::progress::with_spinner("Sealing the report", json, || {
                seal::seal(&body, &pass)
            })
            .map_err(user_error)?;
            let discreet = rekindle_store::Store::settings(vault)
                .map(|s| s.discreet_mode)
                .unwrap_or(true);
            rekindle_web::sealed_file(&sealed, discreet)
                .context("Could not render the sealed file.")?
        }
        None => rekindle_web::printable_report(&body),
    };
    rekindle_store::fsutil::write_atomic(out, html.as_bytes())?;
    if json {
        return crate::common::print_json(&serde_json::json!({
            "file": out.display().to_string(),
            "sections": sections.split(',').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>(),
            "sealed": share_passphrase_file.is_some(),
            "bytes": html.len(),
        }));
    }
    outln!("Wrote {}.", out.display());
    Ok(())
}

/// `rekindle letter`: the draft, or why there is none.
pub fn letter_cmd(vault: &SqliteVault, json: bool, check: Option<&Path>) -> Result<()> {
    let today = today();
    if let Err(r) =
        rekindle_app::letter::gate(vault, &jiff::tz::TimeZone::system(), today).map_err(err)?
    {
        if json {
            outln!(
                "{}",
                serde_json::json!({ "allowed": false, "refusal": r, "explanation": r.explain() })
            );
        }
        return Err(user_error(r.explain()));
    }
    let text = match check {
        Some(f) => crate::letter_commands::read_letter_file(f)?,
        None => {
            rekindle_core::letter::draft(&rekindle_app::letter::facts(vault, today).map_err(err)?)
        }
    };
    let flags = rekindle_app::letter::check(&text);
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "allowed": true, "draft": text, "flags": flags })
            )?
        );
    } else {
        outln!("{text}");
        for f in &flags {
            errln!(
                "Soften: “{}” ({}). {}",
                f.sentence,
                f.horsemen.join(", "),
                f.hints.join(" ")
            );
        }
    }
    Ok(())
}
