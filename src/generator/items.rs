//! Issues to [`Item`]s: one item for each issue (for the issue feeds) and
//! one for each curated link (for `links.xml`), with their permalinks and
//! stable ids.

use std::collections::HashSet;

use url::Url;

use super::html::{IssueHtml, plain_text};
use crate::issue::Issue;
use crate::normalize::normalize;
use crate::{Item, Origin};

/// The date part of every `tag:` id (RFC 4151). It is fixed, not taken from
/// any issue, so that no edit can ever change an id.
const TAG_DATE: &str = "2005";

/// Longest title of a link item, in characters.
const LINK_TITLE_MAX: usize = 120;

/// The site's addresses and ids, all derived from `base_url`.
#[derive(Debug, Clone)]
pub struct Site {
    base_url: Url,
    /// `tag:{host},{date}:{path}`: no scheme and no port, so that the ids
    /// survive a move from http to https.
    tag_prefix: String,
}

impl Site {
    pub fn new(base_url: &Url) -> Self {
        let host = base_url.host_str().unwrap_or("localhost").to_lowercase();
        let path = base_url.path().trim_start_matches('/');
        Site {
            base_url: base_url.clone(),
            tag_prefix: format!("tag:{host},{TAG_DATE}:{path}"),
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `{base_url}{path}`; `path` is one of the generator's own, relative.
    pub fn url(&self, path: &str) -> Url {
        self.base_url
            .join(path)
            .unwrap_or_else(|_| self.base_url.clone())
    }

    /// `{base_url}issues/{number}/`.
    pub fn permalink(&self, number: u32) -> Url {
        self.url(&format!("issues/{number}/"))
    }

    /// A stable id for something of this site: `tag:host,date:{specific}`.
    pub fn tag(&self, specific: &str) -> String {
        format!("{}{specific}", self.tag_prefix)
    }

    fn issue_tag(&self, number: u32) -> String {
        self.tag(&format!("issues/{number}"))
    }
}

/// The item of an issue: its permalink, the intro as summary and the whole
/// issue as content. `author` is the newsletter's, for an issue that does
/// not name its own.
pub fn issue_item(site: &Site, issue: &Issue, html: IssueHtml, author: &str) -> Item {
    Item {
        id: site.issue_tag(issue.number),
        url: site.permalink(issue.number),
        title: issue.title.clone(),
        summary_html: Some(html.intro),
        content_html: Some(html.content),
        published: issue.date,
        updated: None,
        authors: authors(issue, author),
        tags: Vec::new(),
        origin: Origin::Issue {
            number: issue.number,
            section: None,
        },
    }
}

/// One item per curated link of `issue`, in file order, leaving out the
/// sections named in `exclude` and a link the issue already listed.
/// `blurbs` is the HTML of each entry's blurb, in [`Issue::entries`] order
/// (see [`IssueHtml::blurbs`]).
pub fn link_items(
    site: &Site,
    issue: &Issue,
    blurbs: &[&str],
    exclude: &[String],
    author: &str,
) -> Vec<Item> {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for ((section, entry), blurb_html) in issue.entries().zip(blurbs) {
        if exclude
            .iter()
            .any(|name| name.eq_ignore_ascii_case(section.name.trim()))
        {
            continue;
        }
        let blurb = plain_text(&entry.blurb);
        let blurb_html = (!entry.blurb.trim().is_empty()).then(|| blurb_html.to_string());
        for link in &entry.links {
            let url = normalize(&link.url);
            if !seen.insert(url.clone()) {
                continue;
            }
            let title = match first_sentence(&blurb) {
                "" => link.text.clone().unwrap_or_else(|| url.to_string()),
                sentence => cut_at_word(sentence, LINK_TITLE_MAX),
            };
            items.push(Item {
                // The link's own URL keeps the id stable when entries move.
                id: format!("{}/links/{url}", site.issue_tag(issue.number)),
                url,
                title,
                summary_html: blurb_html.clone(),
                content_html: None,
                published: issue.date,
                updated: None,
                authors: authors(issue, author),
                tags: vec![section.name.clone()],
                origin: Origin::Issue {
                    number: issue.number,
                    section: Some(section.name.clone()),
                },
            });
        }
    }
    items
}

/// The issue's own author, else the newsletter's; none when neither is named.
fn authors(issue: &Issue, newsletter_author: &str) -> Vec<String> {
    match issue.author.as_deref().unwrap_or(newsletter_author).trim() {
        "" => Vec::new(),
        name => vec![name.to_string()],
    }
}

/// Up to and including the first `.`, `!` or `?` that ends a sentence.
fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let ends_sentence = matches!(c, '.' | '!' | '?')
            && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if ends_sentence {
            return &text[..at + c.len_utf8()];
        }
    }
    text
}

/// `text` if it has at most `max` characters, else its longest run of whole
/// words that leaves room for an ellipsis, and the ellipsis.
fn cut_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let limit = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(at, _)| at);
    let head = &text[..limit];
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if space > 0 => &head[..space],
        // One endless word: cut inside it.
        _ => head,
    };
    format!(
        "{}…",
        head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-".contains(c))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_survive_a_move_to_https_and_a_port() {
        let http = Site::new(&Url::parse("http://Weekly.example.org/").unwrap());
        let https = Site::new(&Url::parse("https://weekly.example.org:8443/").unwrap());
        assert_eq!(http.issue_tag(344), https.issue_tag(344));
        assert_eq!(
            http.issue_tag(344),
            "tag:weekly.example.org,2005:issues/344"
        );
        assert_eq!(
            https.permalink(344).as_str(),
            "https://weekly.example.org:8443/issues/344/"
        );
    }

    #[test]
    fn ids_keep_the_base_path() {
        let site = Site::new(&Url::parse("https://example.org/weekly/").unwrap());
        assert_eq!(site.issue_tag(7), "tag:example.org,2005:weekly/issues/7");
        assert_eq!(
            site.permalink(7).as_str(),
            "https://example.org/weekly/issues/7/"
        );
    }

    #[test]
    fn an_issue_author_wins_over_the_newsletter_one() {
        let mut issue = crate::issue::parse(
            std::path::Path::new("1.md"),
            b"---\ntitle: Issue 1\ndate: 2020-01-05\n---\n\nIntro.\n",
        )
        .unwrap();
        assert_eq!(authors(&issue, "The Editors"), ["The Editors"]);
        assert!(authors(&issue, " ").is_empty());
        issue.author = Some("Guest".into());
        assert_eq!(authors(&issue, "The Editors"), ["Guest"]);
    }

    #[test]
    fn first_sentence_ends_at_sentence_punctuation() {
        assert_eq!(
            first_sentence("A post on v1.2 tools. More."),
            "A post on v1.2 tools."
        );
        assert_eq!(first_sentence("Why? Because."), "Why?");
        assert_eq!(first_sentence("No full stop"), "No full stop");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let text = "word ".repeat(40);
        let title = cut_at_word(text.trim(), 120);
        assert!(title.chars().count() <= 120, "{title}");
        assert!(title.ends_with("word…"), "{title}");
        let long_word = "x".repeat(300);
        assert_eq!(cut_at_word(&long_word, 120).chars().count(), 120);
        assert_eq!(cut_at_word("short", 120), "short");
    }
}
