//! Markdown from issue files to HTML a subscriber can be shown: rendered by
//! pulldown-cmark, then sanitised by ammonia, which also makes every `href`
//! and `src` absolute (feed readers show content away from the site).

use ammonia::UrlRelative;
use pulldown_cmark::{Event, Options, Parser, TagEnd};
use url::Url;

use crate::issue::Issue;

/// Renders markdown and issues to sanitised HTML with absolute URLs.
pub struct Renderer {
    cleaner: ammonia::Builder<'static>,
}

/// An issue as HTML: its intro, and the whole issue (intro included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueHtml {
    pub intro: String,
    pub content: String,
}

impl Renderer {
    /// Relative URLs in issues are resolved against `base_url`.
    pub fn new(base_url: &Url) -> Self {
        let mut cleaner = ammonia::Builder::default();
        cleaner.url_relative(UrlRelative::RewriteWithBase(base_url.clone()));
        Renderer { cleaner }
    }

    /// Markdown to sanitised HTML.
    pub fn markdown(&self, markdown: &str) -> String {
        self.clean(&unsafe_html(markdown))
    }

    /// The issue's intro, then each section with its entries and their links.
    /// The footer (subscription boilerplate) is left out.
    pub fn issue(&self, issue: &Issue) -> IssueHtml {
        let mut body = String::new();
        for section in &issue.sections {
            body.push_str("<h2>");
            body.push_str(&escape(&section.name));
            body.push_str("</h2>\n");
            for entry in &section.entries {
                body.push_str(&unsafe_html(&entry.blurb));
                if !entry.links.is_empty() {
                    body.push_str("<ul>\n");
                    for link in &entry.links {
                        let text = link.text.as_deref().unwrap_or(link.url.as_str());
                        body.push_str(&format!(
                            "<li><a href=\"{}\">{}</a></li>\n",
                            escape(link.url.as_str()),
                            escape(text)
                        ));
                    }
                    body.push_str("</ul>\n");
                }
            }
        }
        let intro = self.markdown(&issue.intro);
        // One sanitiser pass for the whole body: it is the costly step.
        let content = format!("{intro}{}", self.clean(&body));
        IssueHtml { intro, content }
    }

    fn clean(&self, html: &str) -> String {
        self.cleaner.clean(html).to_string()
    }
}

/// pulldown-cmark's HTML: raw HTML from the issue passes through, so it must
/// be sanitised before anyone sees it.
fn unsafe_html(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, Options::empty()));
    html
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
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
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
    fn relative_urls_become_absolute() {
        let html = renderer().markdown("[a](/x/y) ![i](img.png)");
        assert!(
            html.contains("href=\"https://weekly.example.org/x/y\""),
            "{html}"
        );
        assert!(
            html.contains("src=\"https://weekly.example.org/img.png\""),
            "{html}"
        );
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
