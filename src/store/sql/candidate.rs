//! Candidates (one per normalised URL) and their sightings (which source
//! listed which candidate).

/// `mod candidate` for the database `$db`.
macro_rules! candidate_queries {
    ($db:ty) => {
        use chrono::{DateTime, Utc};
        use sqlx::{QueryBuilder, Row};

        use crate::item::Item;
        use crate::store::columns::{During, distinct_items, group, time_of, url_of};
        use crate::store::{Accepted, Candidate, StoreError};

        type Connection = <$db as sqlx::Database>::Connection;
        type DbRow = <$db as sqlx::Database>::Row;

        /// Rows per multi-row INSERT: far below either database's limit of
        /// bound variables, and large enough that a whole feed usually goes
        /// in one statement.
        const CHUNK: usize = 500;

        /// Stores the items `source_id` listed; returns how many it had not
        /// listed before. An item whose normalised URL is already a
        /// candidate (from this or another source) adds a sighting, not a
        /// candidate.
        pub(in crate::store) async fn record_sightings(
            tx: &mut Connection,
            source_id: i64,
            items: &[Item],
            seen_at: DateTime<Utc>,
        ) -> Result<usize, StoreError> {
            let action = "store the items of a poll";
            let items = distinct_items(items);
            let mut new_items = 0;
            for chunk in items.chunks(CHUNK) {
                let mut insert = QueryBuilder::<$db>::new(
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

                let mut sight = QueryBuilder::<$db>::new(
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

        /// The normalised URLs `source_id` has listed so far.
        pub(in crate::store) async fn known_links(
            pool: &sqlx::Pool<$db>,
            source_id: i64,
        ) -> Result<std::collections::HashSet<String>, StoreError> {
            let urls: Vec<String> = sqlx::query_scalar(
                "SELECT c.url FROM sightings s JOIN candidates c ON c.id = s.candidate_id \
                 WHERE s.source_id = $1",
            )
            .bind(source_id)
            .fetch_all(pool)
            .await
            .during("list the links of a source")?;
            Ok(urls.into_iter().collect())
        }

        /// The candidate columns and one row per source that listed it;
        /// `{extra}` adds columns, `{join}` tables, `{filter}` and `{order}`
        /// finish it.
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

        /// Never published, and no decision in force but a snooze that has
        /// run out (`$2` = now); published at or after `$1`. Needs
        /// [`CURRENT_DECISION`] joined.
        fn awaiting_review_filter() -> String {
            format!(
                "{NOT_PUBLISHED} AND c.published_at >= $1 \
                 AND (d.id IS NULL OR (d.kind = 'snooze' AND d.snoozed_until <= $2))"
            )
        }

        pub(in crate::store) async fn awaiting_review(
            pool: &sqlx::Pool<$db>,
            now: DateTime<Utc>,
            since: Option<DateTime<Utc>>,
        ) -> Result<Vec<Candidate>, StoreError> {
            let rows = sqlx::query(&select(
                "",
                CURRENT_DECISION,
                &awaiting_review_filter(),
                "c.id",
            ))
                .bind(since.map_or(i64::MIN, |since| since.timestamp()))
                .bind(now.timestamp())
                .fetch_all(pool)
                .await
                .during("list the candidates")?;
            Ok(group(&rows, |row| Ok((candidate_of(row)?, ())))?
                .into_iter()
                .map(|(candidate, ())| candidate)
                .collect())
        }

        /// How many candidates [`awaiting_review`] would list, without
        /// reading them: the daemon's gauge of the review queue.
        pub(in crate::store) async fn count_awaiting_review(
            pool: &sqlx::Pool<$db>,
            now: DateTime<Utc>,
        ) -> Result<usize, StoreError> {
            let count: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM candidates c {CURRENT_DECISION} \
                 WHERE EXISTS (SELECT 1 FROM sightings s WHERE s.candidate_id = c.id) \
                 AND {}",
                awaiting_review_filter()
            ))
            .bind(i64::MIN)
            .bind(now.timestamp())
            .fetch_one(pool)
            .await
            .during("count the candidates")?;
            Ok(usize::try_from(count).unwrap_or(0))
        }

        pub(in crate::store) async fn by_id(
            tx: &mut Connection,
            id: i64,
        ) -> Result<Candidate, StoreError> {
            let rows = sqlx::query(&select("", "", "c.id = $1", "c.id"))
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .during("read a candidate")?;
            group(&rows, |row| Ok((candidate_of(row)?, ())))?
                .pop()
                .map(|(candidate, ())| candidate)
                .ok_or(StoreError::UnknownCandidate { id })
        }

        pub(in crate::store) async fn accepted(
            pool: &sqlx::Pool<$db>,
        ) -> Result<Vec<Accepted>, StoreError> {
            let filter = format!("{NOT_PUBLISHED} AND d.kind = 'accept'");
            let rows = sqlx::query(&select(", d.section, d.blurb", CURRENT_DECISION, &filter, "d.id"))
                .fetch_all(pool)
                .await
                .during("list the accepted candidates")?;
            let accepted = group(&rows, |row| {
                let action = "read an accepted candidate";
                let section: Option<String> = row.try_get("section").during(action)?;
                let blurb: Option<String> = row.try_get("blurb").during(action)?;
                Ok((candidate_of(row)?, (section, blurb)))
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

        /// One row: the candidate with the one source the row names.
        fn candidate_of(row: &DbRow) -> Result<Candidate, StoreError> {
            let action = "read a candidate";
            Ok(Candidate {
                id: row.try_get("id").during(action)?,
                url: url_of(row.try_get("url").during(action)?)?,
                title: row.try_get("title").during(action)?,
                summary: row.try_get("summary").during(action)?,
                published: time_of(row.try_get("published_at").during(action)?)?,
                first_seen: time_of(row.try_get("first_seen_at").during(action)?)?,
                sources: vec![row.try_get("source_name").during(action)?],
            })
        }
    };
}

pub(in crate::store) use candidate_queries;
