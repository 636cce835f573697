//! The fast path of [`super::Sanitizer`], for the HTML most feeds write.
//!
//! A typical summary is a few paragraphs, links, lists and emphasis, well
//! formed. For such HTML the tree html5ever builds is just the nesting of
//! the tags as written, so ammonia's output can be written in one pass over
//! the text, without building and serialising a tree (which was a third of
//! the cost of parsing a feed).
//!
//! Anything this module is not sure of gives `None`, and the caller asks
//! ammonia: a tag or an entity outside the tables below, a comment, a tag
//! left open or closed out of order, a nesting the HTML parser would
//! rearrange (a block inside a paragraph, a link inside a link, a list item
//! outside a list), an unquoted attribute, a repeated attribute, a relative
//! URL that does not resolve, a control character. What it does accept it
//! writes byte for byte as ammonia does with the policy `Sanitizer` sets
//! (the property test below compares the two on generated HTML, hostile
//! fragments included): disallowed attributes dropped, URLs with a scheme
//! outside the allowed list dropped, relative ones made absolute,
//! `rel="noopener noreferrer"` added to links, text and attribute values
//! escaped as html5ever's serialiser escapes them.

use std::borrow::Cow;

use url::Url;

/// What an element may contain, as far as this fast path goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Blocks, inline elements and text (the fragment itself, `div`, `li`).
    Flow,
    /// Inline elements and text only: a block there would make the HTML
    /// parser close the paragraph or heading first.
    Phrasing,
    /// `li` elements and white space (`ul`, `ol`).
    Items,
    /// Nothing, and no end tag (`br`, `img`).
    Void,
}

/// Where an element may stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Block,
    Inline,
    Item,
}

struct Element {
    name: &'static str,
    place: Place,
    content: Content,
    /// One of the HTML parser's "formatting elements": nested in itself,
    /// it is reopened and regrouped (adoption agency, Noah's Ark), so this
    /// fast path refuses that nesting.
    formatting: bool,
    /// The attributes ammonia keeps on this element, besides the generic
    /// [`GENERIC_ATTRIBUTES`].
    attributes: &'static [&'static str],
}

const fn element(
    name: &'static str,
    place: Place,
    content: Content,
    formatting: bool,
    attributes: &'static [&'static str],
) -> Element {
    Element {
        name,
        place,
        content,
        formatting,
        attributes,
    }
}

use Content::{Flow, Items, Phrasing, Void};
use Place::{Block, Inline, Item};

/// The elements this fast path writes: all allowed by ammonia's default
/// policy, with the attributes it allows on them; sorted by name, for
/// [`element_named`].
const ELEMENTS: &[Element] = &[
    element("a", Inline, Phrasing, true, &["href", "hreflang"]),
    element("abbr", Inline, Phrasing, false, &[]),
    element("b", Inline, Phrasing, true, &[]),
    element("blockquote", Block, Flow, false, &["cite"]),
    element("br", Inline, Void, false, &[]),
    element("cite", Inline, Phrasing, false, &[]),
    element("code", Inline, Phrasing, true, &[]),
    element("del", Inline, Phrasing, false, &["cite", "datetime"]),
    element("div", Block, Flow, false, &[]),
    element("em", Inline, Phrasing, true, &[]),
    element("h1", Block, Phrasing, false, &[]),
    element("h2", Block, Phrasing, false, &[]),
    element("h3", Block, Phrasing, false, &[]),
    element("h4", Block, Phrasing, false, &[]),
    element("h5", Block, Phrasing, false, &[]),
    element("h6", Block, Phrasing, false, &[]),
    element("hr", Block, Void, false, &["align", "size", "width"]),
    element("i", Inline, Phrasing, true, &[]),
    element(
        "img",
        Inline,
        Void,
        false,
        &["align", "alt", "height", "src", "width"],
    ),
    element("ins", Inline, Phrasing, false, &["cite", "datetime"]),
    element("kbd", Inline, Phrasing, false, &[]),
    element("li", Item, Flow, false, &[]),
    element("mark", Inline, Phrasing, false, &[]),
    element("ol", Block, Items, false, &["start"]),
    element("p", Block, Phrasing, false, &[]),
    element("pre", Block, Phrasing, false, &[]),
    element("q", Inline, Phrasing, false, &["cite"]),
    element("s", Inline, Phrasing, true, &[]),
    element("samp", Inline, Phrasing, false, &[]),
    element("small", Inline, Phrasing, true, &[]),
    element("span", Inline, Phrasing, false, &[]),
    element("strike", Inline, Phrasing, true, &[]),
    element("strong", Inline, Phrasing, true, &[]),
    element("sub", Inline, Phrasing, false, &[]),
    element("sup", Inline, Phrasing, false, &[]),
    element("tt", Inline, Phrasing, true, &[]),
    element("u", Inline, Phrasing, true, &[]),
    element("ul", Block, Items, false, &[]),
    element("var", Inline, Phrasing, false, &[]),
    element("wbr", Inline, Void, false, &[]),
];

/// The element of [`ELEMENTS`] named `name`, in any case.
fn element_named(name: &str) -> Option<&'static Element> {
    // A binary search on the lower-cased name: the table is sorted by name,
    // and a linear scan of it was a sixth of this fast path's own time.
    let mut buffer = [0; 10]; // `blockquote`, the longest name
    let lower = buffer.get_mut(..name.len())?;
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    let at = ELEMENTS
        .binary_search_by(|element| element.name.as_bytes().cmp(lower))
        .ok()?;
    Some(&ELEMENTS[at])
}

/// Attributes ammonia keeps on every element.
const GENERIC_ATTRIBUTES: &[&str] = &["lang", "title"];

/// The URL schemes ammonia's default policy lets through.
const URL_SCHEMES: &[&str] = &[
    "bitcoin",
    "ftp",
    "ftps",
    "geo",
    "http",
    "https",
    "im",
    "irc",
    "ircs",
    "magnet",
    "mailto",
    "mms",
    "mx",
    "news",
    "nntp",
    "openpgp4fpr",
    "sip",
    "sms",
    "smsto",
    "ssh",
    "tel",
    "url",
    "webcal",
    "wtai",
    "xmpp",
];

/// What ammonia adds to every link.
const LINK_REL: &str = "noopener noreferrer";

/// Named character references decoded here (with their `;`, which HTML
/// matches exactly); any other name goes to ammonia.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("bull", '•'),
    ("middot", '·'),
];

/// `html` as ammonia would clean it with relative URLs resolved against
/// `base`, or `None` when this fast path cannot be sure of that.
pub(super) fn clean(html: &str, base: &Url) -> Option<String> {
    let mut writer = Writer {
        html,
        at: 0,
        base: Base::new(base),
        clean: String::with_capacity(html.len() + html.len() / 4),
        open: Vec::new(),
    };
    writer.fragment()?;
    Some(writer.clean)
}

/// One pass over a fragment, writing the clean copy as it goes.
struct Writer<'a> {
    html: &'a str,
    at: usize,
    base: Base<'a>,
    clean: String,
    /// The elements open at `at`, outermost first.
    open: Vec<&'static Element>,
}

/// White space between attributes, as the HTML tokenizer sees it (form
/// feed left out: control characters go to ammonia).
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n')
}

fn trim_space(text: &str) -> &str {
    text.trim_start_matches([' ', '\t', '\n'])
}

/// Characters that go to ammonia wherever they appear: the input stream
/// rewrites `\r`, drops NUL, and the rest are parse errors this fast path
/// does not reason about.
fn is_refused(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || is_noncharacter(c)
}

/// The ASCII letters and digits `text` starts with: a tag or entity name.
fn alphanumeric_prefix(text: &str) -> &str {
    let length = text
        .bytes()
        .position(|byte| !byte.is_ascii_alphanumeric())
        .unwrap_or(text.len());
    &text[..length]
}

fn is_noncharacter(c: char) -> bool {
    let c = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

impl Writer<'_> {
    fn rest(&self) -> &str {
        &self.html[self.at..]
    }

    fn content(&self) -> Content {
        self.open.last().map_or(Flow, |element| element.content)
    }

    fn fragment(&mut self) -> Option<()> {
        while self.at < self.html.len() {
            let rest = self.rest();
            let next = memchr::memchr2(b'<', b'&', rest.as_bytes()).unwrap_or(rest.len());
            if next > 0 {
                self.text(next)?;
                continue;
            }
            if rest.starts_with('&') {
                let (decoded, length) = character_reference(rest, false)?;
                self.text_char(decoded)?;
                self.at += length;
                continue;
            }
            match rest.as_bytes().get(1) {
                Some(b'/') => self.end_tag()?,
                Some(byte) if byte.is_ascii_alphabetic() => self.start_tag()?,
                // `<!--`, `<!DOCTYPE`, `<?`: comments and the like.
                Some(b'!' | b'?') => return None,
                // A `<` that starts no tag is text.
                _ => {
                    self.text_char('<')?;
                    self.at += 1;
                }
            }
        }
        self.open.is_empty().then_some(())
    }

    /// The `length` bytes at `at`, which hold no `<` or `&`, as text.
    fn text(&mut self, length: usize) -> Option<()> {
        let html = self.html;
        let text = &html[self.at..self.at + length];
        if self.content() == Items && !text.bytes().all(is_space) {
            // Only the white space between list items.
            return None;
        }
        // Runs of plain ASCII are copied whole; the rest one by one.
        let mut run = 0;
        for (at, byte) in text.bytes().enumerate() {
            if at < run {
                continue; // inside a character already written
            }
            if ((b' '..=b'~').contains(&byte) && byte != b'>') || is_space(byte) {
                continue;
            }
            self.clean.push_str(&text[run..at]);
            let c = text[at..].chars().next()?;
            self.push_text(c)?;
            run = at + c.len_utf8();
        }
        self.clean.push_str(&text[run..]);
        self.at += length;
        Some(())
    }

    fn text_char(&mut self, c: char) -> Option<()> {
        if self.content() == Items {
            return None;
        }
        self.push_text(c)
    }

    /// `c` as html5ever's serialiser writes text.
    fn push_text(&mut self, c: char) -> Option<()> {
        match c {
            '&' => self.clean.push_str("&amp;"),
            '<' => self.clean.push_str("&lt;"),
            '>' => self.clean.push_str("&gt;"),
            '\u{a0}' => self.clean.push_str("&nbsp;"),
            c if is_refused(c) => return None,
            c => self.clean.push(c),
        }
        Some(())
    }

    fn end_tag(&mut self) -> Option<()> {
        let html = self.html;
        let rest = &html[self.at + 2..];
        let name = alphanumeric_prefix(rest);
        let after = trim_space(&rest[name.len()..]);
        if !after.starts_with('>') {
            return None;
        }
        // Only the innermost open element may close: anything else is
        // what the parser repairs.
        let element = self.open.pop()?;
        if !element.name.eq_ignore_ascii_case(name) {
            return None;
        }
        self.clean.push_str("</");
        self.clean.push_str(element.name);
        self.clean.push('>');
        self.at = self.html.len() - after.len() + 1;
        Some(())
    }

    fn start_tag(&mut self) -> Option<()> {
        let html = self.html;
        let name = alphanumeric_prefix(&html[self.at + 1..]);
        let element = element_named(name)?;
        let allowed = matches!(
            (self.content(), element.place),
            (Flow, Block | Inline) | (Phrasing, Inline) | (Items, Item)
        );
        let nested_in_itself = self.open.iter().any(|open| open.name == element.name);
        if !allowed || (element.formatting && nested_in_itself) {
            return None;
        }
        self.at += 1 + name.len();
        self.clean.push('<');
        self.clean.push_str(element.name);
        let self_closing = self.attributes(element)?;
        if element.name == "a" {
            self.clean.push_str(" rel=\"");
            self.clean.push_str(LINK_REL);
            self.clean.push('"');
        }
        self.clean.push('>');
        if element.content == Void {
            return Some(());
        }
        // `/>` on an element that has content is ignored by the parser;
        // rare enough to leave to it.
        if self_closing {
            return None;
        }
        // The parser drops a newline right after `<pre>`.
        if element.name == "pre" && self.rest().starts_with('\n') {
            return None;
        }
        self.open.push(element);
        Some(())
    }

    /// Reads the attributes of the tag at `at` up to and including its
    /// `>`, writing those ammonia keeps; whether the tag ended with `/>`.
    fn attributes(&mut self, element: &Element) -> Option<bool> {
        let html = self.html;
        // The names read so far, to tell a repeated one; a tag with more
        // attributes than this goes to ammonia.
        let mut seen = [""; 8];
        let mut count = 0;
        loop {
            let rest = trim_space(&html[self.at..]);
            if let Some(after) = rest.strip_prefix('>') {
                self.at = self.html.len() - after.len();
                return Some(false);
            }
            if let Some(after) = rest.strip_prefix("/>") {
                self.at = self.html.len() - after.len();
                return Some(true);
            }
            let name_length = rest
                .bytes()
                .position(|byte| !(byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')))
                .unwrap_or(rest.len());
            if name_length == 0 {
                return None;
            }
            let name = &rest[..name_length];
            if count == seen.len()
                || seen[..count]
                    .iter()
                    .any(|seen| seen.eq_ignore_ascii_case(name))
            {
                // The parser keeps the first of a repeated name; left to it.
                return None;
            }
            seen[count] = name;
            count += 1;
            let after_name = &rest[name_length..];
            let (value, after) = match trim_space(after_name).strip_prefix('=') {
                Some(value) => {
                    let value = trim_space(value);
                    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
                    let inner = &value[1..];
                    let end = inner.find(quote)?;
                    let after = &inner[end + 1..];
                    // A quoted value must be followed by white space or
                    // the end of the tag.
                    if !after.starts_with(['>', '/', ' ', '\t', '\n']) {
                        return None;
                    }
                    (Some(&inner[..end]), after)
                }
                None => {
                    if !after_name.starts_with(['>', '/', ' ', '\t', '\n']) {
                        return None;
                    }
                    (None, after_name)
                }
            };
            self.at = self.html.len() - after.len();
            let kept = GENERIC_ATTRIBUTES
                .iter()
                .chain(element.attributes)
                .find(|kept| kept.eq_ignore_ascii_case(name));
            // A dropped attribute's value does not matter: the quote ends
            // it whatever it holds.
            if let Some(name) = kept {
                let value = match value {
                    Some(value) => attribute_value(value)?,
                    None => Cow::Borrowed(""),
                };
                self.attribute(name, &value)?;
            }
        }
    }

    /// Writes the attribute `name="value"`, one ammonia keeps on this
    /// element, as ammonia does.
    fn attribute(&mut self, name: &str, value: &str) -> Option<()> {
        let value = match name {
            "href" | "src" => match url_value(value, &self.base)? {
                Some(value) => value,
                None => return Some(()),
            },
            _ => Cow::Borrowed(value),
        };
        self.clean.push(' ');
        self.clean.push_str(name);
        self.clean.push_str("=\"");
        for c in value.chars() {
            match c {
                '&' => self.clean.push_str("&amp;"),
                '"' => self.clean.push_str("&quot;"),
                '<' => self.clean.push_str("&lt;"),
                '>' => self.clean.push_str("&gt;"),
                '\u{a0}' => self.clean.push_str("&nbsp;"),
                c => self.clean.push(c),
            }
        }
        self.clean.push('"');
        Some(())
    }
}

/// A quoted attribute value with its character references decoded.
fn attribute_value(raw: &str) -> Option<Cow<'_, str>> {
    if raw.chars().any(is_refused) {
        return None;
    }
    if !raw.contains('&') {
        return Some(Cow::Borrowed(raw));
    }
    let mut value = String::with_capacity(raw.len());
    let mut at = 0;
    while let Some(next) = raw[at..].find('&') {
        value.push_str(&raw[at..at + next]);
        at += next;
        let (decoded, length) = character_reference(&raw[at..], true)?;
        value.push(decoded);
        at += length;
    }
    value.push_str(&raw[at..]);
    Some(Cow::Owned(value))
}

/// The character `text` (starting with `&`) stands for, and how many bytes
/// it takes, when that is certain: a bare `&` is itself, the references of
/// [`ENTITIES`] with their `;`, numeric references to printable characters.
/// In an attribute value, `&name=` is always literal (HTML's rule for query
/// strings).
fn character_reference(text: &str, in_attribute: bool) -> Option<(char, usize)> {
    let rest = &text[1..];
    match rest.bytes().next() {
        Some(b'#') => numeric_reference(&rest[1..]).map(|(c, length)| (c, length + 2)),
        Some(byte) if byte.is_ascii_alphanumeric() => {
            let name = alphanumeric_prefix(rest);
            match rest[name.len()..].bytes().next() {
                Some(b';') => ENTITIES
                    .iter()
                    .find(|(entity, _)| *entity == name)
                    .map(|(_, c)| (*c, name.len() + 2)),
                Some(b'=') if in_attribute => Some(('&', 1)),
                _ => None,
            }
        }
        _ => Some(('&', 1)),
    }
}

/// `&#` references: decimal or hexadecimal digits and `;`, to a printable
/// character (the parser remaps or replaces the others).
fn numeric_reference(text: &str) -> Option<(char, usize)> {
    let (digits, radix, prefix) = match text.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 1),
        None => (text, 10, 0),
    };
    let length = digits
        .bytes()
        .position(|byte| !(byte as char).is_digit(radix))
        .unwrap_or(digits.len());
    if length == 0 || length > 8 || !digits[length..].starts_with(';') {
        return None;
    }
    let code = u32::from_str_radix(&digits[..length], radix).ok()?;
    let c = char::from_u32(code).filter(|c| !is_refused(*c) && *c != '\t' && *c != '\n')?;
    Some((c, prefix + length + 1))
}

/// The URL relative ones resolve against.
struct Base<'a> {
    url: &'a Url,
    /// `scheme://host[:port]` of an http(s) base, what a path that starts
    /// with one `/` is appended to; `None` for other bases.
    origin: Option<&'a str>,
}

impl<'a> Base<'a> {
    fn new(url: &'a Url) -> Base<'a> {
        let origin = (matches!(url.scheme(), "http" | "https") && url.has_host())
            .then(|| &url[..url::Position::BeforePath]);
        Base { url, origin }
    }

    /// `reference` resolved as the url crate resolves it, as a string.
    fn join(&self, reference: &str) -> Option<String> {
        // The usual relative link, `/path/page?query`, joined by
        // concatenation: the url crate's join parses the whole result again,
        // half the cost of this fast path.
        if let Some(origin) = self.origin.filter(|_| is_plain_absolute_path(reference)) {
            return Some([origin, reference].concat());
        }
        self.url.join(reference).ok().map(String::from)
    }
}

/// Whether the url crate, joining `reference` to an http(s) base, keeps the
/// base's origin and appends `reference` unchanged: a path starting with a
/// single `/`, no dot segment to remove (`/a/../b`), and only characters it
/// neither percent-encodes, trims, removes nor rewrites (`\` to `/`) in a
/// path, query or fragment; `%` is left out too, since `%2e` is a dot.
fn is_plain_absolute_path(reference: &str) -> bool {
    let Some(rest) = reference.strip_prefix('/') else {
        return false;
    };
    if rest.starts_with('/') {
        return false; // `//host/path`
    }
    let safe = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?".contains(&byte);
    let (path, after) = rest.split_at(rest.find(['?', '#']).unwrap_or(rest.len()));
    let (query, fragment) = after.split_at(after.find('#').unwrap_or(after.len()));
    path.bytes().all(safe)
        && query.bytes().all(safe)
        && fragment.bytes().skip(1).all(safe)
        && !path.split('/').any(|segment| matches!(segment, "." | ".."))
}

/// What ammonia does with an `href` or `src`: kept as written when it has
/// an allowed scheme, made absolute when relative, dropped otherwise
/// (`Some(None)`). `None` when a relative URL does not resolve, where
/// ammonia reorders the attributes.
fn url_value<'v>(value: &'v str, base: &Base) -> Option<Option<Cow<'v, str>>> {
    match Url::parse(value) {
        Ok(url) => Some(
            URL_SCHEMES
                .contains(&url.scheme())
                .then_some(Cow::Borrowed(value)),
        ),
        Err(url::ParseError::RelativeUrlWithoutBase) => Some(Some(Cow::Owned(base.join(value)?))),
        Err(_) => Some(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ammonia::UrlRelative;
    use proptest::prelude::*;

    fn base() -> Url {
        Url::parse("https://blog.example/posts/").unwrap()
    }

    fn ammonia(html: &str) -> String {
        let mut builder = ammonia::Builder::default();
        builder.url_relative(UrlRelative::RewriteWithBase(base()));
        builder.clean(html).to_string()
    }

    /// The fast path's answer, checked against ammonia's when it gives one.
    fn checked(html: &str) -> Option<String> {
        let fast = clean(html, &base());
        if let Some(fast) = &fast {
            assert_eq!(*fast, ammonia(html), "fast path differs on {html:?}");
        }
        fast
    }

    #[test]
    fn the_tables_follow_ammonias_policy() {
        let policy = ammonia::Builder::default();
        let tags = policy.clone_tags();
        let tag_attributes = policy.clone_tag_attributes();
        assert!(ELEMENTS.is_sorted_by_key(|element| element.name));
        for element in ELEMENTS {
            assert!(tags.contains(element.name), "{}", element.name);
            let mut expected: Vec<&str> = tag_attributes
                .get(element.name)
                .map(|attributes| attributes.iter().copied().collect())
                .unwrap_or_default();
            expected.sort_unstable();
            let mut ours = element.attributes.to_vec();
            ours.sort_unstable();
            assert_eq!(ours, expected, "{}", element.name);
        }
        let mut generic: Vec<&str> = policy.clone_generic_attributes().into_iter().collect();
        generic.sort_unstable();
        assert_eq!(generic, GENERIC_ATTRIBUTES);
        let mut schemes: Vec<&str> = policy.clone_url_schemes().into_iter().collect();
        schemes.sort_unstable();
        assert_eq!(schemes, URL_SCHEMES);
        assert_eq!(policy.get_link_rel(), Some(LINK_REL));
    }

    #[test]
    fn a_typical_summary_takes_the_fast_path() {
        let html = "<p>This is the summary. It talks about <a href=\"/related/1\">deploys</a>,\n\
                    <em>observability</em> &amp; more:</p>\n\
                    <ul><li>first</li><li>second with <code>kubectl get pods</code></li></ul>\n\
                    <p>An image <img src=\"/img/1.png\" alt=\"diagram\"> &mdash; done.</p>";
        assert!(checked(html).is_some());
    }

    #[test]
    fn attributes_are_filtered_and_urls_checked() {
        for html in [
            r#"<a href="javascript:alert(1)" onclick="x()" title='t "q"'>x</a>"#,
            r#"<a HREF="https://a.example/?q=1&b=2&amp;c=3" hreflang=en>x</a>"#,
            r#"<img src="data:image/png;base64,AAAA" alt="a &lt; b">"#,
            r#"<img src="//cdn.example/a.png" width="10" style="x">"#,
            r#"<a href="mailto:me@example.org">mail</a><br/><hr />"#,
            r#"<a href=" /spaced " lang="en">x</a>"#,
            r#"<a href="http://[::1">bad</a>"#,
            r#"<blockquote cite="javascript:x"><p>quoted</p></blockquote>"#,
        ] {
            checked(html);
        }
    }

    #[test]
    fn what_the_parser_would_repair_goes_to_ammonia() {
        for html in [
            "<p>open",
            "<p><div>block in a paragraph</div></p>",
            "<a href=x><a href=y>nested</a></a>",
            "<b><i>misnested</b></i>",
            "<li>loose item</li>",
            "<!-- comment --><p>x</p>",
            "<script>alert(1)</script>",
            "<p>x</p></p>",
            "<pre>\ncode</pre>",
            "<p/>",
            "<a href=unquoted>x</a>",
            "<span class=\"x\" class=\"y\">x</span>",
            "<p>&eacute;</p>",
            "<p>&#128;</p>",
            "<p>\r\n</p>",
        ] {
            assert_eq!(checked(html), None, "{html:?}");
        }
    }

    #[test]
    fn text_is_escaped_as_ammonia_escapes_it() {
        for html in [
            "a < b > c & d \"e\" 'f'\u{a0}g",
            "&lt;script&gt; &#60; &#x3C; &quot; &apos;",
            "& &# &x; &amp",
            "<p>caf\u{e9} \u{1f600}</p>",
        ] {
            checked(html);
        }
    }

    /// Pieces of HTML, well formed and not, for the property test.
    fn piece() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "p",
            "a",
            "em",
            "b",
            "i",
            "strong",
            "code",
            "pre",
            "ul",
            "ol",
            "li",
            "img",
            "br",
            "hr",
            "div",
            "span",
            "blockquote",
            "h1",
            "h3",
            "q",
            "del",
            "sub",
            "wbr",
            "P",
            "A",
            "script",
            "style",
            "table",
            "td",
            "font",
            "svg",
            "math",
            "iframe",
            "textarea",
            "nobr",
            "dl",
            "dd",
            "button",
            "select",
            "noscript",
            "template",
            "title",
            "xmp",
        ]);
        let attribute = prop::sample::select(vec![
            "",
            " href=\"/rel/path?a=1&b=2\"",
            " href=\"https://x.example/a b\"",
            " href=\"javascript:alert(1)\"",
            " href=\"JaVaScRiPt:alert(1)\"",
            " href=\"java&#x73;cript:alert(1)\"",
            " href=\"  data:text/html,x\"",
            " href=\"//evil.example/\"",
            " href=\"http://[::1\"",
            " href='../up'",
            " href=\"/a/b.html?c=d&amp;e=f#g\"",
            " src=\"/a/./b/../c%2e%2E/d\\e\"",
            " src=\"a.png\"",
            " src=\"x\" onerror=\"alert(1)\"",
            " title=\"a &amp; b &quot;c&quot; <d> \u{a0}\"",
            " title=\"&copy=1&amp;\"",
            " lang=en",
            " alt",
            " style=\"color:red\"",
            " cite=\"javascript:x\"",
            " TITLE=\"T\" title=\"u\"",
            " hreflang=\"en\" rel=\"nofollow\"",
            "/",
            " /",
            " x=\"1\"y=\"2\"",
        ]);
        let text = prop::sample::select(vec![
            "text",
            " ",
            "\n",
            "a < b",
            "a > b",
            "&amp;",
            "&lt;b&gt;",
            "&nbsp;",
            "&mdash;",
            "&eacute;",
            "&copy",
            "&#39;",
            "&#x1F600;",
            "&#0;",
            "&#150;",
            "& x",
            "\"quoted\"",
            "caf\u{e9}",
            "\u{a0}",
            "<!-- c -->",
            "<![CDATA[x]]>",
            "<?php x ?>",
            "</>",
            "<3",
            "\r\n",
            "\0",
            "\u{c}",
        ]);
        prop_oneof![
            (name.clone(), attribute).prop_map(|(name, attribute)| format!("<{name}{attribute}>")),
            name.prop_map(|name| format!("</{name}>")),
            text.prop_map(str::to_string),
        ]
    }

    /// Whole well-formed trees, so that the fast path is exercised too.
    fn tree() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "text",
            "a &amp; b",
            " &lt;c&gt; ",
            "\n",
            "<br>",
            "<img src=\"/i.png\" alt=\"i\">",
            "x\u{a0}y",
            "&#x27;",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(4, 24, 4, |inner| {
            (
                prop::sample::select(vec![
                    "p",
                    "em",
                    "strong",
                    "a",
                    "code",
                    "span",
                    "li",
                    "ul",
                    "ol",
                    "div",
                    "blockquote",
                    "pre",
                    "h2",
                    "b",
                    "i",
                ]),
                prop::sample::select(vec![
                    "",
                    " href=\"/x?a=1&amp;b=2\"",
                    " title=\"t\"",
                    " class=\"c\"",
                    " href=\"javascript:x\"",
                ]),
                prop::collection::vec(inner, 0..4),
            )
                .prop_map(|(name, attribute, children)| {
                    format!("<{name}{attribute}>{}</{name}>", children.concat())
                })
        })
    }

    /// The generated trees must mostly be accepted, or the property test
    /// below would only ever exercise the fallback.
    #[test]
    fn generated_trees_mostly_take_the_fast_path() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = tree();
        let accepted = (0..400)
            .filter(|_| {
                let html = strategy.new_tree(&mut runner).unwrap().current();
                clean(&html, &base()).is_some()
            })
            .count();
        assert!(accepted >= 100, "only {accepted} of 400 accepted");
    }

    proptest! {
        #[test]
        fn paths_are_joined_as_the_url_crate_joins_them(
            reference in "/[a-zA-Z0-9/.%?#&'\\\\ \t~@:;=+^`{}|-]{0,12}",
            base in prop::sample::select(vec![
                "https://blog.example/posts/",
                "http://user:pass@blog.example:8080/a/b?q#f",
                "https://[::1]/",
                "mailto:editor@blog.example",
            ])
        ) {
            let base = Url::parse(base).unwrap();
            prop_assert_eq!(
                Base::new(&base).join(&reference),
                base.join(&reference).ok().map(String::from)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn accepted_fragments_are_cleaned_as_ammonia_cleans_them(
            pieces in prop::collection::vec(piece(), 0..16)
        ) {
            checked(&pieces.concat());
        }

        #[test]
        fn accepted_trees_are_cleaned_as_ammonia_cleans_them(
            trees in prop::collection::vec(tree(), 1..4)
        ) {
            checked(&trees.concat());
        }
    }
}
