//! What the end-to-end tests of the daemon share: the real `newsroom
//! daemon` started on 127.0.0.1:0 ([`Daemon`]), the requests they make of
//! it, and source feeds served by the test itself ([`feeds`]).

#![allow(dead_code)] // Each test binary uses part of it.

pub mod feeds;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

/// Generous: the machine running the tests may be loaded.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running `newsroom daemon`, killed when dropped.
pub struct Daemon {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: PathBuf,
}

impl Daemon {
    /// Starts the daemon with `config` on 127.0.0.1:0 and waits until it
    /// says where it listens (it has then built the site once). Its log
    /// (`info` and up, JSON lines) goes to a file beside `config`.
    pub fn start(config: &Path) -> Daemon {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let log = config.with_file_name(format!(
            "daemon-{}.log",
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .arg("--config")
            .arg(config)
            .args(["daemon", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("a log file"))
            .spawn()
            .expect("start the daemon");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("the daemon's first line");
        let Some(base) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("unexpected first line {line:?} from the daemon; its log:\n{log}");
        };
        Daemon {
            base: base.to_string(),
            child,
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends `signal` (`"HUP"`, `"STOP"`...) without waiting.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} {}", self.pid());
    }

    /// SIGKILL, and waits for the end.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the daemon");
        self.child.wait().expect("reap the daemon");
    }

    /// SIGTERM, and waits at most 10 s for the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("the daemon's status") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running 10 s after SIGTERM; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that shows what is on the wire: no redirects followed, nothing
/// decompressed.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The body of the answer to `request`.
pub async fn text(request: reqwest::RequestBuilder) -> String {
    request.send().await.unwrap().text().await.unwrap()
}

/// The body of a GET of `url`.
pub async fn page_at(url: impl reqwest::IntoUrl) -> String {
    text(client().get(url)).await
}

/// The status of a GET of `path` sent as is: HTTP clients resolve `..`
/// before sending, this does not.
pub async fn raw_status(base: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response[9..12].parse().unwrap()
}

/// Asks for `url` until `done` holds for the answer, at most [`PATIENCE`];
/// returns the body that satisfied it.
pub async fn eventually(url: &str, what: &str, done: impl Fn(StatusCode, &str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let response = client().get(url).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        if done(status, &body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{what}: still {status} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A POST of `pairs` as an HTML form would send them.
pub fn post_form(url: &str, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

/// The review page's CSRF token, from one of its forms.
pub fn csrf_of(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[start..].split('"').next().unwrap().to_string()
}

/// The ids of the candidates the review page lists, in its order.
pub fn candidate_ids(page: &str) -> Vec<i64> {
    page.split("id=\"c")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}
