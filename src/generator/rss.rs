//! RSS 2.0 from items, with the `content`, `dc` and `atom` extensions a
//! validator expects: `content:encoded` for the full HTML, `dc:creator` for
//! the author's name, `atom:link` for the feed's own address and its
//! RFC 5005 archive links.

use std::collections::BTreeMap;

use atom_syndication::Link;
use rss::extension::Extension;
use rss::extension::atom::AtomExtension;
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Guid};

use super::channel::{
    Channel, FEED_HISTORY_NS, GENERATOR, GENERATOR_VERSION, last_updated, size_hint,
};
use super::xml::Contents;
use crate::Item;

/// The RSS 2.0 document of `items`, in the order given.
pub fn write(channel: &Channel, items: &[&Item]) -> Vec<u8> {
    let mut links = vec![atom_link("self", channel.self_url.as_str())];
    if let Some(archive) = &channel.archive {
        links.extend(
            archive
                .links()
                .into_iter()
                .map(|(rel, href)| atom_link(rel, href.as_str())),
        );
    }
    let mut out = rss::Channel {
        title: channel.title.clone(),
        link: channel.home.to_string(),
        // RSS requires a description; an empty one draws a validator warning.
        description: match channel.description.as_str() {
            "" => channel.title.clone(),
            description => description.to_string(),
        },
        language: Some(channel.language.clone()),
        managing_editor: rss_author(channel),
        generator: Some(format!("{GENERATOR} {GENERATOR_VERSION}")),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        last_build_date: last_updated(items).map(|date| date.to_rfc2822()),
        atom_ext: Some(AtomExtension { links }),
        items: items.iter().copied().map(rss_item).collect(),
        ..Default::default()
    };
    if channel.is_archive_page() {
        out.namespaces
            .insert("fh".into(), FEED_HISTORY_NS.to_string());
        let archive = Extension {
            name: "fh:archive".into(),
            ..Default::default()
        };
        out.extensions.insert(
            "fh".into(),
            BTreeMap::from([("archive".to_string(), vec![archive])]),
        );
    }
    let contents = Contents::of(items);
    let envelope = out
        .pretty_write_to(
            Vec::with_capacity(size_hint(items) - contents.len()),
            b' ',
            2,
        )
        .expect("the writer's only failures are I/O, and memory does none");
    let tags = (&b"<content:encoded>"[..], &b"</content:encoded>"[..]);
    let mut xml = contents.fill(&envelope, EMPTY_CONTENT, tags);
    xml.push(b'\n');
    xml
}

/// What the crate writes for an item's `content:encoded` given as empty
/// HTML.
const EMPTY_CONTENT: &[u8] = b"<content:encoded><![CDATA[]]></content:encoded>";

fn rss_item(item: &Item) -> rss::Item {
    // Names go in dc:creator: RSS `author` must be an address, and a
    // validator warns when an item has both.
    let creators = item.authors.clone();
    rss::Item {
        title: Some(item.title.clone()),
        link: Some(item.url.to_string()),
        description: item.summary_html.clone(),
        categories: item
            .tags
            .iter()
            .map(|tag| Category {
                name: tag.clone(),
                domain: None,
            })
            .collect(),
        guid: Some(Guid {
            permalink: item.id.starts_with("http://") || item.id.starts_with("https://"),
            value: item.id.clone(),
        }),
        pub_date: Some(item.published.to_rfc2822()),
        // Filled in by `Contents::fill`.
        content: item.content_html.as_ref().map(|_| String::new()),
        dublin_core_ext: (!creators.is_empty()).then(|| DublinCoreExtension {
            creators,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `address (Name)`, the RSS form of a person, when there is an address:
/// the channel's `managingEditor`.
fn rss_author(channel: &Channel) -> Option<String> {
    let email = channel.author.email.as_deref()?;
    Some(match channel.author.name.trim() {
        "" => email.to_string(),
        name => format!("{email} ({name})"),
    })
}

fn atom_link(rel: &str, href: &str) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: (rel == "self").then(|| "application/rss+xml".to_string()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::channel::fixtures::{channel, item};

    fn rendered(channel: &Channel, items: &[Item]) -> String {
        let items: Vec<&Item> = items.iter().collect();
        String::from_utf8(write(channel, &items)).unwrap()
    }

    #[test]
    fn names_go_in_dc_creator_and_addresses_in_managing_editor() {
        let xml = rendered(&channel("d", Some("ed@w.example")), &[item("tag:x")]);
        assert!(xml.contains("<managingEditor>ed@w.example (Ed)</managingEditor>"));
        assert!(xml.contains("<dc:creator>Ed</dc:creator>"));
        assert!(!xml.contains("<author>"), "{xml}");
        let xml = rendered(&channel("d", None), &[item("tag:x")]);
        assert!(!xml.contains("managingEditor"), "{xml}");
    }

    #[test]
    fn guid_is_a_permalink_only_when_it_is_a_web_address() {
        let xml = rendered(
            &channel("d", None),
            &[
                item("tag:w.example,2005:issues/1"),
                item("https://w.example/1"),
            ],
        );
        assert!(xml.contains("<guid isPermaLink=\"false\">tag:w.example,2005:issues/1</guid>"));
        assert!(xml.contains("<guid>https://w.example/1</guid>"), "{xml}");
    }

    #[test]
    fn dates_are_rfc_822_and_an_empty_description_is_filled() {
        let xml = rendered(&channel("", None), &[item("tag:x")]);
        assert!(xml.contains("<description>Weekly</description>"), "{xml}");
        assert!(xml.contains("<pubDate>Sun, 30 Jul 2017 12:08:24 +0100</pubDate>"));
        assert!(xml.contains("<lastBuildDate>Sun, 30 Jul 2017 12:08:24 +0100</lastBuildDate>"));
    }
}
