//! `newsroom check`: parse every issue and say what each one holds.

use std::path::Path;
use std::process::ExitCode;

use newsroom::config::Config;
use newsroom::issue::{self, Issue, IssueError};
use serde_json::json;

pub fn run(config: &Config, issues_dir: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let dir = issues_dir.unwrap_or(&config.newsletter.issues_dir);
    let results = issue::load_dir(dir)?;
    let mut failures = 0usize;
    for result in &results {
        match result {
            Ok(issue) if json => println!("{}", issue_json(issue)),
            Ok(issue) => println!("{}", issue_line(issue)),
            Err(err) => {
                failures += 1;
                report(err, json);
            }
        }
    }
    let checked = results.len();
    if !json {
        println!(
            "{} checked: {} ok, {failures} failed",
            counted(checked, "issue file", "issue files"),
            checked.saturating_sub(failures)
        );
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn report(err: &IssueError, json: bool) {
    if json {
        println!(
            "{}",
            json!({ "file": err.file.display().to_string(), "error": err.to_string() })
        );
    } else {
        eprintln!("{err}");
    }
}

fn issue_line(issue: &Issue) -> String {
    format!(
        "{}\t#{}\t{}\t{}\t{}\t{}{}",
        issue.file.display(),
        issue.number,
        issue.date.format("%Y-%m-%d"),
        counted(issue.sections.len(), "section", "sections"),
        counted(issue.entry_count(), "entry", "entries"),
        counted(issue.link_count(), "link", "links"),
        if issue.draft { "\tdraft" } else { "" }
    )
}

fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn issue_json(issue: &Issue) -> serde_json::Value {
    let sections: Vec<_> = issue
        .sections
        .iter()
        .map(|section| {
            json!({
                "name": section.name,
                "entries": section.entries.len(),
                "links": section.entries.iter().map(|entry| entry.links.len()).sum::<usize>(),
            })
        })
        .collect();
    json!({
        "file": issue.file.display().to_string(),
        "number": issue.number,
        "title": issue.title,
        "date": issue.date.to_rfc3339(),
        "draft": issue.draft,
        "sections": sections,
        "entries": issue.entry_count(),
        "links": issue.link_count(),
    })
}
