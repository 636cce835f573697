//! The blocks of a simple issue body without pulldown-cmark.
//!
//! Most issues are nothing but headings and paragraphs of prose and links
//! (`[text](url)`), often a link alone on its line. For such a body the
//! blocks can be read line by line, and what pulldown-cmark would make of
//! each line is plain to see: each stretch of prose is one text event, each
//! link one link.
//! Reading the whole body through pulldown-cmark was the larger part of
//! parsing an issue, and parsing is the larger part of a build.
//!
//! Anything this module is not sure of (lists, quotes, code, HTML, emphasis,
//! escapes, entities, indented lines, a link with more on its line...) makes
//! it give up on the whole body, which then goes to pulldown-cmark: it only
//! ever answers where its answer is pulldown-cmark's (a property test holds
//! the two side by side).

use std::borrow::Cow;

use super::{Atom, Block, Line, classify};

/// The blocks of the body that starts at byte `start` of `text`, or `None`
/// if the body holds anything but simple headings, prose and link lines.
pub fn blocks(text: &str, start: usize) -> Option<Vec<Block<'_>>> {
    let body = &text[start..];
    let first_line = crate::lines::line_of(text, start);
    let mut blocks = Vec::new();
    // The lines of the paragraph being read.
    let mut paragraph: Vec<Line> = Vec::new();
    // The atoms of the line being read, in one buffer for every line.
    let mut atoms = Vec::new();
    let ends = memchr::memchr_iter(b'\n', body.as_bytes()).chain([body.len()]);
    let mut from = 0;
    for (offset, end) in ends.enumerate() {
        let raw = &body[from..end];
        from = end + 1;
        let line = first_line + offset;
        // The first byte says what a line can be.
        match raw.as_bytes().first() {
            None | Some(b' ' | b'\t') => {
                if !is_blank(raw) {
                    // Indented: a list item's continuation, or code.
                    return None;
                }
                close(&mut blocks, &mut paragraph);
            }
            Some(b'=' | b'-') => {
                let underline = setext_underline(raw)?;
                match paragraph.as_slice() {
                    // A heading's text is what its line says.
                    [only] if is_inline_text(only.markdown) => {
                        let heading = paragraph.pop()?;
                        blocks.push(Block::Heading {
                            text: heading.markdown.to_string(),
                            line: heading.number,
                        });
                    }
                    // A paragraph of several lines would be the heading whole.
                    [_, ..] => return None,
                    // Under a blank line, `---` is a rule; `===` is prose.
                    [] if underline == b'-' && raw.trim_end().len() >= 3 => {}
                    [] => return None,
                }
            }
            Some(b'#') => {
                close(&mut blocks, &mut paragraph);
                blocks.push(Block::Heading {
                    text: atx_heading(raw)?.to_string(),
                    line,
                });
            }
            Some(_) => {
                let markdown = raw.trim();
                if !starts_prose(markdown) && !markdown.starts_with('[') {
                    return None;
                }
                inline_atoms(markdown, &mut atoms)?;
                // An error (a link line whose URL does not parse) is left to
                // the full parser, which reports it.
                let kind = classify(&atoms, markdown).ok()?;
                paragraph.push(Line {
                    markdown,
                    number: line,
                    kind,
                });
            }
        }
    }
    close(&mut blocks, &mut paragraph);
    Some(blocks)
}

/// Ends the paragraph being read, if any.
fn close<'a>(blocks: &mut Vec<Block<'a>>, paragraph: &mut Vec<Line<'a>>) {
    if !paragraph.is_empty() {
        blocks.push(Block::Lines {
            lines: std::mem::take(paragraph),
            own_entry: false,
        });
    }
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|byte| byte == b' ' || byte == b'\t')
}

/// `=` or `-` if the line is a run of one of them (trailing spaces aside).
fn setext_underline(line: &str) -> Option<u8> {
    let line = line.trim_end_matches([' ', '\t']);
    let first = *line.as_bytes().first()?;
    (matches!(first, b'=' | b'-') && line.bytes().all(|byte| byte == first)).then_some(first)
}

/// The text of `# Heading` (up to six `#`), if it is simple text with no
/// closing `#`s.
fn atx_heading(line: &str) -> Option<&str> {
    let level = line.bytes().take_while(|&byte| byte == b'#').count();
    let text = line[level..].strip_prefix(' ')?.trim();
    let simple = (1..=6).contains(&level)
        && !text.is_empty()
        && !text.ends_with('#')
        && starts_prose(text)
        && is_inline_text(text);
    // `#` that opens no simple heading (`#hashtag`, `####### x`, `# *x*`)
    // is left to the full parser.
    (level > 0 && simple).then_some(text)
}

/// What pulldown-cmark makes of one line of a paragraph: its stretches of
/// text and its links, each link `[text](url)` with simple text and a URL
/// that pulldown-cmark takes as written (no spaces, brackets, escapes or
/// entities), into `atoms` (cleared first). Every atom is on the line's one
/// slot, 0.
fn inline_atoms<'a>(line: &'a str, atoms: &mut Vec<(usize, Atom<'a>)>) -> Option<()> {
    atoms.clear();
    let mut rest = line;
    while let Some(open) = memchr::memchr(b'[', rest.as_bytes()) {
        let before = &rest[..open];
        // `![` opens an image.
        if before.ends_with('!') {
            return None;
        }
        push_text(atoms, before)?;
        // Link text holds no `]`: the first one must close it.
        let (text, after) = rest[open + 1..].split_once(']')?;
        let after = after.strip_prefix('(')?;
        let (url, after) = after.split_once(')')?;
        let plain_url = !url.is_empty()
            && url.bytes().all(|byte| URL[usize::from(byte)])
            && !may_hold_entity(url);
        if !plain_url || !is_inline_text(text) {
            return None;
        }
        atoms.push((
            0,
            Atom::Link {
                url,
                text: Cow::Borrowed(text),
                ends_on_line: true,
            },
        ));
        rest = after;
    }
    push_text(atoms, rest)
}

/// A stretch of text between links, if it is simple.
fn push_text<'a>(atoms: &mut Vec<(usize, Atom<'a>)>, text: &'a str) -> Option<()> {
    if !text.is_empty() {
        is_inline_text(text).then_some(())?;
        atoms.push((0, Atom::Text(text)));
    }
    Some(())
}

/// Whether a line can start a paragraph, or go on with one, as text: no
/// indentation, list marker, quote, heading, fence, rule or HTML.
fn starts_prose(line: &str) -> bool {
    let bytes = line.as_bytes();
    match bytes.first() {
        Some(byte) if byte.is_ascii_digit() => {
            // `1.` or `1)` followed by a space or nothing is a list item.
            let digits = bytes
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            !matches!(
                bytes[digits..],
                [b'.' | b')'] | [b'.' | b')', b' ' | b'\t', ..]
            )
        }
        Some(byte) => byte.is_ascii_alphabetic() || !byte.is_ascii() || b"(\"'".contains(byte),
        None => false,
    }
}

/// Text in which pulldown-cmark finds no inline markup and which it keeps
/// as one text event: no emphasis or code delimiters, brackets, escapes,
/// HTML or autolinks, entities, and `_` only inside a word. Every byte of
/// an issue's prose comes through here: a few vectorised searches, each for
/// bytes that are rare in prose, cost less than one look at each byte.
fn is_inline_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    if crate::text::contains_any(bytes, b"*`\\[]<\r") {
        return false;
    }
    let in_word = |at: Option<usize>| {
        at.and_then(|at| bytes.get(at))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    memchr::memchr_iter(b'_', bytes).all(|at| in_word(at.checked_sub(1)) && in_word(Some(at + 1)))
        && !may_hold_entity(text)
}

/// The bytes a link's URL may hold to be taken as written: no spaces or
/// control characters, nothing that ends or wraps a URL or escapes.
const URL: [bool; 256] = {
    let mut url = table(b"<>()[]\\\"'`\x7f", false);
    let mut byte = 0;
    while byte <= b' ' {
        url[byte as usize] = false;
        byte += 1;
    }
    url
};

/// A byte table: `listed` for the bytes of `bytes`, the opposite for the
/// rest.
const fn table(bytes: &[u8], listed: bool) -> [bool; 256] {
    let mut table = [!listed; 256];
    let mut at = 0;
    while at < bytes.len() {
        table[bytes[at] as usize] = listed;
        at += 1;
    }
    table
}

/// An `&` that may start an entity (`&amp;`, `&#38;`): something up to a
/// `;` follows it.
fn may_hold_entity(text: &str) -> bool {
    memchr::memchr(b'&', text.as_bytes()).is_some_and(|at| text[at..].contains(';'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{Body, assemble, blocks as full_blocks};
    use crate::lines::LineIndex;

    /// The body as the full parser reads it.
    fn full(text: &str) -> Body {
        let blocks = full_blocks(text, 0, &LineIndex::new(text)).expect("no error");
        assemble(blocks, "Issue 1", 1)
    }

    fn simple(text: &str) -> Option<Body> {
        super::blocks(text, 0).map(|blocks| assemble(blocks, "Issue 1", 1))
    }

    /// Words of prose that the simple reader takes.
    const SIMPLE_WORDS: &[&str] = &[
        "word",
        "Ops",
        "2017",
        "3.5",
        "a_b",
        "don't",
        "café",
        "!",
        "&",
        "http://example.com/a_b",
        "jobs@example.com",
    ];

    /// Words that make a line something else, or that it must look at twice.
    const TRICKY_WORDS: &[&str] = &[
        "1.",
        "_a",
        "b_",
        "x*y",
        "“quoted”",
        "&amp;",
        "a;",
        "#tag",
        "https://example.com/x?a=1&b=2",
        "www.example.org/path",
        "`code`",
        "<b>",
        "\\#",
        "-",
        "(",
        ")",
        "\t",
        "  ",
        "\u{a0}",
    ];

    /// One to five words of `vocabulary`.
    fn words(vocabulary: Vec<&'static str>) -> impl Strategy<Value = String> + Clone {
        prop::collection::vec(prop::sample::select(vocabulary), 1..6)
            .prop_map(|words| words.join(" "))
    }

    /// Lines shaped like an issue's, simple and not.
    fn line() -> impl Strategy<Value = String> {
        let words = words([SIMPLE_WORDS, TRICKY_WORDS].concat());
        let url = prop_oneof![
            Just("http://example.com/a_b"),
            Just("https://example.com/x?a=1&b=2"),
            Just("https://example.com/x?a=1&amp;b=2"),
            Just("https://example.com/(x)"),
            Just("mailto:jobs@example.com"),
            Just("javascript:x()"),
            Just("http://"),
            Just("https://ex ample.com"),
            Just("/relative"),
        ];
        prop_oneof![
            4 => words.clone(),
            3 => (words.clone(), url.clone()).prop_map(|(text, url)| format!("[{text}]({url})")),
            2 => url.clone().prop_map(|url| format!("[{url}]({url})")),
            1 => (url.clone(), words.clone()).prop_map(|(url, text)| format!("[{text}]({url}) more")),
            1 => (words.clone(), url.clone(), words.clone()).prop_map(|(a, url, b)| format!("{a} [{b}]({url}){a}")),
            1 => (url, words.clone()).prop_map(|(url, text)| format!("{text}![{text}]({url})")),
            2 => Just(String::new()),
            1 => Just("===".into()),
            1 => Just("---".into()),
            1 => Just("--".into()),
            1 => words.clone().prop_map(|text| format!("# {text}")),
            1 => words.clone().prop_map(|text| format!("## {text} ##")),
            1 => words.clone().prop_map(|text| format!("- {text}")),
            1 => words.clone().prop_map(|text| format!("> {text}")),
            1 => words.clone().prop_map(|text| format!("    {text}")),
            1 => words.clone().prop_map(|text| format!(" {text}")),
            1 => words.prop_map(|text| format!("{text}  ")),
            1 => Just("<!-- comment -->".into()),
            1 => Just("```".into()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// Wherever the simple reader answers, its answer is the full
        /// parser's.
        #[test]
        fn agrees_with_pulldown_cmark(lines in prop::collection::vec(line(), 0..14)) {
            let text = lines.join("\n");
            if let Some(body) = simple(&text) {
                prop_assert_eq!(body, full(&text), "{:?}", text);
            }
        }
    }

    /// Bodies of headings, prose and link lines, as real issues are: the
    /// simple reader must answer for them, or it spares nothing.
    fn simple_line() -> impl Strategy<Value = String> {
        // Prose starts with a letter.
        let words = words(SIMPLE_WORDS.to_vec()).prop_map(|words| format!("Ops {words}"));
        prop_oneof![
            4 => words.clone(),
            3 => words.clone().prop_map(|text| format!("[{text}](https://example.com/Post_Inc/x?a=1&b=2)")),
            2 => words.clone().prop_map(|text| format!("{text} at [{text}](http://example.com/), {text}")),
            2 => Just(String::new()),
            1 => words.clone().prop_map(|text| format!("\n{text}\n===")),
            1 => words.prop_map(|text| format!("\n{text}\n---")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        #[test]
        fn reads_simple_bodies_itself(lines in prop::collection::vec(simple_line(), 0..14)) {
            let text = lines.join("\n");
            let body = simple(&text);
            prop_assert!(body.is_some(), "{:?}", text);
            prop_assert_eq!(body.unwrap(), full(&text), "{:?}", text);
        }
    }

    /// The bundled issues and the test fixtures: where the simple reader
    /// answers, it agrees; and the seed issue is one it answers for.
    #[test]
    fn agrees_on_every_issue_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut folders = vec![root.join("issues"), root.join("tests/fixtures")];
        let mut read = 0;
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "md") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let text = text.replace("\r\n", "\n");
                let Ok((_, start)) = super::super::super::front_matter::split(&text) else {
                    continue;
                };
                let index = LineIndex::new(&text);
                let Ok(blocks) = full_blocks(&text, start, &index) else {
                    continue;
                };
                let expected = assemble(blocks, "Issue 1", 1);
                if let Some(blocks) = super::blocks(&text, start) {
                    assert_eq!(
                        assemble(blocks, "Issue 1", 1),
                        expected,
                        "{}",
                        path.display()
                    );
                    read += 1;
                }
            }
        }
        assert!(read > 0, "the simple reader answered for no issue file");
        let seed = std::fs::read_to_string(root.join("issues/issue-344.md")).unwrap();
        let (_, start) = super::super::super::front_matter::split(&seed).unwrap();
        assert!(
            super::blocks(&seed, start).is_some(),
            "the seed issue is simple"
        );
    }
}
