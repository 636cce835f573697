//! The HTML archive: `index.html` and one page per issue. Self-contained
//! (CSS inline, no fonts or scripts), readable on a phone, and announcing
//! all four feeds for autodiscovery.

use std::fmt::Write;

use super::html::escape;
use super::items::Site;
use crate::issue::Issue;

/// What every page shows: the newsletter's name and its feeds. The feed
/// markup is the same on every page, so it is made once.
pub struct Masthead<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    /// `<link rel="alternate">` of every feed, for the head.
    alternates: String,
    /// Visible links to every feed.
    subscribe: String,
}

impl<'a> Masthead<'a> {
    pub fn new(site: &Site, title: &'a str, description: &'a str, language: &'a str) -> Self {
        let mut alternates = String::new();
        let mut links = Vec::new();
        for (file, mime, suffix) in FEEDS {
            let href = escape(site.url(file).as_str());
            let _ = writeln!(
                alternates,
                "<link rel=\"alternate\" type=\"{mime}\" title=\"{}{}\" href=\"{href}\">",
                escape(title),
                escape(suffix),
            );
            links.push(format!(
                "<a href=\"{href}\">{}</a>",
                escape(suffix.trim_start_matches([' ', ':']))
            ));
        }
        Masthead {
            title,
            description,
            language,
            alternates,
            subscribe: format!("<nav>Subscribe: {}</nav>\n", links.join(" · ")),
        }
    }
}

/// The feeds a page announces: (file, MIME type, title suffix).
const FEEDS: [(&str, &str, &str); 4] = [
    ("feed.xml", "application/rss+xml", " (RSS)"),
    ("atom.xml", "application/atom+xml", " (Atom)"),
    ("feed.json", "application/feed+json", " (JSON Feed)"),
    ("links.xml", "application/rss+xml", ": every link (RSS)"),
];

const STYLE: &str = "body{font:1.05rem/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;\
max-width:42rem;margin:0 auto;padding:1rem;color:#222;background:#fff;overflow-wrap:break-word}\
a{color:#0b57d0}h1{font-size:1.6rem;line-height:1.25}h2{font-size:1.2rem;margin-top:2rem;\
border-bottom:1px solid #ddd}ul{padding-left:1.2rem}time{color:#666}\
nav{margin:1rem 0;font-size:.95rem}img{max-width:100%;height:auto}\
pre{overflow-x:auto}@media(prefers-color-scheme:dark){body{color:#ddd;background:#111}a{color:#8ab4f8}}";

/// `index.html`: every issue, newest first (`issues` is in that order).
pub fn index(masthead: &Masthead, issues: &[&Issue]) -> String {
    page(masthead, masthead.title, 160 * issues.len(), |out| {
        let _ = write!(
            out,
            "<h1>{}</h1>\n<p>{}</p>\n{}<ul>\n",
            escape(masthead.title),
            escape(masthead.description),
            masthead.subscribe
        );
        for issue in issues {
            // Relative links, so that a preview works from any folder.
            let _ = writeln!(
                out,
                "<li><time datetime=\"{}\">{}</time> <a href=\"issues/{}/\">{}</a></li>",
                issue.date.to_rfc3339(),
                issue.date.format("%Y-%m-%d"),
                issue.number,
                escape(&issue.title)
            );
        }
        out.push_str("</ul>\n");
    })
}

/// `issues/{number}/index.html`: the issue, `content_html` already
/// sanitised.
pub fn issue(masthead: &Masthead, issue: &Issue, content_html: &str) -> String {
    page(masthead, &issue.title, content_html.len(), |out| {
        let _ = write!(
            out,
            "<nav><a href=\"../../\">{}</a></nav>\n<h1>{}</h1>\n<p><time datetime=\"{}\">{}</time></p>\n",
            escape(masthead.title),
            escape(&issue.title),
            issue.date.to_rfc3339(),
            issue.date.format("%-d %B %Y"),
        );
        out.push_str(content_html);
        out.push('\n');
        out.push_str(&masthead.subscribe);
    })
}

/// A page around the body that `body` appends, in one allocation of about
/// `body_len` more than the page's own markup.
fn page(
    masthead: &Masthead,
    title: &str,
    body_len: usize,
    body: impl FnOnce(&mut String),
) -> String {
    let mut out = String::with_capacity(
        body_len + STYLE.len() + masthead.alternates.len() + masthead.subscribe.len() + 1024,
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title}</title>\n{alternates}<style>{STYLE}</style>\n</head>\n<body>\n",
        lang = escape(masthead.language),
        title = escape(title),
        alternates = masthead.alternates,
    );
    body(&mut out);
    out.push_str("</body>\n</html>\n");
    out
}
