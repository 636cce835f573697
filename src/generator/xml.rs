//! Text escaped for the pages' HTML (and any XML): the control characters
//! XML 1.0 forbids, which an issue file may hold, are dropped.

/// A C0 control character other than tab, line feed and carriage return.
fn forbidden(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r')
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
}
