//! The issue parser on the seed issue and on one fixture per variant that
//! real archives contain.

use std::path::{Path, PathBuf};

use newsroom::issue::{self, Issue, IssueErrorKind};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn parse_fixture(name: &str) -> Issue {
    issue::load(&fixture(name)).unwrap_or_else(|err| panic!("{err}"))
}

fn seed() -> Issue {
    issue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("issues/issue-344.md")).unwrap()
}

fn section_names(issue: &Issue) -> Vec<&str> {
    issue
        .sections
        .iter()
        .map(|section| section.name.as_str())
        .collect()
}

fn urls(issue: &Issue) -> Vec<String> {
    issue
        .entries()
        .flat_map(|(_, entry)| entry.links.iter().map(|link| link.url.to_string()))
        .collect()
}

#[test]
fn seed_issue_has_the_expected_shape() {
    let issue = seed();
    assert_eq!(issue.number, 344);
    assert_eq!(issue.date.to_rfc3339(), "2017-07-30T12:08:24+01:00");
    assert_eq!(issue.title, "DEVOPS WEEKLY ISSUE #344 - 30th July 2017");
    assert!(!issue.draft);
    assert_eq!(
        section_names(&issue),
        [
            "Sponsor",
            "Sponsored",
            "News",
            "Jobs",
            "CNCF - Cloud Native Computing Foundation",
            "Events",
            "Tools"
        ]
    );
    assert_eq!(issue.entry_count(), 21);
    assert_eq!(issue.link_count(), 23);
    let news = &issue.sections[2];
    assert_eq!(news.entries.len(), 12);
    assert_eq!(
        news.entries
            .iter()
            .map(|entry| entry.links.len())
            .sum::<usize>(),
        13
    );
    assert!(
        issue
            .intro
            .starts_with("Posts about the future of operation")
    );
    let footer = issue.footer.as_deref().unwrap_or_default();
    assert!(
        footer.starts_with("If you received this email directly"),
        "{footer}"
    );
}

#[test]
fn seed_entries_keep_blurbs_links_and_lines() {
    let issue = seed();
    let news = &issue.sections[2];
    let first = &news.entries[0];
    assert!(first.blurb.starts_with("A great post arguing"));
    assert_eq!(
        first.links[0].url.as_str(),
        "https://opensource.com/article/17/7/state-systems-administration"
    );
    // `[url](url)` carries no text of its own.
    assert_eq!(first.links[0].text, None);
    assert_eq!(first.line, 30);
    let two_links = news.entries.last().unwrap();
    assert_eq!(two_links.links.len(), 2);
    // The CNCF entry has a blurb of two paragraphs.
    let cncf = &issue.sections[4].entries[0];
    assert_eq!(cncf.blurb.matches("\n\n").count(), 1, "{}", cncf.blurb);
}

#[test]
fn atx_headings_bare_urls_title_heading_and_file_name_number() {
    let issue = parse_fixture("issues/2012-06-10-75.markdown");
    assert_eq!(issue.number, 75);
    assert_eq!(issue.title, "Issue 75 - 10th June 2012");
    assert_eq!(issue.date.to_rfc3339(), "2012-06-10T00:00:00+00:00");
    // `## Issue 75 - 10th June` repeats the title: not a section.
    assert_eq!(section_names(&issue), ["News", "Jobs", "Tools"]);
    // The intro's inline URL stays in the intro, hard wrap and all.
    assert!(issue.intro.contains("http://metrics.example.org/slides"));
    assert!(
        !issue.intro.contains('\n'),
        "hard-wrapped lines are one paragraph"
    );
    let news = &issue.sections[0];
    assert_eq!(news.entries.len(), 2);
    assert_eq!(
        news.entries[1].links.len(),
        2,
        "two bare URL lines, one entry"
    );
    assert!(
        news.entries[0]
            .blurb
            .starts_with("A long look at why alert fatigue")
    );
    assert!(news.entries[0].blurb.ends_with("before and after."));
    // A jobs paragraph with no link line is kept, not lost.
    assert_eq!(issue.sections[1].entries.len(), 1);
    assert!(
        issue.sections[1].entries[0]
            .blurb
            .contains("jobs@example.com")
    );
    // `<url>` is a link line too.
    assert_eq!(
        urls(&issue).last().unwrap(),
        "https://github.com/example/hostfacts"
    );
    assert_eq!(issue.footer, None);
}

#[test]
fn issue_word_in_file_name_setext_levels_and_lists() {
    let issue = parse_fixture("issues/2011-08-07-issue-33.markdown");
    assert_eq!(issue.number, 33);
    assert_eq!(issue.date.to_rfc3339(), "2011-08-07T00:00:00+00:00");
    assert_eq!(section_names(&issue), ["News", "Tools"]);
    assert!(issue.intro.starts_with("Welcome to another issue"));
    let news = &issue.sections[0];
    assert_eq!(news.entries.len(), 2);
    // A link line right under its blurb, with no blank line, closes the entry.
    assert_eq!(
        news.entries[0].links[0].url.as_str(),
        "https://testing.example.org/cookbook-tests"
    );
    assert!(news.entries[0].blurb.ends_with("fast feedback loop."));
    assert_eq!(
        news.entries[1].links[0].text.as_deref(),
        Some("Deployment pipelines, explained")
    );
    // Each list item with a link is an entry of its own.
    let tools = &issue.sections[1];
    assert_eq!(tools.entries.len(), 2);
    assert_eq!(
        tools.entries[1].links[0].url.as_str(),
        "https://github.com/example/porkchop"
    );
    assert!(tools.entries[1].blurb.starts_with("[Porkchop]"));
}

#[test]
fn crlf_line_endings() {
    let issue = parse_fixture("issues/crlf.md");
    assert_eq!(issue.number, 12);
    assert_eq!(issue.title, "Issue #12 - CRLF");
    assert_eq!(issue.intro, "Intro line one.");
    assert_eq!(urls(&issue), ["https://windows.example.com/post"]);
    assert!(!issue.sections[0].entries[0].blurb.contains('\r'));
}

#[test]
fn byte_order_mark() {
    let issue = parse_fixture("issues/bom.md");
    assert_eq!(issue.number, 13);
    assert_eq!(section_names(&issue), ["Tools"]);
    assert_eq!(urls(&issue), ["https://bom.example.com/"]);
}

#[test]
fn draft_flag() {
    let issue = parse_fixture("issues/draft.md");
    assert!(issue.draft);
    assert_eq!(issue.number, 900);
}

fn error_of(name: &str) -> (usize, IssueErrorKind, String) {
    let err = issue::load(&fixture(name)).expect_err("fixture must fail");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{}:{}:", fixture(name).display(), err.line)),
        "{message} must start with file:line"
    );
    (err.line, err.kind, message)
}

#[test]
fn missing_date_is_an_error() {
    let (line, kind, _) = error_of("bad_issues/missing-date.md");
    assert_eq!(line, 1);
    assert!(matches!(kind, IssueErrorKind::MissingDate));
}

#[test]
fn malformed_link_url_names_its_line() {
    let (line, kind, message) = error_of("bad_issues/2013-01-06-101.md");
    assert_eq!(line, 13);
    assert!(matches!(kind, IssueErrorKind::MalformedUrl { .. }));
    assert!(
        message.contains("https://example.com:99999/broken"),
        "{message}"
    );
    let (line, kind, _) = error_of("bad_issues/2013-01-27-104.md");
    assert_eq!(line, 10);
    assert!(matches!(kind, IssueErrorKind::MalformedUrl { .. }));
}

#[test]
fn unterminated_front_matter_is_an_error() {
    let (line, kind, _) = error_of("bad_issues/2013-01-13-102.md");
    assert_eq!(line, 1);
    assert!(matches!(kind, IssueErrorKind::UnterminatedFrontMatter(_)));
}

#[test]
fn invalid_utf8_names_its_line() {
    let (line, kind, _) = error_of("bad_issues/2013-01-20-103.md");
    assert_eq!(line, 8);
    assert!(matches!(kind, IssueErrorKind::InvalidUtf8));
}

#[test]
fn a_folder_reports_every_failure_and_duplicate_numbers() {
    let results = issue::load_dir(&fixture("bad_issues")).unwrap();
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(Result::is_err));

    let dir = tempfile::tempdir().unwrap();
    let seed =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("issues/issue-344.md")).unwrap();
    std::fs::write(dir.path().join("a-344.md"), &seed).unwrap();
    std::fs::write(dir.path().join("b-344.md"), &seed).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not an issue").unwrap();
    let results = issue::load_dir(dir.path()).unwrap();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert!(matches!(
        err.kind,
        IssueErrorKind::DuplicateNumber { number: 344, .. }
    ));
}

#[test]
fn a_section_named_like_the_start_of_the_title_is_a_section() {
    let text = "---\ntitle: DevOps Weekly #345\ndate: 2017-08-06\n---\n\nIntro.\n\n## DevOps Weekly #345\n\nMore intro.\n\n## DevOps\n\nA post.\n\nhttps://a.example/\n";
    let issue = issue::parse(Path::new("345.md"), text.as_bytes()).unwrap();
    assert_eq!(section_names(&issue), ["DevOps"]);
    assert_eq!(issue.intro, "Intro.\n\nMore intro.");
}
