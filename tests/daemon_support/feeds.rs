//! Source feeds served on 127.0.0.1 by the test: `/feed/{n}` is an RSS
//! document whose entries link to new pages on every request (so that every
//! poll has something to store), and the server counts the requests per
//! feed. The test can hold the answers back, to catch the daemons in the
//! middle of a poll. It runs on a thread of its own, so that tests may
//! block.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use tokio::sync::watch;

pub struct Feeds {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    served: Arc<Served>,
}

struct Served {
    items: usize,
    /// Requests from this one on (in order of arrival, from 0) wait.
    held_from: watch::Sender<u64>,
    /// Requests held back now.
    held: AtomicUsize,
    fetches: Mutex<HashMap<usize, usize>>,
    requests: AtomicU64,
}

impl Feeds {
    /// Serves feeds of `items` entries each.
    pub fn start(items: usize) -> Feeds {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new(Served {
            items,
            held_from: watch::Sender::new(u64::MAX),
            held: AtomicUsize::new(0),
            fetches: Mutex::default(),
            requests: AtomicU64::new(0),
        });
        let app = axum::Router::new()
            .route("/feed/{n}", axum::routing::get(feed))
            .with_state(served.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Feeds { base, served }
    }

    /// The URL of feed `n`.
    pub fn url(&self, n: usize) -> String {
        format!("{}/feed/{n}", self.base)
    }

    /// The `[[source]]` tables of feeds 0 to `count - 1`, named `feed-N`.
    pub fn sources(&self, count: usize) -> String {
        (0..count)
            .map(|n| {
                format!(
                    "\n[[source]]\nname = \"feed-{n}\"\nurl = \"{}\"\n",
                    self.url(n)
                )
            })
            .collect()
    }

    /// Holds back the answer to every request from now on, until
    /// [`Feeds::release`]; requests are counted when they arrive.
    pub fn hold(&self) {
        self.hold_after(0);
    }

    /// Answers `requests` more requests, then holds the answers back.
    pub fn hold_after(&self, requests: u64) {
        let from = self.served.requests.load(Ordering::SeqCst) + requests;
        self.served.held_from.send_replace(from);
    }

    pub fn release(&self) {
        self.served.held_from.send_replace(u64::MAX);
    }

    /// Requests held back now: one per daemon that is polling, once they
    /// all got there (a daemon fetches from one host one request at a
    /// time).
    pub fn held(&self) -> usize {
        self.served.held.load(Ordering::SeqCst)
    }

    /// Requests received so far, by feed number.
    pub fn fetches(&self) -> HashMap<usize, usize> {
        self.served.fetches.lock().unwrap().clone()
    }

    /// Requests received so far, all feeds together.
    pub fn total(&self) -> usize {
        self.fetches().values().sum()
    }
}

async fn feed(State(served): State<Arc<Served>>, Path(n): Path<usize>) -> impl IntoResponse {
    *served.fetches.lock().unwrap().entry(n).or_default() += 1;
    let request = served.requests.fetch_add(1, Ordering::SeqCst);
    if request >= *served.held_from.borrow() {
        let _held = Held::count(&served.held);
        let _ = served
            .held_from
            .subscribe()
            .wait_for(|from| request < *from)
            .await;
    }
    let mut body = format!("<rss version=\"2.0\"><channel><title>Feed {n}</title>");
    for item in 0..served.items {
        body.push_str(&format!(
            "<item><title>Post {request}-{item} of feed {n}</title>\
             <link>https://feed{n}.example/{request}/{item}</link>\
             <description>Words about post {item}.</description></item>"
        ));
    }
    body.push_str("</channel></rss>");
    ([(header::CONTENT_TYPE, "application/rss+xml")], body)
}

/// Counts a request while it is held back, also if it is dropped with its
/// connection.
struct Held<'a>(&'a AtomicUsize);

impl<'a> Held<'a> {
    fn count(counter: &'a AtomicUsize) -> Held<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        Held(counter)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
