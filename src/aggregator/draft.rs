//! Writing the next issue: the accepted candidates, grouped by section, in
//! the markdown format [`crate::issue::parse`] reads.
//!
//! Each entry is written as one paragraph of blurb, a blank line, and a
//! link line `[url](url)`, as in the seed issue. A blurb is markdown and is
//! kept as the editor wrote it, except for what would stop it reading back
//! as the same blurb: each paragraph is written on one line (the parser
//! joins hard-wrapped lines anyway), a start that markdown would take for a
//! heading, list, quote, code fence or HTML is escaped, and a paragraph
//! that is nothing but a link is put in a code span so that it does not
//! become the entry's link line. [`blurb_markdown`] is that rewriting; it
//! leaves an ordinary blurb unchanged and is idempotent.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, SubsecRound, Utc};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use url::Url;

use crate::aggregator::sanitize;
use crate::config::Config;
use crate::issue::Issue;
use crate::store::Accepted;
use crate::text::collapse_whitespace;

/// Where an entry goes when the editor named no section.
pub const DEFAULT_SECTION: &str = "News";

/// How long a blurb made from a summary may get, in characters.
const SUMMARY_BLURB_LIMIT: usize = 300;

/// A candidate the editors accepted for the next issue.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedEntry {
    /// `None` (or blank) files it under [`DEFAULT_SECTION`].
    pub section: Option<String>,
    /// Markdown: the editor's, else [`blurb_from_summary`]; when empty, the
    /// title stands in.
    pub blurb: String,
    pub title: String,
    pub url: Url,
}

/// The number and section order of the issue to draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextIssue {
    pub number: u32,
    /// Section names in the order the latest issue has them.
    pub sections: Vec<String>,
}

impl NextIssue {
    /// The issue after `issues` (drafts included, since their numbers are
    /// taken): the highest number plus one, with the sections of the issue
    /// that has it. The first issue is number 1, with no order to follow.
    pub fn after(issues: &[Issue]) -> NextIssue {
        match issues.iter().max_by_key(|issue| issue.number) {
            Some(latest) => NextIssue {
                number: latest.number.saturating_add(1),
                sections: latest
                    .sections
                    .iter()
                    .map(|section| section.name.clone())
                    .collect(),
            },
            None => NextIssue {
                number: 1,
                sections: Vec::new(),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("no accepted candidate waits for an issue (see `newsroom review accept`)")]
    NothingAccepted,
    #[error("cannot create the folder {}: {source}", dir.display())]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create {} (an existing file is never overwritten: pass --out): {source}", file.display())]
    Create {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", file.display())]
    Write {
        file: PathBuf,
        source: std::io::Error,
    },
}

/// The next issue, ready to show or write: what `newsroom draft` and the
/// review page's draft preview both start from, so that they agree.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub next: NextIssue,
    pub title: String,
    /// Whole seconds: the front matter is for people to read.
    pub date: DateTime<Utc>,
    pub entries: Vec<AcceptedEntry>,
    /// The markdown [`render_draft`] makes of it.
    pub text: String,
}

impl Draft {
    /// The draft after `issues` of the `accepted` candidates, dated `now`.
    pub fn prepare(
        config: &Config,
        issues: &[Issue],
        accepted: &[Accepted],
        now: DateTime<Utc>,
    ) -> Draft {
        let next = NextIssue::after(issues);
        let date = now.trunc_subsecs(0);
        let entries: Vec<AcceptedEntry> = accepted.iter().map(AcceptedEntry::of).collect();
        let title = format!("{} #{}", config.newsletter.title, next.number);
        let text = render_draft(&next, &title, date.fixed_offset(), &entries);
        Draft {
            next,
            title,
            date,
            entries,
            text,
        }
    }

    /// Where `newsroom draft` writes it without `--out`:
    /// `{issues_dir}/{date}-{number}.md`.
    pub fn default_path(&self, config: &Config) -> PathBuf {
        let name = format!("{}-{}.md", self.date.format("%Y-%m-%d"), self.next.number);
        config.newsletter.issues_dir.join(name)
    }

    /// Writes the draft to `file` (else [`Draft::default_path`]), which
    /// must not exist: a draft the editors started on is never overwritten.
    /// Returns the path written.
    pub fn write(&self, config: &Config, file: Option<&Path>) -> Result<PathBuf, DraftError> {
        if self.entries.is_empty() {
            return Err(DraftError::NothingAccepted);
        }
        let file = file.map_or_else(|| self.default_path(config), Path::to_path_buf);
        write_new(&file, &self.text)?;
        Ok(file)
    }
}

impl AcceptedEntry {
    /// The editor's blurb, else one made from the summary (the title stands
    /// in when both are missing).
    pub fn of(accepted: &Accepted) -> AcceptedEntry {
        let candidate = &accepted.candidate;
        let blurb = accepted.blurb.clone().unwrap_or_else(|| {
            let summary = candidate.summary.as_deref().unwrap_or_default();
            blurb_from_summary(&sanitize::plain_text(summary))
        });
        AcceptedEntry {
            section: accepted.section.clone(),
            blurb,
            title: candidate.title.clone(),
            url: candidate.url.clone(),
        }
    }
}

fn write_new(file: &Path, text: &str) -> Result<(), DraftError> {
    if let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DraftError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
    }
    let mut handle = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .map_err(|source| DraftError::Create {
            file: file.to_path_buf(),
            source,
        })?;
    handle
        .write_all(text.as_bytes())
        .and_then(|()| handle.sync_all())
        .map_err(|source| DraftError::Write {
            file: file.to_path_buf(),
            source,
        })
}

/// The markdown of the draft issue: front matter (`title`, `date`,
/// `number`, `draft: true`), then one setext-headed section per section
/// name, in `next.sections` order, then the other sections in the order
/// their first entry was accepted. Sections without entries are left out;
/// section names match case-insensitively, the first spelling wins.
///
/// The issue parser ignores a heading that repeats the title (`## Issue
/// 75` under `title: Issue 75 - 10th June`), so a section named like the
/// start of `title` ("DevOps" under "DevOps Weekly #345") would read back
/// merged into the section before it.
pub fn render_draft(
    next: &NextIssue,
    title: &str,
    date: DateTime<FixedOffset>,
    accepted: &[AcceptedEntry],
) -> String {
    let mut out = format!(
        "---\ntitle: {}\ndate: {}\nnumber: {}\ndraft: true\n---\n",
        yaml_title(title),
        date.to_rfc3339(),
        next.number
    );
    for (name, entries) in group_by_section(&next.sections, accepted) {
        let heading = heading_markdown(&name);
        let underline = "=".repeat(heading.chars().count().max(4));
        out.push_str(&format!("\n{heading}\n{underline}\n"));
        for entry in entries {
            out.push_str(&format!(
                "\n{}\n\n[{}]({})\n\n",
                blurb_markdown(entry),
                escape_inline(entry.url.as_str()),
                escape_destination(entry.url.as_str()),
            ));
        }
    }
    // One newline at the end, not the blank lines entries are spaced with.
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The blurb paragraph [`render_draft`] writes for `entry`, and so the
/// blurb that parsing the draft gives back (see the module documentation).
pub fn blurb_markdown(entry: &AcceptedEntry) -> String {
    let blurb = paragraphs(&entry.blurb);
    if !blurb.is_empty() {
        return blurb;
    }
    let title = paragraph(&escape_inline(&entry.title));
    if !title.is_empty() {
        return title;
    }
    // Without blurb or title the entry would be a lone link line, which the
    // parser files under the entry above it.
    code_span(entry.url.as_str())
}

/// A blurb made from a candidate's plain-text summary: its first sentence,
/// and the second too while both fit in about 300 characters; a first
/// sentence longer than that is cut at a word and ends with `…`. The text is
/// escaped, so that markdown shows it as it was.
pub fn blurb_from_summary(summary: &str) -> String {
    let text = collapse_whitespace(summary);
    let mut ends = sentence_ends(&text);
    let blurb = match (ends.next(), ends.next()) {
        (Some(_), Some(second)) if text[..second].chars().count() <= SUMMARY_BLURB_LIMIT => {
            &text[..second]
        }
        (Some(first), _) if text[..first].chars().count() <= SUMMARY_BLURB_LIMIT => &text[..first],
        _ => return escape_inline(&cut_at_word(&text, SUMMARY_BLURB_LIMIT)),
    };
    escape_inline(blurb)
}

/// Byte offsets just past each sentence of `text`: a `.`, `!` or `?` (and
/// any closing quotes or brackets) followed by a space, or the end.
fn sentence_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((at, c)) = chars.next() {
            if !matches!(c, '.' | '!' | '?' | '…') {
                continue;
            }
            let mut end = at + c.len_utf8();
            while let Some(&(at, c)) = chars.peek() {
                if !matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '.' | '!' | '?') {
                    break;
                }
                end = at + c.len_utf8();
                chars.next();
            }
            if chars.peek().is_none_or(|&(_, c)| c == ' ') {
                return Some(end);
            }
        }
        None
    })
}

/// The longest start of `text` that ends at a word and, with `…`, fits in
/// `limit` characters.
fn cut_at_word(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let hard_end = text
        .char_indices()
        .nth(limit.saturating_sub(1))
        .map_or(text.len(), |(at, _)| at);
    let end = text[..hard_end].rfind(' ').unwrap_or(hard_end);
    let kept = text[..end].trim_end_matches([' ', ',', ';', ':', '-']);
    format!("{kept}…")
}

/// Entries grouped by section name, in draft order.
/// The section an entry filed under `section` goes to: blanks collapsed,
/// [`DEFAULT_SECTION`] when none. Names that differ only in case are one
/// section.
pub fn section_name(section: Option<&str>) -> String {
    section
        .map(collapse_whitespace)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_SECTION.to_string())
}

/// The entries of `accepted` by section, as [`render_draft`] writes them:
/// sections in `order` first, then the others in the order their first
/// entry comes; empty sections left out.
pub fn group_by_section<'a>(
    order: &[String],
    accepted: &'a [AcceptedEntry],
) -> Vec<(String, Vec<&'a AcceptedEntry>)> {
    let mut groups: Vec<(String, Vec<&AcceptedEntry>)> = order
        .iter()
        .map(|name| (name.clone(), Vec::new()))
        .collect();
    for entry in accepted {
        let name = section_name(entry.section.as_deref());
        let key = name.to_lowercase();
        match groups
            .iter_mut()
            .find(|(known, _)| known.to_lowercase() == key)
        {
            Some((_, entries)) => entries.push(entry),
            None => groups.push((name, vec![entry])),
        }
    }
    groups.retain(|(_, entries)| !entries.is_empty());
    groups
}

/// Markdown that reads back as the blurb `markdown`, a line a paragraph.
/// Prose that carries a link and is followed by more prose is an entry of
/// its own to the parser (the older inline style of issues), so a blurb
/// with a link before its last paragraph is joined into one.
fn paragraphs(markdown: &str) -> String {
    let mut parts: Vec<String> = vec![String::new()];
    for line in markdown.lines() {
        match parts.last_mut() {
            Some(part) if !line.trim().is_empty() => {
                part.push(' ');
                part.push_str(line);
            }
            _ => parts.push(String::new()),
        }
    }
    parts.retain(|part| !part.trim().is_empty());
    // Judged on what the editor wrote, so that a lone link stays a link
    // rather than becoming code, and on what is written: escaping
    // `[id]: http://...` turns a link definition into prose with a URL.
    let written: Vec<String> = parts.iter().map(|part| paragraph(part)).collect();
    let mut earlier = parts.iter().zip(&written).rev().skip(1);
    if earlier.any(|(part, written)| may_link(part) || may_link(written)) {
        paragraph(&parts.join(" "))
    } else {
        written.join("\n\n")
    }
}

/// Whether the parser may find a link in the paragraph `markdown`: a
/// markdown link, or `://` in its text once escapes and entities are read
/// (`http:\//` is a URL to it). Errs on the side of yes: the price of a
/// wrong yes is one paragraph.
fn may_link(markdown: &str) -> bool {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Link { .. }) => return true,
            Event::Text(inner) => text.push_str(&inner),
            _ => {}
        }
    }
    text.contains("://")
}

/// One line of markdown that reads back as the paragraph `markdown`.
fn paragraph(markdown: &str) -> String {
    let line = collapse_whitespace(markdown);
    // Judged on what would be written: an escape can turn HTML into text
    // that looks like a URL (`\<div>://`).
    let escaped = escape_block_start(&line);
    if is_link_shaped(&escaped) {
        code_span(&line)
    } else {
        escaped
    }
}

/// Escapes the start of a line that markdown would read as the start of a
/// block other than a paragraph.
fn escape_block_start(line: &str) -> String {
    let starts_block = |marker: usize| {
        let rest = &line[marker..];
        rest.is_empty() || rest.starts_with(' ')
    };
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let first = line.chars().next();
    let escape_at = match first {
        // Headings, quotes, HTML blocks, fences: escaping their first
        // character costs nothing when they were not one.
        Some('#' | '>' | '<') => Some(0),
        // A backtick fence's info string holds no backtick: a line like
        // "``` x`` ```" is a code span, as `code_span` writes them.
        Some('`') if line.starts_with("```") && !line.trim_start_matches('`').contains('`') => {
            Some(0)
        }
        Some('~') if line.starts_with("~~~") => Some(0),
        // Bullets and thematic breaks (`- x`, `***`, `_ _ _`).
        Some('-' | '+' | '*') if starts_block(1) => Some(0),
        Some('-' | '*' | '_') if is_thematic_break(line) => Some(0),
        // A link reference definition (`[id]: url`) would vanish.
        Some('[') if line.contains("]:") => Some(0),
        // An ordered list item: `1. x`, `2) x`.
        Some('0'..='9')
            if (1..=9).contains(&digits)
                && matches!(line.as_bytes().get(digits), Some(b'.' | b')'))
                && starts_block(digits + 1) =>
        {
            Some(digits)
        }
        _ => None,
    };
    match escape_at {
        Some(at) => format!("{}\\{}", &line[..at], &line[at..]),
        None => line.to_string(),
    }
}

fn is_thematic_break(line: &str) -> bool {
    let marks: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3
        && marks
            .chars()
            .all(|c| marks.starts_with(c) && matches!(c, '-' | '*' | '_'))
}

/// Whether the issue parser would take the one-line paragraph `line` for a
/// link line (a lone link, however emphasised; a bare URL; or text shaped
/// like a broken link, which it rejects). Errs on the side of yes: the
/// price of a wrong yes is a code span.
fn is_link_shaped(line: &str) -> bool {
    let mut links = 0;
    let mut depth = 0;
    let mut other = false;
    let mut text = String::new();
    for event in Parser::new(line) {
        match event {
            Event::Start(Tag::Link { .. }) => {
                links += usize::from(depth == 0);
                depth += 1;
            }
            Event::End(TagEnd::Link) => depth -= 1,
            _ if depth > 0 => {}
            // The parser drops the events that are only spaces before it
            // looks at the text, so `https://* *a` is a bare URL to it.
            Event::Text(inner) if inner.trim().is_empty() => {}
            Event::Text(inner) => text.push_str(&inner),
            Event::Start(Tag::Paragraph | Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(_)
            | Event::SoftBreak
            | Event::HardBreak => {}
            _ => other = true,
        }
    }
    let text = text.trim();
    match (links, other) {
        (1, false) => text.is_empty(),
        (0, false) => {
            (text.contains("://") && !text.contains(char::is_whitespace))
                || (text.starts_with('[') && text.contains("](") && text.ends_with(')'))
                || (text.starts_with('<') && text.ends_with('>') && text.contains("://"))
        }
        _ => false,
    }
}

/// `text` as inline code, fenced by one more backtick than its longest run.
fn code_span(text: &str) -> String {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    // A space on each side is stripped again, and lets the content start or
    // end with a backtick.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Plain text as markdown that shows it unchanged inside a paragraph.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A URL as a link destination between `(` and `)`: backslash escapes and
/// entities are decoded there, and parentheses must balance.
fn escape_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if matches!(c, '\\' | '(' | ')' | '&' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A section name as the text of a setext heading.
fn heading_markdown(name: &str) -> String {
    escape_block_start(&escape_inline(&collapse_whitespace(name)))
}

/// The title as a double-quoted YAML scalar holding markdown (the parser
/// removes markdown escapes from titles, so backslashes are doubled first).
fn yaml_title(title: &str) -> String {
    let markdown = collapse_whitespace(title).replace('\\', "\\\\");
    format!(
        "\"{}\"",
        markdown.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(section: Option<&str>, blurb: &str, url: &str) -> AcceptedEntry {
        AcceptedEntry {
            section: section.map(str::to_string),
            blurb: blurb.to_string(),
            title: "A title".to_string(),
            url: Url::parse(url).unwrap(),
        }
    }

    fn blurb(text: &str) -> String {
        blurb_markdown(&entry(None, text, "https://example.org/"))
    }

    #[test]
    fn ordinary_blurbs_are_kept_as_written() {
        for text in [
            "A great post about *debugging* with [eBPF](https://ebpf.io/) and `perf`.",
            "Été: a post in français, 日本語 and emoji 🚀.",
            "2017 was a year. #hashtags mid-line are fine - so are dashes.",
            "_Emphasis_ at the start, and **strong**.",
        ] {
            assert_eq!(blurb(text), text);
        }
    }

    #[test]
    fn block_starts_are_escaped() {
        for (text, expected) in [
            ("# Not a heading", r"\# Not a heading"),
            ("#hashtag", r"\#hashtag"),
            ("- not a list", r"\- not a list"),
            ("* not a list", r"\* not a list"),
            ("+ not a list", r"\+ not a list"),
            ("1. not a list", r"1\. not a list"),
            ("12) not a list", r"12\) not a list"),
            ("> not a quote", r"\> not a quote"),
            ("<div>not html</div>", r"\<div>not html</div>"),
            ("```not code", r"\```not code"),
            ("~~~not code", r"\~~~not code"),
            ("***", r"\***"),
            ("_ _ _", r"\_ _ _"),
            ("[id]: https://example.org/", r"\[id]: https://example.org/"),
            ("1.5 times faster", "1.5 times faster"),
            ("-1 is a number", "-1 is a number"),
        ] {
            assert_eq!(blurb(text), expected, "{text}");
            assert_eq!(blurb(expected), expected, "idempotent on {expected}");
        }
    }

    #[test]
    fn lone_links_become_code() {
        for (text, expected) in [
            ("https://example.org/a", "`https://example.org/a`"),
            ("<https://example.org/a>", "`<https://example.org/a>`"),
            (
                "[a post](https://example.org/a)",
                "`[a post](https://example.org/a)`",
            ),
            (
                "**[a post](https://example.org/a)**",
                "`**[a post](https://example.org/a)**`",
            ),
            ("a`b://c", "``a`b://c``"),
            ("https://``", "``` https://`` ```"),
            ("https://* *a", "`https://* *a`"),
            ("<div>://", "`<div>://`"),
        ] {
            assert_eq!(blurb(text), expected, "{text}");
            assert_eq!(blurb(expected), expected, "idempotent on {expected}");
        }
    }

    #[test]
    fn paragraphs_get_a_line_each_and_empty_blurbs_fall_back() {
        assert_eq!(blurb("  one\ntwo  \n \n\n three \n"), "one two\n\nthree");
        assert_eq!(
            blurb("See https://example.org/a\n\nfor more"),
            "See https://example.org/a for more"
        );
        assert_eq!(
            blurb("[A](https://example.org/a)\n\nfor more"),
            "[A](https://example.org/a) for more"
        );
        assert_eq!(
            blurb("http:\\//a.example/ b\n\nc"),
            r"http:\//a.example/ b c"
        );
        assert_eq!(
            blurb("[id]: https://example.org/a\n\nmore"),
            r"\[id]: https://example.org/a more"
        );
        assert_eq!(
            blurb("# one\n\nhttps://example.org/a"),
            "\\# one\n\n`https://example.org/a`"
        );
        let mut untitled = entry(None, " \n", "https://example.org/x");
        untitled.title = "The *real* title".into();
        assert_eq!(blurb_markdown(&untitled), r"The \*real\* title");
        untitled.title = String::new();
        assert_eq!(blurb_markdown(&untitled), "`https://example.org/x`");
    }

    #[test]
    fn summary_blurbs_take_one_or_two_sentences() {
        assert_eq!(
            blurb_from_summary("First one.  Second  one!\nThird one? Fourth."),
            "First one. Second one!"
        );
        assert_eq!(blurb_from_summary("No full stop"), "No full stop");
        assert_eq!(
            blurb_from_summary("Version 1.2 is out. It is \"great.\" Really."),
            "Version 1.2 is out. It is \"great.\""
        );
        let long_second = format!("Short first. {}.", "word ".repeat(80));
        assert_eq!(blurb_from_summary(&long_second), "Short first.");
        assert_eq!(
            blurb_from_summary("Uses *stars* and [1]."),
            r"Uses \*stars\* and \[1\]."
        );
    }

    #[test]
    fn long_summaries_are_cut_at_a_word() {
        let text = "supercalifragilistic ".repeat(30);
        let cut = blurb_from_summary(&text);
        assert!(cut.chars().count() <= SUMMARY_BLURB_LIMIT, "{cut}");
        assert!(cut.ends_with("supercalifragilistic…"), "{cut}");
        let unbroken = "x".repeat(400);
        assert_eq!(
            blurb_from_summary(&unbroken).chars().count(),
            SUMMARY_BLURB_LIMIT
        );
    }

    #[test]
    fn sections_follow_the_last_issue_then_first_use() {
        let order = ["Sponsor", "News", "Tools"].map(String::from);
        let accepted = [
            entry(Some("Events"), "e", "https://example.org/1"),
            entry(Some("tools"), "t", "https://example.org/2"),
            entry(None, "n", "https://example.org/3"),
            entry(Some("Cloud"), "c", "https://example.org/4"),
            entry(Some(" events "), "e2", "https://example.org/5"),
        ];
        let groups: Vec<(String, usize)> = group_by_section(&order, &accepted)
            .into_iter()
            .map(|(name, entries)| (name, entries.len()))
            .collect();
        assert_eq!(
            groups,
            [
                ("News".to_string(), 1),
                ("Tools".to_string(), 1),
                ("Events".to_string(), 2),
                ("Cloud".to_string(), 1)
            ]
        );
    }
}
