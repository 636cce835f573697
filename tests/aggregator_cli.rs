//! The aggregator end to end: the real binary against sources served by a
//! wiremock server on 127.0.0.1, from the first poll to the draft issue.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ALPHA_ETAG: &str = "\"alpha-1\"";

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(title, link, summary)| {
            format!(
                "<item><title>{title}</title><link>{link}</link>\
                 <description>{summary}</description>\
                 <pubDate>Sun, 01 Nov 2026 10:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <link>https://example.org/</link><description>d</description>{items}\
         </channel></rss>"
    )
}

/// Alpha answers 304 to its ETag, Beta shares an article with Alpha, and
/// Broken always fails.
async fn sources() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/alpha.xml"))
        .and(header("if-none-match", ALPHA_ETAG))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    let alpha = rss(&[
        (
            "Shared article",
            "https://blog.example/shared?utm_source=alpha",
            "Everyone links to this one.",
        ),
        (
            "Already in issue 7",
            "https://blog.example/published?fbclid=x",
            "Old news.",
        ),
        (
            "Kubernetes upgrades",
            "https://alpha.example/upgrades",
            "How we upgrade clusters.",
        ),
        (
            "Observability notes",
            "https://alpha.example/observability",
            "Tracing and metrics.",
        ),
    ]);
    Mock::given(method("GET"))
        .and(path("/alpha.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", ALPHA_ETAG)
                .insert_header("Content-Type", "application/rss+xml")
                .set_body_string(alpha),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let beta = rss(&[(
        "Shared article",
        "https://blog.example/shared",
        "Everyone links to this one.",
    )]);
    Mock::given(method("GET"))
        .and(path("/beta.xml"))
        // wiremock splits header values at commas, which dates contain.
        .and(header_exists("if-modified-since"))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/beta.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Last-Modified", "Sun, 01 Nov 2026 10:00:00 GMT")
                .set_body_string(beta),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/broken.xml"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    server
}

const ISSUE_7: &str = "---\ntitle: Weekly #7\ndate: 2026-10-25\nnumber: 7\n---\n\n\
    Intro.\n\nNews\n====\n\nA piece we already ran.\n\nhttps://blog.example/published\n";

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(server: &MockServer) -> Site {
        let dir = tempfile::tempdir().expect("temporary folder");
        let base = server.uri();
        let config = format!(
            "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://weekly.example/\"\n\n\
             [aggregator]\nconcurrency = 4\n\n\
             [[source]]\nname = \"Alpha\"\nurl = \"{base}/alpha.xml\"\nweight = 2.0\n\n\
             [[source]]\nname = \"Beta\"\nurl = \"{base}/beta.xml\"\n\n\
             [[source]]\nname = \"Broken\"\nurl = \"{base}/broken.xml\"\n"
        );
        std::fs::write(dir.path().join("feeds.toml"), config).unwrap();
        std::fs::create_dir(dir.path().join("issues")).unwrap();
        std::fs::write(dir.path().join("issues/2026-10-25-7.md"), ISSUE_7).unwrap();
        Site { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .arg("--config")
            .arg(self.path("feeds.toml"))
            .args(args)
            .output()
            .expect("run newsroom")
    }

    /// Runs a command that must succeed and returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "newsroom {args:?} failed\nstdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// Runs a command that must fail and returns its standard error.
    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "newsroom {args:?} should fail");
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    fn suggestions(&self) -> Vec<Value> {
        self.ok(&["suggest", "--json"])
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
            .collect()
    }
}

fn id_of(suggestions: &[Value], url: &str) -> String {
    suggestions
        .iter()
        .find(|candidate| candidate["url"] == url)
        .unwrap_or_else(|| panic!("{url} is not suggested: {suggestions:?}"))["id"]
        .to_string()
}

fn is_suggested(suggestions: &[Value], url: &str) -> bool {
    suggestions.iter().any(|candidate| candidate["url"] == url)
}

#[tokio::test]
async fn from_poll_to_draft() {
    let server = sources().await;
    let site = Site::new(&server);

    let first = site.ok(&["poll"]);
    assert!(
        first.contains("2 ok, 0 not modified, 1 failed, 0 moved; 5 new items"),
        "{first}"
    );
    assert!(first.contains("failed: Broken:"), "{first}");
    assert!(first.contains("HTTP 500"), "{first}");
    let second = site.ok(&["poll"]);
    assert!(
        second.contains("0 ok, 2 not modified, 1 failed, 0 moved; 0 new items"),
        "{second}"
    );
    let status = site.ok(&["status", "--json"]);
    let broken: Value = status
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|source| source["name"] == "Broken")
        .expect("Broken in status");
    assert_eq!(broken["consecutive_errors"], 2);
    assert_eq!(broken["status"], "failed");

    let suggestions = site.suggestions();
    assert_eq!(suggestions.len(), 3, "{suggestions:?}");
    assert!(!is_suggested(
        &suggestions,
        "https://blog.example/published"
    ));
    let shared = &suggestions[0];
    assert_eq!(shared["url"], "https://blog.example/shared");
    assert_eq!(shared["sources"], serde_json::json!(["Alpha", "Beta"]));

    let upgrades = id_of(&suggestions, "https://alpha.example/upgrades");
    let observability = id_of(&suggestions, "https://alpha.example/observability");
    let shared = id_of(&suggestions, "https://blog.example/shared");
    site.ok(&[
        "review",
        "accept",
        &upgrades,
        "--section",
        "Tools",
        "--blurb",
        "How one team upgrades *many* clusters.",
    ]);
    site.ok(&["review", "reject", &observability]);
    site.ok(&["review", "snooze", &shared, "--days", "3"]);
    let left = site.suggestions();
    assert!(left.is_empty(), "{left:?}");
    site.ok(&["review", "undo", &observability]);
    assert!(is_suggested(
        &site.suggestions(),
        "https://alpha.example/observability"
    ));
    let unknown = site.fails(&["review", "accept", "9999"]);
    assert!(unknown.contains("no candidate has id 9999"), "{unknown}");

    let draft = site.path("draft.md");
    let draft_arg = draft.to_string_lossy().into_owned();
    site.ok(&["draft", "--out", &draft_arg]);
    let issue = newsroom::issue::parse(&draft, &std::fs::read(&draft).unwrap()).unwrap();
    assert_eq!(issue.number, 8);
    assert!(issue.draft);
    let entries: Vec<_> = issue.entries().collect();
    assert_eq!(entries.len(), 1);
    let (section, entry) = entries[0];
    assert_eq!(section.name, "Tools");
    assert_eq!(entry.blurb, "How one team upgrades *many* clusters.");
    assert_eq!(
        entry.links[0].url.as_str(),
        "https://alpha.example/upgrades"
    );

    // The draft is in the way: it is never overwritten.
    site.ok(&["review", "accept", &observability]);
    let refused = site.fails(&["draft", "--out", &draft_arg]);
    assert!(refused.contains("never overwritten"), "{refused}");
    assert_eq!(
        newsroom::issue::parse(&draft, &std::fs::read(&draft).unwrap()).unwrap(),
        issue
    );
}

#[tokio::test]
async fn sources_export_and_import() {
    let server = sources().await;
    let site = Site::new(&server);
    let opml = site.ok(&["sources", "export"]);
    for feed in ["alpha.xml", "beta.xml", "broken.xml"] {
        assert!(opml.contains(&format!("{}/{feed}", server.uri())), "{opml}");
    }

    let import = site.path("import.opml");
    let extra = opml.replace(
        "</body>",
        "<outline type=\"rss\" text=\"Gamma\" xmlUrl=\"https://gamma.example/feed\"/></body>",
    );
    std::fs::write(&import, extra).unwrap();
    let report = site.ok(&["sources", "import", &import.to_string_lossy()]);
    assert!(report.contains("1 sources added, 3 skipped"), "{report}");
    let config = std::fs::read_to_string(site.path("feeds.toml")).unwrap();
    assert!(config.contains("https://gamma.example/feed"), "{config}");
    assert!(!Path::new(&format!("{}.tmp", site.path("feeds.toml").display())).exists());
    let names: Vec<String> = site
        .ok(&["status", "--json"])
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names, ["\"Alpha\"", "\"Beta\"", "\"Broken\"", "\"Gamma\""]);
}
