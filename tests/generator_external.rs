//! Outside programs read what `newsroom build` writes: Python's feedparser
//! (the parser most feed readers descend from) and jing with the Atom
//! RELAX NG schema. Each test skips when its program is missing, unless
//! NEWSROOM_TEST_REQUIRE_ALL=1 (as in CI), where it fails instead.

mod generator_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use generator_support::{build_ok, site};

/// Whether `program args...` runs; prints why a test skips if not.
fn available(what: &str, program: &str, args: &[&str]) -> bool {
    let runs = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|output| output.status.success());
    if !runs {
        assert!(
            std::env::var("NEWSROOM_TEST_REQUIRE_ALL").as_deref() != Ok("1"),
            "{what} is required (NEWSROOM_TEST_REQUIRE_ALL=1) but not installed"
        );
        println!("skipped: {what} not installed");
    }
    runs
}

/// A build of the fixtures with drafts, and history paged two issues a page.
fn built_site() -> (tempfile::TempDir, PathBuf) {
    let dir = site("feed_limit = 2");
    let out = build_ok(dir.path(), &["--drafts"]);
    (dir, out)
}

const FEEDPARSER_CHECK: &str = r#"
import json, sys, feedparser
out, expected = sys.argv[1], json.loads(sys.argv[2])
for name, count in expected.items():
    feed = feedparser.parse(f"{out}/{name}")
    assert feed.bozo == 0, f"{name}: bozo {feed.get('bozo_exception')}"
    assert len(feed.entries) == count, f"{name}: {len(feed.entries)} entries, not {count}"
    for entry in feed.entries:
        assert entry.get("title") and entry.get("link") and entry.get("id"), f"{name}: {entry}"
        assert entry.get("published_parsed"), f"{name}: no date in {entry.get('id')}"
    print(name, feed.version, len(feed.entries), "entries")
"#;

#[test]
fn feedparser_reads_every_feed_without_complaint() {
    if !available("python feedparser", "python3", &["-c", "import feedparser"]) {
        return;
    }
    let (_dir, out) = built_site();
    // Four issues (343-346), two in each feed, two a page: pages 1 and 2
    // full, page 3 open and empty. links.xml has the links of 345 and 346.
    let expected = serde_json::json!({
        "feed.xml": 2,
        "atom.xml": 2,
        "links.xml": 4,
        "archive/1.xml": 2,
        "archive/2.xml": 2,
        "archive/3.xml": 0,
        "archive/atom/1.xml": 2,
        "archive/atom/2.xml": 2,
        "archive/atom/3.xml": 0,
    });
    assert_runs(
        "feedparser",
        Command::new("python3")
            .args(["-c", FEEDPARSER_CHECK])
            .arg(&out)
            .arg(expected.to_string()),
    );
    // The feedparser release on PyPI reads no JSON Feed, so Python's own
    // json module checks that one.
    assert_runs(
        "json",
        Command::new("python3")
            .args([
                "-c",
                "import json,sys; f=json.load(open(sys.argv[1])); \
                 assert f['version']=='https://jsonfeed.org/version/1.1'; \
                 assert len(f['items'])==2 and all(i['id'] and i['url'] and i['content_html'] and i['date_published'] for i in f['items'])",
            ])
            .arg(out.join("feed.json")),
    );
}

#[test]
fn atom_is_valid_against_the_rfc_4287_schema() {
    if !available("jing", "sh", &["-c", "command -v jing"]) {
        return;
    }
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/atom.rnc");
    assert!(schema.exists(), "{} is missing", schema.display());
    let (_dir, out) = built_site();
    // The subscription feed and its RFC 5005 archive pages, full and open.
    assert_runs(
        "jing",
        Command::new("jing")
            .arg("-c")
            .arg(&schema)
            .arg(out.join("atom.xml"))
            .args((1..=3).map(|page| out.join(format!("archive/atom/{page}.xml")))),
    );
}

/// Runs `command` and fails the test, with its output, unless it succeeds.
fn assert_runs(what: &str, command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
