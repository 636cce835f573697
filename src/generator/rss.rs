//! RSS 2.0 from items, with the `content`, `dc` and `atom` extensions a
//! validator expects: `content:encoded` for the full HTML, `dc:creator` for
//! the author's name, `atom:link` for the feed's own address and its
//! RFC 5005 archive links.

use super::channel::{
    Channel, FEED_HISTORY_NS, GENERATOR, GENERATOR_VERSION, last_updated, size_hint,
};
use super::xml::{cdata_element, element, escape_into};
use crate::Item;

/// The RSS 2.0 document of `items`, in the order given.
pub fn write(channel: &Channel, items: &[&Item]) -> Vec<u8> {
    let mut xml = String::with_capacity(2048 + size_hint(items));
    let out = &mut xml;
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
    );
    if channel.is_archive_page() {
        out.push_str(" xmlns:fh=\"");
        out.push_str(FEED_HISTORY_NS);
        out.push('"');
    }
    out.push_str(">\n  <channel>\n");
    const IN: &str = "    ";
    element(out, IN, "title", &channel.title);
    element(out, IN, "link", channel.home.as_str());
    // RSS requires a description; an empty one draws a validator warning.
    let description = match channel.description.as_str() {
        "" => &channel.title,
        description => description,
    };
    element(out, IN, "description", description);
    element(out, IN, "language", &channel.language);
    if let Some(editor) = managing_editor(channel) {
        element(out, IN, "managingEditor", &editor);
    }
    if let Some(updated) = last_updated(items) {
        element(out, IN, "lastBuildDate", &updated.to_rfc2822());
    }
    element(
        out,
        IN,
        "generator",
        &format!("{GENERATOR} {GENERATOR_VERSION}"),
    );
    element(
        out,
        IN,
        "docs",
        "https://www.rssboard.org/rss-specification",
    );
    channel.write_links(out, IN, "atom:link", "application/rss+xml");
    for item in items {
        write_item(out, item);
    }
    out.push_str("  </channel>\n</rss>\n");
    xml.into_bytes()
}

/// One `<item>`, indented for its place in a channel.
fn write_item(out: &mut String, item: &Item) {
    const IN: &str = "      ";
    out.push_str("    <item>\n");
    element(out, IN, "title", &item.title);
    element(out, IN, "link", item.url.as_str());
    if let Some(summary) = &item.summary_html {
        cdata_element(out, IN, "description", "", summary);
    }
    for tag in &item.tags {
        element(out, IN, "category", tag);
    }
    // A `tag:` id is no address, so it must say it is no permalink.
    let permalink = item.id.starts_with("http://") || item.id.starts_with("https://");
    out.push_str(IN);
    out.push_str(match permalink {
        true => "<guid>",
        false => "<guid isPermaLink=\"false\">",
    });
    escape_into(out, &item.id);
    out.push_str("</guid>\n");
    element(out, IN, "pubDate", &item.published.to_rfc2822());
    if let Some(content) = &item.content_html {
        cdata_element(out, IN, "content:encoded", "", content);
    }
    // Names go in dc:creator: RSS `author` must be an address, and a
    // validator warns when an item has both.
    for author in &item.authors {
        element(out, IN, "dc:creator", author);
    }
    out.push_str("    </item>\n");
}

/// `address (Name)`, the RSS form of a person, when there is an address:
/// the channel's `managingEditor`.
fn managing_editor(channel: &Channel) -> Option<String> {
    let email = channel.author.email.as_deref()?;
    Some(match channel.author.name.trim() {
        "" => email.to_string(),
        name => format!("{email} ({name})"),
    })
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use url::Url;

    use super::*;
    use crate::Origin;
    use crate::generator::channel::Author;

    fn channel(description: &str, email: Option<&str>) -> Channel {
        let home = Url::parse("https://w.example/").unwrap();
        Channel {
            title: "Weekly".into(),
            description: description.into(),
            id: "tag:w.example,2005:feed".into(),
            self_url: home.join("feed.xml").unwrap(),
            home,
            language: "en".into(),
            author: Author {
                name: "Ed".into(),
                email: email.map(str::to_string),
            },
            archive: None,
        }
    }

    fn item(id: &str) -> Item {
        Item {
            id: id.into(),
            url: Url::parse("https://w.example/issues/1/").unwrap(),
            title: "Issue 1".into(),
            summary_html: None,
            content_html: None,
            published: DateTime::parse_from_rfc3339("2017-07-30T12:08:24+01:00").unwrap(),
            updated: None,
            authors: vec!["Ed".into()],
            tags: Vec::new(),
            origin: Origin::Issue {
                number: 1,
                section: None,
            },
        }
    }

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
