//! Databases for the store tests: a SQLite file in a temporary folder, or
//! a fresh PostgreSQL database on the server named by
//! `NEWSROOM_TEST_POSTGRES_URL` (`.ci/install` starts one), one per test so
//! that tests run in parallel without seeing each other's rows or locks,
//! and dropped when the test ends.

#![allow(dead_code)] // Each test binary uses part of it.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use newsroom::store::{PostgresStore, SqliteStore, Store};
use sqlx::Connection;

/// Opens the same database every time it is called, so that a test can
/// close and reopen it.
pub trait Backend {
    type Store: Store + Clone + 'static;
    fn open(&self) -> impl Future<Output = Self::Store>;
    /// What `[aggregator] database` says to reach it.
    fn database(&self) -> String;
}

pub struct Sqlite {
    dir: tempfile::TempDir,
}

impl Sqlite {
    pub fn new() -> Option<Sqlite> {
        Some(Sqlite {
            dir: tempfile::tempdir().expect("temporary folder"),
        })
    }
}

impl Backend for Sqlite {
    type Store = SqliteStore;
    async fn open(&self) -> SqliteStore {
        SqliteStore::open(&self.database())
            .await
            .expect("open the SQLite store")
    }
    fn database(&self) -> String {
        self.dir.path().join("newsroom.db").to_string_lossy().into()
    }
}

pub struct Postgres {
    url: String,
    server: String,
    name: String,
}

impl Postgres {
    /// A new, empty database; `None` (the test skips) when no server is
    /// configured, unless `NEWSROOM_TEST_REQUIRE_ALL=1` asks for every test.
    pub async fn new() -> Option<Postgres> {
        let Some(server) = server_url() else {
            if std::env::var("NEWSROOM_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL not available: set NEWSROOM_TEST_POSTGRES_URL (.ci/install)");
            }
            println!("skipped: PostgreSQL not available (set NEWSROOM_TEST_POSTGRES_URL)");
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "newsroom_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("connect to NEWSROOM_TEST_POSTGRES_URL");
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .await
            .expect("drop a leftover test database");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        let mut url = url::Url::parse(&server).expect("NEWSROOM_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Some(Postgres {
            url: url.into(),
            server,
            name,
        })
    }
}

impl Drop for Postgres {
    /// Drops the database, ending the sessions still in it (a daemon the
    /// test killed, a pool it did not close). Drop cannot wait on the
    /// test's runtime, hence a thread with its own.
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map(drop)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("cannot drop the test database {}: {dropped:?}", self.name);
        }
    }
}

fn server_url() -> Option<String> {
    std::env::var("NEWSROOM_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

impl Backend for Postgres {
    type Store = PostgresStore;
    async fn open(&self) -> PostgresStore {
        PostgresStore::open(&self.url)
            .await
            .expect("open the PostgreSQL store")
    }
    fn database(&self) -> String {
        self.url.clone()
    }
}

/// The config of `feeds_toml` and its store, opened and synchronised with
/// its sources, as `newsroom poll` starts.
pub async fn open_synced(
    feeds_toml: &str,
) -> (newsroom::config::Config, newsroom::store::AnyStore) {
    let config = newsroom::config::Config::parse(feeds_toml).expect("valid config");
    let store = newsroom::store::open(&config.aggregator.database)
        .await
        .unwrap();
    store
        .sync_sources(
            &newsroom::store::SourceSpec::all_of(&config),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    (config, store)
}
