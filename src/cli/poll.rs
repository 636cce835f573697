//! `newsroom poll`: poll every source (or one) once, with a progress bar on
//! a terminal and one log line per source otherwise, then a summary.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use newsroom::aggregator::fetch::{FetchOptions, Fetcher};
use newsroom::aggregator::poll::{self, PollSummary, Progress, SourceReport};
use newsroom::config::Config;
use newsroom::store::PollStatus;

pub fn run(config: &Config, only: Option<&str>) -> anyhow::Result<ExitCode> {
    let summary = super::runtime()?.block_on(async {
        let store = super::open_store(config).await?.store;
        let fetcher = Fetcher::new(FetchOptions::default())?;
        let progress: Arc<dyn Progress> = if std::io::stderr().is_terminal() {
            Arc::new(Bar(ProgressBar::hidden()))
        } else {
            Arc::new(LogLines)
        };
        poll::poll(&store, &fetcher, config, only, progress)
            .await
            .context("the poll stopped")
    })?;
    print_summary(&summary);
    Ok(ExitCode::SUCCESS)
}

fn print_summary(summary: &PollSummary) {
    println!(
        "{} ok, {} not modified, {} failed, {} moved; {} new items",
        summary.ok, summary.not_modified, summary.failed, summary.moved, summary.new_items
    );
    for failure in &summary.failures {
        println!(
            "failed: {}: {}",
            failure.name,
            failure.error.as_deref().unwrap_or("unknown error")
        );
    }
}

/// One line per source, for logs and pipes.
struct LogLines;

impl Progress for LogLines {
    fn start(&self, sources: usize) {
        eprintln!("polling {sources} sources");
    }

    fn polled(&self, report: &SourceReport) {
        eprintln!("{}", line_of(report));
    }
}

/// A progress bar on the terminal; failures are printed above it.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, sources: usize) {
        if sources == 0 {
            return; // Nothing would finish the bar: leave it hidden.
        }
        self.0
            .set_length(u64::try_from(sources).unwrap_or(u64::MAX));
        self.0
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}") {
            self.0.set_style(style);
        }
    }

    fn polled(&self, report: &SourceReport) {
        if matches!(report.status, PollStatus::Failed | PollStatus::Gone) {
            self.0.println(line_of(report));
        }
        self.0.set_message(report.name.clone());
        self.0.inc(1);
        if self.0.position() >= self.0.length().unwrap_or_default() {
            self.0.finish_and_clear();
        }
    }
}

fn line_of(report: &SourceReport) -> String {
    let mut line = format!("{}: {}", report.name, report.status.as_str());
    if report.new_items > 0 {
        line.push_str(&format!(", {} new items", report.new_items));
    }
    if let Some(url) = &report.moved_to {
        line.push_str(&format!(", moved to {url}"));
    }
    if let Some(error) = &report.error {
        line.push_str(&format!(": {error}"));
    }
    line
}
