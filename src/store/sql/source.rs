//! Sources: their configuration from feeds.toml and their polling state.

/// `mod source` for the database `$db`.
/// `$skip_locked` ends the query that picks the sources to claim: the
/// clause that makes concurrent claims pass over each other's rows.
macro_rules! source_queries {
    ($db:ty, $skip_locked:expr) => {
        use std::time::Duration;

        use chrono::{DateTime, Utc};
        use sqlx::Row;

        use crate::store::columns::{During, optional_time_of, status_of, tags_of, time_of, url_of};
        use crate::store::sync::{Change, Stored, plan};
        use crate::store::{
            PollRecorded, PollResult, PollStatus, SourceRecord, SourceSpec, StoreError,
            SyncReport,
        };

        type Connection = <$db as sqlx::Database>::Connection;
        type DbRow = <$db as sqlx::Database>::Row;

        pub(in crate::store) const COLUMNS: &str =
            "id, name, url, config_url, tags, weight, interval_seconds, removed_at, \
            etag, last_modified, last_polled_at, last_status, last_error, consecutive_errors, \
            next_poll_at, gone, items_seen";

        pub(in crate::store) async fn all(
            pool: &sqlx::Pool<$db>,
        ) -> Result<Vec<SourceRecord>, StoreError> {
            let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sources ORDER BY name"))
                .fetch_all(pool)
                .await
                .during("list the sources")?;
            rows.iter().map(record_of).collect()
        }

        pub(in crate::store) fn record_of(row: &DbRow) -> Result<SourceRecord, StoreError> {
            let action = "read a source";
            let interval: i64 = row.try_get("interval_seconds").during(action)?;
            let consecutive_errors: i64 = row.try_get("consecutive_errors").during(action)?;
            let items_seen: i64 = row.try_get("items_seen").during(action)?;
            Ok(SourceRecord {
                id: row.try_get("id").during(action)?,
                name: row.try_get("name").during(action)?,
                url: url_of(row.try_get("url").during(action)?)?,
                config_url: url_of(row.try_get("config_url").during(action)?)?,
                tags: tags_of(row.try_get("tags").during(action)?)?,
                weight: row.try_get("weight").during(action)?,
                interval: Duration::from_secs(interval.max(0).unsigned_abs()),
                removed_at: optional_time_of(row.try_get("removed_at").during(action)?)?,
                etag: row.try_get("etag").during(action)?,
                last_modified: row.try_get("last_modified").during(action)?,
                last_polled_at: optional_time_of(row.try_get("last_polled_at").during(action)?)?,
                last_status: status_of(row.try_get("last_status").during(action)?)?,
                last_error: row.try_get("last_error").during(action)?,
                consecutive_errors: u32::try_from(consecutive_errors).unwrap_or(u32::MAX),
                next_poll_at: optional_time_of(row.try_get("next_poll_at").during(action)?)?,
                gone: row.try_get("gone").during(action)?,
                items_seen: items_seen.max(0).unsigned_abs(),
            })
        }

        pub(in crate::store) async fn sync(
            tx: &mut Connection,
            specs: &[SourceSpec],
            now: DateTime<Utc>,
        ) -> Result<SyncReport, StoreError> {
            let action = "synchronise the sources with feeds.toml";
            let rows = sqlx::query(
                "SELECT id, name, config_url, tags, weight, interval_seconds, removed_at \
                 FROM sources",
            )
            .fetch_all(&mut *tx)
            .await
            .during(action)?;
            let mut stored = Vec::with_capacity(rows.len());
            for row in rows {
                let removed_at: Option<i64> = row.try_get("removed_at").during(action)?;
                stored.push(Stored {
                    id: row.try_get("id").during(action)?,
                    name: row.try_get("name").during(action)?,
                    config_url: row.try_get("config_url").during(action)?,
                    tags: row.try_get("tags").during(action)?,
                    weight: row.try_get("weight").during(action)?,
                    interval_seconds: row.try_get("interval_seconds").during(action)?,
                    removed: removed_at.is_some(),
                });
            }
            let (changes, report) = plan(&stored, specs);
            for change in changes {
                let query = match change {
                    Change::Add {
                        spec,
                        tags,
                        interval_seconds,
                    } => sqlx::query(
                        "INSERT INTO sources \
                            (name, config_url, url, tags, weight, interval_seconds) \
                         VALUES ($1, $2, $2, $3, $4, $5)",
                    )
                    .bind(spec.name.as_str())
                    .bind(spec.url.as_str())
                    .bind(tags)
                    .bind(spec.weight)
                    .bind(interval_seconds),
                    // A new URL starts afresh: no validators, not gone,
                    // polled at once.
                    Change::Update {
                        id,
                        new_url,
                        tags,
                        weight,
                        interval_seconds,
                    } => sqlx::query(
                        "UPDATE sources SET tags = $1, weight = $2, interval_seconds = $3, \
                            removed_at = NULL, config_url = COALESCE($4, config_url), \
                            url = COALESCE($4, url), \
                            etag = CASE WHEN $4 IS NULL THEN etag END, \
                            last_modified = CASE WHEN $4 IS NULL THEN last_modified END, \
                            gone = CASE WHEN $4 IS NULL THEN gone ELSE FALSE END, \
                            consecutive_errors = \
                                CASE WHEN $4 IS NULL THEN consecutive_errors ELSE 0 END, \
                            next_poll_at = CASE WHEN $4 IS NULL THEN next_poll_at END \
                         WHERE id = $5",
                    )
                    .bind(tags)
                    .bind(weight)
                    .bind(interval_seconds)
                    .bind(new_url.map(|url| url.as_str().to_string()))
                    .bind(id),
                    Change::Remove { id } => {
                        sqlx::query("UPDATE sources SET removed_at = $1 WHERE id = $2")
                            .bind(now.timestamp())
                            .bind(id)
                    }
                };
                query.execute(&mut *tx).await.during(action)?;
            }
            Ok(report)
        }

        /// Stores one poll result, its items then the source's state, in
        /// the caller's transaction.
        pub(in crate::store) async fn record_result(
            tx: &mut Connection,
            result: &PollResult,
        ) -> Result<PollRecorded, StoreError> {
            let new_items = super::candidate::record_sightings(
                &mut *tx,
                result.source_id,
                &result.items,
                result.polled_at,
            )
            .await?;
            record_poll(tx, result, new_items).await?;
            Ok(PollRecorded { new_items })
        }

        /// Stores the outcome of a poll that listed `new_items` links for
        /// the first time.
        async fn record_poll(
            tx: &mut Connection,
            result: &PollResult,
            new_items: usize,
        ) -> Result<(), StoreError> {
            let validators = result.validators.as_ref();
            let updated = sqlx::query(
                "UPDATE sources SET \
                    last_polled_at = $1, last_status = $2, last_error = $3, \
                    consecutive_errors = CASE WHEN $4 THEN consecutive_errors + 1 ELSE 0 END, \
                    next_poll_at = $5, gone = $6, url = COALESCE($7, url), \
                    items_seen = items_seen + $8, \
                    etag = CASE WHEN $9 THEN $10 ELSE etag END, \
                    last_modified = CASE WHEN $9 THEN $11 ELSE last_modified END, \
                    claimed_by = NULL, claimed_until = NULL \
                 WHERE id = $12",
            )
            .bind(result.polled_at.timestamp())
            .bind(result.status.as_str())
            .bind(result.error.clone())
            .bind(result.status == PollStatus::Failed)
            .bind(result.next_poll_at.timestamp())
            .bind(result.status == PollStatus::Gone)
            .bind(result.moved_to.as_ref().map(|url| url.as_str().to_string()))
            .bind(i64::try_from(new_items).unwrap_or(i64::MAX))
            .bind(validators.is_some())
            .bind(validators.and_then(|v| v.etag.clone()))
            .bind(validators.and_then(|v| v.last_modified.clone()))
            .bind(result.source_id)
            .execute(&mut *tx)
            .await
            .during("record a poll")?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::UnknownSource {
                    id: result.source_id,
                });
            }
            Ok(())
        }

        /// Leases the due sources to `owner`; the caller's transaction
        /// makes the choice and the lease one step.
        pub(in crate::store) async fn claim_due(
            tx: &mut Connection,
            owner: &str,
            now: DateTime<Utc>,
            lease: Duration,
            limit: usize,
        ) -> Result<Vec<SourceRecord>, StoreError> {
            let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
            let rows = sqlx::query(&format!(
                "UPDATE sources SET claimed_by = $1, claimed_until = $2 WHERE id IN ( \
                    SELECT id FROM sources \
                    WHERE removed_at IS NULL AND NOT gone \
                      AND (next_poll_at IS NULL OR next_poll_at <= $3) \
                      AND (claimed_until IS NULL OR claimed_until <= $3) \
                    ORDER BY COALESCE(next_poll_at, 0), id LIMIT $4 {}) \
                 RETURNING {COLUMNS}",
                $skip_locked
            ))
            .bind(owner.to_string())
            .bind(until.timestamp())
            .bind(now.timestamp())
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await
            .during("claim the due sources")?;
            let mut claimed = rows.iter().map(record_of).collect::<Result<Vec<_>, _>>()?;
            // RETURNING gives no order; earliest due first, as the trait
            // promises.
            claimed.sort_by_key(|source| (source.next_poll_at, source.id));
            Ok(claimed)
        }

        pub(in crate::store) async fn next_due_at(
            pool: &sqlx::Pool<$db>,
        ) -> Result<Option<DateTime<Utc>>, StoreError> {
            // CASE rather than MAX(a, b) or GREATEST: the same in both.
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(CASE WHEN COALESCE(claimed_until, 0) > COALESCE(next_poll_at, 0) \
                    THEN claimed_until ELSE COALESCE(next_poll_at, 0) END) \
                 FROM sources WHERE removed_at IS NULL AND NOT gone",
            )
            .fetch_one(pool)
            .await
            .during("find when the next source is due")?;
            next.map(time_of).transpose()
        }
    };
}

pub(in crate::store) use source_queries;
