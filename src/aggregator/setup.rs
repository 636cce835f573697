//! What every aggregator command does first: open the store and bring it in
//! line with feeds.toml and the issue files.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::issue::{self, Issue, IssueError};
use crate::store::{self, AnyStore, PublishedLink, SourceSpec, Store, StoreError, SyncReport};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the issues: {0}")]
    Issues(#[from] IssueError),
}

/// A store in line with feeds.toml and the issues, and what that took.
#[derive(Debug)]
pub struct Opened {
    pub store: AnyStore,
    pub sync: SyncReport,
    /// Every issue that parsed, by number.
    pub issues: Vec<Issue>,
    /// Issue files that did not parse: their links are not indexed.
    pub issue_errors: Vec<IssueError>,
}

/// Opens and migrates the store, synchronises the sources of `config`, and
/// indexes every link of every issue in `issues_dir` as published.
pub async fn open_store(config: &Config, now: DateTime<Utc>) -> Result<Opened, SetupError> {
    let store = store::open(&config.aggregator.database).await?;
    let sync = store.sync_sources(&SourceSpec::all_of(config), now).await?;
    let (issues, issue_errors) = load_issues(&config.newsletter.issues_dir)?;
    store.index_published(&published_links(&issues)).await?;
    Ok(Opened {
        store,
        sync,
        issues,
        issue_errors,
    })
}

/// The issues of `dir`; a folder that does not exist yet holds none.
pub fn load_issues(dir: &Path) -> Result<(Vec<Issue>, Vec<IssueError>), IssueError> {
    if !dir.exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    issue::load_valid(dir)
}

/// Every link of every entry of `issues`, drafts included: a link already
/// in a draft must not be suggested again either.
pub fn published_links(issues: &[Issue]) -> Vec<PublishedLink> {
    issues
        .iter()
        .flat_map(|issue| {
            issue.entries().flat_map(move |(_, entry)| {
                entry.links.iter().map(move |link| PublishedLink {
                    url: link.url.clone(),
                    issue: issue.number,
                })
            })
        })
        .collect()
}
