//! The block of `key: value` lines between `---` lines at the top of an
//! issue file (Jekyll-style YAML), or between `+++` lines (Hugo-style TOML).
//!
//! Only `title`, `date`, `number`, `draft` and `author` mean something to
//! newsroom; every other key (`layout`, `tags`, ...) is accepted and ignored.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

use super::IssueErrorKind;

#[derive(Debug, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<DateTime<FixedOffset>>,
    pub number: Option<u32>,
    pub draft: bool,
    /// Who wrote this issue, when not the newsletter's usual author.
    pub author: Option<String>,
}

type Failure = (usize, IssueErrorKind);

/// Splits the front matter off `text`: what it says, and the byte offset at
/// which the body starts. A file without front matter is all body.
pub fn split(text: &str) -> Result<(FrontMatter, usize), Failure> {
    let first = text.lines().next().unwrap_or_default();
    // Real archives have `--- ` and even `---·` on the opening line: stray
    // characters after the dashes do not make it prose.
    let fence = ["---", "+++"].into_iter().find(|fence| {
        first.strip_prefix(fence).is_some_and(|rest| {
            !rest
                .chars()
                .any(|c| c.is_alphanumeric() || c == '-' || c == '+')
        })
    });
    let Some(fence) = fence else {
        return Ok((FrontMatter::default(), 0));
    };
    let block_start = text.find('\n').map_or(text.len(), |at| at + 1);
    let mut offset = block_start;
    for line in text[block_start..].split_inclusive('\n') {
        let bare = line.trim_end();
        let closes = bare == fence || (fence == "---" && bare == "...");
        if closes {
            let block = &text[block_start..offset];
            let front = match fence {
                "---" => parse_yaml(block)?,
                _ => parse_toml(block)?,
            };
            return Ok((front, offset + line.len()));
        }
        offset += line.len();
    }
    Err((1, IssueErrorKind::UnterminatedFrontMatter(fence)))
}

/// Line `n` of the block is line `n + 1` of the file (the fence is line 1).
fn parse_yaml(block: &str) -> Result<FrontMatter, Failure> {
    let mut front = FrontMatter::default();
    for (index, line) in block.lines().enumerate() {
        let line_number = index + 2;
        // Nested values, list items and comments carry nothing we use.
        if line.starts_with([' ', '\t', '-', '#']) || line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "title" => front.title = Some(unescape_markdown(value.trim())),
            "date" => {
                let date = parse_date(&value)
                    .ok_or_else(|| (line_number, IssueErrorKind::BadDate(value.to_string())))?;
                front.date = Some(date);
            }
            "number" | "issue" => {
                let number = value
                    .trim()
                    .trim_start_matches('#')
                    .parse()
                    .map_err(|_| (line_number, IssueErrorKind::BadNumber(value.to_string())))?;
                front.number = Some(number);
            }
            "author" => front.author = Some(value.trim().to_string()).filter(|a| !a.is_empty()),
            "draft" => {
                front.draft = match value.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" => true,
                    "false" | "no" | "off" | "" => false,
                    other => {
                        return Err((
                            line_number,
                            IssueErrorKind::FrontMatter(format!(
                                "`draft` must be true or false, not {other:?}"
                            )),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(front)
}

fn parse_toml(block: &str) -> Result<FrontMatter, Failure> {
    let table: toml::Table = toml::from_str(block).map_err(|err| {
        let line = err
            .span()
            .map_or(1, |span| crate::lines::line_of(block, span.start) + 1);
        (line, IssueErrorKind::FrontMatter(err.message().to_string()))
    })?;
    let line_of_key = |key: &str| {
        block
            .lines()
            .position(|line| line.trim_start().starts_with(key))
            .map_or(1, |index| index + 2)
    };
    let mut front = FrontMatter::default();
    for (key, value) in &table {
        let wrong_type = |expected: &str| {
            (
                line_of_key(key),
                IssueErrorKind::FrontMatter(format!("`{key}` must be {expected}")),
            )
        };
        match key.as_str() {
            "title" => {
                let title = value.as_str().ok_or_else(|| wrong_type("a string"))?;
                front.title = Some(unescape_markdown(title.trim()));
            }
            "date" => {
                let text = match value {
                    toml::Value::Datetime(datetime) => datetime.to_string(),
                    toml::Value::String(text) => text.clone(),
                    _ => return Err(wrong_type("a date")),
                };
                let date = parse_date(&text)
                    .ok_or_else(|| (line_of_key(key), IssueErrorKind::BadDate(text.clone())))?;
                front.date = Some(date);
            }
            "number" | "issue" => {
                let number = value
                    .as_integer()
                    .and_then(|number| u32::try_from(number).ok())
                    .ok_or_else(|| wrong_type("a whole number"))?;
                front.number = Some(number);
            }
            "draft" => front.draft = value.as_bool().ok_or_else(|| wrong_type("true or false"))?,
            "author" => {
                let author = value.as_str().ok_or_else(|| wrong_type("a string"))?;
                front.author = Some(author.trim().to_string()).filter(|a| !a.is_empty());
            }
            _ => {}
        }
    }
    Ok(front)
}

/// Removes the YAML quotes around a scalar.
fn unquote(value: &str) -> String {
    if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        let inner = &value[1..value.len() - 1];
        // Only the escapes YAML and markdown do not share; `\#` is left for
        // the markdown unescaping.
        inner.replace("\\\"", "\"").replace("\\\\", "\\")
    } else if value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'') {
        value[1..value.len() - 1].replace("''", "'")
    } else {
        // An unquoted scalar ends at a ` #` comment.
        value.split(" #").next().unwrap_or_default().to_string()
    }
}

/// `\#344` reads `#344`: a backslash before ASCII punctuation is markdown's
/// escape, not part of the title.
pub fn unescape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(next)) if next.is_ascii_punctuation() => {
                out.push(*next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// RFC 3339, `YYYY-MM-DD`, or the Jekyll form `YYYY-MM-DD HH:MM[:SS] [±HHMM]`.
/// A date without an offset is taken as UTC.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date);
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(date) = DateTime::parse_from_str(text, format) {
            return Some(date);
        }
    }
    let utc = FixedOffset::east_opt(0)?;
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return naive.and_local_timezone(utc).single();
        }
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    date.and_hms_opt(0, 0, 0)?.and_local_timezone(utc).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_style_block() {
        let text = "---\ntitle: DEVOPS WEEKLY ISSUE \\#344 - 30th July 2017 \ndate: 2017-07-30T12:08:24+01:00\n---\n\nBody";
        let (front, body) = split(text).unwrap();
        assert_eq!(
            front.title.as_deref(),
            Some("DEVOPS WEEKLY ISSUE #344 - 30th July 2017")
        );
        assert_eq!(
            front.date.unwrap().to_rfc3339(),
            "2017-07-30T12:08:24+01:00"
        );
        assert_eq!(&text[body..], "\nBody");
    }

    #[test]
    fn reads_an_issue_author_in_both_styles() {
        let (front, _) = split("---\nauthor: \"Jane Doe\"\n---\n").unwrap();
        assert_eq!(front.author.as_deref(), Some("Jane Doe"));
        let (front, _) = split("+++\nauthor = \"Jane Doe\"\n+++\n").unwrap();
        assert_eq!(front.author.as_deref(), Some("Jane Doe"));
        let (front, _) = split("---\nauthor:\n---\n").unwrap();
        assert_eq!(front.author, None);
    }

    #[test]
    fn opening_fence_may_have_trailing_junk_and_other_keys() {
        let (front, _) = split("---\u{b7}\ntitle: Issue 53\n---\n").unwrap();
        assert_eq!(front.title.as_deref(), Some("Issue 53"));
        for prose in ["----\n", "--- x\n", "---a\n"] {
            assert!(split(prose).unwrap().0.title.is_none(), "{prose:?}");
        }
        let text = "--- \nlayout: post\ntags:\n  - ops\ntitle: 'It''s Issue 33'\nnumber: \"33\"\ndraft: true\n---\n";
        let (front, _) = split(text).unwrap();
        assert_eq!(front.title.as_deref(), Some("It's Issue 33"));
        assert_eq!(front.number, Some(33));
        assert!(front.draft);
    }

    #[test]
    fn toml_front_matter() {
        let text = "+++\ntitle = \"Issue 9\"\ndate = 2012-01-02\nnumber = 9\n+++\nBody";
        let (front, _) = split(text).unwrap();
        assert_eq!(front.number, Some(9));
        assert_eq!(
            front.date.unwrap().to_rfc3339(),
            "2012-01-02T00:00:00+00:00"
        );
    }

    #[test]
    fn unterminated_block_is_an_error() {
        let (line, kind) = split("---\ntitle: x\n\nBody\n").unwrap_err();
        assert_eq!(line, 1);
        assert!(matches!(
            kind,
            IssueErrorKind::UnterminatedFrontMatter("---")
        ));
    }

    #[test]
    fn bad_date_names_its_line() {
        let (line, kind) = split("---\ntitle: x\ndate: last tuesday\n---\n").unwrap_err();
        assert_eq!(line, 3);
        assert!(matches!(kind, IssueErrorKind::BadDate(_)));
    }

    #[test]
    fn dates_in_every_accepted_form() {
        for (text, expected) in [
            ("2017-07-30T12:08:24+01:00", "2017-07-30T12:08:24+01:00"),
            ("2017-07-30T11:08:24Z", "2017-07-30T11:08:24+00:00"),
            ("2017-07-30", "2017-07-30T00:00:00+00:00"),
            ("2012-06-10 08:00:00 +0100", "2012-06-10T08:00:00+01:00"),
            ("2012-06-10 08:00", "2012-06-10T08:00:00+00:00"),
        ] {
            assert_eq!(parse_date(text).unwrap().to_rfc3339(), expected, "{text}");
        }
        for bad in ["2017-02-31", "30/07/2017", "", "2017-07-30T25:00:00Z"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn markdown_escapes_are_removed() {
        assert_eq!(
            unescape_markdown(r"Issue \#344 \- \*new\*"),
            "Issue #344 - *new*"
        );
        assert_eq!(unescape_markdown(r"C:\path \n"), r"C:\path \n");
    }
}
