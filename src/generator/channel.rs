//! What a feed says about itself, whatever its format: the metadata every
//! writer takes beside its `&[Item]`.

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::Item;

/// The `generator` every feed names.
pub const GENERATOR: &str = "newsroom";
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GENERATOR_URI: &str = "https://github.com/newsroom-rs/newsroom";

/// One feed document's own metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub title: String,
    pub description: String,
    /// Stable identifier of the feed (Atom `id`), a `tag:` URI.
    pub id: String,
    /// The web page the feed is the feed of.
    pub home: Url,
    /// Where this document is published (`rel="self"`).
    pub self_url: Url,
    pub language: String,
    pub author: Author,
    /// RFC 5005 links, when the feed's history is paged into archives.
    pub archive: Option<ArchiveLinks>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    /// RSS wants an address wherever it says "author"; without one, only
    /// the name is published.
    pub email: Option<String>,
}

/// RFC 5005 archived-feed links of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLinks {
    /// The subscription document (`rel="current"`).
    pub current: Url,
    /// The next older archive page.
    pub prev: Option<Url>,
    /// The next newer archive page.
    pub next: Option<Url>,
    /// True on an archive page itself (`fh:archive`), false on the
    /// subscription document that points into the archive.
    pub is_archive: bool,
}

impl Channel {
    /// Whether this document is an RFC 5005 archive page (`fh:archive`).
    pub fn is_archive_page(&self) -> bool {
        self.archive.as_ref().is_some_and(|links| links.is_archive)
    }
}

/// RFC 5005 feed-history namespace.
pub const FEED_HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";

impl ArchiveLinks {
    /// The `(rel, href)` pairs to publish, in a fixed order. The subscription
    /// document only points at the newest archive page.
    pub fn links(&self) -> Vec<(&'static str, &Url)> {
        let mut links = Vec::new();
        if self.is_archive {
            links.push(("current", &self.current));
        }
        if let Some(prev) = &self.prev {
            links.push(("prev-archive", prev));
        }
        if let Some(next) = &self.next {
            links.push(("next-archive", next));
        }
        links
    }
}

/// When the newest item last changed: the feed's `lastBuildDate` /
/// `updated`. Never the build time, so that an unchanged input gives an
/// unchanged feed.
pub fn last_updated(items: &[&Item]) -> Option<DateTime<FixedOffset>> {
    items.iter().map(|item| item.last_modified()).max()
}

/// About how many bytes a feed of `items` takes, so that its buffer is
/// allocated once instead of grown (and copied) a dozen times.
pub fn size_hint(items: &[&Item]) -> usize {
    let html: usize = items
        .iter()
        .map(|item| {
            item.summary_html.as_ref().map_or(0, String::len)
                + item.content_html.as_ref().map_or(0, String::len)
        })
        .sum();
    html + 1024 * items.len()
}
