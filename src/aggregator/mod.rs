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
//!
//! One poll of one source, as [`poll`] runs it:
//!
//! ```no_run
//! # async fn poll(source: &newsroom::config::Source) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use newsroom::aggregator::fetch::{Content, FetchOptions, FetchRequest, Fetcher};
//! use newsroom::aggregator::{parse, schedule};
//!
//! let fetcher = Fetcher::new(FetchOptions::default())?; // once, then cloned
//! let request = FetchRequest::new(source.url.clone()); // plus stored validators
//! let now = chrono::Utc::now();
//! match fetcher.fetch(&request).await {
//!     Ok(fetched) => {
//!         let mut hints = fetched.hints;
//!         if let Content::Modified { body, final_url } = &fetched.content {
//!             let feed = parse::parse_feed(body, final_url, source, now)?;
//!             hints = hints.merge(feed.hints);
//!             // store feed.entries; then fetched.moved_to, etag, last_modified
//!         }
//!         let _next = schedule::next_poll(now, Duration::from_secs(3600), &hints, 0, 0.5);
//!     }
//!     Err(err) if err.is_gone() => { /* mark the source gone */ }
//!     Err(err) => {
//!         let jitter = schedule::random_jitter();
//!         let _next = schedule::next_poll(now, Duration::from_secs(3600), &err.hints(), 1, jitter);
//!     }
//! }
//! # Ok(())
//! # }
//! ```

pub mod draft;
pub mod fetch;
pub mod opml;
pub mod parse;
pub mod poll;
pub mod rank;
pub mod sanitize;
pub mod schedule;
pub mod setup;
mod timestamp;
