//! What both backends store the same way: times as Unix seconds, URLs and
//! tags as text, a decision as a kind and its columns, a candidate as one
//! row per source that listed it. Only the SQL differs between backends;
//! these conversions are shared so that the two cannot drift apart.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use url::Url;

use super::{Candidate, Decision, PollStatus, StoreError};
use crate::item::Item;
use crate::normalize::normalize;

/// Names what the database was doing when a query failed.
pub(super) trait During<T> {
    fn during(self, action: &str) -> Result<T, StoreError>;
}

impl<T> During<T> for Result<T, sqlx::Error> {
    fn during(self, action: &str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query {
            action: action.to_string(),
            source,
        })
    }
}

/// Times are stored as Unix seconds: plain integers in every database.
pub(super) fn time_of(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0).ok_or(StoreError::Corrupt {
        what: "time",
        value: seconds.to_string(),
    })
}

pub(super) fn optional_time_of(seconds: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    seconds.map(time_of).transpose()
}

pub(super) fn url_of(text: &str) -> Result<Url, StoreError> {
    Url::parse(text).map_err(|_| StoreError::Corrupt {
        what: "URL",
        value: text.to_string(),
    })
}

/// Tags are stored as one JSON array of strings.
pub(super) fn tags_text(tags: &[String]) -> String {
    serde_json::Value::from(tags.to_vec()).to_string()
}

pub(super) fn tags_of(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt {
        what: "list of tags",
        value: text.to_string(),
    })
}

pub(super) fn status_of(text: Option<String>) -> Result<Option<PollStatus>, StoreError> {
    text.map(|text| {
        PollStatus::parse(&text).ok_or(StoreError::Corrupt {
            what: "poll status",
            value: text,
        })
    })
    .transpose()
}

/// A decision's columns: kind, section, blurb, snoozed until.
pub(super) type DecisionColumns<'a> = (&'static str, Option<&'a str>, Option<&'a str>, Option<i64>);

pub(super) fn decision_columns(decision: &Decision) -> DecisionColumns<'_> {
    match decision {
        Decision::Accept { section, blurb } => {
            ("accept", section.as_deref(), blurb.as_deref(), None)
        }
        Decision::Reject => ("reject", None, None, None),
        Decision::Snooze { until } => ("snooze", None, None, Some(until.timestamp())),
    }
}

pub(super) fn decision_of(
    candidate_id: i64,
    kind: String,
    section: Option<String>,
    blurb: Option<String>,
    snoozed_until: Option<i64>,
) -> Result<Decision, StoreError> {
    match kind.as_str() {
        "accept" => Ok(Decision::Accept { section, blurb }),
        "reject" => Ok(Decision::Reject),
        "snooze" => Ok(Decision::Snooze {
            until: optional_time_of(snoozed_until)?.ok_or(StoreError::Corrupt {
                what: "snooze without an end",
                value: candidate_id.to_string(),
            })?,
        }),
        _ => Err(StoreError::Corrupt {
            what: "kind of decision",
            value: kind,
        }),
    }
}

/// `items` by normalised URL, the first of each URL only: the key both
/// backends store a candidate under.
pub(super) fn distinct_items(items: &[Item]) -> Vec<(String, &Item)> {
    let mut seen = HashSet::new();
    items
        .iter()
        .map(|item| (normalize(&item.url).to_string(), item))
        .filter(|(url, _)| seen.insert(url.clone()))
        .collect()
}

/// Published links by normalised URL, the first issue of each URL only.
pub(super) fn distinct_links(links: &[super::PublishedLink]) -> Vec<(String, i64)> {
    let mut seen = HashSet::new();
    links
        .iter()
        .map(|link| (normalize(&link.url).to_string(), i64::from(link.issue)))
        .filter(|(url, _)| seen.insert(url.clone()))
        .collect()
}

/// Folds consecutive rows of one candidate (one per source that listed
/// it) into one candidate; `read` turns a row into the candidate with that
/// row's source alone, and whatever else the caller selected.
pub(super) fn group<R, E>(
    rows: &[R],
    read: impl Fn(&R) -> Result<(Candidate, E), StoreError>,
) -> Result<Vec<(Candidate, E)>, StoreError> {
    let mut grouped: Vec<(Candidate, E)> = Vec::new();
    for row in rows {
        let (candidate, extra) = read(row)?;
        if let Some((last, _)) = grouped
            .last_mut()
            .filter(|(last, _)| last.id == candidate.id)
        {
            last.sources.extend(candidate.sources);
            continue;
        }
        grouped.push((candidate, extra));
    }
    Ok(grouped)
}
