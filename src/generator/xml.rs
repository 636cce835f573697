//! Text escaped for the pages' HTML (and any XML): the control characters
//! XML 1.0 forbids, which an issue file may hold, are dropped.

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
    }
}
