//! Buffers for decompressed clusters, used again after the cache lets a
//! cluster go.
//!
//! A random article in a large archive costs a fresh buffer of megabytes.
//! Allocating and freeing those from many threads left glibc's per-thread
//! arenas holding freed megabytes (resident memory grew with the number of
//! connections), and each new buffer's pages were faulted in again. Here a
//! few freed buffers wait for the next decompression instead.

use std::sync::{Mutex, MutexGuard, OnceLock};

/// Buffers smaller than this are left to the allocator.
const MIN_KEPT: usize = 64 * 1024;
/// At most this much is held while unused.
const MAX_POOLED_BYTES: usize = 24 << 20;

#[derive(Default)]
pub(crate) struct Buffers {
    free: Mutex<Vec<Vec<u8>>>,
}

fn lock(m: &Mutex<Vec<Vec<u8>>>) -> MutexGuard<'_, Vec<Vec<u8>>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Buffers {
    pub(crate) fn shared() -> &'static Buffers {
        static SHARED: OnceLock<Buffers> = OnceLock::new();
        SHARED.get_or_init(Buffers::default)
    }

    /// An empty buffer that can hold `cap` bytes: a kept one no more than
    /// twice that size (so a small cluster does not pin a big buffer in the
    /// cache), or a new one of exactly `cap`.
    pub(crate) fn take(&self, cap: usize) -> Vec<u8> {
        let mut free = lock(&self.free);
        let best = free
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= cap && b.capacity() / 2 <= cap)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i);
        match best {
            Some(i) => {
                let mut b = free.swap_remove(i);
                b.clear();
                b
            }
            None => Vec::with_capacity(cap),
        }
    }

    /// Keeps `buf` for a later `take`, dropping the smallest kept ones when
    /// over the bound.
    pub(crate) fn give(&self, buf: Vec<u8>) {
        if buf.capacity() < MIN_KEPT || buf.capacity() > MAX_POOLED_BYTES {
            return;
        }
        let mut free = lock(&self.free);
        free.push(buf);
        let mut held: usize = free.iter().map(Vec::capacity).sum();
        while held > MAX_POOLED_BYTES {
            // Oldest first: the front of the list.
            let gone = free.remove(0);
            held -= gone.capacity();
        }
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        lock(&self.free).iter().map(Vec::capacity).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_fitting_buffers_within_bounds() {
        let b = Buffers::default();
        let mut v = b.take(1 << 20);
        v.extend_from_slice(&[1, 2, 3]);
        let ptr = v.as_ptr();
        b.give(v);
        // Same size again: the same memory, emptied.
        let again = b.take(1 << 20);
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.is_empty());
        b.give(again);
        // Far smaller: not that one (it would pin 1 MiB for 100 KiB).
        let small = b.take(100 * 1024);
        assert_eq!(small.capacity(), 100 * 1024);
        // Larger than anything kept: a new one.
        assert_eq!(b.take(2 << 20).capacity(), 2 << 20);
        // Small buffers are not kept; the total stays bounded.
        b.give(Vec::with_capacity(100));
        for _ in 0..40 {
            b.give(Vec::with_capacity(1 << 20));
        }
        assert!(b.held() <= MAX_POOLED_BYTES);
    }
}
