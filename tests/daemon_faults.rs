//! Faults under a running daemon: its SQLite database made read-only, and
//! the disk that holds it full. While a fault lasts the daemon says what is
//! wrong, in its log and on `/healthz`, and goes on serving the feeds; once
//! the fault is fixed it polls again and `/healthz` is green.
//!
//! Root ignores file modes, so "read-only" is the immutable attribute
//! (`chattr +i`), which also stops writes through the descriptors the
//! daemon already holds; the full disk is a small tmpfs the test mounts.
//! Both need root's capabilities: without them the tests skip and say so,
//! unless `NEWSROOM_TEST_REQUIRE_ALL=1`.

mod daemon_support;
mod sqlite_support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use daemon_support::feeds::Feeds;
use daemon_support::{Daemon, client, eventually, text};
use reqwest::StatusCode;

const SOURCES: usize = 3;

/// Something that goes wrong with the database's disk, and is fixed.
trait Fault {
    fn apply(&self);
    fn fix(&self);
}

/// The database files made immutable; made writable again when dropped.
struct ReadOnly {
    files: Vec<PathBuf>,
}

impl Fault for ReadOnly {
    fn apply(&self) {
        for file in &self.files {
            assert!(chattr("+i", file), "chattr +i {}", file.display());
        }
    }

    fn fix(&self) {
        for file in &self.files {
            chattr("-i", file);
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        // Else the temporary folder could not be removed.
        self.fix();
    }
}

fn chattr(change: &str, file: &Path) -> bool {
    Command::new("chattr")
        .arg(change)
        .arg(file)
        .output()
        .is_ok_and(|output| output.status.success())
}

/// A small tmpfs, filled up to the last byte by `apply`; unmounted when
/// dropped.
struct FullDisk {
    mount: PathBuf,
}

impl FullDisk {
    fn filler(&self) -> PathBuf {
        self.mount.join("filler")
    }
}

impl Fault for FullDisk {
    fn apply(&self) {
        let mut filler = std::fs::File::create(self.filler()).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        // Then byte by byte, up to the last one.
        while filler.write_all(&chunk).is_ok() {}
        while filler.write_all(&chunk[..1]).is_ok() {}
    }

    fn fix(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("--lazy")
            .arg(&self.mount)
            .status();
    }
}

/// False, after saying why, when the test cannot make its fault here.
fn can_make(fault: &str, made: bool) -> bool {
    if !made {
        assert!(
            std::env::var("NEWSROOM_TEST_REQUIRE_ALL").as_deref() != Ok("1"),
            "cannot make {fault} (not root?) and NEWSROOM_TEST_REQUIRE_ALL=1"
        );
        println!("skipped: cannot make {fault} here (not root?)");
    }
    made
}

fn write_config(dir: &Path, database: &Path, feeds: &Feeds) -> PathBuf {
    std::fs::create_dir(dir.join("issues")).unwrap();
    let mut text = format!(
        "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://weekly.example/\"\n\n\
         [aggregator]\ndatabase = \"{}\"\n",
        database.display()
    );
    text.push_str(&feeds.sources(SOURCES));
    let config = dir.join("feeds.toml");
    std::fs::write(&config, text).unwrap();
    config
}

async fn until_polled(database: &Path, since: i64) {
    let deadline = std::time::Instant::now() + daemon_support::PATIENCE;
    while sqlite_support::polled_since(database, since).await < SOURCES {
        assert!(std::time::Instant::now() < deadline, "sources not polled");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The daemon serves through `fault`, says what it is (`symptom`), and
/// polls again once it is fixed.
async fn serves_through(config: &Path, database: &Path, fault: &impl Fault, symptom: &str) {
    let daemon = Daemon::start(config);
    until_polled(database, 0).await;
    let health = format!("{}/healthz", daemon.base);
    eventually(&health, "healthy", |status, _| status == StatusCode::OK).await;
    let feed = text(client().get(format!("{}/feed.xml", daemon.base))).await;

    sqlite_support::make_sources_due(database).await;
    fault.apply();
    // Wakes the scheduler, which finds the sources due.
    daemon.signal("HUP");
    let unhealthy = eventually(&health, "an unhealthy store", |status, _| {
        status == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    assert!(unhealthy.contains(symptom), "{unhealthy}\n{}", daemon.log());
    let log = daemon.log();
    assert!(
        log.lines()
            .any(|line| line.contains("\"level\":\"ERROR\"") && line.contains(symptom)),
        "{log}"
    );
    let served = client()
        .get(format!("{}/feed.xml", daemon.base))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.text().await.unwrap(), feed);

    let fixed = chrono::Utc::now().timestamp();
    fault.fix();
    eventually(&health, "healthy again", |status, _| {
        status == StatusCode::OK
    })
    .await;
    until_polled(database, fixed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_is_reported_and_survived() {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    let made = chattr("+i", &probe);
    chattr("-i", &probe);
    if !can_make("an immutable file", made) {
        return;
    }
    let feeds = Feeds::start(2);
    let database = dir.path().join("newsroom.db");
    let config = write_config(dir.path(), &database, &feeds);
    let fault = ReadOnly {
        files: ["newsroom.db", "newsroom.db-wal"]
            .iter()
            .map(|name| dir.path().join(name))
            .collect(),
    };
    serves_through(&config, &database, &fault, "disk I/O error").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_reported_and_survived() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("disk");
    std::fs::create_dir(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&mount)
        .output()
        .is_ok_and(|output| output.status.success());
    if !can_make("a small tmpfs", mounted) {
        return;
    }
    let fault = FullDisk { mount };
    let feeds = Feeds::start(2);
    let database = fault.mount.join("newsroom.db");
    let config = write_config(dir.path(), &database, &feeds);
    serves_through(&config, &database, &fault, "database or disk is full").await;
}
