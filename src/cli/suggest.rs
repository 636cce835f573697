//! `newsroom suggest`: the candidates waiting for review, best first.

use std::process::ExitCode;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use newsroom::aggregator::rank::{Ranker, Score};
use newsroom::config::Config;
use newsroom::store::{Candidate, Store};
use serde_json::json;

use super::table;

/// What the table shows of a title; the JSON has it whole.
const TITLE_WIDTH: usize = 60;

pub struct Options {
    pub limit: usize,
    pub json: bool,
    pub since: Option<Duration>,
    pub explain: bool,
}

pub fn run(config: &Config, options: &Options) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    let since = options
        .since
        .map(|since| TimeDelta::from_std(since).map(|since| now - since))
        .transpose()?;
    let (issues, candidates) = super::runtime()?.block_on(async {
        let opened = super::open_store(config).await?;
        let candidates = opened.store.candidates(now, since).await?;
        anyhow::Ok((opened.issues, candidates))
    })?;
    let ranker = Ranker::from_issues(
        &issues,
        &config.newsletter.links_exclude,
        config.aggregator.half_life.0,
    );
    let ranked: Vec<(&Candidate, Score)> = ranker
        .rank_candidates(&candidates, &config.sources, now)
        .into_iter()
        .take(options.limit)
        .collect();

    if options.json {
        for (candidate, score) in &ranked {
            println!("{}", candidate_json(candidate, score, options.explain));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut header = vec!["ID", "SCORE"];
    if options.explain {
        header.extend(["RECENCY", "WEIGHT", "SIMILARITY"]);
    }
    header.extend(["DATE", "SOURCES", "TITLE", "URL"]);
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|(candidate, score)| {
            let mut row = vec![candidate.id.to_string(), format!("{:.3}", score.total)];
            if options.explain {
                row.extend([
                    format!("{:.3}", score.recency),
                    format!("{:.2}", score.weight),
                    format!("{:.3}", score.similarity),
                ]);
            }
            row.extend([
                candidate.published.format("%Y-%m-%d").to_string(),
                candidate.sources.join(", "),
                shortened(&candidate.title),
                candidate.url.to_string(),
            ]);
            row
        })
        .collect();
    table::print(&header, &rows);
    Ok(ExitCode::SUCCESS)
}

fn shortened(title: &str) -> String {
    if title.chars().count() <= TITLE_WIDTH {
        return title.to_string();
    }
    let cut: String = title.chars().take(TITLE_WIDTH - 1).collect();
    format!("{cut}…")
}

fn candidate_json(candidate: &Candidate, score: &Score, explain: bool) -> serde_json::Value {
    let mut object = json!({
        "id": candidate.id,
        "score": score.total,
        "title": candidate.title,
        "url": candidate.url.as_str(),
        "sources": candidate.sources,
        "date": candidate.published.to_rfc3339(),
    });
    if explain {
        object["explain"] = json!(score);
    }
    object
}
