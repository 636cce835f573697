//! Puts a built site in place atomically: every file is written into a
//! fresh folder beside the output folder as soon as it is made, then the two
//! folders are swapped in one step, so a reader sees the old site or the new
//! one, never a mix.
//!
//! A file whose bytes did not change is hard-linked from the old output
//! instead of written, so it keeps its modification time (and HTTP caches
//! their `Last-Modified`); when nothing changed at all, nothing is touched.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// What a publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Published {
    /// Files new or with new bytes.
    pub written: usize,
    /// Files whose bytes (and modification time) stayed.
    pub unchanged: usize,
    /// Files of the old output the new one no longer has.
    pub removed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    #[error(
        "{}: not replaced: the folder is not empty and holds no feed.xml, so it is not a previous build (choose another --out)",
        .0.display()
    )]
    NotABuild(PathBuf),
    #[error("{}: not a folder name that can be replaced (name a folder, e.g. `public`)", .0.display())]
    BadPath(PathBuf),
}

fn io_error(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        path,
        action,
        source,
    }
}

/// A build being put in place: files go into a fresh folder beside `out` as
/// they are made (so the build need not hold the whole site in memory), and
/// [`Staging::finish`] swaps that folder in. Dropped unfinished (a failed
/// build), it removes its folder and `out` stays as it was.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    old_files: BTreeMap<String, PathBuf>,
    /// Folders made so far, relative to `staging`.
    folders: Mutex<HashSet<String>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    /// Files put that the old output has too.
    kept: AtomicUsize,
    finished: bool,
}

impl Staging {
    /// Starts replacing the folder `out`: checks that it is a previous build
    /// (or empty, or missing) and makes the staging folder.
    pub fn begin(out: &Path) -> Result<Staging, OutputError> {
        let name = out
            .file_name()
            .ok_or_else(|| OutputError::BadPath(out.to_path_buf()))?;
        let parent = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let old_files = existing_files(out)?;
        if !old_files.is_empty() && !old_files.contains_key("feed.xml") {
            return Err(OutputError::NotABuild(out.to_path_buf()));
        }
        let prefix = format!(".{}.new-", name.to_string_lossy());
        remove_stale_staging(parent, &prefix);
        let staging = parent.join(format!("{prefix}{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_error(&staging, "remove a stale build"))?;
        }
        fs::create_dir_all(&staging).map_err(io_error(&staging, "create"))?;
        Ok(Staging {
            out: out.to_path_buf(),
            staging,
            old_files,
            folders: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
            finished: false,
        })
    }

    /// Adds the file at `relative` (`/`-separated, each path once), from
    /// any thread. A file whose bytes the old output already has is
    /// hard-linked from it instead, and keeps its modification time.
    pub fn put(&self, relative: &str, bytes: &[u8]) -> Result<(), OutputError> {
        if let Some((folder, _)) = relative.rsplit_once('/') {
            self.make_folder(folder)?;
        }
        let path = self.staging.join(relative);
        let unchanged = match self.old_files.get(relative) {
            Some(old) => {
                self.kept.fetch_add(1, Ordering::Relaxed);
                fs::read(old).is_ok_and(|old_bytes| old_bytes == bytes)
                    && fs::hard_link(old, &path).is_ok()
            }
            None => false,
        };
        if unchanged {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            fs::write(&path, bytes).map_err(io_error(&path, "write"))?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Makes `folder` (relative) once, however many files go in it.
    fn make_folder(&self, folder: &str) -> Result<(), OutputError> {
        let folders = || self.folders.lock().unwrap_or_else(PoisonError::into_inner);
        if folders().contains(folder) {
            return Ok(());
        }
        // Outside the lock: a thousand issues' folders are made on every
        // core. Two threads making the same one both succeed.
        let path = self.staging.join(folder);
        fs::create_dir_all(&path).map_err(io_error(&path, "create"))?;
        folders().insert(folder.to_string());
        Ok(())
    }

    /// Puts the files put so far in place of the old output, which loses
    /// the files not put again. When no file changed and none went, nothing
    /// is touched.
    pub fn finish(mut self) -> Result<Published, OutputError> {
        self.finished = true;
        let published = Published {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed: self.old_files.len() - self.kept.load(Ordering::Relaxed),
        };
        let result = if published.written == 0 && published.removed == 0 {
            // Nothing changed: the old output stays, down to its folders.
            fs::remove_dir_all(&self.staging).map_err(io_error(&self.staging, "remove"))
        } else {
            swap(&self.staging, &self.out)
        };
        if result.is_err() {
            // Best effort: the error that matters is the one being returned.
            let _ = fs::remove_dir_all(&self.staging);
        }
        result.map(|()| published)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            // A build that failed half way: best effort, and a staging folder
            // left behind is removed by the next build anyway.
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Removes the staging folders (`{prefix}{pid}`) of processes killed
/// before they finished: a half-written build, or the previous output they
/// were about to delete. Nobody else would, and each crash would leave a
/// whole copy of the site behind. A running process keeps its own. Best
/// effort: what cannot be removed now is tried again at the next publish.
fn remove_stale_staging(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|name| name.strip_prefix(prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !process_runs(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_runs(pid: &str) -> bool {
    Path::new("/proc").join(pid).exists()
}

/// Without /proc, every process is taken to run: a staging folder is never
/// removed under a build in progress.
#[cfg(not(target_os = "linux"))]
fn process_runs(_pid: &str) -> bool {
    true
}

/// Every file below `dir` (none if it does not exist), by relative path.
fn existing_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>, OutputError> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).map_err(io_error(&folder, "read"))? {
            let path = entry.map_err(io_error(&folder, "read"))?.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                let relative = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(relative, path);
            }
        }
    }
    Ok(files)
}

/// Puts `staging` where `out` is and deletes the old output.
fn swap(staging: &Path, out: &Path) -> Result<(), OutputError> {
    if !out.exists() {
        return fs::rename(staging, out).map_err(io_error(out, "create"));
    }
    exchange(staging, out)?;
    // `staging` now holds the old output.
    fs::remove_dir_all(staging).map_err(io_error(staging, "remove the previous output"))
}

/// Swaps two folders in one step (renameat2 with RENAME_EXCHANGE).
#[cfg(target_os = "linux")]
fn exchange(staging: &Path, out: &Path) -> Result<(), OutputError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Some file systems cannot exchange: fall back to two renames.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => two_renames(staging, out),
        Err(err) => Err(io_error(out, "replace")(err.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staging: &Path, out: &Path) -> Result<(), OutputError> {
    two_renames(staging, out)
}

/// The old output moves aside, the new one takes its place, and the old one
/// ends up at `staging`. Between the two renames `out` is briefly missing,
/// but it is never a mix of the two.
fn two_renames(staging: &Path, out: &Path) -> Result<(), OutputError> {
    let aside = staging.with_extension("old");
    fs::rename(out, &aside).map_err(io_error(out, "move aside"))?;
    if let Err(err) = fs::rename(staging, out) {
        let _ = fs::rename(&aside, out);
        return Err(io_error(out, "replace")(err));
    }
    fs::rename(&aside, staging).map_err(io_error(&aside, "move"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replaces `out` by exactly the files of `site`.
    fn publish(site: &[(&str, &str)], out: &Path) -> Result<Published, OutputError> {
        let staging = Staging::begin(out)?;
        for (path, text) in site {
            staging.put(path, text.as_bytes())?;
        }
        staging.finish()
    }

    fn mtime(path: &Path) -> std::time::SystemTime {
        fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn first_publish_creates_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let published = publish(&[("feed.xml", "a"), ("issues/1/index.html", "b")], &out).unwrap();
        assert_eq!(published.written, 2);
        assert_eq!(
            fs::read_to_string(out.join("issues/1/index.html")).unwrap(),
            "b"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the output is left");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_killed_publisher_leaves_nothing_behind_for_long() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // No process has this id; process 1 always runs.
        for pid in ["4294967295", "1"] {
            fs::create_dir_all(dir.path().join(format!(".public.new-{pid}/issues"))).unwrap();
        }
        publish(&[("feed.xml", "a")], &out).unwrap();
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, [".public.new-1", "public"]);
    }

    #[test]
    fn unchanged_files_keep_their_mtime_and_stale_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        publish(&[("feed.xml", "a"), ("old.html", "x"), ("same", "s")], &out).unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for file in ["feed.xml", "same"] {
            fs::File::options()
                .write(true)
                .open(out.join(file))
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        let published = publish(&[("feed.xml", "b"), ("same", "s")], &out).unwrap();
        assert_eq!(
            published,
            Published {
                written: 1,
                unchanged: 1,
                removed: 1
            }
        );
        assert_eq!(mtime(&out.join("same")), old);
        assert_ne!(mtime(&out.join("feed.xml")), old);
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_unfinished_staging_leaves_the_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        publish(&[("feed.xml", "a")], &out).unwrap();
        let staging = Staging::begin(&out).unwrap();
        staging.put("feed.xml", b"b").unwrap();
        staging.put("issues/1/index.html", b"c").unwrap();
        // A build that fails half way drops its staging.
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("feed.xml")).unwrap(), "a");
        assert!(!out.join("issues").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_that_is_not_a_build_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let err = publish(&[("feed.xml", "a")], dir.path()).unwrap_err();
        assert!(matches!(err, OutputError::NotABuild(_)), "{err}");
        assert!(dir.path().join("precious.txt").exists());
    }
}
