//! The issue parser: any bytes as an issue file. Never panics; an error
//! names the file and a line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Err(err) = newsroom::issue::parse(Path::new("2024-05-01-1.md"), bytes) {
        let message = err.to_string();
        assert!(message.starts_with("2024-05-01-1.md:"), "{message}");
    }
});
