//! The store: what the aggregator remembers between runs.
//!
//! One trait, [`Store`], says what the rest of newsroom may ask of a
//! database; each database has its own implementation with its own ordered
//! list of migrations ([`sqlite`] for one machine, [`postgres`] for several
//! daemons sharing one database), and [`open`] picks one at start-up from
//! the database named in feeds.toml. No SQL leaves the store modules. Every method that changes something is one committed
//! transaction, so a crash never loses a poll result half-written nor an
//! editor's decision.
//!
//! Times are passed in (`now`) rather than read from the clock, so that
//! snoozing, polling and sorting can be tested without waiting.

mod any;
mod columns;
pub mod postgres;
mod sql;
pub mod sqlite;
mod sync;

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Config;
use crate::item::Item;

pub use any::AnyStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// What a database must do for the aggregator.
pub trait Store: Send + Sync {
    /// Makes the stored sources match `feeds.toml`: new ones are added,
    /// changed ones updated, missing ones marked removed. A removed source
    /// keeps its items and the decisions on them.
    fn sync_sources(
        &self,
        sources: &[SourceSpec],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<SyncReport, StoreError>> + Send;

    /// Every source ever synchronised, removed ones included, by name.
    fn sources(&self) -> impl Future<Output = Result<Vec<SourceRecord>, StoreError>> + Send;

    /// Claims up to `limit` sources due at `now` for `owner`, so that
    /// several daemons sharing one database never poll the same source at
    /// once: active sources, not gone, never polled or whose `next_poll_at`
    /// is not after `now`, and not leased to anyone (or whose lease ran
    /// out). Each is leased to `owner` until `now + lease`, all in one
    /// transaction; [`Store::record_poll`] releases it. A daemon that dies
    /// mid-poll loses its sources to another once the lease runs out.
    /// Earliest due first.
    fn claim_due_sources(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<SourceRecord>, StoreError>> + Send;

    /// When the next source will be due: the earliest `next_poll_at` of
    /// the active sources that are not gone, a leased source counting from
    /// the end of its lease. A source never polled is due at the Unix epoch
    /// (at once). `None` when there is nothing to poll.
    fn next_due_at(&self)
    -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Stores the result of polling one source, all of it or nothing, and
    /// releases its lease; returns once it is committed. A backend may
    /// commit results recorded at the same time in one transaction.
    fn record_poll(
        &self,
        result: &PollResult,
    ) -> impl Future<Output = Result<PollRecorded, StoreError>> + Send;

    /// The normalised URLs source `source_id` has listed so far, so that a
    /// poll need not parse again what it already stored.
    fn known_links(
        &self,
        source_id: i64,
    ) -> impl Future<Output = Result<HashSet<String>, StoreError>> + Send;

    /// Replaces the set of published links with `links` (the links of every
    /// issue file as it is now).
    fn index_published(
        &self,
        links: &[PublishedLink],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Candidates waiting for a decision at `now`: never published, never
    /// accepted or rejected, or snoozed until before `now`; only those
    /// published at or after `since` when it is given. Oldest id first.
    fn candidates(
        &self,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<Candidate>, StoreError>> + Send;

    /// How many candidates [`Store::candidates`] would give at `now` (all
    /// dates), counted by the database.
    fn count_candidates(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Records an editor's decision on candidate `id`; the latest decision
    /// that was not undone is the one in force.
    fn decide(
        &self,
        id: i64,
        decision: &Decision,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Candidate, StoreError>> + Send;

    /// Takes back the decision in force on candidate `id` and returns it;
    /// the one before it (if any) is in force again.
    fn undo(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Decision, StoreError>> + Send;

    /// Accepted candidates whose link is not yet in an issue, in the order
    /// they were accepted.
    fn accepted(&self) -> impl Future<Output = Result<Vec<Accepted>, StoreError>> + Send;

    /// The right to rebuild the public output, if no other daemon holds it:
    /// `None` means another one is rebuilding now (the daemon waits for its
    /// turn and asks again). Hold the lock for the whole build and
    /// [`RebuildLock::release`] it after. On PostgreSQL this is a session
    /// advisory lock (`pg_try_advisory_lock`), released also when the
    /// daemon dies; on SQLite, whose database serves one machine, it is
    /// always granted.
    fn try_rebuild_lock(
        &self,
    ) -> impl Future<Output = Result<Option<RebuildLock>, StoreError>> + Send;
}

/// Held while this daemon rebuilds the public output; see
/// [`Store::try_rebuild_lock`].
#[derive(Debug)]
#[must_use = "the lock is released when dropped"]
pub struct RebuildLock {
    /// PostgreSQL's advisory lock belongs to this session: the connection
    /// is taken out of the pool, so that dropping it (closing the session)
    /// releases the lock even if `release` is never called.
    session: Option<sqlx::PgConnection>,
}

impl RebuildLock {
    /// Releases the lock now; dropping it does too, less politely.
    pub async fn release(self) -> Result<(), StoreError> {
        match self.session {
            Some(session) => postgres::release_rebuild_lock(session).await,
            None => Ok(()),
        }
    }
}

/// Opens the store named by `[aggregator] database` and migrates it: a
/// `postgres://` (or `postgresql://`) URL is a PostgreSQL database, anything
/// else a SQLite file path (created if missing), `sqlite:` prefix optional.
pub async fn open(database: &str) -> Result<AnyStore, StoreError> {
    if is_postgres(database) {
        Ok(AnyStore::Postgres(PostgresStore::open(database).await?))
    } else {
        Ok(AnyStore::Sqlite(SqliteStore::open(database).await?))
    }
}

/// Whether `database` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// One step of a backend's schema; each backend keeps an ordered list,
/// the same versions meaning the same change in both.
struct Migration {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

impl Migration {
    /// The steps of `all` a database at schema `current` still needs; a
    /// database newer than this build knows is refused, never downgraded.
    fn pending(
        all: &'static [Migration],
        current: i64,
    ) -> Result<impl Iterator<Item = &'static Migration>, StoreError> {
        let known = all.last().map_or(0, |migration| migration.version);
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        Ok(all
            .iter()
            .filter(move |migration| migration.version > current))
    }

    fn failed(&self, source: sqlx::Error) -> StoreError {
        StoreError::Migrate {
            version: self.version,
            description: self.description,
            source,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {database}: {source}")]
    Open {
        database: String,
        source: sqlx::Error,
    },
    #[error("cannot migrate the database to version {version} ({description}): {source}")]
    Migrate {
        version: i64,
        description: &'static str,
        source: sqlx::Error,
    },
    #[error(
        "the database is at schema version {found}, newer than this newsroom knows ({known}); upgrade newsroom"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the target database is not empty (table {table} has rows); migrate into a new one")]
    NotEmpty { table: &'static str },
    #[error("the database failed to {action}: {source}")]
    Query { action: String, source: sqlx::Error },
    #[error("the database holds an invalid {what}: {value:?}")]
    Corrupt { what: &'static str, value: String },
    #[error("no candidate has id {id} (see `newsroom suggest`)")]
    UnknownCandidate { id: i64 },
    #[error("candidate {id} has no decision to undo")]
    NothingToUndo { id: i64 },
    #[error("no source has id {id}")]
    UnknownSource { id: i64 },
}

/// A source as `feeds.toml` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    pub url: Url,
    pub tags: Vec<String>,
    pub weight: f64,
    pub interval: Duration,
}

impl SourceSpec {
    /// Every `[[source]]` of `config`, its interval resolved.
    pub fn all_of(config: &Config) -> Vec<SourceSpec> {
        config
            .sources
            .iter()
            .map(|source| SourceSpec {
                name: source.name.clone(),
                url: source.url.clone(),
                tags: source.tags.clone(),
                weight: source.weight,
                interval: config.interval_of(source),
            })
            .collect()
    }
}

/// How many sources [`Store::sync_sources`] added, changed and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
}

/// A source as the store knows it: its configuration and its polling state.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    pub id: i64,
    pub name: String,
    /// Where it is polled: the configured URL, or where a permanent
    /// redirect moved it.
    pub url: Url,
    /// The URL in `feeds.toml`; when it changes, `url` follows it.
    pub config_url: Url,
    pub tags: Vec<String>,
    pub weight: f64,
    pub interval: Duration,
    /// When it left `feeds.toml`; its history stays.
    pub removed_at: Option<DateTime<Utc>>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_status: Option<PollStatus>,
    pub last_error: Option<String>,
    pub consecutive_errors: u32,
    pub next_poll_at: Option<DateTime<Utc>>,
    /// The feed answered 410 Gone: it is no longer polled.
    pub gone: bool,
    /// Distinct links this source has listed so far.
    pub items_seen: u64,
}

impl SourceRecord {
    pub fn is_active(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// How one poll of a source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollStatus {
    /// The feed was fetched and parsed.
    Fetched,
    /// 304: nothing changed since the last poll.
    NotModified,
    /// Network, HTTP or parse error; the error is kept beside it.
    Failed,
    /// 410: the feed is gone for good.
    Gone,
}

impl PollStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PollStatus::Fetched => "ok",
            PollStatus::NotModified => "not-modified",
            PollStatus::Failed => "failed",
            PollStatus::Gone => "gone",
        }
    }

    pub fn parse(text: &str) -> Option<PollStatus> {
        [
            PollStatus::Fetched,
            PollStatus::NotModified,
            PollStatus::Failed,
            PollStatus::Gone,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// The validators of a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Everything one poll of one source learnt.
#[derive(Debug, Clone, PartialEq)]
pub struct PollResult {
    pub source_id: i64,
    pub polled_at: DateTime<Utc>,
    pub status: PollStatus,
    /// Why it failed, for the operator.
    pub error: Option<String>,
    /// New validators to send next time; `None` keeps the stored ones.
    pub validators: Option<Validators>,
    /// Where a permanent redirect moved the feed.
    pub moved_to: Option<Url>,
    pub items: Vec<Item>,
    pub next_poll_at: DateTime<Utc>,
}

/// What [`Store::record_poll`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollRecorded {
    /// Links this source had not listed before.
    pub new_items: usize,
}

/// A link of an issue file: never suggested again.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedLink {
    pub url: Url,
    pub issue: u32,
}

/// A link some source listed, one per normalised URL however many sources
/// listed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub url: Url,
    pub title: String,
    pub summary: Option<String>,
    pub published: DateTime<Utc>,
    pub first_seen: DateTime<Utc>,
    /// Every source that listed it, by name.
    pub sources: Vec<String>,
}

/// An editor's decision on a candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Accept {
        section: Option<String>,
        blurb: Option<String>,
    },
    Reject,
    Snooze {
        until: DateTime<Utc>,
    },
}

/// An accepted candidate with what the editor said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub candidate: Candidate,
    pub section: Option<String>,
    pub blurb: Option<String>,
}
