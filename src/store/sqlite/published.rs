//! Published links: the links of every issue file, never suggested again.

use std::collections::HashSet;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::During;
use crate::normalize::normalize;
use crate::store::{PublishedLink, StoreError};

const CHUNK: usize = 500;

/// Replaces the published links with `links`: an issue file deleted or
/// edited takes its old links with it.
pub(super) async fn replace(
    tx: &mut SqliteConnection,
    links: &[PublishedLink],
) -> Result<(), StoreError> {
    let action = "index the published links";
    sqlx::query("DELETE FROM published")
        .execute(&mut *tx)
        .await
        .during(action)?;
    let mut seen = HashSet::new();
    let links: Vec<(String, u32)> = links
        .iter()
        .map(|link| (normalize(&link.url).to_string(), link.issue))
        .filter(|(url, _)| seen.insert(url.clone()))
        .collect();
    for chunk in links.chunks(CHUNK) {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO published (url, issue_number) ");
        insert.push_values(chunk, |mut row, (url, issue)| {
            row.push_bind(url.as_str()).push_bind(i64::from(*issue));
        });
        insert.build().execute(&mut *tx).await.during(action)?;
    }
    Ok(())
}
