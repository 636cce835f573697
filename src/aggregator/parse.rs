//! Turning a fetched feed document into [`Item`]s.
//!
//! feed-rs reads RSS 0.9x/1.0/2.0, Atom and JSON Feed into its own model;
//! this module is the one adapter from that model to ours (as Miniflux's
//! `rss/adapter.go` is): links resolved and normalised, HTML sanitised,
//! dates made sane, entries without a usable link skipped and counted.
//! Pure: no I/O, and the time is passed in.

use std::borrow::Cow;
use std::time::Duration;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Person, Text};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use memchr::memmem;
use url::Url;

use super::sanitize::{self, Sanitizer};
use super::schedule::PollHints;
use super::timestamp;
use crate::config::Source;
use crate::item::{Item, Origin};
use crate::normalize::normalize_owned;
use crate::text::collapse_whitespace;

/// What a feed document holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    /// The feed's own title, if it has one.
    pub title: Option<String>,
    /// One per usable entry, in document order.
    pub entries: Vec<ParsedEntry>,
    /// Entries dropped for want of an http(s) link (none, or `javascript:`,
    /// `data:`, `file:`, ...).
    pub skipped: usize,
    /// Entries left out because the caller already has them (see
    /// [`parse_new_entries`]); always 0 from [`parse_feed`].
    pub known: usize,
    /// RSS `<ttl>` and `sy:updatePeriod`/`sy:updateFrequency`; merge with
    /// `Fetched::hints` before calling `schedule::next_poll`.
    pub hints: PollHints,
}

/// One feed entry as an [`Item`].
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEntry {
    pub item: Item,
}

impl ParsedEntry {
    /// The summary (or, without one, the content) as one line of text, for
    /// ranking and terminal display; the item keeps the sanitised HTML.
    /// Made on demand: a poll stores the HTML only.
    pub fn summary_text(&self) -> Option<String> {
        self.item
            .summary_html
            .as_deref()
            .or(self.item.content_html.as_deref())
            .map(sanitize::plain_text)
            .filter(|text| !text.is_empty())
    }
}

/// Why a document could not be read as a feed. The caller knows which
/// source and URL it fetched, and adds them to the message.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("this is an HTML page, not a feed{}", alternate_note(.alternate))]
    HtmlPage {
        /// The feed the page advertises (`<link rel="alternate"
        /// type="application/rss+xml" href="...">`), if any: the URL the
        /// source should probably use instead.
        alternate: Option<Url>,
    },
    #[error("not a feed (no RSS, Atom or JSON Feed root element)")]
    NotAFeed,
    #[error("malformed feed: {0}")]
    Malformed(#[source] ParseFeedError),
    #[error("malformed feed: the feed parser failed on it")]
    ParserFailed,
}

fn alternate_note(alternate: &Option<Url>) -> String {
    alternate
        .as_ref()
        .map(|url| format!("; it links to the feed {url}"))
        .unwrap_or_default()
}

/// Parses `body`, fetched from `feed_url` for `source`, into items.
///
/// Entries get `source`'s name as their origin and its tags beside their
/// own categories. `now` stands for "first seen": it dates the entries that
/// have no date, and bounds those dated in the future.
pub fn parse_feed(
    body: &[u8],
    feed_url: &Url,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, ParseError> {
    parse_new_entries(body, feed_url, source, now, |_, _| false)
}

/// [`parse_feed`], leaving out the entries the store already has:
/// `is_known(id, url)` gets each entry's [`Item::id`] and normalised URL
/// before its HTML is sanitised, the most expensive step of parsing. Left
/// out entries are counted in [`ParsedFeed::known`]. A feed usually changes
/// by one entry among dozens, so this saves most of the work of a poll.
pub fn parse_new_entries(
    body: &[u8],
    feed_url: &Url,
    source: &Source,
    now: DateTime<Utc>,
    is_known: impl Fn(&str, &Url) -> bool,
) -> Result<ParsedFeed, ParseError> {
    let body = repair(body);
    // The XML reader under feed-rs panics on some documents (quick-xml
    // 0.42 on an XML declaration after the first element): one source's
    // document must not end the whole poll.
    let parsed = std::panic::catch_unwind(|| {
        feed_rs::parser::Builder::new()
            .base_uri(Some(feed_url.as_str()))
            // An empty id tells "the feed gave none", which feed-rs would
            // otherwise hide behind a generated hash; ours is then the URL.
            .id_generator(|_, _, _| String::new())
            .timestamp_parser(timestamp::parse)
            .build()
            .parse(body.as_ref())
    })
    .map_err(|_| ParseError::ParserFailed)?;
    let feed = parsed.map_err(|err| document_error(&body, feed_url, err))?;
    let hints = PollHints {
        ttl: feed
            .ttl
            .filter(|minutes| *minutes > 0)
            .map(|minutes| Duration::from_secs(u64::from(minutes) * 60)),
        update_period: syndication_period(&body),
        ..PollHints::default()
    };
    let adapter = Adapter {
        feed_url,
        source,
        now,
        sanitizer: Sanitizer::new(feed_url),
        feed_authors: names(&feed.authors),
    };
    let mut entries = Vec::with_capacity(feed.entries.len());
    let mut skipped = 0;
    let mut known = 0;
    for entry in &feed.entries {
        let Some((id, url)) = adapter.identity(entry) else {
            skipped += 1;
            continue;
        };
        if is_known(&id, &url) {
            known += 1;
            continue;
        }
        entries.push(adapter.entry(entry, id, url));
    }
    let title = feed
        .title
        .as_ref()
        .map(|title| adapter.text(title))
        .filter(|title| !title.is_empty());
    Ok(ParsedFeed {
        title,
        entries,
        skipped,
        known,
        hints,
    })
}

/// Fixes what real feeds get wrong and feed-rs would choke on or misread:
/// a byte-order mark or whitespace before `<?xml`, and an encoding
/// declaration that does not match the bytes.
fn repair(body: &[u8]) -> Cow<'_, [u8]> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = &body[start..];
    let Some(declared) = declared_encoding(body) else {
        return Cow::Borrowed(body);
    };
    let is_utf8 = std::str::from_utf8(body).is_ok();
    let says_utf8 = declared.eq_ignore_ascii_case("utf-8") || declared.eq_ignore_ascii_case("utf8");
    if is_utf8 && !says_utf8 && !body.is_ascii() {
        // Valid UTF-8 with non-ASCII text is, in practice, never meant as a
        // legacy single-byte encoding: the declaration is wrong.
        return Cow::Owned(redeclare_utf8(body, declared.len()));
    }
    if !is_utf8 && says_utf8 {
        // Claims UTF-8 but is not: the usual culprit is Windows-1252.
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
        return Cow::Owned(redeclare_utf8(text.as_bytes(), declared.len()));
    }
    Cow::Borrowed(body)
}

/// The `encoding="..."` of the XML declaration `body` starts with.
fn declared_encoding(body: &[u8]) -> Option<&str> {
    let declaration = body.strip_prefix(b"<?xml")?;
    let end = memmem::find(declaration, b"?>")?;
    let declaration = std::str::from_utf8(&declaration[..end]).ok()?;
    let (_, rest) = declaration.split_once("encoding")?;
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest[1..].split(quote).next()?;
    Some(value)
}

/// `body` with the value of its XML declaration's encoding (of length
/// `declared_len`) replaced by `utf-8`.
fn redeclare_utf8(body: &[u8], declared_len: usize) -> Vec<u8> {
    let Some(at) = memmem::find(body, b"encoding") else {
        return body.to_vec();
    };
    let Some(quote) = body[at..]
        .iter()
        .position(|byte| *byte == b'"' || *byte == b'\'')
    else {
        return body.to_vec();
    };
    let value = at + quote + 1;
    let mut fixed = Vec::with_capacity(body.len());
    fixed.extend_from_slice(&body[..value]);
    fixed.extend_from_slice(b"utf-8");
    fixed.extend_from_slice(body.get(value + declared_len..).unwrap_or_default());
    fixed
}

fn document_error(body: &[u8], url: &Url, err: ParseFeedError) -> ParseError {
    if looks_like_html(body) {
        let alternate = alternate_feed_link(&String::from_utf8_lossy(body), url);
        return ParseError::HtmlPage { alternate };
    }
    match err {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => ParseError::NotAFeed,
        source => ParseError::Malformed(source),
    }
}

/// Whether plain `text` holds HTML markup: a closing or self-closing tag,
/// or an opening tag of an element that runs code or embeds another
/// document. `Vec<T>` or `a <b> c` in a title stay text.
fn looks_like_markup(text: &str) -> bool {
    if !text.contains('<') {
        return false;
    }
    if text.contains("</") || text.contains("/>") {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    [
        "<script", "<style", "<iframe", "<img", "<svg", "<object", "<embed", "<a ", "<p ",
    ]
    .iter()
    .any(|tag| lower.contains(tag))
}

/// Whether `body` is an HTML page: its start has `<!DOCTYPE html>` or
/// `<html>` before any feed root element (so that HTML quoted in a broken
/// feed's CDATA does not count).
fn looks_like_html(body: &[u8]) -> bool {
    let head = &body[..body.len().min(4096)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let first = |needles: &[&str]| needles.iter().filter_map(|needle| head.find(needle)).min();
    match (
        first(&["<!doctype html", "<html"]),
        first(&["<rss", "<feed", "<rdf:rdf"]),
    ) {
        (Some(html), Some(feed)) => html < feed,
        (html, _) => html.is_some(),
    }
}

/// The first feed an HTML page advertises in a `<link rel="alternate">`,
/// resolved against the page's URL.
fn alternate_feed_link(html: &str, page: &Url) -> Option<Url> {
    const FEED_TYPES: &[&str] = &[
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/rdf+xml",
        "application/json",
    ];
    let lower = html.to_ascii_lowercase();
    memmem::find_iter(lower.as_bytes(), b"<link")
        .filter_map(|at| {
            let tag = &html[at + "<link".len()..];
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let attributes = attributes(tag);
            let value = |name: &str| {
                attributes
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value.trim())
            };
            let rel = value("rel")?;
            let kind = value("type")?;
            let is_alternate = rel
                .split_ascii_whitespace()
                .any(|token| token.eq_ignore_ascii_case("alternate"));
            let is_feed = FEED_TYPES
                .iter()
                .any(|feed| feed.eq_ignore_ascii_case(kind));
            if !(is_alternate && is_feed) {
                return None;
            }
            let href = value("href")?.replace("&amp;", "&");
            page.join(&href)
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https"))
        })
        .next()
}

/// The `name=value` pairs of a tag's inside (`rel="a" href=b`), values
/// unquoted.
fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut pairs = Vec::new();
    let mut rest = tag.trim_start_matches('/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(rest.len());
        if name_end == 0 {
            return pairs;
        }
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            pairs.push((name, ""));
            continue;
        };
        let after = after.trim_start();
        let (value, remainder) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = &after[1..];
                let end = inner.find(quote).unwrap_or(inner.len());
                (&inner[..end], inner.get(end + 1..).unwrap_or_default())
            }
            _ => {
                let end = after
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        pairs.push((name, value));
        rest = remainder;
    }
}

/// `sy:updatePeriod` / `sy:updateFrequency` (RSS 1.0 syndication module,
/// common in RSS 2.0 too). feed-rs does not read them; a scan of the raw
/// bytes is cheap and needs no second parse.
fn syndication_period(body: &[u8]) -> Option<Duration> {
    let element = |name: &[u8]| -> Option<&str> {
        let at = memmem::find(body, name)?;
        let text = &body[at + name.len()..];
        let end = memchr::memchr(b'<', text)?;
        std::str::from_utf8(&text[..end]).ok().map(str::trim)
    };
    let period = element(b":updatePeriod>");
    let frequency = element(b":updateFrequency>");
    if period.is_none() && frequency.is_none() {
        return None;
    }
    const HOUR: u64 = 3600;
    let period = match period.map(str::to_ascii_lowercase).as_deref() {
        Some("hourly") => HOUR,
        Some("weekly") => 7 * 24 * HOUR,
        Some("monthly") => 30 * 24 * HOUR,
        Some("yearly") => 365 * 24 * HOUR,
        // The module's default, also for a value it does not define.
        _ => 24 * HOUR,
    };
    let frequency = frequency
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|frequency| *frequency > 0)
        .unwrap_or(1);
    Some(Duration::from_secs(period / frequency))
}

/// Maps feed-rs entries of one document to items.
struct Adapter<'a> {
    feed_url: &'a Url,
    source: &'a Source,
    now: DateTime<Utc>,
    sanitizer: Sanitizer,
    feed_authors: Vec<String>,
}

impl Adapter<'_> {
    /// The entry's id and normalised URL, or `None` when it has no usable
    /// link.
    fn identity(&self, entry: &Entry) -> Option<(String, Url)> {
        let url = normalize_owned(self.link(entry)?);
        let id = match entry.id.trim() {
            "" => url.to_string(),
            id => id.to_string(),
        };
        Some((id, url))
    }

    fn entry(&self, entry: &Entry, id: String, url: Url) -> ParsedEntry {
        let title = entry
            .title
            .as_ref()
            .map(|title| self.text(title))
            .filter(|title| !title.is_empty())
            .unwrap_or_else(|| url.to_string());
        let summary_html = entry.summary.as_ref().map(|summary| self.html(summary));
        let content_html = entry.content.as_ref().and_then(|content| {
            let body = content.body.as_deref()?;
            match essence(content.content_type.as_str()) {
                "text/html" | "application/xhtml+xml" => Some(self.sanitizer.clean(body)),
                "text/plain" => Some(self.plain_to_html(body)),
                _ => None,
            }
        });
        let published = self.date(entry.published.or(entry.updated));
        let updated = entry
            .updated
            .map(|updated| self.date(Some(updated)))
            .filter(|updated| *updated != published);
        let mut authors = names(&entry.authors);
        if authors.is_empty() {
            authors = self.feed_authors.clone();
        }
        let categories = entry
            .categories
            .iter()
            .map(|category| category.label.as_deref().unwrap_or(&category.term).trim());
        let tags = unique(categories.chain(self.source.tags.iter().map(|tag| tag.trim())));
        ParsedEntry {
            item: Item {
                id,
                url,
                title,
                summary_html,
                content_html,
                published: published.fixed_offset(),
                updated: updated.map(|updated| updated.fixed_offset()),
                authors,
                tags,
                origin: Origin::Source {
                    name: self.source.name.clone(),
                },
            },
        }
    }

    /// The entry's http(s) link: its alternate link (feed-rs has already
    /// resolved it against `xml:base` and the feed URL; JSON Feed links are
    /// resolved here), else, for an entry with no link at all, an id that is
    /// a URL (RSS `<guid isPermaLink>`).
    fn link(&self, entry: &Entry) -> Option<Url> {
        let resolve = |href: &str| self.feed_url.join(href.trim()).ok();
        let is_web = |url: &Url| matches!(url.scheme(), "http" | "https") && url.has_host();
        let alternate = entry
            .links
            .iter()
            .find(|link| matches!(link.rel.as_deref(), None | Some("alternate")))
            .or(entry.links.first());
        match alternate {
            Some(link) => resolve(&link.href).filter(is_web),
            None => Url::parse(entry.id.trim()).ok().filter(is_web),
        }
    }

    /// A title as plain text, whatever markup the feed put in it.
    fn text(&self, text: &Text) -> String {
        if essence(text.content_type.as_str()) == "text/plain" && looks_like_markup(&text.content) {
            // An RSS title is declared plain text but often carries escaped
            // HTML, hostile or not: read it as HTML, so that no tag, script
            // or event handler reaches the title.
            return sanitize::plain_text(&self.sanitizer.clean(&text.content));
        }
        if essence(text.content_type.as_str()) == "text/plain" && !text.content.contains('&') {
            return collapse_whitespace(&text.content);
        }
        sanitize::plain_text(&self.html(text))
    }

    /// A summary as sanitised HTML.
    fn html(&self, text: &Text) -> String {
        if essence(text.content_type.as_str()) == "text/plain" {
            return self.plain_to_html(&text.content);
        }
        self.sanitizer.clean(&text.content)
    }

    /// Plain text as HTML. feed-rs passes HTML entities that XML does not
    /// declare (`&eacute;`, `&nbsp;`, common in RSS) through verbatim, so
    /// text with a `&` goes through the HTML parser to decode them, its
    /// angle brackets escaped so that they stay text.
    fn plain_to_html(&self, text: &str) -> String {
        if !text.contains('&') {
            return sanitize::escape(text);
        }
        self.sanitizer
            .clean(&text.replace('<', "&lt;").replace('>', "&gt;"))
    }

    /// The date a reader should see: first seen when the feed gives none,
    /// never later than now (a date in the future is a publisher's mistake
    /// and would pin the entry to the top).
    fn date(&self, date: Option<DateTime<Utc>>) -> DateTime<Utc> {
        date.map_or(self.now, |date| date.min(self.now))
    }
}

/// A media type without its parameters (`text/html; charset=utf-8`).
fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

fn names(people: &[Person]) -> Vec<String> {
    unique(
        people
            .iter()
            .filter_map(|person| person.name.as_deref().or(person.email.as_deref()))
            .map(str::trim),
    )
}

/// The non-empty strings of `values`, first occurrence kept.
fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for value in values {
        if !value.is_empty() && !kept.iter().any(|seen| seen == value) {
            kept.push(value.to_string());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://blog.example/posts/").unwrap()
    }

    #[test]
    fn finds_the_advertised_feed() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="/s.css">
            <LINK REL="alternate" TYPE="application/rss+xml" title="RSS" href='/feed.xml?a=1&amp;b=2'>
            </head></html>"#;
        assert_eq!(
            alternate_feed_link(html, &page())
                .map(String::from)
                .as_deref(),
            Some("https://blog.example/feed.xml?a=1&b=2")
        );
    }

    #[test]
    fn ignores_alternates_that_are_not_feeds() {
        let html = r#"<link rel="alternate" hreflang="fr" type="text/html" href="/fr/">
            <link rel=alternate type=application/atom+xml href=atom.xml>"#;
        assert_eq!(
            alternate_feed_link(html, &page())
                .map(String::from)
                .as_deref(),
            Some("https://blog.example/posts/atom.xml")
        );
        assert_eq!(alternate_feed_link("<link rel=alternate>", &page()), None);
    }

    #[test]
    fn tells_html_pages_from_broken_feeds() {
        assert!(looks_like_html(b"<!DOCTYPE html><html><body/></html>"));
        assert!(looks_like_html(
            b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"/>"
        ));
        assert!(!looks_like_html(
            b"<rss><channel><description><![CDATA[<html>]]></description>"
        ));
        assert!(!looks_like_html(b"<feed><entry>"));
    }

    #[test]
    fn reads_the_declared_encoding() {
        assert_eq!(
            declared_encoding(br#"<?xml version="1.0" encoding='ISO-8859-1'?><rss/>"#),
            Some("ISO-8859-1")
        );
        assert_eq!(declared_encoding(br#"<?xml version="1.0"?><rss/>"#), None);
        assert_eq!(declared_encoding(b"<rss/>"), None);
    }

    #[test]
    fn repairs_a_wrong_encoding_declaration() {
        let body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>café</rss>";
        assert_eq!(
            repair(body.as_bytes()).as_ref(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>café</rss>".as_bytes()
        );
        let latin1 = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss>caf\xe9</rss>";
        assert_eq!(
            repair(latin1).as_ref(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>café</rss>".as_bytes()
        );
    }

    #[test]
    fn markup_in_plain_text_is_told_from_angle_brackets() {
        assert!(looks_like_markup("<script>alert(1)</script>Hi"));
        assert!(looks_like_markup("Hi <img src=x onerror=alert(1)>"));
        assert!(looks_like_markup("<br/>"));
        assert!(!looks_like_markup("Vec<T> and Option<Box<U>>"));
        assert!(!looks_like_markup("a < b > c"));
        assert!(!looks_like_markup("plain"));
    }

    #[test]
    fn strips_what_comes_before_the_document() {
        assert_eq!(repair(b"\xEF\xBB\xBF \n\t<rss/>").as_ref(), b"<rss/>");
    }

    #[test]
    fn syndication_period_divides_by_frequency() {
        let period = |xml: &str| syndication_period(xml.as_bytes());
        assert_eq!(
            period(
                "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
            ),
            Some(Duration::from_secs(1800))
        );
        assert_eq!(
            period("<sy:updatePeriod> weekly </sy:updatePeriod>"),
            Some(Duration::from_secs(7 * 86400))
        );
        assert_eq!(
            period("<sy:updateFrequency>4</sy:updateFrequency>"),
            Some(Duration::from_secs(6 * 3600))
        );
        assert_eq!(
            period(
                "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>0</sy:updateFrequency>"
            ),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(period("<rss><channel/></rss>"), None);
    }
}
