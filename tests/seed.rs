//! The pure aggregator parts against the real issue 344 of the seed.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use newsroom::aggregator::draft::{AcceptedEntry, NextIssue, render_draft};
use newsroom::aggregator::rank::{CandidateFeatures, Ranker};
use newsroom::issue::{self, Issue};

fn seed() -> Issue {
    let bytes = include_bytes!("../issues/issue-344.md");
    issue::parse(Path::new("issues/issue-344.md"), bytes).expect("the seed issue parses")
}

#[test]
fn redrafting_issue_344_gives_back_its_entries() {
    let seed = seed();
    let next = NextIssue::after(std::slice::from_ref(&seed));
    assert_eq!(next.number, 345);
    let sections: Vec<&str> = seed.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(next.sections, sections);

    // Every entry of 344 accepted again, in reverse, to check the order of
    // sections comes from the last issue and not from acceptance.
    let mut accepted: Vec<AcceptedEntry> = seed
        .entries()
        .filter(|(_, entry)| entry.links.len() == 1)
        .map(|(section, entry)| AcceptedEntry {
            section: Some(section.name.clone()),
            blurb: entry.blurb.clone(),
            title: String::new(),
            url: entry.links[0].url.clone(),
        })
        .collect();
    accepted.reverse();
    assert!(accepted.len() >= 19, "most entries have one link");
    let markdown = render_draft(&next, "DevOps Weekly #345", seed.date, &accepted);
    let draft = issue::parse(Path::new("issues/issue-345.md"), markdown.as_bytes())
        .unwrap_or_else(|err| panic!("{err}\n{markdown}"));

    assert!(draft.draft);
    assert_eq!(draft.number, 345);
    for section in &draft.sections {
        let original = seed
            .sections
            .iter()
            .find(|s| s.name == section.name)
            .expect("a section of 344");
        let expected: Vec<(&str, &str)> = original
            .entries
            .iter()
            .filter(|entry| entry.links.len() == 1)
            .map(|entry| (entry.blurb.as_str(), entry.links[0].url.as_str()))
            .rev()
            .collect();
        let actual: Vec<(&str, &str)> = section
            .entries
            .iter()
            .map(|entry| (entry.blurb.as_str(), entry.links[0].url.as_str()))
            .collect();
        assert_eq!(actual, expected, "section {}", section.name);
    }
    let order: Vec<&str> = draft.sections.iter().map(|s| s.name.as_str()).collect();
    let mut expected_order = sections.clone();
    expected_order.retain(|name| order.contains(name));
    assert_eq!(order, expected_order);
}

#[test]
fn issue_344_prefers_ops_posts() {
    let ranker = Ranker::from_issues(
        &[seed()],
        &["Sponsor".to_string(), "Sponsored".to_string()],
        Duration::from_secs(3 * 24 * 3600),
    );
    let now: DateTime<Utc> = "2017-08-01T12:00:00Z".parse().expect("a date");
    let published = "2017-07-31T12:00:00+00:00".parse().expect("a date");
    let score = |title, summary| {
        ranker.score(
            &CandidateFeatures {
                title,
                summary,
                published,
                weight: 1.0,
            },
            now,
        )
    };
    let ops = score(
        "Debugging TCP performance on AWS",
        "A tale of tracking down latency in production: CloudFormation, containers and monitoring.",
    );
    let other = score(
        "Ten sourdough mistakes",
        "Hydration, proofing times and why your starter smells of acetone.",
    );
    assert!(ops.total > other.total, "{ops:?} vs {other:?}");
    assert!(
        ops.similarity > 5.0 * other.similarity,
        "{ops:?} vs {other:?}"
    );
}
