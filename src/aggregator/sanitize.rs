//! Making other people's HTML safe to show, and reading it as plain text.
//!
//! Feed entries carry HTML written by strangers; everything that leaves the
//! parser has been through ammonia (scripts, styles, event handlers and
//! `javascript:` URLs removed, relative links made absolute).

use ammonia::UrlRelative;
use url::Url;

/// Cleans the HTML fragments of one feed. Build one per document: relative
/// URLs in the fragments resolve against that document's URL.
pub struct Sanitizer {
    builder: ammonia::Builder<'static>,
}

impl Sanitizer {
    pub fn new(base: &Url) -> Sanitizer {
        let mut builder = ammonia::Builder::default();
        builder.url_relative(UrlRelative::RewriteWithBase(base.clone()));
        Sanitizer { builder }
    }

    /// The safe subset of `html`.
    pub fn clean(&self, html: &str) -> String {
        self.builder.clean(html).to_string()
    }
}

/// `text` escaped for use as HTML text, for fragments a feed declares as
/// plain text. The same four escapes the sanitiser's output uses, so that
/// [`plain_text`] undoes them.
pub fn escape(text: &str) -> String {
    let mut html = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            _ => html.push(c),
        }
    }
    html
}

/// Elements after which a reader sees a break, so their text must not run
/// into the next word.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// The text a reader sees in `sanitized`, on one line, whitespace collapsed.
///
/// Only for the output of [`Sanitizer::clean`]: that serialiser always
/// quotes attributes with `"` and escapes text as `&amp;`, `&lt;`, `&gt;`,
/// `&quot;` and `&nbsp;`, which is all this undoes. Cheaper than a second
/// HTML parse.
pub fn plain_text(sanitized: &str) -> String {
    let mut text = String::with_capacity(sanitized.len());
    let mut rest = sanitized;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let tag = &rest[start + 1..];
        let end = tag_end(tag);
        let name = tag[..end]
            .trim_start_matches('/')
            .split(|c: char| c.is_ascii_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        if BLOCKS.iter().any(|block| block.eq_ignore_ascii_case(name)) {
            text.push(' ');
        }
        rest = tag.get(end + 1..).unwrap_or_default();
    }
    text.push_str(rest);
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        // Last, so that an escaped entity (`&amp;lt;`) stays text.
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the tag that `tag` starts with ends (the index of its `>`, or the
/// length), skipping `>` inside quoted attribute values.
fn tag_end(tag: &str) -> usize {
    let mut quoted = false;
    for (at, c) in tag.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return at,
            _ => {}
        }
    }
    tag.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sanitizer() -> Sanitizer {
        Sanitizer::new(&Url::parse("https://blog.example/posts/").unwrap())
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let clean = sanitizer().clean(
            r#"<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:alert(2)">x</a></p>"#,
        );
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(clean.contains("Hi"), "{clean}");
    }

    #[test]
    fn relative_links_become_absolute() {
        let clean = sanitizer().clean(r#"<a href="../about">about</a><img src="a.png">"#);
        assert!(
            clean.contains(r#"href="https://blog.example/about""#),
            "{clean}"
        );
        assert!(
            clean.contains(r#"src="https://blog.example/posts/a.png""#),
            "{clean}"
        );
    }

    #[test]
    fn plain_text_of_sanitized_html() {
        let clean = sanitizer().clean(
            "<p>Fast &amp; safe:</p><p>a &lt;b&gt; <b>bold</b>&nbsp;move</p>\
             <a title=\"x > y\" href=\"/z\">link</a><ul><li>one</li><li>two</li></ul>",
        );
        assert_eq!(
            plain_text(&clean),
            "Fast & safe: a <b> bold move link one two"
        );
    }

    #[test]
    fn plain_text_keeps_escaped_entities_literal() {
        assert_eq!(
            plain_text(&escape("&lt; is written &amp;lt;")),
            "&lt; is written &amp;lt;"
        );
    }

    #[test]
    fn escape_makes_text_inert() {
        assert_eq!(escape("<b>&"), "&lt;b&gt;&amp;");
    }
}
