//! The store's contract, written against the `Store` trait and run once per
//! backend. A new backend adds one line to the `backends!` list at the end
//! and an opener in `store_support`.

mod store_support;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use newsroom::item::{Item, Origin};
use newsroom::store::{
    Candidate, Decision, PollResult, PollStatus, PublishedLink, SourceRecord, SourceSpec, Store,
    StoreError, SyncReport, Validators,
};
use store_support::{Backend, Postgres, Sqlite};
use url::Url;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

fn spec(name: &str, feed: &str) -> SourceSpec {
    SourceSpec {
        name: name.into(),
        url: url(feed),
        tags: vec![],
        weight: 1.0,
        interval: Duration::from_secs(3600),
    }
}

fn item(link: &str, title: &str, day: u32) -> Item {
    Item {
        id: link.into(),
        url: url(link),
        title: title.into(),
        summary_html: Some(format!("<p>{title}</p>")),
        content_html: None,
        published: at(day).fixed_offset(),
        updated: None,
        authors: vec![],
        tags: vec![],
        origin: Origin::Source {
            name: "test".into(),
        },
    }
}

fn fetched(source: &SourceRecord, items: Vec<Item>, day: u32) -> PollResult {
    PollResult {
        source_id: source.id,
        polled_at: at(day),
        status: PollStatus::Fetched,
        error: None,
        validators: Some(Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        }),
        moved_to: None,
        items,
        next_poll_at: at(day + 1),
    }
}

async fn source_named(store: &impl Store, name: &str) -> SourceRecord {
    store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .find(|source| source.name == name)
        .unwrap_or_else(|| panic!("no source {name}"))
}

/// Two sources, A and B, and one article from A.
/// The candidates waiting for review at `now`, checking on the way that
/// the database's count of them agrees.
async fn waiting(store: &impl Store, now: DateTime<Utc>) -> Vec<Candidate> {
    let candidates = store.candidates(now, None).await.unwrap();
    assert_eq!(store.count_candidates(now).await.unwrap(), candidates.len());
    candidates
}

async fn seeded(store: &impl Store) -> i64 {
    let sources = [
        spec("A", "https://a.example/feed"),
        spec("B", "https://b.example/feed"),
    ];
    store.sync_sources(&sources, at(1)).await.unwrap();
    let a = source_named(store, "A").await;
    let items = vec![item("https://a.example/post", "A post", 1)];
    store.record_poll(&fetched(&a, items, 1)).await.unwrap();
    let candidates = waiting(store, at(1)).await;
    assert_eq!(candidates.len(), 1);
    candidates[0].id
}

async fn reopening_migrates_once_and_keeps_data(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await;
    drop(store);
    let store = backend.open().await;
    let store_again = backend.open().await;
    assert_eq!(store.sources().await.unwrap().len(), 2);
    let candidates = waiting(&store_again, at(1)).await;
    assert_eq!(candidates[0].id, id);
}

async fn sync_adds_updates_and_removes_keeping_history(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await;
    let mut a = spec("A", "https://a.example/feed");
    a.weight = 2.0;
    let report = store
        .sync_sources(
            &[
                spec("B", "https://b.example/feed"),
                spec("C", "https://c.example/"),
            ],
            at(2),
        )
        .await
        .unwrap();
    assert_eq!(
        report,
        SyncReport {
            added: 1,
            updated: 0,
            removed: 1
        }
    );
    let removed = source_named(&store, "A").await;
    assert_eq!(removed.removed_at, Some(at(2)));
    assert_eq!(removed.items_seen, 1);
    // Its article is still a candidate, still naming it.
    let candidates = waiting(&store, at(2)).await;
    assert_eq!(candidates[0].id, id);
    assert_eq!(candidates[0].sources, ["A"]);

    let report = store
        .sync_sources(&[a, spec("B", "https://b.example/feed")], at(3))
        .await
        .unwrap();
    assert_eq!(report.updated, 1);
    assert_eq!(report.removed, 1, "C left feeds.toml");
    let back = source_named(&store, "A").await;
    assert!(back.is_active());
    assert_eq!(back.weight, 2.0);
    assert_eq!(back.items_seen, 1);
    assert_eq!(back.etag.as_deref(), Some("\"v1\""));
    let unchanged = store
        .sync_sources(&[spec("B", "https://b.example/feed")], at(4))
        .await
        .unwrap();
    assert_eq!(unchanged.updated, 0);
}

async fn poll_state_is_kept_per_source(backend: impl Backend) {
    let store = backend.open().await;
    store
        .sync_sources(&[spec("A", "https://a.example/feed")], at(1))
        .await
        .unwrap();
    let a = source_named(&store, "A").await;
    let failure = PollResult {
        status: PollStatus::Failed,
        error: Some("HTTP 500".into()),
        validators: None,
        items: vec![],
        ..fetched(&a, vec![], 1)
    };
    store.record_poll(&failure).await.unwrap();
    store.record_poll(&failure).await.unwrap();
    let a = source_named(&store, "A").await;
    assert_eq!(a.consecutive_errors, 2);
    assert_eq!(a.last_status, Some(PollStatus::Failed));
    assert_eq!(a.last_error.as_deref(), Some("HTTP 500"));

    let moved = PollResult {
        moved_to: Some(url("https://a.example/new-feed")),
        ..fetched(&a, vec![item("https://a.example/1", "One", 2)], 2)
    };
    assert_eq!(store.record_poll(&moved).await.unwrap().new_items, 1);
    let not_modified = PollResult {
        status: PollStatus::NotModified,
        validators: None,
        ..fetched(&a, vec![], 3)
    };
    store.record_poll(&not_modified).await.unwrap();
    let a = source_named(&store, "A").await;
    assert_eq!(a.consecutive_errors, 0);
    assert_eq!(a.last_error, None);
    assert_eq!(a.url.as_str(), "https://a.example/new-feed");
    assert_eq!(
        a.etag.as_deref(),
        Some("\"v1\""),
        "a 304 keeps the validators"
    );
    assert_eq!(a.last_polled_at, Some(at(3)));
    assert_eq!(a.next_poll_at, Some(at(4)));
    assert_eq!(a.items_seen, 1);

    // Syncing the same feeds.toml keeps the redirected URL.
    store
        .sync_sources(&[spec("A", "https://a.example/feed")], at(4))
        .await
        .unwrap();
    let a = source_named(&store, "A").await;
    assert_eq!(a.url.as_str(), "https://a.example/new-feed");

    let unknown = PollResult {
        source_id: a.id + 1000,
        ..not_modified
    };
    assert!(matches!(
        store.record_poll(&unknown).await,
        Err(StoreError::UnknownSource { .. })
    ));
}

async fn the_same_article_from_two_sources_is_one_candidate(backend: impl Backend) {
    let store = backend.open().await;
    seeded(&store).await;
    let b = source_named(&store, "B").await;
    let items = vec![
        item(
            "https://A.example/post?utm_source=b#comments",
            "Same post",
            2,
        ),
        item("https://b.example/own", "B's own", 2),
        item("https://b.example/own", "Listed twice", 2),
    ];
    let recorded = store.record_poll(&fetched(&b, items.clone(), 2)).await;
    assert_eq!(recorded.unwrap().new_items, 2);
    let known = store.known_links(b.id).await.unwrap();
    let mut known: Vec<&str> = known.iter().map(String::as_str).collect();
    known.sort();
    assert_eq!(known, ["https://a.example/post", "https://b.example/own"]);
    let again = store.record_poll(&fetched(&b, items, 3)).await.unwrap();
    assert_eq!(again.new_items, 0, "a second poll adds nothing new");

    let candidates = waiting(&store, at(3)).await;
    assert_eq!(candidates.len(), 2);
    let shared = &candidates[0];
    assert_eq!(shared.url.as_str(), "https://a.example/post");
    assert_eq!(shared.title, "A post", "the first sighting names it");
    assert_eq!(shared.sources, ["A", "B"]);
    assert_eq!(candidates[1].sources, ["B"]);
    assert_eq!(source_named(&store, "B").await.items_seen, 2);
}

/// Polls recorded at once (the SQLite store writes them in one
/// transaction) are each kept whole, and one that fails fails alone.
async fn polls_recorded_at_once_are_each_kept_or_fail_alone(backend: impl Backend) {
    let store = backend.open().await;
    seeded(&store).await;
    let a = source_named(&store, "A").await;
    let b = source_named(&store, "B").await;
    let lost = PollResult {
        source_id: a.id + b.id + 1000,
        ..fetched(&a, vec![item("https://a.example/lost", "Lost", 2)], 2)
    };
    let one = fetched(&a, vec![item("https://a.example/one", "One", 2)], 2);
    let two = fetched(&b, vec![item("https://b.example/two", "Two", 2)], 2);
    let (one, lost, two) = tokio::join!(
        store.record_poll(&one),
        store.record_poll(&lost),
        store.record_poll(&two)
    );
    assert_eq!(one.unwrap().new_items, 1);
    // Its sightings name no source: the database refuses them.
    assert!(lost.is_err(), "{lost:?}");
    assert_eq!(two.unwrap().new_items, 1);
    let titles: Vec<String> = waiting(&store, at(3))
        .await
        .into_iter()
        .map(|candidate| candidate.title)
        .collect();
    assert!(titles.contains(&"One".to_string()), "{titles:?}");
    assert!(titles.contains(&"Two".to_string()), "{titles:?}");
    assert!(!titles.contains(&"Lost".to_string()), "{titles:?}");
}

async fn published_links_are_never_suggested(backend: impl Backend) {
    let store = backend.open().await;
    seeded(&store).await;
    let published = [PublishedLink {
        url: url("https://a.example/post?utm_campaign=weekly&fbclid=1"),
        issue: 12,
    }];
    store.index_published(&published).await.unwrap();
    assert!(waiting(&store, at(2)).await.is_empty());
    // The issue file went away: the link may be suggested again.
    store.index_published(&[]).await.unwrap();
    assert_eq!(waiting(&store, at(2)).await.len(), 1);
}

async fn since_keeps_only_recent_candidates(backend: impl Backend) {
    let store = backend.open().await;
    seeded(&store).await;
    let b = source_named(&store, "B").await;
    let items = vec![item("https://b.example/new", "New", 5)];
    store.record_poll(&fetched(&b, items, 5)).await.unwrap();
    let recent = store.candidates(at(6), Some(at(4))).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].title, "New");
}

async fn decisions_persist_across_reopen(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await;
    let accept = Decision::Accept {
        section: Some("Tools".into()),
        blurb: Some("Worth a read.".into()),
    };
    let decided = store.decide(id, &accept, at(2)).await.unwrap();
    assert_eq!(decided.id, id);
    drop(store);
    let store = backend.open().await;
    assert!(waiting(&store, at(3)).await.is_empty());
    let accepted = store.accepted().await.unwrap();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].candidate.id, id);
    assert_eq!(accepted[0].section.as_deref(), Some("Tools"));
    assert_eq!(accepted[0].blurb.as_deref(), Some("Worth a read."));
    // Once an issue holds the link, it is no longer waiting for a draft.
    let published = [PublishedLink {
        url: accepted[0].candidate.url.clone(),
        issue: 13,
    }];
    store.index_published(&published).await.unwrap();
    assert!(store.accepted().await.unwrap().is_empty());
}

async fn a_rejected_candidate_never_returns(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await;
    store.decide(id, &Decision::Reject, at(2)).await.unwrap();
    let a = source_named(&store, "A").await;
    let items = vec![item("https://a.example/post", "A post", 1)];
    store.record_poll(&fetched(&a, items, 20)).await.unwrap();
    assert!(waiting(&store, at(28)).await.is_empty());
    assert!(store.accepted().await.unwrap().is_empty());
}

async fn a_snoozed_candidate_returns_after_its_days(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await;
    let snooze = Decision::Snooze { until: at(9) };
    store.decide(id, &snooze, at(2)).await.unwrap();
    assert!(waiting(&store, at(8)).await.is_empty());
    let back = waiting(&store, at(9)).await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, id);
}

async fn undo_restores_the_decision_before(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await;
    let accept = Decision::Accept {
        section: None,
        blurb: None,
    };
    store.decide(id, &Decision::Reject, at(2)).await.unwrap();
    store.decide(id, &accept, at(3)).await.unwrap();
    assert_eq!(store.undo(id, at(4)).await.unwrap(), accept);
    assert!(store.accepted().await.unwrap().is_empty());
    assert!(waiting(&store, at(4)).await.is_empty());
    assert_eq!(store.undo(id, at(4)).await.unwrap(), Decision::Reject);
    assert_eq!(waiting(&store, at(4)).await.len(), 1);
    assert!(matches!(
        store.undo(id, at(4)).await,
        Err(StoreError::NothingToUndo { id: got }) if got == id
    ));
}

async fn unknown_candidates_are_clear_errors(backend: impl Backend) {
    let store = backend.open().await;
    let id = seeded(&store).await + 1000;
    let err = store
        .decide(id, &Decision::Reject, at(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownCandidate { id: got } if got == id));
    assert!(err.to_string().contains(&id.to_string()), "{err}");
    assert!(matches!(
        store.undo(id, at(2)).await,
        Err(StoreError::UnknownCandidate { .. })
    ));
}

async fn due_sources_are_leased_to_one_owner(backend: impl Backend) {
    let store = backend.open().await;
    let sources = [
        spec("A", "https://a.example/feed"),
        spec("B", "https://b.example/feed"),
        spec("C", "https://c.example/feed"),
    ];
    store.sync_sources(&sources, at(1)).await.unwrap();
    let lease = Duration::from_secs(600);
    assert_eq!(
        store.next_due_at().await.unwrap(),
        Some(DateTime::UNIX_EPOCH),
        "never polled: due at once"
    );
    // A is due on day 3, B on day 5; C was never polled.
    let a = source_named(&store, "A").await;
    store.record_poll(&fetched(&a, vec![], 2)).await.unwrap();
    let b = source_named(&store, "B").await;
    store.record_poll(&fetched(&b, vec![], 4)).await.unwrap();

    let names = |claimed: Vec<SourceRecord>| -> Vec<String> {
        claimed.into_iter().map(|source| source.name).collect()
    };
    let first = store
        .claim_due_sources("one", at(3), lease, 10)
        .await
        .unwrap();
    assert_eq!(names(first), ["C", "A"], "earliest due first");
    let other = store
        .claim_due_sources("two", at(3), lease, 10)
        .await
        .unwrap();
    assert!(other.is_empty(), "leased sources are not claimed twice");
    assert_eq!(
        store.next_due_at().await.unwrap(),
        Some(at(3) + lease),
        "a leased source counts from the end of its lease"
    );

    // The lease runs out: another owner takes the source over.
    let later = at(3) + lease;
    let taken = store
        .claim_due_sources("two", later, lease, 1)
        .await
        .unwrap();
    assert_eq!(names(taken), ["C"], "limit respected");

    // Recording a poll releases the lease.
    let a = source_named(&store, "A").await;
    let polled = PollResult {
        next_poll_at: later,
        ..fetched(&a, vec![], 3)
    };
    store.record_poll(&polled).await.unwrap();
    let again = store
        .claim_due_sources("two", later, lease, 10)
        .await
        .unwrap();
    assert_eq!(names(again), ["A"]);

    // Removed and gone sources are never due.
    let c = source_named(&store, "C").await;
    let gone = PollResult {
        status: PollStatus::Gone,
        next_poll_at: at(3),
        ..fetched(&c, vec![], 3)
    };
    store.record_poll(&gone).await.unwrap();
    store
        .sync_sources(&[spec("C", "https://c.example/feed")], at(3))
        .await
        .unwrap();
    assert!(
        store
            .claim_due_sources("three", at(20), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.next_due_at().await.unwrap(), None);
}

/// One module per backend, one test per contract function.
macro_rules! backends {
    ($($backend:ident: $new:expr;)*) => {
        $(
            mod $backend {
                use super::*;
                backends!(@tests $new;
                    reopening_migrates_once_and_keeps_data,
                    sync_adds_updates_and_removes_keeping_history,
                    poll_state_is_kept_per_source,
                    the_same_article_from_two_sources_is_one_candidate,
                    polls_recorded_at_once_are_each_kept_or_fail_alone,
                    published_links_are_never_suggested,
                    since_keeps_only_recent_candidates,
                    decisions_persist_across_reopen,
                    a_rejected_candidate_never_returns,
                    a_snoozed_candidate_returns_after_its_days,
                    undo_restores_the_decision_before,
                    unknown_candidates_are_clear_errors,
                    due_sources_are_leased_to_one_owner,
                );
            }
        )*
    };
    (@tests $new:expr; $($test:ident,)*) => {
        $(
            #[tokio::test]
            async fn $test() {
                // No backend: skipped, and said so.
                let Some(backend) = $new else { return };
                super::$test(backend).await;
            }
        )*
    };
}

backends! {
    sqlite: Sqlite::new();
    postgres: Postgres::new().await;
}
