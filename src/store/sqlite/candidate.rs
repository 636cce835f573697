//! Candidates (one per normalised URL) and their sightings (which source
//! listed which candidate).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use super::{During, time_of, url_of};
use crate::item::Item;
use crate::normalize::normalize;
use crate::store::{Accepted, Candidate, StoreError};

/// Rows per multi-row INSERT: far below SQLite's limit of bound variables,
/// and large enough that a whole feed usually goes in one statement.
const CHUNK: usize = 500;

/// Stores the items `source_id` listed; returns how many it had not listed
/// before. An item whose normalised URL is already a candidate (from this
/// or another source) adds a sighting, not a candidate.
pub(super) async fn record_sightings(
    tx: &mut SqliteConnection,
    source_id: i64,
    items: &[Item],
    seen_at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let action = "store the items of a poll";
    let mut seen = HashSet::new();
    let items: Vec<(String, &Item)> = items
        .iter()
        .map(|item| (normalize(&item.url).to_string(), item))
        .filter(|(url, _)| seen.insert(url.clone()))
        .collect();
    let mut new_items = 0;
    for chunk in items.chunks(CHUNK) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO candidates (url, title, summary, published_at, first_seen_at) ",
        );
        insert.push_values(chunk, |mut row, (url, item)| {
            row.push_bind(url.as_str())
                .push_bind(item.title.as_str())
                .push_bind(item.summary_html.as_deref())
                .push_bind(item.published.timestamp())
                .push_bind(seen_at.timestamp());
        });
        insert.push(" ON CONFLICT (url) DO NOTHING");
        insert.build().execute(&mut *tx).await.during(action)?;

        let mut sight = QueryBuilder::<Sqlite>::new(
            "INSERT INTO sightings (candidate_id, source_id, seen_at) SELECT id, ",
        );
        sight
            .push_bind(source_id)
            .push(", ")
            .push_bind(seen_at.timestamp())
            .push(" FROM candidates WHERE url IN (");
        let mut urls = sight.separated(", ");
        for (url, _) in chunk {
            urls.push_bind(url.as_str());
        }
        sight.push(") ON CONFLICT (candidate_id, source_id) DO NOTHING");
        let inserted = sight.build().execute(&mut *tx).await.during(action)?;
        new_items += usize::try_from(inserted.rows_affected()).unwrap_or(usize::MAX);
    }
    Ok(new_items)
}

/// The candidate columns and one row per source that listed it; `{extra}`
/// adds columns, `{join}` tables, `{filter}` and `{order}` finish it.
fn select(extra: &str, join: &str, filter: &str, order: &str) -> String {
    format!(
        "SELECT c.id, c.url, c.title, c.summary, c.published_at, c.first_seen_at, \
            src.name AS source_name{extra} \
         FROM candidates c \
         JOIN sightings s ON s.candidate_id = c.id \
         JOIN sources src ON src.id = s.source_id \
         {join} WHERE {filter} ORDER BY {order}, src.name"
    )
}

/// The decision in force on `c`: the latest one not undone.
const CURRENT_DECISION: &str = "LEFT JOIN decisions d ON d.id = \
    (SELECT MAX(id) FROM decisions WHERE candidate_id = c.id AND undone_at IS NULL)";

const NOT_PUBLISHED: &str = "NOT EXISTS (SELECT 1 FROM published p WHERE p.url = c.url)";

pub(super) async fn awaiting_review(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<Candidate>, StoreError> {
    let filter = format!(
        "{NOT_PUBLISHED} AND c.published_at >= ? \
         AND (d.id IS NULL OR (d.kind = 'snooze' AND d.snoozed_until <= ?))"
    );
    let rows = sqlx::query(&select("", CURRENT_DECISION, &filter, "c.id"))
        .bind(since.map_or(i64::MIN, |since| since.timestamp()))
        .bind(now.timestamp())
        .fetch_all(pool)
        .await
        .during("list the candidates")?;
    Ok(group(&rows, |_| Ok(()))?
        .into_iter()
        .map(|(candidate, ())| candidate)
        .collect())
}

pub(super) async fn by_id(tx: &mut SqliteConnection, id: i64) -> Result<Candidate, StoreError> {
    let rows = sqlx::query(&select("", "", "c.id = ?", "c.id"))
        .bind(id)
        .fetch_all(&mut *tx)
        .await
        .during("read a candidate")?;
    group(&rows, |_| Ok(()))?
        .pop()
        .map(|(candidate, ())| candidate)
        .ok_or(StoreError::UnknownCandidate { id })
}

pub(super) async fn accepted(pool: &SqlitePool) -> Result<Vec<Accepted>, StoreError> {
    let filter = format!("{NOT_PUBLISHED} AND d.kind = 'accept'");
    let rows = sqlx::query(&select(
        ", d.section, d.blurb",
        CURRENT_DECISION,
        &filter,
        "d.id",
    ))
    .fetch_all(pool)
    .await
    .during("list the accepted candidates")?;
    let accepted = group(&rows, |row| {
        Ok((row.try_get("section")?, row.try_get("blurb")?))
    })?;
    Ok(accepted
        .into_iter()
        .map(|(candidate, (section, blurb))| Accepted {
            candidate,
            section,
            blurb,
        })
        .collect())
}

/// Folds consecutive rows of one candidate (one per source) into one
/// candidate, with `extra` read from its first row.
fn group<E>(
    rows: &[SqliteRow],
    extra: impl Fn(&SqliteRow) -> Result<E, sqlx::Error>,
) -> Result<Vec<(Candidate, E)>, StoreError> {
    let action = "read a candidate";
    let mut grouped: Vec<(Candidate, E)> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id").during(action)?;
        let source: String = row.try_get("source_name").during(action)?;
        if let Some((last, _)) = grouped.last_mut().filter(|(last, _)| last.id == id) {
            last.sources.push(source);
            continue;
        }
        let candidate = Candidate {
            id,
            url: url_of(row.try_get("url").during(action)?)?,
            title: row.try_get("title").during(action)?,
            summary: row.try_get("summary").during(action)?,
            published: time_of(row.try_get("published_at").during(action)?)?,
            first_seen: time_of(row.try_get("first_seen_at").during(action)?)?,
            sources: vec![source],
        };
        grouped.push((candidate, extra(row).during(action)?));
    }
    Ok(grouped)
}
