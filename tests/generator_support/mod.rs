//! Helpers shared by the generator's integration tests: a site on disk made
//! from the fixtures, the binary, and the round-trip check every feed must
//! pass.
#![allow(dead_code)] // each test crate uses its own part of this module

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, Utc};
use newsroom::issue::Issue;

pub const BASE_URL: &str = "https://weekly.example.org/";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generator")
}

/// A site folder: the fixture issues in `issues/` and a feeds.toml with
/// `extra` appended to its `[newsletter]` table.
pub fn site(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let issues = dir.path().join("issues");
    std::fs::create_dir(&issues).unwrap();
    for entry in std::fs::read_dir(fixtures().join("issues")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, issues.join(path.file_name().unwrap())).unwrap();
    }
    let config = std::fs::read_to_string(fixtures().join("feeds.toml")).unwrap();
    std::fs::write(dir.path().join("feeds.toml"), format!("{config}{extra}\n")).unwrap();
    dir
}

/// Runs `newsroom --config {dir}/feeds.toml build {args}`.
pub fn build(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .arg("--config")
        .arg(dir.join("feeds.toml"))
        .arg("build")
        .args(args)
        .output()
        .unwrap()
}

/// Builds and insists that it worked; returns the output folder.
pub fn build_ok(dir: &Path, args: &[&str]) -> PathBuf {
    let output = build(dir, args);
    assert!(
        output.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir.join("public")
}

/// Every file below `dir`, by `/`-separated relative path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                let relative = relative.to_string_lossy().replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// What a reader must find of an issue in every issue feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub title: String,
    pub link: String,
    pub id: String,
    pub date: DateTime<Utc>,
}

impl Expected {
    pub fn of(issue: &Issue) -> Self {
        Expected {
            title: issue.title.clone(),
            link: format!("{BASE_URL}issues/{}/", issue.number),
            id: format!("tag:weekly.example.org,2005:issues/{}", issue.number),
            date: issue.date.with_timezone(&Utc),
        }
    }
}

fn parse(file: &str, bytes: &[u8]) -> feed_rs::model::Feed {
    feed_rs::parser::parse(bytes).unwrap_or_else(|err| panic!("{file} does not parse: {err}"))
}

/// What feed-rs reads back of an issue feed's entries.
pub fn entries_of(file: &str, bytes: &[u8]) -> Vec<Expected> {
    parse(file, bytes)
        .entries
        .iter()
        .map(|entry| Expected {
            title: entry
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default(),
            link: entry
                .links
                .first()
                .map(|l| l.href.clone())
                .unwrap_or_default(),
            id: entry.id.clone(),
            date: entry.published.unwrap_or_else(|| panic!("{file}: no date")),
        })
        .collect()
}

/// The `rel` links of a feed document, as (rel, href).
pub fn links_of(file: &str, bytes: &[u8]) -> Vec<(String, String)> {
    parse(file, bytes)
        .links
        .iter()
        .map(|link| (link.rel.clone().unwrap_or_default(), link.href.clone()))
        .collect()
}

/// Checks that feed.xml, atom.xml and feed.json hold `newest` (newest
/// first), read back by feed-rs and, for the JSON, by serde; and that the
/// archive pages together hold `all` (oldest first).
pub fn assert_round_trip(files: &BTreeMap<String, Vec<u8>>, newest: &[Expected], all: &[Expected]) {
    for file in ["feed.xml", "atom.xml", "feed.json"] {
        let bytes = files
            .get(file)
            .unwrap_or_else(|| panic!("no {file} written"));
        assert_eq!(entries_of(file, bytes), newest, "{file}");
    }

    let json: serde_json::Value = serde_json::from_slice(&files["feed.json"]).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), newest.len());
    for (item, expected) in items.iter().zip(newest) {
        assert_eq!(item["id"], expected.id.as_str());
        assert_eq!(item["url"], expected.link.as_str());
        assert_eq!(item["title"], expected.title.as_str());
        let date = DateTime::parse_from_rfc3339(item["date_published"].as_str().unwrap()).unwrap();
        assert_eq!(date, expected.date);
    }

    // Each paged format keeps its own archive: RSS pages for feed.xml,
    // Atom pages for atom.xml.
    for (folder, current) in [("archive/", "feed.xml"), ("archive/atom/", "atom.xml")] {
        assert_archive(files, folder, current, newest, all);
    }
}

/// Checks that the RFC 5005 archive pages in `folder` hold `all` (oldest
/// first), each linked to its neighbours and to `current`, and that
/// `current` links the newest page.
fn assert_archive(
    files: &BTreeMap<String, Vec<u8>>,
    folder: &str,
    current: &str,
    newest: &[Expected],
    all: &[Expected],
) {
    let page_path = |number: usize| format!("{folder}{number}.xml");
    let pages = (1..)
        .take_while(|number| files.contains_key(&page_path(*number)))
        .count();
    let in_folder = files
        .keys()
        .filter(|path| {
            path.strip_prefix(folder)
                .is_some_and(|name| !name.contains('/'))
        })
        .count();
    assert_eq!(in_folder, pages, "{folder}: pages numbered 1 to {pages}");
    let mut archived: Vec<Expected> = Vec::new();
    for number in 1..=pages {
        let path = page_path(number);
        let bytes = &files[&path];
        let mut page = entries_of(&path, bytes);
        page.reverse();
        archived.extend(page);
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("<fh:archive"), "{path} says it is an archive");
        let links = links_of(&path, bytes);
        let has = |rel: &str, href: &str| links.iter().any(|(r, h)| r == rel && h == href);
        assert!(
            has("current", &format!("{BASE_URL}{current}")),
            "{path}: {links:?}"
        );
        assert!(
            has("self", &format!("{BASE_URL}{path}")),
            "{path}: {links:?}"
        );
        if number > 1 {
            let prev = format!("{BASE_URL}{}", page_path(number - 1));
            assert!(has("prev-archive", &prev), "{path}: {links:?}");
        }
        if number < pages {
            let next = format!("{BASE_URL}{}", page_path(number + 1));
            assert!(has("next-archive", &next), "{path}: {links:?}");
        }
    }
    let links = links_of(current, &files[current]);
    if pages > 0 {
        assert_eq!(
            archived, all,
            "{folder}: the archive pages hold the whole history"
        );
        let newest_page = format!("{BASE_URL}{}", page_path(pages));
        assert!(
            links
                .iter()
                .any(|(rel, href)| rel == "prev-archive" && *href == newest_page),
            "{current} links the newest archive page: {links:?}"
        );
    } else {
        assert_eq!(
            newest.len(),
            all.len(),
            "without archives the feed holds everything"
        );
        assert!(
            links.iter().all(|(rel, _)| !rel.ends_with("-archive")),
            "{current}: {links:?}"
        );
    }
}
