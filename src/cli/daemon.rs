//! `newsroom daemon`: logs set up for a terminal or a log shipper, then the
//! library's daemon until SIGTERM or SIGINT.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// How log lines are written (to stderr; stdout carries the address).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn run(config: &Path, listen: Option<&str>, format: LogFormat) -> anyhow::Result<ExitCode> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    super::runtime()?
        .block_on(newsroom::daemon::run(config, listen))
        .context("the daemon stopped")?;
    Ok(ExitCode::SUCCESS)
}
