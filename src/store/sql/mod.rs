//! The queries both backends run word for word, one file per entity
//! (Miniflux's layout). SQLite and PostgreSQL read the same `$1`
//! placeholders and the same standard SQL here, but sqlx has one connection
//! type per database, so each file is a macro that a backend instantiates
//! with its database type: one text, compiled once per backend. What
//! differs between the dialects (migrations, locking, claiming) stays in
//! `sqlite/` and `postgres/`.

pub(super) mod candidate;
pub(super) mod decision;
pub(super) mod published;
pub(super) mod schema;
pub(super) mod source;

/// A backend's `candidate`, `decision`, `published`, `schema` and `source`
/// modules
/// for the database `$db`; `$skip_locked` ends the query that picks the
/// sources to claim (see `source_queries`).
macro_rules! entity_modules {
    ($db:ty, $skip_locked:expr) => {
        mod candidate {
            crate::store::sql::candidate::candidate_queries!($db);
        }
        mod decision {
            crate::store::sql::decision::decision_queries!($db);
        }
        mod published {
            crate::store::sql::published::published_queries!($db);
        }
        mod schema {
            crate::store::sql::schema::schema_queries!($db);
        }
        mod source {
            crate::store::sql::source::source_queries!($db, $skip_locked);
        }
    };
}

pub(super) use entity_modules;

/// Writes that two processes sharing a database must not run at once (two
/// daemons starting together would each add the same new source, or insert
/// the published index twice). A backend's `write_exclusive` makes its
/// transaction wait for the other's.
#[derive(Debug, Clone, Copy)]
pub(super) enum Exclusive {
    SyncSources,
    IndexPublished,
}

/// The [`Store`](crate::store::Store) methods whose transactions are the
/// same on both databases, for a backend's `impl Store`. The backend has
/// `pool`, `write(action)` (a write transaction), `write_exclusive(action,
/// Exclusive)` and the entity modules `source`, `candidate`, `decision` and
/// `published` instantiated from this folder.
macro_rules! shared_store_methods {
    () => {
        async fn sync_sources(
            &self,
            sources: &[SourceSpec],
            now: DateTime<Utc>,
        ) -> Result<SyncReport, StoreError> {
            let action = "synchronise the sources with feeds.toml";
            let mut tx = self
                .write_exclusive(action, crate::store::sql::Exclusive::SyncSources)
                .await?;
            let report = source::sync(&mut tx, sources, now).await?;
            tx.commit().await.during(action)?;
            Ok(report)
        }

        async fn index_published(&self, links: &[PublishedLink]) -> Result<(), StoreError> {
            let action = "index the published links";
            let mut tx = self
                .write_exclusive(action, crate::store::sql::Exclusive::IndexPublished)
                .await?;
            published::replace(&mut tx, links).await?;
            tx.commit().await.during(action)
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

        async fn known_links(
            &self,
            source_id: i64,
        ) -> Result<std::collections::HashSet<String>, StoreError> {
            candidate::known_links(&self.pool, source_id).await
        }

        async fn candidates(
            &self,
            now: DateTime<Utc>,
            since: Option<DateTime<Utc>>,
        ) -> Result<Vec<Candidate>, StoreError> {
            candidate::awaiting_review(&self.pool, now, since).await
        }

        async fn count_candidates(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
            candidate::count_awaiting_review(&self.pool, now).await
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
    };
}

pub(super) use shared_store_methods;
