//! Runs one PDF job in its own thread: a big stack (content streams and
//! forms nest), metered memory, a deadline, and panics caught and reported
//! as `PdfError::Panicked` — whatever the file does, the caller gets an
//! answer and the program stays up.

use super::budget::{self, Budget, Guard, Stop};
use super::error::PdfError;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Jobs past their deadline whose thread has not ended yet. A job that
/// never reaches a `Guard::check` again keeps its thread; past this many
/// such threads no new job starts, so a run of hostile files cannot pile
/// up threads.
static STRANDED: AtomicUsize = AtomicUsize::new(0);
const MAX_STRANDED: usize = 4;

/// Extra wait after the budget before the caller gives up on the thread:
/// the job normally stops itself at its next check.
const GRACE: Duration = Duration::from_secs(2);

/// Runs `job` in a worker thread under `budget` and waits for it.
pub fn run_isolated<T, F>(name: &str, budget: &Budget, job: F) -> Result<T, PdfError>
where
    T: Send + 'static,
    F: FnOnce(&Guard) -> Result<T, PdfError> + Send + 'static,
{
    if STRANDED.load(Ordering::SeqCst) >= MAX_STRANDED {
        return Err(PdfError::TimedOut {
            secs: budget.max_time.as_secs(),
        });
    }
    let cancelled = Arc::new(AtomicBool::new(false));
    let guard = Guard::new(budget, cancelled.clone());
    let (tx, rx) = mpsc::sync_channel(1);
    let secs = budget.max_time.as_secs();
    let mib = budget.max_memory >> 20;
    let stranded = Arc::new(AtomicBool::new(false));
    let stranded_in_thread = stranded.clone();
    std::thread::Builder::new()
        .name(name.to_string())
        .stack_size(budget.stack_bytes)
        .spawn(move || {
            budget::start_metering();
            let outcome = catch_unwind(AssertUnwindSafe(|| job(&guard)));
            budget::stop_metering();
            let result = match outcome {
                Ok(r) => r,
                Err(payload) => Err(from_panic(payload, secs, mib)),
            };
            let _ = tx.send(result);
            if stranded_in_thread.swap(false, Ordering::SeqCst) {
                STRANDED.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .map_err(PdfError::Spawn)?;
    match rx.recv_timeout(budget.max_time + GRACE) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            cancelled.store(true, Ordering::SeqCst);
            // Counted only if the thread is still there to uncount it.
            if !stranded.swap(true, Ordering::SeqCst) {
                STRANDED.fetch_add(1, Ordering::SeqCst);
            }
            // It may have finished between the timeout and the flag.
            match rx.try_recv() {
                Ok(result) => result,
                Err(_) => Err(PdfError::TimedOut { secs }),
            }
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(PdfError::Panicked(
            "the worker thread ended without an answer".into(),
        )),
    }
}

fn from_panic(payload: Box<dyn Any + Send>, secs: u64, mib: u64) -> PdfError {
    if let Some(stop) = payload.downcast_ref::<Stop>() {
        return match stop {
            Stop::Time => PdfError::TimedOut { secs },
            Stop::Memory => PdfError::OutOfMemoryBudget { mib },
        };
    }
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    };
    PdfError::Panicked(msg.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_not_a_crash() {
        let r: Result<(), _> = run_isolated("t", &Budget::default(), |_| panic!("boom"));
        match r {
            Err(PdfError::Panicked(m)) => assert!(m.contains("boom")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_deadline_stops_a_job_that_checks() {
        let budget = Budget {
            max_time: Duration::from_millis(50),
            ..Budget::default()
        };
        let r: Result<(), _> = run_isolated("t", &budget, |g| loop {
            g.check();
            std::thread::sleep(Duration::from_millis(5));
        });
        assert!(matches!(r, Err(PdfError::TimedOut { .. })), "{r:?}");
    }

    #[test]
    fn a_result_comes_back() {
        let r = run_isolated("t", &Budget::default(), |_| Ok(41 + 1));
        assert_eq!(r.unwrap(), 42);
    }

    #[test]
    fn deep_recursion_fits_the_big_stack() {
        fn depth(n: u32) -> u32 {
            let pad = [n as u8; 512];
            if n == 0 {
                pad[0] as u32
            } else {
                depth(n - 1) + std::hint::black_box(pad)[1] as u32 - pad[1] as u32
            }
        }
        // ~20,000 frames of over 512 bytes: more than a default 2 MiB stack.
        let r = run_isolated("t", &Budget::default(), |_| Ok(depth(20_000)));
        assert_eq!(r.unwrap(), 0);
    }
}
