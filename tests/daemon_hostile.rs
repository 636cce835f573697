//! The hostile and broken sources of `tests/hostile.rs`, polled by the real
//! daemon beside a good source: the daemon keeps serving with bounded
//! memory, the good source's items reach the review queue, each hostile
//! source fails alone (its status in `/metrics`, its error in the log) or
//! comes out clean on the review page, and SIGTERM still stops it.
//!
//! The fetch timeout of the daemon is 30 s for the whole response, which
//! the drip and the silent server both reach. They are listed last and the
//! batch a daemon claims is as large as the other sources together, so that
//! they are polled in a round of their own: the test checks everything else
//! while that round hangs, then stops the daemon in the middle of it.

mod daemon_support;
mod hostile_support;

use std::collections::HashMap;
use std::time::Instant;

use daemon_support::{Daemon, eventually, page_at};
use hostile_support::{Answer, documents, good_feed, network_faults, serve};
use reqwest::StatusCode;

/// Read, and cleaned: wrong bytes or declarations come out as text,
/// impossible dates are kept, bad links and markup are dropped.
const CLEAN: [&str; 6] = [
    "Invalid UTF-8",
    "Latin-1 as UTF-8",
    "UTF-8 as Latin-1",
    "Dates",
    "Schemes",
    "Scripts",
];
/// Refused, or read without what they ask for (entities, odd types).
const EITHER: [&str; 3] = ["Laughs", "External", "JSON wrong item types"];
/// Stuck until the whole-response timeout. Every other source fails.
const SLOW: [&str; 2] = ["Drip", "Silent"];

/// The status of `source`'s last poll as `/metrics` has it, once polled.
fn last_status<'a>(metrics: &'a str, source: &str) -> Option<&'a str> {
    let prefix = format!("newsroom_source_last_status{{source=\"{source}\",status=\"");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&prefix)?.strip_suffix("\"} 1"))
}

fn consecutive_errors(metrics: &str, source: &str) -> Option<u64> {
    let prefix = format!("newsroom_source_consecutive_errors{{source=\"{source}\"}} ");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&prefix)?.parse().ok())
}

/// The error of each source's last poll as the daemon logged it (one
/// JSON line per poll), `None` for a poll without error.
fn logged_polls(log: &str) -> HashMap<String, Option<String>> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| event["fields"]["message"] == "polled")
        .map(|event| {
            let fields = &event["fields"];
            let source = fields["source"].as_str().unwrap_or_default().to_string();
            (source, fields["error"].as_str().map(str::to_string))
        })
        .collect()
}

/// The peak resident memory of process `pid` (VmHWM), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kilobytes = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .expect("a VmHWM line");
    kilobytes
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_outlives_hostile_sources_and_serves_the_good_one() {
    let started = Instant::now();
    let (slow, fast): (Vec<_>, Vec<_>) = documents()
        .into_iter()
        .chain(network_faults())
        .partition(|(name, _)| SLOW.contains(name));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("issues")).unwrap();
    let mut text = format!(
        "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://weekly.example/\"\n\n\
         [aggregator]\nconcurrency = {}\n",
        fast.len() + 1
    );
    // The good source first, the slow two last; each on 127.0.0.N.
    let good = Answer::Body("application/rss+xml", good_feed("good", 3));
    let all = std::iter::once(("Good", good))
        .chain(fast.iter().cloned())
        .chain(slow);
    let mut urls = HashMap::new();
    for (n, (name, answer)) in all.enumerate() {
        let url = serve(2 + n as u8, answer).await;
        text.push_str(&format!(
            "\n[[source]]\nname = \"{name}\"\nurl = \"{url}\"\n"
        ));
        urls.insert(name, url);
    }
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, text).unwrap();
    let mut daemon = Daemon::start(&config);
    let base = daemon.base.clone();

    // Round one: the good source and every hostile one but the slow two.
    let metrics = eventually(&format!("{base}/metrics"), "round one", |_, body| {
        std::iter::once("Good")
            .chain(fast.iter().map(|(name, _)| *name))
            .all(|name| last_status(body, name).is_some())
    })
    .await;
    let polls = logged_polls(&daemon.log());
    assert_eq!(last_status(&metrics, "Good"), Some("ok"), "{metrics}");
    for (name, _) in &fast {
        let status = last_status(&metrics, name).unwrap();
        let errors = consecutive_errors(&metrics, name);
        let error = polls
            .get(*name)
            .unwrap_or_else(|| panic!("{name} not logged"));
        println!("{name}: {status} {error:?}");
        if status == "ok" {
            assert!(CLEAN.contains(name) || EITHER.contains(name), "{name} read");
            assert_eq!(errors, Some(0), "{name}");
            assert_eq!(*error, None, "{name}");
        } else {
            assert!(!CLEAN.contains(name), "{name}: {status} {error:?}");
            assert_eq!(status, "failed", "{name}");
            assert_eq!(errors, Some(1), "{name}");
            // Its own error: each names the source's URL.
            let error = error.as_deref().unwrap_or_default();
            assert!(error.starts_with(&urls[name]), "{name}: {error:?}");
        }
    }

    // The good items wait for the editors; what hostile sources brought
    // is shown clean.
    let review = page_at(format!("{base}/review")).await;
    for n in 0..3 {
        let link = format!("href=\"https://good.example/{n}\"");
        assert!(review.contains(&link), "no {link} in\n{review}");
    }
    assert!(review.contains("https://scripts.example/1"), "{review}");
    assert!(review.contains("https://schemes.example/ok"), "{review}");
    let lower = review.to_lowercase();
    // The page's own script, from its assets, and no other.
    assert_eq!(lower.matches("<script").count(), 1, "{review}");
    for bad in [
        "<iframe",
        "<style",
        "onclick",
        "onerror",
        "onmouseover",
        "alert(",
        "javascript:",
        "data:text",
        "file:",
        "root:",
    ] {
        assert!(!lower.contains(bad), "{bad} on the review page:\n{review}");
    }

    // Still serving while the slow two hold their round, within bounds.
    let client = daemon_support::client();
    for path in ["/feed.xml", "/healthz"] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let peak = peak_memory(daemon.pid());
    println!("peak memory: {} MB", peak >> 20);
    assert!(peak < 300 << 20, "peak memory {} MB", peak >> 20);

    // Stopped in the middle of the slow round.
    let polls = logged_polls(&daemon.log());
    for name in SLOW {
        assert!(!polls.contains_key(name), "{name}: {:?}", polls[name]);
    }
    let status = daemon.terminate();
    assert!(status.success(), "{status}: {}", daemon.log());
    assert!(
        daemon
            .log()
            .contains("polls still in flight at shutdown were cancelled"),
        "{}",
        daemon.log()
    );
    println!("took {:?}", started.elapsed());
}
