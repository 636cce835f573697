//! Feed ingestion: any bytes, as fetched, to items (see `checks::ingest`).
#![no_main]

// One target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::ingest(bytes));
