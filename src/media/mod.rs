//! Self-contained readers for the files that sit on a drive beside the
//! archives: subtitles, media container headers, PDF metadata, sidecar names.
//!
//! Everything here parses untrusted bytes from the drive, so every reader is
//! bounded (it reads headers, never whole files) and returns errors instead of
//! panicking.

pub mod names;
pub mod pdfinfo;
pub mod playback;
pub mod probe;
pub mod subtitles;

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;

    /// The sample bundle: the project's own copy if there is one, else the
    /// shared one beside the repository. `None` (with a notice) lets tests that
    /// need it skip on a machine without it instead of failing.
    pub fn sample_bundle() -> Option<PathBuf> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for dir in [
            root.join("sample-bundle"),
            root.join("../shared/sample-bundle"),
        ] {
            if dir.is_dir() {
                return Some(dir);
            }
        }
        eprintln!(
            "SKIP: no sample-bundle/ nor ../shared/sample-bundle; sample-based checks skipped"
        );
        None
    }

    /// Counts the bytes a parser reads, to check that it reads headers only.
    pub struct Counting<'a> {
        pub inner: &'a dyn crate::readat::ReadAt,
        pub read: std::sync::atomic::AtomicU64,
    }

    impl crate::readat::ReadAt for Counting<'_> {
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
            self.read
                .fetch_add(buf.len() as u64, std::sync::atomic::Ordering::Relaxed);
            self.inner.read_exact_at(buf, offset)
        }
        fn len(&self) -> u64 {
            self.inner.len()
        }
    }

    /// Deterministic xorshift, so a fuzz failure reproduces exactly.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed | 1)
        }
        pub fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        pub fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                (self.next() % n as u64) as usize
            }
        }
    }

    /// One random damage to `data`: flipped bytes, a truncation, a block of
    /// 0xFF (huge sizes) or zeros, or a duplicated slice.
    pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
        if data.is_empty() {
            data.push(rng.next() as u8);
            return;
        }
        match rng.below(6) {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(data.len());
                    data[i] = rng.next() as u8;
                }
            }
            1 => {
                let n = rng.below(data.len());
                data.truncate(n);
            }
            2 => {
                let i = rng.below(data.len());
                let end = (i + 1 + rng.below(8)).min(data.len());
                data[i..end].fill(0xFF);
            }
            3 => {
                let i = rng.below(data.len());
                let end = (i + 1 + rng.below(8)).min(data.len());
                data[i..end].fill(0);
            }
            4 => {
                let i = rng.below(data.len());
                let end = (i + 1 + rng.below(64)).min(data.len());
                let piece = data[i..end].to_vec();
                let at = rng.below(data.len());
                data.splice(at..at, piece);
            }
            _ => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
        }
    }
}
