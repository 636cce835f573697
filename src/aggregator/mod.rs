//! The aggregator: polls the sources, keeps what it saw in the store, and
//! suggests candidates to the editors.

pub mod setup;
