//! The URL normaliser: any text. Never panics, and normalising twice
//! changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::normalize::normalize_url;

fuzz_target!(|text: &str| {
    if let Ok(once) = normalize_url(text) {
        let twice = normalize_url(once.as_str()).expect("a normalised URL parses");
        assert_eq!(once, twice, "not idempotent on {text:?}");
    }
});
