//! Command-line arguments and one module per command.

mod build;
mod check;
mod daemon;
mod draft;
mod migrate;
mod poll;
mod review;
mod sources;
mod status;
mod suggest;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use clap::{Parser, Subcommand};
use newsroom::aggregator::setup::{self, Opened};
use newsroom::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "newsroom",
    version,
    about = "Aggregator, review queue and feed generator for a curated weekly newsletter"
)]
pub struct Args {
    /// The configuration file.
    #[arg(long, global = true, default_value = "feeds.toml", value_name = "PATH")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the feeds and HTML archive of every finished issue.
    Build {
        /// Read issues from DIR instead of `issues_dir`.
        #[arg(long, value_name = "DIR")]
        issues: Option<PathBuf>,
        /// Write to DIR instead of `output_dir`.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Publish `draft: true` issues too (for previews).
        #[arg(long)]
        drafts: bool,
        /// Publish issues dated in the future too (for previews).
        #[arg(long)]
        future: bool,
    },
    /// Parse the config and every issue; report what each issue holds.
    Check {
        /// Read issues from DIR instead of `issues_dir`.
        #[arg(long, value_name = "DIR")]
        issues: Option<PathBuf>,
        /// One JSON object per line instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Poll every source (or one) once.
    Poll {
        /// Only the source with this name.
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// List the ranked candidates waiting for review.
    Suggest {
        /// At most N candidates.
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        /// Only candidates published within DURATION (e.g. "7days").
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        since: Option<std::time::Duration>,
        /// Show how each score is made up.
        #[arg(long)]
        explain: bool,
    },
    /// Record an editor's decision on a candidate.
    #[command(subcommand)]
    Review(Review),
    /// Write the next issue from the accepted candidates.
    Draft {
        /// Write to FILE instead of the next file in `issues_dir`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import sources from OPML, or export them as OPML.
    #[command(subcommand)]
    Sources(Sources),
    /// Run the long-lived service: poll, rebuild, serve.
    Daemon {
        /// Address to listen on (default: `[daemon] listen`, 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// `json` for log shippers; the level comes from RUST_LOG.
        #[arg(long, value_enum, default_value = "text")]
        log_format: daemon::LogFormat,
    },
    /// Show every source: last poll, status, next poll, errors, items.
    Status {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Move the store from SQLite to PostgreSQL.
    Migrate {
        /// The database to copy from.
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to copy to.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Review {
    /// Accept a candidate into the next issue.
    Accept {
        id: i64,
        /// The section to file it under.
        #[arg(long, value_name = "S")]
        section: Option<String>,
        /// The blurb to publish with it.
        #[arg(long, value_name = "T")]
        blurb: Option<String>,
    },
    /// Reject a candidate for good.
    Reject { id: i64 },
    /// Hide a candidate for a few days.
    Snooze {
        id: i64,
        /// How many days.
        #[arg(long, value_name = "N", default_value_t = 7)]
        days: u32,
    },
    /// Take back the last decision on a candidate.
    Undo { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum Sources {
    /// Add the feeds of an OPML file to the config.
    Import { file: PathBuf },
    /// Print the sources as OPML 2.0.
    Export,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Build {
            issues,
            out,
            drafts,
            future,
        } => {
            let config = load_config(&args.config)?;
            let flags = build::Flags {
                issues: issues.as_deref(),
                out: out.as_deref(),
                drafts,
                future,
            };
            build::run(&config, flags)
        }
        Command::Check { issues, json } => {
            let config = load_config(&args.config)?;
            check::run(&config, issues.as_deref(), json)
        }
        Command::Poll { source } => poll::run(&load_config(&args.config)?, source.as_deref()),
        Command::Suggest {
            limit,
            json,
            since,
            explain,
        } => {
            let options = suggest::Options {
                limit,
                json,
                since,
                explain,
            };
            suggest::run(&load_config(&args.config)?, &options)
        }
        Command::Draft { out } => draft::run(&load_config(&args.config)?, out.as_deref()),
        Command::Sources(command) => sources::run(&args.config, &command),
        Command::Review(review) => review::run(&load_config(&args.config)?, review),
        Command::Daemon { listen, log_format } => {
            daemon::run(&args.config, listen.as_deref(), log_format)
        }
        Command::Status { json } => status::run(&load_config(&args.config)?, json),
        Command::Migrate { from, to } => migrate::run(&from, &to),
    }
}

fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    Config::load(path).with_context(|| "cannot load the configuration (see --config)".to_string())
}

/// The runtime of the commands that talk to the store or the network.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Opens the store in line with feeds.toml and the issues; issue files that
/// do not parse are reported and left out.
async fn open_store(config: &Config) -> anyhow::Result<Opened> {
    let opened = setup::open_store(config, Utc::now())
        .await
        .with_context(|| format!("cannot open the store {}", config.aggregator.database))?;
    for err in &opened.issue_errors {
        eprintln!("newsroom: warning: {err} (its links are not indexed as published)");
    }
    Ok(opened)
}
