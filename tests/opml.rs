//! `sources import` and `sources export`: OPML read and written, and
//! feeds.toml edited without losing what the editors wrote in it.

use newsroom::aggregator::opml::{
    ImportError, OpmlErrorKind, OpmlFeed, SkippedFeed, add_sources_to_config, parse_opml,
    write_opml,
};
use newsroom::config::Config;
use url::Url;

const SUBSCRIPTIONS: &str = include_str!("fixtures/opml/subscriptions.opml");
const FEEDS_TOML: &str = include_str!("fixtures/opml/feeds.toml");
const MALFORMED: &str = include_str!("fixtures/opml/malformed.opml");

fn url(text: &str) -> Url {
    Url::parse(text).expect("a valid URL")
}

fn summary(feeds: &[OpmlFeed]) -> Vec<(&str, &str, Vec<&str>)> {
    feeds
        .iter()
        .map(|feed| {
            let tags = feed.tags.iter().map(String::as_str).collect();
            (feed.title.as_str(), feed.xml_url.as_str(), tags)
        })
        .collect()
}

#[test]
fn reads_feeds_with_their_folders_as_tags() {
    let feeds = parse_opml(SUBSCRIPTIONS).expect("the fixture parses");
    assert_eq!(
        summary(&feeds),
        [
            (
                "Kubernetes Blog",
                "https://kubernetes.io/feed.xml",
                vec!["Cloud", "Kubernetes"]
            ),
            (
                "Already there",
                "https://example.org/feed.xml?utm_source=opml",
                vec!["Cloud", "Kubernetes"]
            ),
            (
                "AWS & friends",
                "https://aws.example/blog/feed/",
                vec!["Cloud", "vendors", "aws", "news"]
            ),
            ("Existing name", "https://other.example/rss", vec![]),
            (
                "untitled.example",
                "https://untitled.example/atom.xml",
                vec![]
            ),
            (
                "Kubernetes again",
                "https://kubernetes.io/feed.xml#dup",
                vec![]
            ),
        ]
    );
    assert_eq!(feeds[0].html_url, Some(url("https://kubernetes.io/blog/")));
    assert_eq!(feeds[3].html_url, None, "a bad htmlUrl is dropped");
}

#[test]
fn import_keeps_comments_and_layout_and_skips_duplicates() {
    let feeds = parse_opml(SUBSCRIPTIONS).expect("the fixture parses");
    let (text, report) = add_sources_to_config(FEEDS_TOML, &feeds).expect("import works");

    assert!(
        text.starts_with(FEEDS_TOML),
        "the original text is untouched:\n{text}"
    );
    assert_eq!(
        &text[FEEDS_TOML.len()..],
        "\n[[source]]\nname = \"Kubernetes Blog\"\nurl = \"https://kubernetes.io/feed.xml\"\ntags = [\"Cloud\", \"Kubernetes\"]\n\
         \n[[source]]\nname = \"AWS & friends\"\nurl = \"https://aws.example/blog/feed/\"\ntags = [\"Cloud\", \"vendors\", \"aws\", \"news\"]\n\
         \n[[source]]\nname = \"Existing name (2)\"\nurl = \"https://other.example/rss\"\n\
         \n[[source]]\nname = \"untitled.example\"\nurl = \"https://untitled.example/atom.xml\"\n"
    );
    assert_eq!(
        report.added,
        [
            "Kubernetes Blog",
            "AWS & friends",
            "Existing name (2)",
            "untitled.example"
        ]
    );
    assert_eq!(
        report.skipped_duplicates,
        [
            SkippedFeed {
                title: "Already there".into(),
                url: url("https://example.org/feed.xml?utm_source=opml"),
                existing: "Existing name".into(),
            },
            SkippedFeed {
                title: "Kubernetes again".into(),
                url: url("https://kubernetes.io/feed.xml#dup"),
                existing: "Kubernetes Blog".into(),
            },
        ]
    );
    let config = Config::parse(&text).expect("the result is a valid feeds.toml");
    assert_eq!(config.sources.len(), 6);
    assert_eq!(config.sources[0].weight, 2.0);

    // Importing the same file again adds nothing and changes nothing.
    let (again, report) = add_sources_to_config(&text, &feeds).expect("import works");
    assert_eq!(again, text);
    assert!(report.added.is_empty());
    assert_eq!(report.skipped_duplicates.len(), feeds.len());
}

#[test]
fn new_sources_follow_the_last_source_not_the_end_of_the_file() {
    let config = "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n\n[[source]]\nname = \"A\"\nurl = \"https://a.example/feed\"\n\n# Polling.\n[aggregator]\ninterval = \"2h\"\n";
    let feeds = parse_opml(SUBSCRIPTIONS).expect("the fixture parses");
    let (text, _) = add_sources_to_config(config, &feeds[..1]).expect("import works");
    assert_eq!(
        text,
        "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n\n[[source]]\nname = \"A\"\nurl = \"https://a.example/feed\"\n\
         \n[[source]]\nname = \"Kubernetes Blog\"\nurl = \"https://kubernetes.io/feed.xml\"\ntags = [\"Cloud\", \"Kubernetes\"]\n\
         \n# Polling.\n[aggregator]\ninterval = \"2h\"\n"
    );
}

#[test]
fn import_into_a_config_without_sources() {
    let config = "[newsletter] # required\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n";
    let feeds = parse_opml(SUBSCRIPTIONS).expect("the fixture parses");
    let (text, report) = add_sources_to_config(config, &feeds).expect("import works");
    assert!(text.starts_with(config), "{text}");
    assert_eq!(report.added.len(), 5);
    assert_eq!(report.skipped_duplicates.len(), 1);
}

#[test]
fn import_keeps_windows_line_endings() {
    let config = FEEDS_TOML.replace('\n', "\r\n");
    let feeds = parse_opml(SUBSCRIPTIONS).expect("the fixture parses");
    let (text, _) = add_sources_to_config(&config, &feeds).expect("import works");
    assert!(text.starts_with(&config), "{text}");
    assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
}

#[test]
fn export_then_import_round_trips() {
    let config = Config::parse(FEEDS_TOML).expect("the fixture parses");
    let opml = write_opml("DevOps Weekly <sources>", &config.sources);
    assert_eq!(
        opml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>DevOps Weekly &lt;sources&gt;</title>\n  </head>\n  <body>\n\
         \x20   <outline type=\"rss\" text=\"Existing name\" title=\"Existing name\" xmlUrl=\"https://example.org/feed.xml\"/>\n\
         \x20   <outline type=\"rss\" text=\"Quiet blog\" title=\"Quiet blog\" xmlUrl=\"https://quiet.example/feed\" category=\"ops\"/>\n\
         \x20 </body>\n</opml>\n"
    );

    let feeds = parse_opml(&opml).expect("our own OPML parses");
    let empty = "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n";
    let (text, _) = add_sources_to_config(empty, &feeds).expect("import works");
    let imported = Config::parse(&text).expect("valid");
    let key = |config: &Config| {
        config
            .sources
            .iter()
            .map(|s| (s.name.clone(), s.url.clone(), s.tags.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&imported), key(&config));
}

#[test]
fn export_escapes_names_and_urls() {
    let config = Config::parse(
        "[newsletter]\ntitle = \"W\"\nbase_url = \"https://w.example/\"\n\n[[source]]\nname = \"Tom & Jerry's \\\"<blog>\\\"\"\nurl = \"https://t.example/feed?a=1&b=2\"\ntags = [\"a&b\", \"c\"]\n",
    )
    .expect("valid");
    let opml = write_opml("W", &config.sources);
    let feeds = parse_opml(&opml).expect("our own OPML parses");
    assert_eq!(feeds[0].title, "Tom & Jerry's \"<blog>\"");
    assert_eq!(feeds[0].xml_url.as_str(), "https://t.example/feed?a=1&b=2");
    assert_eq!(feeds[0].tags, ["a&b", "c"]);
}

#[test]
fn malformed_opml_names_the_line() {
    let err = parse_opml(MALFORMED).expect_err("a mismatched end tag");
    assert_eq!(err.line, 7, "{err}");
    assert!(matches!(err.kind, OpmlErrorKind::Xml(_)), "{err}");
    assert!(err.to_string().starts_with("line 7: "), "{err}");

    for (text, line, expected) in [
        ("<?xml version=\"1.0\"?>\n<rss/>\n", 2, "not an OPML file"),
        ("<opml>\n<head/>\n</opml>\n", 1, "no <body>"),
        (
            "<opml>\n<body>\n<outline text=\"x\">\n",
            3,
            "<outline> is never closed",
        ),
        (
            "<opml><body>\n\n<outline xmlUrl=\"ftp://x.example/feed\"/>\n</body></opml>",
            3,
            "http",
        ),
        (
            "<opml><body>\n<outline\n  xmlUrl=\"not a url\"/>\n</body></opml>",
            2,
            "not a url",
        ),
        (
            "<opml><body>\n<outline text=\"a\" text=\"b\"/>\n</body></opml>",
            2,
            "duplicated attribute",
        ),
    ] {
        let err = parse_opml(text).expect_err(text);
        assert_eq!(err.line, line, "{text}: {err}");
        assert!(err.to_string().contains(expected), "{text}: {err}");
    }
}

#[test]
fn import_refuses_an_invalid_config() {
    let feeds = parse_opml(SUBSCRIPTIONS).expect("the fixture parses");
    let err = add_sources_to_config("[newsletter]\ntitle = 3\n", &feeds).expect_err("invalid");
    assert!(
        matches!(err, ImportError::InvalidConfig { line: 2, .. }),
        "{err}"
    );
}
