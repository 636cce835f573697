//! newsroom: the machinery behind a curated weekly newsletter.
//!
//! Data flows one way through these modules (see ARCHITECTURE.md):
//! `config` and `issue` read the inputs, `item` is the model both halves
//! share, `normalize` makes links comparable, and `generator` writes the
//! feeds and HTML archive of the published issues.

pub mod aggregator;
pub mod config;
pub mod daemon;
pub mod generator;
pub mod issue;
pub mod item;
pub mod lines;
pub mod normalize;
pub mod parallel;
pub mod review;
pub mod store;
pub mod text;

pub use item::{Item, Origin};
