//! Any bytes as an embedded Xapian glass database (`X/fulltext/xapian`):
//! opening, searching, paging and snippets must give errors or results,
//! never panic or run away. Seeds are real indexes: see `fuzz/README.md`.
#![no_main]

use driveshelf::fulltext::{snippet, Index};
use driveshelf::readat::ReadAt;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

const QUERIES: &[&str] = &["수달", "서울 특별시", "ray charles", "the", "1988년", "c++ a·b"];

fuzz_target!(|data: &[u8]| {
    let src: Arc<dyn ReadAt> = Arc::new(data.to_vec());
    // A small block cache, so eviction paths run too.
    let Ok(index) = Index::open_with_cache(src, "kor", 32 << 10) else {
        return;
    };
    let _ = index.doc_count();
    for q in QUERIES {
        if let Ok(r) = index.search(q, 0, 5) {
            assert!(r.hits.len() <= 5);
            for h in &r.hits {
                let _ = index.entry_path(&h.path, true);
                let _ = index.entry_path(&h.path, false);
            }
        }
        let _ = index.search(q, 3, 2);
        let _ = snippet(data.get(..4096).unwrap_or(data), &index.query_terms(q), 80);
    }
});
