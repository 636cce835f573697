//! Properties of the issue parser on arbitrary input: it never panics, and
//! every error names a line that exists.

use std::path::Path;

use proptest::prelude::*;

/// Lines that look like the pieces of a real issue, so that generated
/// documents reach deep into the parser rather than failing at the front.
fn issue_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("News".to_string()),
        Just("====".to_string()),
        Just("----".to_string()),
        Just("## Tools".to_string()),
        Just("## Issue 7 - 1st May".to_string()),
        Just("* [a](https://a.example/)".to_string()),
        Just("1. item".to_string()),
        Just("> quoted".to_string()),
        Just("```".to_string()),
        Just("<div onclick=x>".to_string()),
        Just("[x](https://x.example/a b)".to_string()),
        Just("https://example.com/post".to_string()),
        Just("<https://example.com/auto>".to_string()),
        Just("[https://e.example/](https://e.example/)".to_string()),
        Just("http://[::1".to_string()),
        "[a-zA-Z0-9 .,#*_\\[\\]()<>:/\\\\-]{0,40}",
        "\\PC{0,20}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        proptest::collection::vec(issue_line(), 0..40),
    )
        .prop_map(|(front, lines)| {
            let body = lines.join("\n");
            if front {
                format!("---\ntitle: Issue 7\ndate: 2020-05-01\n---\n{body}")
            } else {
                body
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_issue_like_text(text in document()) {
        let file = Path::new("2020-05-01-7.md");
        match newsroom::issue::parse(file, text.as_bytes()) {
            Ok(issue) => {
                prop_assert_eq!(issue.number, 7);
                for (_, entry) in issue.entries() {
                    prop_assert!(entry.line >= 1 && entry.line <= text.lines().count() + 1);
                }
            }
            Err(err) => prop_assert!(err.line <= text.lines().count() + 1, "{}", err),
        }
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = newsroom::issue::parse(Path::new("x-1.md"), &bytes);
    }
}
