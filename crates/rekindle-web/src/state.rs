//! What the server holds between requests: the (possibly locked) vault, the
//! one browser session, and the pending one-time login token.

use std::sync::{Arc, Mutex, MutexGuard};

use jiff::{SignedDuration, Timestamp};
use rekindle_core::settings::{DEFAULT_IDLE_MINUTES, Settings};
use rekindle_store::{DataDir, SqliteVault, Store};

use crate::clock::Clock;
use crate::tokens::{self, TokenHash};

/// Absolute session lifetime, whatever the activity (security.md table).
pub const SESSION_MAX_HOURS: i64 = 12;

pub struct Session {
    pub token: TokenHash,
    /// The synchronizer token every form must carry (CSRF).
    pub csrf: String,
    pub created: Timestamp,
}

pub struct Inner {
    /// `None` while locked: the data key is not in memory then.
    pub vault: Option<SqliteVault>,
    pub session: Option<Session>,
    pub pending_login: Option<TokenHash>,
    /// Cached from the vault so the lock timer works while locked.
    pub idle_minutes: u32,
    pub discreet: bool,
    /// Last request from the signed-in browser (or the unlock time).
    pub last_activity: Timestamp,
    /// The analysis of the post-mortem pages and the key it was made for
    /// (chat, message count, who is who, word lists): a click on a number does
    /// not re-read and re-analyse the whole history. It holds no messages:
    /// pages read the few they show from the vault. Dropped with the data key.
    pub postmortem: Option<(u64, PostmortemCache)>,
    /// A form just posted words of self-harm or danger: the next page shows
    /// the crisis card first (a save that redirects goes to the help lines).
    pub crisis_pending: std::cell::Cell<bool>,
}

/// The stored chat's analysis (no messages), shared between requests.
pub type PostmortemCache = Arc<rekindle_app::postmortem::StoredAnalysis>;

/// Called with a new login URL whenever the old one is used up (the CLI prints it).
pub type Announce = Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

pub struct Shared {
    pub data_dir: DataDir,
    pub port: u16,
    pub clock: Arc<dyn Clock>,
    pub announce: Announce,
    pub inner: Mutex<Inner>,
}

impl AppState {
    pub fn new(
        data_dir: DataDir,
        vault: Option<SqliteVault>,
        port: u16,
        clock: Arc<dyn Clock>,
        announce: Announce,
    ) -> AppState {
        let settings = vault
            .as_ref()
            .and_then(|v| v.settings().ok())
            .unwrap_or_default();
        let last_activity = clock.now();
        AppState(Arc::new(Shared {
            data_dir,
            port,
            clock,
            announce,
            inner: Mutex::new(Inner {
                crisis_pending: std::cell::Cell::new(false),
                vault,
                session: None,
                pending_login: None,
                idle_minutes: settings.idle_lock_minutes,
                discreet: settings.discreet_mode,
                last_activity,
                postmortem: None,
            }),
        }))
    }

    /// A poisoned lock only means another request panicked mid-way; the
    /// data behind it is still consistent (SQLite transactions), so go on.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    /// The person's calendar day now, in this computer's time zone.
    pub fn today(&self) -> jiff::civil::Date {
        rekindle_core::method::checkin::local_day(self.now(), &jiff::tz::TimeZone::system())
    }

    /// Makes a new one-time login token, replacing any earlier one, and
    /// returns the full URL to open.
    pub fn new_login_url(&self) -> std::io::Result<String> {
        let token = tokens::new_token()?;
        self.lock().pending_login = Some(tokens::hash(&token));
        Ok(format!(
            "http://127.0.0.1:{}/login?token={token}",
            self.0.port
        ))
    }

    /// Issues a fresh login URL and hands it to whoever prints it.
    pub fn announce_new_login(&self) {
        match self.new_login_url() {
            Ok(url) => (self.0.announce)(&url),
            Err(_) => tracing::error!(event = "login_token_failed"),
        }
    }

    /// Drops the data key (locks the vault); the session, if any, stays.
    pub fn lock_vault(inner: &mut Inner) {
        // What was read from the vault goes with its key.
        inner.postmortem = None;
        if inner.vault.take().is_some() {
            tracing::info!(event = "vault_locked");
        }
    }

    /// Locks the vault when the idle time has passed, and ends sessions past
    /// their absolute limit. Called on every request and by a timer.
    pub fn expire(&self) {
        let now = self.now();
        let mut inner = self.lock();
        let idle = SignedDuration::from_mins(i64::from(if inner.idle_minutes == 0 {
            DEFAULT_IDLE_MINUTES
        } else {
            inner.idle_minutes
        }));
        let too_old = inner.session.as_ref().is_some_and(|s| {
            now.duration_since(s.created) > SignedDuration::from_hours(SESSION_MAX_HOURS)
        });
        let idle_expired = now.duration_since(inner.last_activity) > idle;
        if too_old {
            inner.session = None;
            Self::lock_vault(&mut inner);
            drop(inner);
            self.announce_new_login();
            return;
        }
        if idle_expired {
            Self::lock_vault(&mut inner);
        }
    }

    pub fn remember_settings(inner: &mut Inner, s: &Settings) {
        inner.idle_minutes = s.idle_lock_minutes;
        inner.discreet = s.discreet_mode;
    }
}
