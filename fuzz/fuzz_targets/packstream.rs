//! The PackStream decoder on arbitrary bytes, as a Bolt client may send
//! them: errors are fine, panics, stack overflows and huge allocations are
//! not. What decodes must encode to bytes that decode to the same value.
#![no_main]

use aikg::server::packstream::{decode, encode};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(value) = decode(data) {
        let mut once = Vec::new();
        encode(&value, &mut once);
        let again = decode(&once).expect("an encoded value decodes");
        let mut twice = Vec::new();
        encode(&again, &mut twice);
        assert_eq!(once, twice);
    }
});
