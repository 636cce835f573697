//! `newsroom draft`: write the next issue from the accepted candidates.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{SubsecRound, Utc};
use newsroom::aggregator::draft::{self, AcceptedEntry, NextIssue};
use newsroom::aggregator::sanitize;
use newsroom::config::Config;
use newsroom::store::{Accepted, Store};

pub fn run(config: &Config, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let (issues, accepted) = super::runtime()?.block_on(async {
        let opened = super::open_store(config).await?;
        let accepted = opened.store.accepted().await?;
        anyhow::Ok((opened.issues, accepted))
    })?;
    if accepted.is_empty() {
        bail!("no accepted candidate waits for an issue (see `newsroom review accept`)");
    }
    let next = NextIssue::after(&issues);
    // Whole seconds: the front matter is for people to read.
    let now = Utc::now().trunc_subsecs(0);
    let entries: Vec<AcceptedEntry> = accepted.iter().map(entry_of).collect();
    let title = format!("{} #{}", config.newsletter.title, next.number);
    let text = draft::render_draft(&next, &title, now.fixed_offset(), &entries);

    let file = out.map_or_else(
        || {
            let name = format!("{}-{}.md", now.format("%Y-%m-%d"), next.number);
            config.newsletter.issues_dir.join(name)
        },
        Path::to_path_buf,
    );
    write_new(&file, &text)?;
    println!(
        "wrote {}: issue {} with {} entries",
        file.display(),
        next.number,
        entries.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The editor's blurb, else one made from the summary (the title stands in
/// when both are missing).
fn entry_of(accepted: &Accepted) -> AcceptedEntry {
    let candidate = &accepted.candidate;
    let blurb = accepted.blurb.clone().unwrap_or_else(|| {
        let summary = candidate.summary.as_deref().unwrap_or_default();
        draft::blurb_from_summary(&sanitize::plain_text(summary))
    });
    AcceptedEntry {
        section: accepted.section.clone(),
        blurb,
        title: candidate.title.clone(),
        url: candidate.url.clone(),
    }
}

/// Writes `text` to `file`, which must not exist: a draft the editors
/// started on is never overwritten.
fn write_new(file: &Path, text: &str) -> anyhow::Result<()> {
    let dir: PathBuf = file.parent().map(Path::to_path_buf).unwrap_or_default();
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let mut handle = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .with_context(|| {
            format!(
                "cannot create {} (an existing file is never overwritten: pass --out)",
                file.display()
            )
        })?;
    handle
        .write_all(text.as_bytes())
        .and_then(|()| handle.sync_all())
        .with_context(|| format!("cannot write {}", file.display()))
}
