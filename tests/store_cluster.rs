//! Several daemons on one database: they split the polling through leases
//! (`claim_due_sources`), a daemon that dies loses its sources to the
//! others once its leases run out, every editor's decision is seen by all,
//! and one rebuilds the public output at a time. Each "daemon" here is an
//! in-process poller with its own connection pool, fetching from a local
//! fixture server that counts the requests per source.

mod store_support;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use newsroom::store::{Decision, PollResult, PollStatus, SourceSpec, Store};
use store_support::{Backend, Postgres, Sqlite};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SOURCES: usize = 1000;
const INTERVAL: Duration = Duration::from_secs(3600);
const LEASE: Duration = Duration::from_secs(300);
const BATCH: usize = 25;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()
}

fn after(time: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    time + chrono::Duration::from_std(duration).unwrap()
}

async fn fixture_sources(server: &MockServer) -> Vec<SourceSpec> {
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<rss version=\"2.0\"/>"))
        .mount(server)
        .await;
    (0..SOURCES)
        .map(|n| SourceSpec {
            name: format!("source-{n:04}"),
            url: format!("{}/feed/{n}", server.uri()).parse().unwrap(),
            tags: vec![],
            weight: 1.0,
            interval: INTERVAL,
        })
        .collect()
}

/// Requests the fixture server received, per path.
async fn fetches(server: &MockServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in server.received_requests().await.unwrap_or_default() {
        *counts.entry(request.url.path().to_string()).or_default() += 1;
    }
    counts
}

/// One daemon's polling at `now`: claims batches and fetches and records
/// each source until nothing is due. Returns how many it polled.
async fn poll_until_idle(store: impl Store, owner: String, now: DateTime<Utc>) -> usize {
    let client = reqwest::Client::new();
    let mut polled = 0;
    loop {
        let claimed = store
            .claim_due_sources(&owner, now, LEASE, BATCH)
            .await
            .unwrap();
        if claimed.is_empty() {
            return polled;
        }
        for source in claimed {
            let response = client.get(source.url.clone()).send().await.unwrap();
            assert!(response.status().is_success());
            let result = PollResult {
                source_id: source.id,
                polled_at: now,
                status: PollStatus::Fetched,
                error: None,
                validators: None,
                moved_to: None,
                items: vec![],
                next_poll_at: after(now, INTERVAL),
            };
            store.record_poll(&result).await.unwrap();
            polled += 1;
        }
    }
}

/// Three daemons at once at `now`, each with its own pool.
async fn three_daemons(backend: &impl Backend, names: [&str; 3], now: DateTime<Utc>) -> usize {
    let mut daemons = Vec::new();
    for name in names {
        let store = backend.open().await;
        daemons.push(tokio::spawn(poll_until_idle(store, name.to_string(), now)));
    }
    let mut polled = 0;
    for daemon in daemons {
        polled += daemon.await.unwrap();
    }
    polled
}

async fn daemons_split_the_polling_and_take_over_a_dead_ones_sources(backend: impl Backend) {
    let server = MockServer::start().await;
    let store = backend.open().await;
    store
        .sync_sources(&fixture_sources(&server).await, start())
        .await
        .unwrap();

    // One interval: every source fetched exactly once between the three.
    let polled = three_daemons(&backend, ["a", "b", "c"], start()).await;
    assert_eq!(polled, SOURCES);
    let counts = fetches(&server).await;
    assert_eq!(counts.len(), SOURCES);
    assert!(counts.values().all(|&n| n == 1), "a source fetched twice");

    // Next interval: daemon "c" claims a batch and dies before recording
    // (as under SIGKILL); the others poll the rest, not its sources.
    let second = after(start(), INTERVAL);
    let dead = store
        .claim_due_sources("c", second, LEASE, 100)
        .await
        .unwrap();
    assert_eq!(dead.len(), 100);
    let polled = three_daemons(&backend, ["a", "b", "d"], second).await;
    assert_eq!(polled, SOURCES - dead.len());
    let counts = fetches(&server).await;
    for source in &dead {
        assert_eq!(
            counts[source.url.path()],
            1,
            "{} polled under a lease",
            source.name
        );
    }
    // Still leased a second before the lease ends; taken over after.
    let almost = after(second, LEASE - Duration::from_secs(1));
    assert_eq!(three_daemons(&backend, ["a", "b", "d"], almost).await, 0);
    let expired = after(second, LEASE);
    assert_eq!(
        three_daemons(&backend, ["a", "b", "d"], expired).await,
        dead.len()
    );
    let counts = fetches(&server).await;
    assert!(counts.values().all(|&n| n == 2), "{counts:?}");
    // Nothing due until the next interval; the dead one's sources come
    // round a lease later than the others.
    assert_eq!(
        store.next_due_at().await.unwrap(),
        Some(after(second, INTERVAL))
    );
}

async fn decisions_through_one_daemon_are_seen_by_all(backend: impl Backend) {
    let one = backend.open().await;
    let other = backend.open().await;
    let server = MockServer::start().await;
    let specs = fixture_sources(&server).await;
    one.sync_sources(&specs[..1], start()).await.unwrap();
    let sources = other.sources().await.unwrap();
    let source = &sources[0];
    let item = newsroom::item::Item {
        id: "post".into(),
        url: "https://example.org/post".parse().unwrap(),
        title: "A post".into(),
        summary_html: None,
        content_html: None,
        published: start().fixed_offset(),
        updated: None,
        authors: vec![],
        tags: vec![],
        origin: newsroom::item::Origin::Source {
            name: source.name.clone(),
        },
    };
    let result = PollResult {
        source_id: source.id,
        polled_at: start(),
        status: PollStatus::Fetched,
        error: None,
        validators: None,
        moved_to: None,
        items: vec![item],
        next_poll_at: after(start(), INTERVAL),
    };
    other.record_poll(&result).await.unwrap();
    let id = one.candidates(start(), None).await.unwrap()[0].id;
    one.decide(id, &Decision::Reject, start()).await.unwrap();
    assert!(other.candidates(start(), None).await.unwrap().is_empty());
    other.undo(id, start()).await.unwrap();
    assert_eq!(one.candidates(start(), None).await.unwrap().len(), 1);
}

/// Only PostgreSQL shares rebuilds between machines.
async fn one_daemon_rebuilds_at_a_time(backend: Postgres) {
    let one = backend.open().await;
    let other = backend.open().await;
    let held = one.try_rebuild_lock().await.unwrap().expect("a free lock");
    assert!(other.try_rebuild_lock().await.unwrap().is_none());
    held.release().await.unwrap();
    let held = other.try_rebuild_lock().await.unwrap().expect("released");
    assert!(one.try_rebuild_lock().await.unwrap().is_none());
    // A daemon that dies holding it (its session ends) frees it too.
    drop(held);
    let mut retook = None;
    for _ in 0..50 {
        retook = one.try_rebuild_lock().await.unwrap();
        if retook.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let retook = retook.expect("the lock of a closed session is free");
    retook.release().await.unwrap();
}

async fn sqlite_always_grants_the_rebuild_lock(backend: Sqlite) {
    let store = backend.open().await;
    let held = store.try_rebuild_lock().await.unwrap().expect("granted");
    assert!(store.try_rebuild_lock().await.unwrap().is_some());
    held.release().await.unwrap();
}

macro_rules! tests {
    ($($backend:ident: $new:expr => $($test:ident),*;)*) => {
        $(
            mod $backend {
                use super::*;
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $test() {
                        // No backend: skipped, and said so.
                        let Some(backend) = $new else { return };
                        super::$test(backend).await;
                    }
                )*
            }
        )*
    };
}

tests! {
    sqlite: Sqlite::new() =>
        daemons_split_the_polling_and_take_over_a_dead_ones_sources,
        decisions_through_one_daemon_are_seen_by_all,
        sqlite_always_grants_the_rebuild_lock;
    postgres: Postgres::new().await =>
        daemons_split_the_polling_and_take_over_a_dead_ones_sources,
        decisions_through_one_daemon_are_seen_by_all,
        one_daemon_rebuilds_at_a_time;
}
