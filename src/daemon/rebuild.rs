//! Rebuilds the site and swaps it in. A build that fails (an issue file
//! half-written or wrong) keeps the last good output on disk and in memory,
//! and `/healthz` names the file and line until a build succeeds again.

use std::time::{Duration, Instant};

use chrono::Utc;

use super::Health;
use super::http::AppState;
use super::site::{Site, SiteError};
use crate::aggregator::setup;
use crate::config::Config;
use crate::generator::{self, BuildError, BuildOptions};
use crate::issue::Issue;
use crate::store::{RebuildLock, Store};

/// How often a daemon waiting for the rebuild lock asks again.
const TURN: Duration = Duration::from_millis(200);
/// Past this, a daemon builds without the lock rather than serve an old
/// site: the holder is stuck.
const TURN_PATIENCE: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Site(#[from] SiteError),
}

/// Builds the finished issues of `config` into its output folder, serves the
/// result, and indexes the issues' links as published. Returns the issue
/// files the build read, `None` if it failed.
pub async fn rebuild<S: Store>(
    config: &Config,
    state: &AppState,
    health: &Health,
    store: &S,
) -> Option<Vec<Issue>> {
    let lock = take_turn(store).await;
    let issues = build_and_swap(config, state, health, store).await;
    if let Some(lock) = lock {
        if let Err(err) = lock.release().await {
            tracing::warn!(error = %err, "cannot release the rebuild lock");
        }
    }
    issues
}

/// Daemons sharing one database build one at a time: each waits for the
/// lock, then builds too, so that each serves the latest build, also from
/// an output folder of its own. After another's build of the same issues,
/// a build changes no file (the output is byte-identical).
async fn take_turn<S: Store>(store: &S) -> Option<RebuildLock> {
    let asked = Instant::now();
    let mut waiting = false;
    loop {
        match store.try_rebuild_lock().await {
            Ok(Some(lock)) => return Some(lock),
            Ok(None) if asked.elapsed() < TURN_PATIENCE => {
                if !waiting {
                    tracing::info!("another daemon is rebuilding; waiting for it");
                    waiting = true;
                }
                tokio::time::sleep(TURN).await;
            }
            Ok(None) => {
                tracing::warn!("another daemon holds the rebuild lock for long; building anyway");
                return None;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot take the rebuild lock; building anyway");
                return None;
            }
        }
    }
}

async fn build_and_swap<S: Store>(
    config: &Config,
    state: &AppState,
    health: &Health,
    store: &S,
) -> Option<Vec<Issue>> {
    let started = Instant::now();
    let newsletter = config.newsletter.clone();
    let served = state.site();
    // Parsing and rendering is CPU and disk work: off the async workers.
    let built = tokio::task::spawn_blocking(move || {
        let options = BuildOptions {
            drafts: false,
            future: false,
            now: Utc::now().fixed_offset(),
        };
        // Read once: the build, the published index and the review page
        // all use these.
        let issues = generator::load(&newsletter.issues_dir)?;
        let built =
            generator::build_issues(&newsletter, &issues, &newsletter.output_dir, &options)?;
        let site = Site::reload(&newsletter.output_dir, &served)?;
        Ok::<_, RebuildError>((built, site, issues))
    })
    .await
    .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()));
    let duration = started.elapsed();
    state.metrics.built(duration, built.is_ok());
    match built {
        Ok((built, site, issues)) => {
            state.replace_site(site);
            health.set_build(Ok(()));
            tracing::info!(
                issues = built.issues,
                duration_ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
                "rebuilt the site"
            );
            if let Err(err) = store
                .index_published(&setup::published_links(&issues))
                .await
            {
                tracing::error!(error = %err, "cannot index the published links");
                health.set_store(Err(err.to_string()));
            }
            Some(issues)
        }
        Err(err) => {
            tracing::error!(error = %err, "rebuild failed; still serving the last good build");
            health.set_build(Err(format!("the last build failed: {err}")));
            None
        }
    }
}
