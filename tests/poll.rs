//! Polling etiquette: never more than one request at a time per host, never
//! more than `concurrency` in all, and a source that fails does not stop
//! the others. The feeds come from servers on 127.0.0.1 and 127.0.0.2 that
//! count the requests they are answering at once.

mod store_support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use newsroom::aggregator::fetch::{FetchOptions, Fetcher};
use newsroom::aggregator::poll::{self, PollError, Progress, SourceReport};
use newsroom::config::Config;
use newsroom::store::{self, PollStatus, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Requests being answered right now, per host and in all, and the most
/// ever seen.
#[derive(Default)]
struct InFlight {
    now: Mutex<HashMap<String, usize>>,
    most_per_host: AtomicUsize,
    total: AtomicUsize,
    most_in_all: AtomicUsize,
}

impl InFlight {
    fn enter(&self, host: &str) {
        let mut now = self.now.lock().unwrap();
        let count = now.entry(host.to_string()).or_default();
        *count += 1;
        self.most_per_host.fetch_max(*count, Ordering::SeqCst);
        let total = self.total.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_all.fetch_max(total, Ordering::SeqCst);
    }

    fn leave(&self, host: &str) {
        *self
            .now
            .lock()
            .unwrap()
            .entry(host.to_string())
            .or_default() -= 1;
        self.total.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves, on `ip`, a one-entry feed at every path but `/broken.xml`
/// (500), taking 50 ms per request so that overlaps are seen.
async fn feeds_on(ip: &str, in_flight: Arc<InFlight>) -> SocketAddr {
    let listener = TcpListener::bind((ip, 0)).await.expect("bind loopback");
    let address = listener.local_addr().unwrap();
    let host = ip.to_string();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (in_flight, host) = (in_flight.clone(), host.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&chunk[..read]),
                    }
                }
                in_flight.enter(&host);
                tokio::time::sleep(Duration::from_millis(50)).await;
                let path = String::from_utf8_lossy(&request)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                let response = if path == "/broken.xml" {
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                } else {
                    let body = format!(
                        "<rss version=\"2.0\"><channel><title>t</title><item><title>Post</title>\
                         <link>https://{host}.example{path}/post</link></item></channel></rss>"
                    );
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                in_flight.leave(&host);
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    address
}

struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: usize) {}
    fn polled(&self, _: &SourceReport) {}
}

/// A config with `per_host` sources on each of the two servers, one of
/// them broken, and a store synchronised with it.
async fn setup(
    dir: &tempfile::TempDir,
    concurrency: usize,
    per_host: usize,
    in_flight: &Arc<InFlight>,
) -> (Config, store::AnyStore) {
    let one = feeds_on("127.0.0.1", in_flight.clone()).await;
    let two = feeds_on("127.0.0.2", in_flight.clone()).await;
    let database = dir.path().join("newsroom.db");
    let mut text = format!(
        "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n\
         [aggregator]\ndatabase = {:?}\nconcurrency = {concurrency}\n",
        database.to_string_lossy()
    );
    for server in [one, two] {
        for n in 0..per_host {
            text.push_str(&format!(
                "[[source]]\nname = \"{server} {n}\"\nurl = \"http://{server}/{n}.xml\"\n"
            ));
        }
    }
    text.push_str(&format!(
        "[[source]]\nname = \"Broken\"\nurl = \"http://{one}/broken.xml\"\n"
    ));
    let (config, store) = store_support::open_synced(&text).await;
    (config, store)
}

fn fetcher() -> Fetcher {
    Fetcher::new(FetchOptions::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_per_host_and_hosts_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    let in_flight = Arc::new(InFlight::default());
    let (config, store) = setup(&dir, 8, 4, &in_flight).await;
    let summary = poll::poll(&store, &fetcher(), &config, None, Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!(summary.ok, 8);
    assert_eq!(summary.failed, 1);
    assert_eq!(summary.new_items, 8);
    assert_eq!(summary.failures[0].name, "Broken");
    assert_eq!(summary.failures[0].status, PollStatus::Failed);
    assert!(
        summary.failures[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("500"),
        "{:?}",
        summary.failures[0]
    );
    assert_eq!(in_flight.most_per_host.load(Ordering::SeqCst), 1);
    assert_eq!(in_flight.most_in_all.load(Ordering::SeqCst), 2);

    // No validators: every feed comes again, and its known entries are
    // skipped rather than stored twice.
    let again = poll::poll(&store, &fetcher(), &config, None, Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!((again.ok, again.new_items), (8, 0));
    let sources = store.sources().await.unwrap();
    assert!(sources.iter().all(|source| source.items_seen <= 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_bounds_all_requests() {
    let dir = tempfile::tempdir().unwrap();
    let in_flight = Arc::new(InFlight::default());
    let (config, store) = setup(&dir, 1, 2, &in_flight).await;
    let summary = poll::poll(&store, &fetcher(), &config, None, Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!(summary.ok + summary.failed, 5);
    assert_eq!(in_flight.most_in_all.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn one_source_by_name_and_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let in_flight = Arc::new(InFlight::default());
    let (config, store) = setup(&dir, 4, 1, &in_flight).await;
    let summary = poll::poll(&store, &fetcher(), &config, Some("Broken"), Arc::new(Quiet))
        .await
        .unwrap();
    assert_eq!((summary.ok, summary.failed), (0, 1));
    let sources = store.sources().await.unwrap();
    let polled: Vec<&str> = sources
        .iter()
        .filter(|source| source.last_polled_at.is_some())
        .map(|source| source.name.as_str())
        .collect();
    assert_eq!(polled, ["Broken"]);

    let unknown = poll::poll(&store, &fetcher(), &config, Some("Nope"), Arc::new(Quiet)).await;
    match unknown {
        Err(err @ PollError::UnknownSource { .. }) => {
            assert!(err.to_string().contains("\"Nope\""), "{err}")
        }
        other => panic!("expected an unknown source, got {other:?}"),
    }
}
