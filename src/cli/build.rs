//! `newsroom build`: write the feeds and HTML archive of every finished issue.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use newsroom::config::Config;
use newsroom::generator::{self, BuildOptions};

pub struct Flags<'a> {
    pub issues: Option<&'a Path>,
    pub out: Option<&'a Path>,
    pub drafts: bool,
    pub future: bool,
}

pub fn run(config: &Config, flags: Flags) -> anyhow::Result<ExitCode> {
    let newsletter = &config.newsletter;
    let issues_dir = flags.issues.unwrap_or(&newsletter.issues_dir);
    let out = flags.out.unwrap_or(&newsletter.output_dir);
    let options = BuildOptions {
        drafts: flags.drafts,
        future: flags.future,
        now: chrono::Utc::now().fixed_offset(),
    };
    let built = generator::build(newsletter, issues_dir, out, &options)
        .with_context(|| format!("build failed; {} was left as it was", out.display()))?;
    println!(
        "{} issues published to {}: {} files written, {} unchanged, {} removed",
        built.issues,
        out.display(),
        built.files.written,
        built.files.unchanged,
        built.files.removed
    );
    Ok(ExitCode::SUCCESS)
}
