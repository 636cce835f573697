//! What an issue's file name says when the front matter does not:
//! `2012-06-10-75.markdown`, `2011-08-07-issue-33.markdown`, `issue-344.md`.

use std::path::Path;

use chrono::{DateTime, FixedOffset};

use super::front_matter::parse_date;

#[derive(Debug, Default, PartialEq)]
pub struct FromName {
    pub number: Option<u32>,
    pub date: Option<DateTime<FixedOffset>>,
}

pub fn parse(file: &Path) -> FromName {
    let stem = file
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default();
    let (date, rest) = match stem.get(..10) {
        Some(prefix) if looks_like_date(prefix) => (parse_date(prefix), &stem[10..]),
        _ => (None, stem),
    };
    let number = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(|token| token.trim_start_matches(|c: char| c.is_ascii_alphabetic()))
        .find(|token| !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|token| token.parse().ok());
    FromName { number, date }
}

/// `YYYY-MM-DD` in shape, whether or not it is a real day.
fn looks_like_date(prefix: &str) -> bool {
    prefix.bytes().enumerate().all(|(at, b)| match at {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    })
}

/// The number in a title such as `DEVOPS WEEKLY ISSUE #344`, `Issue 75 - 10th
/// June` or `Issue No. 12`.
pub fn number_in_title(title: &str) -> Option<u32> {
    let lower = title.to_ascii_lowercase();
    let after_marker = lower.find('#').map(|at| &lower[at + 1..]).or_else(|| {
        lower.find("issue").map(|at| {
            lower[at + "issue".len()..]
                .trim_start()
                .trim_start_matches("no.")
                .trim_start_matches("number")
        })
    })?;
    let digits = after_marker.trim_start();
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    digits[..len].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(name: &str) -> (Option<u32>, Option<String>) {
        let parsed = parse(Path::new(name));
        (
            parsed.number,
            parsed.date.map(|date| date.format("%Y-%m-%d").to_string()),
        )
    }

    #[test]
    fn numbers_and_dates_from_file_names() {
        assert_eq!(
            from("2012-06-10-75.markdown"),
            (Some(75), Some("2012-06-10".into()))
        );
        assert_eq!(
            from("2011-08-07-issue-33.markdown"),
            (Some(33), Some("2011-08-07".into()))
        );
        assert_eq!(from("issues/issue-344.md"), (Some(344), None));
        assert_eq!(from("344.md"), (Some(344), None));
        assert_eq!(
            from("2011-04-16-test.markdown"),
            (None, Some("2011-04-16".into()))
        );
        assert_eq!(from("notes.md"), (None, None));
        assert_eq!(from("2013-02-30-99.md"), (Some(99), None));
    }

    #[test]
    fn numbers_from_titles() {
        assert_eq!(
            number_in_title("DEVOPS WEEKLY ISSUE #344 - 30th July 2017"),
            Some(344)
        );
        assert_eq!(number_in_title("Issue 75 - 10th June 2012"), Some(75));
        assert_eq!(number_in_title("Devops Weekly issue # 12"), Some(12));
        assert_eq!(number_in_title("Issue No. 7"), Some(7));
        assert_eq!(number_in_title("A special edition"), None);
    }
}
