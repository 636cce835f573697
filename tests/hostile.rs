//! Hostile and broken sources, all polled in one `poll` beside a good one:
//! each gets a clear error of its own or a clean result, memory and time
//! stay bounded, and the good source's items arrive all the same. The
//! servers and documents are in `hostile_support`.

mod hostile_support;
mod store_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hostile_support::{
    Answer, documents, good_feed, hundred_thousand_entries, network_faults, serve,
};
use newsroom::aggregator::fetch::{FetchOptions, Fetcher};
use newsroom::aggregator::poll::{self, PollSummary, Progress, SourceReport};
use newsroom::store::{Candidate, PollStatus, SourceRecord, Store};

#[derive(Default)]
struct Collect(Mutex<HashMap<String, SourceReport>>);

impl Progress for Collect {
    fn start(&self, _: usize) {}
    fn polled(&self, report: &SourceReport) {
        let mut reports = self.0.lock().unwrap();
        reports.insert(report.name.clone(), report.clone());
    }
}

struct Polled {
    summary: PollSummary,
    reports: HashMap<String, SourceReport>,
    records: HashMap<String, SourceRecord>,
    candidates: Vec<Candidate>,
    took: Duration,
    _dir: tempfile::TempDir,
}

impl Polled {
    /// The source's report, checked against what the store recorded.
    fn report(&self, name: &str) -> &SourceReport {
        let report = &self.reports[name];
        let record = &self.records[name];
        assert_eq!(record.last_status, Some(report.status), "{name}");
        assert_eq!(record.last_error, report.error, "{name}");
        report
    }

    fn failed_with(&self, name: &str, words: &[&str]) -> String {
        let report = self.report(name);
        assert_eq!(report.status, PollStatus::Failed, "{name}: {report:?}");
        let error = report.error.clone().unwrap_or_default();
        assert!(
            words.iter().any(|word| error.contains(word)),
            "{name}: {error:?} says none of {words:?}"
        );
        error
    }

    fn fetched(&self, name: &str) -> usize {
        let report = self.report(name);
        assert_eq!(report.status, PollStatus::Fetched, "{name}: {report:?}");
        report.new_items
    }

    fn candidates_of(&self, name: &str) -> Vec<&Candidate> {
        self.candidates
            .iter()
            .filter(|candidate| candidate.sources.iter().any(|source| source == name))
            .collect()
    }
}

/// Polls every source of `sources` (name, answer) once, beside a good
/// source named "Good", with a 3-second whole-response timeout.
async fn poll_all(sources: Vec<(&str, Answer)>, extra: &[(&str, &str)]) -> Polled {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("newsroom.db");
    let mut text = format!(
        "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n\
         [aggregator]\ndatabase = {:?}\nconcurrency = 64\n",
        database.to_string_lossy()
    );
    let good = serve(2, Answer::Body("application/rss+xml", good_feed("good", 3))).await;
    text.push_str(&format!("[[source]]\nname = \"Good\"\nurl = \"{good}\"\n"));
    for (n, (name, what)) in sources.into_iter().enumerate() {
        let url = serve(10 + n as u8, what).await;
        text.push_str(&format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    }
    for (name, url) in extra {
        text.push_str(&format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    }
    let (config, store) = store_support::open_synced(&text).await;
    let fetcher = Fetcher::new(FetchOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        ..FetchOptions::default()
    })
    .unwrap();
    let collect = Arc::new(Collect::default());
    let started = Instant::now();
    let summary = poll::poll(&store, &fetcher, &config, None, collect.clone())
        .await
        .expect("the poll itself succeeds");
    let took = started.elapsed();
    let records = store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .map(|record| (record.name.clone(), record))
        .collect();
    let candidates = store
        .candidates(chrono::Utc::now() + chrono::Duration::days(1), None)
        .await
        .unwrap();
    let reports = std::mem::take(&mut *collect.0.lock().unwrap());
    let polled = Polled {
        summary,
        reports,
        records,
        candidates,
        took,
        _dir: dir,
    };
    // The good source is never hurt by the others.
    assert_eq!(polled.fetched("Good"), 3);
    assert_eq!(polled.candidates_of("Good").len(), 3);
    polled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_documents_fail_alone_or_come_out_clean() {
    let sources = documents();
    let polled = poll_all(sources, &[]).await;
    // The drip is stopped by the 3-second timeout, and nothing waits longer.
    eprintln!("hostile poll took {:?}", polled.took);
    let mut names: Vec<_> = polled.reports.keys().collect();
    names.sort();
    for name in names {
        let report = &polled.reports[name];
        eprintln!(
            "{name}: {:?} {} {:?}",
            report.status, report.new_items, report.error
        );
    }
    assert!(polled.took < Duration::from_secs(20), "{:?}", polled.took);

    polled.failed_with("Malformed", &["malformed", "not a feed"]);
    polled.failed_with("Truncated", &["malformed", "not a feed"]);
    // No entity is expanded: the document is refused, or read without them.
    for name in ["Laughs", "External"] {
        let report = polled.report(name);
        if report.status == PollStatus::Fetched {
            for candidate in polled.candidates_of(name) {
                let text = format!("{} {:?}", candidate.title, candidate.summary);
                assert!(text.len() < 1000, "{name} expanded: {} bytes", text.len());
                assert!(!text.contains("root:"), "{name} read a file: {text}");
            }
        } else {
            polled.failed_with(name, &["malformed", "entity", "DOCTYPE", "not a feed"]);
        }
    }
    polled.failed_with("Bomb", &["larger than"]);
    polled.failed_with("Huge", &["larger than"]);
    polled.failed_with("Drip", &["no complete response within 3s"]);
    // Wrong bytes and wrong declarations come out as text, not as errors.
    assert_eq!(polled.fetched("Invalid UTF-8"), 1);
    assert_eq!(polled.fetched("Latin-1 as UTF-8"), 1);
    assert_eq!(
        polled.candidates_of("Latin-1 as UTF-8")[0].title,
        "Caf\u{e9} cr\u{e8}me"
    );
    assert_eq!(polled.fetched("UTF-8 as Latin-1"), 1);
    polled.failed_with("JSON wrong types", &["malformed", "not a feed"]);
    let json_items = polled.report("JSON wrong item types");
    if json_items.status == PollStatus::Failed {
        polled.failed_with("JSON wrong item types", &["malformed", "not a feed"]);
    }
    polled.failed_with("HTML", &["HTML page"]);
    polled.failed_with("Empty", &["malformed", "not a feed", "empty"]);
    polled.failed_with("Late declaration", &["malformed", "not a feed"]);
    // Impossible dates: the items are kept, dated no later than now.
    assert_eq!(polled.fetched("Dates"), 4);
    let later = chrono::Utc::now();
    for candidate in polled.candidates_of("Dates") {
        assert!(candidate.published <= later, "{candidate:?}");
    }
    assert_eq!(polled.fetched("Schemes"), 1);
    assert_eq!(
        polled.candidates_of("Schemes")[0].url.as_str(),
        "https://schemes.example/ok"
    );
    assert_eq!(polled.fetched("Scripts"), 1);
    let scripts = polled.candidates_of("Scripts")[0];
    let text = format!(
        "{} {}",
        scripts.title,
        scripts.summary.as_deref().unwrap_or_default()
    )
    .to_lowercase();
    for bad in [
        "<script",
        "alert(",
        "<style",
        "<iframe",
        "onclick",
        "onerror",
        "onmouseover",
        "javascript:",
    ] {
        assert!(!text.contains(bad), "{bad} survived: {text}");
    }
    assert!(text.contains("hello"), "{text}");
    assert_eq!(polled.summary.ok + polled.summary.failed, 19);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_faults_fail_alone() {
    let sources = network_faults();
    // RFC 2606: `.invalid` never resolves.
    let polled = poll_all(
        sources,
        &[("No DNS", "http://feed.newsroom-test.invalid/feed")],
    )
    .await;
    assert!(polled.took < Duration::from_secs(20), "{:?}", polled.took);
    polled.failed_with("Cut short", &["cut short"]);
    polled.failed_with("Reset", &["request failed", "cut short", "cannot connect"]);
    polled.failed_with("Error 500", &["HTTP 500"]);
    polled.failed_with("Garbage", &["request failed", "cut short"]);
    polled.failed_with("Silent", &["no complete response within 3s"]);
    polled.failed_with("No DNS", &["cannot connect", "request failed", "within"]);
    assert_eq!(polled.summary.failed, 6);
    for name in [
        "Cut short",
        "Reset",
        "Error 500",
        "Garbage",
        "Silent",
        "No DNS",
    ] {
        assert!(polled.candidates_of(name).is_empty(), "{name}");
        assert_eq!(polled.records[name].consecutive_errors, 1, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_entries_are_all_kept() {
    let polled = poll_all(
        vec![(
            "Many",
            Answer::Body("application/rss+xml", hundred_thousand_entries()),
        )],
        &[],
    )
    .await;
    eprintln!("100,000 entries took {:?}", polled.took);
    assert_eq!(polled.fetched("Many"), 100_000);
    assert_eq!(polled.candidates_of("Many").len(), 100_000);
}
