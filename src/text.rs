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

/// Whether `bytes` hold any byte of `set`. One vectorised search per
/// three bytes of the set: for bytes that are rare in the text (markup in
/// prose, specials in a URL) far cheaper than a look at each byte.
pub fn contains_any(bytes: &[u8], set: &[u8]) -> bool {
    set.chunks(3).any(|part| match *part {
        [a] => memchr::memchr(a, bytes).is_some(),
        [a, b] => memchr::memchr2(a, b, bytes).is_some(),
        [a, b, c, ..] => memchr::memchr3(a, b, c, bytes).is_some(),
        [] => false,
    })
}

#[cfg(test)]
mod tests {
    use super::{collapse_whitespace, contains_any};

    #[test]
    fn words_end_up_one_space_apart() {
        assert_eq!(collapse_whitespace("  a \n\t b\u{a0}c  "), "a b c");
        assert_eq!(collapse_whitespace(" \n "), "");
    }

    #[test]
    fn any_byte_of_the_set_is_found_wherever_it_is_in_the_set() {
        let set = b"abcdefg";
        for byte in set {
            for size in 1..=set.len() {
                let found = contains_any(&[b'x', *byte, b'y'], &set[..size]);
                assert_eq!(found, set[..size].contains(byte), "{byte} in {size}");
            }
        }
        assert!(!contains_any(b"xyz", b""));
        assert!(!contains_any(b"", b"abc"));
    }
}
