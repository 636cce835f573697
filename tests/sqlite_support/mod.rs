//! A newsletter's SQLite database as the crash and fault tests look at it
//! (and move its clock) behind the back of the process that uses it.

#![allow(dead_code)] // Each test binary uses part of it.

use std::collections::HashSet;
use std::path::Path;

use newsroom::store::{self, Store};
use sqlx::{Connection, SqliteConnection};

async fn connect(database: &Path) -> SqliteConnection {
    let url = format!("sqlite://{}", database.display());
    SqliteConnection::connect(&url).await.unwrap()
}

/// Asserts that `PRAGMA integrity_check` finds nothing wrong.
pub async fn integrity_check(database: &Path) {
    let mut connection = connect(database).await;
    let result: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    assert_eq!(result, "ok");
}

/// Makes every source due now, as if its interval had passed.
pub async fn make_sources_due(database: &Path) {
    let mut connection = connect(database).await;
    sqlx::query("UPDATE sources SET next_poll_at = 0")
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

/// How many sources were polled at `since` (Unix seconds) or later.
pub async fn polled_since(database: &Path, since: i64) -> usize {
    let mut connection = connect(database).await;
    let polled: i64 = sqlx::query_scalar("SELECT count(*) FROM sources WHERE last_polled_at >= $1")
        .bind(since)
        .fetch_one(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    usize::try_from(polled).unwrap()
}

/// The candidates accepted, and those still waiting for a decision.
pub struct Decided {
    pub accepted: HashSet<i64>,
    pub pending: HashSet<i64>,
}

pub async fn decided(database: &Path) -> Decided {
    let store = store::open(&database.to_string_lossy()).await.unwrap();
    let accepted = store.accepted().await.unwrap();
    let pending = store.candidates(chrono::Utc::now(), None).await.unwrap();
    store.close().await;
    Decided {
        accepted: accepted.iter().map(|entry| entry.candidate.id).collect(),
        pending: pending.iter().map(|candidate| candidate.id).collect(),
    }
}
