//! The generator: finished issues in, feeds and an HTML archive out.
//!
//! `build` is the whole pipeline: load the issues, keep the published ones,
//! turn them into items, write every file in memory ([`render`], pure), then
//! put the files in place atomically ([`output`]). The feed writers take
//! `&[Item]` and a [`Channel`] and know nothing of issues.

pub mod archive;
pub mod atom;
pub mod channel;
pub mod html;
pub mod items;
pub mod json_feed;
pub mod output;
pub mod pages;
pub mod rss;
mod xml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset};

use crate::Item;
use crate::config::Newsletter;
use crate::issue::{self, Issue, IssueError};
use crate::parallel;
pub use channel::{ArchiveLinks, Author, Channel};
use html::Renderer;
use items::Site;
pub use output::{OutputError, Published};

/// Every file of a build, by path relative to the output folder.
pub type Files = BTreeMap<String, Vec<u8>>;

/// What to publish besides the finished issues, and when "now" is.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Include `draft: true` issues (previews).
    pub drafts: bool,
    /// Include issues dated after `now` (previews).
    pub future: bool,
    pub now: DateTime<FixedOffset>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Issue files that did not parse; each names its file and line.
    #[error("{}", IssueErrors(.0))]
    Issues(Vec<IssueError>),
    #[error("{file}: cannot write: {message}")]
    Write { file: String, message: String },
    #[error(transparent)]
    Output(#[from] OutputError),
}

struct IssueErrors<'a>(&'a [IssueError]);

impl fmt::Display for IssueErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, err) in self.0.iter().enumerate() {
            if at > 0 {
                writeln!(f)?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

/// What a build did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Built {
    /// Issues published.
    pub issues: usize,
    pub files: Published,
}

/// Builds the site of the issues in `issues_dir` into `out`. On any error
/// the previous content of `out` is left as it was.
pub fn build(
    newsletter: &Newsletter,
    issues_dir: &Path,
    out: &Path,
    options: &BuildOptions,
) -> Result<Built, BuildError> {
    build_issues(newsletter, &load(issues_dir)?, out, options)
}

/// Every issue in `issues_dir`; any file that does not parse fails the
/// build, with all such files named.
pub fn load(issues_dir: &Path) -> Result<Vec<Issue>, BuildError> {
    let (issues, errors) =
        issue::load_valid(issues_dir).map_err(|err| BuildError::Issues(vec![err]))?;
    if !errors.is_empty() {
        return Err(BuildError::Issues(errors));
    }
    Ok(issues)
}

/// [`build`] from issues already loaded (see [`load`]).
pub fn build_issues(
    newsletter: &Newsletter,
    issues: &[Issue],
    out: &Path,
    options: &BuildOptions,
) -> Result<Built, BuildError> {
    let published = select(issues, options);
    let files = render(newsletter, &published)?;
    let files = output::publish(&files, out)?;
    Ok(Built {
        issues: published.len(),
        files,
    })
}

/// The issues to publish, oldest first: finished ones dated up to `now`,
/// plus drafts and future ones when the options ask for them.
pub fn select<'a>(issues: &'a [Issue], options: &BuildOptions) -> Vec<&'a Issue> {
    let mut published: Vec<&Issue> = issues
        .iter()
        .filter(|issue| options.drafts || !issue.draft)
        .filter(|issue| options.future || issue.date <= options.now)
        .collect();
    published.sort_by_key(|issue| (issue.date, issue.number));
    published
}

/// A feed format whose history is paged into RFC 5005 archives.
struct Paged {
    /// The subscription document.
    file: &'static str,
    /// The archive pages.
    folder: &'static str,
    write: fn(&Channel, &[&Item]) -> Vec<u8>,
}

const PAGED: [Paged; 2] = [
    Paged {
        file: "feed.xml",
        folder: archive::RSS_FOLDER,
        write: rss::write,
    },
    Paged {
        file: "atom.xml",
        folder: archive::ATOM_FOLDER,
        write: atom::write,
    },
];

/// Every file of the site of `issues` (oldest first), in memory.
pub fn render(newsletter: &Newsletter, issues: &[&Issue]) -> Result<Files, BuildError> {
    let site = Site::new(&newsletter.base_url);
    let renderer = Renderer::new(&newsletter.base_url);
    let masthead = pages::Masthead::new(
        &site,
        &newsletter.title,
        &newsletter.description,
        &newsletter.language,
    );
    // The bulk of the work, one issue per core.
    let rendered = parallel::map(issues, parallel::cpus(), |issue| {
        let html = renderer.issue(issue);
        let page = pages::issue(&masthead, issue, &html.content);
        let blurbs = html.blurbs.clone();
        (
            items::issue_item(&site, issue, html, &newsletter.author),
            page,
            blurbs,
        )
    });
    let mut items = Vec::with_capacity(issues.len());
    let mut issue_pages = Vec::with_capacity(issues.len());
    let mut blurbs = Vec::with_capacity(issues.len());
    for (item, page, ranges) in rendered {
        items.push(item);
        issue_pages.push(page);
        blurbs.push(ranges);
    }

    let limit = match newsletter.feed_limit {
        0 => issues.len(),
        limit => limit.min(issues.len()),
    };
    let mut files = Files::new();
    for format in &PAGED {
        paged_feed(&mut files, format, newsletter, &site, &items, limit);
    }

    let recent: Vec<&Item> = items.iter().rev().take(limit).collect();
    let json = channel(newsletter, &site, "feed.json", "feed");
    files.insert(
        "feed.json".into(),
        encoded("feed.json", json_feed::write(&json, &recent))?,
    );

    let links: Vec<Item> = (0..issues.len())
        .rev()
        .take(limit)
        .flat_map(|at| {
            // Each blurb's HTML, as the issue's item already holds it.
            let content = items[at].content_html.as_deref().unwrap_or_default();
            let html: Vec<&str> = blurbs[at]
                .iter()
                .map(|range| &content[range.clone()])
                .collect();
            items::link_items(
                &site,
                issues[at],
                &html,
                &newsletter.links_exclude,
                &newsletter.author,
            )
        })
        .collect();
    let links_channel = Channel {
        title: format!("{}: links", newsletter.title),
        description: format!("Every link of {}, one item each.", newsletter.title),
        ..channel(newsletter, &site, "links.xml", "links")
    };
    let links: Vec<&Item> = links.iter().collect();
    files.insert("links.xml".into(), rss::write(&links_channel, &links));

    let newest_first: Vec<&Issue> = issues.iter().rev().copied().collect();
    files.insert(
        "index.html".into(),
        pages::index(&masthead, &newest_first).into_bytes(),
    );
    for (issue, page) in issues.iter().zip(issue_pages) {
        files.insert(
            format!("issues/{}/index.html", issue.number),
            page.into_bytes(),
        );
    }
    Ok(files)
}

/// The subscription document of `format` (the newest `limit` issues) and
/// its archive pages (every issue), into `files`.
fn paged_feed(
    files: &mut Files,
    format: &Paged,
    newsletter: &Newsletter,
    site: &Site,
    items: &[Item],
    limit: usize,
) {
    let feed = channel(newsletter, site, format.file, "feed");
    let pages = archive::pages(
        site,
        &feed.self_url,
        format.folder,
        items.len(),
        newsletter.feed_limit,
    );
    let newest: Vec<&Item> = items.iter().rev().take(limit).collect();
    let current = Channel {
        archive: archive::current_links(site, &feed.self_url, format.folder, &pages),
        ..feed.clone()
    };
    files.insert(format.file.into(), (format.write)(&current, &newest));
    // Every issue again, so a page per core at a time.
    let archive = parallel::map(&pages, parallel::cpus(), |page| {
        let path = archive::page_path(format.folder, page.number);
        let channel = Channel {
            self_url: site.url(&path),
            archive: Some(page.links.clone()),
            ..feed.clone()
        };
        let page_items: Vec<&Item> = items[page.issues.clone()].iter().rev().collect();
        let bytes = (format.write)(&channel, &page_items);
        (path, bytes)
    });
    files.extend(archive);
}

/// The channel of the newsletter's feed published at `file`, with id
/// `tag:...:{id}`.
fn channel(newsletter: &Newsletter, site: &Site, file: &str, id: &str) -> Channel {
    Channel {
        title: newsletter.title.clone(),
        description: newsletter.description.clone(),
        id: site.tag(id),
        home: site.base_url().clone(),
        self_url: site.url(file),
        language: newsletter.language.clone(),
        author: Author {
            // Atom wants a name for every feed; the newsletter's own will do
            // when no editor is named.
            name: match newsletter.author.trim() {
                "" => newsletter.title.clone(),
                name => name.to_string(),
            },
            email: newsletter.author_email.clone(),
        },
        archive: None,
    }
}

/// A writer's result, its error naming the file it was writing.
fn encoded<E: fmt::Display>(file: &str, result: Result<Vec<u8>, E>) -> Result<Vec<u8>, BuildError> {
    result.map_err(|err| BuildError::Write {
        file: file.to_string(),
        message: err.to_string(),
    })
}
