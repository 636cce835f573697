//! The long-running service: polls the sources when they are due
//! ([`scheduler`]), rebuilds the site when an issue file or the config
//! changes ([`watcher`], [`rebuild`]), and serves the site, `/healthz` and
//! `/metrics` ([`http`]) until SIGTERM or SIGINT ([`signals`]).

pub mod http;
pub mod metrics;
pub mod rebuild;
pub mod scheduler;
pub mod signals;
pub mod site;
pub mod watcher;

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::{mpsc, watch};

use crate::aggregator::fetch::{ClientError, FetchOptions, Fetcher};
use crate::aggregator::setup::{self, SetupError};
use crate::config::{Config, ConfigError};
use crate::review::{self, ReviewState};
use crate::store::{AnyStore, SourceSpec, Store};
use http::AppState;
use metrics::Metrics;
use scheduler::Scheduler;
use signals::{Received, Signals};
use site::{Site, SiteError};
use watcher::{Change, WatchError};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Site(#[from] SiteError),
    #[error("cannot create the HTTP client: {0}")]
    Client(#[from] ClientError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
    #[error("cannot handle signals: {0}")]
    Signals(std::io::Error),
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
    #[error("cannot set up the review page: {0}")]
    Review(#[from] crate::review::auth::RandomError),
}

/// Runs the daemon with the config at `config_path`, listening on `listen`
/// (else `[daemon] listen`), until SIGTERM or SIGINT.
pub async fn run(config_path: &Path, listen: Option<&str>) -> Result<(), DaemonError> {
    let mut signals = Signals::install().map_err(DaemonError::Signals)?;
    let config = Config::load(config_path)?;
    let opened = setup::open_store(&config, Utc::now()).await?;
    for err in &opened.issue_errors {
        tracing::warn!(error = %err, "issue file not indexed");
    }
    let store = opened.store;
    let issues = opened.issues;
    let state = Arc::new(AppState::new(
        Site::load(&config.newsletter.output_dir)?,
        config.daemon.cache_max_age.0,
        Metrics::default(),
    ));
    let health = Arc::new(Health::new(state.clone()));
    rebuild::rebuild(&config, &state, &health, &store).await;

    let address = listen.unwrap_or(&config.daemon.listen).to_string();
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .and_then(|listener| Ok((listener.local_addr()?, listener)))
        .map_err(|source| DaemonError::Listen {
            address: address.clone(),
            source,
        });
    let (bound, listener) = listener?;
    // The first line on stdout, so that whoever started us on port 0 learns
    // the port.
    println!("listening on http://{bound}");
    tracing::info!(address = %bound, "listening");
    let config = Arc::new(config);
    let review = Arc::new(ReviewState::new(
        store.clone(),
        config.clone(),
        &issues,
        bound,
        review::token(&config),
    )?);
    drop(issues);

    let (changes_tx, mut changes_rx) = mpsc::unbounded_channel();
    let mut watching = watcher::watch(
        config_path,
        &config.newsletter.issues_dir,
        changes_tx.clone(),
    )?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let (config_tx, config_rx) = watch::channel(config);
    let fetcher = Fetcher::new(FetchOptions::default())?;
    let scheduler = Scheduler {
        store: store.clone(),
        fetcher,
        owner: owner(),
        state: state.clone(),
        health: health.clone(),
    };
    let scheduler = tokio::spawn(scheduler.run(config_rx, stop_rx.clone()));

    let rebuilder = {
        let (state, health, store) = (state.clone(), health.clone(), store.clone());
        let review = review.clone();
        let changes_tx = changes_tx.clone();
        let config_path = config_path.to_path_buf();
        tokio::spawn(async move {
            while let Some(changes) = watcher::next_changes(&mut changes_rx).await {
                if changes.config {
                    let old = config_tx.borrow().clone();
                    if let Some(new) = reload(&config_path, &config_tx, &store).await {
                        rewatch(&mut watching, &config_path, &old, &new, &changes_tx);
                    }
                }
                let config = config_tx.borrow().clone();
                if let Some(issues) = rebuild::rebuild(&config, &state, &health, &store).await {
                    review.refresh(config, &issues);
                }
            }
        })
    };

    let mut stopped = stop_rx.clone();
    let app = http::router(state.clone()).nest(review::MOUNT, review::router(review));
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .into_future();
    let server = tokio::spawn(server);

    loop {
        match signals.next().await {
            Received::Reload => {
                tracing::info!("SIGHUP: reloading the configuration");
                let _ = changes_tx.send(Change::Config);
            }
            Received::Stop(name) => {
                tracing::info!(signal = name, "shutting down");
                break;
            }
        }
    }
    let _ = stop_tx.send(true);
    rebuilder.abort();
    if scheduler.await.is_err() {
        tracing::error!("the scheduler panicked");
    }
    let served = server.await;
    store.close().await;
    tracing::info!("stopped");
    match served {
        Ok(result) => result.map_err(DaemonError::Serve),
        Err(_) => Ok(()),
    }
}

/// Reads the config again, brings the store's sources in line and hands the
/// new config to everyone watching `config`; a bad config is logged and the
/// running one kept (`None`).
async fn reload(
    path: &Path,
    config: &watch::Sender<Arc<Config>>,
    store: &AnyStore,
) -> Option<Arc<Config>> {
    let loaded = match Config::load(path) {
        Ok(loaded) => Arc::new(loaded),
        Err(err) => {
            tracing::error!(error = %err, "config not reloaded; keeping the running one");
            return None;
        }
    };
    let running = config.borrow().clone();
    // Both are bound once at start-up.
    if loaded.daemon.listen != running.daemon.listen {
        tracing::warn!("[daemon] listen changed: restart the daemon to listen there");
    }
    if loaded.aggregator.database != running.aggregator.database {
        tracing::warn!("[aggregator] database changed: restart the daemon to use it");
    }
    match store
        .sync_sources(&SourceSpec::all_of(&loaded), Utc::now())
        .await
    {
        Ok(sync) => tracing::info!(
            added = sync.added,
            updated = sync.updated,
            removed = sync.removed,
            "config reloaded"
        ),
        Err(err) => tracing::error!(error = %err, "cannot synchronise the sources"),
    }
    config.send_replace(loaded.clone());
    Some(loaded)
}

/// Moves the watch to the new issues folder when a reload changed it; if
/// the new one cannot be watched, the old watch stays and says why.
fn rewatch(
    watching: &mut notify::RecommendedWatcher,
    config_path: &Path,
    old: &Config,
    new: &Config,
    changes: &mpsc::UnboundedSender<Change>,
) {
    if old.newsletter.issues_dir == new.newsletter.issues_dir {
        return;
    }
    match watcher::watch(config_path, &new.newsletter.issues_dir, changes.clone()) {
        Ok(watcher) => *watching = watcher,
        Err(err) => tracing::error!(error = %err, "still watching the old issues folder"),
    }
}

/// Who this daemon is in the store's leases. uname(2), not
/// /proc/sys/kernel/hostname, which systemd's ProtectProc= may hide.
fn owner() -> String {
    let host = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    format!("{host}:{}", std::process::id())
}

/// `/healthz` from its two parts: the store answers, the last build
/// succeeded.
pub struct Health {
    state: Arc<AppState>,
    parts: Mutex<HealthParts>,
}

#[derive(Default)]
struct HealthParts {
    store: Option<String>,
    build: Option<String>,
}

impl Health {
    fn new(state: Arc<AppState>) -> Health {
        Health {
            state,
            parts: Mutex::default(),
        }
    }

    pub fn set_store(&self, health: Result<(), String>) {
        self.update(|parts| parts.store = health.err());
    }

    pub fn set_build(&self, health: Result<(), String>) {
        self.update(|parts| parts.build = health.err());
    }

    fn update(&self, change: impl FnOnce(&mut HealthParts)) {
        let mut parts = self
            .parts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut parts);
        let reasons: Vec<&str> = [parts.store.as_deref(), parts.build.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        self.state.set_health(if reasons.is_empty() {
            Ok(())
        } else {
            Err(reasons.join("; "))
        });
    }
}
