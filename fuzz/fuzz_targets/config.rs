//! The config parser: any text as `feeds.toml` (see `checks::configure`).
#![no_main]

// One target uses one of the shared checks.
#[allow(dead_code)]
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::configure(text));
