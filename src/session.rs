//! Secrets of this run, and the switch that stops it.

use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// A random token made at start, put into our own pages only: a request to
/// stop the server must carry it, so no other page or program can send one.
pub fn close_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let mut b = [0u8; 16];
        if getrandom::fill(&mut b).is_err() {
            // No system randomness: fall back to the process-seeded hasher
            // keys of std, still unknown to other programs.
            use std::hash::{BuildHasher, RandomState};
            let h = RandomState::new().hash_one(std::process::id());
            b[..8].copy_from_slice(&h.to_le_bytes());
            b[8..].copy_from_slice(&RandomState::new().hash_one(h).to_le_bytes());
        }
        b.iter().map(|x| format!("{x:02x}")).collect()
    })
}

/// Asks the program to stop, from a page or from Ctrl-C, and lets the main
/// thread wait for that.
#[derive(Clone, Default)]
pub struct Stopper {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Stopper {
    pub fn new() -> Stopper {
        Stopper::default()
    }

    pub fn stop(&self) {
        let (lock, cv) = &*self.inner;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
        }
        cv.notify_all();
    }

    pub fn is_stopped(&self) -> bool {
        self.inner.0.lock().map(|s| *s).unwrap_or(true)
    }

    /// Blocks until [`Stopper::stop`] is called.
    pub fn wait(&self) {
        let (lock, cv) = &*self.inner;
        let Ok(mut stopped) = lock.lock() else { return };
        while !*stopped {
            match cv.wait(stopped) {
                Ok(s) => stopped = s,
                Err(_) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_stable_and_long() {
        assert_eq!(close_token().len(), 32);
        assert_eq!(close_token(), close_token());
    }

    #[test]
    fn stopper_wakes_the_waiter() {
        let s = Stopper::new();
        let s2 = s.clone();
        let t = std::thread::spawn(move || s2.wait());
        s.stop();
        t.join().unwrap();
        assert!(s.is_stopped());
    }
}
