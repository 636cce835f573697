//! End to end in headless Chromium: the keyboard accepts, rejects and
//! snoozes, the state survives a reload, and the draft written from the
//! page reads back with the edited blurb.
//!
//! WebDriver is plain JSON over HTTP, so the few commands needed are spoken
//! through reqwest (already a dependency) rather than a WebDriver crate.
//! Skips when chromium or chromedriver is missing, unless
//! `NEWSROOM_TEST_REQUIRE_ALL=1`. With `NEWSROOM_REVIEW_SCREENSHOT=PATH` it
//! also saves a screenshot of the queue (how `docs/review.png` was made).

mod daemon_support;
mod review_support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use daemon_support::{Daemon, text};
use review_support::{ACCEPTED, REJECTED, SCRIPTED, SNOOZED};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const BLURB: &str = "Edited blurb: upgrade Postgres with no downtime at all.";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Ends chromedriver when the test ends, passed or not.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let text = text(request).await;
        let reply: Value = serde_json::from_str(&text).unwrap();
        assert!(reply["value"].get("error").is_none(), "{path}: {text}");
        reply["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn open(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    async fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
            .await
    }

    async fn text(&self) -> String {
        self.script("return document.body.innerText;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Types `keys` to whatever has the focus, as a person would.
    async fn keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                let key = key.to_string();
                [
                    json!({ "type": "keyDown", "value": key }),
                    json!({ "type": "keyUp", "value": key }),
                ]
            })
            .collect();
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .await;
    }

    async fn wait_for_text(&self, wanted: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.text().await.contains(wanted) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {wanted:?} in {}",
                self.text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn titles(&self) -> Vec<String> {
        let titles = self
            .script("return Array.from(document.querySelectorAll('li.candidate h2')).map(e => e.textContent);")
            .await;
        serde_json::from_value(titles).unwrap()
    }

    /// Moves the highlight to `title` with `j`.
    async fn go_to(&self, title: &str) {
        let titles = self.titles().await;
        let at = titles.iter().position(|t| t == title).expect("listed");
        self.keys(&"j".repeat(at)).await;
    }
}

#[tokio::test]
async fn editors_review_with_the_keyboard_and_write_the_draft() {
    let (Some(chromium), Some(chromedriver)) = (
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
        find_program(&["chromedriver"]),
    ) else {
        assert!(
            std::env::var("NEWSROOM_TEST_REQUIRE_ALL").as_deref() != Ok("1"),
            "chromium/chromedriver not installed and NEWSROOM_TEST_REQUIRE_ALL=1"
        );
        println!("skipped: chromium/chromedriver not installed");
        return;
    };
    let (site, store, _issues) = review_support::site().await;
    // The page as editors get it: mounted by the real daemon, which opens
    // the database itself.
    store.close().await;
    // site() writes feeds.toml beside the issues folder.
    let daemon = Daemon::start(
        &site
            .config
            .newsletter
            .issues_dir
            .with_file_name("feeds.toml"),
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let http = reqwest::Client::new();
    let driver = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{driver}/status")).send().await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let capabilities = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1000,760",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    }}});
    let reply = text(
        http.post(format!("{driver}/session"))
            .header("content-type", "application/json")
            .body(capabilities.to_string()),
    )
    .await;
    let reply: Value = serde_json::from_str(&reply).unwrap();
    let id = reply["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {reply}"))
        .to_string();
    let session = Session {
        http: http.clone(),
        base: format!("{driver}/session/{id}"),
    };
    let queue = format!("{}/review", daemon.base);

    session.open(&queue).await;
    assert_eq!(session.titles().await.len(), 4);
    assert!(session.titles().await.contains(&SCRIPTED.to_string()));
    if let Some(path) = std::env::var_os("NEWSROOM_REVIEW_SCREENSHOT") {
        let png = session
            .call(reqwest::Method::GET, "/screenshot", None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }

    // Accept into "News" with an edited blurb: `a` selects the blurb,
    // typing replaces it, Tab selects the section, Enter saves.
    session.go_to(ACCEPTED).await;
    session.keys("a").await;
    session.keys(BLURB).await;
    session.keys(&format!("{TAB}News{ENTER}")).await;
    session.wait_for_text("Saved: accepted").await;

    session.go_to(REJECTED).await;
    session.keys("r").await;
    session.wait_for_text("Saved: rejected").await;

    session.go_to(SNOOZED).await;
    session.keys("s").await;
    session.wait_for_text("Saved: snoozed").await;

    // `?` shows the keys.
    session.keys("?").await;
    session.wait_for_text("undo the last decision").await;

    session.open(&queue).await;
    assert_eq!(session.titles().await, vec![SCRIPTED.to_string()]);

    session.open(&format!("{queue}/draft")).await;
    session.wait_for_text(BLURB).await;
    session.wait_for_text("News").await;
    let button = session
        .post(
            "/element",
            json!({ "using": "css selector", "value": "#write" }),
        )
        .await;
    let button = button[ELEMENT]
        .as_str()
        .unwrap_or_else(|| panic!("no button: {button}"))
        .to_string();
    session
        .post(&format!("/element/{button}/click"), json!({}))
        .await;
    session.wait_for_text("Wrote").await;
    session.call(reqwest::Method::DELETE, "", None).await;

    let written: Vec<PathBuf> = std::fs::read_dir(&site.config.newsletter.issues_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| !path.ends_with("2026-11-21-41.md"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let issue = newsroom::issue::parse(&written[0], &std::fs::read(&written[0]).unwrap())
        .expect("the draft parses");
    assert_eq!(issue.number, 42);
    assert!(issue.draft);
    let (section, entry) = issue
        .entries()
        .find(|(_, entry)| {
            entry
                .links
                .iter()
                .any(|link| link.url.as_str() == "https://ops.example/postgres")
        })
        .expect("the accepted entry is in the draft");
    assert_eq!(section.name, "News");
    assert_eq!(entry.blurb, BLURB);
}
