//! `driveshelf check`: reads a bundle the way a tester would before the drive
//! is copied, and reports each file as ok, warning or damaged with a plain
//! reason. Nothing is written; archives are read whole (their MD5), other
//! files as far as serving them needs.
//!
//! Exit codes: 0 nothing damaged (warnings allowed), 1 something damaged,
//! 2 the folder cannot be used.

mod document;
mod drive_index;
mod media;
pub mod names;
mod pages;
pub mod report;
mod subtitles;
mod title_index;
mod zim;

use crate::archive::ClusterCache;
use crate::args::CheckOptions;
use crate::bundle::{walk, Catalog, Kind};
use crate::lang::Lang;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use report::Report;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use media::{complete, Completeness};

/// Cluster cache while checking: each cluster is read once, so a small one.
const CACHE_BYTES: usize = 8 << 20;

/// A progress bar on stderr, drawn only when stderr is a terminal (a
/// redirected log gets the report alone).
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(visible: bool) -> Progress {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        Progress { bar }
    }

    /// A new step, named by the file's path.
    pub fn start(&self, rel: &str) {
        self.bar.set_message(rel.to_string());
    }

    /// A step counted in entries and clusters rather than bytes.
    pub fn start_units(&self, rel: &str, units: u64) {
        self.bar.set_style(style("{msg} {wide_bar} {pos}/{len}"));
        self.bar.set_length(units);
        self.bar.set_position(0);
        self.bar.set_message(rel.to_string());
    }

    /// A step counted in bytes (hashing a whole archive).
    pub fn start_bytes(&self, rel: &str, total: u64) {
        self.bar.set_message(rel.to_string());
        self.bar
            .set_style(style("{wide_msg} {bar:30} {bytes}/{total_bytes} {eta}"));
        self.bar.set_length(total);
        self.bar.set_position(0);
    }

    pub fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// Why a folder cannot be checked at all.
#[derive(Debug)]
pub struct Unusable(pub String);

/// Checks the bundle at `dir`.
pub fn check_dir(dir: &Path, quick: bool, progress: &Progress) -> Result<Report, Unusable> {
    if let Err(e) = std::fs::read_dir(dir) {
        return Err(Unusable(format!("{}: {e}", dir.display())));
    }
    let mut report = Report::new(dir.display().to_string());
    let fat = names::is_fat(dir);
    if fat == Some(true) {
        report.filesystem = Some("FAT".to_string());
    }
    let found = walk::walk(dir);
    let catalog = Catalog::build(dir, Arc::new(ClusterCache::new(CACHE_BYTES)));

    // Archives first: they take the time and matter most.
    for z in &catalog.zims {
        zim::check(&mut report, z, quick, progress);
    }
    for item in &catalog.items {
        progress.start(&item.rel);
        match item.kind {
            Kind::Document => document::check(&mut report, item),
            Kind::Video | Kind::Audio => media::check(&mut report, item),
            Kind::Page => {}
        }
        pages::check(&mut report, &catalog, item);
    }
    let files: Vec<(String, PathBuf)> = found
        .files
        .iter()
        .map(|f| (f.rel.clone(), f.path.clone()))
        .collect();
    subtitles::check(&mut report, &catalog, &files);
    let mut all = files;
    for z in &found.zims {
        let dir_rel = z.rel.rsplit_once('/').map_or("", |(d, _)| d);
        for part in crate::archive::find_parts(&z.path).unwrap_or_default() {
            let name = part
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = if dir_rel.is_empty() {
                name
            } else {
                format!("{dir_rel}/{name}")
            };
            all.push((rel, part));
        }
    }
    names::check(&mut report, &all, fat == Some(true));
    drive_index::check(&mut report, &catalog);
    title_index::check(&mut report, &catalog);
    progress.finish();
    Ok(report)
}

/// Runs `driveshelf check`; returns the exit code.
pub fn run(opts: CheckOptions) -> i32 {
    let lang = opts.lang.unwrap_or(Lang::Ko);
    let Some(dir) = opts.dir.clone().or_else(crate::serve::program_dir) else {
        eprintln!("driveshelf: 폴더를 알 수 없습니다 / cannot tell which folder to check");
        return 2;
    };
    let progress = Progress::new(std::io::stderr().is_terminal());
    let report = match check_dir(&dir, opts.quick, &progress) {
        Ok(r) => r,
        Err(Unusable(why)) => {
            eprintln!("driveshelf: 폴더를 읽을 수 없습니다 / cannot read the folder: {why}");
            return 2;
        }
    };
    let mut out = std::io::stdout().lock();
    let text = if opts.json {
        let mut s = serde_json::to_string_pretty(&report.to_json(lang)).unwrap_or_default();
        s.push('\n');
        s
    } else {
        report.to_text(lang)
    };
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if report.any_damaged() {
        1
    } else {
        0
    }
}
