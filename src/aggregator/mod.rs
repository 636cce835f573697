//! The aggregator: polls the source blogs of feeds.toml and turns their
//! entries into [`crate::Item`]s.
//!
//! As in Miniflux, each step is its own module: [`fetch`] talks HTTP (and
//! only HTTP), [`parse`] turns a feed document into items (and does no I/O),
//! [`schedule`] decides when a source is due again (a pure function of the
//! clock it is given).

pub mod fetch;
pub mod parse;
pub mod sanitize;
pub mod schedule;
