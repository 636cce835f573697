//! The aggregator: polls the source blogs of feeds.toml, turns their
//! entries into [`crate::Item`]s, keeps them in the store and suggests
//! candidates to the editors.
//!
//! As in Miniflux, each step is its own module: [`fetch`] talks HTTP (and
//! only HTTP), [`parse`] turns a feed document into items (and does no I/O),
//! [`schedule`] decides when a source is due again (a pure function of the
//! clock it is given), [`poll`] runs one round of all three and stores the
//! results, [`setup`] opens the store in line with feeds.toml and the issues.

pub mod fetch;
pub mod parse;
pub mod poll;
pub mod sanitize;
pub mod schedule;
pub mod setup;
