//! Bringing the stored sources in line with feeds.toml, planned without a
//! database: each backend reads what it stores, asks [`plan`] what to
//! change, and runs the changes in its own SQL.

use std::collections::{HashMap, HashSet};

use url::Url;

use super::columns::tags_text;
use super::{SourceSpec, SyncReport};

/// What feeds.toml says of a stored source, to tell whether it changed.
pub(super) struct Stored {
    pub id: i64,
    pub name: String,
    pub config_url: String,
    pub tags: String,
    pub weight: f64,
    pub interval_seconds: i64,
    pub removed: bool,
}

/// One change to the sources table.
pub(super) enum Change<'a> {
    Add {
        spec: &'a SourceSpec,
        tags: String,
        interval_seconds: i64,
    },
    /// `new_url`: feeds.toml names another URL, a new feed to start afresh
    /// at, forgetting the validators and the gone flag of the old one.
    Update {
        id: i64,
        new_url: Option<&'a Url>,
        tags: String,
        weight: f64,
        interval_seconds: i64,
    },
    Remove {
        id: i64,
    },
}

pub(super) fn plan<'a>(
    stored: &[Stored],
    specs: &'a [SourceSpec],
) -> (Vec<Change<'a>>, SyncReport) {
    let mut changes = Vec::new();
    let mut report = SyncReport::default();
    let by_name: HashMap<&str, &Stored> =
        stored.iter().map(|old| (old.name.as_str(), old)).collect();
    for spec in specs {
        let tags = tags_text(&spec.tags);
        let interval_seconds = i64::try_from(spec.interval.as_secs()).unwrap_or(i64::MAX);
        let Some(old) = by_name.get(spec.name.as_str()) else {
            changes.push(Change::Add {
                spec,
                tags,
                interval_seconds,
            });
            report.added += 1;
            continue;
        };
        let url_changed = old.config_url != spec.url.as_str();
        let unchanged = !url_changed
            && !old.removed
            && old.tags == tags
            && old.weight == spec.weight
            && old.interval_seconds == interval_seconds;
        if unchanged {
            continue;
        }
        changes.push(Change::Update {
            id: old.id,
            new_url: url_changed.then_some(&spec.url),
            tags,
            weight: spec.weight,
            interval_seconds,
        });
        report.updated += 1;
    }
    let configured: HashSet<&str> = specs.iter().map(|spec| spec.name.as_str()).collect();
    for old in stored {
        if !old.removed && !configured.contains(old.name.as_str()) {
            changes.push(Change::Remove { id: old.id });
            report.removed += 1;
        }
    }
    (changes, report)
}
