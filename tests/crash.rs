//! Crash safety: `newsroom poll` and `newsroom review` killed with SIGKILL
//! at random moments. After each kill the SQLite database passes
//! `PRAGMA integrity_check`, the next command works, and every decision
//! that a `review` acknowledged (exit 0) before a kill is still there.
//!
//! The feeds come from servers on 127.0.0.1 to 127.0.0.4, each answer a
//! little late and with new links, so that kills land while requests are in
//! flight and while results are being written.

mod sqlite_support;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use newsroom::store::{self, Store};

/// A small deterministic generator, so that a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

/// Serves, on 127.0.0.`n`, a 20-entry feed whose links change with every
/// request, after 0 to 30 ms.
fn serve(n: u8, served: Arc<AtomicU64>) -> String {
    let listener = TcpListener::bind(("127.0.0.".to_string() + &n.to_string(), 0)).unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let served = served.clone();
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&chunk[..read]),
                    }
                }
                let count = served.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(count % 31));
                let mut body = String::from("<rss version=\"2.0\"><channel><title>C</title>");
                for item in 0..20 {
                    body.push_str(&format!(
                        "<item><title>Post {count}-{item}</title><link>https://crash{n}.example/{count}/{item}</link>\
                         <description>Words about post {item}.</description></item>"
                    ));
                }
                body.push_str("</channel></rss>");
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{address}")
}

fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let served = Arc::new(AtomicU64::new(0));
    std::fs::create_dir(dir.join("issues")).unwrap();
    let database = dir.join("newsroom.db");
    let mut text = format!(
        "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\nissues_dir = \"issues\"\n\
         [aggregator]\ndatabase = {:?}\nconcurrency = 4\n",
        database.to_string_lossy()
    );
    for n in 1..=4 {
        let server = serve(n, served.clone());
        for feed in 0..4 {
            text.push_str(&format!(
                "[[source]]\nname = \"S{n}-{feed}\"\nurl = \"{server}/{feed}.xml\"\n"
            ));
        }
    }
    let config = dir.join("feeds.toml");
    std::fs::write(&config, text).unwrap();
    (config, database)
}

fn newsroom(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Runs the command to its end; true if it exited 0.
fn run(config: &Path, args: &[&str]) -> bool {
    let output = newsroom(config, args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    output.status.success()
}

/// Starts the command and kills it after `after`; true if it had already
/// exited 0 by then (then its work was acknowledged).
fn kill_after(config: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = newsroom(config, args).spawn().unwrap();
    std::thread::sleep(after);
    if let Some(status) = child.try_wait().unwrap() {
        return status.success();
    }
    child.kill().unwrap(); // SIGKILL on Unix.
    child.wait().unwrap();
    false
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn integrity_check(database: &Path) {
    runtime().block_on(sqlite_support::integrity_check(database));
}

#[test]
fn sigkill_during_poll_and_review_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (config, database) = setup(dir.path());
    let mut random = XorShift(0x5EED_CAFE_F00D_0001);

    // Polls killed at random moments, each followed by a check.
    assert!(run(&config, &["poll"]), "the first poll");
    for _ in 0..12 {
        let after = Duration::from_millis(20 + random.below(400));
        kill_after(&config, &["poll"], after);
        integrity_check(&database);
    }
    assert!(run(&config, &["poll"]), "a poll after the kills");
    integrity_check(&database);

    let ids: Vec<i64> = runtime().block_on(async {
        let store = store::open(&database.to_string_lossy()).await.unwrap();
        let now = chrono::Utc::now();
        store
            .candidates(now, None)
            .await
            .unwrap()
            .iter()
            .map(|candidate| candidate.id)
            .collect()
    });
    assert!(ids.len() >= 40, "{} candidates", ids.len());

    // Decisions, one per candidate, some of them killed.
    let (mut accepted, mut rejected) = (HashSet::new(), HashSet::new());
    let mut kills = 0;
    for (n, id) in ids.iter().take(40).enumerate() {
        let text = id.to_string();
        let accept = n % 2 == 0;
        let args: Vec<&str> = if accept {
            vec![
                "review",
                "accept",
                &text,
                "--section",
                "News",
                "--blurb",
                "A blurb.",
            ]
        } else {
            vec!["review", "reject", &text]
        };
        let done = if n % 3 == 0 {
            kills += 1;
            let after = Duration::from_millis(random.below(60));
            let done = kill_after(&config, &args, after);
            integrity_check(&database);
            done
        } else {
            run(&config, &args)
        };
        if done {
            if accept {
                accepted.insert(*id);
            } else {
                rejected.insert(*id);
            }
        }
        // Now and then a poll killed in the middle of the decisions.
        if n % 8 == 7 {
            kill_after(
                &config,
                &["poll"],
                Duration::from_millis(20 + random.below(200)),
            );
            integrity_check(&database);
        }
    }
    assert!(kills >= 10);
    assert!(accepted.len() + rejected.len() >= 26);

    integrity_check(&database);
    let decided = runtime().block_on(sqlite_support::decided(&database));
    for id in &accepted {
        assert!(
            decided.accepted.contains(id),
            "acknowledged accept of {id} lost"
        );
        assert!(
            !decided.pending.contains(id),
            "{id} accepted and still pending"
        );
    }
    for id in &rejected {
        assert!(!decided.accepted.contains(id), "{id} rejected and accepted");
        assert!(
            !decided.pending.contains(id),
            "acknowledged reject of {id} lost"
        );
    }
    assert!(run(&config, &["poll"]), "a poll after everything");
}

/// A read-only database file stops `poll` and `review` with an error that
/// names the store, not a panic. Root ignores file modes, so the commands
/// run without CAP_DAC_OVERRIDE (through `setpriv`) when the test is root.
#[test]
fn a_read_only_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (config, database) = setup(dir.path());
    assert!(run(&config, &["poll"]), "the first poll");
    let mut permissions = std::fs::metadata(&database).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&database, permissions).unwrap();
    let dropped = |args: &[&str]| {
        let mut command = Command::new("setpriv");
        command
            .args(["--inh-caps=-all", "--bounding-set=-all", "--"])
            .arg(env!("CARGO_BIN_EXE_newsroom"))
            .arg("--config")
            .arg(&config)
            .args(args);
        command.output()
    };
    match dropped(&["--version"]) {
        Ok(probe) if probe.status.success() => {}
        probe => {
            eprintln!("skipped: setpriv cannot drop capabilities here: {probe:?}");
            return;
        }
    }
    for args in [&["poll"][..], &["review", "reject", "1"][..]] {
        let output = dropped(args).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains("read"), "{args:?}: {stderr}");
    }
    integrity_check(&database);
}
