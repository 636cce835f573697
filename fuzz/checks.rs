//! What each fuzz target checks, in one place: the cargo-fuzz targets in
//! `fuzz_targets/` and the stable property tests in `tests/robustness.rs`
//! both include this file (`#[path]`), so the two can never drift apart.

use std::path::Path;

use chrono::{TimeZone, Utc};
use newsroom::aggregator::parse::parse_feed;
use newsroom::config::{Config, Source};
use newsroom::normalize::normalize_url;
use url::Url;

/// Feed ingestion, any bytes as fetched: never panics; every item kept has
/// an http(s) link and a date no later than "now".
pub fn ingest(bytes: &[u8]) {
    let url = Url::parse("https://fuzz.example/feed.xml").unwrap();
    let source = Source {
        name: "Fuzz".into(),
        url: url.clone(),
        tags: vec!["fuzz".into()],
        weight: 1.0,
        interval: None,
    };
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    if let Ok(feed) = parse_feed(bytes, &url, &source, now) {
        for entry in feed.entries {
            let link = entry.item.url.as_str();
            assert!(
                link.starts_with("http://") || link.starts_with("https://"),
                "{link}"
            );
            assert!(entry.item.published <= now, "{:?}", entry.item);
        }
    }
}

/// The URL normaliser, any text: never panics, and normalising twice
/// changes nothing.
pub fn normalise(text: &str) {
    if let Ok(once) = normalize_url(text) {
        let twice = normalize_url(once.as_str()).expect("a normalised URL parses");
        assert_eq!(once, twice, "not idempotent on {text:?}");
    }
}

/// The config parser, any text as `feeds.toml`: never panics.
pub fn configure(text: &str) {
    let _ = Config::parse(text);
}

/// The issue parser, any bytes as an issue file: never panics; an error
/// always names the file and a line.
pub fn parse_issue(bytes: &[u8]) {
    if let Err(err) = newsroom::issue::parse(Path::new("2024-05-01-1.md"), bytes) {
        let message = err.to_string();
        assert!(message.starts_with("2024-05-01-1.md:"), "{message}");
    }
}
