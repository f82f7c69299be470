//! `driveshelf prepare`: what a tester runs on a drive before it is copied.
//! It writes files of its own onto the drive and never changes one it did
//! not write.
//!
//! Today it writes `index.html` at the top of the drive (`index_html`): a
//! plain page that opens the films, newspapers, recordings and pages in any
//! browser with no program running.
//!
//! Exit codes: 0 done (a file left alone because it is not ours is said,
//! not an error), 1 something could not be written, 2 the folder cannot be
//! used.

pub mod index_html;

use crate::archive::ClusterCache;
use crate::args::PrepareOptions;
use crate::bundle::Catalog;
use std::path::Path;
use std::sync::Arc;

/// Cluster cache while preparing: archives are only named, not read.
const CACHE_BYTES: usize = 4 << 20;

/// What `prepare` did, one line per file it looked after.
#[derive(Debug, Default)]
pub struct Summary {
    pub lines: Vec<String>,
    pub failed: bool,
}

/// Why a folder cannot be prepared at all.
#[derive(Debug)]
pub struct Unusable(pub String);

/// Prepares the bundle at `dir`.
pub fn prepare_dir(dir: &Path) -> Result<Summary, Unusable> {
    if let Err(e) = std::fs::read_dir(dir) {
        return Err(Unusable(format!("{}: {e}", dir.display())));
    }
    let catalog = Catalog::build(dir, Arc::new(ClusterCache::new(CACHE_BYTES)));
    let mut summary = Summary::default();
    match index_html::write(&catalog) {
        Ok(outcome) => summary.lines.push(outcome.describe()),
        Err(e) => {
            summary.failed = true;
            summary.lines.push(format!(
                "index.html: 쓰지 못했습니다 / could not be written: {e}"
            ));
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
    match prepare_dir(&dir) {
        Ok(summary) => {
            for line in &summary.lines {
                println!("{line}");
            }
            i32::from(summary.failed)
        }
        Err(Unusable(why)) => {
            eprintln!("driveshelf: 폴더를 읽을 수 없습니다 / cannot read the folder: {why}");
            2
        }
    }
}
