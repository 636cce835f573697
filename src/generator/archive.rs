//! RFC 5005 archived feeds: the whole history in pages of `feed_limit`
//! issues, oldest first, so that a reader can walk back past the newest
//! issues that the subscription feed holds. Each format pages its own
//! history (RSS in `archive/`, Atom in `archive/atom/`), since a reader
//! follows `prev-archive` expecting the format it subscribed to.
//!
//! Page `n` (from 1) holds issues `(n-1)*limit .. n*limit` in date order.
//! Every page but the last is full; the last is the open page, holding the
//! remainder (possibly nothing). A full page links to the page after it,
//! which always exists, so once full a page never changes again.

use std::ops::Range;

use url::Url;

use super::channel::ArchiveLinks;
use super::items::Site;

/// One archive page: which issues (indexes into the date-ordered list) and
/// its RFC 5005 links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub number: usize,
    pub issues: Range<usize>,
    pub links: ArchiveLinks,
}

/// The archive folder of RSS pages, relative to the output folder.
pub const RSS_FOLDER: &str = "archive/";
/// The archive folder of Atom pages.
pub const ATOM_FOLDER: &str = "archive/atom/";

/// Where page `number` of the archive in `folder` is published, relative to
/// the output folder.
pub fn page_path(folder: &str, number: usize) -> String {
    format!("{folder}{number}.xml")
}

/// The archive pages in `folder` of `count` issues, when the subscription
/// feed (the newest `limit`) does not hold them all; `current` is that feed.
pub fn pages(site: &Site, current: &Url, folder: &str, count: usize, limit: usize) -> Vec<Page> {
    if limit == 0 || count <= limit {
        return Vec::new();
    }
    let total = count / limit + 1;
    (1..=total)
        .map(|number| Page {
            number,
            issues: (number - 1) * limit..(number * limit).min(count),
            links: ArchiveLinks {
                current: current.clone(),
                prev: (number > 1).then(|| site.url(&page_path(folder, number - 1))),
                next: (number < total).then(|| site.url(&page_path(folder, number + 1))),
                is_archive: true,
            },
        })
        .collect()
}

/// The links of the subscription feed: to the newest archive page in
/// `folder`.
pub fn current_links(
    site: &Site,
    current: &Url,
    folder: &str,
    pages: &[Page],
) -> Option<ArchiveLinks> {
    let newest = pages.last()?;
    Some(ArchiveLinks {
        current: current.clone(),
        prev: Some(site.url(&page_path(folder, newest.number))),
        next: None,
        is_archive: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (Site, Url) {
        let base = Url::parse("https://w.example/").unwrap();
        (Site::new(&base), base.join("feed.xml").unwrap())
    }

    #[test]
    fn no_archive_when_the_feed_holds_everything() {
        let (site, current) = site();
        assert!(pages(&site, &current, RSS_FOLDER, 20, 20).is_empty());
        assert!(pages(&site, &current, RSS_FOLDER, 500, 0).is_empty());
    }

    #[test]
    fn full_pages_then_an_open_one() {
        let (site, current) = site();
        let pages = pages(&site, &current, ATOM_FOLDER, 7, 3);
        let ranges: Vec<_> = pages.iter().map(|page| page.issues.clone()).collect();
        assert_eq!(ranges, [0..3, 3..6, 6..7]);
        assert_eq!(pages[0].links.prev, None);
        assert_eq!(
            pages[0].links.next.as_ref().unwrap().as_str(),
            "https://w.example/archive/atom/2.xml"
        );
        assert_eq!(
            pages[2].links.prev.as_ref().unwrap().as_str(),
            "https://w.example/archive/atom/2.xml"
        );
        assert_eq!(pages[2].links.next, None);
        let links = current_links(&site, &current, ATOM_FOLDER, &pages).unwrap();
        assert_eq!(
            links.prev.unwrap().as_str(),
            "https://w.example/archive/atom/3.xml"
        );
    }

    #[test]
    fn a_full_page_does_not_change_when_issues_are_added() {
        let (site, current) = site();
        let before = pages(&site, &current, RSS_FOLDER, 6, 3);
        for count in 7..20 {
            let after = pages(&site, &current, RSS_FOLDER, count, 3);
            assert_eq!(before[..2], after[..2], "{count} issues");
        }
        // The page that just filled up is already linked forward.
        assert_eq!(before.len(), 3);
        assert!(before[2].issues.is_empty());
    }
}
