//! Share links on a hosted server: the [`ShareBox`] in PostgreSQL.
//!
//! Rows hold what the local share folder holds: ciphertext under a key
//! that only the link's fragment carries. Row-level security separates
//! the two callers: the owner's handle sets `rekindle.owner` and reaches
//! all of that account's shares; a visitor's handle sets only
//! `rekindle.share` to the one hash it was asked for, so it can read that
//! share and add a view or a confirmation to it, and nothing else.

use postgres::Transaction;
use rekindle_store::{
    CONFIRMATION_WINDOW_MS, Confirmed, MAX_CONFIRMATIONS, MAX_CONFIRMATIONS_PER_HOUR, MAX_VIEWS,
    ShareBox, StoreError,
};

use crate::HostedDb;
use crate::db::{Pool, blocking};
use crate::error::PgError;

/// An account's shares, or (with no owner) what a link's visitor may reach.
pub struct PgShares {
    pool: Pool,
    owner: Option<i64>,
}

impl HostedDb {
    /// The share links of one signed-in account.
    pub fn shares_of(&self, owner: i64) -> PgShares {
        PgShares {
            pool: self.pool().clone(),
            owner: Some(owner),
        }
    }

    /// What anyone holding a link may reach: one share at a time, by its hash.
    pub fn public_shares(&self) -> PgShares {
        PgShares {
            pool: self.pool().clone(),
            owner: None,
        }
    }
}

impl PgShares {
    /// Runs `work` in a transaction that names this handle's owner, or for
    /// a visitor the one share it is about.
    fn in_tx<T>(
        &self,
        id_hash: &str,
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        blocking(|| {
            let mut conn = self.pool.get()?;
            let mut tx = conn.transaction()?;
            // The owner's handle names only the owner (naming the share too
            // would let one account read another's share by its hash); a
            // visitor's names only the share.
            let (owner, share) = match self.owner {
                Some(owner) => (owner.to_string(), ""),
                None => (String::new(), id_hash),
            };
            tx.execute(
                "SELECT set_config('rekindle.owner', $1, true), set_config('rekindle.share', $2, true)",
                &[&owner, &share],
            )?;
            let out = work(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    fn read<T: Default>(
        &self,
        id_hash: &str,
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T, PgError>,
    ) -> T {
        self.in_tx(id_hash, work).unwrap_or_else(|_| {
            tracing::warn!(event = "share_read_failed");
            T::default()
        })
    }
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl ShareBox for PgShares {
    fn put(&self, id_hash: &str, expires_ms: i64, sealed: &str) -> Result<(), StoreError> {
        let owner = self.owner.ok_or(StoreError::NotFound)?;
        Ok(self.in_tx(id_hash, |tx| {
            tx.execute(
                "INSERT INTO shares (id_hash, owner_id, expires_ms, sealed) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id_hash) DO UPDATE SET expires_ms = $3, sealed = $4",
                &[&id_hash, &owner, &expires_ms, &sealed],
            )?;
            Ok(())
        })?)
    }

    fn remove(&self, id_hash: &str) -> Result<(), StoreError> {
        if self.owner.is_none() {
            return Err(StoreError::NotFound);
        }
        Ok(self.in_tx(id_hash, |tx| {
            // Views and confirmations go with it (ON DELETE CASCADE).
            tx.execute("DELETE FROM shares WHERE id_hash = $1", &[&id_hash])?;
            Ok(())
        })?)
    }

    fn get(&self, id_hash: &str) -> Option<String> {
        self.read(id_hash, |tx| {
            Ok(tx
                .query_opt("SELECT sealed FROM shares WHERE id_hash = $1", &[&id_hash])?
                .map(|r| r.get(0)))
        })
    }

    fn add_view(&self, id_hash: &str, at_ms: i64) -> Result<(), StoreError> {
        Ok(self.in_tx(id_hash, |tx| {
            tx.execute(
                "INSERT INTO share_views (id_hash, owner_id, at_ms)
                 SELECT id_hash, owner_id, $2 FROM shares WHERE id_hash = $1
                 AND (SELECT count(*) FROM share_views WHERE id_hash = $1) < $3",
                &[&id_hash, &at_ms, &limit(MAX_VIEWS)],
            )?;
            Ok(())
        })?)
    }

    fn views(&self, id_hash: &str) -> Vec<i64> {
        self.read(id_hash, |tx| {
            Ok(tx
                .query(
                    "SELECT at_ms FROM share_views WHERE id_hash = $1 ORDER BY at_ms",
                    &[&id_hash],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }

    fn add_confirmation(
        &self,
        id_hash: &str,
        sealed: &str,
        at_ms: i64,
    ) -> Result<Confirmed, StoreError> {
        Ok(self.in_tx(id_hash, |tx| {
            // Serialised per share, so the caps hold under concurrent
            // posts. (A row lock would need an UPDATE policy, which a
            // visitor must not have.)
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext('rekindle-share:' || $1))",
                &[&id_hash],
            )?;
            let Some(row) = tx.query_opt(
                "SELECT owner_id FROM shares WHERE id_hash = $1",
                &[&id_hash],
            )?
            else {
                return Ok(Confirmed::NoShare);
            };
            let owner: i64 = row.get(0);
            let hour_before = at_ms.saturating_sub(CONFIRMATION_WINDOW_MS);
            let counts = tx.query_one(
                "SELECT count(*), count(*) FILTER (WHERE at_ms > $2 AND at_ms <= $3)
                 FROM share_confirmations WHERE id_hash = $1",
                &[&id_hash, &hour_before, &at_ms],
            )?;
            let (total, this_hour): (i64, i64) = (counts.get(0), counts.get(1));
            if total >= limit(MAX_CONFIRMATIONS) {
                return Ok(Confirmed::Full);
            }
            if this_hour >= limit(MAX_CONFIRMATIONS_PER_HOUR) {
                return Ok(Confirmed::TooManyThisHour);
            }
            tx.execute(
                "INSERT INTO share_confirmations (id_hash, owner_id, sealed, at_ms)
                 VALUES ($1, $2, $3, $4)",
                &[&id_hash, &owner, &sealed, &at_ms],
            )?;
            Ok(Confirmed::Added)
        })?)
    }

    fn confirmations(&self, id_hash: &str) -> Vec<String> {
        self.read(id_hash, |tx| {
            Ok(tx
                .query(
                    "SELECT sealed FROM share_confirmations WHERE id_hash = $1 ORDER BY seq",
                    &[&id_hash],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }
}
