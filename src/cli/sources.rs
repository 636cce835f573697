//! `newsroom sources`: OPML in and out.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use newsroom::aggregator::opml;

use super::Sources;

pub fn run(config_path: &Path, command: &Sources) -> anyhow::Result<ExitCode> {
    match command {
        Sources::Export => {
            let config = super::load_config(config_path)?;
            print!(
                "{}",
                opml::write_opml(&config.newsletter.title, &config.sources)
            );
        }
        Sources::Import { file } => import(config_path, file)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Adds the feeds of `file` to feeds.toml, replacing it atomically: the
/// new text goes to a temporary file beside it, then renamed over it.
fn import(config_path: &Path, file: &Path) -> anyhow::Result<()> {
    let opml_text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let feeds = opml::parse_opml(&opml_text).with_context(|| format!("{}", file.display()))?;
    let config_text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let (text, report) = opml::add_sources_to_config(&config_text, &feeds)
        .with_context(|| format!("{}", config_path.display()))?;
    if !report.added.is_empty() {
        let mut temporary = config_path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = Path::new(&temporary);
        std::fs::write(temporary, text)
            .and_then(|()| std::fs::rename(temporary, config_path))
            .with_context(|| format!("cannot update {}", config_path.display()))?;
    }
    for name in &report.added {
        println!("added: {name}");
    }
    for skipped in &report.skipped_duplicates {
        println!(
            "skipped: {} ({}): already the source {:?}",
            skipped.title, skipped.url, skipped.existing
        );
    }
    println!(
        "{} sources added, {} skipped",
        report.added.len(),
        report.skipped_duplicates.len()
    );
    Ok(())
}
