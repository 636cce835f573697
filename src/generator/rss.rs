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

use super::channel::{Channel, FEED_HISTORY_NS, GENERATOR, GENERATOR_VERSION, last_updated};
use crate::Item;

/// The RSS 2.0 document of `items`, in the order given.
pub fn write(channel: &Channel, items: &[Item]) -> Result<Vec<u8>, rss::Error> {
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
        description: channel.description.clone(),
        language: Some(channel.language.clone()),
        managing_editor: rss_author(channel),
        generator: Some(format!("{GENERATOR} {GENERATOR_VERSION}")),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        last_build_date: last_updated(items).map(|date| date.to_rfc2822()),
        atom_ext: Some(AtomExtension { links }),
        items: items.iter().map(rss_item).collect(),
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
    let mut xml = out.pretty_write_to(Vec::new(), b' ', 2)?;
    xml.push(b'\n');
    Ok(xml)
}

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
        content: item.content_html.clone(),
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
