//! Small text helpers that readers of feeds, issues and OPML all need.

/// `text` on one line: its words separated by one space, none around them.
pub fn collapse_whitespace(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::collapse_whitespace;

    #[test]
    fn words_end_up_one_space_apart() {
        assert_eq!(collapse_whitespace("  a \n\t b\u{a0}c  "), "a b c");
        assert_eq!(collapse_whitespace(" \n "), "");
    }
}
