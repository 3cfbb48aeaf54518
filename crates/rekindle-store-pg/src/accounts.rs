//! Hosted accounts: invitations, sign-up, sign-in with throttling, sessions
//! that carry the data key wrapped under a secret only the cookie holds,
//! password change (an O(1) re-wrap), erasure by crypto-shredding, consent.
//!
//! Keys (CRYPTO.md): per account a random 256-bit data key (DEK), stored
//! wrapped by Argon2id(password) (m = 19456 KiB, t = 2, p = 1, 16-byte salt).
//! Per session a random 256-bit token (the cookie): the database keeps
//! SHA-256(token) and the DEK wrapped by HMAC-SHA256(token, label), so a dump
//! plus the server's configuration opens nothing without a live cookie.

use std::sync::{Arc, Condvar, Mutex};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use jiff::Timestamp;
use postgres::Transaction;
use rekindle_store::KdfParams;
use zeroize::Zeroizing;

use crate::db::{self, Pool, blocking, in_owner_tx};
use crate::seal::{SecretKey, hmac, random, sha256, unwrap_key, wrap_key};
use crate::{AccountError, PgError, PgStore};

/// Argon2id cost for account passwords (security.md table: the floor
/// m = 19 MiB, t = 2, p = 1, so that many sign-ins can run at once).
pub const ACCOUNT_KDF: KdfParams = KdfParams {
    memory_kib: 19_456,
    iterations: 2,
    parallelism: 1,
};
/// An invitation is valid this long.
pub const INVITATION_VALID_MS: i64 = 7 * 24 * 3600 * 1000;
/// A session ends after this long without a request...
pub const SESSION_IDLE_MS: i64 = 15 * 60 * 1000;
/// ...and this long after sign-in in any case.
pub const SESSION_MAX_MS: i64 = 12 * 3600 * 1000;
/// Failed sign-ins per username allowed without delay in a window.
pub const FREE_FAILURES: i32 = 5;
/// At most this many failed sign-ins per username per hour.
pub const MAX_FAILURES_PER_HOUR: i32 = 100;
/// The longest delay the exponential backoff asks for.
pub const MAX_BACKOFF_MS: i64 = 15 * 60 * 1000;
const HOUR_MS: i64 = 3600 * 1000;

/// How a [`HostedDb`] connects.
#[derive(Debug, Clone)]
pub struct HostedOptions {
    /// Connections in the pool.
    pub pool_size: u32,
    /// The role every connection acts as (`SET ROLE`); see [`HostedDb::migrate`].
    pub app_role: String,
    /// Argon2id hashes that may run at once (each takes 19 MiB and a core).
    pub hash_concurrency: usize,
}

impl Default for HostedOptions {
    fn default() -> Self {
        HostedOptions {
            pool_size: 8,
            app_role: "rekindle_app".into(),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A fresh sign-in: the cookie value (shown once, never stored), the form
/// token for this session, and the account.
pub struct SignedIn {
    pub session_token: String,
    pub csrf: String,
    pub account_id: i64,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// A live session, opened for one request: the account and its store.
#[derive(Debug)]
pub struct Opened {
    pub account_id: i64,
    pub username: String,
    pub csrf: String,
    /// When the account was created.
    pub created: Timestamp,
    pub crisis_pending: bool,
    pub consent_version: Option<u32>,
    pub store: PgStore,
}

/// What the operator may see of an account: never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: i64,
    pub username: String,
    pub created: Timestamp,
    pub last_seen: Option<Timestamp>,
    pub disabled: bool,
    pub consent_version: Option<u32>,
}

/// A counting semaphore bounding concurrent Argon2id hashes.
struct Semaphore {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Semaphore);

impl Semaphore {
    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

struct Inner {
    pool: Pool,
    hashes: Semaphore,
    /// For unknown usernames: hashed against this salt and "unwrapped"
    /// against this blob, so the answer and its cost match a real account's.
    dummy_salt: [u8; 16],
    dummy_wrapped: Vec<u8>,
}

/// The hosted database: a connection pool acting as the app role, and the
/// account operations. Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct HostedDb {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HostedDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostedDb").finish_non_exhaustive()
    }
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn ts(ms: i64) -> Result<Timestamp, PgError> {
    Timestamp::from_millisecond(ms).map_err(|_| PgError::Corrupt)
}

/// Lowercased and checked: 3 to 32 of `a-z 0-9 . _ -`, starting with a letter or digit.
fn normalise_username(raw: &str) -> Option<String> {
    let name = raw.to_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    ok.then_some(name)
}

fn derive_kek(password: &str, salt: &[u8], params: KdfParams) -> Result<SecretKey, PgError> {
    params.check().map_err(|_| PgError::Corrupt)?;
    let p = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|_| PgError::Corrupt)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|_| PgError::Corrupt)?;
    Ok(out)
}

fn account_key_aad(account_id: i64, p: &KdfParams) -> Vec<u8> {
    format!(
        "rekindle-pg/v1/account-key\0{account_id}\0argon2id/m={}/t={}/p={}",
        p.memory_kib, p.iterations, p.parallelism
    )
    .into_bytes()
}

/// What a session token gives: the row id (its SHA-256), the key wrapping
/// the session's copy of the DEK, and the form token.
struct TokenKeys {
    id_hash: [u8; 32],
    wrap: SecretKey,
    csrf: String,
}

fn token_keys(token: &str) -> Option<TokenKeys> {
    let raw = Zeroizing::new(B64URL.decode(token).ok()?);
    if raw.len() != 32 {
        return None;
    }
    Some(TokenKeys {
        id_hash: sha256(token.as_bytes()),
        wrap: Zeroizing::new(hmac(&raw, &[b"rekindle-pg/v1/session-key"])),
        csrf: B64URL.encode(hmac(&raw, &[b"rekindle-pg/v1/csrf"])),
    })
}

fn session_aad(account_id: i64, id_hash: &[u8]) -> Vec<u8> {
    format!(
        "rekindle-pg/v1/session\0{account_id}\0{}",
        hex::encode(id_hash)
    )
    .into_bytes()
}

/// The account row needed to check a password.
struct KeyRow {
    id: i64,
    params: KdfParams,
    salt: Vec<u8>,
    wrapped: Vec<u8>,
    disabled: bool,
}

fn key_row(r: &postgres::Row) -> Result<Option<KeyRow>, PgError> {
    let (salt, wrapped): (Option<Vec<u8>>, Option<Vec<u8>>) = (r.get(4), r.get(5));
    let (Some(salt), Some(wrapped)) = (salt, wrapped) else {
        // Shredded: the account is being erased.
        return Ok(None);
    };
    let param = |i: usize| u32::try_from(r.get::<_, i32>(i)).map_err(|_| PgError::Corrupt);
    Ok(Some(KeyRow {
        id: r.get(0),
        params: KdfParams {
            memory_kib: param(1)?,
            iterations: param(2)?,
            parallelism: param(3)?,
        },
        salt,
        wrapped,
        disabled: r.get(6),
    }))
}

const KEY_ROW_COLUMNS: &str = "id, kdf_m, kdf_t, kdf_p, kdf_salt, wrapped_key, disabled";

impl HostedDb {
    /// Creates or updates the schema and the app role `app_role` (NOLOGIN,
    /// NOBYPASSRLS, owning nothing; grant it to the login role the app
    /// connects with), in one transaction under an advisory lock. Run it with
    /// the URL of the role that owns the tables.
    pub fn migrate(owner_url: &str, app_role: &str) -> Result<(), PgError> {
        db::migrate(owner_url, app_role)
    }

    /// Connects a pool acting as `opts.app_role`. Refuses a database whose
    /// schema is missing, older or newer than this build.
    pub fn connect(url: &str, opts: &HostedOptions) -> Result<HostedDb, PgError> {
        let pool = db::pool(url, &opts.app_role, opts.pool_size)?;
        let dummy_key = Zeroizing::new(random::<32>()?);
        let dummy_wrapped = wrap_key(&dummy_key, &random::<32>()?, b"rekindle-pg/v1/dummy")?;
        Ok(HostedDb {
            inner: Arc::new(Inner {
                pool,
                hashes: Semaphore {
                    free: Mutex::new(opts.hash_concurrency.max(1)),
                    freed: Condvar::new(),
                },
                dummy_salt: random()?,
                dummy_wrapped,
            }),
        })
    }

    /// Runs `work` on a pooled connection, off the async workers.
    pub(crate) fn pool(&self) -> &db::Pool {
        &self.inner.pool
    }

    fn with_conn<T, E: From<PgError>>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, E>,
    ) -> Result<T, E> {
        blocking(|| {
            let mut conn = self.inner.pool.get().map_err(PgError::from)?;
            work(&mut conn)
        })
    }

    /// Runs `work` on a pooled connection (acting as the app role), outside
    /// any owner's transaction: for the tests of row-level security.
    #[doc(hidden)]
    pub fn with_pooled_connection<T>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> T,
    ) -> Result<T, PgError> {
        self.with_conn(|c| Ok::<_, PgError>(work(c)))
    }

    /// Argon2id under the semaphore, off the async workers.
    fn kek(&self, password: &str, salt: &[u8], params: KdfParams) -> Result<SecretKey, PgError> {
        blocking(|| {
            let _permit = self.inner.hashes.acquire();
            derive_kek(password, salt, params)
        })
    }

    /// A one-time invitation token (256 random bits, base64url), valid
    /// seven days; only its SHA-256 is stored.
    pub fn invite(&self, note: Option<&str>, now: Timestamp) -> Result<String, PgError> {
        let token = B64URL.encode(random::<32>()?);
        let hash = sha256(token.as_bytes());
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO invitations (token_hash, note, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
                &[&hash.as_slice(), &note, &ms(now), &(ms(now) + INVITATION_VALID_MS)],
            )?;
            Ok::<_, PgError>(())
        })?;
        tracing::info!(event = "invitation_created");
        Ok(token)
    }

    /// Creates an account with an invitation (used once, even by two
    /// sign-ups at the same moment) and signs it in.
    pub fn sign_up(
        &self,
        invitation: &str,
        username: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<SignedIn, AccountError> {
        let username = normalise_username(username).ok_or(AccountError::UsernameInvalid)?;
        rekindle_core::passphrase::check_new(password, None)
            .map_err(|p| AccountError::PasswordRules(p.to_string()))?;
        let invitation_hash = sha256(invitation.as_bytes());
        // Cheap checks first, so a doomed sign-up costs no hash.
        let (invitation_ok, taken) = self.with_conn(|c| {
            let inv: bool = c
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM invitations WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2)",
                    &[&invitation_hash.as_slice(), &ms(now)],
                )?
                .get(0);
            let taken: bool = c
                .query_one("SELECT EXISTS (SELECT 1 FROM accounts WHERE username = $1)", &[&username])?
                .get(0);
            Ok::<_, PgError>((inv, taken))
        })?;
        if !invitation_ok {
            return Err(AccountError::InvitationInvalid);
        }
        if taken {
            return Err(AccountError::UsernameTaken);
        }
        let salt = random::<16>()?;
        let kek = self.kek(password, &salt, ACCOUNT_KDF)?;
        let dek = Zeroizing::new(random::<32>()?);
        let signed_in = self.with_conn(|c| {
            let mut tx = c.transaction()?;
            // Consumed atomically: a second sign-up with the same invitation
            // waits for this row lock, then finds it used.
            let consumed = tx.execute(
                "UPDATE invitations SET used_at_ms = $2
                 WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2",
                &[&invitation_hash.as_slice(), &ms(now)],
            )?;
            if consumed == 0 {
                return Err(AccountError::InvitationInvalid);
            }
            let p = ACCOUNT_KDF;
            let inserted = tx.query_one(
                "INSERT INTO accounts (username, created_at_ms, last_seen_ms, kdf_salt, kdf_m, kdf_t, kdf_p)
                 VALUES ($1, $2, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &username,
                    &ms(now),
                    &salt.as_slice(),
                    &(p.memory_kib as i32),
                    &(p.iterations as i32),
                    &(p.parallelism as i32),
                ],
            );
            let account_id: i64 = match inserted {
                Ok(r) => r.get(0),
                Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    return Err(AccountError::UsernameTaken);
                }
                Err(e) => return Err(e.into()),
            };
            let wrapped = wrap_key(&kek, &dek, &account_key_aad(account_id, &p))?;
            tx.execute(
                "UPDATE accounts SET wrapped_key = $2 WHERE id = $1",
                &[&account_id, &wrapped],
            )?;
            tx.execute(
                "UPDATE invitations SET used_by = $2 WHERE token_hash = $1",
                &[&invitation_hash.as_slice(), &account_id],
            )?;
            let signed_in = new_session(&mut tx, account_id, &dek, now)?;
            tx.commit()?;
            Ok(signed_in)
        })?;
        tracing::info!(event = "signed_up", account = signed_in.account_id);
        Ok(signed_in)
    }

    /// Counts an attempt for `username` before its hash runs (so parallel
    /// guesses are counted too), or refuses it while the backoff lasts.
    fn reserve_attempt(&self, username: &str, now: Timestamp) -> Result<(), AccountError> {
        let now = ms(now);
        self.with_conn(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO login_throttle (username, failures, window_start_ms, next_allowed_ms)
                 VALUES ($1, 0, $2, $2) ON CONFLICT (username) DO NOTHING",
                &[&username, &now],
            )?;
            let r = tx.query_one(
                "SELECT failures, window_start_ms, next_allowed_ms FROM login_throttle WHERE username = $1 FOR UPDATE",
                &[&username],
            )?;
            let (mut failures, mut window_start, next_allowed): (i32, i64, i64) =
                (r.get(0), r.get(1), r.get(2));
            if next_allowed > now {
                let wait_ms = (next_allowed - now) as u64;
                return Err(AccountError::Throttled {
                    retry_after_secs: wait_ms.div_ceil(1000).max(1),
                });
            }
            if now - window_start >= HOUR_MS {
                failures = 0;
                window_start = now;
            }
            failures += 1;
            let next_allowed = if failures >= MAX_FAILURES_PER_HOUR {
                window_start + HOUR_MS
            } else if failures >= FREE_FAILURES {
                let exp = (failures - FREE_FAILURES).min(20) as u32;
                now + (1000_i64 << exp).min(MAX_BACKOFF_MS)
            } else {
                now
            };
            tx.execute(
                "UPDATE login_throttle SET failures = $2, window_start_ms = $3, next_allowed_ms = $4 WHERE username = $1",
                &[&username, &failures, &window_start, &next_allowed],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Forgets the failures of `username` after a success, and every
    /// username's whose window and backoff are over (so guessed usernames do
    /// not pile up).
    fn clear_attempts(&self, username: &str, now: Timestamp) -> Result<(), PgError> {
        self.with_conn(|c| {
            c.execute(
                "DELETE FROM login_throttle WHERE username = $1
                 OR (window_start_ms < $2::bigint - $3::bigint AND next_allowed_ms < $2::bigint)",
                &[&username, &ms(now), &HOUR_MS],
            )?;
            Ok(())
        })
    }

    /// Checks `password` for `username`: the data key and the account, or
    /// `WrongCredentials` after the same Argon2id cost whether or not the
    /// account exists.
    fn check_password(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(KeyRow, SecretKey), AccountError> {
        let row = self.with_conn(|c| {
            let r = c.query_opt(
                &format!("SELECT {KEY_ROW_COLUMNS} FROM accounts WHERE username = $1"),
                &[&username],
            )?;
            r.map(|r| key_row(&r)).transpose().map(Option::flatten)
        })?;
        match row {
            Some(row) => {
                let kek = self.kek(password, &row.salt, row.params)?;
                match unwrap_key(&kek, &row.wrapped, &account_key_aad(row.id, &row.params)) {
                    Some(dek) => Ok((row, dek)),
                    None => Err(AccountError::WrongCredentials),
                }
            }
            None => {
                let kek = self.kek(password, &self.inner.dummy_salt, ACCOUNT_KDF)?;
                let _ = unwrap_key(&kek, &self.inner.dummy_wrapped, b"rekindle-pg/v1/dummy");
                Err(AccountError::WrongCredentials)
            }
        }
    }

    /// Signs in: the same answer, after the same Argon2id cost, whether or
    /// not the account exists; failures are throttled per username in the
    /// database (shared by every app process).
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<SignedIn, AccountError> {
        let username = username.to_lowercase();
        self.reserve_attempt(&username, now)?;
        let (row, dek) = match self.check_password(&username, password) {
            Ok(found) => found,
            Err(e) => {
                tracing::info!(event = "sign_in_failed");
                return Err(e);
            }
        };
        self.clear_attempts(&username, now)?;
        if row.disabled {
            tracing::info!(event = "sign_in_disabled", account = row.id);
            return Err(AccountError::Disabled);
        }
        let signed_in = self.with_conn(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "UPDATE accounts SET last_seen_ms = $2 WHERE id = $1",
                &[&row.id, &ms(now)],
            )?;
            let s = new_session(&mut tx, row.id, &dek, now)?;
            tx.commit()?;
            Ok::<_, PgError>(s)
        })?;
        tracing::info!(event = "signed_in", account = row.id);
        Ok(signed_in)
    }

    /// The live session of `session_token`, with the account's store; `None`
    /// when the token is unknown, idle more than 15 minutes, older than 12
    /// hours or its account disabled (such a session is deleted).
    pub fn open(&self, session_token: &str, now: Timestamp) -> Result<Option<Opened>, PgError> {
        let Some(keys) = token_keys(session_token) else {
            return Ok(None);
        };
        let found = self.with_conn(|c| {
            let mut tx = c.transaction()?;
            let Some(r) = tx.query_opt(
                "SELECT s.account_id, s.wrapped_key, s.created_at_ms, s.last_seen_ms, s.crisis_pending,
                        a.username, a.created_at_ms, a.consent_version, a.disabled
                 FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.id_hash = $1 FOR UPDATE OF s",
                &[&keys.id_hash.as_slice()],
            )?
            else {
                return Ok(None);
            };
            let (created, last_seen): (i64, i64) = (r.get(2), r.get(3));
            let disabled: bool = r.get(8);
            let now_ms = ms(now);
            if disabled || now_ms - last_seen > SESSION_IDLE_MS || now_ms - created > SESSION_MAX_MS
            {
                tx.execute("DELETE FROM sessions WHERE id_hash = $1", &[&keys.id_hash.as_slice()])?;
                tx.commit()?;
                tracing::info!(event = "session_expired");
                return Ok(None);
            }
            tx.execute(
                "UPDATE sessions SET last_seen_ms = $2 WHERE id_hash = $1",
                &[&keys.id_hash.as_slice(), &now_ms],
            )?;
            let account_id: i64 = r.get(0);
            tx.execute(
                "UPDATE accounts SET last_seen_ms = greatest(last_seen_ms, $2) WHERE id = $1",
                &[&account_id, &now_ms],
            )?;
            tx.commit()?;
            Ok::<_, PgError>(Some(r))
        })?;
        let Some(r) = found else {
            return Ok(None);
        };
        let account_id: i64 = r.get(0);
        let wrapped: Vec<u8> = r.get(1);
        let dek = unwrap_key(
            &keys.wrap,
            &wrapped,
            &session_aad(account_id, &keys.id_hash),
        )
        .ok_or(PgError::Corrupt)?;
        let consent: Option<i32> = r.get(7);
        Ok(Some(Opened {
            account_id,
            username: r.get(5),
            csrf: keys.csrf,
            created: ts(r.get(6))?,
            crisis_pending: r.get(4),
            consent_version: consent.and_then(|v| u32::try_from(v).ok()),
            store: PgStore::new(self.inner.pool.clone(), account_id, dek),
        }))
    }

    /// Ends one session (its row, and with it the session's wrapped key).
    pub fn sign_out(&self, session_token: &str) -> Result<(), PgError> {
        let Some(keys) = token_keys(session_token) else {
            return Ok(());
        };
        self.with_conn(|c| {
            c.execute(
                "DELETE FROM sessions WHERE id_hash = $1",
                &[&keys.id_hash.as_slice()],
            )?;
            Ok::<_, PgError>(())
        })?;
        tracing::info!(event = "signed_out");
        Ok(())
    }

    /// The account of a session token, without the expiry checks of `open`.
    fn session_account(&self, session_token: &str) -> Result<Option<(i64, String)>, PgError> {
        let Some(keys) = token_keys(session_token) else {
            return Ok(None);
        };
        self.with_conn(|c| {
            Ok(c.query_opt(
                "SELECT a.id, a.username FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = $1",
                &[&keys.id_hash.as_slice()],
            )?
            .map(|r| (r.get(0), r.get(1))))
        })
    }

    /// Re-wraps the data key under the new password (the content is not
    /// touched), ends every session of the account and opens a fresh one.
    pub fn change_password(
        &self,
        session_token: &str,
        old: &str,
        new: &str,
        now: Timestamp,
    ) -> Result<SignedIn, AccountError> {
        let (account_id, username) = match self.open(session_token, now)? {
            Some(o) => (o.account_id, o.username),
            None => return Err(AccountError::SessionEnded),
        };
        rekindle_core::passphrase::check_new(new, None)
            .map_err(|p| AccountError::PasswordRules(p.to_string()))?;
        self.reserve_attempt(&username, now)?;
        let (row, dek) = self.check_password(&username, old)?;
        self.clear_attempts(&username, now)?;
        if row.id != account_id {
            return Err(AccountError::WrongCredentials);
        }
        let salt = random::<16>()?;
        let kek = self.kek(new, &salt, ACCOUNT_KDF)?;
        let p = ACCOUNT_KDF;
        let wrapped = wrap_key(&kek, &dek, &account_key_aad(account_id, &p))?;
        let signed_in = self.with_conn(|c| {
            let mut tx = c.transaction()?;
            let changed = tx.execute(
                "UPDATE accounts SET kdf_salt = $3, kdf_m = $4, kdf_t = $5, kdf_p = $6, wrapped_key = $7
                 WHERE id = $1 AND wrapped_key = $2",
                &[
                    &account_id,
                    &row.wrapped,
                    &salt.as_slice(),
                    &(p.memory_kib as i32),
                    &(p.iterations as i32),
                    &(p.parallelism as i32),
                    &wrapped,
                ],
            )?;
            if changed == 0 {
                // Changed (or erased) by another request meanwhile.
                return Err(AccountError::WrongCredentials);
            }
            tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&account_id])?;
            let s = new_session(&mut tx, account_id, &dek, now)?;
            tx.commit()?;
            Ok(s)
        })?;
        tracing::info!(event = "password_changed", account = account_id);
        Ok(signed_in)
    }

    /// Erases the account of this session after checking its password: the
    /// wrapped keys go first (crypto-shredding: backups no longer decrypt),
    /// then every row. Wrong passwords are throttled as sign-ins are.
    pub fn delete_account(&self, session_token: &str, password: &str) -> Result<(), AccountError> {
        let Some((account_id, username)) = self.session_account(session_token)? else {
            return Err(AccountError::SessionEnded);
        };
        // The one call without an injected clock: throttling needs a time.
        let now = Timestamp::now();
        self.reserve_attempt(&username, now)?;
        let (row, _dek) = self.check_password(&username, password)?;
        if row.id != account_id {
            return Err(AccountError::WrongCredentials);
        }
        self.erase(account_id)?;
        self.clear_attempts(&username, now)?;
        tracing::info!(event = "account_deleted", account = account_id);
        Ok(())
    }

    /// Shreds the account's keys (committed on their own, first), then
    /// deletes every row it owns.
    fn erase(&self, account_id: i64) -> Result<(), PgError> {
        self.with_conn(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "UPDATE accounts SET wrapped_key = NULL, kdf_salt = NULL WHERE id = $1",
                &[&account_id],
            )?;
            tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&account_id])?;
            tx.commit()?;
            in_owner_tx(c, account_id, |tx: &mut Transaction<'_>| {
                tx.batch_execute("SELECT set_config('rekindle.erase', 'on', true)")?;
                for table in db::CONTENT_TABLES {
                    // Table names from the fixed list above.
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE owner_id = $1"),
                        &[&account_id],
                    )?;
                }
                tx.execute("DELETE FROM accounts WHERE id = $1", &[&account_id])?;
                Ok::<_, PgError>(())
            })
        })
    }

    /// Sets or clears the session's "crisis pending" flag.
    pub fn set_crisis_pending(&self, session_token: &str, on: bool) -> Result<(), PgError> {
        let Some(keys) = token_keys(session_token) else {
            return Ok(());
        };
        self.with_conn(|c| {
            c.execute(
                "UPDATE sessions SET crisis_pending = $2 WHERE id_hash = $1",
                &[&keys.id_hash.as_slice(), &on],
            )?;
            Ok(())
        })
    }

    /// Records the version of the consent text the person agreed to (item 61).
    pub fn record_consent(
        &self,
        account_id: i64,
        version: u32,
        now: Timestamp,
    ) -> Result<(), PgError> {
        let version = i32::try_from(version).map_err(|_| PgError::Corrupt)?;
        self.with_conn(|c| {
            c.execute(
                "UPDATE accounts SET consent_version = $2, consent_at_ms = $3 WHERE id = $1",
                &[&account_id, &version, &ms(now)],
            )?;
            Ok::<_, PgError>(())
        })?;
        tracing::info!(event = "consent_recorded", account = account_id, version);
        Ok(())
    }

    /// Every account, for the operator: never content.
    pub fn accounts(&self) -> Result<Vec<AccountSummary>, PgError> {
        self.with_conn(|c| {
            c.query(
                "SELECT id, username, created_at_ms, last_seen_ms, disabled, consent_version
                 FROM accounts ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| {
                let last_seen: Option<i64> = r.get(3);
                let consent: Option<i32> = r.get(5);
                Ok(AccountSummary {
                    id: r.get(0),
                    username: r.get(1),
                    created: ts(r.get(2))?,
                    last_seen: last_seen.map(ts).transpose()?,
                    disabled: r.get(4),
                    consent_version: consent.and_then(|v| u32::try_from(v).ok()),
                })
            })
            .collect()
        })
    }

    /// Disables (ending its sessions) or re-enables an account; false when
    /// there is no such username.
    pub fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, PgError> {
        let username = username.to_lowercase();
        self.with_conn(|c| {
            let mut tx = c.transaction()?;
            let Some(r) = tx.query_opt(
                "UPDATE accounts SET disabled = $2 WHERE username = $1 RETURNING id",
                &[&username, &disabled],
            )?
            else {
                return Ok(false);
            };
            let id: i64 = r.get(0);
            if disabled {
                tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&id])?;
            }
            tx.commit()?;
            tracing::info!(event = "account_disabled", account = id, disabled);
            Ok(true)
        })
    }

    /// The operator erases an account (keys first); false when there is no
    /// such username.
    pub fn delete_account_by_operator(&self, username: &str) -> Result<bool, PgError> {
        let username = username.to_lowercase();
        let id = self.with_conn(|c| {
            Ok::<_, PgError>(
                c.query_opt("SELECT id FROM accounts WHERE username = $1", &[&username])?
                    .map(|r| r.get::<_, i64>(0)),
            )
        })?;
        let Some(id) = id else {
            return Ok(false);
        };
        self.erase(id)?;
        tracing::info!(event = "account_deleted_by_operator", account = id);
        Ok(true)
    }
}

/// Opens a session: a fresh random token (the cookie); the database keeps its
/// SHA-256 and the data key wrapped under a key derived from it.
fn new_session(
    tx: &mut Transaction<'_>,
    account_id: i64,
    dek: &SecretKey,
    now: Timestamp,
) -> Result<SignedIn, PgError> {
    let raw = Zeroizing::new(random::<32>()?);
    let token = B64URL.encode(raw.as_slice());
    let keys = token_keys(&token).ok_or(PgError::Corrupt)?;
    let wrapped = wrap_key(&keys.wrap, dek, &session_aad(account_id, &keys.id_hash))?;
    tx.execute(
        "INSERT INTO sessions (id_hash, account_id, wrapped_key, created_at_ms, last_seen_ms)
         VALUES ($1, $2, $3, $4, $4)",
        &[&keys.id_hash.as_slice(), &account_id, &wrapped, &ms(now)],
    )?;
    Ok(SignedIn {
        session_token: token,
        csrf: keys.csrf,
        account_id,
    })
}
