//! `newsroom build` end to end: the binary on a temporary copy of
//! tests/fixtures/generator.

mod generator_support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use generator_support::{
    BASE_URL, Expected, assert_round_trip, build, build_ok, entries_of, read_tree, site,
};
use newsroom::issue;

/// The fixture issues a normal build publishes (not the draft 346, not the
/// future 347), newest first.
fn published() -> Vec<Expected> {
    let dir = generator_support::fixtures().join("issues");
    let (issues, errors) = issue::load_valid(&dir).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let mut published: Vec<_> = issues
        .iter()
        .filter(|issue| [343, 344, 345].contains(&issue.number))
        .map(Expected::of)
        .collect();
    published.reverse();
    published
}

fn text(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|err| panic!("{file}: {err}"))
}

#[test]
fn writes_every_file_and_they_round_trip() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let files = read_tree(&out);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "atom.xml",
            "feed.json",
            "feed.xml",
            "index.html",
            "issues/343/index.html",
            "issues/344/index.html",
            "issues/345/index.html",
            "links.xml",
        ]
    );
    let newest = published();
    let mut all = newest.clone();
    all.reverse();
    assert_round_trip(&files, &newest, &all);
}

#[test]
fn rss_channel_has_what_validators_ask_for() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let rss = text(&out, "feed.xml");
    for needle in [
        "<title>DevOps Weekly</title>",
        &format!("<link>{BASE_URL}</link>"),
        "<language>en</language>",
        "<generator>newsroom ",
        // The newest published issue, never the build time.
        "<lastBuildDate>Sun, 6 Aug 2017 12:00:00 +0100</lastBuildDate>",
        &format!("<atom:link href=\"{BASE_URL}feed.xml\" rel=\"self\""),
        "<dc:creator>The Editors</dc:creator>",
        // Issue 343 names its own author in its front matter.
        "<dc:creator>Guest Editor</dc:creator>",
        "<managingEditor>editors@weekly.example.org (The Editors)</managingEditor>",
        "<guid isPermaLink=\"false\">tag:weekly.example.org,2005:issues/345</guid>",
        "<content:encoded><![CDATA[",
    ] {
        assert!(rss.contains(needle), "feed.xml lacks {needle}");
    }
    // RFC 822 with four-digit years only.
    for date in rss.split("<pubDate>").skip(1) {
        let date = &date[..date.find('<').unwrap()];
        assert!(
            chrono::DateTime::parse_from_rfc2822(date).is_ok() && date.contains(" 2017 "),
            "{date}"
        );
    }
}

#[test]
fn atom_has_the_required_elements() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let atom = text(&out, "atom.xml");
    for needle in [
        "<id>tag:weekly.example.org,2005:feed</id>",
        "<updated>2017-08-06T12:00:00+01:00</updated>",
        "<subtitle>A weekly slice of devops news.</subtitle>",
        &format!("<link href=\"{BASE_URL}atom.xml\" rel=\"self\""),
        &format!("<link href=\"{BASE_URL}\" rel=\"alternate\""),
        "<generator ",
        "<published>2017-08-06T12:00:00+01:00</published>",
        "<summary type=\"html\">",
        "<content type=\"html\"><![CDATA[<p>",
    ] {
        assert!(atom.contains(needle), "atom.xml lacks {needle}");
    }
}

#[test]
fn html_from_issues_is_sanitised_and_absolute() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    for file in [
        "feed.xml",
        "atom.xml",
        "feed.json",
        "links.xml",
        "issues/345/index.html",
    ] {
        let body = text(&out, file).to_lowercase();
        for bad in ["<script", "&lt;script", "onclick", "javascript:", "steal()"] {
            assert!(!body.contains(bad), "{file} contains {bad}");
        }
    }
    let rss = text(&out, "feed.xml");
    assert!(
        rss.contains(&format!("href=\"{BASE_URL}about/\"")),
        "relative href made absolute"
    );
    assert!(
        rss.contains(&format!("src=\"{BASE_URL}img/logo.png\"")),
        "relative src made absolute"
    );
    assert!(!rss.contains("href=\"/"), "no root-relative href left");
}

#[test]
fn links_feed_has_one_item_per_link_without_sponsors() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let bytes = std::fs::read(out.join("links.xml")).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
    // 343: 1 link; 344: 23 links less the Sponsor and Sponsored ones (the
    // sponsor repeated under Tools stays); 345: 4 links less its sponsor.
    assert_eq!(feed.entries.len(), 1 + 21 + 3);
    let mut ids: Vec<&str> = feed.entries.iter().map(|entry| entry.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), feed.entries.len(), "ids are unique");
    for entry in &feed.entries {
        let title = &entry.title.as_ref().unwrap().content;
        assert!(title.chars().count() <= 120, "{title}");
        assert!(!entry.categories.is_empty());
        assert!(
            !entry
                .categories
                .iter()
                .any(|c| c.term.starts_with("Sponsor"))
        );
    }
    let first = &feed.entries[0];
    assert_eq!(
        first.title.as_ref().unwrap().content,
        "A post on clickable things, with an image logo and a second sentence that is not part of the title."
    );
    assert_eq!(
        first.links[0].href, "https://example.com/post?id=1",
        "tracking stripped"
    );
    let rss = String::from_utf8(bytes).unwrap();
    assert!(rss.contains("<category>News</category>"));
    assert!(rss.contains("goes on and on about observability pipelines and…</title>"));
}

#[test]
fn html_pages_announce_the_feeds_and_load_nothing_from_outside() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    for file in ["index.html", "issues/344/index.html"] {
        let html = text(&out, file);
        for feed in ["feed.xml", "atom.xml", "feed.json", "links.xml"] {
            assert!(
                html.contains(&format!("href=\"{BASE_URL}{feed}\">")),
                "{file}: {feed}"
            );
        }
        assert_eq!(html.matches("<link rel=\"alternate\"").count(), 4, "{file}");
        assert!(html.contains("name=\"viewport\""), "{file}");
        assert!(!html.contains("<script"), "{file}");
        assert!(!html.contains("rel=\"stylesheet\""), "{file}");
        assert!(!html.contains("@import"), "{file}");
    }
    let index = text(&out, "index.html");
    let (at_345, at_343) = (
        index.find("issues/345/").unwrap(),
        index.find("issues/343/").unwrap(),
    );
    assert!(at_345 < at_343, "newest first");
    assert!(index.contains("Tom &amp; Jerry&#39;s &lt;special&gt; edition"));
    let issue = text(&out, "issues/344/index.html");
    assert!(issue.contains("<h2>News</h2>"));
    assert!(issue.contains("https://github.com/camptocamp/terraboard"));
}

#[test]
fn drafts_and_future_issues_only_on_request() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    assert!(!out.join("issues/346").exists());
    assert!(!out.join("issues/347").exists());
    assert!(!text(&out, "feed.xml").contains("Issue 346"));

    let out = build_ok(dir.path(), &["--drafts", "--future"]);
    assert!(out.join("issues/346/index.html").exists());
    assert!(out.join("issues/347/index.html").exists());
    let feed = entries_of("feed.xml", &std::fs::read(out.join("feed.xml")).unwrap());
    assert_eq!(feed.len(), 5);
    assert_eq!(feed[0].title, "Issue 347");
}

#[test]
fn an_unchanged_build_is_byte_identical_and_keeps_mtimes() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let before = read_tree(&out);
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000);
    for file in before.keys() {
        std::fs::File::options()
            .write(true)
            .open(out.join(file))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    let output = build(dir.path(), &[]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 files written"));
    assert_eq!(read_tree(&out), before);
    let mtime = |file: &str| {
        std::fs::metadata(out.join(file))
            .unwrap()
            .modified()
            .unwrap()
    };
    for file in before.keys() {
        assert_eq!(mtime(file), long_ago, "{file} was rewritten");
    }

    // Editing one issue rewrites what shows it, and nothing else.
    let path = dir.path().join("issues/2017-07-23-343.md");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("A short one", "A brief one");
    std::fs::write(&path, edited).unwrap();
    build_ok(dir.path(), &[]);
    assert_ne!(mtime("issues/343/index.html"), long_ago);
    assert_ne!(mtime("links.xml"), long_ago);
    assert_eq!(mtime("issues/344/index.html"), long_ago);
    assert_eq!(mtime("index.html"), long_ago);
}

#[test]
fn a_failed_build_names_file_and_line_and_leaves_the_output_alone() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let before = read_tree(&out);
    let bad = dir.path().join("issues/issue-348.md");
    std::fs::write(&bad, "---\ntitle: Issue 348\ndate: someday\n---\n\nIntro\n").unwrap();
    let output = build(dir.path(), &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("issue-348.md:3:"), "{stderr}");
    assert_eq!(read_tree(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn history_beyond_feed_limit_is_in_archive_pages() {
    let dir = site("feed_limit = 1");
    let out = build_ok(dir.path(), &["--drafts"]);
    let files = read_tree(&out);
    // Four issues, one a page: four full pages and the open, empty one.
    for page in 1..=6 {
        let path = format!("archive/{page}.xml");
        assert_eq!(files.contains_key(&path), page <= 5, "{path}");
    }
    let all: Vec<Expected> = {
        let (issues, _) = issue::load_valid(&dir.path().join("issues")).unwrap();
        issues
            .iter()
            .filter(|issue| issue.number != 347)
            .map(Expected::of)
            .collect()
    };
    let newest = vec![all.last().unwrap().clone()];
    assert_round_trip(&files, &newest, &all);
    for page in 1..=5 {
        let path = format!("archive/atom/{page}.xml");
        assert!(files.contains_key(&path), "{path}");
    }
}

#[test]
fn a_full_archive_page_stays_byte_identical_when_issues_are_added() {
    let dir = site("feed_limit = 1");
    let out = build_ok(dir.path(), &[]);
    let before = read_tree(&out);
    // 343, 344, 345 published: pages 1 to 3 full, page 4 open.
    let full = [
        "archive/1.xml",
        "archive/2.xml",
        "archive/atom/1.xml",
        "archive/atom/2.xml",
    ];
    for page in full {
        assert!(before.contains_key(page), "{page}");
    }
    build_ok(dir.path(), &["--drafts", "--future"]);
    let after = read_tree(&out);
    for page in full {
        assert_eq!(after[page], before[page], "{page} changed");
    }
    assert_ne!(after["archive/atom/4.xml"], before["archive/atom/4.xml"]);
}

#[test]
fn atom_entries_name_the_issue_author() {
    let dir = site("");
    let out = build_ok(dir.path(), &[]);
    let atom = text(&out, "atom.xml");
    let entry_343 = atom
        .split("<entry>")
        .find(|entry| entry.contains("issues/343"))
        .unwrap();
    assert!(
        entry_343.contains("<name>Guest Editor</name>"),
        "{entry_343}"
    );
    assert!(!entry_343.contains("The Editors"), "{entry_343}");
}
