//! Reading the drive in the background while the server already answers:
//! one thread at low priority, files in catalog order, each under the PDF
//! budgets; what was read becomes searchable every few seconds (a new
//! segment), and reading stops at a memory limit rather than grow.

use super::segment::{Builder, Outcome, SourceRec};
use super::sources::{self, SourceFile};
use super::{store, DriveIndex};
use crate::pdf::Budget;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Memory the background index may hold in all (texts and postings). Past
/// it the server stops reading and the search page says to run `prepare`,
/// whose index is read from the drive instead of held.
pub fn memory_limit() -> u64 {
    if cfg!(target_pointer_width = "64") {
        128 << 20
    } else {
        48 << 20
    }
}

/// New words become searchable this often.
const PUBLISH_EVERY: Duration = Duration::from_secs(2);

/// Reads `src` into `builder` as one source: its units, or why it has none.
pub fn index_source(
    builder: &mut Builder,
    src: &SourceFile,
    size: u64,
    mtime: i64,
    budget: &Budget,
) -> Outcome {
    let id = builder.add_source(SourceRec {
        rel: src.rel.clone(),
        item_rel: src.item_rel.clone(),
        kind: src.kind,
        role: src.role,
        size,
        mtime,
        lang: src.lang.clone(),
        outcome: Outcome::Indexed,
    });
    let outcome = match sources::read(src, budget) {
        Ok(units) => {
            let mut outcome = Outcome::Indexed;
            for (loc, text) in units {
                if let Err(e) = builder.add_unit(id, loc, &text) {
                    outcome = Outcome::Failed {
                        code: "index".into(),
                        message: format!("cannot be indexed: {e}"),
                    };
                    break;
                }
            }
            outcome
        }
        Err(o) => o,
    };
    builder.set_outcome(id, outcome.clone());
    outcome
}

/// The background reader, to stop with the server.
pub struct Reader {
    index: Arc<DriveIndex>,
    thread: Option<JoinHandle<()>>,
}

/// How long `Reader::stop` waits for the thread: past it (a PDF still under
/// way) the thread ends on its own after that file, within its budget.
const STOP_WAIT: Duration = Duration::from_secs(5);

impl Reader {
    /// Asks the reader to stop before its next file (or while it waits),
    /// and waits for it a moment. Nothing is added to the index after.
    pub fn stop(self) {
        self.index.stopping.store(true, Ordering::SeqCst);
        let Some(thread) = self.thread else { return };
        let deadline = Instant::now() + STOP_WAIT;
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }
}

fn stopping(index: &DriveIndex) -> bool {
    index.stopping.load(Ordering::SeqCst)
}

/// Opens the prepared index of the drive at `root` (if any), then reads
/// what it lacks, all in one background thread.
pub fn start(index: Arc<DriveIndex>, root: PathBuf, sources: Vec<SourceFile>) -> Reader {
    index.total.store(sources.len(), Ordering::Relaxed);
    index.done.store(0, Ordering::Relaxed);
    index.running.store(true, Ordering::Relaxed);
    // Searches wait for the prepared index (bounded): a prepared drive is
    // complete from the first request, and the start does not wait for it.
    index.begin_opening();
    let idx = index.clone();
    let started = std::thread::Builder::new()
        .name("drive-index".into())
        .spawn(move || {
            // Opened at normal priority (searches are waiting); only the
            // reading of what it lacks yields to serving pages.
            // A panic while opening must not leave searches waiting.
            let opened = std::panic::catch_unwind(|| store::open(&root));
            match opened {
                Ok(Ok(Some(seg))) => {
                    idx.set_prepared(Ok(()));
                    idx.add_segment(seg);
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => idx.set_prepared(Err(e.to_string())),
                Err(_) => idx.set_prepared(Err("the index could not be read".into())),
            }
            idx.end_opening();
            lower_priority();
            #[cfg(debug_assertions)]
            test_hold(&idx, &root);
            run(&idx, &sources, memory_limit());
            idx.running.store(false, Ordering::Relaxed);
        });
    if started.is_err() {
        index.end_opening();
        index.running.store(false, Ordering::Relaxed);
    }
    Reader {
        index,
        thread: started.ok(),
    }
}

/// Starts the background reader of `sources` (what the catalog holds),
/// without a prepared index.
pub fn spawn(index: Arc<DriveIndex>, sources: Vec<SourceFile>) -> Reader {
    index.total.store(sources.len(), Ordering::Relaxed);
    index.done.store(0, Ordering::Relaxed);
    index.running.store(true, Ordering::Relaxed);
    let idx = index.clone();
    let started = std::thread::Builder::new()
        .name("drive-index".into())
        .spawn(move || {
            lower_priority();
            run(&idx, &sources, memory_limit());
            idx.running.store(false, Ordering::Relaxed);
        });
    if started.is_err() {
        index.running.store(false, Ordering::Relaxed);
    }
    Reader {
        index,
        thread: started.ok(),
    }
}

fn run(index: &DriveIndex, sources: &[SourceFile], limit: u64) {
    let budget = Budget::default();
    // Sources that left the drive or changed since the prepared index.
    let mut present: HashMap<String, (u64, i64)> = HashMap::new();
    let mut stamps = Vec::with_capacity(sources.len());
    for s in sources {
        let st = sources::stamp(&s.path).ok();
        if let Some(st) = st {
            present.insert(s.rel.clone(), st);
        }
        stamps.push(st);
    }
    index.retain_current(&present);
    let mut builder = Builder::default();
    let mut held: u64 = 0;
    let mut last = Instant::now();
    for (src, st) in sources.iter().zip(stamps) {
        if stopping(index) {
            return;
        }
        if let Some((size, mtime)) = st {
            if !index.has_current(&src.rel, size, mtime) {
                index_source(&mut builder, src, size, mtime, &budget);
            }
        }
        index.done.fetch_add(1, Ordering::Relaxed);
        let size = builder.memory_bytes() as u64;
        if held + size > limit {
            index.memory_full.store(true, Ordering::Relaxed);
            break;
        }
        if !builder.is_empty() && last.elapsed() >= PUBLISH_EVERY {
            if let Ok(seg) = std::mem::take(&mut builder).freeze() {
                held += seg.memory_bytes(true);
                index.add_segment(seg);
            }
            last = Instant::now();
        }
    }
    if !builder.is_empty() && !stopping(index) {
        if let Ok(seg) = builder.freeze() {
            index.add_segment(seg);
        }
    }
}

/// What the reading thread's priority became (see
/// `platform::background_thread`); `None` before it started.
pub fn priority() -> Option<&'static str> {
    PRIORITY.get().copied()
}

static PRIORITY: OnceLock<&'static str> = OnceLock::new();

/// Lowest CPU and drive priority (Linux and Windows alike), so that serving
/// pages goes first on a slow machine.
fn lower_priority() {
    let got = crate::platform::background_thread();
    let _ = PRIORITY.set(got);
}

/// Test builds only: while a file of this name is at the drive's top, the
/// reader waits before its first file (at most a minute), so that a test can see
/// the search page while the drive is being read, then let it finish.
#[cfg(debug_assertions)]
pub const TEST_HOLD: &str = ".driveshelf-test-hold";

#[cfg(debug_assertions)]
fn test_hold(index: &DriveIndex, root: &std::path::Path) {
    let hold = root.join(TEST_HOLD);
    let until = Instant::now() + Duration::from_secs(60);
    while hold.exists() && Instant::now() < until && !stopping(index) {
        std::thread::sleep(Duration::from_millis(20));
    }
}
