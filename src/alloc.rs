//! The memory allocator on Linux: mimalloc, set to hand freed memory back to
//! the system at once.
//!
//! The static Linux program links musl, whose allocator served a small
//! archive at a fifth of the speed glibc's did; glibc's in turn kept freed
//! megabytes in one arena per busy connection thread (200 MB resident after
//! 64 clients on a 200,000-article archive). mimalloc with its defaults was
//! fast but held freed memory for a second and committed its arenas up front
//! (up to 990 MB). Purging at once (here) and committing on demand (a
//! compile-time default, set in `.cargo/config.toml` because mimalloc reads
//! it before `main`) serve that archive faster than glibc did, in about
//! half the memory (bench/).

/// mimalloc 3's option number (`mi_option_e` in its `mimalloc.h`); the
/// test below checks it against the linked library.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Call first thing in `main`.
pub fn tune() {
    // SAFETY: mi_option_set only stores an integer in mimalloc's option
    // table; the number is a valid option (checked by the test below).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;

    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

    #[test]
    fn option_numbers_and_build_flag() {
        // Read before `tune()`, which no test calls. mimalloc 3 purges
        // after 1000 ms by default (v2: 10 ms): a different number here
        // means the option table moved.
        // SAFETY: reading an option is always allowed.
        let delay = unsafe { mi_option_get(PURGE_DELAY) };
        assert_eq!(delay, 1000, "option {PURGE_DELAY} is not the purge delay");
        // Its default is 2 (eager on Linux); 0 means .cargo/config.toml's
        // CFLAGS reached mimalloc's build.
        // SAFETY: as above.
        let eager = unsafe { mi_option_get(ARENA_EAGER_COMMIT) };
        assert_eq!(
            eager, 0,
            "mimalloc was built without -DMI_DEFAULT_ARENA_EAGER_COMMIT=0 (see .cargo/config.toml)"
        );
    }
}
