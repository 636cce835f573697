//! Three real `newsroom daemon` processes on one PostgreSQL database share
//! the polling of 1,000 sources served by the test: over one interval
//! every source is fetched exactly once, and the sources of a daemon
//! killed with SIGKILL in the middle of a round are polled by the others
//! once its leases run out, and not before. An editor's decisions made
//! through one daemon's review page are then seen through another's, and
//! a new issue file is built and served by each.
//!
//! Intervals (15 min at least) and leases (10 min) are far longer than a
//! test may take, so the test moves the clock instead of waiting for it:
//! it rewrites the stored times (`next_poll_at`, `claimed_until`) as if
//! that much time had passed, then wakes the daemons with SIGHUP, on which
//! a daemon reloads its config and looks again at what is due. The fixture
//! server holds its answers back when the test needs the daemons caught in
//! the middle of a poll.

mod daemon_support;
mod store_support;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use daemon_support::feeds::Feeds;
use daemon_support::{Daemon, PATIENCE, candidate_ids, csrf_of, eventually, page_at, post_form};
use reqwest::StatusCode;
use sqlx::{Connection, PgConnection};
use store_support::{Backend, Postgres};

const SOURCES: usize = 1000;
/// Sources a daemon claims at once.
const BATCH: usize = 10;

fn write_config(dir: &Path, database: &str, feeds: &Feeds) -> PathBuf {
    std::fs::create_dir(dir.join("issues")).unwrap();
    let mut text = format!(
        "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://weekly.example/\"\n\n\
         [aggregator]\ndatabase = \"{database}\"\ninterval = \"15m\"\nconcurrency = {BATCH}\n"
    );
    text.push_str(&feeds.sources(SOURCES));
    let config = dir.join("feeds.toml");
    std::fs::write(&config, text).unwrap();
    config
}

/// The three daemons, started together.
fn start_three(config: &Path) -> Vec<Daemon> {
    std::thread::scope(|scope| {
        let starting: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| Daemon::start(config)))
            .collect();
        starting.into_iter().map(|d| d.join().unwrap()).collect()
    })
}

/// Waits until `done` holds, at most [`PATIENCE`].
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done().await {
        assert!(Instant::now() < deadline, "waited too long for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sources whose `condition` holds.
async fn sources_where(db: &mut PgConnection, condition: &str) -> usize {
    let query = format!("SELECT count(*) FROM sources WHERE {condition}");
    let count: i64 = sqlx::query_scalar(&query).fetch_one(db).await.unwrap();
    usize::try_from(count).unwrap()
}

/// Sources polled (and recorded) at `since` or later.
async fn polled_since(db: &mut PgConnection, since: i64) -> usize {
    sources_where(db, &format!("last_polled_at >= {since}")).await
}

async fn claimed(db: &mut PgConnection) -> usize {
    sources_where(db, "claimed_by IS NOT NULL").await
}

/// The feed numbers of the sources leased to the daemon with `pid`.
async fn leased_to(db: &mut PgConnection, pid: u32) -> HashSet<usize> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sources WHERE claimed_by LIKE $1")
            .bind(format!("%:{pid}"))
            .fetch_all(db)
            .await
            .unwrap();
    names
        .iter()
        .map(|name| name.trim_start_matches("feed-").parse().unwrap())
        .collect()
}

/// Sources each daemon says it polled (one log line per poll).
fn polls_logged(daemons: &[Daemon]) -> Vec<usize> {
    daemons
        .iter()
        .map(|daemon| daemon.log().matches("\"message\":\"polled\"").count())
        .collect()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The start of the next second: stored times are whole seconds, so a
/// round started then is told apart from one that ended before.
async fn next_second() -> i64 {
    let next = now() + 1;
    while now() < next {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    next
}

/// Adds a source of two entries to `config` (the 1,000 others list none,
/// so that the rounds stay cheap), then accepts one of its candidates and
/// rejects the other through the first daemon's review page: the second
/// daemon's queue no longer lists them, and its draft holds the accepted
/// one.
async fn decisions_are_shared(daemons: &[Daemon], config: &Path) {
    let news = Feeds::start(2);
    let mut text = std::fs::read_to_string(config).unwrap();
    text.push_str(&format!(
        "\n[[source]]\nname = \"news\"\nurl = \"{}\"\n",
        news.url(0)
    ));
    // Renamed into place: a daemon watching the folder never reads half.
    let new = config.with_extension("new");
    std::fs::write(&new, text).unwrap();
    std::fs::rename(&new, config).unwrap();
    for daemon in daemons {
        daemon.signal("HUP");
    }
    let (editor, other) = (&daemons[0].base, &daemons[1].base);
    let queue = eventually(&format!("{other}/review"), "the news", |_, page| {
        candidate_ids(page).len() == 2
    })
    .await;
    let mut ids = candidate_ids(&queue);
    let page = page_at(format!("{editor}/review")).await;
    let mut listed = candidate_ids(&page);
    ids.sort_unstable();
    listed.sort_unstable();
    assert_eq!(listed, ids);

    let csrf = csrf_of(&page);
    let (accepted, rejected) = (ids[0].to_string(), ids[1].to_string());
    let accept = [
        ("csrf", csrf.as_str()),
        ("id", &accepted),
        ("action", "accept"),
        ("section", "News"),
    ];
    let reject = [
        ("csrf", csrf.as_str()),
        ("id", &rejected),
        ("action", "reject"),
    ];
    for form in [&accept[..], &reject[..]] {
        let decided = post_form(&format!("{editor}/review/decide"), form)
            .send()
            .await
            .unwrap();
        assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    }

    // Committed before the editor's page answered: no need to wait.
    let queue = page_at(format!("{other}/review")).await;
    assert_eq!(candidate_ids(&queue), Vec::<i64>::new(), "{queue}");
    let draft = page_at(format!("{other}/review/draft")).await;
    assert!(draft.contains(&format!("id=\"e{accepted}\"")), "{draft}");
    assert!(!draft.contains(&format!("id=\"e{rejected}\"")), "{draft}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_daemons_share_the_polling_and_take_over_a_killed_ones_sources() {
    let Some(database) = Postgres::new().await else {
        return;
    };
    let feeds = Feeds::start(0);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &database.database(), &feeds);
    let mut db = PgConnection::connect(&database.database()).await.unwrap();

    // Round one. Held answers keep the first daemon up from polling
    // everything before the others start: each gets a batch.
    feeds.hold();
    let mut daemons = start_three(&config);
    until("a fetch from each daemon", async || feeds.held() == 3).await;
    feeds.release();
    until("round one", async || {
        polled_since(&mut db, 0).await == SOURCES && claimed(&mut db).await == 0
    })
    .await;
    let fetched = feeds.fetches();
    assert_eq!(fetched.len(), SOURCES);
    let twice: Vec<_> = fetched.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "fetched more than once: {twice:?}");
    until("a log line per poll", async || {
        polls_logged(&daemons).iter().sum::<usize>() == SOURCES
    })
    .await;
    let shares = polls_logged(&daemons);
    println!("round one, sources polled by each daemon: {shares:?}");
    assert!(shares.iter().all(|&n| n >= 1), "{shares:?}");

    // Round two, an interval later: after 300 more fetches the answers
    // are held again, so that each daemon is in the middle of a batch.
    feeds.hold_after(300);
    let round_two = next_second().await;
    sqlx::query("UPDATE sources SET next_poll_at = $1")
        .bind(round_two)
        .execute(&mut db)
        .await
        .unwrap();
    for daemon in &daemons {
        daemon.signal("HUP");
    }
    until("each daemon caught mid-batch", async || feeds.held() == 3).await;
    let mut victim = daemons.pop().unwrap();
    let orphans = leased_to(&mut db, victim.pid()).await;
    assert!(!orphans.is_empty(), "the victim holds no lease");
    victim.kill();
    let at_kill = feeds.fetches();
    feeds.release();

    // The survivors poll everything else and leave the orphans alone.
    until("the survivors' share of round two", async || {
        polled_since(&mut db, round_two).await == SOURCES - orphans.len()
            && claimed(&mut db).await == orphans.len()
    })
    .await;
    assert_eq!(leased_to(&mut db, victim.pid()).await, orphans);
    let fetched = feeds.fetches();
    for (n, count) in &fetched {
        if orphans.contains(n) {
            let before = at_kill.get(n).copied().unwrap_or(0);
            assert_eq!(*count, before, "feed {n} polled under a lease");
        } else {
            assert_eq!(*count, 2, "feed {n} in round two");
        }
    }

    // The leases run out: the survivors take the orphans, once each.
    sqlx::query("UPDATE sources SET claimed_until = $1 WHERE claimed_by LIKE $2")
        .bind(now() - 1)
        .bind(format!("%:{}", victim.pid()))
        .execute(&mut db)
        .await
        .unwrap();
    for daemon in &daemons {
        daemon.signal("HUP");
    }
    until("the orphans polled", async || {
        polled_since(&mut db, round_two).await == SOURCES && claimed(&mut db).await == 0
    })
    .await;
    let taken_over: HashMap<_, _> = feeds
        .fetches()
        .into_iter()
        .filter(|(n, _)| orphans.contains(n))
        .collect();
    for (n, count) in &taken_over {
        let before = at_kill.get(n).copied().unwrap_or(0);
        assert_eq!(*count, before + 1, "feed {n} after the lease");
    }
    assert_eq!(taken_over.len(), orphans.len());
    println!(
        "round two: {} sources leased to the killed daemon, taken over",
        orphans.len()
    );

    decisions_are_shared(&daemons, &config).await;

    // A new issue: one daemon rebuilds, and each serves the new build.
    let issue =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generator/issues/issue-344.md");
    std::fs::copy(issue, dir.path().join("issues/issue-344.md")).unwrap();
    for daemon in &daemons {
        let page = format!("{}/issues/344/", daemon.base);
        eventually(&page, "the new issue", |status, _| status == StatusCode::OK).await;
    }

    for daemon in &mut daemons {
        let status = daemon.terminate();
        assert!(status.success(), "{status}: {}", daemon.log());
    }
    db.close().await.unwrap();
}
