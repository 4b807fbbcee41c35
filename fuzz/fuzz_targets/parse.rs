//! The query parser and checker on arbitrary text: errors are fine, panics
//! and stack overflows are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = aikg::Query::parse(text);
    }
});
