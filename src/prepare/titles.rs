//! `prepare`'s title indexes: each archive's suggestion index (titles
//! without spacing, by initials, by later words and by places inside words,
//! see [`crate::titleindex`]) written to
//! `.driveshelf/titles/<archive path, / as ~>.titles`, so that the
//! recipient's server reads it in place from the first request instead of
//! building it (which holds ~50 bytes a title while it runs).
//!
//! An index made for the same archive (its UUID and entry count) and whole
//! is left as it is; a stale or damaged one of ours is written again; a
//! file by that name that is not ours is left alone and reported. Each goes
//! to a temporary name beside it and is renamed over the old one when
//! whole. An index of ours whose archive is no longer on the drive is
//! removed (only files that begin as ours, in our folder).

use crate::bundle::Catalog;
use crate::titleindex::stored::{self, verify};
use crate::titleindex::{IndexError, TitleIndex, Titles};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Marks our temporary files (`<name>.titles.tmp-<pid>`).
const TMP: &str = ".tmp-";

/// What happened to one archive's index.
#[derive(Debug, PartialEq, Eq)]
pub enum Done {
    New,
    Replaced,
    Unchanged,
    /// A file of that name that is not ours: left alone.
    NotOurs,
    /// The archive's titles could not be read (a damaged archive): no
    /// index, reported; the server builds what it can.
    Skipped(String),
    /// Could not be written.
    Failed(String),
}

#[derive(Debug, Default)]
pub struct Report {
    /// (archive path in the bundle, what happened, titles, bytes).
    pub archives: Vec<(String, Done, u32, u64)>,
    /// Indexes of archives no longer on the drive: (file name, removed or
    /// why not).
    pub orphans: Vec<(String, Result<(), String>)>,
    pub interrupted: bool,
    pub secs: f64,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.archives
            .iter()
            .any(|(_, d, _, _)| matches!(d, Done::Failed(_) | Done::NotOurs))
            || self.orphans.iter().any(|(_, r)| r.is_err())
    }

    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, removed) in &self.orphans {
            let what = match removed {
                Ok(()) => "지움: 아카이브가 드라이브에 없습니다 / removed: its archive is no longer on the drive".to_string(),
                Err(why) => format!("지우지 못했습니다 / could not be removed: {why}"),
            };
            out.push(format!("{}/{name}: {what}", display_dir()));
        }
        if self.interrupted {
            out.push(format!(
                "{}: 중단했습니다. 이전 색인은 그대로입니다 / stopped; the previous indexes are unchanged",
                display_dir()
            ));
            return out;
        }
        for (rel, done, titles, bytes) in &self.archives {
            let what = match done {
                Done::New => "새로 씀 / written".to_string(),
                Done::Replaced => "바꿈 / updated".to_string(),
                Done::Unchanged => "변화 없음 / unchanged".to_string(),
                Done::NotOurs => {
                    "driveshelf가 쓴 파일이 아니라 그대로 둡니다 / not written by driveshelf; left alone"
                        .to_string()
                }
                Done::Skipped(why) => format!("[건너뜀] / [SKIPPED] {why}"),
                Done::Failed(why) => format!("쓰지 못했습니다 / could not be written: {why}"),
            };
            out.push(format!(
                "{}/{}: {what} — {titles} titles, {} KiB",
                display_dir(),
                file_name(rel),
                bytes >> 10
            ));
        }
        out
    }
}

pub fn display_dir() -> String {
    ".driveshelf/titles".to_string()
}

fn file_name(rel: &str) -> String {
    stored::path_for(Path::new(""), rel)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes the title index of every archive of `catalog` that opened.
pub fn write(catalog: &Catalog, stop: &AtomicBool, progress: bool) -> io::Result<Report> {
    let started = Instant::now();
    let mut report = Report::default();
    let zims: Vec<_> = catalog
        .zims
        .iter()
        .filter_map(|z| Some((z.rel.clone(), z.archive.as_ref().ok()?.clone())))
        .collect();
    report.orphans = remove_orphans(catalog);
    if zims.is_empty() {
        return Ok(report);
    }
    let folder = stored::path_for(&catalog.root, "x")
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // Only our folders: a file called `.driveshelf` or `titles` is not.
    for dir in [folder.parent().unwrap_or(&folder), folder.as_path()] {
        if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is not a folder; not touched", dir.display()),
            ));
        }
    }
    let bar = if progress {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} titles {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    for (rel, a) in zims {
        if stop.load(Ordering::SeqCst) {
            report.interrupted = true;
            break;
        }
        let target = stored::path_for(&catalog.root, &rel);
        let titles = a.title_count().unwrap_or(0);
        let existed = match std::fs::symlink_metadata(&target) {
            Err(_) => false,
            Ok(m) if !m.is_file() => {
                report.archives.push((rel, Done::NotOurs, titles, 0));
                continue;
            }
            Ok(m) => match verify(&target, &a) {
                Ok(_) => {
                    report
                        .archives
                        .push((rel, Done::Unchanged, titles, m.len()));
                    continue;
                }
                Err(IndexError::Foreign) => {
                    report.archives.push((rel, Done::NotOurs, titles, m.len()));
                    continue;
                }
                // Ours, for another archive or damaged: written again.
                Err(_) => true,
            },
        };
        bar.set_message(rel.clone());
        bar.set_length(u64::from(titles));
        bar.set_position(0);
        let src: Arc<dyn Titles> = a.clone();
        let built =
            TitleIndex::build_with_progress(src, stop, &mut |i, _| bar.set_position(u64::from(i)));
        let ix = match built {
            Ok(ix) => ix,
            Err(IndexError::Stopped) => {
                report.interrupted = true;
                break;
            }
            Err(e) => {
                report
                    .archives
                    .push((rel, Done::Skipped(e.to_string()), titles, 0));
                continue;
            }
        };
        match put(&folder, &target, |w| stored::write(&ix, &a, w)) {
            Ok(bytes) => {
                let done = if existed { Done::Replaced } else { Done::New };
                report.archives.push((rel, done, titles, bytes));
            }
            Err(e) => report
                .archives
                .push((rel, Done::Failed(e.to_string()), titles, 0)),
        }
    }
    bar.finish_and_clear();
    report.secs = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Removes the title indexes of ours (and our temporary files) whose
/// archive is not in the catalog. Archives that did not open are still on
/// the drive: theirs stay.
fn remove_orphans(catalog: &Catalog) -> Vec<(String, Result<(), String>)> {
    let rels: Vec<&str> = catalog.zims.iter().map(|z| z.rel.as_str()).collect();
    stored::orphans(&catalog.root, &rels)
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::remove_file(&path).map_err(|e| e.to_string()))
        })
        .collect()
}

/// Writes a file of ours: to a temporary name in our folder, then over
/// `target` when whole. Returns its size.
fn put(
    folder: &Path,
    target: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<u64> {
    std::fs::create_dir_all(folder)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    clear_temporaries(folder, &name);
    let tmp: PathBuf = folder.join(format!("{name}{TMP}{}", std::process::id()));
    let result = (|| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        let len = f.metadata()?.len();
        drop(f);
        std::fs::rename(&tmp, target)?;
        Ok(len)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Temporary files of runs that were killed are ours: cleared.
fn clear_temporaries(folder: &Path, name: &str) {
    let Ok(rd) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!("{name}{TMP}");
    for e in rd.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&prefix) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
