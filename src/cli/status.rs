//! `newsroom status`: every source of feeds.toml and how its polling goes.

use std::process::ExitCode;

use newsroom::config::Config;
use newsroom::store::{SourceRecord, Store};
use serde_json::json;

use super::table;

pub fn run(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let sources = super::runtime()?.block_on(async {
        let store = super::open_store(config).await?.store;
        anyhow::Ok(store.sources().await?)
    })?;
    let sources: Vec<&SourceRecord> = sources.iter().filter(|s| s.is_active()).collect();
    if json {
        for source in sources {
            println!("{}", source_json(source));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = sources
        .iter()
        .map(|source| {
            vec![
                source.name.clone(),
                table::time(source.last_polled_at),
                status_of(source).into(),
                table::time(source.next_poll_at),
                source.consecutive_errors.to_string(),
                source.items_seen.to_string(),
                source.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table::print(
        &[
            "SOURCE",
            "LAST POLL",
            "STATUS",
            "NEXT POLL",
            "ERRORS",
            "ITEMS",
            "LAST ERROR",
        ],
        &rows,
    );
    Ok(ExitCode::SUCCESS)
}

fn status_of(source: &SourceRecord) -> &'static str {
    match source.last_status {
        _ if source.gone => "gone",
        Some(status) => status.as_str(),
        None => "new",
    }
}

fn source_json(source: &SourceRecord) -> serde_json::Value {
    json!({
        "name": source.name,
        "url": source.url.as_str(),
        "last_poll": source.last_polled_at.map(|at| at.to_rfc3339()),
        "status": status_of(source),
        "next_poll": source.next_poll_at.map(|at| at.to_rfc3339()),
        "consecutive_errors": source.consecutive_errors,
        "last_error": source.last_error,
        "items": source.items_seen,
    })
}
