//! Fuzzes the extractor (`newsgraph_extract::extract_bytes`): any bytes must
//! give an extraction or an error, never a panic, and an extraction's spans
//! must lie inside its body, in order.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(extraction) = newsgraph_extract::extract_bytes(data) {
        let chars = extraction.body.chars().count();
        for quote in &extraction.quotes {
            assert!(quote.start <= quote.end, "{quote:?}");
            assert!(quote.end <= chars, "{quote:?} beyond {chars} characters");
            for (start, end) in &quote.fragment_spans {
                assert!(start <= end && *end <= chars, "{quote:?}");
            }
        }
    }
});
