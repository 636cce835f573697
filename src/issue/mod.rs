//! Issue files: one markdown file per published (or draft) issue.
//!
//! `parse` turns the text of one file into an [`Issue`]; `load_dir` reads a
//! whole `issues/` folder. The front matter, the file name and the markdown
//! body each have their own module.

mod body;
mod error;
mod file_name;
mod front_matter;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use url::Url;

pub use error::{IssueError, IssueErrorKind};

/// One issue of the newsletter.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The file it was read from.
    pub file: PathBuf,
    pub number: u32,
    /// The title as the editor wrote it, markdown escapes removed.
    pub title: String,
    pub date: DateTime<FixedOffset>,
    /// A draft is never published.
    pub draft: bool,
    /// The front matter's `author`, for an issue not written by the
    /// newsletter's usual author.
    pub author: Option<String>,
    /// Markdown of the paragraphs before the first section.
    pub intro: String,
    pub sections: Vec<Section>,
    /// Markdown of the closing boilerplate after the last entry.
    pub footer: Option<String>,
}

/// A group of entries under a heading (News, Tools, Events...).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: String,
    pub entries: Vec<Entry>,
    /// 1-based line of the heading in the file.
    pub line: usize,
}

/// A curated item: a blurb and the link or links it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Markdown; hard-wrapped lines are joined, paragraphs separated by a
    /// blank line.
    pub blurb: String,
    pub links: Vec<Link>,
    /// 1-based line where the entry starts in the file.
    pub line: usize,
}

/// A link of an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Absolute URL, as written in the file (not normalised).
    pub url: Url,
    /// The link text where it differs from the URL.
    pub text: Option<String>,
}

impl Issue {
    pub fn entry_count(&self) -> usize {
        self.sections
            .iter()
            .map(|section| section.entries.len())
            .sum()
    }

    pub fn link_count(&self) -> usize {
        self.entries().map(|(_, entry)| entry.links.len()).sum()
    }

    /// Every entry with the section it is filed under, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&Section, &Entry)> {
        self.sections
            .iter()
            .flat_map(|section| section.entries.iter().map(move |entry| (section, entry)))
    }
}

/// Parses the bytes of the issue file `file`.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Issue, IssueError> {
    let at = |line, kind| IssueError::new(file, line, kind);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let line = crate::lines::line_of(
                &String::from_utf8_lossy(&bytes[..err.valid_up_to()]),
                err.valid_up_to(),
            );
            return Err(at(line, IssueErrorKind::InvalidUtf8));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Line numbers do not move when CRLF becomes LF, and every later stage
    // can then assume `\n`.
    let normalised;
    let text = if text.contains('\r') {
        normalised = text.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        text
    };

    let (front, body_start) = front_matter::split(text).map_err(|(line, kind)| at(line, kind))?;
    let from_name = file_name::parse(file);

    let number = match (
        front.number,
        title_number(front.title.as_deref()),
        from_name.number,
    ) {
        (Some(number), _, _) => number,
        // The title is free text and typos happen (a real archive has issue
        // 175 titled "Issue 170"); the file name is what permalinks and the
        // editors' tools go by, so it wins a disagreement.
        (None, Some(in_title), Some(in_name)) if in_title != in_name => in_name,
        (None, Some(in_title), _) => in_title,
        (None, None, Some(in_name)) => in_name,
        (None, None, None) => return Err(at(1, IssueErrorKind::MissingNumber)),
    };
    let date = front
        .date
        .or(from_name.date)
        .ok_or_else(|| at(1, IssueErrorKind::MissingDate))?;
    let title = front.title.unwrap_or_else(|| format!("Issue {number}"));

    let body =
        body::parse(text, body_start, &title, number).map_err(|(line, kind)| at(line, kind))?;
    Ok(Issue {
        file: file.to_path_buf(),
        number,
        title,
        date,
        draft: front.draft,
        author: front.author,
        intro: body.intro,
        sections: body.sections,
        footer: body.footer,
    })
}

fn title_number(title: Option<&str>) -> Option<u32> {
    file_name::number_in_title(title?)
}

/// Reads and parses one issue file.
pub fn load(file: &Path) -> Result<Issue, IssueError> {
    let bytes =
        std::fs::read(file).map_err(|err| IssueError::new(file, 0, IssueErrorKind::Read(err)))?;
    parse(file, &bytes)
}

/// Every issue file (`.md`, `.markdown`) directly in `dir`, sorted by name.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>, IssueError> {
    let read_error = |err| IssueError::new(dir, 0, IssueErrorKind::Read(err));
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let path = entry.path();
        let is_issue = matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("md" | "markdown")
        );
        // The folder listing says what most entries are; only a link (or a
        // file system that does not say) costs a look at the file itself.
        let is_file = match entry.file_type() {
            Ok(kind) if !kind.is_symlink() => kind.is_file(),
            _ => path.is_file(),
        };
        if is_issue && is_file {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Parses every issue file in `dir`, in file-name order: each file's issue
/// or the error that stopped it, then an error for each file whose number an
/// earlier file already took.
pub fn load_dir(dir: &Path) -> Result<Vec<Result<Issue, IssueError>>, IssueError> {
    let files = files_in(dir)?;
    let mut results: Vec<Result<Issue, IssueError>> =
        crate::parallel::map(&files, crate::parallel::cpus(), |file| load(file));
    let mut owners: std::collections::HashMap<u32, PathBuf> = std::collections::HashMap::new();
    for result in &mut results {
        let Ok(issue) = result else { continue };
        if let Some(other) = owners.get(&issue.number) {
            let kind = IssueErrorKind::DuplicateNumber {
                number: issue.number,
                other: other.clone(),
            };
            *result = Err(IssueError::new(&issue.file, 1, kind));
        } else {
            owners.insert(issue.number, issue.file.clone());
        }
    }
    Ok(results)
}

/// The issues of `dir` that parsed, by number, and the errors of the rest.
pub fn load_valid(dir: &Path) -> Result<(Vec<Issue>, Vec<IssueError>), IssueError> {
    let (mut issues, mut errors) = (Vec::new(), Vec::new());
    for result in load_dir(dir)? {
        match result {
            Ok(issue) => issues.push(issue),
            Err(err) => errors.push(err),
        }
    }
    issues.sort_by_key(|issue| issue.number);
    Ok((issues, errors))
}
