//! The SQLite schema, as one ordered list of migrations. A database records
//! the versions it has applied; start-up applies the rest, each in its own
//! transaction. Never edit a migration that has shipped: add one.

use crate::store::Migration;

pub(in crate::store) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "sources, candidates, sightings, decisions, published links",
        sql: r#"
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    config_url TEXT NOT NULL,
    url TEXT NOT NULL,
    tags TEXT NOT NULL,
    weight REAL NOT NULL,
    interval_seconds INTEGER NOT NULL,
    removed_at INTEGER,
    etag TEXT,
    last_modified TEXT,
    last_polled_at INTEGER,
    last_status TEXT,
    last_error TEXT,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    next_poll_at INTEGER,
    gone INTEGER NOT NULL DEFAULT 0,
    items_seen INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT,
    published_at INTEGER NOT NULL,
    first_seen_at INTEGER NOT NULL
);

-- Which source listed which candidate: the same article from two sources
-- is one candidate with two sightings.
CREATE TABLE sightings (
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    source_id INTEGER NOT NULL REFERENCES sources (id),
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (candidate_id, source_id)
);
CREATE INDEX sightings_by_source ON sightings (source_id);

-- Every decision ever taken; undo marks one undone instead of deleting it.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    kind TEXT NOT NULL CHECK (kind IN ('accept', 'reject', 'snooze')),
    section TEXT,
    blurb TEXT,
    snoozed_until INTEGER,
    decided_at INTEGER NOT NULL,
    undone_at INTEGER
);
CREATE INDEX decisions_by_candidate ON decisions (candidate_id, undone_at);

CREATE TABLE published (
    url TEXT PRIMARY KEY,
    issue_number INTEGER NOT NULL
);
"#,
    },
    Migration {
        version: 2,
        description: "leases on due sources, so that several daemons share the polling",
        sql: r#"
ALTER TABLE sources ADD COLUMN claimed_by TEXT;
ALTER TABLE sources ADD COLUMN claimed_until INTEGER;
CREATE INDEX sources_by_next_poll ON sources (next_poll_at);
"#,
    },
];
