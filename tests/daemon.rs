//! The daemon end to end: the real binary on port 0, polling sources served
//! by wiremock on 127.0.0.1, rebuilding as issue files come and go, and
//! stopping cleanly on SIGTERM.

mod daemon_support;

use std::path::Path;

use daemon_support::{Daemon, PATIENCE, eventually};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[tokio::test(flavor = "multi_thread")]
async fn polls_serves_rebuilds_and_stops_on_sigterm() {
    let sources = MockServer::start().await;
    let feed = std::fs::read_to_string(format!("{FIXTURES}/feeds/rss2.xml")).unwrap();
    Mock::given(method("GET"))
        .and(path("/alpha.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string(feed))
        .mount(&sources)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let issues = dir.path().join("issues");
    std::fs::create_dir(&issues).unwrap();
    let fixtures = Path::new(FIXTURES).join("generator/issues");
    std::fs::copy(fixtures.join("issue-344.md"), issues.join("issue-344.md")).unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://example.org/\"\n\n\
             [daemon]\ncache_max_age = \"1m\"\n\n\
             [[source]]\nname = \"Alpha\"\nurl = \"{}/alpha.xml\"\n",
            sources.uri()
        ),
    )
    .unwrap();
    let mut daemon = Daemon::start(&config);
    let base = daemon.base.clone();

    // Serves the feeds, with validators and 304s.
    let client = reqwest::Client::new();
    let feed = client.get(format!("{base}/feed.xml")).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        feed.headers()[CONTENT_TYPE],
        "application/rss+xml; charset=utf-8"
    );
    assert_eq!(feed.headers()[CACHE_CONTROL], "public, max-age=60");
    let etag = feed.headers()[ETAG].clone();
    let again = client
        .get(format!("{base}/feed.xml"))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let issue = client
        .get(format!("{base}/issues/344/"))
        .send()
        .await
        .unwrap();
    assert_eq!(issue.status(), StatusCode::OK);

    // The editors' review page is mounted (open on loopback).
    let review = reqwest::Client::new()
        .get(format!("{base}/review"))
        .send()
        .await
        .unwrap();
    assert_eq!(review.status(), StatusCode::OK);
    assert!(review.headers().contains_key("content-security-policy"));

    // Polls the source, and says so in the metrics.
    let metrics = eventually(&format!("{base}/metrics"), "the first poll", |_, body| {
        body.contains("newsroom_source_items_seen{source=\"Alpha\"}")
    })
    .await;
    assert!(!sources.received_requests().await.unwrap().is_empty());
    for name in [
        "newsroom_http_requests_total",
        "newsroom_source_last_success_timestamp_seconds",
        "newsroom_source_last_status",
        "newsroom_source_consecutive_errors",
        "newsroom_poll_duration_seconds",
        "newsroom_builds_total",
        "newsroom_build_failures_total",
        "newsroom_build_duration_seconds",
        "newsroom_candidates_pending",
    ] {
        assert!(metrics.contains(name), "no {name} in\n{metrics}");
    }

    // A new issue file is published.
    std::fs::copy(fixtures.join("issue-345.md"), issues.join("issue-345.md")).unwrap();
    eventually(&format!("{base}/issues/345/"), "issue 345", |status, _| {
        status == StatusCode::OK
    })
    .await;

    // A broken one is not: the last good build stays, /healthz says why.
    std::fs::write(issues.join("issue-346.md"), "---\ntitle: Half written\n").unwrap();
    let health = eventually(&format!("{base}/healthz"), "unhealthy", |status, _| {
        status == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    assert!(health.contains("issue-346.md:"), "{health}");
    let feed = client.get(format!("{base}/feed.xml")).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let kept = client
        .get(format!("{base}/issues/345/"))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), StatusCode::OK);

    // SIGTERM: exit 0 within 10 s.
    let status = daemon.terminate();
    assert!(status.success(), "{status}");
}

fn newsletter(title: &str, issues_dir: &str) -> String {
    format!(
        "[newsletter]\ntitle = \"{title}\"\nbase_url = \"https://example.org/\"\n\
         issues_dir = \"{issues_dir}\"\n"
    )
}

/// SIGHUP reloads a config whose change no file event announces (here a
/// symlinked file edited where it lives, as configuration managers do); a
/// reload that moves `issues_dir` moves the watch with it.
#[tokio::test(flavor = "multi_thread")]
async fn reloads_on_sighup_and_follows_a_moved_issues_dir() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(FIXTURES).join("generator/issues");
    let site = dir.path().join("site");
    for folder in ["issues", "elsewhere"] {
        std::fs::create_dir_all(site.join(folder)).unwrap();
    }
    std::fs::copy(
        fixtures.join("issue-344.md"),
        site.join("issues/issue-344.md"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("issue-345.md"),
        site.join("elsewhere/issue-345.md"),
    )
    .unwrap();
    let managed = dir.path().join("managed.toml");
    std::fs::write(&managed, newsletter("Old Weekly", "issues")).unwrap();
    std::os::unix::fs::symlink(&managed, site.join("feeds.toml")).unwrap();
    let mut daemon = Daemon::start(&site.join("feeds.toml"));
    let base = daemon.base.clone();
    eventually(
        &format!("{base}/feed.xml"),
        "the first build",
        |status, body| status == StatusCode::OK && body.contains("Old Weekly"),
    )
    .await;

    std::fs::write(&managed, newsletter("New Weekly", "elsewhere")).unwrap();
    daemon.signal("HUP");
    let feed = eventually(&format!("{base}/feed.xml"), "the reload", |_, body| {
        body.contains("New Weekly")
    })
    .await;
    assert!(feed.contains("/issues/345/") && !feed.contains("/issues/344/"));

    std::fs::copy(
        fixtures.join("issue-344.md"),
        site.join("elsewhere/issue-344.md"),
    )
    .unwrap();
    eventually(
        &format!("{base}/issues/344/"),
        "the new folder watched",
        |status, _| status == StatusCode::OK,
    )
    .await;

    let status = daemon.terminate();
    assert!(status.success(), "{status}");
}

/// A source that accepts the connection and never answers (its fetch would
/// wait 30 s for the response) does not hold up SIGTERM: the poll is
/// cancelled after the grace period and the daemon still exits 0 in 10 s.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_cancels_a_poll_that_never_ends() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap();
    let (accepted_tx, accepted_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
            let _ = accepted_tx.send(());
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("issues")).unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[[source]]\nname = \"Silent\"\nurl = \"http://{address}/feed.xml\"\n",
            newsletter("Weekly", "issues")
        ),
    )
    .unwrap();
    let mut daemon = Daemon::start(&config);
    accepted_rx
        .recv_timeout(PATIENCE)
        .expect("the daemon polls the silent source");

    let status = daemon.terminate();
    assert!(status.success(), "{status}");
}
