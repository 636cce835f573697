//! The aggregator: from source blogs to the next issue. It polls the
//! sources of feeds.toml, turns their entries into [`crate::Item`]s, keeps
//! them in the store, ranks the candidates and drafts the next issue.
//!
//! As in Miniflux, each step is its own module: [`fetch`] talks HTTP (and
//! only HTTP), [`parse`] turns a feed document into items (and does no I/O),
//! [`schedule`] decides when a source is due again (a pure function of the
//! clock it is given), [`poll`] runs one round of all three and stores the
//! results, [`setup`] opens the store in line with feeds.toml and the issues.
//! The pure parts ([`rank`], [`draft`], [`opml`]) take their inputs as
//! values and return text or scores; callers do the I/O.

pub mod draft;
pub mod fetch;
pub mod opml;
pub mod parse;
pub mod poll;
pub mod rank;
pub mod sanitize;
pub mod schedule;
pub mod setup;
