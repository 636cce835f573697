//! The two ways text goes into the feeds' XML (and the pages' HTML): escaped,
//! or whole in a CDATA section. Both drop the control characters XML 1.0
//! forbids, which an issue file may hold and which would make a feed
//! unreadable to a strict parser.

use memchr::memmem;

/// A C0 control character other than tab, line feed and carriage return.
fn forbidden(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r')
}

/// Whether `text` holds a character that cannot appear in XML.
fn has_forbidden(text: &str) -> bool {
    // A fold, not `any`: without the early exit the loop vectorises, and
    // the answer is almost always "no".
    text.bytes()
        .fold(false, |found, byte| found | forbidden(byte))
}

/// Appends `text` escaped for element content and quoted attribute values
/// (XML and HTML alike).
pub fn escape_into(out: &mut String, text: &str) {
    let mut plain = 0;
    // Copies runs of harmless bytes at once: every special is ASCII, so the
    // cuts fall between characters.
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            byte if forbidden(byte) => "",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(entity);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

/// Appends `{indent}<{name}>{text, escaped}</{name}>` and a line break.
pub fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    out.push_str(indent);
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// Appends `{indent}<{name}{attributes}>` `text` as CDATA `</{name}>` and a
/// line break: HTML in a feed.
pub fn cdata_element(out: &mut String, indent: &str, name: &str, attributes: &str, text: &str) {
    out.push_str(indent);
    out.push('<');
    out.push_str(name);
    out.push_str(attributes);
    out.push('>');
    cdata_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// Appends an empty link element (`link` in Atom, `atom:link` in RSS):
/// `{indent}<{name} href rel [type]/>` and a line break.
pub fn link(
    out: &mut String,
    indent: &str,
    name: &str,
    rel: &str,
    href: &str,
    mime_type: Option<&str>,
) {
    out.push_str(indent);
    out.push('<');
    out.push_str(name);
    out.push_str(" href=\"");
    escape_into(out, href);
    out.push_str("\" rel=\"");
    escape_into(out, rel);
    if let Some(mime_type) = mime_type {
        out.push_str("\" type=\"");
        escape_into(out, mime_type);
    }
    out.push_str("\"/>\n");
}

/// Appends `text` as one CDATA section: a copy, where escaping would grow
/// every tag of an HTML body. A `]]>` inside is split across two sections.
pub fn cdata_into(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    if has_forbidden(text) {
        let clean: String = text.chars().filter(|c| !forbidden_char(*c)).collect();
        push_split_ends(out, &clean);
    } else {
        push_split_ends(out, text);
    }
    out.push_str("]]>");
}

fn forbidden_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(forbidden)
}

/// `text` with every `]]>` cut after its `]]`, so that no section ends early.
fn push_split_ends(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = memmem::find(rest.as_bytes(), b"]]>") {
        out.push_str(&rest[..at + 2]);
        out.push_str("]]><![CDATA[");
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, text);
        out
    }

    fn cdata(text: &str) -> String {
        let mut out = String::new();
        cdata_into(&mut out, text);
        out
    }

    #[test]
    fn escape_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            escaped("<a href=\"x\">&'\u{1}\t"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\t"
        );
        assert_eq!(escaped("plain é ✓"), "plain é ✓");
    }

    #[test]
    fn cdata_never_ends_early_and_holds_no_control_characters() {
        assert_eq!(cdata("<p>a</p>"), "<![CDATA[<p>a</p>]]>");
        assert_eq!(cdata("x]]>y"), "<![CDATA[x]]]]><![CDATA[>y]]>");
        assert_eq!(cdata("a\u{b}b\u{1f}\nc"), "<![CDATA[ab\nc]]>");
    }
}
