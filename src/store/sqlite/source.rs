//! Sources: their configuration from feeds.toml and their polling state.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::{During, optional_time_of, time_of, url_of};
use crate::store::{PollResult, PollStatus, SourceRecord, SourceSpec, StoreError, SyncReport};

const COLUMNS: &str = "id, name, url, config_url, tags, weight, interval_seconds, removed_at, \
    etag, last_modified, last_polled_at, last_status, last_error, consecutive_errors, \
    next_poll_at, gone, items_seen";

pub(super) async fn all(pool: &SqlitePool) -> Result<Vec<SourceRecord>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sources ORDER BY name"))
        .fetch_all(pool)
        .await
        .during("list the sources")?;
    rows.iter().map(record_of).collect()
}

fn record_of(row: &SqliteRow) -> Result<SourceRecord, StoreError> {
    let read = |err| StoreError::Query {
        action: "read a source".into(),
        source: err,
    };
    let tags: String = row.try_get("tags").map_err(read)?;
    let tags = serde_json::from_str(&tags).map_err(|_| StoreError::Corrupt {
        what: "list of tags",
        value: tags.clone(),
    })?;
    let status: Option<String> = row.try_get("last_status").map_err(read)?;
    let last_status = match status {
        Some(text) => Some(PollStatus::parse(&text).ok_or(StoreError::Corrupt {
            what: "poll status",
            value: text,
        })?),
        None => None,
    };
    let interval: i64 = row.try_get("interval_seconds").map_err(read)?;
    let consecutive_errors: i64 = row.try_get("consecutive_errors").map_err(read)?;
    let items_seen: i64 = row.try_get("items_seen").map_err(read)?;
    Ok(SourceRecord {
        id: row.try_get("id").map_err(read)?,
        name: row.try_get("name").map_err(read)?,
        url: url_of(row.try_get("url").map_err(read)?)?,
        config_url: url_of(row.try_get("config_url").map_err(read)?)?,
        tags,
        weight: row.try_get("weight").map_err(read)?,
        interval: Duration::from_secs(interval.max(0).unsigned_abs()),
        removed_at: optional_time_of(row.try_get("removed_at").map_err(read)?)?,
        etag: row.try_get("etag").map_err(read)?,
        last_modified: row.try_get("last_modified").map_err(read)?,
        last_polled_at: optional_time_of(row.try_get("last_polled_at").map_err(read)?)?,
        last_status,
        last_error: row.try_get("last_error").map_err(read)?,
        consecutive_errors: u32::try_from(consecutive_errors).unwrap_or(u32::MAX),
        next_poll_at: optional_time_of(row.try_get("next_poll_at").map_err(read)?)?,
        gone: row.try_get("gone").map_err(read)?,
        items_seen: items_seen.max(0).unsigned_abs(),
    })
}

/// What feeds.toml says of a stored source, to tell whether it changed.
struct Stored {
    id: i64,
    config_url: String,
    tags: String,
    weight: f64,
    interval_seconds: i64,
    removed: bool,
}

pub(super) async fn sync(
    tx: &mut SqliteConnection,
    specs: &[SourceSpec],
    now: DateTime<Utc>,
) -> Result<SyncReport, StoreError> {
    let action = "synchronise the sources with feeds.toml";
    let rows = sqlx::query(
        "SELECT id, name, config_url, tags, weight, interval_seconds, removed_at FROM sources",
    )
    .fetch_all(&mut *tx)
    .await
    .during(action)?;
    let mut stored = HashMap::new();
    for row in rows {
        let name: String = row.try_get("name").during(action)?;
        let removed_at: Option<i64> = row.try_get("removed_at").during(action)?;
        stored.insert(
            name,
            Stored {
                id: row.try_get("id").during(action)?,
                config_url: row.try_get("config_url").during(action)?,
                tags: row.try_get("tags").during(action)?,
                weight: row.try_get("weight").during(action)?,
                interval_seconds: row.try_get("interval_seconds").during(action)?,
                removed: removed_at.is_some(),
            },
        );
    }

    let mut report = SyncReport::default();
    for spec in specs {
        let tags = serde_json::Value::from(spec.tags.clone()).to_string();
        let interval_seconds = i64::try_from(spec.interval.as_secs()).unwrap_or(i64::MAX);
        let Some(old) = stored.get(&spec.name) else {
            sqlx::query(
                "INSERT INTO sources (name, config_url, url, tags, weight, interval_seconds) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&spec.name)
            .bind(spec.url.as_str())
            .bind(spec.url.as_str())
            .bind(&tags)
            .bind(spec.weight)
            .bind(interval_seconds)
            .execute(&mut *tx)
            .await
            .during(action)?;
            report.added += 1;
            continue;
        };
        let url_changed = old.config_url != spec.url.as_str();
        let unchanged = !url_changed
            && !old.removed
            && old.tags == tags
            && old.weight == spec.weight
            && old.interval_seconds == interval_seconds;
        if unchanged {
            continue;
        }
        if url_changed {
            // A new URL in feeds.toml is a new feed: start afresh there,
            // forgetting the validators and the gone flag of the old one.
            sqlx::query(
                "UPDATE sources SET config_url = ?, url = ?, etag = NULL, last_modified = NULL, \
                 gone = 0, consecutive_errors = 0, next_poll_at = NULL WHERE id = ?",
            )
            .bind(spec.url.as_str())
            .bind(spec.url.as_str())
            .bind(old.id)
            .execute(&mut *tx)
            .await
            .during(action)?;
        }
        sqlx::query(
            "UPDATE sources SET tags = ?, weight = ?, interval_seconds = ?, removed_at = NULL \
             WHERE id = ?",
        )
        .bind(&tags)
        .bind(spec.weight)
        .bind(interval_seconds)
        .bind(old.id)
        .execute(&mut *tx)
        .await
        .during(action)?;
        report.updated += 1;
    }

    let configured: HashSet<&str> = specs.iter().map(|spec| spec.name.as_str()).collect();
    for (name, old) in &stored {
        if old.removed || configured.contains(name.as_str()) {
            continue;
        }
        sqlx::query("UPDATE sources SET removed_at = ? WHERE id = ?")
            .bind(now.timestamp())
            .bind(old.id)
            .execute(&mut *tx)
            .await
            .during(action)?;
        report.removed += 1;
    }
    Ok(report)
}

/// Stores the outcome of a poll that listed `new_items` links for the first
/// time.
pub(super) async fn record_poll(
    tx: &mut SqliteConnection,
    result: &PollResult,
    new_items: usize,
) -> Result<(), StoreError> {
    let failed = result.status == PollStatus::Failed;
    let validators = result.validators.as_ref();
    let updated = sqlx::query(
        "UPDATE sources SET \
            last_polled_at = ?, last_status = ?, last_error = ?, \
            consecutive_errors = CASE WHEN ? THEN consecutive_errors + 1 ELSE 0 END, \
            next_poll_at = ?, gone = ?, url = COALESCE(?, url), items_seen = items_seen + ?, \
            etag = CASE WHEN ? THEN ? ELSE etag END, \
            last_modified = CASE WHEN ? THEN ? ELSE last_modified END, \
            claimed_by = NULL, claimed_until = NULL \
         WHERE id = ?",
    )
    .bind(result.polled_at.timestamp())
    .bind(result.status.as_str())
    .bind(result.error.as_deref())
    .bind(failed)
    .bind(result.next_poll_at.timestamp())
    .bind(result.status == PollStatus::Gone)
    .bind(result.moved_to.as_ref().map(url::Url::as_str))
    .bind(i64::try_from(new_items).unwrap_or(i64::MAX))
    .bind(validators.is_some())
    .bind(validators.and_then(|v| v.etag.as_deref()))
    .bind(validators.is_some())
    .bind(validators.and_then(|v| v.last_modified.as_deref()))
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

/// Leases the due sources to `owner`; the caller's transaction makes the
/// choice and the lease one step.
pub(super) async fn claim_due(
    tx: &mut SqliteConnection,
    owner: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
) -> Result<Vec<SourceRecord>, StoreError> {
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
    let rows = sqlx::query(&format!(
        "UPDATE sources SET claimed_by = ?, claimed_until = ? WHERE id IN ( \
            SELECT id FROM sources \
            WHERE removed_at IS NULL AND gone = 0 \
              AND (next_poll_at IS NULL OR next_poll_at <= ?) \
              AND (claimed_until IS NULL OR claimed_until <= ?) \
            ORDER BY COALESCE(next_poll_at, 0), id LIMIT ?) \
         RETURNING {COLUMNS}"
    ))
    .bind(owner)
    .bind(until.timestamp())
    .bind(now.timestamp())
    .bind(now.timestamp())
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await
    .during("claim the due sources")?;
    let mut claimed = rows.iter().map(record_of).collect::<Result<Vec<_>, _>>()?;
    // RETURNING gives no order; earliest due first, as the trait promises.
    claimed.sort_by_key(|source| (source.next_poll_at, source.id));
    Ok(claimed)
}

pub(super) async fn next_due_at(pool: &SqlitePool) -> Result<Option<DateTime<Utc>>, StoreError> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(MAX(COALESCE(next_poll_at, 0), COALESCE(claimed_until, 0))) FROM sources \
         WHERE removed_at IS NULL AND gone = 0",
    )
    .fetch_one(pool)
    .await
    .during("find when the next source is due")?;
    next.map(time_of).transpose()
}
