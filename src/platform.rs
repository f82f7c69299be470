//! What differs between the systems the drive is plugged into. Everything
//! OS-specific outside `readat` lives here, behind `cfg`, so the rest of the
//! program reads the same on Linux and on Windows 7.

use std::path::{Path, PathBuf};

/// The form of `root` to open files under. On Windows this is the verbatim
/// form (`\\?\E:\…`, `\\?\UNC\server\share\…`): paths built below it are
/// then not cut at 260 characters, and names Windows otherwise reserves
/// (`CON.mp4`, `nul.txt`, a name ending in a dot or space — all possible on
/// a FAT drive written elsewhere) open as the files they are instead of the
/// console or null device. Elsewhere `root` is returned unchanged.
pub fn long_path_root(root: &Path) -> PathBuf {
    #[cfg(windows)]
    {
        windows::verbatim(root)
    }
    #[cfg(not(windows))]
    {
        root.to_path_buf()
    }
}

/// Gives the console window a neutral title instead of the program's full
/// path (shown in the taskbar while the library is open). Does nothing
/// outside Windows.
pub fn set_console_title(title: &str) {
    #[cfg(windows)]
    windows::set_console_title(title);
    #[cfg(not(windows))]
    let _ = title;
}

/// Whether this process has a console window of its own, which Windows
/// closes the moment the process exits: it was double-clicked in Explorer
/// rather than started from a command prompt. Always false elsewhere.
pub fn owns_console_window() -> bool {
    #[cfg(windows)]
    {
        windows::owns_console_window()
    }
    #[cfg(not(windows))]
    {
        false
    }
}

/// Keeps a double-clicked program's window open after a fatal error, so the
/// message can be read before Windows closes it.
pub fn pause_before_exit() {
    if owns_console_window() {
        use std::io::{BufRead, Write};
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "Enter 키를 누르면 창이 닫힙니다. / Press Enter to close."
        );
        let _ = out.flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
    }
}

/// Makes the calling thread yield CPU and drive to everything else (the
/// background title and drive indexes: the recipient's first page must not
/// wait for them). Best effort: where the system refuses, nothing changes.
/// Says what it got, for `/api/whoami` and the tests: `background`
/// (Windows Vista+), `lowest` (older Windows, Wine), `nice 19, idle I/O`
/// or `nice 19` (Linux), `unchanged`.
pub fn background_thread() -> &'static str {
    #[cfg(windows)]
    return windows::background_thread();
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on this thread's own id, no pointers.
        // Linux applies nice and I/O priority per thread.
        let (nice, io) = unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            (
                libc::setpriority(libc::PRIO_PROCESS, tid, 19),
                // ioprio_set(IOPRIO_WHO_PROCESS, tid, IOPRIO_CLASS_IDLE << 13)
                libc::syscall(libc::SYS_ioprio_set, 1, tid, 3 << 13),
            )
        };
        match (nice, io) {
            (0, 0) => "nice 19, idle I/O",
            (0, _) => "nice 19",
            _ => "unchanged",
        }
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    "unchanged"
}

#[cfg(windows)]
mod windows {
    use std::ffi::{OsStr, OsString};
    use std::os::windows::ffi::OsStrExt;
    use std::path::{Component, Path, PathBuf, Prefix};

    // All in kernel32 since Windows XP; declared here rather than pulling a
    // bindings crate in for a few calls.
    #[link(name = "kernel32")]
    extern "system" {
        fn SetConsoleTitleW(title: *const u16) -> i32;
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
        fn GetCurrentThread() -> isize;
        fn SetThreadPriority(thread: isize, priority: i32) -> i32;
        fn GetThreadPriority(thread: isize) -> i32;
    }

    /// Background mode (Vista+) also lowers the thread's drive priority;
    /// Windows XP refuses it, and gets the lowest CPU priority instead.
    pub fn background_thread() -> &'static str {
        const THREAD_MODE_BACKGROUND_BEGIN: i32 = 0x0001_0000;
        const THREAD_PRIORITY_LOWEST: i32 = -2;
        // SAFETY: the pseudo handle of the calling thread needs no closing.
        unsafe {
            let me = GetCurrentThread();
            if SetThreadPriority(me, THREAD_MODE_BACKGROUND_BEGIN) != 0 {
                return "background";
            }
            if SetThreadPriority(me, THREAD_PRIORITY_LOWEST) != 0
                && GetThreadPriority(me) == THREAD_PRIORITY_LOWEST
            {
                return "lowest";
            }
        }
        "unchanged"
    }

    pub fn set_console_title(title: &str) {
        let wide: Vec<u16> = OsStr::new(title)
            .encode_wide()
            .chain(std::iter::once(0))
            .collect();
        // SAFETY: `wide` is NUL-terminated and outlives the call.
        unsafe {
            SetConsoleTitleW(wide.as_ptr());
        }
    }

    pub fn owns_console_window() -> bool {
        let mut ids = [0u32; 4];
        // SAFETY: the buffer holds `ids.len()` entries. The count includes
        // this process; 1 means no shell shares the console.
        let n = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
        n == 1
    }

    pub fn verbatim(root: &Path) -> PathBuf {
        // `canonicalize` gives the verbatim form itself and resolves links,
        // as the walk's "stays inside the bundle" check does.
        if let Ok(c) = std::fs::canonicalize(root) {
            if is_verbatim(&c) {
                return c;
            }
        }
        // Some drives (RAM disks, some network and encrypted volumes) do not
        // answer the call `canonicalize` makes; build the form by hand.
        let Ok(abs) = std::path::absolute(root) else {
            return root.to_path_buf();
        };
        verbatim_of_absolute(&abs).unwrap_or(abs)
    }

    fn is_verbatim(p: &Path) -> bool {
        matches!(
            p.components().next(),
            Some(Component::Prefix(pre)) if pre.kind().is_verbatim()
        )
    }

    /// `E:\a\b` → `\\?\E:\a\b`, `\\srv\share\a` → `\\?\UNC\srv\share\a`.
    /// `absolute` has already removed `.` and `..`, which a verbatim path
    /// would take literally.
    fn verbatim_of_absolute(abs: &Path) -> Option<PathBuf> {
        let mut comps = abs.components();
        let Some(Component::Prefix(pre)) = comps.next() else {
            return None;
        };
        let mut out = OsString::new();
        match pre.kind() {
            Prefix::Disk(letter) => {
                out.push(r"\\?\");
                out.push(String::from(char::from(letter)));
                out.push(":");
            }
            Prefix::UNC(server, share) => {
                out.push(r"\\?\UNC\");
                out.push(server);
                out.push(r"\");
                out.push(share);
            }
            _ => return None,
        }
        let mut path = PathBuf::from(out);
        path.push(r"\");
        for c in comps {
            match c {
                Component::Normal(n) => path.push(n),
                Component::RootDir => {}
                _ => return None,
            }
        }
        Some(path)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn verbatim_forms() {
            assert_eq!(
                verbatim_of_absolute(Path::new(r"E:\films\a b")),
                Some(PathBuf::from(r"\\?\E:\films\a b"))
            );
            assert_eq!(
                verbatim_of_absolute(Path::new(r"\\srv\share\x")),
                Some(PathBuf::from(r"\\?\UNC\srv\share\x"))
            );
            assert_eq!(
                verbatim_of_absolute(Path::new(r"E:\")),
                Some(PathBuf::from(r"\\?\E:\"))
            );
        }
    }
}
