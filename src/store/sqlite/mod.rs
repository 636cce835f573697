//! The SQLite store: one file, WAL, migrated at start-up. One file per
//! entity holds its SQL (Miniflux's layout); this one opens the database and
//! maps the [`Store`] trait onto them.

mod candidate;
mod decision;
mod migrations;
mod published;
mod source;

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::{
    Accepted, Candidate, Decision, PollRecorded, PollResult, PublishedLink, SourceRecord,
    SourceSpec, Store, StoreError, SyncReport,
};
use migrations::MIGRATIONS;

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file `path` and applies
    /// the migrations it lacks.
    pub async fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let open_error = |source| StoreError::Open {
            database: path.to_string(),
            source,
        };
        // A file name, not a URL: `?` or `#` in a path are just characters.
        let options = SqliteConnectOptions::new()
            .filename(path)
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
            .connect_with(options)
            .await
            .map_err(open_error)?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Waits for the queries in flight and closes the database cleanly
    /// (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The schema version the database is at.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await
            .during("read the schema version")?;
        Ok(version.unwrap_or(0))
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
        let current = self.schema_version().await?;
        let known = MIGRATIONS.last().map_or(0, |migration| migration.version);
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
            let failed = |source| StoreError::Migrate {
                version: migration.version,
                description: migration.description,
                source,
            };
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
            sqlx::raw_sql(migration.sql)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
            )
            .bind(migration.version)
            .bind(migration.description)
            .bind(Utc::now().timestamp())
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
            tx.commit().await.map_err(failed)?;
        }
        Ok(())
    }

    /// A write transaction. IMMEDIATE takes the write lock up front, so that
    /// a transaction never fails half-way because another process wrote.
    async fn write(&self, action: &str) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.during(action)
    }
}

impl Store for SqliteStore {
    async fn sync_sources(
        &self,
        sources: &[SourceSpec],
        now: DateTime<Utc>,
    ) -> Result<SyncReport, StoreError> {
        let action = "synchronise the sources with feeds.toml";
        let mut tx = self.write(action).await?;
        let report = source::sync(&mut tx, sources, now).await?;
        tx.commit().await.during(action)?;
        Ok(report)
    }

    async fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        source::all(&self.pool).await
    }

    async fn claim_due_sources(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<SourceRecord>, StoreError> {
        let action = "claim the due sources";
        let mut tx = self.write(action).await?;
        let claimed = source::claim_due(&mut tx, owner, now, lease, limit).await?;
        tx.commit().await.during(action)?;
        Ok(claimed)
    }

    async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        source::next_due_at(&self.pool).await
    }

    async fn record_poll(&self, result: &PollResult) -> Result<PollRecorded, StoreError> {
        let action = "record a poll";
        let mut tx = self.write(action).await?;
        let new_items =
            candidate::record_sightings(&mut tx, result.source_id, &result.items, result.polled_at)
                .await?;
        source::record_poll(&mut tx, result, new_items).await?;
        tx.commit().await.during(action)?;
        Ok(PollRecorded { new_items })
    }

    async fn known_links(&self, source_id: i64) -> Result<HashSet<String>, StoreError> {
        candidate::known_links(&self.pool, source_id).await
    }

    async fn index_published(&self, links: &[PublishedLink]) -> Result<(), StoreError> {
        let action = "index the published links";
        let mut tx = self.write(action).await?;
        published::replace(&mut tx, links).await?;
        tx.commit().await.during(action)
    }

    async fn candidates(
        &self,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Candidate>, StoreError> {
        candidate::awaiting_review(&self.pool, now, since).await
    }

    async fn decide(
        &self,
        id: i64,
        decision: &Decision,
        now: DateTime<Utc>,
    ) -> Result<Candidate, StoreError> {
        let action = "record a decision";
        let mut tx = self.write(action).await?;
        let candidate = candidate::by_id(&mut tx, id).await?;
        decision::insert(&mut tx, id, decision, now).await?;
        tx.commit().await.during(action)?;
        Ok(candidate)
    }

    async fn undo(&self, id: i64, now: DateTime<Utc>) -> Result<Decision, StoreError> {
        let action = "undo a decision";
        let mut tx = self.write(action).await?;
        candidate::by_id(&mut tx, id).await?;
        let undone = decision::undo_latest(&mut tx, id, now)
            .await?
            .ok_or(StoreError::NothingToUndo { id })?;
        tx.commit().await.during(action)?;
        Ok(undone)
    }

    async fn accepted(&self) -> Result<Vec<Accepted>, StoreError> {
        candidate::accepted(&self.pool).await
    }
}

/// Names what the database was doing when a query failed.
trait During<T> {
    fn during(self, action: &str) -> Result<T, StoreError>;
}

impl<T> During<T> for Result<T, sqlx::Error> {
    fn during(self, action: &str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query {
            action: action.to_string(),
            source,
        })
    }
}

/// Times are stored as Unix seconds: plain integers in every database.
fn time_of(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0).ok_or(StoreError::Corrupt {
        what: "time",
        value: seconds.to_string(),
    })
}

fn optional_time_of(seconds: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    seconds.map(time_of).transpose()
}

fn url_of(text: &str) -> Result<url::Url, StoreError> {
    url::Url::parse(text).map_err(|_| StoreError::Corrupt {
        what: "URL",
        value: text.to_string(),
    })
}
