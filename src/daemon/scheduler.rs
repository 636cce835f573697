//! Polls each source when it is due: sleeps until the earliest
//! `next_poll_at`, claims the due sources in the store (so that daemons
//! sharing a database split them), polls them with [`poll::poll_sources`]
//! and records the results; wakes early when the configuration changes.
//! The per-source gauges of `/metrics` are read back from the store on a
//! clock of their own ([`GAUGES_EVERY`]), not after every round.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::watch;

use super::Health;
use super::http::AppState;
use crate::aggregator::fetch::Fetcher;
use crate::aggregator::poll::{self, Progress, SourceReport};
use crate::config::Config;
use crate::store::{Store, StoreError};

/// How long a claimed source stays ours: longer than any poll (fetch
/// timeouts are far shorter), short enough that another daemon takes over
/// soon after this one dies.
const LEASE: Duration = Duration::from_secs(10 * 60);
/// Polls in flight at shutdown get this long to finish.
pub const GRACE: Duration = Duration::from_secs(8);
/// Never sleep longer, so that a source added behind our back (another
/// process syncing feeds.toml) waits at most this.
const IDLE: Duration = Duration::from_secs(5 * 60);
/// After a store error, or when a due source cannot be claimed yet.
const RETRY: Duration = Duration::from_secs(5);
/// While rounds follow one another, the gauges read back from the store
/// are refreshed at most this often. Reading them back means every source
/// and every candidate, and a round polls only `concurrency` sources: after
/// each round, that reading cost more than the polling itself, on the
/// workers that serve the feeds. They are refreshed too whenever the
/// rounds pause.
const GAUGES_EVERY: Duration = Duration::from_secs(10);

pub struct Scheduler<S> {
    pub store: S,
    pub fetcher: Fetcher,
    /// Who holds the leases this daemon takes (host and process).
    pub owner: String,
    pub state: Arc<AppState>,
    pub health: Arc<Health>,
}

impl<S: Store + Clone + 'static> Scheduler<S> {
    /// Runs until `stop` turns true; polls in flight then get [`GRACE`].
    pub async fn run(
        self,
        mut config: watch::Receiver<Arc<Config>>,
        mut stop: watch::Receiver<bool>,
    ) {
        let progress: Arc<dyn Progress> = Arc::new(PollLog(self.state.clone()));
        let mut gauges = Gauges::default();
        while !*stop.borrow() {
            let current = config.borrow_and_update().clone();
            let mut round = self.round(&current, progress.clone(), &mut stop).await;
            if let Ok(Round::Polled | Round::Idle(_)) = round {
                let polled = matches!(round, Ok(Round::Polled));
                if gauges.due(polled) {
                    let refreshed = self.refresh_gauges().await;
                    if refreshed.is_ok() {
                        gauges.refreshed();
                    }
                    round = refreshed.and(round);
                }
            }
            let wait = match round {
                Ok(Round::Polled) => continue,
                Ok(Round::Stopped) => break,
                Ok(Round::Idle(wait)) => {
                    self.health.set_store(Ok(()));
                    wait
                }
                Err(err) => {
                    tracing::error!(error = %err, "the store failed; polling paused");
                    self.health.set_store(Err(err.to_string()));
                    RETRY
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = config.changed() => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn round(
        &self,
        config: &Config,
        progress: Arc<dyn Progress>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Round, StoreError> {
        let claimed = self
            .store
            .claim_due_sources(
                &self.owner,
                Utc::now(),
                LEASE,
                config.aggregator.concurrency,
            )
            .await?;
        if claimed.is_empty() {
            let wait = match self.store.next_due_at().await? {
                // At least a second: what is due but unclaimed is leased
                // elsewhere, and times are kept to the second.
                Some(at) => (at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .max(Duration::from_secs(1)),
                None => IDLE,
            };
            return Ok(Round::Idle(wait.min(IDLE)));
        }
        let polling = poll::poll_sources(&self.store, &self.fetcher, config, claimed, progress);
        tokio::pin!(polling);
        let summary = tokio::select! {
            summary = &mut polling => summary?,
            _ = stop.changed() => match tokio::time::timeout(GRACE, &mut polling).await {
                Ok(summary) => summary?,
                Err(_) => {
                    // Dropping the poll aborts its tasks; their leases run out.
                    tracing::warn!("polls still in flight at shutdown were cancelled");
                    return Ok(Round::Stopped);
                }
            },
        };
        tracing::debug!(
            new_items = summary.new_items,
            failed = summary.failed,
            "poll round done"
        );
        Ok(Round::Polled)
    }

    /// The per-source gauges and the review queue, as the store has them now.
    async fn refresh_gauges(&self) -> Result<(), StoreError> {
        for source in self.store.sources().await?.iter().filter(|s| s.is_active()) {
            self.state.metrics.source(source);
        }
        let pending = self.store.count_candidates(Utc::now()).await?;
        self.state.metrics.candidates_pending(pending);
        Ok(())
    }
}

enum Round {
    Polled,
    Idle(Duration),
    Stopped,
}

/// When the gauges read back from the store are due again.
struct Gauges {
    refreshed: Option<Instant>,
    /// A round polled something since.
    stale: bool,
}

impl Default for Gauges {
    /// Due at once: they show what earlier runs stored.
    fn default() -> Self {
        Gauges {
            refreshed: None,
            stale: true,
        }
    }
}

impl Gauges {
    /// After a round that `polled` sources, or found none due: due when
    /// something was polled since the last refresh, and either the rounds
    /// pause or [`GAUGES_EVERY`] has passed.
    fn due(&mut self, polled: bool) -> bool {
        self.stale |= polled;
        self.stale && (!polled || self.refreshed.is_none_or(|at| at.elapsed() >= GAUGES_EVERY))
    }

    fn refreshed(&mut self) {
        self.refreshed = Some(Instant::now());
        self.stale = false;
    }
}

/// One log line and one histogram sample per polled source.
struct PollLog(Arc<AppState>);

impl Progress for PollLog {
    fn start(&self, sources: usize) {
        tracing::debug!(sources, "polling due sources");
    }

    fn polled(&self, report: &SourceReport) {
        self.0.metrics.polled(report.duration);
        tracing::info!(
            source = %report.name,
            status = report.status.as_str(),
            duration_ms = u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
            new_items = report.new_items,
            next_poll = %report.next_poll_at.to_rfc3339(),
            error = report.error.as_deref(),
            moved_to = report.moved_to.as_ref().map(url::Url::as_str),
            "polled"
        );
    }
}
