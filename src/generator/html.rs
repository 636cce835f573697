//! Markdown from issue files to HTML a subscriber can be shown, with every
//! `href` and `src` absolute (feed readers show content away from the site).
//!
//! Sanitising is the costly step of a build, so it is done where it is
//! needed: markdown holding raw HTML is rendered by pulldown-cmark and then
//! cleaned by ammonia, which alone decides what of the editor's HTML may
//! pass. Markdown without raw HTML cannot produce a tag or attribute of its
//! own: pulldown-cmark escapes all its text and attribute values, so what is
//! left to check is where its links and images point, and that is checked
//! here, the way ammonia would (allowed schemes, relative URLs resolved,
//! `rel="noopener noreferrer"` on links).

use std::ops::Range;

use ammonia::UrlRelative;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use url::Url;

use super::xml::escape_into;
use crate::issue::Issue;

/// The URL schemes a link or image in an issue may use.
const SCHEMES: [&str; 4] = ["http", "https", "mailto", "ftp"];

/// What ammonia puts on every link, and so does the markdown-only path.
const LINK_REL: &str = "noopener noreferrer";

/// Renders markdown and issues to sanitised HTML with absolute URLs.
pub struct Renderer {
    base_url: Url,
    cleaner: ammonia::Builder<'static>,
}

/// An issue as HTML: its intro, and the whole issue (intro included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueHtml {
    pub intro: String,
    pub content: String,
    /// Where each entry's blurb is in `content`, in [`Issue::entries`]
    /// order: the links feed shows them again, and need not render them
    /// twice.
    pub blurbs: Vec<Range<usize>>,
}

impl Renderer {
    /// Relative URLs in issues are resolved against `base_url`.
    pub fn new(base_url: &Url) -> Self {
        let mut cleaner = ammonia::Builder::default();
        cleaner
            .url_relative(UrlRelative::RewriteWithBase(base_url.clone()))
            .url_schemes(SCHEMES.into_iter().collect())
            .link_rel(Some(LINK_REL));
        Renderer {
            base_url: base_url.clone(),
            cleaner,
        }
    }

    /// Markdown to sanitised HTML.
    pub fn markdown(&self, markdown: &str) -> String {
        let mut html = String::with_capacity(markdown.len() * 3 / 2);
        self.markdown_into(&mut html, markdown);
        html
    }

    /// [`Renderer::markdown`], appended to `out`.
    fn markdown_into(&self, out: &mut String, markdown: &str) {
        if push_prose(out, markdown) {
            return;
        }
        let events: Vec<Event> = Parser::new_ext(markdown, Options::empty()).collect();
        if events
            .iter()
            .any(|event| matches!(event, Event::Html(_) | Event::InlineHtml(_)))
        {
            let mut html = String::with_capacity(markdown.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, events.into_iter());
            out.push_str(&self.cleaner.clean(&html).to_string());
            return;
        }
        pulldown_cmark::html::push_html(out, self.vet_urls(events));
    }

    /// The issue's intro, then each section with its entries and their links.
    /// The footer (subscription boilerplate) is left out.
    pub fn issue(&self, issue: &Issue) -> IssueHtml {
        let intro = self.markdown(&issue.intro);
        // HTML is about one and a half times its markdown: one allocation.
        let markdown: usize = issue
            .entries()
            .map(|(_, entry)| entry.blurb.len() + 100 * entry.links.len())
            .sum();
        let mut content = String::with_capacity(intro.len() + markdown * 3 / 2);
        content.push_str(&intro);
        let mut blurbs = Vec::with_capacity(issue.entry_count());
        for section in &issue.sections {
            content.push_str("<h2>");
            escape_into(&mut content, &section.name);
            content.push_str("</h2>\n");
            for entry in &section.entries {
                let start = content.len();
                self.markdown_into(&mut content, &entry.blurb);
                blurbs.push(start..content.len());
                let mut links = entry
                    .links
                    .iter()
                    .filter(|link| SCHEMES.contains(&link.url.scheme()))
                    .peekable();
                if links.peek().is_none() {
                    continue;
                }
                content.push_str("<ul>\n");
                for link in links {
                    content.push_str("<li><a href=\"");
                    escape_into(&mut content, link.url.as_str());
                    content.push_str("\" rel=\"");
                    content.push_str(LINK_REL);
                    content.push_str("\">");
                    escape_into(
                        &mut content,
                        link.text.as_deref().unwrap_or(link.url.as_str()),
                    );
                    content.push_str("</a></li>\n");
                }
                content.push_str("</ul>\n");
            }
        }
        IssueHtml {
            intro,
            content,
            blurbs,
        }
    }

    /// Makes every link and image URL absolute, and turns a link or image
    /// with a scheme outside [`SCHEMES`] (`javascript:`, `data:`...) into its
    /// text.
    fn vet_urls<'a>(&self, events: Vec<Event<'a>>) -> impl Iterator<Item = Event<'a>> {
        // For each open link or image: whether it is kept.
        let mut kept: Vec<bool> = Vec::new();
        events.into_iter().filter_map(move |event| match event {
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                let url = self.vetted(&dest_url);
                kept.push(url.is_some());
                let title = match title.is_empty() {
                    true => String::new(),
                    false => format!(" title=\"{}\"", escape(&title)),
                };
                url.map(|url| {
                    Event::InlineHtml(CowStr::from(format!(
                        "<a href=\"{}\"{title} rel=\"{LINK_REL}\">",
                        escape(url.as_str())
                    )))
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let url = self.vetted(&dest_url);
                kept.push(url.is_some());
                url.map(|url| {
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url: CowStr::from(url.to_string()),
                        title,
                        id,
                    })
                })
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                kept.pop().unwrap_or(false).then_some(event)
            }
            event => Some(event),
        })
    }

    /// `url` made absolute, if its scheme may be shown.
    fn vetted(&self, url: &str) -> Option<Url> {
        let url = self.base_url.join(url.trim()).ok()?;
        SCHEMES.contains(&url.scheme()).then_some(url)
    }
}

/// Renders `markdown` into `out` and returns true if it is plain prose:
/// paragraphs (one blank line apart) of text in which markdown sees no
/// markup at all, so that pulldown-cmark would give `<p>{text}</p>` for
/// each, the text copied as it is. Most blurbs are such prose, and a build
/// renders tens of thousands of them: this spares each its own parser.
/// Anything else leaves `out` as it was, returns false and is left to
/// pulldown-cmark.
fn push_prose(out: &mut String, markdown: &str) -> bool {
    if has_markup(markdown.as_bytes()) {
        return false;
    }
    let start = out.len();
    let bytes = markdown.as_bytes();
    let mut paragraph = 0;
    loop {
        // A line break must be a blank line ("\n\n") between paragraphs.
        let end =
            memchr::memchr(b'\n', &bytes[paragraph..]).map_or(bytes.len(), |at| paragraph + at);
        let text = &markdown[paragraph..end];
        if !starts_and_ends_as_text(text) {
            break;
        }
        out.push_str("<p>");
        out.push_str(text);
        out.push_str("</p>\n");
        match &bytes[end..] {
            [] => return true,
            [b'\n', b'\n', ..] => paragraph = end + 2,
            _ => break,
        }
    }
    out.truncate(start);
    false
}

/// Whether `bytes` hold any byte that plain prose may not: one that can
/// start markup (emphasis, code, links, HTML, entities, escapes) or that
/// pulldown-cmark would escape or replace, or a control character other
/// than the line feed. That leaves non-ASCII characters, ASCII letters and
/// digits, and ` .,;:!?'"()/%$@^=+-#`. Every blurb of every issue is looked
/// at here: a few vectorised searches for bytes rare in prose cost less
/// than a look at each byte.
fn has_markup(bytes: &[u8]) -> bool {
    crate::text::contains_any(bytes, b"&*<>[\\]_`{|}~\x7f")
        || bytes
            .iter()
            .fold(false, |any, &byte| any | (byte < b' ' && byte != b'\n'))
}

/// Whether a paragraph of [`has_markup`] bytes is text to markdown, whatever
/// its context: it starts with a letter or an opening quote or parenthesis
/// (no list marker, heading, quote or indented code), and ends without the
/// spaces markdown would trim.
fn starts_and_ends_as_text(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|first| first.is_alphabetic() || matches!(first, '(' | '"' | '\''))
        && !text.ends_with(char::is_whitespace)
}

/// The text of some markdown, without its markup: for titles and summaries.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            // Blocks end in a space, so paragraphs do not run together.
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            ) => text.push(' '),
            _ => {}
        }
    }
    crate::text::collapse_whitespace(&text)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    super::xml::escape_into(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> Renderer {
        Renderer::new(&Url::parse("https://weekly.example.org/").unwrap())
    }

    #[test]
    fn scripts_and_handlers_never_pass() {
        let html = renderer().markdown(
            "Hi <script>alert(1)</script> <a href=\"javascript:x()\" onclick=\"x()\">y</a>\n\n<div onmouseover=\"x()\">z</div>",
        );
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("onmouseover"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn markdown_links_with_unsafe_schemes_become_text() {
        let renderer = renderer();
        for markdown in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x]( javascript:alert(1))",
            "<javascript:alert(1)>",
            "![x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
        ] {
            let html = renderer.markdown(markdown);
            assert!(!html.contains("href"), "{markdown}: {html}");
            assert!(!html.contains("src"), "{markdown}: {html}");
            assert!(!html.contains('<') || html.starts_with("<p>"), "{html}");
        }
    }

    #[test]
    fn both_paths_mark_links_alike() {
        let renderer = renderer();
        let plain = renderer.markdown("[a](https://x.example/ \"T\")");
        assert_eq!(
            plain,
            "<p><a href=\"https://x.example/\" title=\"T\" rel=\"noopener noreferrer\">a</a></p>\n"
        );
        let with_html = renderer.markdown("<b>[a](https://x.example/)</b>");
        assert!(
            with_html.contains("<a href=\"https://x.example/\" rel=\"noopener noreferrer\">a</a>"),
            "{with_html}"
        );
    }

    #[test]
    fn relative_urls_become_absolute() {
        for markdown in [
            "[a](/x/y) ![i](img.png)",
            "[a](/x/y) ![i](img.png) <i>raw</i>",
        ] {
            let html = renderer().markdown(markdown);
            assert!(
                html.contains("href=\"https://weekly.example.org/x/y\""),
                "{html}"
            );
            assert!(
                html.contains("src=\"https://weekly.example.org/img.png\""),
                "{html}"
            );
        }
    }

    proptest::proptest! {
        /// Whatever the markdown, with or without raw HTML, no script, no
        /// event handler and no URL outside the allowed schemes gets out.
        #[test]
        fn nothing_unsafe_gets_out(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "[", "]", "(", ")", "<", ">", "!", "\"", "'", " ", "\n", "\n\n", "`",
                "javascript:", "JAVASCRIPT:", "data:", "vbscript:", "alert(1)", "https://x.example/",
                "script", "onclick=", "onerror=", "img", "a href=", "/", "&#106;", "*", "_",
            ]), 0..40)
        ) {
            let markdown: String = parts.concat();
            let html = renderer().markdown(&markdown).to_lowercase();
            proptest::prop_assert!(!html.contains("<script"), "{}", html);
            // Text outside tags is escaped; what matters is inside them.
            let tags = html.split('<').skip(1).map(|tag| tag.split('>').next().unwrap_or(""));
            for tag in tags {
                proptest::prop_assert!(!tag.contains(" on"), "{}", html);
                // With its leading space: `href=` may also appear inside a
                // URL (`/a%20href=`), and that is no attribute.
                for attribute in [" href=\"", " src=\""] {
                    for (at, _) in tag.match_indices(attribute) {
                        let url = &tag[at + attribute.len()..];
                        proptest::prop_assert!(
                            ["http://", "https://", "mailto:", "ftp://"].iter().any(|s| url.starts_with(s)),
                            "{}", html
                        );
                    }
                }
            }
        }
    }

    /// What pulldown-cmark alone makes of `markdown`.
    fn by_pulldown(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, Options::empty()));
        html
    }

    #[test]
    fn prose_is_rendered_as_pulldown_cmark_would() {
        let prose =
            "A post on O’Reilly's \"90+ page\" guide (AKA - Postmortems): why? 50% off!\n\nMore.";
        let mut html = String::new();
        assert!(push_prose(&mut html, prose));
        assert_eq!(html, by_pulldown(prose));
        for markup in [
            "1. A list",
            "- Item",
            "A *word*",
            "[a](b)",
            "A &amp; B",
            "a\nb",
            "#345",
            "a  ",
        ] {
            assert!(!push_prose(&mut String::new(), markup), "{markup}");
        }
    }

    proptest::proptest! {
        /// Whatever `push_prose` takes as prose, pulldown-cmark renders the
        /// same. Mostly prose, with now and then something markdown reads.
        #[test]
        fn prose_renders_like_pulldown_cmark(
            parts in proptest::collection::vec(proptest::prop_oneof![
                6 => proptest::sample::select(vec![
                    "a", "Word", "é", "’", "\u{a0}", " ", "  ", "\n\n", ".", ",", ":", ";", "!",
                    "?", "'", "\"", "(", ")", "/", "%", "$", "@", "^", "=", "+", "-", "#", "1",
                ]),
                1 => proptest::sample::select(vec![
                    "\n", "\n\n\n", "2.", "3)", "*", "_", "`", "[", "]", "<", ">", "&", "\\",
                    "~", "|", "\t", "---", "===", "    ", "\r", "\0", "&amp;", "<b>", "[x]: /y",
                ]),
            ], 0..40)
        ) {
            let markdown: String = parts.concat();
            let mut html = String::new();
            if push_prose(&mut html, &markdown) {
                proptest::prop_assert_eq!(html, by_pulldown(&markdown), "{:?}", markdown);
            }
        }
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("A *great* `post` on [TCP](https://x.example/).\n\nMore."),
            "A great post on TCP. More."
        );
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
