//! Text escaped for the pages' HTML (and any XML): the control characters
//! XML 1.0 forbids, which an issue file may hold, are dropped.

use crate::Item;

/// What each byte becomes in escaped text, if not itself: an entity, or
/// nothing for a C0 control character other than tab, line feed and
/// carriage return. A table, since the escaping of an issue's text is a
/// measurable part of a build.
const ESCAPES: [Option<&str>; 256] = {
    let mut table = [None; 256];
    let mut byte = 0;
    while byte < 0x20 {
        if !matches!(byte as u8, b'\t' | b'\n' | b'\r') {
            table[byte] = Some("");
        }
        byte += 1;
    }
    table[b'&' as usize] = Some("&amp;");
    table[b'<' as usize] = Some("&lt;");
    table[b'>' as usize] = Some("&gt;");
    table[b'"' as usize] = Some("&quot;");
    table[b'\'' as usize] = Some("&#39;");
    table
};

/// Appends `text` escaped for element content and quoted attribute values
/// (XML and HTML alike).
pub fn escape_into(out: &mut String, text: &str) {
    // Most text (a link's URL, a title) needs nothing: a vectorised look for
    // the bytes that do costs less than a table lookup per byte.
    let bytes = text.as_bytes();
    let needs_escaping = crate::text::contains_any(bytes, b"&<>\"'")
        || bytes.iter().fold(false, |any, &byte| any | (byte < b' '));
    if !needs_escaping {
        out.push_str(text);
        return;
    }
    let mut plain = 0;
    // Copies runs of harmless bytes at once: every special is ASCII, so the
    // cuts fall between characters.
    for (at, &byte) in text.as_bytes().iter().enumerate() {
        if let Some(entity) = ESCAPES[usize::from(byte)] {
            out.push_str(&text[plain..at]);
            out.push_str(entity);
            plain = at + 1;
        }
    }
    out.push_str(&text[plain..]);
}

/// The HTML contents of a feed's items, copied into the document the feed
/// crate wrote without them.
///
/// The issues' HTML is most of a feed's bytes, and the crates copy it into
/// their own item types and then escape or scan it through quick-xml, at a
/// fraction of the speed of one copy: so each item goes to the crate with
/// empty HTML, and its HTML is filled in here, copied once.
pub struct Contents<'a> {
    html: Vec<&'a str>,
    len: usize,
}

impl<'a> Contents<'a> {
    /// The contents of `items` that have one, in order.
    pub fn of(items: &[&'a Item]) -> Self {
        let html: Vec<&str> = items
            .iter()
            .filter_map(|item| item.content_html.as_deref())
            .collect();
        let len = html.iter().map(|html| html.len()).sum();
        Contents { html, len }
    }

    /// Their bytes in all.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `envelope` with each `empty` element (as the crate writes it for an
    /// item given empty HTML: its start tag, perhaps an empty CDATA section,
    /// its end tag) in turn holding the next content as a CDATA section.
    /// The search cannot hit an item's text: everything the crates write as
    /// text or attribute value is escaped, so a `<` in the envelope is
    /// always markup.
    pub fn fill(
        &self,
        envelope: &[u8],
        empty: &[u8],
        (start_tag, end_tag): (&[u8], &[u8]),
    ) -> Vec<u8> {
        const CDATA: &[u8] = b"<![CDATA[";
        const CDATA_END: &[u8] = b"]]>";
        debug_assert!(empty.starts_with(start_tag) && empty.ends_with(end_tag));
        let finder = memchr::memmem::Finder::new(empty);
        let cdata_end = memchr::memmem::Finder::new(CDATA_END);
        // A `]]>` to split (rare: HTML text escapes `>`) grows it; the
        // newline that ends the file too.
        let mut xml = Vec::with_capacity(
            envelope.len() + self.len + self.html.len() * (CDATA.len() + CDATA_END.len()) + 1,
        );
        let mut rest = envelope;
        for html in &self.html {
            let at = finder
                .find(rest)
                .expect("the crate writes an empty element for each item with HTML");
            xml.extend_from_slice(&rest[..at + start_tag.len()]);
            xml.extend_from_slice(CDATA);
            // A CDATA section ends at the first `]]>`: each is cut after its
            // `]]`, the `>` going into a new section.
            let mut text = html.as_bytes();
            while let Some(end) = cdata_end.find(text) {
                xml.extend_from_slice(&text[..end + 2]);
                xml.extend_from_slice(CDATA_END);
                xml.extend_from_slice(CDATA);
                text = &text[end + 2..];
            }
            xml.extend_from_slice(text);
            xml.extend_from_slice(CDATA_END);
            // From the element's end tag on.
            rest = &rest[at + empty.len() - end_tag.len()..];
        }
        xml.extend_from_slice(rest);
        xml
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, text);
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

    /// The escaping as first written, a match on each character.
    fn escaped_simply(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                '\t' | '\n' | '\r' => out.push(c),
                c if c < ' ' => {}
                c => out.push(c),
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn escape_is_the_simple_escape(text in "[\\x00-\\x7f&<>\"'é✓😀]{0,40}") {
            proptest::prop_assert_eq!(escaped(&text), escaped_simply(&text));
        }

        /// Mostly text that needs nothing, as URLs and titles are.
        #[test]
        fn escape_of_plain_text_is_the_simple_escape(
            text in "[a-zA-Z0-9/:.?=_ é✓-]{0,60}[&<>\"'\\x01\\t]?[a-z ]{0,20}"
        ) {
            proptest::prop_assert_eq!(escaped(&text), escaped_simply(&text));
        }
    }
}
