//! Any bytes as the drive index `prepare` writes (`.driveshelf/search.index`,
//! format 2): opening it the way the server does (`store::open_read`, what
//! `store::open` calls on the file), then searching it and resolving every
//! hit to its snippet, must give errors or results, never panic, hang or
//! allocate without bound. The first byte chooses whether the rest is taken
//! as it is or resealed first (lengths and checksum made to agree), so that
//! changed bytes get past the checksum into the tables and the blob. Seeds:
//! real indexes, see the README's fuzz section.
#![no_main]

use driveshelf::driveindex::{store, DriveIndex};
use driveshelf::readat::ReadAt;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

const QUERIES: &[&str] = &["수달", "page", "무지개 송어", "the people", "1988년", "a b c d"];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 {
        store::reseal(&mut bytes);
    }
    let src: Arc<dyn ReadAt> = Arc::new(bytes);
    let Ok(seg) = store::open_read(src) else {
        return;
    };
    let _ = seg.unit_count();
    let index = DriveIndex::new();
    index.add_segment(seg);
    for q in QUERIES {
        let r = index.rank(q, 5);
        assert!(r.hits.len() <= 5);
        assert!(r.total >= r.hits.len() as u64);
        for h in &r.hits {
            let _ = index.resolve(h, &r.highlight);
        }
        let _ = index.rank_counted(q, 2, &|s| s.rel.len() % 2 == 0, &|s| s.kind as u8 == 0);
    }
    let _ = index.sources();
});
