//! A review page over a temporary store filled with fixture candidates,
//! served on 127.0.0.1 by the test itself.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use newsroom::aggregator::setup;
use newsroom::config::Config;
use newsroom::store::{AnyStore, PollResult, PollStatus, Store};
use newsroom::{Item, Origin};
use tempfile::TempDir;
use url::Url;

/// Candidate titles, best first once ranked (newest first, same weights).
pub const ACCEPTED: &str = "Zero-downtime Postgres upgrades";
pub const REJECTED: &str = "Ten YAML tricks";
pub const SNOOZED: &str = "Observability on a budget";
pub const SCRIPTED: &str = "<script>alert(1)</script>";

pub struct Site {
    /// Holds the feeds, issues and database until the test ends.
    _dir: TempDir,
    pub config: Config,
}

/// A feeds.toml, the fixture issue and a store whose sources listed the
/// fixture candidates.
pub async fn site() -> (Site, AnyStore, Vec<newsroom::issue::Issue>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let issues = dir.path().join("issues");
    std::fs::create_dir(&issues).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/review/issues");
    for file in std::fs::read_dir(fixture).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), issues.join(file.file_name())).unwrap();
    }
    let text = format!(
        "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://weekly.example/\"\n\
         issues_dir = \"{}\"\n\n[aggregator]\ndatabase = \"{}\"\n\n\
         [[source]]\nname = \"Ops blog\"\nurl = \"https://ops.example/feed.xml\"\ntags = [\"ops\"]\n\n\
         [[source]]\nname = \"Dev blog\"\nurl = \"https://dev.example/feed.xml\"\ntags = [\"dev\"]\n",
        issues.display(),
        dir.path().join("newsroom.db").display()
    );
    let config = Config::parse(&text).expect("a valid config");
    std::fs::write(dir.path().join("feeds.toml"), &text).unwrap();
    let now = Utc::now();
    let opened = setup::open_store(&config, now)
        .await
        .expect("the store opens");
    let sources = opened.store.sources().await.unwrap();
    let id_of = |name: &str| sources.iter().find(|s| s.name == name).unwrap().id;
    let entries = [
        (
            "Ops blog",
            "https://ops.example/postgres",
            ACCEPTED,
            "Upgrade Postgres without downtime. Logical replication does the heavy lifting.",
            1,
        ),
        (
            "Dev blog",
            "https://dev.example/yaml",
            REJECTED,
            "Some tricks.",
            2,
        ),
        (
            "Ops blog",
            "https://ops.example/budget",
            SNOOZED,
            "Metrics and traces for little money.",
            3,
        ),
        (
            "Dev blog",
            "https://dev.example/xss",
            SCRIPTED,
            "<p>Click <a href=\"javascript:alert(2)\">here</a><img src=x onerror=alert(3)></p>",
            4,
        ),
    ];
    for (source, link, title, summary, hours) in entries {
        let result = PollResult {
            source_id: id_of(source),
            polled_at: now,
            status: PollStatus::Fetched,
            error: None,
            validators: None,
            moved_to: None,
            items: vec![item(
                source,
                link,
                title,
                summary,
                now - TimeDelta::hours(hours),
            )],
            next_poll_at: now + TimeDelta::hours(1),
        };
        opened.store.record_poll(&result).await.unwrap();
    }
    (Site { _dir: dir, config }, opened.store, opened.issues)
}

fn item(source: &str, link: &str, title: &str, summary: &str, published: DateTime<Utc>) -> Item {
    Item {
        id: link.into(),
        url: Url::parse(link).unwrap(),
        title: title.into(),
        summary_html: Some(summary.into()),
        content_html: None,
        published: published.fixed_offset(),
        updated: None,
        authors: Vec::new(),
        tags: Vec::new(),
        origin: Origin::Source {
            name: source.into(),
        },
    }
}
