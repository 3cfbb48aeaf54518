//! What the server holds between requests.
//!
//! Local mode: the (possibly locked) vault, the one browser session and the
//! pending one-time login token, behind one mutex. Hosted mode: nothing
//! between requests; each request's session and store handle are built by the
//! session layer and travel in the request (see [`RequestInner`]).

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

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
    pub vault: Option<OpenStore>,
    pub session: Option<Session>,
    pub pending_login: Option<TokenHash>,
    /// Cached from the vault so the lock timer works while locked.
    pub idle_minutes: u32,
    pub discreet: bool,
    /// The larger-text setting, for every page's frame.
    pub large_text: bool,
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
    /// A form posted while the vault was locked, kept in memory until the
    /// vault is unlocked and it is posted again (`draft.rs`). Never on disk;
    /// gone with the session (quick exit).
    pub draft: Option<crate::draft::Draft>,
    /// An export holding several chats, while the person chooses one
    /// (`pages::chats`). Dropped with the data key.
    pub pending_import: Option<crate::pages::chats::PendingImport>,
    /// Hosted mode: the signed-in account's name and id.
    pub account: Option<String>,
    pub account_id: Option<i64>,
}

/// This session's open store: local mode's SQLCipher vault, or a hosted
/// account's handle. Pages only see the [`Store`] interface (through Deref).
pub enum OpenStore {
    Vault(SqliteVault),
    Hosted(Box<dyn Store + Send>),
}

impl OpenStore {
    /// The local vault, for what only it can do (backups, integrity checks).
    pub fn sqlite(&self) -> Option<&SqliteVault> {
        match self {
            OpenStore::Vault(v) => Some(v),
            OpenStore::Hosted(_) => None,
        }
    }
}

impl std::ops::Deref for OpenStore {
    type Target = dyn Store + Send;

    fn deref(&self) -> &Self::Target {
        match self {
            OpenStore::Vault(v) => v,
            OpenStore::Hosted(s) => s.as_ref(),
        }
    }
}

impl std::ops::DerefMut for OpenStore {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            OpenStore::Vault(v) => v,
            OpenStore::Hosted(s) => s.as_mut(),
        }
    }
}

/// The stored chat's analysis (no messages), shared between requests.
pub type PostmortemCache = Arc<rekindle_app::postmortem::StoredAnalysis>;

/// Called with a new login URL whenever the old one is used up (the CLI prints it).
pub type Announce = Arc<dyn Fn(&str) + Send + Sync>;

/// One request's own session and store handle (hosted mode), put in the
/// request's extensions by the session layer.
#[derive(Clone)]
pub struct RequestInner(pub Arc<Mutex<Inner>>);

/// The app's state as handlers see it: what all requests share, plus, in
/// hosted mode, this request's own session (taken from the request by the
/// extractor below, so `state.lock()` means "this person's data" in both modes).
#[derive(Clone)]
pub struct AppState {
    pub shared: Arc<Shared>,
    request: Option<RequestInner>,
}

pub struct Shared {
    pub clock: Arc<dyn Clock>,
    pub mode: Mode,
    /// Local mode's one vault and session. Unused in hosted mode.
    pub inner: Mutex<Inner>,
}

/// Where the data lives and who may reach it.
pub enum Mode {
    /// One person, one SQLCipher vault, loopback only.
    Local(Local),
    /// Many accounts on PostgreSQL.
    Hosted(crate::hosted::Hosted),
}

pub struct Local {
    pub data_dir: DataDir,
    pub port: u16,
    /// The path every page lives under, chosen at random for each launch
    /// (`/3f9a…`; empty in tests that do not need it). The session cookie is
    /// scoped to it, so a browser never sends the cookie to another server on
    /// 127.0.0.1 (browsers ignore ports for cookies; security.md item 23).
    pub base: String,
    pub announce: Announce,
}

/// A new random path prefix for one launch of `rekindle serve`: `/` and 32
/// hex digits (128 bits).
pub fn random_base() -> std::io::Result<String> {
    Ok(format!("/{}", tokens::new_token()?))
}

impl FromRequestParts<AppState> for AppState {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(state.for_request(&parts.extensions))
    }
}

impl Inner {
    /// A signed-out, locked state (or, with `vault`, an open one).
    pub fn new(vault: Option<OpenStore>, now: Timestamp) -> Inner {
        let settings = vault
            .as_ref()
            .and_then(|v| v.settings().ok())
            .unwrap_or_default();
        Inner {
            crisis_pending: std::cell::Cell::new(false),
            draft: None,
            pending_import: None,
            vault,
            session: None,
            pending_login: None,
            idle_minutes: settings.idle_lock_minutes,
            discreet: settings.discreet_mode,
            large_text: settings.large_text,
            last_activity: now,
            postmortem: None,
            account: None,
            account_id: None,
        }
    }
}

impl AppState {
    /// Local mode: one vault in `data_dir`, served on loopback `port` at the
    /// root path (tests); `rekindle serve` uses [`AppState::new_at`].
    pub fn new(
        data_dir: DataDir,
        vault: Option<SqliteVault>,
        port: u16,
        clock: Arc<dyn Clock>,
        announce: Announce,
    ) -> AppState {
        Self::new_at(data_dir, vault, port, String::new(), clock, announce)
    }

    /// Local mode with every page under `base` (see [`Local::base`] and
    /// [`random_base`]); `base` is empty or `/` followed by URL-safe characters.
    pub fn new_at(
        data_dir: DataDir,
        vault: Option<SqliteVault>,
        port: u16,
        base: String,
        clock: Arc<dyn Clock>,
        announce: Announce,
    ) -> AppState {
        let now = clock.now();
        let vault = vault.map(OpenStore::Vault);
        // Wrong passphrases are counted in the data folder, by this app and
        // the CLI alike, on this app's clock.
        let seconds = clock.clone();
        let data_dir =
            data_dir.with_clock(move || u64::try_from(seconds.now().as_second()).unwrap_or(0));
        AppState {
            shared: Arc::new(Shared {
                clock,
                mode: Mode::Local(Local {
                    data_dir,
                    port,
                    base,
                    announce,
                }),
                inner: Mutex::new(Inner::new(vault, now)),
            }),
            request: None,
        }
    }

    /// Hosted mode: accounts on PostgreSQL.
    pub fn hosted(hosted: crate::hosted::Hosted, clock: Arc<dyn Clock>) -> AppState {
        let now = clock.now();
        AppState {
            shared: Arc::new(Shared {
                clock,
                mode: Mode::Hosted(hosted),
                inner: Mutex::new(Inner::new(None, now)),
            }),
            request: None,
        }
    }

    /// This state as seen by one request: in hosted mode, with the
    /// request's own session (if the session layer found one).
    pub fn for_request(&self, extensions: &axum::http::Extensions) -> AppState {
        AppState {
            shared: self.shared.clone(),
            request: extensions.get::<RequestInner>().cloned(),
        }
    }

    pub fn local(&self) -> Option<&Local> {
        match &self.shared.mode {
            Mode::Local(l) => Some(l),
            Mode::Hosted(_) => None,
        }
    }

    /// The path prefix of every page ("" when there is none; hosted mode
    /// has none).
    pub fn base(&self) -> &str {
        self.local().map_or("", |l| l.base.as_str())
    }

    /// The session cookie's `Path`: the launch's prefix, or `/`.
    pub fn cookie_path(&self) -> &str {
        match self.base() {
            "" => "/",
            base => base,
        }
    }

    pub fn hosted_mode(&self) -> Option<&crate::hosted::Hosted> {
        match &self.shared.mode {
            Mode::Hosted(h) => Some(h),
            Mode::Local(_) => None,
        }
    }

    /// Where this person's share links live: the data folder's `shares`
    /// on this computer, the account's rows on a hosted server. `None`
    /// when hosted and no one is signed in.
    pub fn share_box(&self, inner: &Inner) -> Option<Box<dyn rekindle_store::ShareBox>> {
        match &self.shared.mode {
            Mode::Local(l) => Some(Box::new(rekindle_store::ShareDir::new(
                l.data_dir.path().join(rekindle_store::SHARES_DIR),
            ))),
            Mode::Hosted(h) => inner
                .account_id
                .map(|id| Box::new(h.db.shares_of(id)) as Box<dyn rekindle_store::ShareBox>),
        }
    }

    /// Where a share link points: this server itself when hosted (an ally
    /// opens it over HTTPS on a phone); `None` on this computer, where the
    /// person says where their share listener runs.
    pub fn share_link_base(&self) -> Option<String> {
        self.hosted_mode()
            .and_then(|h| h.config.allowed_hosts.first())
            .map(|host| format!("https://{host}"))
    }

    /// The local data folder (user word lists, share files); `None` when hosted.
    /// Seconds to wait before the next passphrase may be tried, if any:
    /// wrong ones in a row are counted in the data folder (issue 18, item 5),
    /// so the wait holds across restarts of `rekindle serve` and counts the
    /// CLI's wrong tries too; a right one resets it.
    pub fn unlock_wait(&self) -> Option<i64> {
        let wait = self.data_dir()?.unlock_wait();
        (wait > 0).then(|| i64::try_from(wait).unwrap_or(i64::MAX))
    }

    pub fn data_dir(&self) -> Option<&DataDir> {
        self.local().map(|l| &l.data_dir)
    }

    /// This person's session and data: local mode's one, or this request's.
    /// A poisoned lock only means another request panicked mid-way; the
    /// data behind it is still consistent (transactions), so go on.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        let mutex = match &self.request {
            Some(r) => &r.0,
            None => &self.shared.inner,
        };
        mutex.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// The person's calendar day now, in this computer's time zone.
    pub fn today(&self) -> jiff::civil::Date {
        rekindle_core::method::checkin::local_day(self.now(), &jiff::tz::TimeZone::system())
    }

    /// Makes a new one-time login token, replacing any earlier one, and
    /// returns the full URL to open.
    pub fn new_login_url(&self) -> std::io::Result<String> {
        let Some(local) = self.local() else {
            return Err(std::io::Error::other("no one-time links in hosted mode"));
        };
        let token = tokens::new_token()?;
        self.lock().pending_login = Some(tokens::hash(&token));
        Ok(format!(
            "http://127.0.0.1:{}{}/login?token={token}",
            local.port, local.base
        ))
    }

    /// Issues a fresh login URL and hands it to whoever prints it (local mode).
    pub fn announce_new_login(&self) {
        let Some(local) = self.local() else { return };
        match self.new_login_url() {
            Ok(url) => (local.announce)(&url),
            Err(_) => tracing::error!(event = "login_token_failed"),
        }
    }

    /// Drops the data key (locks the vault); the session, if any, stays.
    pub fn lock_vault(inner: &mut Inner) {
        // What was read from the vault goes with its key.
        inner.postmortem = None;
        inner.pending_import = None;
        if inner.vault.take().is_some() {
            tracing::info!(event = "vault_locked");
        }
    }

    /// Locks the vault when the idle time has passed, and ends sessions past
    /// their absolute limit. Called on every request and by a timer.
    pub fn expire(&self) {
        if self.local().is_none() {
            // Hosted sessions expire in the database (idle and absolute limits).
            return;
        }
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
            inner.draft = None;
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
        inner.large_text = s.large_text;
    }
}
