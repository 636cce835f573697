//! Atom 1.0 (RFC 4287) from items. HTML goes in `type="html"` text
//! constructs as CDATA (the same characters as escaped text to any XML
//! parser, and no bigger than the HTML); dates are RFC 3339.

use chrono::DateTime;

use super::channel::{
    Channel, FEED_HISTORY_NS, GENERATOR, GENERATOR_URI, GENERATOR_VERSION, last_updated, size_hint,
};
use super::xml::{cdata_element, element, escape_into, link};
use crate::Item;

/// The Atom document of `items`, in the order given.
pub fn write(channel: &Channel, items: &[&Item]) -> Vec<u8> {
    let mut xml = String::with_capacity(2048 + size_hint(items));
    let out = &mut xml;
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    );
    if channel.is_archive_page() {
        out.push_str(" xmlns:fh=\"");
        out.push_str(FEED_HISTORY_NS);
        out.push('"');
    }
    out.push_str(" xml:lang=\"");
    escape_into(out, &channel.language);
    out.push_str("\">\n");
    const IN: &str = "  ";
    element(out, IN, "title", &channel.title);
    if !channel.description.is_empty() {
        element(out, IN, "subtitle", &channel.description);
    }
    element(out, IN, "id", &channel.id);
    // A feed without entries has not changed since the epoch: any build
    // time here would make identical inputs give different bytes.
    let updated = last_updated(items).unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset());
    element(out, IN, "updated", &updated.to_rfc3339());
    person(
        out,
        IN,
        &channel.author.name,
        channel.author.email.as_deref(),
    );
    out.push_str("  <generator uri=\"");
    out.push_str(GENERATOR_URI);
    out.push_str("\" version=\"");
    out.push_str(GENERATOR_VERSION);
    out.push_str("\">");
    out.push_str(GENERATOR);
    out.push_str("</generator>\n");
    channel.write_links(out, IN, "link", "application/atom+xml");
    link(
        out,
        IN,
        "link",
        "alternate",
        channel.home.as_str(),
        Some("text/html"),
    );
    for item in items {
        write_entry(out, item);
    }
    out.push_str("</feed>\n");
    xml.into_bytes()
}

/// One `<entry>`, indented for its place in a feed.
fn write_entry(out: &mut String, item: &Item) {
    const IN: &str = "    ";
    out.push_str("  <entry>\n");
    element(out, IN, "title", &item.title);
    element(out, IN, "id", &item.id);
    element(out, IN, "updated", &item.last_modified().to_rfc3339());
    element(out, IN, "published", &item.published.to_rfc3339());
    for author in &item.authors {
        person(out, IN, author, None);
    }
    for tag in &item.tags {
        out.push_str(IN);
        out.push_str("<category term=\"");
        escape_into(out, tag);
        out.push_str("\"/>\n");
    }
    link(
        out,
        IN,
        "link",
        "alternate",
        item.url.as_str(),
        Some("text/html"),
    );
    if let Some(summary) = &item.summary_html {
        cdata_element(out, IN, "summary", " type=\"html\"", summary);
    }
    if let Some(content) = &item.content_html {
        cdata_element(out, IN, "content", " type=\"html\"", content);
    }
    out.push_str("  </entry>\n");
}

fn person(out: &mut String, indent: &str, name: &str, email: Option<&str>) {
    out.push_str(indent);
    out.push_str("<author>\n");
    let inner = format!("{indent}  ");
    element(out, &inner, "name", name);
    if let Some(email) = email {
        element(out, &inner, "email", email);
    }
    out.push_str(indent);
    out.push_str("</author>\n");
}
