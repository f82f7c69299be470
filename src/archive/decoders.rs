//! How many clusters are decompressed at once, and the zstd contexts they
//! use.
//!
//! Decompression is CPU work: more of it at once than the machine has cores
//! (twice that, so one waiting on a slow drive does not idle a core) only
//! adds memory. Each decompression holds an output buffer and a decoder
//! window of up to several megabytes; with a thread per connection and one
//! context per thread, 64 clients held 64 of each (370 MB resident on a
//! 200,000-article archive). Here at most `slots` run at once, and the zstd
//! contexts are kept in a pool of that size, so they are allocated (and
//! their pages touched) once.

use std::cell::Cell;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

type Dctx = zstd::zstd_safe::DCtx<'static>;

pub(crate) struct Decoders {
    slots: usize,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    running: usize,
    contexts: Vec<Dctx>,
}

thread_local! {
    /// Set while this thread holds a slot: a nested decompression (not
    /// expected, but possible through a reader calling back in) then runs
    /// without waiting for a second slot, which could wait forever.
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Decoders {
    pub(crate) fn new(slots: usize) -> Decoders {
        Decoders {
            slots: slots.max(1),
            state: Mutex::new(State {
                running: 0,
                contexts: Vec::new(),
            }),
            freed: Condvar::new(),
        }
    }

    /// The one set shared by every archive in the process.
    pub(crate) fn shared() -> &'static Decoders {
        static SHARED: OnceLock<Decoders> = OnceLock::new();
        SHARED.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Decoders::new((cores * 2).max(4))
        })
    }

    /// Runs `f` once a slot is free, with a zstd context from the pool.
    pub(crate) fn run<T>(&self, f: impl FnOnce(&mut Dctx) -> T) -> T {
        if HOLDING.with(Cell::get) {
            return f(&mut Dctx::create());
        }
        let mut ctx = {
            let mut st = lock(&self.state);
            while st.running >= self.slots {
                st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            st.running += 1;
            st.contexts.pop()
        }
        .unwrap_or_else(Dctx::create);
        let _slot = Slot(self);
        HOLDING.with(|h| h.set(true));
        let out = f(&mut ctx);
        // A context after an error may hold a half-read frame; zstd resets
        // it at the next frame's start, so it goes back to the pool as is.
        lock(&self.state).contexts.push(ctx);
        out
    }

    #[cfg(test)]
    fn pooled(&self) -> usize {
        lock(&self.state).contexts.len()
    }
}

/// Gives the slot back even when `f` panics.
struct Slot<'a>(&'a Decoders);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        HOLDING.with(|h| h.set(false));
        let mut st = lock(&self.0.state);
        st.running = st.running.saturating_sub(1);
        drop(st);
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn at_most_slots_run_at_once_and_contexts_are_reused() {
        let d = Arc::new(Decoders::new(3));
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..12)
            .map(|_| {
                let (d, now, most) = (d.clone(), now.clone(), most.clone());
                std::thread::spawn(move || {
                    d.run(|_| {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 3);
        assert!(d.pooled() <= 3);
    }

    #[test]
    fn a_panic_gives_the_slot_back_and_nesting_does_not_wait() {
        let d = Decoders::new(1);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            d.run(|_| panic!("decoder blew up"));
        }));
        assert!(r.is_err());
        // The one slot is free again, and a nested run inside it proceeds.
        assert_eq!(d.run(|_| d.run(|_| 7)), 7);
    }
}
