//! Atom 1.0 (RFC 4287) from items. HTML goes in `type="html"` text
//! constructs: summaries escaped, contents as CDATA sections; dates are
//! RFC 3339.

use atom_syndication::{
    Category, Content, Entry, Feed, Generator, Link, Person, Text, WriteConfig,
};
use chrono::DateTime;

use super::channel::{
    Channel, FEED_HISTORY_NS, GENERATOR, GENERATOR_URI, GENERATOR_VERSION, last_updated, size_hint,
};
use super::xml::Contents;
use crate::Item;

/// The Atom document of `items`, in the order given.
pub fn write(channel: &Channel, items: &[&Item]) -> Vec<u8> {
    let mut links = vec![
        link(
            "self",
            channel.self_url.as_str(),
            Some("application/atom+xml"),
        ),
        link("alternate", channel.home.as_str(), Some("text/html")),
    ];
    if let Some(archive) = &channel.archive {
        links.extend(
            archive
                .links()
                .into_iter()
                .map(|(rel, href)| link(rel, href.as_str(), None)),
        );
    }
    let mut feed = Feed {
        title: Text::plain(channel.title.clone()),
        id: channel.id.clone(),
        // A feed without entries has not changed since the epoch: any build
        // time here would make identical inputs give different bytes.
        updated: last_updated(items).unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset()),
        authors: vec![Person {
            name: channel.author.name.clone(),
            email: channel.author.email.clone(),
            ..Default::default()
        }],
        generator: Some(Generator {
            value: GENERATOR.into(),
            uri: Some(GENERATOR_URI.into()),
            version: Some(GENERATOR_VERSION.into()),
        }),
        links,
        subtitle: (!channel.description.is_empty())
            .then(|| Text::plain(channel.description.clone())),
        entries: items.iter().copied().map(entry).collect(),
        lang: Some(channel.language.clone()),
        ..Default::default()
    };
    if channel.is_archive_page() {
        feed.namespaces
            .insert("fh".into(), FEED_HISTORY_NS.to_string());
    }
    let config = WriteConfig {
        write_document_declaration: true,
        indent_size: Some(2),
    };
    let contents = Contents::of(items);
    let mut envelope = feed
        .write_with_config(
            Vec::with_capacity(size_hint(items) - contents.len()),
            config,
        )
        .expect("the writer's only failures are I/O, and memory does none");
    if channel.is_archive_page() {
        mark_archive(&mut envelope);
    }
    let tags = (&b"<content type=\"html\">"[..], &b"</content>"[..]);
    let mut xml = contents.fill(&envelope, EMPTY_CONTENT, tags);
    xml.push(b'\n');
    xml
}

/// Adds RFC 5005's `<fh:archive/>` to a written archive page. Not through
/// the crate's feed extensions: it writes those after the entries, where
/// RFC 4287 allows no foreign element (jing rejects the page).
fn mark_archive(xml: &mut Vec<u8>) {
    const MARK: &[u8] = b"<fh:archive/>\n  ";
    let at = memchr::memmem::find(xml, b"<entry>")
        .or_else(|| memchr::memmem::rfind(xml, b"</feed>"))
        .expect("a written feed ends with </feed>");
    xml.splice(at..at, MARK.iter().copied());
}

/// What the crate writes for an entry's content given as empty HTML.
const EMPTY_CONTENT: &[u8] = b"<content type=\"html\"></content>";

fn entry(item: &Item) -> Entry {
    Entry {
        title: Text::plain(item.title.clone()),
        id: item.id.clone(),
        updated: item.last_modified(),
        published: Some(item.published),
        authors: item
            .authors
            .iter()
            .map(|name| Person {
                name: name.clone(),
                ..Default::default()
            })
            .collect(),
        categories: item
            .tags
            .iter()
            .map(|tag| Category {
                term: tag.clone(),
                ..Default::default()
            })
            .collect(),
        links: vec![link("alternate", item.url.as_str(), Some("text/html"))],
        summary: item.summary_html.clone().map(Text::html),
        // Filled in by `Contents::fill`.
        content: item.content_html.as_ref().map(|_| Content {
            value: Some(String::new()),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn link(rel: &str, href: &str, mime_type: Option<&str>) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: mime_type.map(str::to_string),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::channel::fixtures::{channel, item};

    #[test]
    fn empty_content_is_an_empty_cdata_section() {
        let mut with_content = item("tag:x");
        with_content.content_html = Some(String::new());
        let xml = write(&channel("d", None), &[&with_content]);
        assert!(memchr::memmem::find(&xml, EMPTY_CONTENT).is_none());
        assert!(
            memchr::memmem::find(&xml, b"<content type=\"html\"><![CDATA[]]></content>").is_some()
        );
    }

    #[test]
    fn contents_read_back_exactly_in_both_formats() {
        let contents = [
            Some("<p>a ]]> b ]]]]> c</p>]]>"),
            None,
            Some(
                "<p>&lt;script&gt;alert(\"x\")&lt;/script&gt; <script>x</script> 'q' \"dq\" &amp;</p>",
            ),
            Some("]]><p>Ünïcödé ✓ — 日本語 😀</p>\n<![CDATA[ x ]]"),
        ];
        let items: Vec<Item> = contents
            .iter()
            .enumerate()
            .map(|(at, content)| Item {
                content_html: content.map(str::to_string),
                ..item(&format!("tag:w.example,2005:{at}"))
            })
            .collect();
        let items: Vec<&Item> = items.iter().collect();
        let expected: Vec<Option<String>> =
            contents.iter().map(|c| c.map(str::to_string)).collect();
        // The RSS writer fills content:encoded the same way.
        for write in [write, crate::generator::rss::write] {
            let xml = write(&channel("d", None), &items);
            let feed = feed_rs::parser::parse(&xml[..]).unwrap();
            let read: Vec<Option<String>> = feed
                .entries
                .iter()
                .map(|entry| entry.content.as_ref().and_then(|c| c.body.clone()))
                .collect();
            assert_eq!(read, expected, "{}", String::from_utf8_lossy(&xml));
        }
    }
}
