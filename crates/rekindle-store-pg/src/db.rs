//! Connections: the pool (every connection `SET ROLE`s to the app role when
//! made), migrations under an advisory lock, the schema check, the one helper
//! that keeps the sync client off tokio's worker threads, and transactions
//! scoped to one owner.

use std::sync::Arc;
use std::time::Duration;

use postgres::{Client, NoTls, Transaction};
use r2d2_postgres::PostgresConnectionManager;

use crate::PgError;

/// Schema migrations, applied in order, each once; the number reached is in
/// `schema_version`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_accounts.sql"),
    include_str!("../migrations/0002_content.sql"),
    include_str!("../migrations/0003_shares.sql"),
    include_str!("../migrations/0004_chat_snapshots.sql"),
    include_str!("../migrations/0005_confirmation_times.sql"),
];

/// The schema version this build needs (and writes).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Key of the advisory lock migrations run under ("rekindle" in ASCII).
const MIGRATION_LOCK: i64 = 0x72656b696e646c65;

/// The tables holding an account's data, each under forced row-level
/// security, in the order erasing an account deletes from them.
pub const CONTENT_TABLES: &[&str] = &[
    "share_confirmations",
    "share_views",
    "shares",
    "chat_messages",
    "chat_senders",
    "chat_imports",
    "chat_snapshots",
    "chats",
    "item_versions",
    "items",
    "relationship_versions",
    "settings",
    "owner_counters",
];

/// Tables the app role may read and change.
const DML_TABLES: &str = "accounts, invitations, sessions, login_throttle, owner_counters, settings, items, chats, chat_messages, chat_imports, chat_senders, chat_snapshots, shares, share_views, share_confirmations";
/// Append-only tables: no UPDATE (deletes only when erasing an account).
const APPEND_ONLY_TABLES: &str = "relationship_versions, item_versions";

type R2d2Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The connection pool, shared by the accounts and every open store. When
/// the last handle goes, the pool's idle connections close, and closing a
/// sync `postgres::Client` runs a runtime of its own, which panics on a
/// thread that already runs tokio (a server shutting down, a test's state
/// dropped at the end of `#[tokio::test]`). So the pool is dropped on a
/// plain thread of its own whenever a runtime is current.
#[derive(Clone)]
pub(crate) struct Pool(Arc<PoolCell>);

struct PoolCell(Option<R2d2Pool>);

impl Pool {
    fn new(pool: R2d2Pool) -> Pool {
        Pool(Arc::new(PoolCell(Some(pool))))
    }

    pub(crate) fn get(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, r2d2::Error> {
        match &self.0.0 {
            Some(pool) => pool.get(),
            // Only `Drop` takes the pool, and it runs when no handle is left.
            None => unreachable!("pool used after drop"),
        }
    }
}

impl Drop for PoolCell {
    fn drop(&mut self) {
        let Some(pool) = self.0.take() else { return };
        if tokio::runtime::Handle::try_current().is_err() {
            drop(pool);
            return;
        }
        // If no thread can be started, the closure is dropped unrun and
        // `ManuallyDrop` leaks the connections rather than panic; the
        // server closes them when this process ends.
        let pool = std::mem::ManuallyDrop::new(pool);
        // Joined, so connections are closed before the owner carries on.
        let closing = std::thread::Builder::new()
            .name("rekindle-pg-close".into())
            .spawn(move || drop(std::mem::ManuallyDrop::into_inner(pool)));
        match closing {
            Ok(thread) => {
                if thread.join().is_err() {
                    tracing::warn!("closing the database pool failed");
                }
            }
            Err(_) => tracing::warn!("could not close the database pool cleanly"),
        }
    }
}

/// Runs one blocking piece of work (a database round trip, an Argon2id hash)
/// so that it never stalls, or panics on, a tokio worker thread: the sync
/// `postgres` client runs a runtime of its own and panics when called from
/// inside one. On a multi-thread runtime the work runs under
/// `block_in_place`; anywhere else it simply runs.
pub fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Role names go into DDL (which cannot take parameters), so only plain
/// lowercase identifiers are accepted.
pub(crate) fn check_role_name(role: &str) -> Result<(), PgError> {
    let ok = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(PgError::BadRoleName(role.to_string()))
    }
}

/// Applies the missing migrations and (re)grants the app role, in one
/// transaction under an advisory lock, so two processes never migrate at once.
pub(crate) fn migrate(owner_url: &str, app_role: &str) -> Result<(), PgError> {
    check_role_name(app_role)?;
    blocking(|| {
        let mut client = Client::connect(owner_url, NoTls)?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (
                 version    integer PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )?;
        let current: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM schema_version",
                &[],
            )?
            .get(0);
        if current > SCHEMA_VERSION {
            return Err(PgError::SchemaTooNew {
                found: current,
                expected: SCHEMA_VERSION,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(sql)?;
            let version = index as i32 + 1;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&version],
            )?;
            tracing::info!(event = "pg_migrated", schema = version);
        }
        // The app role: no login of its own (a login role is granted it), no
        // BYPASSRLS, owns nothing. Creating it races with other databases of
        // the cluster, hence the exception handler.
        let is_me: bool = tx
            .query_one("SELECT current_user = $1::text", &[&app_role])?
            .get(0);
        if is_me {
            return Err(PgError::BadRoleName(format!(
                "{app_role} (it owns the tables: migrate as another role)"
            )));
        }
        tx.batch_execute(&format!(
            "DO $$ BEGIN
                 CREATE ROLE \"{app_role}\" NOLOGIN NOBYPASSRLS NOSUPERUSER;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$;
             GRANT USAGE ON SCHEMA public TO \"{app_role}\";
             GRANT SELECT ON schema_version TO \"{app_role}\";
             GRANT SELECT, INSERT, UPDATE, DELETE ON {DML_TABLES} TO \"{app_role}\";
             GRANT SELECT, INSERT, DELETE ON {APPEND_ONLY_TABLES} TO \"{app_role}\";
             GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \"{app_role}\";"
        ))?;
        let unsafe_role: bool = tx
            .query_one(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = $1",
                &[&app_role],
            )?
            .get(0);
        if unsafe_role {
            return Err(PgError::BadRoleName(format!(
                "{app_role} (it is a superuser or may bypass row-level security)"
            )));
        }
        tx.commit()?;
        Ok(())
    })
}

/// Makes every new pooled connection act as the app role, so that row-level
/// security applies even when the URL names a superuser (as in the tests).
#[derive(Debug)]
struct AsAppRole {
    role: String,
}

impl r2d2::CustomizeConnection<Client, postgres::Error> for AsAppRole {
    fn on_acquire(&self, conn: &mut Client) -> Result<(), postgres::Error> {
        // The name was checked by `check_role_name`.
        conn.batch_execute(&format!("SET ROLE \"{}\"", self.role))
    }
}

pub(crate) fn pool(url: &str, app_role: &str, size: u32) -> Result<Pool, PgError> {
    check_role_name(app_role)?;
    let config: postgres::Config = url
        .parse()
        .map_err(|e: postgres::Error| PgError::Pool(e.to_string()))?;
    blocking(|| {
        // One direct connection first, so that a missing schema or role is
        // reported at once instead of as a pool timeout.
        let mut probe = config.connect(NoTls)?;
        let role_exists: bool = probe
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&app_role],
            )?
            .get(0);
        match schema_version(&mut probe)? {
            None => return Err(PgError::SchemaMissing),
            _ if !role_exists => return Err(PgError::SchemaMissing),
            Some(v) if v < SCHEMA_VERSION => {
                return Err(PgError::SchemaOutdated {
                    found: v,
                    expected: SCHEMA_VERSION,
                });
            }
            Some(v) if v > SCHEMA_VERSION => {
                return Err(PgError::SchemaTooNew {
                    found: v,
                    expected: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
        }
        drop(probe);
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(15))
            .connection_customizer(Box::new(AsAppRole {
                role: app_role.to_string(),
            }))
            .build(manager)?;
        let pool = Pool::new(pool);
        // The first pooled connection proves SET ROLE works for this login.
        drop(pool.get()?);
        Ok(pool)
    })
}

fn schema_version(client: &mut Client) -> Result<Option<i64>, PgError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(None);
    }
    Ok(Some(
        client
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM schema_version",
                &[],
            )?
            .get(0),
    ))
}

/// Runs `work` in a transaction whose row-level-security owner is `owner`
/// (a transaction-local setting: it ends with the transaction, so a pooled
/// connection carries nothing over to the next request).
pub(crate) fn in_owner_tx<T, E>(
    client: &mut Client,
    owner: i64,
    work: impl FnOnce(&mut Transaction<'_>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<PgError>,
{
    let mut tx = client.transaction().map_err(PgError::from)?;
    tx.execute(
        "SELECT set_config('rekindle.owner', $1, true)",
        &[&owner.to_string()],
    )
    .map_err(PgError::from)?;
    let out = work(&mut tx)?;
    tx.commit().map_err(PgError::from)?;
    Ok(out)
}

/// The next `count` ids of one owner's sequence `name`; returns the first.
pub(crate) fn next_ids(
    tx: &mut Transaction<'_>,
    owner: i64,
    name: &str,
    count: i64,
) -> Result<i64, PgError> {
    let last: i64 = tx
        .query_one(
            "INSERT INTO owner_counters (owner_id, name, last_id) VALUES ($1, $2, $3)
             ON CONFLICT (owner_id, name) DO UPDATE SET last_id = owner_counters.last_id + $3
             RETURNING last_id",
            &[&owner, &name, &count],
        )?
        .get(0);
    Ok(last - count + 1)
}

/// Makes sure ids up to `at_least` are never handed out again (after a
/// restore that kept its ids).
pub(crate) fn bump_ids(
    tx: &mut Transaction<'_>,
    owner: i64,
    name: &str,
    at_least: i64,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO owner_counters (owner_id, name, last_id) VALUES ($1, $2, $3)
         ON CONFLICT (owner_id, name) DO UPDATE SET last_id = greatest(owner_counters.last_id, $3)",
        &[&owner, &name, &at_least],
    )?;
    Ok(())
}
