//! The aggregator: from source blogs to the next issue. The pure parts
//! (ranking candidates, writing the draft, OPML in and out) take their
//! inputs as values and return text or scores; callers do the I/O.

pub mod draft;
pub mod opml;
pub mod rank;
