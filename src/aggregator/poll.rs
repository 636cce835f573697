//! One poll of the sources: fetch, parse, schedule and store each one.
//!
//! At most `concurrency` requests are in flight, and at most one per host,
//! so that a blog with many feeds is not hammered. A source that fails is
//! recorded as failed and the others go on; only the store failing stops the
//! poll, since nothing could then be kept.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use super::fetch::{Content, FetchRequest, Fetched, Fetcher};
use super::parse::parse_new_entries;
use super::schedule::{self, PollHints};
use crate::config::{Config, Source};
use crate::store::{PollResult, PollStatus, SourceRecord, Store, StoreError, Validators};

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("no source is named {name:?} in feeds.toml")]
    UnknownSource { name: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How polling one source went, as shown to the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceReport {
    pub name: String,
    pub url: Url,
    pub status: PollStatus,
    /// Links this source had not listed before.
    pub new_items: usize,
    /// Where a permanent redirect moved it.
    pub moved_to: Option<Url>,
    pub error: Option<String>,
    /// From the request to the stored result.
    pub duration: Duration,
    pub next_poll_at: DateTime<Utc>,
}

/// Told about each source as soon as it is polled.
pub trait Progress: Send + Sync {
    /// Before the first request: how many sources will be polled.
    fn start(&self, sources: usize);
    fn polled(&self, report: &SourceReport);
}

/// What a poll did, for the summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollSummary {
    pub ok: usize,
    pub not_modified: usize,
    /// Failed and gone sources.
    pub failed: usize,
    pub moved: usize,
    pub new_items: usize,
    /// The failed and gone sources, by name, with their errors.
    pub failures: Vec<SourceReport>,
}

impl PollSummary {
    fn add(&mut self, report: SourceReport) {
        self.new_items += report.new_items;
        self.moved += usize::from(report.moved_to.is_some());
        match report.status {
            PollStatus::Fetched => self.ok += 1,
            PollStatus::NotModified => self.not_modified += 1,
            PollStatus::Failed | PollStatus::Gone => {
                self.failed += 1;
                self.failures.push(report);
            }
        }
    }
}

/// A source to poll: as stored, as configured, and its interval.
type Due = (SourceRecord, Source, Duration);

/// Polls every active source of `config` that is not gone, or only the
/// one named `only` (gone or not), once.
pub async fn poll<S: Store + Clone + 'static>(
    store: &S,
    fetcher: &Fetcher,
    config: &Config,
    only: Option<&str>,
    progress: Arc<dyn Progress>,
) -> Result<PollSummary, PollError> {
    let records = store
        .sources()
        .await?
        .into_iter()
        .filter(|record| match only {
            Some(name) => record.name == name,
            None => !record.gone,
        });
    let due = due_of(config, records);
    if let Some(name) = only.filter(|_| due.is_empty()) {
        return Err(PollError::UnknownSource { name: name.into() });
    }
    Ok(poll_due(store, fetcher, config, due, progress).await?)
}

/// Polls `sources` (as stored, e.g. claimed by the daemon's scheduler) once;
/// those no longer in `config` are left alone.
pub async fn poll_sources<S: Store + Clone + 'static>(
    store: &S,
    fetcher: &Fetcher,
    config: &Config,
    sources: Vec<SourceRecord>,
    progress: Arc<dyn Progress>,
) -> Result<PollSummary, StoreError> {
    poll_due(store, fetcher, config, due_of(config, sources), progress).await
}

/// The `records` still in `config`, each with its configuration and
/// interval; the others are left alone.
fn due_of(config: &Config, records: impl IntoIterator<Item = SourceRecord>) -> Vec<Due> {
    let configured: HashMap<&str, &Source> = config
        .sources
        .iter()
        .map(|source| (source.name.as_str(), source))
        .collect();
    records
        .into_iter()
        .filter_map(|record| {
            let source = *configured.get(record.name.as_str())?;
            let interval = config.interval_of(source);
            Some((record, source.clone(), interval))
        })
        .collect()
}

async fn poll_due<S: Store + Clone + 'static>(
    store: &S,
    fetcher: &Fetcher,
    config: &Config,
    due: Vec<Due>,
    progress: Arc<dyn Progress>,
) -> Result<PollSummary, StoreError> {
    progress.start(due.len());

    let mut by_host: HashMap<String, Vec<Due>> = HashMap::new();
    for due in due {
        let host = due.0.url.host_str().unwrap_or_default().to_string();
        by_host.entry(host).or_default().push(due);
    }
    let slots = Arc::new(Semaphore::new(config.aggregator.concurrency));
    // Parsing is CPU work: more parsers than cores would only starve the
    // store's writer thread of its turn, and it writes every result.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let parsers = Arc::new(Semaphore::new(cores));
    let mut hosts = JoinSet::new();
    for sources in by_host.into_values() {
        let (store, fetcher, slots, parsers, progress) = (
            store.clone(),
            fetcher.clone(),
            slots.clone(),
            parsers.clone(),
            progress.clone(),
        );
        // One task per host polls its sources one after the other.
        hosts.spawn(async move {
            let mut reports = Vec::with_capacity(sources.len());
            for (record, source, interval) in sources {
                let Ok(slot) = slots.acquire().await else {
                    break; // Never closed: no poll runs without its slots.
                };
                let started = Instant::now();
                let result =
                    poll_one(&fetcher, &store, &parsers, &record, source, interval).await?;
                // The slot bounds requests in flight, not store writes, which
                // queue for the database on their own.
                drop(slot);
                let recorded = store.record_poll(&result).await?;
                let report = SourceReport {
                    name: record.name,
                    url: record.url,
                    status: result.status,
                    new_items: recorded.new_items,
                    moved_to: result.moved_to,
                    error: result.error,
                    duration: started.elapsed(),
                    next_poll_at: result.next_poll_at,
                };
                progress.polled(&report);
                reports.push(report);
            }
            Ok::<_, StoreError>(reports)
        });
    }

    let mut summary = PollSummary::default();
    while let Some(joined) = hosts.join_next().await {
        // A task only ends without a result if it panicked: a bug, not input.
        let reports = joined.unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?;
        for report in reports {
            summary.add(report);
        }
    }
    summary.failures.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(summary)
}

/// How much nicer than the rest of the process parsing threads run.
const PARSE_NICENESS: i32 = 10;

/// Lowers this thread's CPU priority, once: parsing is the bulk of a poll's
/// CPU, and in the daemon the HTTP workers should answer feed readers
/// first. Linux keeps nice values per thread, and only root may raise one
/// again, so the blocking-pool thread stays nice for its later jobs, which
/// are background work too (rebuilds). Failure is harmless: same priority.
fn yield_to_serving() {
    thread_local!(static LOWERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    LOWERED.with(|lowered| {
        if !lowered.replace(true) {
            let _ = rustix::process::nice(PARSE_NICENESS);
        }
    });
}

/// Fetches and parses one source; every failure of the source becomes part
/// of the result, only the store's own is an error.
async fn poll_one(
    fetcher: &Fetcher,
    store: &impl Store,
    parsers: &Semaphore,
    record: &SourceRecord,
    source: Source,
    interval: Duration,
) -> Result<PollResult, StoreError> {
    let request = FetchRequest {
        url: record.url.clone(),
        etag: record.etag.clone(),
        last_modified: record.last_modified.clone(),
    };
    let fetched = fetcher.fetch(&request).await;
    let now = Utc::now();
    let mut result = PollResult {
        source_id: record.id,
        polled_at: now,
        status: PollStatus::Failed,
        error: None,
        validators: None,
        moved_to: None,
        items: Vec::new(),
        next_poll_at: now,
    };
    let hints = match fetched {
        Ok(Fetched {
            content,
            moved_to,
            etag,
            last_modified,
            hints,
        }) => {
            let validators = Some(Validators {
                etag,
                last_modified,
            });
            match content {
                Content::NotModified => {
                    result.status = PollStatus::NotModified;
                    result.validators = validators;
                    result.moved_to = moved_to;
                    hints
                }
                Content::Modified { body, final_url } => {
                    // Parsing and sanitising is CPU work: off the async
                    // workers, so that they keep driving requests and store
                    // transactions meanwhile.
                    // Entries stored before are skipped before their HTML is
                    // sanitised, the costly part; a first poll knows none.
                    let known = if record.items_seen == 0 {
                        HashSet::new()
                    } else {
                        store.known_links(record.id).await?
                    };
                    let parser = parsers.acquire().await;
                    let parsed = tokio::task::spawn_blocking(move || {
                        yield_to_serving();
                        let is_known = |_: &str, url: &Url| known.contains(url.as_str());
                        let parsed = parse_new_entries(&body, &final_url, &source, now, is_known);
                        (parsed, final_url)
                    })
                    .await;
                    drop(parser);
                    let (parsed, final_url) =
                        parsed.unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()));
                    match parsed {
                        Ok(parsed) => {
                            result.status = PollStatus::Fetched;
                            result.validators = validators;
                            result.moved_to = moved_to;
                            result.items = parsed.entries.into_iter().map(|e| e.item).collect();
                            hints.merge(parsed.hints)
                        }
                        // Neither the validators nor the new URL are kept:
                        // the next poll must fetch and parse it again.
                        Err(err) => {
                            result.error = Some(format!("{final_url}: {err}"));
                            PollHints::default()
                        }
                    }
                }
            }
        }
        Err(err) => {
            if err.is_gone() {
                result.status = PollStatus::Gone;
            }
            result.error = Some(err.to_string());
            err.hints()
        }
    };
    let errors = if result.status == PollStatus::Failed {
        record.consecutive_errors.saturating_add(1)
    } else {
        0
    };
    result.next_poll_at =
        schedule::next_poll(now, interval, &hints, errors, schedule::random_jitter());
    Ok(result)
}
