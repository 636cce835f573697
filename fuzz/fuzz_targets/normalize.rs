//! The URL normaliser: any text (see `checks::normalise`).
#![no_main]

// One target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::normalise(text));
