//! `prepare`'s search index: every document's pages, every film's
//! subtitles, every page and description, read once on the packer's machine
//! and written to `.driveshelf/search.index`, so that the recipient's
//! server has complete search from its first request without reading a PDF.
//!
//! Run again, it reads only files whose size or modification time changed
//! (the rest is taken from the previous index), and when nothing changed it
//! writes nothing. The new index goes to a temporary name in our folder and
//! is renamed over the old one only when whole.

use crate::bundle::Catalog;
use crate::driveindex::segment::{analyze, Analyzed, Builder, Outcome, Role, Segment, SourceRec};
use crate::driveindex::sources::{self, SourceFile};
use crate::driveindex::store::{self, StoreError};
use crate::pdf::Budget;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub fn display_path() -> String {
    format!("{}/{}", store::DIR, store::FILE)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    New,
    Replaced,
    Unchanged,
    NotWritten,
}

/// What one run did.
#[derive(Debug)]
pub struct Report {
    pub sources: usize,
    /// Files read this time (the others came from the previous index).
    pub read: usize,
    pub reused: usize,
    pub pages: usize,
    pub units: usize,
    pub text_bytes: u64,
    pub index_bytes: u64,
    pub no_text: Vec<String>,
    pub failed: Vec<(String, String)>,
    pub previous_problem: Option<String>,
    pub secs: f64,
    pub written: Written,
    pub interrupted: bool,
}

impl Report {
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let path = display_path();
        if self.interrupted {
            out.push(format!(
                "{path}: 중단했습니다. 이전 색인은 그대로입니다 / stopped; the previous index is unchanged"
            ));
            return out;
        }
        if let Some(p) = &self.previous_problem {
            out.push(format!(
                "{path}: 이전 색인을 쓸 수 없어 새로 만들었습니다 / the previous index was unusable ({p}); rebuilt"
            ));
        }
        for (rel, why) in &self.failed {
            out.push(format!("[건너뜀] / [SKIPPED] {rel}: {why}"));
        }
        for rel in &self.no_text {
            out.push(format!(
                "[글자 없음] / [NO TEXT] {rel}: 스캔한 문서처럼 글자가 없습니다 / no text (a scan?)"
            ));
        }
        let pages_per_sec = if self.secs > 0.0 && self.read > 0 {
            format!(", {:.0} pages/s", self.pages as f64 / self.secs)
        } else {
            String::new()
        };
        out.push(format!(
            "{path}: {} — {} files ({} read, {} unchanged), {} pages, {} units; \
             text {} KiB, index {} KiB; {:.1} s{pages_per_sec}",
            match self.written {
                Written::New => "새로 씀 / written",
                Written::Replaced => "바꿈 / updated",
                Written::Unchanged => "변화 없음 / unchanged",
                Written::NotWritten => "쓰지 않음 / not written",
            },
            self.sources,
            self.read,
            self.reused,
            self.pages,
            self.units,
            self.text_bytes >> 10,
            self.index_bytes >> 10,
            self.secs,
        ));
        out
    }
}

fn refuse(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::AlreadyExists, why)
}

/// Reads the drive of `catalog` and writes its search index.
pub fn write(catalog: &Catalog, stop: &AtomicBool, progress: bool) -> io::Result<Report> {
    let started = Instant::now();
    let root = &catalog.root;
    let folder = root.join(store::DIR);
    let target = store::path(root);
    // Only our folder and our file: anything else by those names (a file
    // called `.driveshelf`, a link, someone else's `search.index`) is left
    // alone and said.
    if let Ok(m) = std::fs::symlink_metadata(&folder) {
        if !m.is_dir() {
            return Err(refuse(format!(
                "{} is not a folder; not touched",
                store::DIR
            )));
        }
    }
    let mut previous_problem = None;
    let old: Option<Segment> = match std::fs::symlink_metadata(&target) {
        Err(_) => None,
        Ok(m) if !m.is_file() => {
            return Err(refuse(format!(
                "{} is not a plain file; not touched",
                display_path()
            )))
        }
        Ok(_) => match store::open_file(&target) {
            Ok(seg) => Some(seg),
            Err(StoreError::Foreign(why)) => {
                return Err(refuse(format!(
                    "{} is not ours ({why}); not touched",
                    display_path()
                )))
            }
            Err(e) => {
                previous_problem = Some(e.to_string());
                None
            }
        },
    };
    let list = sources::list(catalog);
    let bar = if progress {
        indicatif::ProgressBar::new(list.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut report = Report {
        sources: list.len(),
        read: 0,
        reused: 0,
        pages: 0,
        units: 0,
        text_bytes: 0,
        index_bytes: 0,
        no_text: Vec::new(),
        failed: Vec::new(),
        previous_problem,
        secs: 0.0,
        written: Written::NotWritten,
        interrupted: false,
    };
    if let Some(seg) = old.as_ref().filter(|seg| all_current(seg, &list)) {
        // Nothing changed: the index would come out byte for byte the
        // same, so it is neither built nor written.
        bar.finish_and_clear();
        report_unchanged(&mut report, seg, &target);
        report.secs = started.elapsed().as_secs_f64();
        return Ok(report);
    }
    let budget = Budget::default();
    let old_by_rel: HashMap<&str, usize> = old
        .as_ref()
        .map(|s| {
            s.sources()
                .iter()
                .enumerate()
                .map(|(i, r)| (r.rel.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let old_units = old
        .as_ref()
        .map(Segment::units_by_source)
        .unwrap_or_default();
    let previous = Previous {
        seg: old.as_ref(),
        by_rel: &old_by_rel,
        units: &old_units,
    };
    let mut builder = Builder::default();
    let mut failure: Option<io::Error> = None;
    let abort = AtomicBool::new(false);
    let halted = || stop.load(Ordering::SeqCst) || abort.load(Ordering::SeqCst);
    // Files are read and tokenized on several threads (each PDF in its own
    // worker under its own budgets, as before) and added to the index in
    // catalog order, so that the same drive gives the same bytes. At most
    // `AHEAD` files wait to be added: the memory stays that of a few files.
    let next = AtomicUsize::new(0);
    let added = Mutex::new(0usize);
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, Read)>();
    std::thread::scope(|scope| {
        for n in 0..threads() {
            let tx = tx.clone();
            let (list, next, added, moved, budget, previous) =
                (&list, &next, &added, &moved, &budget, &previous);
            let halted = &halted;
            let spawned = std::thread::Builder::new()
                .name(format!("prepare-{n}"))
                .spawn_scoped(scope, move || loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(src) = list.get(i) else { break };
                    let mut done = added.lock().unwrap_or_else(|e| e.into_inner());
                    while i >= *done + AHEAD && !halted() {
                        done = moved
                            .wait_timeout(done, Duration::from_millis(100))
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                    }
                    drop(done);
                    if halted() {
                        break;
                    }
                    if tx.send((i, read_one(src, previous, budget))).is_err() {
                        break;
                    }
                });
            if let Err(e) = spawned {
                // No thread at all is an error; fewer than asked is slower.
                if n == 0 {
                    failure = Some(e);
                }
                break;
            }
        }
        drop(tx);
        let mut waiting: HashMap<usize, Read> = HashMap::new();
        let mut want = 0usize;
        for (i, read) in rx.iter() {
            waiting.insert(i, read);
            while let Some(read) = waiting.remove(&want) {
                let Some(src) = list.get(want) else { break };
                bar.set_message(src.rel.clone());
                if let Err(e) = add_one(&mut builder, src, read, &mut report) {
                    failure = Some(e);
                    abort.store(true, Ordering::SeqCst);
                }
                want += 1;
                *added.lock().unwrap_or_else(|e| e.into_inner()) = want;
                moved.notify_all();
                bar.inc(1);
            }
            if halted() {
                break;
            }
        }
        abort.store(true, Ordering::SeqCst);
        moved.notify_all();
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if stop.load(Ordering::SeqCst) {
        report.interrupted = true;
        bar.abandon();
        return Ok(report);
    }
    bar.finish_and_clear();
    report.units = builder.unit_count();
    let seg = builder.freeze()?;
    report.text_bytes = seg.text_bytes();
    let bytes = store::encode(&seg)?;
    report.index_bytes = bytes.len() as u64;
    if stop.load(Ordering::SeqCst) {
        report.interrupted = true;
        return Ok(report);
    }
    let existed = target.exists();
    report.written = put(&folder, &target, &bytes, old.is_some(), existed)?;
    report.secs = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Whether `seg` holds exactly the files of `list`, in order, each with
/// its size and modification time now.
fn all_current(seg: &Segment, list: &[SourceFile]) -> bool {
    seg.sources().len() == list.len()
        && seg.sources().iter().zip(list).all(|(rec, src)| {
            rec.rel == src.rel
                && rec.item_rel == src.item_rel
                && rec.kind == src.kind
                && rec.role == src.role
                && rec.lang == src.lang
                && sources::stamp(&src.path).is_ok_and(|(size, mtime)| rec.matches(size, mtime))
        })
}

fn report_unchanged(report: &mut Report, seg: &Segment, target: &Path) {
    let units = seg.units_by_source();
    for (rec, units) in seg.sources().iter().zip(&units) {
        report.reused += 1;
        match &rec.outcome {
            Outcome::Indexed => {}
            Outcome::NoText if rec.role == Role::PdfText => report.no_text.push(rec.rel.clone()),
            Outcome::NoText => {}
            Outcome::Failed { message, .. } => {
                report.failed.push((rec.rel.clone(), message.clone()))
            }
        }
        if rec.role == Role::PdfText {
            report.pages += units.len();
        }
    }
    report.units = seg.unit_count();
    report.text_bytes = seg.text_bytes();
    report.index_bytes = std::fs::metadata(target).map_or(0, |m| m.len());
    report.written = Written::Unchanged;
}

/// Files read ahead of the one being added.
const AHEAD: usize = 8;

/// Threads that read files: two cores are the packer's laptop; more help
/// little past four (the index is built on one). Each may hold a PDF and
/// its budget: a 32-bit address space takes two.
fn threads() -> usize {
    let most = if cfg!(target_pointer_width = "64") {
        4
    } else {
        2
    };
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, most))
}

/// The previous index, to take unchanged files from.
struct Previous<'a> {
    seg: Option<&'a Segment>,
    by_rel: &'a HashMap<&'a str, usize>,
    units: &'a [Vec<u32>],
}

type Units = Vec<(u32, String, Analyzed)>;

/// One file, read (or taken from the previous index) and tokenized.
enum Read {
    Unreadable(String),
    Reused(SourceRec, Units),
    Fresh(SourceRec, Result<Units, Outcome>),
}

fn read_one(src: &SourceFile, previous: &Previous, budget: &Budget) -> Read {
    let (size, mtime) = match sources::stamp(&src.path) {
        Ok(st) => st,
        Err(e) => return Read::Unreadable(format!("cannot be read: {e}")),
    };
    if let Some(reused) = reuse(previous, src, size, mtime) {
        return reused;
    }
    let rec = SourceRec {
        rel: src.rel.clone(),
        item_rel: src.item_rel.clone(),
        kind: src.kind,
        role: src.role,
        size,
        mtime,
        lang: src.lang.clone(),
        outcome: Outcome::Indexed,
    };
    let units = sources::read(src, budget).map(|units| {
        units
            .into_iter()
            .map(|(loc, text)| {
                let terms = analyze(&text);
                (loc, text, terms)
            })
            .collect()
    });
    Read::Fresh(rec, units)
}

/// Takes a source's units from the previous index when the file has not
/// changed since; `None` when it must be read again.
fn reuse(previous: &Previous, src: &SourceFile, size: u64, mtime: i64) -> Option<Read> {
    let seg = previous.seg?;
    let i = *previous.by_rel.get(src.rel.as_str())?;
    let rec = seg.sources().get(i)?;
    if !rec.matches(size, mtime) || rec.item_rel != src.item_rel || rec.role != src.role {
        return None;
    }
    let texts = seg.texts(previous.units.get(i)?).ok()?;
    let units = texts
        .into_iter()
        .map(|(loc, text)| {
            let terms = analyze(&text);
            (loc, text, terms)
        })
        .collect();
    Some(Read::Reused(rec.clone(), units))
}

/// Adds one file's units to the index, in order, and counts it.
fn add_one(
    builder: &mut Builder,
    src: &SourceFile,
    read: Read,
    report: &mut Report,
) -> io::Result<()> {
    let before = builder.unit_count();
    let outcome = match read {
        Read::Unreadable(why) => {
            report.failed.push((src.rel.clone(), why));
            return Ok(());
        }
        Read::Reused(rec, units) => {
            report.reused += 1;
            let outcome = rec.outcome.clone();
            let id = builder.add_source(rec);
            for (loc, text, terms) in units {
                builder.add_analyzed(id, loc, &text, terms)?;
            }
            outcome
        }
        Read::Fresh(rec, units) => {
            report.read += 1;
            let id = builder.add_source(rec);
            let outcome = match units {
                Ok(units) => {
                    for (loc, text, terms) in units {
                        builder.add_analyzed(id, loc, &text, terms)?;
                    }
                    Outcome::Indexed
                }
                Err(o) => o,
            };
            builder.set_outcome(id, outcome.clone());
            outcome
        }
    };
    match outcome {
        Outcome::Indexed => {}
        Outcome::NoText if src.role == Role::PdfText => report.no_text.push(src.rel.clone()),
        Outcome::NoText => {}
        Outcome::Failed { message, .. } => report.failed.push((src.rel.clone(), message)),
    }
    if src.role == Role::PdfText {
        report.pages += builder.unit_count() - before;
    }
    Ok(())
}

/// Writes `bytes` as our index: unchanged bytes are not written again; new
/// ones go to a temporary name in our folder, then over the old file.
fn put(
    folder: &Path,
    target: &Path,
    bytes: &[u8],
    old_valid: bool,
    existed: bool,
) -> io::Result<Written> {
    if old_valid && std::fs::read(target).is_ok_and(|b| b == bytes) {
        return Ok(Written::Unchanged);
    }
    if !folder.exists() {
        std::fs::create_dir(folder)?;
    }
    // Temporary files of runs that were killed are ours; clear them.
    if let Ok(rd) = std::fs::read_dir(folder) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{}.tmp-", store::FILE)) && e.path().is_file() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let tmp = folder.join(format!("{}.tmp-{}", store::FILE, std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(if existed {
        Written::Replaced
    } else {
        Written::New
    })
}
