//! Any bytes as a ZIM archive: opening, entries, contents, listings and the
//! whole-archive checks must return errors, never panic or run away.
#![no_main]

use driveshelf::archive::{Archive, ClusterCache};
use driveshelf::readat::ReadAt;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

/// Entries looked at per input: enough to reach every code path.
const ENTRIES: u32 = 64;

fuzz_target!(|data: &[u8]| {
    let cache = Arc::new(ClusterCache::new(4 << 20));
    let src: Arc<dyn ReadAt> = Arc::new(data.to_vec());
    let Ok(a) = Archive::open_source(src, Vec::new(), cache) else {
        return;
    };
    for i in 0..a.entry_count().min(ENTRIES) {
        if let Ok((_, d)) = a.resolve(i) {
            let _ = a.mime_type(&d);
            if let Ok(b) = a.blob(&d) {
                let mut buf = vec![0u8; b.len().min(4096) as usize];
                let _ = b.read_exact_at(&mut buf, 0);
            }
            let _ = a.user_path(&d);
        }
    }
    let _ = a.main_page().map(|m| m.map(|i| a.resolve(i)));
    let _ = a.metadata_text("Title");
    let _ = a.illustration_48();
    let _ = a.article_count();
    let _ = a.title_lower_bound("a");
    let _ = a.random_article(7);
    let _ = a.find_user_path("A/x");
    let _ = a.verify_checksum(&|_| {});
    let _ = a.scan_entries(&|_| {});
    let _ = a.check_title_order(&|_| {});
});
