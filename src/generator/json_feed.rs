//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) from items. Field
//! order is the structs' order, so the output is byte-stable.

use serde::Serialize;

use super::channel::Channel;
use crate::Item;

pub const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    authors: Vec<Author<'a>>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<&'a str>,
    /// Plain text, as the spec asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
}

/// The JSON Feed document of `items`, in the order given.
pub fn write(channel: &Channel, items: &[&Item]) -> Result<Vec<u8>, serde_json::Error> {
    let feed = JsonFeed {
        version: VERSION,
        title: &channel.title,
        home_page_url: channel.home.as_str(),
        feed_url: channel.self_url.as_str(),
        description: &channel.description,
        language: &channel.language,
        authors: author_list([channel.author.name.as_str()]),
        items: items.iter().map(|entry| item(entry)).collect(),
    };
    let mut json = serde_json::to_vec_pretty(&feed)?;
    json.push(b'\n');
    Ok(json)
}

fn item(item: &Item) -> JsonItem<'_> {
    JsonItem {
        id: &item.id,
        url: item.url.as_str(),
        title: &item.title,
        content_html: item.content_html.as_deref(),
        summary: item.summary_html.as_deref().map(html_to_text),
        date_published: item.published.to_rfc3339(),
        date_modified: item.updated.map(|date| date.to_rfc3339()),
        authors: author_list(item.authors.iter().map(String::as_str)),
        tags: &item.tags,
    }
}

fn author_list<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Author<'a>> {
    names
        .into_iter()
        .filter(|name| !name.trim().is_empty())
        .map(|name| Author { name })
        .collect()
}

/// The text of sanitised HTML: tags dropped, entities decoded, white space
/// folded.
fn html_to_text(html: &str) -> String {
    let text = ammonia::Builder::empty().clean(html).to_string();
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    crate::text::collapse_whitespace(&text)
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn summaries_are_plain_text() {
        assert_eq!(
            html_to_text("<p>Tom &amp; <em>Jerry</em> &lt;3</p>\n<p>More</p>"),
            "Tom & Jerry <3 More"
        );
    }
}
