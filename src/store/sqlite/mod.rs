//! The SQLite store: one file, WAL, migrated at start-up. The queries per
//! entity are shared with PostgreSQL (`store::sql`); this module opens the
//! database, holds its migrations and maps the [`Store`] trait onto them.

mod migrations;
mod poll_writer;

crate::store::sql::entity_modules!(sqlx::Sqlite, "");

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite, SqlitePool, Transaction, TransactionManager};

use super::columns::During;
use super::sql::Exclusive;
use super::{
    Accepted, Candidate, Decision, PollRecorded, PollResult, PublishedLink, RebuildLock,
    SourceRecord, SourceSpec, Store, StoreError, SyncReport,
};
use migrations::MIGRATIONS;
use poll_writer::PollWriter;

/// Readies a connection given back to the pool for its next use.
///
/// A COMMIT that fails on a disk error (full, read-only) makes SQLite roll
/// back by itself; sqlx's own ROLLBACK then fails and it goes on counting an
/// open transaction, so that the connection would refuse every later BEGIN,
/// long after the disk is fixed. Such a connection is mended rather than
/// replaced: a new one, opened while the file is read-only, would stay
/// read-only.
async fn mend(connection: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    // Runs the rollback of a dropped transaction first.
    connection.ping().await?;
    if connection.is_in_transaction() {
        // sqlx's next savepoint opens a real transaction again, which
        // sqlx's two rollbacks then end: the savepoint's, and the one it
        // still counts.
        type Manager = <Sqlite as sqlx::Database>::TransactionManager;
        Manager::begin(connection, None).await?;
        Manager::rollback(connection).await?;
        Manager::rollback(connection).await?;
    }
    Ok(true)
}

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    polls: PollWriter,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file `path` and applies
    /// the migrations it lacks.
    pub async fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let open_error = |source| StoreError::Open {
            database: path.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(path)
            .map_err(open_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL still never corrupts the file; a committed
            // transaction may only be lost on power loss, not on a crash.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Another newsroom process (the daemon) may hold the write lock.
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB of page cache (negative: in KiB) instead of 2: a poll
            // inserts all over the URL index.
            .pragma("cache_size", "-32768");
        // SQLite has a single writer: one connection serialises the
        // transactions of concurrent polls instead of failing them with
        // SQLITE_BUSY.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .after_release(|connection, _| Box::pin(mend(connection)))
            .connect_with(options)
            .await
            .map_err(open_error)?;
        let polls = PollWriter::start(pool.clone());
        let store = SqliteStore { pool, polls };
        store.migrate().await?;
        Ok(store)
    }

    /// Waits for the queries in flight and closes the database cleanly
    /// (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool, for `newsroom migrate` to read every table.
    pub(in crate::store) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )",
        )
        .execute(&self.pool)
        .await
        .during("create the migrations table")?;
        let mut connection = self
            .pool
            .acquire()
            .await
            .during("read the schema version")?;
        let current = schema::version(&mut connection).await?;
        drop(connection);
        for migration in super::Migration::pending(MIGRATIONS, current)? {
            let failed = |source| migration.failed(source);
            // IMMEDIATE: two processes starting at once must not both apply it.
            let mut tx = self
                .pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(failed)?;
            let applied: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
                    .bind(migration.version)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(failed)?;
            if applied.is_some() {
                continue;
            }
            schema::apply(&mut tx, migration).await?;
            tx.commit().await.map_err(failed)?;
        }
        Ok(())
    }

    /// A write transaction. IMMEDIATE takes the write lock up front, so that
    /// a transaction never fails half-way because another process wrote.
    async fn write(&self, action: &str) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.during(action)
    }

    /// Every IMMEDIATE transaction already excludes every other writer.
    async fn write_exclusive(
        &self,
        action: &str,
        _: Exclusive,
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.write(action).await
    }
}

impl Store for SqliteStore {
    // What both backends do alike.
    crate::store::sql::shared_store_methods!();

    /// Grouped with the results other polls record meanwhile: see
    /// `poll_writer`.
    async fn record_poll(&self, result: &PollResult) -> Result<PollRecorded, StoreError> {
        self.polls.record(result).await
    }

    /// One machine, one daemon: nobody to share the rebuilds with.
    async fn try_rebuild_lock(&self) -> Result<Option<RebuildLock>, StoreError> {
        Ok(Some(RebuildLock { session: None }))
    }
}
