//! The URL normaliser: any text (see `checks::normalise`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::normalise(text));
