//! The item model both halves speak: a link worth reading.
//!
//! An issue becomes an [`Item`] (its permalink, intro and full HTML), each
//! curated link of an issue becomes one, and so does every entry fetched from
//! a source blog. The feed writers take `&[Item]` and know nothing else.

use chrono::{DateTime, FixedOffset};
use url::Url;

/// A link worth reading, wherever it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable, globally unique identifier (a `tag:` URI for what the
    /// newsletter publishes, the feed's GUID or link for a source entry).
    /// It never changes when the item is edited.
    pub id: String,
    /// Canonical link, already passed through [`crate::normalize`].
    pub url: Url,
    pub title: String,
    /// Short HTML fragment, sanitised: an issue's intro, a blurb, a feed
    /// entry's summary.
    pub summary_html: Option<String>,
    /// Full HTML body, sanitised.
    pub content_html: Option<String>,
    pub published: DateTime<FixedOffset>,
    /// Last change, when it differs from `published`.
    pub updated: Option<DateTime<FixedOffset>>,
    pub authors: Vec<String>,
    /// Tags, or for a curated link the section it was filed under.
    pub tags: Vec<String>,
    pub origin: Origin,
}

/// Where an item came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An entry of a source blog's feed, by the source's name in feeds.toml.
    Source { name: String },
    /// A published issue (`section` is `None` for the issue itself).
    Issue {
        number: u32,
        section: Option<String>,
    },
}

impl Item {
    /// The date a reader sees as "last changed".
    pub fn last_modified(&self) -> DateTime<FixedOffset> {
        self.updated.unwrap_or(self.published).max(self.published)
    }
}
