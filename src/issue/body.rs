//! The markdown body of an issue: intro, sections, entries, footer.
//!
//! pulldown-cmark finds the blocks (headings, paragraphs, list items) and the
//! links inside them; this module decides what each block is. A paragraph's
//! physical lines are looked at one by one, because a link line may follow
//! its blurb without a blank line and still closes the entry. A body of
//! nothing but headings, prose and link lines is read without pulldown-cmark
//! ([`simple`]), to the same blocks.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use url::Url;

use super::file_name::number_in_title;
use super::{Entry, IssueErrorKind, Link, Section};
use crate::lines::LineIndex;

mod simple;

type Failure = (usize, IssueErrorKind);

#[derive(Debug, Default, PartialEq)]
pub struct Body {
    pub intro: String,
    pub sections: Vec<Section>,
    pub footer: Option<String>,
}

/// A top-level block of the body, in the terms an issue is made of. Its
/// markdown is borrowed from the file's text: most of it ends up in a blurb
/// unchanged, and is copied once, there.
enum Block<'a> {
    Heading {
        text: String,
        line: usize,
    },
    /// A paragraph, or one item of a list (`own_entry`).
    Lines {
        lines: Vec<Line<'a>>,
        own_entry: bool,
    },
    /// Code, quotes, tables, HTML: kept verbatim in the blurb they are part of.
    Raw {
        markdown: &'a str,
        line: usize,
    },
}

struct Line<'a> {
    markdown: &'a str,
    number: usize,
    kind: LineKind,
}

enum LineKind {
    /// A line that is nothing but one link: it closes an entry.
    Link(Link),
    /// Prose, with the http(s) links found in it.
    Text(Vec<Link>),
}

/// Parses the body, which starts at byte `start` of `text`.
pub fn parse(text: &str, start: usize, title: &str, number: u32) -> Result<Body, Failure> {
    let blocks = match simple::blocks(text, start) {
        Some(blocks) => blocks,
        None => blocks(text, start, &LineIndex::new(text))?,
    };
    Ok(assemble(blocks, title, number))
}

fn blocks<'a>(text: &'a str, start: usize, index: &LineIndex) -> Result<Vec<Block<'a>>, Failure> {
    let body = &text[start..];
    // About one event per 16 bytes of a typical issue; sizing up front
    // spares the repeated growth of a collect.
    let mut events: Vec<(Event, Range<usize>)> = Vec::with_capacity(body.len() / 16);
    events.extend(
        Parser::new_ext(body, Options::empty())
            .into_offset_iter()
            .map(|(event, range)| (event, range.start + start..range.end + start)),
    );

    let mut blocks = Vec::new();
    let mut at = 0;
    while at < events.len() {
        let (event, range) = &events[at];
        let end = end_of_block(&events, at);
        match event {
            Event::Start(Tag::Heading { .. }) => {
                let text = plain_text(&events[at + 1..end]);
                blocks.push(Block::Heading {
                    text: text.trim().to_string(),
                    line: index.line(range.start),
                });
            }
            Event::Start(Tag::Paragraph) => blocks.push(Block::Lines {
                lines: lines(text, range.clone(), &events[at + 1..end], index, false)?,
                own_entry: false,
            }),
            Event::Start(Tag::List(_)) => {
                let mut item = at + 1;
                while item < end {
                    let item_end = end_of_block(&events, item);
                    let item_range = events[item].1.clone();
                    blocks.push(Block::Lines {
                        lines: lines(text, item_range, &events[item + 1..item_end], index, true)?,
                        own_entry: true,
                    });
                    item = item_end + 1;
                }
            }
            Event::Start(Tag::HtmlBlock) | Event::Html(_)
                if text[range.clone()].trim_start().starts_with("<!--") => {}
            Event::Rule => {}
            _ => {
                let markdown = text[range.clone()].trim();
                if !markdown.is_empty() {
                    blocks.push(Block::Raw {
                        markdown,
                        line: index.line(range.start),
                    });
                }
            }
        }
        at = end + 1;
    }
    Ok(blocks)
}

/// The index of the event that closes the block opened at `at` (or `at`
/// itself for a block that is a single event).
fn end_of_block(events: &[(Event, Range<usize>)], at: usize) -> usize {
    if !matches!(events[at].0, Event::Start(_)) {
        return at;
    }
    let mut depth = 0usize;
    for (offset, (event, _)) in events[at..].iter().enumerate() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return at + offset;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

fn plain_text(events: &[(Event, Range<usize>)]) -> String {
    events
        .iter()
        .filter_map(|(event, _)| match event {
            Event::Text(text) | Event::Code(text) => Some(text.as_ref()),
            Event::SoftBreak | Event::HardBreak => Some(" "),
            _ => None,
        })
        .collect()
}

/// What the events that start on one physical line amount to.
enum Atom<'a> {
    Link {
        url: &'a str,
        /// Borrowed while the link text is one event, as it nearly always is.
        text: Cow<'a, str>,
        ends_on_line: bool,
    },
    Text(&'a str),
    Other,
}

/// Splits the block at `range` into its physical lines and classifies each.
fn lines<'t, 'e>(
    text: &'t str,
    range: Range<usize>,
    events: &'e [(Event<'e>, Range<usize>)],
    index: &LineIndex,
    list_item: bool,
) -> Result<Vec<Line<'t>>, Failure> {
    // Physical lines of the block, with their absolute start offsets.
    let block = &text[range.clone()];
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(8);
    let mut offset = range.start;
    for newline in memchr::memchr_iter(b'\n', block.as_bytes()) {
        spans.push(offset..range.start + newline);
        offset = range.start + newline + 1;
    }
    spans.push(offset..range.end);
    let line_at = |offset: usize| {
        spans
            .partition_point(|span| span.end < offset)
            .min(spans.len() - 1)
    };

    // The atoms of every line in one list, each with the index of its line:
    // events come in source order, so a line's atoms are one stretch of it.
    let mut atoms: Vec<(usize, Atom<'e>)> = Vec::with_capacity(events.len());
    // The atom of the outermost link being read, which its text goes to.
    let mut open_link = None;
    let mut link_depth = 0;
    for (event, event_range) in events {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if link_depth == 0 {
                    let slot = line_at(event_range.start);
                    open_link = Some(atoms.len());
                    atoms.push((
                        slot,
                        Atom::Link {
                            url: dest_url.as_ref(),
                            text: Cow::Borrowed(""),
                            ends_on_line: event_range.end <= spans[slot].end,
                        },
                    ));
                }
                link_depth += 1;
            }
            Event::End(TagEnd::Link) => link_depth -= 1,
            Event::Text(inner) | Event::Code(inner) if link_depth > 0 => {
                if let Some((_, Atom::Link { text, .. })) = open_link.map(|at| &mut atoms[at]) {
                    match text {
                        Cow::Borrowed("") => *text = Cow::Borrowed(inner.as_ref()),
                        text => text.to_mut().push_str(inner),
                    }
                }
            }
            Event::Text(inner) => {
                atoms.push((line_at(event_range.start), Atom::Text(inner.as_ref())));
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Paragraph)
            | Event::End(_)
            | Event::SoftBreak
            | Event::HardBreak => {}
            _ if link_depth > 0 => {}
            _ => atoms.push((line_at(event_range.start), Atom::Other)),
        }
    }

    let mut lines = Vec::with_capacity(spans.len());
    // The block's lines are consecutive lines of the file.
    let first_number = index.line(range.start);
    let mut rest = atoms.as_slice();
    for (slot, span) in spans.iter().enumerate() {
        let count = rest.iter().take_while(|(at, _)| *at == slot).count();
        let (on_line, after) = rest.split_at(count);
        rest = after;
        let raw = &text[span.clone()];
        let markdown = if list_item {
            strip_list_marker(raw)
        } else {
            raw.trim()
        };
        if markdown.is_empty() {
            continue;
        }
        let number = first_number + slot;
        let kind = classify(on_line, markdown).map_err(|kind| (number, kind))?;
        lines.push(Line {
            markdown,
            number,
            kind,
        });
    }
    Ok(lines)
}

/// What one physical line is, from the atoms that start on it and its
/// source text (`raw`, trimmed); each atom comes with the index of its line.
fn classify(atoms: &[(usize, Atom<'_>)], raw: &str) -> Result<LineKind, IssueErrorKind> {
    let atoms = atoms.iter().map(|(_, atom)| atom);
    let mut meaningful = atoms
        .clone()
        .filter(|atom| !matches!(atom, Atom::Text(text) if text.trim().is_empty()));
    let first = meaningful.next();
    let only_one = meaningful.clone().next().is_none();
    if let (
        Some(Atom::Link {
            url,
            text,
            ends_on_line: true,
        }),
        true,
    ) = (first, only_one)
    {
        let url = link_url(url)?;
        let text = text.trim();
        let text = (!text.is_empty()
            && text != url.as_str()
            && text != url.as_str().trim_end_matches('/'))
        .then(|| text.to_string());
        return Ok(LineKind::Link(Link { url, text }));
    }
    let all_text = first.is_some()
        && std::iter::once(first)
            .flatten()
            .chain(meaningful)
            .all(|atom| matches!(atom, Atom::Text(_)));
    // A line of plain text is its source; looking at that spares joining
    // the text events of every line of prose.
    if all_text {
        if looks_like_bare_url(raw) {
            return Ok(LineKind::Link(Link {
                url: link_url(raw)?,
                text: None,
            }));
        }
        // `www.example.com/path` alone on its line: a link without a scheme.
        if raw.starts_with("www.") && raw.len() > 4 && !raw.contains(char::is_whitespace) {
            if let Ok(url) = Url::parse(&format!("http://{raw}")) {
                return Ok(LineKind::Link(Link { url, text: None }));
            }
        }
        // pulldown-cmark leaves a link it could not read as text; a line
        // that is shaped like one is a link the editor got wrong.
        let is_broken_link = (raw.starts_with('[') && raw.contains("](") && raw.ends_with(')'))
            || (raw.starts_with('<') && raw.ends_with('>') && raw.contains("://"));
        if is_broken_link {
            return Err(IssueErrorKind::MalformedUrl {
                url: raw.to_string(),
                reason: "not a markdown link: a URL may not contain spaces".into(),
            });
        }
    }
    let mut links = Vec::new();
    for atom in atoms {
        match atom {
            Atom::Link { url, .. } => links.extend(
                Url::parse(url)
                    .ok()
                    .filter(is_web)
                    .map(|url| Link { url, text: None }),
            ),
            Atom::Text(text) => links.extend(urls_in_prose(text)),
            Atom::Other => {}
        }
    }
    Ok(LineKind::Text(links))
}

/// One token that starts with a URL scheme: the editor meant a link line.
fn looks_like_bare_url(line: &str) -> bool {
    // The scheme is the run of scheme characters the line starts with:
    // measuring it spares a substring search on every line of prose.
    let scheme = line
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
        .count();
    scheme > 0 && line[scheme..].starts_with("://") && !line.contains(char::is_whitespace)
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host().is_some()
}

/// The URL of a link line: absolute, and one a reader can follow.
fn link_url(text: &str) -> Result<Url, IssueErrorKind> {
    let malformed = |reason: String| IssueErrorKind::MalformedUrl {
        url: text.to_string(),
        reason,
    };
    let url = Url::parse(text.trim()).map_err(|err| malformed(err.to_string()))?;
    match url.scheme() {
        "http" | "https" | "ftp" if url.host().is_some() => Ok(url),
        "mailto" => Ok(url),
        "http" | "https" | "ftp" => Err(malformed("no host".into())),
        scheme => Err(malformed(format!("unsupported scheme `{scheme}:`"))),
    }
}

/// A searcher for `www.`, made once: making one costs more than most
/// searches.
static WWW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("www."));

/// Links written inside a sentence: bare http(s) URLs, `www.` addresses
/// without a scheme, and e-mail addresses (job ads often give nothing else).
fn urls_in_prose(text: &str) -> impl Iterator<Item = Link> + '_ {
    // Most prose has none of these; skip the word split for it. `w` is too
    // common a letter to look at each: `www.` is searched for whole.
    let bytes = text.as_bytes();
    let may_have_links = memchr::memchr2_iter(b':', b'@', bytes)
        .any(|at| bytes[at] == b'@' || bytes[at..].starts_with(b"://"))
        || WWW.find(bytes).is_some();
    let text = if may_have_links { text } else { "" };
    text.split_whitespace().filter_map(|word| {
        let word = word
            .trim_start_matches(['(', '<', '"', '\''])
            .trim_end_matches(['.', ',', ';', ':', ')', '>', '!', '?', '"', '\'']);
        let url = if word.starts_with("http://") || word.starts_with("https://") {
            Url::parse(word).ok().filter(is_web)?
        } else if word.starts_with("www.") && word.len() > 4 {
            Url::parse(&format!("http://{word}")).ok().filter(is_web)?
        } else if is_email(word) {
            let url = Url::parse(&format!("mailto:{word}")).ok()?;
            return Some(Link {
                url,
                text: Some(word.to_string()),
            });
        } else {
            return None;
        };
        Some(Link { url, text: None })
    })
}

fn is_email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    local_ok
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

fn strip_list_marker(line: &str) -> &str {
    let line = line.trim();
    for marker in ["* ", "- ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    match &line.as_bytes()[digits..] {
        [b'.' | b')', b' ', ..] if digits > 0 => line[digits + 2..].trim_start(),
        _ => line,
    }
}

/// Whether a heading only repeats the issue's title (`## Issue 75 - 10th
/// June` under `title: Issue 75 - 10th June 2012`).
fn is_title_heading(heading: &str, title: &str, number: u32) -> bool {
    fn squash(text: &str) -> impl Iterator<Item = char> + '_ {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
    }
    // A heading that merely starts like the title ("DevOps" under "DevOps
    // Weekly #345") is a real section; only the number or the whole title
    // make it a repeat.
    number_in_title(heading) == Some(number) || squash(heading).eq(squash(title))
}

/// A stretch of one block: prose lines joined into one paragraph, or the
/// link lines that follow it. A paragraph of one line stays borrowed.
enum Run<'a> {
    Text {
        markdown: Cow<'a, str>,
        links: Vec<Link>,
        line: usize,
    },
    Links {
        links: Vec<Link>,
        line: usize,
    },
}

fn runs(lines: Vec<Line<'_>>) -> Vec<Run<'_>> {
    let mut runs: Vec<Run> = Vec::new();
    for line in lines {
        match (line.kind, runs.last_mut()) {
            (LineKind::Link(link), Some(Run::Links { links, .. })) => links.push(link),
            (LineKind::Link(link), _) => runs.push(Run::Links {
                links: vec![link],
                line: line.number,
            }),
            (
                LineKind::Text(found),
                Some(Run::Text {
                    markdown, links, ..
                }),
            ) => {
                // Hard-wrapped lines are one paragraph.
                let markdown = markdown.to_mut();
                markdown.push(' ');
                markdown.push_str(line.markdown);
                links.extend(found);
            }
            (LineKind::Text(found), _) => runs.push(Run::Text {
                markdown: Cow::Borrowed(line.markdown),
                links: found,
                line: line.number,
            }),
        }
    }
    runs
}

/// Text waiting for the link line that makes it an entry.
#[derive(Default)]
struct Pending<'a> {
    paragraphs: Vec<Cow<'a, str>>,
    links: Vec<Link>,
    line: Option<usize>,
}

impl<'a> Pending<'a> {
    fn push(&mut self, markdown: Cow<'a, str>, line: usize, links: Vec<Link>) {
        self.paragraphs.push(markdown);
        self.links.extend(links);
        self.line.get_or_insert(line);
    }

    fn take(&mut self) -> Option<(String, Vec<Link>, usize)> {
        let line = self.line.take()?;
        // Most blurbs are one paragraph: it becomes the blurb as it is.
        let blurb = match self.paragraphs.as_slice() {
            [_] => self
                .paragraphs
                .pop()
                .map(Cow::into_owned)
                .unwrap_or_default(),
            paragraphs => {
                let blurb = paragraphs.join("\n\n");
                self.paragraphs.clear();
                blurb
            }
        };
        Some((blurb, std::mem::take(&mut self.links), line))
    }
}

#[derive(Default)]
struct Assembly<'a> {
    intro: Vec<Cow<'a, str>>,
    sections: Vec<Section>,
    pending: Pending<'a>,
}

impl<'a> Assembly<'a> {
    /// Turns what is pending into an entry of its own, its links being the
    /// ones written inside its text (there may be none).
    fn flush(&mut self) {
        if let Some((blurb, links, line)) = self.pending.take() {
            match self.sections.last_mut() {
                Some(section) => section.entries.push(Entry { blurb, links, line }),
                None => self.intro.push(Cow::Owned(blurb)),
            }
        }
    }

    /// At a section's end, prose without a link of its own is the tail of
    /// the entry above (a "ps.", a deadline, a contact line); only in a
    /// section with no entry yet does it stand alone.
    fn close_section(&mut self) {
        let has_entry = self
            .sections
            .last()
            .is_some_and(|section| !section.entries.is_empty());
        if has_entry && self.pending.links.is_empty() {
            if let Some((blurb, _, _)) = self.pending.take() {
                self.append_to_last_entry(&blurb);
            }
        } else {
            self.flush();
        }
    }

    fn add_links(&mut self, links: Vec<Link>, line: usize) {
        let Some(section) = self.sections.last_mut() else {
            return;
        };
        match self.pending.take() {
            Some((blurb, _, line)) => section.entries.push(Entry { blurb, links, line }),
            // A link line after a blank line still belongs to the entry above.
            None => match section.entries.last_mut() {
                Some(entry) => entry.links.extend(links),
                None => section.entries.push(Entry {
                    blurb: String::new(),
                    links,
                    line,
                }),
            },
        }
    }

    fn lines(&mut self, lines: Vec<Line<'a>>) {
        let mut linked = false;
        for run in runs(lines) {
            match run {
                Run::Links { links, line } => {
                    self.add_links(links, line);
                    linked = true;
                }
                // Prose straight under a link line, with no blank line in
                // between, is the tail of that entry (a contact, a deadline).
                Run::Text { markdown, .. } if linked && self.append_to_last_entry(&markdown) => {}
                Run::Text {
                    markdown,
                    links,
                    line,
                } => {
                    // Prose that carries its own links, followed by more
                    // prose, is an entry in the older inline style.
                    if !self.pending.links.is_empty() {
                        self.flush();
                    }
                    self.pending.push(markdown, line, links);
                }
            }
        }
    }

    fn append_to_last_entry(&mut self, markdown: &str) -> bool {
        let Some(entry) = self
            .sections
            .last_mut()
            .and_then(|section| section.entries.last_mut())
        else {
            return false;
        };
        if !entry.blurb.is_empty() {
            entry.blurb.push_str("\n\n");
        }
        entry.blurb.push_str(markdown);
        true
    }
}

fn assemble(blocks: Vec<Block<'_>>, title: &str, number: u32) -> Body {
    let has_sections = blocks.iter().any(|block| {
        matches!(block, Block::Heading { text, .. } if !text.is_empty() && !is_title_heading(text, title, number))
    });
    let mut assembly = Assembly::default();
    let mut blocks = blocks.into_iter().peekable();
    if !has_sections {
        // No headings at all: the first block is the intro if it is prose
        // alone, and everything else is filed under one section.
        if let Some(Block::Lines { lines, .. }) = blocks.peek() {
            if lines
                .iter()
                .all(|line| matches!(line.kind, LineKind::Text(_)))
            {
                let lines = lines.iter().map(|line| line.markdown).collect::<Vec<_>>();
                assembly.intro.push(Cow::Owned(lines.join(" ")));
                blocks.next();
            }
        }
        assembly.sections.push(Section {
            name: "Links".into(),
            entries: Vec::new(),
            line: 1,
        });
    }
    for block in blocks {
        match block {
            Block::Heading { text, line } => {
                if text.is_empty() || is_title_heading(&text, title, number) {
                    continue;
                }
                assembly.close_section();
                assembly.sections.push(Section {
                    name: text,
                    entries: Vec::new(),
                    line,
                });
            }
            Block::Lines { lines, own_entry } => {
                if assembly.sections.is_empty() {
                    let text = lines.iter().map(|line| line.markdown).collect::<Vec<_>>();
                    assembly.intro.push(Cow::Owned(text.join(" ")));
                    continue;
                }
                if own_entry {
                    assembly.flush();
                }
                assembly.lines(lines);
                if own_entry {
                    assembly.flush();
                }
            }
            Block::Raw { markdown, line } => match assembly.sections.is_empty() {
                true => assembly.intro.push(Cow::Borrowed(markdown)),
                false => assembly
                    .pending
                    .push(Cow::Borrowed(markdown), line, Vec::new()),
            },
        }
    }
    // What follows the last entry is the footer, unless the last section
    // would be left without an entry.
    let last_has_entries = assembly
        .sections
        .last()
        .is_some_and(|section| !section.entries.is_empty());
    let footer = if last_has_entries {
        assembly.pending.take().map(|(footer, _, _)| footer)
    } else {
        assembly.flush();
        None
    };
    Body {
        intro: assembly.intro.join("\n\n"),
        sections: assembly.sections,
        footer,
    }
}
