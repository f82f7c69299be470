//! Finding the content of a bundle: one walk over the drive.

use crate::media::names::stem_and_ext;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

/// Folders deeper than this are not looked into; a drive is laid out by hand.
pub const MAX_DEPTH: usize = 8;

/// Folders that hold no content: the system's own, and hidden ones.
fn skipped_dir(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with('$')
        || matches!(
            lower.as_str(),
            "system volume information" | "lost+found" | "recycler" | "recycled" | "found.000"
        )
}

/// A file the walk found, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    /// Where to open it (for a split archive: its first part, `x.zimaa`).
    pub path: PathBuf,
    /// Its path inside the bundle with `/` separators, for people to read.
    pub rel: String,
    /// The file name without extension (or split suffix).
    pub stem: String,
}

#[derive(Debug, Default)]
pub struct Found {
    pub zims: Vec<FoundFile>,
    /// Every other plain file, in walk order (folder by folder, names
    /// sorted): documents, films, sidecars, pictures of Markdown pages.
    pub files: Vec<FoundFile>,
}

/// Walks `root` and sorts what it finds. Unreadable folders are passed over:
/// one bad folder must not hide the rest of the drive.
pub fn walk(root: &Path) -> Found {
    let mut found = Found::default();
    let root = crate::platform::long_path_root(root);
    let canon_root = fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let mut seen = HashSet::new();
    seen.insert(canon_root.clone());
    visit(&canon_root, &root, "", 0, &mut seen, &mut found);
    found
}

fn visit(
    canon_root: &Path,
    dir: &Path,
    rel: &str,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    found: &mut Found,
) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    let names: HashSet<String> = entries
        .iter()
        .map(|e| e.file_name().to_string_lossy().to_lowercase())
        .collect();
    let mut used: HashSet<String> = entries
        .iter()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    for e in entries {
        let name_os = e.file_name();
        let name = match name_os.to_str() {
            Some(n) => n.to_owned(),
            None => unique_lossy_name(&name_os, &mut used),
        };
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        let (is_dir, is_file) = if ft.is_symlink() {
            // A link is followed only when it stays inside the bundle.
            match fs::canonicalize(&path) {
                Ok(target) if target.starts_with(canon_root) => {
                    let md = fs::metadata(&target);
                    (
                        md.as_ref().is_ok_and(|m| m.is_dir()),
                        md.as_ref().is_ok_and(|m| m.is_file()),
                    )
                }
                _ => continue,
            }
        } else {
            (ft.is_dir(), ft.is_file())
        };
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if is_dir {
            if depth + 1 >= MAX_DEPTH || skipped_dir(&name) {
                continue;
            }
            let canon = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen.insert(canon) {
                continue;
            }
            visit(canon_root, &path, &child_rel, depth + 1, seen, found);
        } else if is_file && !name.starts_with('.') {
            classify(&path, &name, child_rel, &names, found);
        }
    }
}

/// A name for people and URLs for a file whose name is not valid Unicode
/// (bytes from another code page on Linux, a lone UTF-16 surrogate on
/// Windows): the undecodable parts become `\u{FFFD}`. The file itself is
/// still opened by its real name; when two such names come out the same, the
/// later one gets ` (2)`, ` (3)`, … before its extension so neither is lost.
fn unique_lossy_name(name: &OsStr, used: &mut HashSet<String>) -> String {
    let lossy = name.to_string_lossy().into_owned();
    if used.insert(lossy.clone()) {
        return lossy;
    }
    let (stem, ext) = stem_and_ext(&lossy);
    let dot = if ext.is_empty() { "" } else { "." };
    for n in 2u32.. {
        let candidate = format!("{stem} ({n}){dot}{ext}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
    }
    lossy
}

fn classify(path: &Path, name: &str, rel: String, siblings: &HashSet<String>, found: &mut Found) {
    if let Some(stem) = strip_suffix_ci(name, ".zim") {
        found.zims.push(FoundFile {
            path: path.to_path_buf(),
            rel,
            stem: stem.to_string(),
        });
    } else if let Some(stem) = strip_suffix_ci(name, ".zimaa") {
        // `x.zim` beside `x.zimaa` is the same archive, already counted.
        if siblings.contains(&format!("{}.zim", stem.to_lowercase())) {
            return;
        }
        found.zims.push(FoundFile {
            path: path.to_path_buf(),
            rel,
            stem: stem.to_string(),
        });
    } else if !is_split_part(name) {
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        found.files.push(FoundFile {
            path: path.to_path_buf(),
            rel,
            stem: stem.to_string(),
        });
    }
}

/// `x.zimab`, `x.zimac`, …: later parts of a split archive.
fn is_split_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit_once(".zim") {
        Some((_, suffix)) => suffix.len() == 2 && suffix.bytes().all(|b| b.is_ascii_lowercase()),
        None => false,
    }
}

fn strip_suffix_ci<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = name.len().checked_sub(suffix.len())?;
    let tail = name.get(cut..)?;
    if tail.eq_ignore_ascii_case(suffix) && cut > 0 {
        name.get(..cut)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("driveshelf-walk-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn finds_archives_and_split_sets() {
        let d = tmp("find");
        fs::create_dir_all(d.join("wiki/sub")).unwrap();
        fs::create_dir_all(d.join(".hidden")).unwrap();
        fs::create_dir_all(d.join("System Volume Information")).unwrap();
        for f in [
            "wiki/a.zim",
            "wiki/sub/B.ZIM",
            "wiki/split.zimaa",
            "wiki/split.zimab",
            "wiki/both.zim",
            "wiki/both.zimaa",
            ".hidden/h.zim",
            "System Volume Information/s.zim",
            "notes.txt",
            "wiki/film.mp4",
        ] {
            fs::write(d.join(f), b"x").unwrap();
        }
        let found = walk(&d);
        let rels: Vec<_> = found.zims.iter().map(|z| z.rel.as_str()).collect();
        assert_eq!(
            rels,
            [
                "wiki/a.zim",
                "wiki/both.zim",
                "wiki/split.zimaa",
                "wiki/sub/B.ZIM"
            ]
        );
        let stems: Vec<_> = found.zims.iter().map(|z| z.stem.as_str()).collect();
        assert_eq!(stems, ["a", "both", "split", "B"]);
        let files: Vec<_> = found.files.iter().map(|z| z.rel.as_str()).collect();
        assert_eq!(files, ["notes.txt", "wiki/film.mp4"]);
        let _ = fs::remove_dir_all(&d);
    }

    /// Names in another code page (CP949 bytes from an old Korean Windows
    /// drive read on Linux) are kept, shown with U+FFFD, and never merged.
    #[cfg(unix)]
    #[test]
    fn names_that_are_not_unicode_are_kept_apart() {
        use std::os::unix::ffi::OsStrExt;
        let d = tmp("lossy");
        let names: [&[u8]; 4] = [b"\xbf\xb5.mp4", b"\xbf\xb6.mp4", b"\xff", b"ok.mp4"];
        for n in names {
            fs::write(d.join(OsStr::from_bytes(n)), n).unwrap();
        }
        let found = walk(&d);
        let mut rels: Vec<_> = found.files.iter().map(|f| f.rel.as_str()).collect();
        rels.sort_unstable();
        assert_eq!(
            rels,
            [
                "ok.mp4",
                "\u{FFFD}",
                "\u{FFFD}\u{FFFD} (2).mp4",
                "\u{FFFD}\u{FFFD}.mp4"
            ]
        );
        for f in &found.files {
            let bytes = fs::read(&f.path).unwrap();
            assert_eq!(
                f.path.file_name().unwrap().as_bytes(),
                bytes,
                "opens its own file"
            );
        }
        let _ = fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_bundle_are_not_followed() {
        let d = tmp("links");
        let outside = tmp("links-outside");
        fs::write(outside.join("o.zim"), b"x").unwrap();
        std::os::unix::fs::symlink(&outside, d.join("out")).unwrap();
        std::os::unix::fs::symlink(&d, d.join("loop")).unwrap();
        fs::write(d.join("in.zim"), b"x").unwrap();
        let found = walk(&d);
        let rels: Vec<_> = found.zims.iter().map(|z| z.rel.as_str()).collect();
        assert_eq!(rels, ["in.zim"]);
        let _ = fs::remove_dir_all(&d);
        let _ = fs::remove_dir_all(&outside);
    }
}
