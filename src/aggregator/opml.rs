//! OPML in and out: `sources import FILE.opml` and `sources export`.
//!
//! Feed readers export their subscriptions as OPML: `<outline>` elements
//! under `<body>`, a feed being one with an `xmlUrl`, the others folders.
//! [`parse_opml`] reads the feeds with their folders as tags;
//! [`add_sources_to_config`] appends them to the text of feeds.toml through
//! `toml_edit`, so the editors' comments and layout stay as they were;
//! [`write_opml`] writes the sources back out as OPML 2.0.

use std::collections::HashSet;

use quick_xml::XmlVersion;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
use url::Url;

use crate::config::{Config, Source};
use crate::lines::{LineIndex, line_of};
use crate::normalize::normalize;

/// A feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq)]
pub struct OpmlFeed {
    /// The outline's `title`, else its `text`, else the feed's host.
    pub title: String,
    pub xml_url: Url,
    /// The site the feed belongs to, when given and valid.
    pub html_url: Option<Url>,
    /// The folders the feed is filed in, outermost first, then the
    /// segments of its `category` attribute; no repeats.
    pub tags: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct OpmlError {
    /// 1-based line of the element at fault.
    pub line: usize,
    pub kind: OpmlErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum OpmlErrorKind {
    #[error("not well-formed XML: {0}")]
    Xml(#[from] quick_xml::Error),
    #[error("not an OPML file: the document element is <{0}>, not <opml>")]
    NotOpml(String),
    #[error("not an OPML file: it has no <body>")]
    NoBody,
    #[error("<{0}> is never closed")]
    Unclosed(String),
    #[error("feed {url:?} has no usable xmlUrl: {reason}")]
    BadFeedUrl { url: String, reason: String },
}

/// Reads the feeds of an OPML document (any version), in document order.
pub fn parse_opml(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let lines = LineIndex::new(text);
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut open: Vec<Open> = Vec::new();
    let mut seen_body = false;
    let mut feeds = Vec::new();
    loop {
        let event = reader.read_event().map_err(|err| OpmlError {
            line: lines.line(reader.error_position() as usize),
            kind: err.into(),
        })?;
        let (element, has_children) = match event {
            Event::Start(element) => (element, true),
            Event::Empty(element) => (element, false),
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        // Attribute values cannot hold a `<`, so the last one before the
        // reader's position starts the tag just read.
        let end = (reader.buffer_position() as usize).min(text.len());
        let line = lines.line(text[..end].rfind('<').unwrap_or(0));
        let at = |kind| OpmlError { line, kind };

        let name = element.local_name().as_ref().to_string();
        if open.is_empty() && name != "opml" {
            return Err(at(OpmlErrorKind::NotOpml(name)));
        }
        seen_body |= name == "body";
        let in_body = open.iter().any(|open| open.name == "body");
        let mut folder = None;
        if name == "outline" && in_body {
            let outline = Outline::read(&element).map_err(|err| at(err.into()))?;
            match outline.xml_url {
                Some(url) => {
                    let folders = open.iter().filter_map(|open| open.folder.clone());
                    let feed = feed(
                        url,
                        outline.title,
                        outline.html_url,
                        folders,
                        outline.category,
                    );
                    feeds.push(feed.map_err(at)?);
                }
                None => folder = outline.title,
            }
        }
        if has_children {
            open.push(Open { name, folder, line });
        }
    }
    if let Some(unclosed) = open.pop() {
        return Err(OpmlError {
            line: unclosed.line,
            kind: OpmlErrorKind::Unclosed(unclosed.name),
        });
    }
    if !seen_body {
        return Err(OpmlError {
            line: 1,
            kind: OpmlErrorKind::NoBody,
        });
    }
    Ok(feeds)
}

/// An element whose end tag is still to come.
struct Open {
    name: String,
    /// The folder an `<outline>` without `xmlUrl` stands for.
    folder: Option<String>,
    line: usize,
}

/// The attributes of an `<outline>` that matter here, trimmed, empty ones
/// left out. Names are compared without case: exporters disagree on
/// `xmlUrl` and `xmlurl`.
#[derive(Default)]
struct Outline {
    title: Option<String>,
    xml_url: Option<String>,
    html_url: Option<String>,
    category: Option<String>,
}

impl Outline {
    fn read(element: &BytesStart) -> Result<Outline, quick_xml::Error> {
        let mut outline = Outline::default();
        let mut text = None;
        for attribute in element.attributes() {
            let attribute = attribute?;
            let value = attribute.normalized_value(XmlVersion::Implicit1_0)?;
            let value = crate::text::collapse_whitespace(&value);
            if value.is_empty() {
                continue;
            }
            let key = attribute.key.local_name();
            let slot = match key.as_ref().to_ascii_lowercase().as_str() {
                "title" => &mut outline.title,
                "text" => &mut text,
                "xmlurl" => &mut outline.xml_url,
                "htmlurl" => &mut outline.html_url,
                "category" => &mut outline.category,
                _ => continue,
            };
            *slot = Some(value);
        }
        outline.title = outline.title.or(text);
        Ok(outline)
    }
}

fn feed(
    xml_url: String,
    title: Option<String>,
    html_url: Option<String>,
    folders: impl Iterator<Item = String>,
    category: Option<String>,
) -> Result<OpmlFeed, OpmlErrorKind> {
    let bad = |reason: String| OpmlErrorKind::BadFeedUrl {
        url: xml_url.clone(),
        reason,
    };
    let url = Url::parse(&xml_url).map_err(|err| bad(err.to_string()))?;
    let Some(host) = url.host_str().filter(|_| is_web(&url)) else {
        return Err(bad("must be an http:// or https:// URL".into()));
    };
    let title = title.unwrap_or_else(|| host.to_string());
    // OPML 2.0 `category`: comma-separated, slash-delimited paths.
    let categories = category.into_iter().flat_map(|category| {
        category
            .split([',', '/'])
            .map(|segment| segment.trim().to_string())
            .collect::<Vec<_>>()
    });
    let mut seen = HashSet::new();
    let tags = folders
        .chain(categories)
        .filter(|tag| !tag.is_empty() && seen.insert(tag.clone()))
        .collect();
    Ok(OpmlFeed {
        title,
        // The site link is shown, never fetched: a bad one is dropped
        // rather than failing the import.
        html_url: html_url
            .and_then(|html| Url::parse(&html).ok())
            .filter(is_web),
        xml_url: url,
        tags,
    })
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host().is_some()
}

/// The sources as an OPML 2.0 document, one flat outline per source in
/// feeds.toml order, tags in its `category`. No creation date, so that the
/// same sources always give the same bytes.
pub fn write_opml(title: &str, sources: &[Source]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>{}</title>\n  </head>\n  <body>\n",
        escape(title)
    );
    for source in sources {
        let name = escape(source.name.as_str());
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"",
            escape(source.url.as_str())
        ));
        if !source.tags.is_empty() {
            out.push_str(&format!(" category=\"{}\"", escape(source.tags.join(","))));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// Names of the sources added, in order.
    pub added: Vec<String>,
    pub skipped_duplicates: Vec<SkippedFeed>,
}

/// A feed left out because feeds.toml (or the same import) already has it.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedFeed {
    pub title: String,
    pub url: Url,
    /// The name of the source with the same normalised URL.
    pub existing: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// feeds.toml must be valid before anything is added to it.
    #[error("line {line}: {message}")]
    InvalidConfig { line: usize, message: String },
    #[error("`source` is not written as [[source]] tables; add the sources by hand")]
    SourcesNotTables,
    #[error("the updated feeds.toml would not be valid: line {line}: {message}")]
    InvalidResult { line: usize, message: String },
}

/// Appends a `[[source]]` table for each feed to the text of feeds.toml,
/// after the sources already there, leaving every other byte alone.
///
/// A feed whose normalised URL is already a source's is skipped: the same
/// blog under two names would be polled twice. A feed whose name is taken
/// by another URL is still added, as `Name (2)`: two blogs called
/// "Engineering Blog" are common, and both are wanted.
pub fn add_sources_to_config(
    config_text: &str,
    feeds: &[OpmlFeed],
) -> Result<(String, ImportReport), ImportError> {
    let config = Config::parse(config_text)
        .map_err(|(line, message)| ImportError::InvalidConfig { line, message })?;
    let mut document: DocumentMut =
        config_text
            .parse()
            .map_err(|err: toml_edit::TomlError| ImportError::InvalidConfig {
                line: err
                    .span()
                    .map_or(1, |span| line_of(config_text, span.start)),
                message: err.message().to_string(),
            })?;

    let mut names: HashSet<String> = config.sources.iter().map(|s| s.name.clone()).collect();
    let mut urls: Vec<(Url, String)> = config
        .sources
        .iter()
        .map(|source| (normalize(&source.url), source.name.clone()))
        .collect();
    let mut report = ImportReport::default();
    let mut tables = Vec::new();
    for feed in feeds {
        let url = normalize(&feed.xml_url);
        if let Some((_, existing)) = urls.iter().find(|(known, _)| *known == url) {
            report.skipped_duplicates.push(SkippedFeed {
                title: feed.title.clone(),
                url: feed.xml_url.clone(),
                existing: existing.clone(),
            });
            continue;
        }
        let name = unique_name(&feed.title, &names);
        names.insert(name.clone());
        urls.push((url, name.clone()));
        tables.push(source_table(&name, feed));
        report.added.push(name);
    }
    if tables.is_empty() {
        return Ok((config_text.to_string(), report));
    }

    let sources = document
        .entry("source")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or(ImportError::SourcesNotTables)?;
    tables.into_iter().for_each(|table| sources.push(table));

    let mut text = document.to_string();
    // toml_edit writes `\n` throughout; a file edited on Windows keeps its
    // `\r\n`.
    if config_text.contains("\r\n") {
        text = text.replace('\n', "\r\n");
    }
    Config::parse(&text).map_err(|(line, message)| ImportError::InvalidResult { line, message })?;
    Ok((text, report))
}

/// `title`, or `title (2)`, `title (3)`... whichever is free.
fn unique_name(title: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(title) {
        return title.to_string();
    }
    (2..)
        .map(|n| format!("{title} ({n})"))
        .find(|name| !taken.contains(name))
        .unwrap_or_default()
}

fn source_table(name: &str, feed: &OpmlFeed) -> Table {
    let mut table = Table::new();
    table.insert("name", value(name));
    table.insert("url", value(feed.xml_url.as_str()));
    if !feed.tags.is_empty() {
        table.insert("tags", value(feed.tags.iter().collect::<Array>()));
    }
    // A blank line between tables, as a person would write them.
    table.decor_mut().set_prefix("\n");
    table
}
