//! Crash safety through the daemon: `newsroom daemon` killed with SIGKILL
//! while it polls its sources, while an editor decides through the review
//! page, and while it rebuilds the site for a new issue file, all at once,
//! then started again. After each kill the SQLite database passes
//! `PRAGMA integrity_check`, every decision the page acknowledged (303) is
//! in the store, and the output folder is one complete build: the one
//! before the new issue or the one after, never a mix.
//!
//! The kills land at moments spread over the first second of each run by
//! the golden ratio sequence: every part of that second is hit, and a
//! failure replays.

mod daemon_support;
mod sqlite_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta, Utc};
use daemon_support::feeds::Feeds;
use daemon_support::{Daemon, candidate_ids, csrf_of, post_form};
use newsroom::config::Config;
use newsroom::generator::{self, BuildOptions};

const ITERATIONS: usize = 20;
const SOURCES: usize = 12;
/// Entries per issue: enough that a rebuild takes a while.
const ENTRIES: usize = 20;

struct Newsletter {
    dir: tempfile::TempDir,
    config: PathBuf,
    database: PathBuf,
}

impl Newsletter {
    fn new(feeds: &Feeds) -> Newsletter {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("issues")).unwrap();
        let database = dir.path().join("newsroom.db");
        let mut text = format!(
            "[newsletter]\ntitle = \"Weekly\"\nbase_url = \"https://weekly.example/\"\n\n\
             [aggregator]\ndatabase = \"{}\"\nconcurrency = 4\n",
            database.display()
        );
        text.push_str(&feeds.sources(SOURCES));
        let config = dir.path().join("feeds.toml");
        std::fs::write(&config, text).unwrap();
        Newsletter {
            dir,
            config,
            database,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Issue `number`, a week after the one before.
fn issue(number: usize) -> String {
    let date = NaiveDate::from_ymd_opt(2024, 1, 7).unwrap() + TimeDelta::weeks(number as i64);
    let mut text = format!(
        "---\ntitle: Issue {number}\ndate: {date}\nnumber: {number}\n---\n\n\
         The week in operations, part {number}.\n\n## News\n"
    );
    for entry in 0..ENTRIES {
        text.push_str(&format!(
            "\nEntry {entry} of issue {number}: a tool, a talk, a war story.\n\n\
             https://news.example/{number}/{entry}\n"
        ));
    }
    text
}

fn file_name(number: usize) -> String {
    format!("issue-{number}.md")
}

/// Every file below `dir`, by relative path.
fn files_below(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// What a complete build of issues 1 to `count` holds, built by the same
/// generator the daemon runs.
struct Builds {
    config: Config,
    issues: tempfile::TempDir,
    out: tempfile::TempDir,
    built: Vec<BTreeMap<PathBuf, Vec<u8>>>,
}

impl Builds {
    fn new(newsletter: &Newsletter) -> Builds {
        let mut builds = Builds {
            config: Config::load(&newsletter.config).unwrap(),
            issues: tempfile::tempdir().unwrap(),
            out: tempfile::tempdir().unwrap(),
            built: Vec::new(),
        };
        builds.build();
        builds
    }

    /// Adds the next issue and builds; returns its number.
    fn add(&mut self) -> usize {
        let number = self.built.len();
        std::fs::write(self.issues.path().join(file_name(number)), issue(number)).unwrap();
        self.build();
        number
    }

    fn build(&mut self) {
        let out = self.out.path().join(self.built.len().to_string());
        let options = BuildOptions {
            drafts: false,
            future: false,
            now: Utc::now().fixed_offset(),
        };
        generator::build(&self.config.newsletter, self.issues.path(), &out, &options).unwrap();
        self.built.push(files_below(&out));
    }

    /// Which complete build `output` is, if any.
    fn which(&self, output: &Path) -> Option<usize> {
        let files = files_below(output);
        self.built.iter().position(|built| *built == files)
    }
}

/// The editor: decides on every candidate the review page lists, as fast
/// as the page answers, until the daemon is gone; `done` gets each
/// decision acknowledged, as `(candidate, accepted)`.
async fn decide_until_killed(base: String, done: Arc<Mutex<Vec<(i64, bool)>>>) {
    let queue = format!("{base}/review");
    loop {
        let Ok(response) = daemon_support::client().get(&queue).send().await else {
            return;
        };
        let Ok(page) = response.text().await else {
            return;
        };
        let ids = candidate_ids(&page);
        if ids.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        let csrf = csrf_of(&page);
        for id in ids {
            let accept = id % 2 == 0;
            let text = id.to_string();
            let mut form = vec![("id", text.as_str()), ("csrf", csrf.as_str())];
            if accept {
                form.extend([
                    ("action", "accept"),
                    ("section", "News"),
                    ("blurb", "Read."),
                ]);
            } else {
                form.push(("action", "reject"));
            }
            match post_form(&format!("{queue}/decide"), &form).send().await {
                Ok(response) if response.status() == 303 => {
                    done.lock().unwrap().push((id, accept));
                }
                Ok(response) => panic!("decision on {id}: {}", response.status()),
                Err(_) => return,
            }
        }
    }
}

/// What a build left beside the output folder.
fn leftovers(newsletter: &Newsletter) -> Vec<String> {
    std::fs::read_dir(newsletter.dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public"))
        .collect()
}

/// Every decision acknowledged is in the store.
async fn check_decisions(newsletter: &Newsletter, acknowledged: &[(i64, bool)]) {
    let decided = sqlite_support::decided(&newsletter.database).await;
    for (id, accept) in acknowledged {
        assert!(
            !decided.pending.contains(id),
            "acknowledged decision on {id} lost"
        );
        assert_eq!(decided.accepted.contains(id), *accept, "candidate {id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_polling_deciding_and_rebuilding_loses_nothing() {
    let feeds = Feeds::start(5);
    let newsletter = Newsletter::new(&feeds);
    let mut builds = Builds::new(&newsletter);
    let decided = Arc::new(Mutex::new(Vec::<(i64, bool)>::new()));
    let output = newsletter.path("public");
    let mut outcomes = BTreeMap::<&str, usize>::new();

    for iteration in 0..ITERATIONS {
        let issues = builds.built.len() - 1;
        let mut daemon = Daemon::start(&newsletter.config);
        // Started: the site of the issues there are is built, and no
        // half-made or replaced copy of it is left beside it.
        assert_eq!(builds.which(&output), Some(issues), "{}", daemon.log());
        assert_eq!(leftovers(&newsletter), Vec::<String>::new());

        // Kill only once the editor is at work, so that every run has
        // decisions in flight.
        let before = decided.lock().unwrap().len();
        let editor = tokio::spawn(decide_until_killed(daemon.base.clone(), decided.clone()));
        let deadline = std::time::Instant::now() + daemon_support::PATIENCE;
        while decided.lock().unwrap().len() == before {
            assert!(std::time::Instant::now() < deadline, "no decision made");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let number = builds.add();
        let issue_file = newsletter.path("issues").join(file_name(number));
        std::fs::write(issue_file, issue(number)).unwrap();
        let moment = (iteration as f64 * 0.618_034).fract();
        tokio::time::sleep(Duration::from_secs_f64(moment)).await;
        daemon.kill();
        editor.await.unwrap();

        let outcome = match builds.which(&output) {
            Some(built) if built == issues => "old build",
            Some(built) if built == issues + 1 => "new build",
            other => panic!("the output is no complete build: {other:?}"),
        };
        *outcomes.entry(outcome).or_default() += 1;
        sqlite_support::integrity_check(&newsletter.database).await;
        let acknowledged = decided.lock().unwrap().clone();
        check_decisions(&newsletter, &acknowledged).await;
        sqlite_support::make_sources_due(&newsletter.database).await;
    }
    println!(
        "{ITERATIONS} kills: {outcomes:?}; {} decisions acknowledged, {} feeds fetched",
        decided.lock().unwrap().len(),
        feeds.total()
    );
}
