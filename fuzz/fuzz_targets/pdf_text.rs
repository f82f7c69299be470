//! Any bytes as a PDF, through the whole extraction path the drive index
//! uses: the worker thread, the budgets, the layout. Whatever the file, an
//! answer comes back (text or a typed error) — no abort, no stack
//! overflow, no hang past the budget.
#![no_main]

use driveshelf::pdf::{extract_text_bytes, Budget};
use libfuzzer_sys::fuzz_target;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let budget = Budget {
        max_time: Duration::from_secs(5),
        max_memory: 256 << 20,
        ..Budget::default()
    };
    if let Ok(doc) = extract_text_bytes(data.to_vec(), &budget) {
        assert!(doc.pages.len() <= doc.page_count);
    }
});
