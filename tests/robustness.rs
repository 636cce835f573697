//! No input makes newsroom panic: the fuzz targets of `fuzz/` as property
//! tests (stable Rust runs these; cargo-fuzz needs nightly), their saved
//! findings replayed, and `check` and `build` run on random issue files.
//!
//! The issue parser's own properties are in `tests/issue_parser_props.rs`,
//! draft-then-parse in `tests/draft.rs` and build-then-feed-rs in
//! `tests/generator_props.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;

/// The fuzz targets' checks, word for word.
#[path = "../fuzz/checks.rs"]
mod checks;

use checks::{configure, ingest, normalise, parse_issue};

/// Pieces of feeds, so that generated documents get past the first tag.
fn feed_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_string()),
        Just("<rss version=\"2.0\"><channel>".to_string()),
        Just("<feed xmlns=\"http://www.w3.org/2005/Atom\">".to_string()),
        Just("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">".to_string()),
        Just("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\",\"items\":[".to_string()),
        Just("{\"id\":\"1\",\"url\":\"https://j.example/1\",\"date_published\":\"9999-12-31T00:00:00Z\"}".to_string()),
        Just("<item><title>".to_string()),
        Just("<entry><title type=\"html\">".to_string()),
        Just("</title><link>".to_string()),
        Just("<link href=\"/rel\" rel=\"alternate\"/>".to_string()),
        Just("https://a.example/p?utm_source=x#f".to_string()),
        Just("javascript:alert(1)".to_string()),
        Just("</link><pubDate>Tue, 31 Feb 2017 00:00:00 GMT</pubDate>".to_string()),
        Just("<updated>0000-01-01T00:00:00Z</updated>".to_string()),
        Just("<description>&lt;script&gt;x&lt;/script&gt;&lt;p onclick=y&gt;".to_string()),
        Just("<![CDATA[<iframe src=x>]]>".to_string()),
        Just("<!DOCTYPE x [<!ENTITY e \"&e;&e;\">]>&e;".to_string()),
        Just("&amp;&nbsp;&#0;&#xD800;&bogus;".to_string()),
        Just("</item></channel></rss>".to_string()),
        Just("</entry></feed>".to_string()),
        Just("]}".to_string()),
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn feed_ingestion_never_panics(pieces in proptest::collection::vec(feed_piece(), 0..24)) {
        ingest(pieces.concat().as_bytes());
    }

    #[test]
    fn feed_ingestion_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        ingest(&bytes);
    }

    #[test]
    fn normalisation_is_idempotent_on_url_like_text(
        text in "(?i)(https?|ftp|javascript|data|file)://[a-z0-9.\\[\\]:@%_-]{0,20}(/[a-z0-9.%~_-]{0,8}){0,4}(\\?[a-z_=&%+0-9]{0,20})?(#.{0,5})?"
    ) {
        normalise(&text);
    }

    #[test]
    fn normalisation_never_panics(text in "\\PC{0,60}") {
        normalise(&text);
    }

    #[test]
    fn config_parsing_never_panics(text in "(\\[\\[?(newsletter|aggregator|source)\\]\\]?\n|[a-z_]{1,12} = (\"[^\"\n]{0,12}\"|[0-9.-]{1,6}|\\[\\]|true)\n|\\PC{0,10}\n){0,12}") {
        configure(&text);
    }

    #[test]
    fn issue_parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        parse_issue(&bytes);
    }
}

/// Inputs saved from fuzzing (`fuzz/regressions/<target>/`) still pass.
#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    type Target = (&'static str, fn(&[u8]));
    let targets: [Target; 4] = [
        ("feed", ingest),
        ("normalize", |bytes| {
            normalise(&String::from_utf8_lossy(bytes))
        }),
        ("config", |bytes| configure(&String::from_utf8_lossy(bytes))),
        ("issue", parse_issue),
    ];
    for (target, run) in targets {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            run(&std::fs::read(&path).unwrap());
        }
    }
}

fn newsroom(args: &[&str], config: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("run newsroom")
}

/// A small deterministic generator, so that a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Random issue files: raw bytes, or front matter and Markdown with random
/// damage, under valid issue file names.
fn random_issues(dir: &Path, seed: u64, count: usize) -> Vec<PathBuf> {
    const GOOD: &str = "---\ntitle: Issue 1\ndate: 2024-01-07\n---\n\n## News\n\n* [A post](https://a.example/post) - a blurb\n\n## Tools\n\n1. [T](https://t.example/)\n";
    let mut random = XorShift(seed | 1);
    let mut files = Vec::new();
    for n in 0..count {
        let bytes: Vec<u8> = match random.next() % 3 {
            0 => (0..random.next() % 300)
                .map(|_| random.next() as u8)
                .collect(),
            _ => {
                let mut bytes = GOOD.as_bytes().to_vec();
                for _ in 0..1 + random.next() % 6 {
                    let at = (random.next() as usize) % bytes.len();
                    match random.next() % 3 {
                        0 => bytes[at] = random.next() as u8,
                        1 => {
                            bytes.remove(at);
                        }
                        _ => bytes.insert(at, b"-:*[]()#\n\xff"[random.next() as usize % 10]),
                    }
                }
                bytes
            }
        };
        let file = dir.join(format!("2024-01-{:02}-{}.md", 1 + n % 28, n + 1));
        std::fs::write(&file, bytes).unwrap();
        files.push(file);
    }
    files
}

#[test]
fn check_and_build_never_panic_on_random_issue_files() {
    for seed in 1..=4u64 {
        let dir = tempfile::tempdir().unwrap();
        let issues = dir.path().join("issues");
        std::fs::create_dir(&issues).unwrap();
        let config = dir.path().join("feeds.toml");
        std::fs::write(
            &config,
            "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\nissues_dir = \"issues\"\noutput_dir = \"public\"\n",
        )
        .unwrap();
        let files = random_issues(&issues, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 24);

        let check = newsroom(&["check"], &config);
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert!(
            matches!(check.status.code(), Some(0 | 1)),
            "seed {seed}: {check:?}"
        );
        assert!(!stderr.contains("panicked"), "seed {seed}: {stderr}");
        // Every failure names its file and a line.
        for line in stderr.lines().filter(|line| line.contains(".md")) {
            let named = files.iter().any(|file| {
                let prefix = format!("{}:", file.display());
                line.strip_prefix(&prefix).is_some_and(|rest| {
                    rest.split(':')
                        .next()
                        .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n >= 1))
                })
            });
            assert!(named, "seed {seed}: no file and line in {line:?}");
        }

        let build = newsroom(&["build", "--future", "--drafts"], &config);
        let stderr = String::from_utf8_lossy(&build.stderr);
        assert!(
            matches!(build.status.code(), Some(0 | 1)),
            "seed {seed}: {build:?}"
        );
        assert!(!stderr.contains("panicked"), "seed {seed}: {stderr}");
    }
}
