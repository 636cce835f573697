//! `newsroom migrate`: a SQLite installation copied into PostgreSQL keeps
//! its sources, their history, the candidates and every decision.

mod store_support;

use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use newsroom::item::{Item, Origin};
use newsroom::store::{
    Decision, PollResult, PollStatus, PublishedLink, SourceSpec, SqliteStore, Store, StoreError,
};
use store_support::{Backend, Postgres, Sqlite};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

fn item(link: &str) -> Item {
    Item {
        id: link.into(),
        url: link.parse().unwrap(),
        title: format!("Post at {link}"),
        summary_html: None,
        content_html: None,
        published: at(1).fixed_offset(),
        updated: None,
        authors: vec![],
        tags: vec![],
        origin: Origin::Source {
            name: "test".into(),
        },
    }
}

/// Three sources (one removed), four candidates, an accepted one with its
/// blurb, a rejection undone, a snooze, a published link.
async fn installation(store: &SqliteStore) {
    let specs: Vec<SourceSpec> = ["A", "B", "C"]
        .iter()
        .map(|name| SourceSpec {
            name: (*name).into(),
            url: format!("https://{name}.example/feed").parse().unwrap(),
            tags: vec!["ops".into()],
            weight: 1.5,
            interval: Duration::from_secs(1800),
        })
        .collect();
    store.sync_sources(&specs, at(1)).await.unwrap();
    for (n, source) in store.sources().await.unwrap().iter().enumerate() {
        let result = PollResult {
            source_id: source.id,
            polled_at: at(2),
            status: PollStatus::Fetched,
            error: None,
            validators: None,
            moved_to: None,
            items: vec![
                item(&format!("https://example.org/{n}")),
                item("https://example.org/shared"),
            ],
            next_poll_at: at(3),
        };
        store.record_poll(&result).await.unwrap();
    }
    store.sync_sources(&specs[..2], at(4)).await.unwrap();
    let ids: Vec<i64> = store
        .candidates(at(4), None)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let accept = Decision::Accept {
        section: Some("Tools".into()),
        blurb: Some("Read it.".into()),
    };
    store.decide(ids[0], &accept, at(5)).await.unwrap();
    store
        .decide(ids[1], &Decision::Reject, at(5))
        .await
        .unwrap();
    store.undo(ids[1], at(5)).await.unwrap();
    let snooze = Decision::Snooze { until: at(20) };
    store.decide(ids[2], &snooze, at(5)).await.unwrap();
    let published = [PublishedLink {
        url: "https://example.org/shared".parse().unwrap(),
        issue: 7,
    }];
    store.index_published(&published).await.unwrap();
}

#[tokio::test]
async fn migrate_copies_everything_into_an_empty_postgres() {
    let Some(postgres) = Postgres::new().await else {
        return;
    };
    let sqlite = Sqlite::new().unwrap();
    let from = sqlite.open().await;
    installation(&from).await;
    let to = postgres.open().await;
    let copied = to.import(&from).await.unwrap();
    assert_eq!(
        copied,
        [
            ("sources", 3),
            ("candidates", 4),
            ("sightings", 6),
            ("decisions", 3),
            ("published", 1)
        ]
    );
    assert_eq!(to.sources().await.unwrap(), from.sources().await.unwrap());
    assert_eq!(to.accepted().await.unwrap(), from.accepted().await.unwrap());
    assert_eq!(
        to.accepted().await.unwrap()[0].blurb.as_deref(),
        Some("Read it.")
    );
    for day in [5, 20] {
        assert_eq!(
            to.candidates(at(day), None).await.unwrap(),
            from.candidates(at(day), None).await.unwrap()
        );
    }
    // New rows get new ids after the copied ones.
    let id = to.candidates(at(5), None).await.unwrap()[0].id;
    to.decide(id, &Decision::Reject, at(6)).await.unwrap();
    assert_eq!(to.undo(id, at(6)).await.unwrap(), Decision::Reject);

    // A second copy would mix two installations.
    assert!(matches!(
        to.import(&from).await,
        Err(StoreError::NotEmpty { table: "sources" })
    ));
}

#[tokio::test]
async fn the_migrate_command_moves_an_installation() {
    let Some(postgres) = Postgres::new().await else {
        return;
    };
    let sqlite = Sqlite::new().unwrap();
    installation(&sqlite.open().await).await;
    let migrate = |from: &str, to: &str| {
        Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .args(["migrate", "--from", from, "--to", to])
            .output()
            .unwrap()
    };
    let output = migrate(
        &format!("sqlite:{}", sqlite.database()),
        &postgres.database(),
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("decisions: 3 rows"), "{stdout}");
    assert_eq!(postgres.open().await.accepted().await.unwrap().len(), 1);

    let again = migrate(&sqlite.database(), &postgres.database());
    assert!(!again.status.success());
    let stderr = String::from_utf8(again.stderr).unwrap();
    assert!(stderr.contains("not empty"), "{stderr}");
    let backwards = migrate(&postgres.database(), &sqlite.database());
    assert!(!backwards.status.success());
}
