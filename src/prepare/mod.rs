//! `driveshelf prepare`: what a tester runs on a drive before it is copied.
//! It writes files of its own into one hidden folder at the top of the
//! drive, `.driveshelf/`, and never changes or deletes a file it did not
//! write. Each product is written to a temporary name in that folder and
//! renamed into place when whole, so Ctrl-C or a pulled drive leaves the
//! previous one as it was.
//!
//! Products today: the search index (`search_index`: newspapers' pages,
//! subtitles, pages, descriptions), the archives' title indexes for
//! suggestions (`titles`), and `index.html` at the top of the drive
//! (`index_html`): the plain page that opens the films, newspapers,
//! recordings and pages with no program running — the one file outside the
//! hidden folder, written only over an `index.html` of its own.
//!
//! Exit codes: 0 done (files skipped for damage are reported, not an
//! error), 1 something could not be written, 2 the folder cannot be used,
//! 130 stopped by Ctrl-C.

pub mod index_html;
pub mod search_index;
pub mod titles;

use crate::archive::ClusterCache;
use crate::args::PrepareOptions;
use crate::bundle::Catalog;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Cluster cache while preparing: archives are only named, not read.
const CACHE_BYTES: usize = 4 << 20;

/// What `prepare` did, in lines for the tester.
#[derive(Debug, Default)]
pub struct Summary {
    pub lines: Vec<String>,
    pub failed: bool,
    pub interrupted: bool,
}

/// Why a folder cannot be prepared at all.
#[derive(Debug)]
pub struct Unusable(pub String);

/// Prepares the bundle at `dir`; `stop` is set by Ctrl-C.
pub fn prepare_dir(dir: &Path, stop: &AtomicBool, progress: bool) -> Result<Summary, Unusable> {
    if let Err(e) = std::fs::read_dir(dir) {
        return Err(Unusable(format!("{}: {e}", dir.display())));
    }
    let catalog = Catalog::build(dir, Arc::new(ClusterCache::new(CACHE_BYTES)));
    let mut summary = Summary::default();
    match search_index::write(&catalog, stop, progress) {
        Ok(report) => {
            summary.interrupted = report.interrupted;
            summary.lines.extend(report.lines());
        }
        Err(e) => {
            summary.failed = true;
            summary.lines.push(format!(
                "{}: 쓰지 못했습니다 / could not be written: {e}",
                search_index::display_path()
            ));
        }
    }
    // The archives' title indexes (suggestions): `titles`.
    if !summary.interrupted {
        match titles::write(&catalog, stop, progress) {
            Ok(report) => {
                summary.interrupted = report.interrupted;
                summary.failed |= report.failed();
                summary.lines.extend(report.lines());
            }
            Err(e) => {
                summary.failed = true;
                summary.lines.push(format!(
                    "{}: 쓰지 못했습니다 / could not be written: {e}",
                    titles::display_dir()
                ));
            }
        }
    }
    if !summary.interrupted {
        match index_html::write(&catalog) {
            Ok(outcome) => summary.lines.push(outcome.describe()),
            Err(e) => {
                summary.failed = true;
                summary.lines.push(format!(
                    "index.html: 쓰지 못했습니다 / could not be written: {e}"
                ));
            }
        }
    }
    Ok(summary)
}

/// Runs `driveshelf prepare`; returns the exit code.
pub fn run(opts: PrepareOptions) -> i32 {
    let Some(dir) = opts.dir.clone().or_else(crate::serve::program_dir) else {
        eprintln!("driveshelf: 폴더를 알 수 없습니다 / cannot tell which folder to prepare");
        return 2;
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match prepare_dir(&dir, &stop, progress) {
        Ok(summary) => {
            for line in &summary.lines {
                println!("{line}");
            }
            if summary.interrupted {
                130
            } else {
                i32::from(summary.failed)
            }
        }
        Err(Unusable(why)) => {
            eprintln!("driveshelf: 폴더를 읽을 수 없습니다 / cannot read the folder: {why}");
            2
        }
    }
}
