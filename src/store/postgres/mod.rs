//! The PostgreSQL store: one database that several daemons on several
//! machines share. The queries per entity are shared with SQLite
//! (`store::sql`); this module connects, holds PostgreSQL's migrations and
//! what only PostgreSQL does: advisory locks, so that concurrent daemons
//! never apply a migration twice nor interleave two rebuilds of the sources
//! or the published index.

mod import;
mod migrations;

pub use import::Copied;

crate::store::sql::entity_modules!(sqlx::Postgres, "FOR UPDATE SKIP LOCKED");

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};

use super::columns::During;
use super::sql::Exclusive;
use super::{
    Accepted, Candidate, Decision, PollRecorded, PollResult, PublishedLink, RebuildLock,
    SourceRecord, SourceSpec, Store, StoreError, SyncReport,
};
use migrations::MIGRATIONS;

/// Keys of the advisory locks newsroom takes, one per kind of work that
/// two daemons must not do at once. They share the database with whatever
/// else uses advisory locks there, hence values unlikely to collide
/// ("newsroom" in ASCII, plus a number).
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
enum Lock {
    Migrate = 0x6e65_7773_726f_6f01,
    SyncSources = 0x6e65_7773_726f_6f02,
    IndexPublished = 0x6e65_7773_726f_6f03,
    Rebuild = 0x6e65_7773_726f_6f04,
}

/// A store in one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host/db`) and
    /// applies the migrations it lacks.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            // A poll runs several sources at once, each one transaction.
            .max_connections(8)
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                database: redacted(url),
                source,
            })?;
        let store = PostgresStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Waits for the queries in flight and closes the connections, which
    /// ends this daemon's sessions (and frees any advisory lock it held).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let action = "create the migrations table";
        // All missing migrations in one transaction (PostgreSQL's DDL is
        // transactional), behind a lock: daemons starting together wait for
        // the first one instead of racing it.
        let mut tx = self.pool.begin().await.during(action)?;
        lock(&mut tx, Lock::Migrate).await.during(action)?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .execute(&mut *tx)
        .await
        .during(action)?;
        let current = schema::version(&mut tx).await?;
        for migration in super::Migration::pending(MIGRATIONS, current)? {
            schema::apply(&mut tx, migration).await?;
        }
        tx.commit().await.during("commit the migrations")
    }

    async fn write(&self, action: &str) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin().await.during(action)
    }

    /// A write transaction holding the advisory lock of `what` until it
    /// ends.
    async fn write_exclusive(
        &self,
        action: &str,
        what: Exclusive,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.write(action).await?;
        let key = match what {
            Exclusive::SyncSources => Lock::SyncSources,
            Exclusive::IndexPublished => Lock::IndexPublished,
        };
        lock(&mut tx, key).await.during(action)?;
        Ok(tx)
    }
}

/// Holds `key` until the transaction ends, waiting for whoever holds it.
async fn lock(tx: &mut PgConnection, key: Lock) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key as i64)
        .execute(&mut *tx)
        .await
        .map(drop)
}

/// Gives the rebuild lock back and closes its session.
pub(super) async fn release_rebuild_lock(mut session: PgConnection) -> Result<(), StoreError> {
    let action = "release the rebuild lock";
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(Lock::Rebuild as i64)
        .execute(&mut session)
        .await
        .during(action)?;
    session.close().await.during(action)
}

/// `url` without its password, for error messages.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Cannot fail: a URL with a password has a host.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

impl Store for PostgresStore {
    // What both backends do alike.
    crate::store::sql::shared_store_methods!();

    async fn record_poll(&self, result: &PollResult) -> Result<PollRecorded, StoreError> {
        let action = "record a poll";
        let mut tx = self.write(action).await?;
        let recorded = source::record_result(&mut tx, result).await?;
        tx.commit().await.during(action)?;
        Ok(recorded)
    }

    async fn try_rebuild_lock(&self) -> Result<Option<RebuildLock>, StoreError> {
        let action = "take the rebuild lock";
        let mut session = self.pool.acquire().await.during(action)?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(Lock::Rebuild as i64)
            .fetch_one(&mut *session)
            .await
            .during(action)?;
        // Taken: the session leaves the pool with the lock (see
        // `RebuildLock`); not taken, it goes back to the pool.
        Ok(taken.then(|| RebuildLock {
            session: Some(session.detach()),
        }))
    }
}
