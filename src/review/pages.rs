//! The review page's HTML. Everything that came from a feed or a form goes
//! through [`escape`] (text and double-quoted attributes alike); links are
//! only made of `http` and `https` URLs. No inline script or style, so that
//! the Content-Security-Policy can forbid them.

use std::fmt::Write;
use std::path::PathBuf;

use axum::http::StatusCode;
use url::Url;

use crate::aggregator::draft::{self, Draft};
use crate::aggregator::rank::Score;
use crate::aggregator::sanitize::{escape, plain_text};
use crate::config::Source;
use crate::store::Candidate;

use super::{Filters, MOUNT};

/// How much of a summary the queue shows, in characters.
const SUMMARY_LIMIT: usize = 400;

pub(super) struct Queue<'a> {
    pub csrf: &'a str,
    pub sources: &'a [Source],
    pub ranked: &'a [(&'a Candidate, Score)],
    pub filters: &'a Filters,
    pub sections: &'a [String],
    pub done: Option<String>,
    pub can_undo: bool,
    pub snooze_days: u32,
}

pub(super) struct DraftView<'a> {
    pub csrf: &'a str,
    pub draft: &'a Draft,
    /// The candidate id of each of `draft.entries`.
    pub ids: &'a [i64],
    pub path: PathBuf,
    pub done: Option<String>,
}

fn layout(title: &str, done: Option<&str>, body: &str) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"{MOUNT}/assets/review.css\">\
         <script src=\"{MOUNT}/assets/review.js\" defer></script></head><body>\
         <header><nav><a href=\"{MOUNT}\">Queue</a> <a href=\"{MOUNT}/draft\">Draft</a></nav>\
         <p class=\"keys-hint\">Press <kbd>?</kbd> for keys</p></header><main>",
        escape(title)
    );
    if let Some(done) = done {
        let _ = write!(
            out,
            "<p class=\"done\" role=\"status\">{}</p>",
            escape(done)
        );
    }
    out.push_str(body);
    out.push_str(KEYS_HELP);
    out.push_str("</main></body></html>\n");
    out
}

const KEYS_HELP: &str = "<section id=\"keys\" hidden><h2>Keys</h2><dl>\
<dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous candidate</dd>\
<dt><kbd>a</kbd></dt><dd>accept: edit the blurb, <kbd>Tab</kbd> to the section, <kbd>Enter</kbd> saves</dd>\
<dt><kbd>r</kbd></dt><dd>reject</dd><dt><kbd>s</kbd></dt><dd>snooze</dd>\
<dt><kbd>u</kbd></dt><dd>undo the last decision</dd><dt><kbd>/</kbd></dt><dd>search</dd>\
<dt><kbd>?</kbd></dt><dd>show or hide these keys</dd><dt><kbd>Esc</kbd></dt><dd>leave a field</dd>\
</dl></section>";

fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(csrf)
    )
}

fn filter_fields(filters: &Filters) -> String {
    [
        ("q", &filters.q),
        ("source", &filters.source),
        ("tag", &filters.tag),
    ]
    .iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect()
}

fn options(selected: &str, values: &[String], any: &str) -> String {
    let mut out = format!("<option value=\"\">{}</option>", escape(any));
    for value in values {
        let chosen = if value == selected { " selected" } else { "" };
        let value = escape(value);
        let _ = write!(out, "<option value=\"{value}\"{chosen}>{value}</option>");
    }
    out
}

/// Whether `candidate` passes the filters: listed by the source, listed by
/// a source with the tag, and the search text in its title, summary, link or
/// source names (case-insensitive).
fn matches(candidate: &Candidate, sources: &[Source], filters: &Filters) -> bool {
    if !filters.source.is_empty() && !candidate.sources.contains(&filters.source) {
        return false;
    }
    if !filters.tag.is_empty() {
        let tagged = sources.iter().any(|source| {
            candidate.sources.contains(&source.name) && source.tags.contains(&filters.tag)
        });
        if !tagged {
            return false;
        }
    }
    let needle = filters.q.trim().to_lowercase();
    needle.is_empty()
        || [
            candidate.title.as_str(),
            candidate.summary.as_deref().unwrap_or_default(),
            candidate.url.as_str(),
            &candidate.sources.join(" "),
        ]
        .iter()
        .any(|text| text.to_lowercase().contains(&needle))
}

/// A link opening in a new tab for `http`/`https` URLs; anything else
/// (`javascript:`, `data:`) is shown as text.
fn link(url: &Url, text: &str) -> String {
    if matches!(url.scheme(), "http" | "https") {
        format!(
            "<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{}</a>",
            escape(url.as_str()),
            escape(text)
        )
    } else {
        format!(
            "<span class=\"unsafe-link\">{}</span>",
            escape(url.as_str())
        )
    }
}

fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit - 1).collect();
    format!("{}…", cut.trim_end())
}

pub(super) fn queue(view: &Queue) -> String {
    let filters = view.filters;
    let mut source_names: Vec<String> = view.sources.iter().map(|s| s.name.clone()).collect();
    source_names.sort();
    let mut tags: Vec<String> = view.sources.iter().flat_map(|s| s.tags.clone()).collect();
    tags.sort();
    tags.dedup();

    let mut body = format!(
        "<h1>Candidates</h1><form class=\"filters\" method=\"get\" action=\"{MOUNT}\" role=\"search\">\
         <input type=\"search\" id=\"search\" name=\"q\" value=\"{}\" placeholder=\"Search (/)\" aria-label=\"Search\">\
         <select name=\"source\" aria-label=\"Source\">{}</select>\
         <select name=\"tag\" aria-label=\"Tag\">{}</select>\
         <button type=\"submit\">Filter</button></form>",
        escape(&filters.q),
        options(&filters.source, &source_names, "any source"),
        options(&filters.tag, &tags, "any tag"),
    );
    let _ = write!(body, "<datalist id=\"sections\">");
    for section in view.sections {
        let _ = write!(body, "<option value=\"{}\">", escape(section));
    }
    body.push_str("</datalist>");
    if view.can_undo {
        let _ = write!(
            body,
            "<form id=\"undo\" method=\"post\" action=\"{MOUNT}/undo\">{}{}\
             <button type=\"submit\">Undo last decision (u)</button></form>",
            csrf_field(view.csrf),
            filter_fields(filters)
        );
    }

    let shown: Vec<&(&Candidate, Score)> = view
        .ranked
        .iter()
        .filter(|(candidate, _)| matches(candidate, view.sources, filters))
        .collect();
    if shown.is_empty() {
        body.push_str("<p class=\"empty\">No candidate waits for a decision.</p>");
    }
    body.push_str("<ol class=\"queue\">");
    let default_section = view
        .sections
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    for (candidate, score) in shown {
        let summary = candidate
            .summary
            .as_deref()
            .map(plain_text)
            .unwrap_or_default();
        let blurb = draft::blurb_from_summary(&summary);
        let id = candidate.id;
        let hidden = format!(
            "{}{}<input type=\"hidden\" name=\"id\" value=\"{id}\">",
            csrf_field(view.csrf),
            filter_fields(filters)
        );
        let _ = write!(
            body,
            "<li class=\"candidate\" id=\"c{id}\" tabindex=\"-1\">\
             <h2>{title}</h2>\
             <p class=\"meta\"><span class=\"sources\">{sources}</span> · \
             <time datetime=\"{iso}\">{date}</time> · score <span class=\"score\">{score:.3}</span></p>\
             <p class=\"summary\">{summary}</p>\
             <div class=\"actions\">\
             <form class=\"accept\" method=\"post\" action=\"{MOUNT}/decide\">{hidden}\
             <input type=\"hidden\" name=\"action\" value=\"accept\">\
             <textarea name=\"blurb\" rows=\"2\" aria-label=\"Blurb\">{blurb}</textarea>\
             <input name=\"section\" list=\"sections\" value=\"{section}\" aria-label=\"Section\">\
             <button type=\"submit\">Accept (a)</button></form>\
             <form class=\"reject\" method=\"post\" action=\"{MOUNT}/decide\">{hidden}\
             <input type=\"hidden\" name=\"action\" value=\"reject\">\
             <button type=\"submit\">Reject (r)</button></form>\
             <form class=\"snooze\" method=\"post\" action=\"{MOUNT}/decide\">{hidden}\
             <input type=\"hidden\" name=\"action\" value=\"snooze\">\
             <input type=\"number\" name=\"days\" min=\"1\" max=\"365\" value=\"{days}\" aria-label=\"Days\">\
             <button type=\"submit\">Snooze (s)</button></form></div></li>",
            title = link(&candidate.url, &candidate.title),
            sources = escape(&candidate.sources.join(", ")),
            iso = candidate.published.to_rfc3339(),
            date = candidate.published.format("%Y-%m-%d"),
            score = score.total,
            summary = escape(&shortened(&summary, SUMMARY_LIMIT)),
            blurb = escape(&blurb),
            section = escape(default_section),
            days = view.snooze_days,
        );
    }
    body.push_str("</ol>");
    layout("Review candidates", view.done.as_deref(), &body)
}

pub(super) fn draft(view: &DraftView) -> String {
    let draft = view.draft;
    let mut body = format!(
        "<h1>Draft: {}</h1><p class=\"meta\">Issue {} · {} entries · writes <code>{}</code></p>",
        escape(&draft.title),
        draft.next.number,
        draft.entries.len(),
        escape(&view.path.display().to_string()),
    );
    if draft.entries.is_empty() {
        body.push_str("<p class=\"empty\">No accepted candidate yet.</p>");
    }
    for (section, entries) in draft::group_by_section(&draft.next.sections, &draft.entries) {
        let _ = write!(
            body,
            "<section class=\"section\"><h2>{}</h2><ol>",
            escape(&section)
        );
        for entry in entries {
            let id = draft
                .entries
                .iter()
                .position(|known| std::ptr::eq(known, entry))
                .and_then(|at| view.ids.get(at))
                .copied()
                .unwrap_or_default();
            let mover = |direction: &str, label: &str| {
                format!(
                    "<form class=\"move\" method=\"post\" action=\"{MOUNT}/draft/move\">{}\
                     <input type=\"hidden\" name=\"id\" value=\"{id}\">\
                     <input type=\"hidden\" name=\"direction\" value=\"{direction}\">\
                     <button type=\"submit\" aria-label=\"Move {direction}\">{label}</button></form>",
                    csrf_field(view.csrf)
                )
            };
            let _ = write!(
                body,
                "<li class=\"entry\" id=\"e{id}\"><p class=\"blurb\">{}</p><p>{}</p>{}{}</li>",
                escape(&draft::blurb_markdown(entry)),
                link(&entry.url, entry.url.as_str()),
                mover("up", "↑"),
                mover("down", "↓"),
            );
        }
        body.push_str("</ol></section>");
    }
    if !draft.entries.is_empty() {
        let _ = write!(
            body,
            "<form id=\"write-draft\" method=\"post\" action=\"{MOUNT}/draft/write\">{}\
             <button type=\"submit\" id=\"write\">Write the draft file</button></form>",
            csrf_field(view.csrf)
        );
    }
    let _ = write!(
        body,
        "<details><summary>Markdown</summary><pre>{}</pre></details>",
        escape(&draft.text)
    );
    layout("Draft issue", view.done.as_deref(), &body)
}

pub(super) fn error(status: StatusCode, message: &str) -> String {
    layout(
        status.canonical_reason().unwrap_or("Error"),
        None,
        &format!(
            "<h1>{}</h1><p class=\"error\">{}</p>",
            status.as_u16(),
            escape(message)
        ),
    )
}
