//! The issue parser: any bytes as an issue file (see `checks::parse_issue`).
#![no_main]

// One target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::parse_issue(bytes));
