use std::fmt;
use std::path::{Path, PathBuf};

/// Why an issue file could not be read, with the file and line to look at.
#[derive(Debug, thiserror::Error)]
pub struct IssueError {
    pub file: PathBuf,
    /// 1-based; 0 when the error is about the file as a whole.
    pub line: usize,
    pub kind: IssueErrorKind,
}

impl IssueError {
    pub fn new(file: &Path, line: usize, kind: IssueErrorKind) -> Self {
        IssueError {
            file: file.to_path_buf(),
            line,
            kind,
        }
    }
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file.display(), self.kind),
            line => write!(f, "{}:{line}: {}", self.file.display(), self.kind),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IssueErrorKind {
    #[error("cannot read: {0}")]
    Read(#[source] std::io::Error),
    #[error("not valid UTF-8 (save the file as UTF-8)")]
    InvalidUtf8,
    #[error("front matter opened with `{0}` is never closed")]
    UnterminatedFrontMatter(&'static str),
    #[error("front matter: {0}")]
    FrontMatter(String),
    #[error("invalid date {0:?} (use RFC 3339 or YYYY-MM-DD)")]
    BadDate(String),
    #[error("invalid issue number {0:?}")]
    BadNumber(String),
    #[error("no date: add `date:` to the front matter or name the file YYYY-MM-DD-....md")]
    MissingDate,
    #[error(
        "no issue number: add `number:` to the front matter, put `#N` in the title, or name the file ...-N.md"
    )]
    MissingNumber,
    #[error("malformed link URL {url:?}: {reason}")]
    MalformedUrl { url: String, reason: String },
    #[error("issue {number} is also in {}", other.display())]
    DuplicateNumber { number: u32, other: PathBuf },
}
