//! The backend chosen at start-up. [`Store`] is not object-safe (its
//! methods return `impl Future`), so instead of a `dyn Store` the choice is
//! an enum that implements the trait by handing each call to the backend
//! it holds; callers stay generic over `impl Store`.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{
    Accepted, Candidate, Decision, PollRecorded, PollResult, PostgresStore, PublishedLink,
    RebuildLock, SourceRecord, SourceSpec, SqliteStore, Store, StoreError, SyncReport,
};

/// A SQLite or a PostgreSQL store, as [`super::open`] found it.
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// `$call` on whichever backend `$any` holds, bound to `$store`.
macro_rules! on_backend {
    ($any:expr, $store:ident => $call:expr) => {
        match $any {
            AnyStore::Sqlite($store) => $call,
            AnyStore::Postgres($store) => $call,
        }
    };
}

impl AnyStore {
    /// Waits for the queries in flight and closes the database.
    pub async fn close(&self) {
        on_backend!(self, store => store.close().await);
    }
}

impl Store for AnyStore {
    async fn sync_sources(
        &self,
        sources: &[SourceSpec],
        now: DateTime<Utc>,
    ) -> Result<SyncReport, StoreError> {
        on_backend!(self, store => store.sync_sources(sources, now).await)
    }

    async fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        on_backend!(self, store => store.sources().await)
    }

    async fn claim_due_sources(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<SourceRecord>, StoreError> {
        on_backend!(self, store => store.claim_due_sources(owner, now, lease, limit).await)
    }

    async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        on_backend!(self, store => store.next_due_at().await)
    }

    async fn record_poll(&self, result: &PollResult) -> Result<PollRecorded, StoreError> {
        on_backend!(self, store => store.record_poll(result).await)
    }

    async fn known_links(
        &self,
        source_id: i64,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        on_backend!(self, store => store.known_links(source_id).await)
    }

    async fn index_published(&self, links: &[PublishedLink]) -> Result<(), StoreError> {
        on_backend!(self, store => store.index_published(links).await)
    }

    async fn candidates(
        &self,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Candidate>, StoreError> {
        on_backend!(self, store => store.candidates(now, since).await)
    }

    async fn count_candidates(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        on_backend!(self, store => store.count_candidates(now).await)
    }

    async fn decide(
        &self,
        id: i64,
        decision: &Decision,
        now: DateTime<Utc>,
    ) -> Result<Candidate, StoreError> {
        on_backend!(self, store => store.decide(id, decision, now).await)
    }

    async fn undo(&self, id: i64, now: DateTime<Utc>) -> Result<Decision, StoreError> {
        on_backend!(self, store => store.undo(id, now).await)
    }

    async fn accepted(&self) -> Result<Vec<Accepted>, StoreError> {
        on_backend!(self, store => store.accepted().await)
    }

    async fn try_rebuild_lock(&self) -> Result<Option<RebuildLock>, StoreError> {
        on_backend!(self, store => store.try_rebuild_lock().await)
    }
}
