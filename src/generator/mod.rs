//! The generator: finished issues in, feeds and an HTML archive out.
//!
//! `build` is the whole pipeline: load the issues, keep the published ones,
//! turn them into items and files ([`render_into`]), each file handed to a
//! [`Sink`] as soon as it is made: for a build, the staging folder that is
//! then put in place atomically ([`output`]); for tests, memory
//! ([`render`]). The feed writers take `&[Item]` and a [`Channel`] and know
//! nothing of issues.

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
use std::sync::{Mutex, PoisonError};

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

/// Where the files of a build go as they are made, from any thread: the
/// output folder's staging, or memory.
pub trait Sink: Sync {
    /// Adds the file at `path` (relative to the output folder); each path
    /// comes once.
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), BuildError>;
}

impl Sink for output::Staging {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), BuildError> {
        Ok(output::Staging::put(self, &path, &bytes)?)
    }
}

impl Sink for Mutex<Files> {
    fn put(&self, path: String, bytes: Vec<u8>) -> Result<(), BuildError> {
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path, bytes);
        Ok(())
    }
}

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
    let issues = load(issues_dir)?;
    let built = build_issues(newsletter, &issues, out, options);
    parallel::drop_in_background(issues);
    built
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
    // Each file goes to disk as soon as it is made: the site is never held
    // in memory whole. A failure drops the staging, and `out` stays.
    let staging = output::Staging::begin(out)?;
    render_into(newsletter, &published, &staging)?;
    Ok(Built {
        issues: published.len(),
        files: staging.finish()?,
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
    let files = Mutex::new(Files::new());
    render_into(newsletter, issues, &files)?;
    Ok(files.into_inner().unwrap_or_else(PoisonError::into_inner))
}

/// Every file of the site of `issues` (oldest first), into `sink`.
pub fn render_into(
    newsletter: &Newsletter,
    issues: &[&Issue],
    sink: &impl Sink,
) -> Result<(), BuildError> {
    let site = Site::new(&newsletter.base_url);
    let renderer = Renderer::new(&newsletter.base_url);
    let masthead = pages::Masthead::new(
        &site,
        &newsletter.title,
        &newsletter.description,
        &newsletter.language,
    );
    // The bulk of the work, one issue per core; each page goes out at once,
    // the feeds need only the item.
    let rendered = parallel::map(issues, parallel::cpus(), |issue| {
        let mut html = renderer.issue(issue);
        let page = pages::issue(&masthead, issue, &html.content);
        sink.put(
            format!("issues/{}/index.html", issue.number),
            page.into_bytes(),
        )?;
        // The item keeps the HTML; the links feed needs the ranges too.
        let blurbs = std::mem::take(&mut html.blurbs);
        Ok::<_, BuildError>((
            items::issue_item(&site, issue, html, &newsletter.author),
            blurbs,
        ))
    });
    let mut items = Vec::with_capacity(issues.len());
    let mut blurbs = Vec::with_capacity(issues.len());
    for result in rendered {
        let (item, ranges) = result?;
        items.push(item);
        blurbs.push(ranges);
    }

    let limit = match newsletter.feed_limit {
        0 => issues.len(),
        limit => limit.min(issues.len()),
    };
    let newest: Vec<&Item> = items.iter().rev().take(limit).collect();
    let newest_first: Vec<&Issue> = issues.iter().rev().copied().collect();
    let feeds: Vec<(&Paged, Channel, Vec<archive::Page>)> = PAGED
        .iter()
        .map(|format| {
            let feed = channel(newsletter, &site, format.file, "feed");
            let pages = archive::pages(
                &site,
                &feed.self_url,
                format.folder,
                items.len(),
                newsletter.feed_limit,
            );
            (format, feed, pages)
        })
        .collect();

    // Every other file is made from the items, none from another: one job
    // each, all of them on every core at once, the largest first.
    let mut jobs: Vec<Job> = vec![
        Box::new(|| {
            let links = links_feed(newsletter, &site, issues, &items, &blurbs, limit);
            Ok(("links.xml".into(), links))
        }),
        Box::new(|| {
            let index = pages::index(&masthead, &newest_first);
            Ok(("index.html".into(), index.into_bytes()))
        }),
        Box::new(|| {
            let json = channel(newsletter, &site, "feed.json", "feed");
            let bytes = encoded("feed.json", json_feed::write(&json, &newest))?;
            Ok(("feed.json".into(), bytes))
        }),
    ];
    for (format, feed, pages) in &feeds {
        // The subscription document: the newest `limit` issues.
        jobs.push(Box::new(|| {
            let current = Channel {
                archive: archive::current_links(&site, &feed.self_url, format.folder, pages),
                ..feed.clone()
            };
            Ok((format.file.into(), (format.write)(&current, &newest)))
        }));
        // Its archive pages: every issue again.
        for page in pages {
            jobs.push(Box::new(|| {
                let path = archive::page_path(format.folder, page.number);
                let channel = Channel {
                    self_url: site.url(&path),
                    archive: Some(page.links.clone()),
                    ..feed.clone()
                };
                let page_items: Vec<&Item> = items[page.issues.clone()].iter().rev().collect();
                let bytes = (format.write)(&channel, &page_items);
                Ok((path, bytes))
            }));
        }
    }
    let written = parallel::map(&jobs, parallel::cpus(), |job| {
        let (path, bytes) = job()?;
        sink.put(path, bytes)
    });
    written.into_iter().collect::<Result<(), _>>()?;
    // The jobs borrow the items.
    drop(jobs);
    // Freeing every issue's HTML is no part of the build.
    parallel::drop_in_background(items);
    Ok(())
}

/// A file to make: its path and bytes.
type Job<'a> = Box<dyn Fn() -> Result<(String, Vec<u8>), BuildError> + Sync + 'a>;

/// `links.xml`: every curated link of the newest `limit` issues, one item
/// each.
fn links_feed(
    newsletter: &Newsletter,
    site: &Site,
    issues: &[&Issue],
    items: &[Item],
    blurbs: &[Vec<std::ops::Range<usize>>],
    limit: usize,
) -> Vec<u8> {
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
                site,
                issues[at],
                &html,
                &newsletter.links_exclude,
                &newsletter.author,
            )
        })
        .collect();
    let channel = Channel {
        title: format!("{}: links", newsletter.title),
        description: format!("Every link of {}, one item each.", newsletter.title),
        ..channel(newsletter, site, "links.xml", "links")
    };
    let links: Vec<&Item> = links.iter().collect();
    rss::write(&channel, &links)
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
