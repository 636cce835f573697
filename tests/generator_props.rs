//! Property: whatever issues the parser accepts, the feeds written from them
//! read back (feed-rs, serde) into the same titles, links, ids and dates,
//! and the archive pages hold the whole history.

mod generator_support;

use std::path::PathBuf;

use chrono::{DateTime, Duration};
use generator_support::{BASE_URL, Expected, assert_round_trip};
use newsroom::config::Config;
use newsroom::generator::{self, BuildOptions};
use newsroom::issue::{self, Issue};
use proptest::prelude::*;

/// Text an editor might write: markup characters, quotes, accents, emoji.
fn prose() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,.!?&<>'\"éü✓()*_-]{0,60}[A-Za-z0-9.!?]"
}

fn entry() -> impl Strategy<Value = String> {
    (prose(), prop::collection::vec("[a-z]{1,12}", 1..3)).prop_map(|(blurb, paths)| {
        let links: Vec<String> = paths
            .iter()
            .map(|path| format!("https://{path}.example.com/{path}?a=1&b=2"))
            .collect();
        format!("{blurb}\n\n{}\n", links.join("\n"))
    })
}

fn section() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["News", "Tools", "Events", "Sponsor", "Jobs & More"]),
        prop::collection::vec(entry(), 1..4),
    )
        .prop_map(|(name, entries)| format!("\n{name}\n====\n\n{}", entries.join("\n\n")))
}

/// One issue: (days after 2010-01-01, seconds into the day, title, body).
fn issue_text() -> impl Strategy<Value = (i64, i64, String, String)> {
    (
        0i64..5000,
        0i64..86_400,
        prose(),
        prose(),
        prop::collection::vec(section(), 1..4),
    )
        .prop_map(|(days, seconds, title, intro, sections)| {
            (
                days,
                seconds,
                title,
                format!("{intro}\n{}", sections.join("\n")),
            )
        })
}

fn parse_issues(specs: &[(i64, i64, String, String)]) -> Vec<Issue> {
    let start = DateTime::parse_from_rfc3339("2010-01-01T00:00:00+02:00").unwrap();
    specs
        .iter()
        .enumerate()
        .map(|(at, (days, seconds, title, body))| {
            let number = at + 1;
            let date = start + Duration::days(*days) + Duration::seconds(*seconds);
            // Single-quoted YAML keeps `#`, `:` and quotes in the title.
            let text = format!(
                "---\ntitle: '{}'\nnumber: {number}\ndate: {}\n---\n\n{body}\n",
                title.replace('\'', "''"),
                date.to_rfc3339()
            );
            let file = PathBuf::from(format!("issue-{number}.md"));
            issue::parse(&file, text.as_bytes()).unwrap_or_else(|err| panic!("{err}\n{text}"))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn feeds_round_trip(
        specs in prop::collection::vec(issue_text(), 0..7),
        feed_limit in 0usize..4,
    ) {
        let config = format!(
            "[newsletter]\ntitle = \"Weekly & <Co>\"\nbase_url = \"{BASE_URL}\"\nauthor = \"Ed\"\nfeed_limit = {feed_limit}\n"
        );
        let newsletter = Config::parse(&config).unwrap().newsletter;
        let issues = parse_issues(&specs);
        let options = BuildOptions {
            drafts: false,
            future: false,
            now: DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap(),
        };
        let published = generator::select(&issues, &options);
        let files = generator::render(&newsletter, &published).unwrap();

        let all: Vec<Expected> = published.iter().map(|issue| Expected::of(issue)).collect();
        let shown = if feed_limit == 0 { all.len() } else { feed_limit.min(all.len()) };
        let newest: Vec<Expected> = all.iter().rev().take(shown).cloned().collect();
        assert_round_trip(&files, &newest, &all);

        let links = feed_rs::parser::parse(&files["links.xml"][..]).unwrap();
        for entry in &links.entries {
            let title = &entry.title.as_ref().unwrap().content;
            prop_assert!(title.chars().count() <= 120);
            prop_assert!(entry.links[0].href.starts_with("https://"));
        }
        // The same input gives the same bytes.
        prop_assert_eq!(generator::render(&newsletter, &published).unwrap(), files);
    }
}
