//! Bundles made by `../shared/tools/make-bundle` for the tests that need a
//! realistic archive (tests/suggest_korean.rs, tests/suggest_titles.rs), and
//! the CPU clock their in-process measurements read.

use super::{shared, temp_dir};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

pub struct Bundle {
    pub dir: PathBuf,
    pub manifest: Value,
}

/// Runs make-bundle into a fresh folder `name` with `args` (and its
/// manifest beside the drive), then `extra` on the drive folder. `None`,
/// with a notice, when ../shared or make-bundle's Python modules are missing.
pub fn make_bundle(
    name: &str,
    args: &[&str],
    extra: impl FnOnce(&std::path::Path) -> std::io::Result<()>,
) -> Option<Bundle> {
    let tool = shared()?.join("tools/make-bundle");
    let root = temp_dir(name);
    let dir = root.join("drive");
    let manifest = root.join("manifest.json");
    let out = Command::new("python3")
        .arg(&tool)
        .arg(&dir)
        .args(args)
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "NOTICE: skipped: make-bundle failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    extra(&dir).ok()?;
    let manifest = serde_json::from_slice(&std::fs::read(&manifest).ok()?).ok()?;
    Some(Bundle { dir, manifest })
}

/// Seconds of CPU this thread has used (0 where it cannot be read).
pub fn thread_cpu() -> f64 {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid out-pointer for the call.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    }
    #[cfg(not(unix))]
    {
        0.0
    }
}
