//! Regressions from running the parser over a real seven-year archive: each
//! fixture reproduces, in our own words, a shape that was misread once.

use std::path::Path;

use newsroom::issue::{self, Issue};

fn load(name: &str) -> Issue {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/archive_quirks")
        .join(name);
    issue::load(&path).unwrap_or_else(|err| panic!("{err}"))
}

fn urls(entry: &issue::Entry) -> Vec<&str> {
    entry.links.iter().map(|link| link.url.as_str()).collect()
}

#[test]
fn file_name_number_wins_over_a_typo_in_the_title() {
    let issue = load("2014-05-11-175.markdown");
    assert_eq!(issue.number, 175);
    assert_eq!(issue.title, "Issue 170 - 11th May 2014");
    assert_eq!(
        issue.sections.len(),
        1,
        "the `## Issue 175` heading is the title, not a section"
    );
}

#[test]
fn opening_fence_with_a_stray_character() {
    let issue = load("2012-01-15-issue-53.markdown");
    assert_eq!(issue.title, "Issue 53 - 15th January 2012");
    assert_eq!(issue.sections[0].name, "Tools");
}

#[test]
fn links_without_scheme_contact_lines_emails_and_postscripts() {
    let issue = load("2014-01-12-158.markdown");
    assert!(issue.intro.contains("http://intro.example.com/"));
    let names: Vec<&str> = issue
        .sections
        .iter()
        .map(|section| section.name.as_str())
        .collect();
    assert_eq!(names, ["Events", "Jobs", "Tools"]);

    let events = &issue.sections[0].entries;
    assert_eq!(events.len(), 2);
    assert_eq!(
        urls(&events[0]),
        [
            "https://conf.example.org/2014",
            "http://www.conf.example.org/2014/devops-day"
        ]
    );
    assert_eq!(urls(&events[1]), ["http://meetup.example.com/"]);
    assert!(
        events[1].blurb.ends_with("for a discount code."),
        "{}",
        events[1].blurb
    );

    let jobs = &issue.sections[1].entries;
    assert_eq!(
        jobs.len(),
        2,
        "an e-mail-only job ad is an entry of its own"
    );
    assert_eq!(urls(&jobs[0]), ["mailto:harry@example.com"]);
    assert_eq!(jobs[0].links[0].text.as_deref(), Some("harry@example.com"));
    assert_eq!(urls(&jobs[1]), ["http://widgets.example.com/jobs"]);
    assert!(
        jobs[1].blurb.ends_with("useful but not essential."),
        "the ps. belongs to the entry above"
    );

    let tools = &issue.sections[2].entries;
    assert_eq!(
        tools.len(),
        1,
        "a section with only link-less prose keeps it as an entry"
    );
    assert!(tools[0].links.is_empty());
    assert_eq!(issue.footer, None);
}
