//! `rekindle host …`: running rekindle for many people on PostgreSQL.
//! The operator's commands see accounts (names, dates, flags), never content.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rekindle_store_pg::{HostedDb, HostedOptions};
use serde::Deserialize;

use crate::commands::user_error;

#[derive(Args)]
pub struct HostCmd {
    /// The PostgreSQL database, e.g. postgres://rekindle@localhost/rekindle or, over the
    /// Unix socket, postgresql://rekindle@%2Fvar%2Frun%2Fpostgresql/rekindle
    #[arg(
        long,
        global = true,
        env = "REKINDLE_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database: Option<String>,

    /// A TOML file with the settings below (flags and REKINDLE_* variables win over it)
    #[arg(long, global = true, env = "REKINDLE_HOST_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// The database role the app works as (no BYPASSRLS, owns no table) [default: rekindle_app]
    #[arg(long, global = true, env = "REKINDLE_APP_ROLE", value_name = "ROLE")]
    app_role: Option<String>,

    #[command(subcommand)]
    action: HostAction,
}

#[derive(Subcommand)]
enum HostAction {
    /// Create or update the database tables (safe to run again; one process at a time)
    Init,
    /// Serve rekindle to many people over HTTPS (or behind a TLS proxy)
    Serve(ServeArgs),
    /// Print a one-time invitation link for one new account (valid 7 days)
    Invite {
        /// A note for yourself (who it is for); stored with the invitation, never shown to others
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// The public address people open, e.g. https://rekindle.example.org [default: https:// + the first --host]
        #[arg(long, env = "REKINDLE_PUBLIC_URL", value_name = "URL")]
        url: Option<String>,
    },
    /// List, disable, enable or delete accounts (never their content)
    #[command(subcommand)]
    Accounts(AccountsAction),
}

#[derive(Subcommand)]
enum AccountsAction {
    /// Every account: name, created, last seen, disabled, consent version
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop an account from signing in (its data stays)
    Disable { name: String },
    /// Let a disabled account sign in again
    Enable { name: String },
    /// Delete an account: its key is destroyed first, then its data. Cannot be undone.
    Delete {
        name: String,
        /// Confirm: without it nothing is deleted
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on, e.g. 0.0.0.0:443 or 127.0.0.1:8080 behind a proxy
    #[arg(long, env = "REKINDLE_LISTEN", value_name = "ADDR:PORT")]
    listen: Option<SocketAddr>,
    /// The TLS certificate chain (PEM), e.g. /etc/letsencrypt/live/NAME/fullchain.pem
    #[arg(long, env = "REKINDLE_TLS_CERT", value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM)
    #[arg(long, env = "REKINDLE_TLS_KEY", value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP to a reverse proxy that does TLS (listen on loopback only)
    #[arg(long, env = "REKINDLE_BEHIND_PROXY")]
    behind_proxy: bool,
    /// A host name (with :port if not 443) people use to reach this server; repeat for more
    #[arg(
        long = "host",
        env = "REKINDLE_HOSTS",
        value_delimiter = ',',
        value_name = "NAME"
    )]
    hosts: Vec<String>,
    /// Database connections per app process
    #[arg(long, env = "REKINDLE_POOL_SIZE", value_name = "N")]
    pool_size: Option<u32>,
}

/// The optional configuration file (`--config`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    database: Option<String>,
    app_role: Option<String>,
    listen: Option<SocketAddr>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    behind_proxy: Option<bool>,
    hosts: Option<Vec<String>>,
    pool_size: Option<u32>,
    public_url: Option<String>,
}

fn read_config(path: Option<&Path>) -> Result<ConfigFile> {
    let Some(path) = path else {
        return Ok(ConfigFile::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| user_error(format!("Could not read {}: {e}.", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        user_error(format!(
            "{} is not a valid configuration file: {}",
            path.display(),
            e.message()
        ))
    })
}

const DEFAULT_APP_ROLE: &str = "rekindle_app";

struct Settings {
    database: String,
    app_role: String,
    file: ConfigFile,
}

fn settings(cmd: &HostCmd) -> Result<Settings> {
    let file = read_config(cmd.config.as_deref())?;
    let database = cmd
        .database
        .clone()
        .or_else(|| file.database.clone())
        .ok_or_else(|| {
            user_error(
                "Which database? Give --database postgres://USER@HOST/DB (or set REKINDLE_DATABASE_URL).",
            )
        })?;
    let app_role = cmd
        .app_role
        .clone()
        .or_else(|| file.app_role.clone())
        .unwrap_or_else(|| DEFAULT_APP_ROLE.to_string());
    Ok(Settings {
        database,
        app_role,
        file,
    })
}

fn connect(s: &Settings, pool_size: Option<u32>) -> Result<HostedDb> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = HostedOptions {
        pool_size: pool_size.unwrap_or(16),
        app_role: s.app_role.clone(),
        hash_concurrency: cores,
    };
    HostedDb::connect(&s.database, &options).map_err(|e| {
        user_error(format!(
            "Could not use the database: {e}. Check --database, and run `rekindle host init` once first."
        ))
    })
}

pub fn run(cmd: &HostCmd) -> Result<()> {
    let s = settings(cmd)?;
    match &cmd.action {
        HostAction::Init => {
            HostedDb::migrate(&s.database, &s.app_role)
                .map_err(|e| user_error(format!("Could not set up the database: {e}.")))?;
            outln!(
                "The database is ready. The app works as the role '{}'. Next: `rekindle host invite`, then `rekindle host serve`.",
                s.app_role
            );
            Ok(())
        }
        HostAction::Invite { note, url } => {
            let db = connect(&s, Some(1))?;
            let base = url
                .clone()
                .or_else(|| s.file.public_url.clone())
                .or_else(|| {
                    s.file
                        .hosts
                        .as_ref()
                        .and_then(|h| h.first())
                        .map(|h| format!("https://{h}"))
                })
                .ok_or_else(|| {
                    user_error("Which address do people open? Give --url https://NAME (or public_url in the config file).")
                })?;
            let token = db
                .invite(note.as_deref(), jiff::Timestamp::now())
                .context("Could not create the invitation.")?;
            outln!("{}/signup?invite={token}", base.trim_end_matches('/'));
            errln!(
                "This link makes one account and expires in 7 days. Send it privately: whoever has it can sign up."
            );
            Ok(())
        }
        HostAction::Accounts(action) => accounts(&s, action),
        HostAction::Serve(args) => serve(&s, args),
    }
}

fn accounts(s: &Settings, action: &AccountsAction) -> Result<()> {
    let db = connect(s, Some(1))?;
    match action {
        AccountsAction::List { json } => {
            let list = db.accounts().context("Could not list the accounts.")?;
            if *json {
                let rows: Vec<serde_json::Value> = list
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "id": a.id,
                            "name": a.username,
                            "created": a.created.to_string(),
                            "last_seen": a.last_seen.map(|t| t.to_string()),
                            "disabled": a.disabled,
                            "consent_version": a.consent_version,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::Value::Array(rows));
            } else if list.is_empty() {
                outln!("No accounts yet. Make one with `rekindle host invite`.");
            } else {
                for a in &list {
                    outln!(
                        "{}\tcreated {}\tlast seen {}\t{}",
                        a.username,
                        a.created.strftime("%Y-%m-%d"),
                        a.last_seen.map_or_else(
                            || "never".to_string(),
                            |t| t.strftime("%Y-%m-%d").to_string()
                        ),
                        if a.disabled { "disabled" } else { "active" }
                    );
                }
            }
            Ok(())
        }
        AccountsAction::Disable { name } | AccountsAction::Enable { name } => {
            let disable = matches!(action, AccountsAction::Disable { .. });
            if !db
                .set_disabled(name, disable)
                .context("Could not change the account.")?
            {
                return Err(user_error(format!("There is no account called '{name}'.")));
            }
            outln!(
                "{name} is {}.",
                if disable {
                    "disabled: it cannot sign in, and its sessions ended"
                } else {
                    "enabled again"
                }
            );
            Ok(())
        }
        AccountsAction::Delete { name, yes } => {
            if !yes {
                return Err(user_error(format!(
                    "Deleting '{name}' destroys its key and all its data for good. Run again with --yes to do it."
                )));
            }
            if !db
                .delete_account_by_operator(name)
                .context("Could not delete the account.")?
            {
                return Err(user_error(format!("There is no account called '{name}'.")));
            }
            outln!("{name} is deleted: its key was destroyed first, then its data.");
            Ok(())
        }
    }
}

fn serve(s: &Settings, args: &ServeArgs) -> Result<()> {
    let f = &s.file;
    let listen = args.listen.or(f.listen).ok_or_else(|| {
        user_error("Where should it listen? Give --listen ADDR:PORT, e.g. 0.0.0.0:443.")
    })?;
    let hosts: Vec<String> = if args.hosts.is_empty() {
        f.hosts.clone().unwrap_or_default()
    } else {
        args.hosts.clone()
    };
    if hosts.is_empty() {
        return Err(user_error(
            "Which names will people use to reach it? Give --host NAME (e.g. rekindle.example.org); other names are refused.",
        ));
    }
    let behind_proxy = args.behind_proxy || f.behind_proxy.unwrap_or(false);
    let cert = args.tls_cert.clone().or_else(|| f.tls_cert.clone());
    let key = args.tls_key.clone().or_else(|| f.tls_key.clone());
    let tls = match (cert, key, behind_proxy) {
        (Some(c), Some(k), false) => {
            Some(rekindle_web::tls::server_config(&c, &k).map_err(|e| user_error(e.to_string()))?)
        }
        (None, None, true) => {
            if !listen.ip().is_loopback() {
                return Err(user_error(
                    "Behind a proxy, listen on loopback only (e.g. --listen 127.0.0.1:8080), so nobody reaches the app without TLS.",
                ));
            }
            None
        }
        (_, _, true) => {
            return Err(user_error(
                "Choose one: --tls-cert and --tls-key (rekindle does TLS), or --behind-proxy (the proxy does).",
            ));
        }
        _ => {
            return Err(user_error(
                "Hosted mode needs HTTPS: give --tls-cert FILE and --tls-key FILE, or --behind-proxy with a proxy that does TLS.",
            ));
        }
    };
    let db = connect(s, args.pool_size.or(f.pool_size))?;
    let hosted = rekindle_web::hosted::Hosted::new(
        db,
        rekindle_web::hosted::HostedConfig {
            allowed_hosts: hosts.clone(),
        },
    );
    let state = rekindle_web::AppState::hosted(hosted, Arc::new(rekindle_web::SystemClock));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("Could not start the web server.")?;
    runtime.block_on(async move {
        let tcp = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| user_error(format!("Could not listen on {listen}: {e}.")))?;
        let bound = tcp.local_addr().context("Could not read the server address.")?;
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match tls {
            Some(config) => {
                outln!("rekindle (hosted) is serving https://{} on {bound}.", hosts[0]);
                let listener = rekindle_web::tls::TlsListener::new(tcp, config)
                    .context("Could not start TLS.")?;
                rekindle_web::serve_on(listener, state, shutdown).await
            }
            None => {
                outln!("rekindle (hosted) is serving plain HTTP on {bound} for the TLS proxy of https://{}.", hosts[0]);
                rekindle_web::serve_on(tcp, state, shutdown).await
            }
        }
        .context("The web server stopped unexpectedly.")?;
        outln!("rekindle stopped.");
        Ok(())
    })
}
