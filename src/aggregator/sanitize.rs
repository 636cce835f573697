//! Making other people's HTML safe to show, and reading it as plain text.
//!
//! Feed entries carry HTML written by strangers; everything that leaves the
//! parser has been through ammonia (scripts, styles, event handlers and
//! `javascript:` URLs removed, relative links made absolute), or through
//! [`simple`], which writes the same output for the well-formed summaries
//! most feeds have, without building a tree.

mod simple;

use std::cell::OnceCell;

use ammonia::UrlRelative;
use url::Url;

/// Cleans the HTML fragments of one feed. Build one per document: relative
/// URLs in the fragments resolve against that document's URL.
pub struct Sanitizer {
    base: Url,
    /// ammonia, set up on first need: most documents never need it, and
    /// its policy is a dozen hash sets to fill.
    builder: OnceCell<ammonia::Builder<'static>>,
}

impl Sanitizer {
    pub fn new(base: &Url) -> Sanitizer {
        Sanitizer {
            base: base.clone(),
            builder: OnceCell::new(),
        }
    }

    /// The safe subset of `html`.
    pub fn clean(&self, html: &str) -> String {
        // Without tags or entities there is nothing to parse; many feeds put
        // plain text in their HTML fields, and the HTML parser is the most
        // expensive step of reading a feed.
        if memchr::memchr2(b'<', b'&', html.as_bytes()).is_none() {
            return escape(html);
        }
        // Well-formed simple HTML, the usual summary, is written in one pass
        // with the same result; the rest goes through the HTML parser.
        simple::clean(html, &self.base).unwrap_or_else(|| self.ammonia().clean(html).to_string())
    }

    fn ammonia(&self) -> &ammonia::Builder<'static> {
        self.builder.get_or_init(|| {
            let mut builder = ammonia::Builder::default();
            builder.url_relative(UrlRelative::RewriteWithBase(self.base.clone()));
            builder
        })
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

/// The escapes [`Sanitizer::clean`] and [`escape`] produce, and their text.
const ENTITIES: &[(&str, char)] = &[
    ("&amp;", '&'),
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&nbsp;", '\u{a0}'),
];

/// The text a reader sees in `sanitized`, on one line, whitespace collapsed.
///
/// Only for the output of [`Sanitizer::clean`] or [`escape`]: they always
/// quote attributes with `"` and escape text as `&amp;`, `&lt;`, `&gt;`,
/// `&quot;` and `&nbsp;` only, which is all this undoes. One pass, no second
/// HTML parse.
pub fn plain_text(sanitized: &str) -> String {
    let mut text = String::with_capacity(sanitized.len());
    let mut space = false;
    let mut emit = |c: char| {
        if c.is_whitespace() {
            space = true;
            return;
        }
        if space && !text.is_empty() {
            text.push(' ');
        }
        space = false;
        text.push(c);
    };
    let mut at = 0;
    while let Some(c) = sanitized[at..].chars().next() {
        let rest = &sanitized[at..];
        match c {
            '<' => {
                let tag = &rest[1..];
                let end = tag_end(tag);
                let name = tag[..end]
                    .trim_start_matches('/')
                    .split(|c: char| c.is_ascii_whitespace() || c == '/')
                    .next()
                    .unwrap_or_default();
                if BLOCKS.iter().any(|block| block.eq_ignore_ascii_case(name)) {
                    emit(' ');
                }
                at += 1 + (end + 1).min(tag.len());
            }
            '&' => match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
                Some((entity, decoded)) => {
                    emit(*decoded);
                    at += entity.len();
                }
                None => {
                    emit('&');
                    at += 1;
                }
            },
            c => {
                emit(c);
                at += c.len_utf8();
            }
        }
    }
    text
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
    fn text_without_markup_skips_the_parser_with_the_same_result() {
        let text = "Deploys > downtime, \"always\"";
        assert_eq!(
            plain_text(&sanitizer().clean(text)),
            plain_text(&sanitizer().ammonia().clean(text).to_string())
        );
    }

    #[test]
    fn escape_makes_text_inert() {
        assert_eq!(escape("<b>&"), "&lt;b&gt;&amp;");
    }
}
