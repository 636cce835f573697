//! `parse_feed` on small fixture feeds of each format, in
//! tests/fixtures/feeds/.

use std::time::Duration;

use chrono::{DateTime, Utc};
use newsroom::Origin;
use newsroom::aggregator::parse::{
    ParseError, ParsedEntry, ParsedFeed, parse_feed, parse_new_entries,
};
use newsroom::config::Source;
use url::Url;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn now() -> DateTime<Utc> {
    "2026-01-06T00:00:00Z".parse().unwrap()
}

fn source(url: &str) -> Source {
    Source {
        name: "Test source".into(),
        url: Url::parse(url).unwrap(),
        tags: vec!["devops".into(), "kubernetes".into()],
        weight: 1.0,
        interval: None,
    }
}

fn parse(name: &str, url: &str) -> Result<ParsedFeed, ParseError> {
    let url = Url::parse(url).unwrap();
    parse_feed(&fixture(name), &url, &source(url.as_str()), now())
}

fn parsed(name: &str, url: &str) -> ParsedFeed {
    parse(name, url).unwrap_or_else(|err| panic!("{name}: {err}"))
}

fn entry<'a>(feed: &'a ParsedFeed, url: &str) -> &'a ParsedEntry {
    feed.entries
        .iter()
        .find(|entry| entry.item.url.as_str() == url)
        .unwrap_or_else(|| {
            let urls: Vec<&str> = feed.entries.iter().map(|e| e.item.url.as_str()).collect();
            panic!("no entry {url} among {urls:?}")
        })
}

fn rss2() -> ParsedFeed {
    parsed("rss2.xml", "https://ops.example/feed.xml")
}

#[test]
fn rss2_entry_becomes_an_item() {
    let feed = rss2();
    assert_eq!(feed.title.as_deref(), Some("Ops Blog"));
    let entry = entry(&feed, "https://ops.example/posts/deploys/?page=2");
    let item = &entry.item;
    assert_eq!(item.id, "ops-post-1");
    assert_eq!(item.title, "Zero-downtime deploys");
    assert_eq!(item.published.to_rfc3339(), "2026-01-05T09:00:00+00:00");
    assert_eq!(item.updated, None);
    assert_eq!(item.authors, ["Ada Ops"]);
    // Entry categories first, then the source's tags, without repeats.
    assert_eq!(item.tags, ["deploys", "kubernetes", "devops"]);
    assert_eq!(
        item.origin,
        Origin::Source {
            name: "Test source".into()
        }
    );
}

#[test]
fn tracking_parameters_and_fragments_are_stripped() {
    let feed = rss2();
    assert!(
        feed.entries
            .iter()
            .all(|e| !e.item.url.as_str().contains("utm_") && e.item.url.fragment().is_none())
    );
    let rdf = parsed("rss1.rdf", "https://rdf.example/index.rdf");
    assert_eq!(rdf.entries[0].item.url.as_str(), "https://rdf.example/one");
    let json = parsed("feed.json", "https://json.example/feed.json");
    assert_eq!(
        json.entries[0].item.url.as_str(),
        "https://json.example/posts/one"
    );
}

#[test]
fn scripts_are_sanitised_and_summary_kept_as_text() {
    let feed = rss2();
    let entry = entry(&feed, "https://ops.example/posts/deploys/?page=2");
    let html = entry.item.summary_html.as_deref().unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("alert"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(html.contains("<b>without</b>"), "{html}");
    // Relative image sources resolve against the feed URL.
    assert!(html.contains("https://ops.example/img/a.png"), "{html}");
    assert_eq!(
        entry.summary_text().as_deref(),
        Some("How we deploy without downtime.")
    );
}

#[test]
fn plain_text_summaries_are_escaped() {
    let feed = rss2();
    let entry = entry(&feed, "https://ops.example/posts/future");
    assert_eq!(entry.summary_text().as_deref(), Some("Plain & simple"));
    assert!(
        entry
            .item
            .summary_html
            .as_deref()
            .unwrap()
            .contains("&amp;")
    );
}

#[test]
fn unusable_links_are_skipped_and_counted() {
    let feed = rss2();
    // javascript:, data: and file: links.
    assert_eq!(feed.skipped, 3);
    assert!(
        feed.entries
            .iter()
            .all(|e| matches!(e.item.url.scheme(), "http" | "https"))
    );
    assert_eq!(feed.entries.len(), 4);
}

#[test]
fn relative_links_resolve_against_the_feed_url() {
    let feed = rss2();
    let entry = entry(&feed, "https://ops.example/posts/undated");
    // Without a guid, the id is the normalised URL.
    assert_eq!(entry.item.id, "https://ops.example/posts/undated");
}

#[test]
fn permalink_guid_serves_as_the_link() {
    let feed = rss2();
    let entry = entry(&feed, "https://ops.example/posts/guid-only");
    assert_eq!(entry.item.title, "Permalink guid only");
}

#[test]
fn missing_dates_are_first_seen_and_future_dates_now() {
    let feed = rss2();
    let undated = entry(&feed, "https://ops.example/posts/undated");
    assert_eq!(undated.item.published, now());
    let future = entry(&feed, "https://ops.example/posts/future");
    assert_eq!(future.item.published, now());
    assert_eq!(future.item.id, "https://ops.example/?p=3");
}

#[test]
fn ttl_and_syndication_hints() {
    let feed = rss2();
    assert_eq!(feed.hints.ttl, Some(Duration::from_secs(90 * 60)));
    assert_eq!(feed.hints.update_period, Some(Duration::from_secs(3600)));
    let rdf = parsed("rss1.rdf", "https://rdf.example/index.rdf");
    assert_eq!(rdf.hints.ttl, None);
    assert_eq!(
        rdf.hints.update_period,
        Some(Duration::from_secs(12 * 3600))
    );
}

#[test]
fn rss1_entry_becomes_an_item() {
    let feed = parsed("rss1.rdf", "https://rdf.example/index.rdf");
    assert_eq!(feed.entries.len(), 1);
    let item = &feed.entries[0].item;
    assert_eq!(item.title, "First RDF item");
    assert_eq!(item.published.to_rfc3339(), "2026-01-04T08:30:00+00:00");
    assert_eq!(item.authors, ["Rita Rdf"]);
    assert_eq!(
        feed.entries[0].summary_text().as_deref(),
        Some("Summary of the first item")
    );
}

#[test]
fn atom_entries_with_xml_base() {
    let feed = parsed("atom.xml", "https://atom.example/atom.xml");
    assert_eq!(feed.skipped, 0);
    let tracing = entry(&feed, "https://atom.example/blog/posts/tracing");
    let item = &tracing.item;
    assert_eq!(item.id, "tag:atom.example,2026:tracing");
    assert_eq!(item.title, "Tracing everything");
    assert_eq!(item.published.to_rfc3339(), "2026-01-03T08:00:00+00:00");
    assert_eq!(
        item.updated.map(|date| date.to_rfc3339()).as_deref(),
        Some("2026-01-05T10:00:00+00:00")
    );
    assert_eq!(item.authors, ["Feed Author"]);
    assert_eq!(item.tags, ["Observability", "devops", "kubernetes"]);
    assert_eq!(tracing.summary_text().as_deref(), Some("Spans & traces"));
    let content = item.content_html.as_deref().unwrap();
    assert!(content.contains("<a href="), "{content}");

    let old = entry(&feed, "https://cdn.atom.example/archive/2025/old-post");
    assert_eq!(old.item.authors, ["Guest Writer"]);
    assert_eq!(old.item.published.to_rfc3339(), "2025-12-01T00:00:00+00:00");
    assert_eq!(old.summary_text(), None);
}

#[test]
fn json_feed_entries() {
    let feed = parsed("feed.json", "https://json.example/feed.json");
    assert_eq!(feed.title.as_deref(), Some("JSON Blog"));
    assert_eq!(feed.entries.len(), 2);
    let one = &feed.entries[0];
    assert_eq!(one.item.id, "json-1");
    assert_eq!(one.item.authors, ["Jay Son"]);
    assert_eq!(one.item.tags, ["json", "feeds", "devops", "kubernetes"]);
    let content = one.item.content_html.as_deref().unwrap();
    assert!(!content.contains("iframe"), "{content}");
    assert_eq!(one.summary_text().as_deref(), Some("Short summary"));
    let two = &feed.entries[1];
    assert_eq!(two.item.url.as_str(), "https://json.example/posts/two");
    assert_eq!(two.item.published, now());
}

#[test]
fn undeclared_html_entities_are_tolerated() {
    let feed = parsed("entities.xml", "https://entities.example/feed.xml");
    assert_eq!(feed.title.as_deref(), Some("Entities Blog"));
    assert_eq!(feed.entries.len(), 1);
    let entry = &feed.entries[0];
    assert_eq!(entry.item.title, "Café — notes…");
    assert_eq!(entry.summary_text().as_deref(), Some("Copyright © 2026"));
}

#[test]
fn malformed_xml_is_reported() {
    let err = parse("malformed.xml", "https://broken.example/feed.xml").unwrap_err();
    assert!(matches!(err, ParseError::Malformed(_)), "{err:?}");
    assert!(err.to_string().starts_with("malformed feed"), "{err}");
}

#[test]
fn html_page_names_its_feed() {
    let err = parse("page-with-feed.html", "https://blog.example/").unwrap_err();
    let ParseError::HtmlPage { alternate } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        alternate.as_ref().map(Url::as_str),
        Some("https://blog.example/feed.xml")
    );
    assert!(err.to_string().contains("https://blog.example/feed.xml"));
}

#[test]
fn html_page_without_feed() {
    let err = parse("page-without-feed.html", "https://blog.example/").unwrap_err();
    assert!(
        matches!(err, ParseError::HtmlPage { alternate: None }),
        "{err:?}"
    );
}

#[test]
fn other_documents_are_not_feeds() {
    let url = Url::parse("https://x.example/").unwrap();
    for body in [
        "",
        "plain text",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    ] {
        let err = parse_feed(body.as_bytes(), &url, &source(url.as_str()), now()).unwrap_err();
        assert!(matches!(err, ParseError::NotAFeed), "{body:?}: {err:?}");
    }
}

#[test]
fn wrong_encoding_declarations_are_repaired() {
    let url = Url::parse("https://enc.example/feed.xml").unwrap();
    let document = |declared: &str, title: &[u8]| {
        let mut body = format!(
            "<?xml version=\"1.0\" encoding=\"{declared}\"?><rss version=\"2.0\"><channel>\
             <title>Enc</title><item><link>https://enc.example/a</link><title>"
        )
        .into_bytes();
        body.extend_from_slice(title);
        body.extend_from_slice(b"</title></item></channel></rss>");
        body
    };
    for body in [
        document("ISO-8859-1", "Café".as_bytes()),
        document("UTF-8", b"Caf\xe9"),
        document("iso-8859-1", b"Caf\xe9"),
    ] {
        let feed = parse_feed(&body, &url, &source(url.as_str()), now()).unwrap();
        assert_eq!(feed.entries[0].item.title, "Café");
    }
}

#[test]
fn known_entries_are_left_out_and_counted() {
    let url = Url::parse("https://ops.example/feed.xml").unwrap();
    let all = rss2();
    assert_eq!(all.known, 0);
    let feed = parse_new_entries(
        &fixture("rss2.xml"),
        &url,
        &source(url.as_str()),
        now(),
        |id, url| id == "ops-post-1" || url.as_str() == "https://ops.example/posts/undated",
    )
    .unwrap();
    assert_eq!(feed.known, 2);
    assert_eq!(feed.skipped, all.skipped);
    assert_eq!(feed.entries.len(), all.entries.len() - 2);
    assert!(
        feed.entries
            .iter()
            .all(|e| e.item.id != "ops-post-1" && !e.item.url.as_str().ends_with("/undated"))
    );
}

#[test]
fn markup_in_plain_titles_is_sanitised_and_angle_brackets_kept() {
    let body = "<rss version=\"2.0\"><channel><title>T</title>\
        <item><title>&lt;script&gt;alert(1)&lt;/script&gt;Hi &lt;b onmouseover=\"x()\"&gt;there&lt;/b&gt;</title>\
        <link>https://a.example/1</link></item>\
        <item><title>Vec&lt;T&gt; in Rust</title><link>https://a.example/2</link></item>\
        </channel></rss>";
    let url = "https://a.example/feed.xml";
    let feed = parse_feed(
        body.as_bytes(),
        &Url::parse(url).unwrap(),
        &source(url),
        now(),
    )
    .unwrap();
    assert_eq!(feed.entries[0].item.title, "Hi there");
    assert_eq!(feed.entries[1].item.title, "Vec<T> in Rust");
}
