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

/// A channel and items for the writers' tests.
#[cfg(test)]
pub mod fixtures {
    use chrono::DateTime;
    use url::Url;

    use super::{Author, Channel};
    use crate::{Item, Origin};

    pub fn channel(description: &str, email: Option<&str>) -> Channel {
        let home = Url::parse("https://w.example/").unwrap();
        Channel {
            title: "Weekly".into(),
            description: description.into(),
            id: "tag:w.example,2005:feed".into(),
            self_url: home.join("feed.xml").unwrap(),
            home,
            language: "en".into(),
            author: Author {
                name: "Ed".into(),
                email: email.map(str::to_string),
            },
            archive: None,
        }
    }

    pub fn item(id: &str) -> Item {
        Item {
            id: id.into(),
            url: Url::parse("https://w.example/issues/1/").unwrap(),
            title: "Issue 1".into(),
            summary_html: None,
            content_html: None,
            published: DateTime::parse_from_rfc3339("2017-07-30T12:08:24+01:00").unwrap(),
            updated: None,
            authors: vec!["Ed".into()],
            tags: Vec::new(),
            origin: Origin::Issue {
                number: 1,
                section: None,
            },
        }
    }
}
