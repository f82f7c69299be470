//! Budgets for one PDF job: bytes read, time, memory, pages, text.
//!
//! Time and memory are watched from inside the job: the text device (and a
//! renderer's) calls `Guard::check` as the interpreter hands it work, and an
//! exhausted budget unwinds the job from there — hayro cannot be cancelled
//! otherwise. Memory is what the job's thread holds: `CountingAlloc` (the
//! program's global allocator) adds up what a budgeted thread allocates and
//! frees. Between two checks one stream can still be decoded whole; the
//! file-size cap bounds how much compressed data there is to decode.

use super::error::PdfError;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Limits for one PDF job.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Files larger than this are not read (they are read whole: hayro
    /// parses from memory).
    pub max_file_bytes: u64,
    /// Wall time for the whole job.
    pub max_time: Duration,
    /// Memory the job's thread may hold (besides the file itself).
    pub max_memory: u64,
    /// Pages read; the rest of a longer document is left out.
    pub max_pages: usize,
    /// Text kept per document; the rest is left out.
    pub max_text_bytes: usize,
    /// Stack of the worker thread (deeply nested forms recurse).
    pub stack_bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        let wide = cfg!(target_pointer_width = "64");
        Budget {
            max_file_bytes: if wide { 512 << 20 } else { 160 << 20 },
            max_time: Duration::from_secs(60),
            max_memory: if wide { 512 << 20 } else { 192 << 20 },
            max_pages: 5000,
            max_text_bytes: 16 << 20,
            stack_bytes: if wide { 64 << 20 } else { 16 << 20 },
        }
    }
}

/// Reads a whole file, refusing one over `limit` bytes.
pub(super) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, PdfError> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(PdfError::TooLarge { size, limit });
    }
    let mut data = Vec::with_capacity(size as usize);
    // `take`: a file that grows while it is read stays within the cap.
    file.take(limit + 1).read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Err(PdfError::TooLarge {
            size: data.len() as u64,
            limit,
        });
    }
    Ok(data)
}

/// Why a job unwound on purpose (the payload of `resume_unwind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    Time,
    Memory,
}

/// Handed to a job: tells it when to stop.
pub struct Guard {
    deadline: Instant,
    max_memory: u64,
    cancelled: Arc<AtomicBool>,
}

impl Guard {
    pub(super) fn new(budget: &Budget, cancelled: Arc<AtomicBool>) -> Guard {
        Guard {
            deadline: Instant::now() + budget.max_time,
            max_memory: budget.max_memory,
            cancelled,
        }
    }

    /// Unwinds the job when its time or memory is spent. Call it often
    /// from inside interpreter callbacks; it costs a clock read.
    pub fn check(&self) {
        if self.cancelled.load(Ordering::Relaxed) || Instant::now() >= self.deadline {
            std::panic::resume_unwind(Box::new(Stop::Time));
        }
        if held_by_this_thread() > self.max_memory {
            std::panic::resume_unwind(Box::new(Stop::Memory));
        }
    }
}

thread_local! {
    // `const` and no destructor: usable from inside the allocator at any
    // point of a thread's life.
    static METERED: Cell<bool> = const { Cell::new(false) };
    static HELD: Cell<i64> = const { Cell::new(0) };
}

/// Starts counting this thread's allocations from zero.
pub(super) fn start_metering() {
    let _ = HELD.try_with(|h| h.set(0));
    let _ = METERED.try_with(|m| m.set(true));
}

pub(super) fn stop_metering() {
    let _ = METERED.try_with(|m| m.set(false));
}

/// Bytes this thread allocated and did not free since `start_metering`
/// (0 where the program's allocator is not `CountingAlloc`).
pub(super) fn held_by_this_thread() -> u64 {
    HELD.try_with(|h| h.get().max(0) as u64).unwrap_or(0)
}

fn count(delta: i64) {
    if METERED.try_with(|m| m.get()).unwrap_or(false) {
        let _ = HELD.try_with(|h| h.set(h.get().saturating_add(delta)));
    }
}

/// A global allocator that counts what metered threads (PDF jobs) hold,
/// around the allocator `A` that does the work. Two thread-local reads per
/// allocation; nothing else changes.
pub struct CountingAlloc<A>(pub A);

// SAFETY: every call is passed on unchanged to `A`; the counting touches
// only `const` thread-locals without destructors, which never allocate.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { self.0.dealloc(ptr, layout) };
        count(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

// The library's own tests count too, so that the memory budget is tested.
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::run_isolated;

    #[test]
    fn the_memory_budget_stops_a_job_that_checks() {
        let budget = Budget {
            max_memory: 8 << 20,
            ..Budget::default()
        };
        let r: Result<(), _> = run_isolated("t", &budget, |g| {
            let mut held = Vec::new();
            loop {
                held.push(vec![1u8; 1 << 20]);
                g.check();
            }
        });
        assert!(
            matches!(r, Err(PdfError::OutOfMemoryBudget { mib: 8 })),
            "{r:?}"
        );
    }

    #[test]
    fn memory_freed_is_not_held() {
        let budget = Budget {
            max_memory: 8 << 20,
            ..Budget::default()
        };
        let r = run_isolated("t", &budget, |g| {
            for _ in 0..64 {
                let v = std::hint::black_box(vec![1u8; 1 << 20]);
                drop(v);
                g.check();
            }
            Ok(held_by_this_thread())
        });
        assert!(r.unwrap() < 1 << 20);
    }

    #[test]
    fn too_large_files_are_not_read() {
        let dir = std::env::temp_dir().join(format!("ds-pdf-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big.pdf");
        std::fs::write(&f, vec![b'x'; 5000]).unwrap();
        assert!(matches!(
            read_capped(&f, 4096),
            Err(PdfError::TooLarge {
                size: 5000,
                limit: 4096
            })
        ));
        assert_eq!(read_capped(&f, 5000).unwrap().len(), 5000);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
