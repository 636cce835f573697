//! The issue parser: any bytes as an issue file (see `checks::parse_issue`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::parse_issue(bytes));
