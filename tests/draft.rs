//! A draft written by `aggregator::draft` reads back, through the issue
//! parser, as exactly the entries that were accepted.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use newsroom::aggregator::draft::{AcceptedEntry, NextIssue, blurb_markdown, render_draft};
use newsroom::issue::{self, Issue};
use proptest::prelude::*;
use url::Url;

fn date() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-28T07:00:00+01:00").expect("a valid date")
}

fn accepted(section: Option<&str>, blurb: &str, url: &str) -> AcceptedEntry {
    AcceptedEntry {
        section: section.map(str::to_string),
        blurb: blurb.to_string(),
        title: "Title".to_string(),
        url: Url::parse(url).expect("a valid URL"),
    }
}

fn parse(markdown: &str) -> Issue {
    issue::parse(Path::new("issues/draft.md"), markdown.as_bytes())
        .unwrap_or_else(|err| panic!("{err}\n---\n{markdown}"))
}

/// The sections and entries the draft should read back as, in order.
fn expected(next: &NextIssue, entries: &[AcceptedEntry]) -> Vec<(String, Vec<(String, Url)>)> {
    let mut sections: Vec<(String, Vec<(String, Url)>)> = next
        .sections
        .iter()
        .map(|name| (name.clone(), Vec::new()))
        .collect();
    for entry in entries {
        let name = entry.section.clone().unwrap_or_else(|| "News".into());
        let at = match sections
            .iter()
            .position(|(known, _)| known.eq_ignore_ascii_case(&name))
        {
            Some(at) => at,
            None => {
                sections.push((name, Vec::new()));
                sections.len() - 1
            }
        };
        sections[at]
            .1
            .push((blurb_markdown(entry), entry.url.clone()));
    }
    sections.retain(|(_, entries)| !entries.is_empty());
    sections
}

fn read_back(issue: &Issue) -> Vec<(String, Vec<(String, Url)>)> {
    issue
        .sections
        .iter()
        .map(|section| {
            let entries = section
                .entries
                .iter()
                .map(|entry| {
                    assert_eq!(entry.links.len(), 1, "one link per entry: {entry:?}");
                    (entry.blurb.clone(), entry.links[0].url.clone())
                })
                .collect();
            (section.name.clone(), entries)
        })
        .collect()
}

#[test]
fn awkward_blurbs_round_trip() {
    let next = NextIssue {
        number: 345,
        sections: vec!["Sponsor".into(), "News".into(), "Tools".into()],
    };
    let long = "A very long blurb that goes on and on about observability. ".repeat(20);
    let entries = [
        accepted(
            Some("Tools"),
            "# Not a heading, a tool",
            "https://tools.example/a",
        ),
        accepted(None, "* starred and bulleted", "https://news.example/1"),
        accepted(None, "1. numbered, not a list", "https://news.example/2"),
        accepted(
            None,
            "https://news.example/only-a-url",
            "https://news.example/3",
        ),
        accepted(
            None,
            "Links [like this](https://x.example/) and ](brackets)[ and \\escapes\\ *stars* _under_ `code`",
            "https://news.example/4?a=1&b=(2)",
        ),
        accepted(
            Some("Cloud"),
            "Été à Zürich: 日本語 — “quotes” 🚀",
            "https://bücher.example/über",
        ),
        accepted(Some("cloud"), &long, "https://cloud.example/long#section"),
        accepted(
            Some("Tools"),
            "- a dash\nwrapped over\n\nparagraphs",
            "https://tools.example/b",
        ),
        accepted(None, "> quoted <b>html</b>", "https://news.example/5"),
        accepted(
            Some("Events"),
            "[ref]: https://ref.example/",
            "https://events.example/",
        ),
        accepted(Some("Events"), "", "https://events.example/untitled"),
    ];
    let markdown = render_draft(&next, "DevOps Weekly #345", date(), &entries);
    let issue = parse(&markdown);

    assert!(issue.draft);
    assert_eq!(issue.number, 345);
    assert_eq!(issue.date, date());
    assert_eq!(issue.title, "DevOps Weekly #345");
    assert_eq!(issue.intro, "");
    assert_eq!(issue.footer, None);
    let names: Vec<&str> = issue.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["News", "Tools", "Cloud", "Events"]);
    assert_eq!(read_back(&issue), expected(&next, &entries), "\n{markdown}");
    // Ordinary blurbs come back exactly as the editor wrote them.
    assert_eq!(
        issue.sections[2].entries[0].blurb,
        "Été à Zürich: 日本語 — “quotes” 🚀"
    );
    assert_eq!(issue.sections[2].entries[1].blurb, long.trim());
}

#[test]
fn the_draft_looks_like_an_issue() {
    let next = NextIssue {
        number: 2,
        sections: vec![],
    };
    let entries = [
        accepted(None, "First.", "https://a.example/1"),
        accepted(None, "Second.", "https://a.example/2"),
        accepted(Some("Tools"), "Third.", "https://a.example/3"),
    ];
    let markdown = render_draft(&next, "Weekly \"quoted\" \\#2", date(), &entries);
    assert_eq!(
        markdown,
        "---\ntitle: \"Weekly \\\"quoted\\\" \\\\\\\\#2\"\ndate: 2026-11-28T07:00:00+01:00\nnumber: 2\ndraft: true\n---\n\
         \nNews\n====\n\nFirst.\n\n[https://a.example/1](https://a.example/1)\n\n\
         \nSecond.\n\n[https://a.example/2](https://a.example/2)\n\n\
         \nTools\n=====\n\nThird.\n\n[https://a.example/3](https://a.example/3)\n"
    );
    assert_eq!(parse(&markdown).title, "Weekly \"quoted\" \\#2");
}

#[test]
fn next_issue_follows_the_highest_number() {
    let issue = |number: u32, sections: &str| {
        parse(&format!(
            "---\ntitle: Weekly\nnumber: {number}\ndate: 2026-01-01\n---\n\n{sections}"
        ))
    };
    let issues = [
        issue(7, "Tools\n=====\n\nA tool.\n\nhttps://t.example/\n"),
        issue(
            9,
            "News\n====\n\nNews.\n\nhttps://n.example/\n\nEvents\n======\n\nAn event.\n\nhttps://e.example/\n",
        ),
        issue(8, "Other\n=====\n\nOther.\n\nhttps://o.example/\n"),
    ];
    assert_eq!(
        NextIssue::after(&issues),
        NextIssue {
            number: 10,
            sections: vec!["News".into(), "Events".into()]
        }
    );
    assert_eq!(
        NextIssue::after(&[]),
        NextIssue {
            number: 1,
            sections: vec![]
        }
    );
}

#[test]
fn an_empty_draft_is_still_an_issue() {
    let next = NextIssue {
        number: 1,
        sections: vec!["News".into()],
    };
    let issue = parse(&render_draft(&next, "Weekly #1", date(), &[]));
    assert!(issue.draft);
    assert_eq!(issue.number, 1);
    assert_eq!(issue.entry_count(), 0);
}

fn url_strategy() -> impl Strategy<Value = Url> {
    (
        prop_oneof!["http", "https"],
        "[a-z][a-z0-9-]{0,10}\\.[a-z]{2,6}",
        proptest::collection::vec("[A-Za-z0-9._~()!*'@:+,;=%-]{1,12}", 0..4),
        proptest::option::of("[A-Za-z0-9&=()\\\\*_\\[\\]-]{0,16}"),
    )
        .prop_filter_map("a valid URL", |(scheme, host, path, query)| {
            let mut text = format!("{scheme}://{host}/{}", path.join("/"));
            if let Some(query) = query {
                text.push('?');
                text.push_str(&query);
            }
            Url::parse(&text).ok()
        })
}

/// Printable text, often behind one of the starts markdown gives a
/// meaning to.
fn awkward_blurb() -> impl Strategy<Value = String> {
    let start = prop_oneof![
        Just(""),
        Just("# "),
        Just("- "),
        Just("* "),
        Just("1. "),
        Just("> "),
        Just("<div>"),
        Just("```"),
        Just("---"),
        Just("[id]: "),
        Just("https://"),
        Just("[x](https://a.example/)"),
        Just("    "),
        Just("[id]: https://a.example/\n\n"),
        Just("see http:\\//a.example/\n\n"),
        Just("https://a.example/\n\n"),
    ];
    let rest = prop_oneof!["[[:print:]\\n]{0,80}", "\\PC{0,40}"];
    (start, rest).prop_map(|(start, rest)| format!("{start}{rest}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printable_blurbs_and_http_urls_round_trip(
        entries in proptest::collection::vec(
            (
                proptest::option::of(prop_oneof!["News", "Tools", "tools", "Events"]),
                awkward_blurb(),
                url_strategy(),
            ),
            1..6,
        )
    ) {
        let entries: Vec<AcceptedEntry> = entries
            .into_iter()
            .map(|(section, blurb, url)| AcceptedEntry {
                section,
                blurb,
                title: "Title".into(),
                url,
            })
            .collect();
        let next = NextIssue { number: 12, sections: vec!["Tools".into(), "News".into()] };
        let markdown = render_draft(&next, "Weekly #12", date(), &entries);
        let issue = issue::parse(Path::new("draft.md"), markdown.as_bytes())
            .map_err(|err| TestCaseError::fail(format!("{err}\n{markdown}")))?;
        prop_assert!(issue.draft);
        prop_assert_eq!(issue.number, 12);
        prop_assert_eq!(read_back(&issue), expected(&next, &entries), "\n{}", markdown);
        // Writing what was read back changes nothing more.
        for (section, entry) in issue.entries() {
            let again = AcceptedEntry {
                section: Some(section.name.clone()),
                blurb: entry.blurb.clone(),
                title: "Title".into(),
                url: entry.links[0].url.clone(),
            };
            prop_assert_eq!(blurb_markdown(&again), entry.blurb.clone());
        }
    }
}
