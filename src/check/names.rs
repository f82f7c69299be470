//! Names and sizes the target drives and computers cannot hold: FAT32 and
//! exFAT sticks written from Windows refuse some characters and names, old
//! Windows refuses paths over 260 characters, and FAT32 files over 4 GiB.

use super::report::{Finding, Level, Report};
use std::collections::BTreeSet;
use std::path::Path;

/// `MAX_PATH` counts the drive (`E:\`) and the final NUL.
const MAX_WINDOWS_PATH: usize = 260 - 4;
/// FAT32's largest file is one byte short of 4 GiB.
pub const FAT32_MAX_FILE: u64 = (4 << 30) - 1;

/// Why Windows (and FAT32/exFAT) cannot hold a file named `name`.
pub fn windows_name_problem(name: &str) -> Option<&'static str> {
    if let Some(c) = name.chars().find(|c| "<>:\"/\\|?*".contains(*c)) {
        return Some(match c {
            ':' => ":",
            '"' => "\"",
            '<' => "<",
            '>' => ">",
            '|' => "|",
            '?' => "?",
            '*' => "*",
            _ => "\\",
        });
    }
    if name.chars().any(|c| (c as u32) < 0x20) {
        return Some("control character");
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("ends with a dot or a space");
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper
                .as_bytes()
                .get(3)
                .is_some_and(|b| (b'1'..=b'9').contains(b)));
    if reserved {
        return Some("reserved device name");
    }
    None
}

/// Checks every file (path in the bundle, where it is) and the folders on
/// the way to it.
pub fn check(report: &mut Report, files: &[(String, std::path::PathBuf)], fat32: bool) {
    let mut folders: BTreeSet<&str> = BTreeSet::new();
    for (rel, path) in files {
        let mut at = 0;
        while let Some(i) = rel.get(at..).and_then(|r| r.find('/')) {
            folders.insert(rel.get(..at + i).unwrap_or(rel));
            at += i + 1;
        }
        let name = rel.rsplit('/').next().unwrap_or(rel);
        check_name(report, rel, name, "file");
        if rel.encode_utf16().count() > MAX_WINDOWS_PATH {
            report.add(
                rel,
                "file",
                Finding::new(Level::Warning, "path_too_long")
                    .arg("length", rel.encode_utf16().count()),
            );
        }
        check_size(report, rel, path, fat32);
    }
    for folder in folders {
        let name = folder.rsplit('/').next().unwrap_or(folder);
        check_name(report, folder, name, "folder");
    }
}

fn check_name(report: &mut Report, rel: &str, name: &str, kind: &'static str) {
    if let Some(why) = windows_name_problem(name) {
        report.add(
            rel,
            kind,
            Finding::new(Level::Warning, "name_windows").arg("why", why),
        );
    }
}

fn check_size(report: &mut Report, rel: &str, path: &Path, fat32: bool) {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size <= FAT32_MAX_FILE {
        return;
    }
    let level = if fat32 {
        Level::Damaged
    } else {
        Level::Warning
    };
    report.add(
        rel,
        "file",
        Finding::new(level, "too_big_for_fat32").arg("size", size),
    );
}

/// Whether `dir` lies on a FAT (FAT12/16/32) volume, when it can be told.
#[cfg(target_os = "linux")]
pub fn is_fat(dir: &Path) -> Option<bool> {
    use std::os::unix::ffi::OsStrExt;
    const MSDOS_SUPER_MAGIC: i64 = 0x4d44;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: `c` is a NUL-terminated path and `st` a properly sized buffer
    // that statfs fills on success; it is read only then.
    let rc = unsafe { libc::statfs(c.as_ptr(), st.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statfs returned 0, so it wrote the whole struct.
    let st = unsafe { st.assume_init() };
    #[allow(clippy::unnecessary_cast)]
    Some(st.f_type as i64 == MSDOS_SUPER_MAGIC)
}

#[cfg(not(target_os = "linux"))]
pub fn is_fat(_dir: &Path) -> Option<bool> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_refuses() {
        for bad in [
            "a:b.txt",
            "what?.md",
            "x*y",
            "a<b",
            "q\"",
            "p|q",
            "back\\slash",
            "dot.",
            "space ",
            "CON",
            "con.txt",
            "Aux.md",
            "nul",
            "COM1.srt",
            "lpt9",
            "tab\there",
        ] {
            assert!(windows_name_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "서울의 겨울 (1987).mp4",
            "COM10.txt",
            "CONSOLE.md",
            "a.b.c",
            ".hidden",
            "LPT0",
        ] {
            assert_eq!(windows_name_problem(good), None, "{good}");
        }
    }
}
