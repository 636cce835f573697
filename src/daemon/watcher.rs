//! Watches the issues folder and the config file, and turns bursts of file
//! events into one rebuild: an editor's save is several events (write,
//! rename, chmod), and a file being written must settle before it is read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

/// Events closer together than this are one change.
const SETTLE: Duration = Duration::from_millis(300);

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Issues,
    Config,
}

/// Several changes seen as one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// The config changed (or SIGHUP asked for a reload): reload it first.
    pub config: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {source}", path.display())]
pub struct WatchError {
    pub path: PathBuf,
    pub source: notify::Error,
}

/// Sends a [`Change`] for every event under `issues_dir` or on
/// `config_path`; watching stops when the returned watcher is dropped.
pub fn watch(
    config_path: &Path,
    issues_dir: &Path,
    changes: mpsc::UnboundedSender<Change>,
) -> Result<RecommendedWatcher, WatchError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WatchError { path, source }
    };
    let config_path = std::path::absolute(config_path).map_err(|err| WatchError {
        path: config_path.to_path_buf(),
        source: err.into(),
    })?;
    let issues_dir = std::path::absolute(issues_dir).map_err(|err| WatchError {
        path: issues_dir.to_path_buf(),
        source: err.into(),
    })?;
    let config_file = config_path.clone();
    let issues = issues_dir.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if event.kind.is_access() {
            return;
        }
        for path in &event.paths {
            let change = if path == &config_file {
                Change::Config
            } else if path.starts_with(&issues) {
                Change::Issues
            } else {
                continue;
            };
            // The receiver is gone only at shutdown.
            let _ = changes.send(change);
        }
    })
    .map_err(failed(&config_path))?;
    // Editors save by renaming a new file over the old one, which a watch on
    // the file itself would lose: watch its folder.
    let config_dir = config_path.parent().unwrap_or(Path::new("/"));
    watcher
        .watch(config_dir, RecursiveMode::NonRecursive)
        .map_err(failed(config_dir))?;
    std::fs::create_dir_all(&issues_dir).map_err(|err| WatchError {
        path: issues_dir.clone(),
        source: err.into(),
    })?;
    watcher
        .watch(&issues_dir, RecursiveMode::Recursive)
        .map_err(failed(&issues_dir))?;
    Ok(watcher)
}

/// Waits for a change, then for [`SETTLE`] without one; `None` once every
/// sender is gone.
pub async fn next_changes(receiver: &mut mpsc::UnboundedReceiver<Change>) -> Option<Changes> {
    let mut changes = Changes::default();
    let mut change = receiver.recv().await?;
    loop {
        changes.config |= change == Change::Config;
        match tokio::time::timeout(SETTLE, receiver.recv()).await {
            Ok(Some(next)) => change = next,
            Ok(None) | Err(_) => return Some(changes),
        }
    }
}
