//! The config parser: any text as `feeds.toml`. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = newsroom::config::Config::parse(text);
});
