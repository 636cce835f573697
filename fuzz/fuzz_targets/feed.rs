//! Feed ingestion: any bytes, as fetched, to items. Never panics; every
//! item kept has an http(s) link and a date no later than "now".
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use newsroom::aggregator::parse::parse_feed;
use newsroom::config::Source;
use url::Url;

fuzz_target!(|bytes: &[u8]| {
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
            assert!(entry.item.published <= now);
        }
    }
});
