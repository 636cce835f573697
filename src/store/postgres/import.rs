//! `newsroom migrate`: a SQLite installation copied into an empty
//! PostgreSQL database, in one transaction, ids kept, so that nothing
//! refers to anything else differently afterwards.

use sqlx::sqlite::SqliteRow;
use sqlx::{Postgres, QueryBuilder, Row};

use super::{Lock, PostgresStore, lock};
use crate::store::columns::During;
use crate::store::{SqliteStore, StoreError};

/// How a column is read from SQLite and written to PostgreSQL.
#[derive(Clone, Copy)]
enum Kind {
    Integer,
    Real,
    Text,
    Boolean,
}

/// Every table and the columns newsroom copies, parents before children.
/// Leases (`claimed_by`, `claimed_until`) are not copied: nobody holds one
/// on a database that has just moved.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "sources",
        &[
            ("id", Kind::Integer),
            ("name", Kind::Text),
            ("config_url", Kind::Text),
            ("url", Kind::Text),
            ("tags", Kind::Text),
            ("weight", Kind::Real),
            ("interval_seconds", Kind::Integer),
            ("removed_at", Kind::Integer),
            ("etag", Kind::Text),
            ("last_modified", Kind::Text),
            ("last_polled_at", Kind::Integer),
            ("last_status", Kind::Text),
            ("last_error", Kind::Text),
            ("consecutive_errors", Kind::Integer),
            ("next_poll_at", Kind::Integer),
            ("gone", Kind::Boolean),
            ("items_seen", Kind::Integer),
        ],
    ),
    (
        "candidates",
        &[
            ("id", Kind::Integer),
            ("url", Kind::Text),
            ("title", Kind::Text),
            ("summary", Kind::Text),
            ("published_at", Kind::Integer),
            ("first_seen_at", Kind::Integer),
        ],
    ),
    (
        "sightings",
        &[
            ("candidate_id", Kind::Integer),
            ("source_id", Kind::Integer),
            ("seen_at", Kind::Integer),
        ],
    ),
    (
        "decisions",
        &[
            ("id", Kind::Integer),
            ("candidate_id", Kind::Integer),
            ("kind", Kind::Text),
            ("section", Kind::Text),
            ("blurb", Kind::Text),
            ("snoozed_until", Kind::Integer),
            ("decided_at", Kind::Integer),
            ("undone_at", Kind::Integer),
        ],
    ),
    (
        "published",
        &[("url", Kind::Text), ("issue_number", Kind::Integer)],
    ),
];

/// Tables whose ids PostgreSQL hands out: after the copy, the next one
/// must follow the largest copied.
const IDENTITIES: &[&str] = &["sources", "candidates", "decisions"];

/// Rows per read from SQLite and per INSERT into PostgreSQL: a few
/// thousand bound values, under PostgreSQL's limit of 65,535.
const PAGE: i64 = 1000;

/// Rows copied, per table, in the order of [`TABLES`].
pub type Copied = Vec<(&'static str, u64)>;

impl PostgresStore {
    /// Copies every row of `from` into this database, which must be empty;
    /// all or nothing. Opening both migrated them to the same schema
    /// version (or refused one newer than this newsroom knows).
    pub async fn import(&self, from: &SqliteStore) -> Result<Copied, StoreError> {
        let action = "copy the SQLite database";
        let mut tx = self.pool.begin().await.during(action)?;
        // Nobody migrates, syncs or indexes meanwhile.
        for key in [Lock::Migrate, Lock::SyncSources, Lock::IndexPublished] {
            lock(&mut tx, key).await.during(action)?;
        }
        let mut copied = Vec::new();
        for &(table, _) in TABLES {
            let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await
                .during(action)?;
            if rows > 0 {
                return Err(StoreError::NotEmpty { table });
            }
        }
        for &(table, columns) in TABLES {
            let names = columns
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ");
            let mut count = 0;
            let mut after = i64::MIN;
            loop {
                // Pages by rowid: every SQLite table here has one.
                let page: Vec<SqliteRow> = sqlx::query(&format!(
                    "SELECT rowid AS page_key, {names} FROM {table} \
                     WHERE rowid > $1 ORDER BY rowid LIMIT $2"
                ))
                .bind(after)
                .bind(PAGE)
                .fetch_all(from.pool())
                .await
                .during(action)?;
                let Some(last) = page.last() else { break };
                after = last.try_get("page_key").during(action)?;
                let mut insert =
                    QueryBuilder::<Postgres>::new(format!("INSERT INTO {table} ({names}) "));
                let mut failed = None;
                insert.push_values(&page, |mut values, row| {
                    for &(column, kind) in columns {
                        let bound = match kind {
                            Kind::Integer => row.try_get::<Option<i64>, _>(column).map(|v| {
                                values.push_bind(v);
                            }),
                            Kind::Real => row.try_get::<Option<f64>, _>(column).map(|v| {
                                values.push_bind(v);
                            }),
                            Kind::Text => row.try_get::<Option<String>, _>(column).map(|v| {
                                values.push_bind(v);
                            }),
                            Kind::Boolean => row.try_get::<Option<bool>, _>(column).map(|v| {
                                values.push_bind(v);
                            }),
                        };
                        if let Err(err) = bound {
                            failed.get_or_insert(err);
                        }
                    }
                });
                if let Some(err) = failed {
                    return Err(err).during(action);
                }
                insert.build().execute(&mut *tx).await.during(action)?;
                count += page.len() as u64;
            }
            copied.push((table, count));
        }
        for table in IDENTITIES {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                    COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(&mut *tx)
            .await
            .during(action)?;
        }
        tx.commit().await.during(action)?;
        Ok(copied)
    }
}
