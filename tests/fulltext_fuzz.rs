//! Damaged indexes: random byte flips in copies of real databases must give
//! errors or (possibly wrong) results, never a panic or a hang.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use driveshelf::fulltext::Index;
use driveshelf::readat::{read_vec, ReadAt};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const QUERIES: &[&str] = &[
    "수달",
    "서울 특별시",
    "ray charles",
    "the",
    "1988년",
    "music album",
    "c++",
];

/// Opens and searches; counts the searches that still gave results.
fn exercise(db: Vec<u8>) -> usize {
    let src: Arc<dyn ReadAt> = Arc::new(db);
    let Ok(index) = Index::open_with_cache(src, "kor", 64 << 10) else {
        return 0;
    };
    let mut ok = 0;
    for q in QUERIES {
        if let Ok(r) = index.search(q, 0, 5) {
            assert!(r.hits.len() <= 5);
            ok += 1;
        }
    }
    ok
}

#[test]
fn byte_flips_never_panic() {
    let Some(shared) = common::shared() else {
        eprintln!("skip: ../shared is absent");
        return;
    };
    // Rounds per database; FULLTEXT_FUZZ_ROUNDS raises it for long runs.
    let rounds: usize = std::env::var("FULLTEXT_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    // FULLTEXT_FUZZ_SEED varies long runs; FULLTEXT_FUZZ_ZIM adds an archive.
    let seed = std::env::var("FULLTEXT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15u64);
    let mut rng = Rng(seed | 1);
    let mut zims: Vec<std::path::PathBuf> = [
        "sample-bundle/wikipedia/wikipedia_ko_sample_2024-02.zim",
        "corpus/zim/libkiwix/zimfile.zim",
        "corpus/zim/libkiwix/example.zim",
    ]
    .iter()
    .map(|z| shared.join(z))
    .collect();
    if let Ok(extra) = std::env::var("FULLTEXT_FUZZ_ZIM") {
        zims.push(extra.into());
    }
    let (mut runs, mut searched) = (0usize, 0usize);
    for zim in &zims {
        let zim = zim.display();
        let Some(window) = common::fulltext_window(std::path::Path::new(&zim.to_string())) else {
            continue;
        };
        let clean = read_vec(window.as_ref(), 0, window.len() as usize).unwrap();
        for round in 0..rounds {
            let mut db = clean.clone();
            match round % 4 {
                // Scattered flips anywhere.
                0 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(db.len());
                        db[i] ^= 1 << rng.below(8);
                    }
                }
                // Garbage in block headers and directories, where pointers
                // and lengths live.
                1 => {
                    let blocks = db.len() / 8192;
                    let b = rng.below(blocks.max(1));
                    for _ in 0..1 + rng.below(4) {
                        let i = b * 8192 + rng.below(64);
                        if let Some(x) = db.get_mut(i) {
                            *x = rng.next() as u8;
                        }
                    }
                }
                // The version header.
                2 => {
                    let i = rng.below(120.min(db.len()));
                    db[i] = rng.next() as u8;
                }
                // Cut short.
                _ => {
                    let keep = rng.below(db.len());
                    db.truncate(keep);
                }
            }
            let started = Instant::now();
            searched += exercise(db);
            runs += 1;
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{zim}: round {round} took {:?}",
                started.elapsed()
            );
        }
    }
    eprintln!("{runs} damaged databases, {searched} searches still answered");
    assert!(runs > 0 || zims.is_empty());
}

/// Writes the real indexes as seeds for the cargo-fuzz `glass` target:
/// `FUZZ_SEEDS=fuzz/corpus/glass cargo test --test fulltext_fuzz -- --ignored`.
#[test]
#[ignore = "writes fuzzing seeds when asked"]
fn write_glass_seeds() {
    let Some(dir) = std::env::var_os("FUZZ_SEEDS") else {
        eprintln!("skip: FUZZ_SEEDS is not set");
        return;
    };
    let Some(shared) = common::shared() else {
        eprintln!("skip: ../shared is absent");
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (name, zim) in [
        ("libkiwix-zimfile", "corpus/zim/libkiwix/zimfile.zim"),
        ("libkiwix-example", "corpus/zim/libkiwix/example.zim"),
        (
            "sample-ko",
            "sample-bundle/wikipedia/wikipedia_ko_sample_2024-02.zim",
        ),
    ] {
        if let Some(window) = common::fulltext_window(&shared.join(zim)) {
            let db = read_vec(window.as_ref(), 0, window.len() as usize).unwrap();
            std::fs::write(std::path::Path::new(&dir).join(name), &db).unwrap();
            eprintln!("{name}: {} bytes", db.len());
        }
    }
}
