//! Test support: opens the full-text index of a ZIM file in place through
//! the archive reader, as the server does.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use driveshelf::archive::{Archive, ClusterCache};
use driveshelf::readat::ReadAt;

pub struct Opened {
    pub index: Arc<dyn ReadAt>,
    pub language: String,
    pub new_namespace_scheme: bool,
}

/// The full-text database window of `zim` and what the index needs to know
/// about the archive.
pub fn open_fulltext(zim: &Path) -> Option<Opened> {
    let archive = Archive::open(zim, Arc::new(ClusterCache::new(1 << 20))).ok()?;
    let index: Arc<dyn ReadAt> = Arc::new(archive.fulltext_index()?);
    Some(Opened {
        index,
        language: archive.metadata_text("Language").unwrap_or_default(),
        new_namespace_scheme: archive.has_new_namespace_scheme(),
    })
}

pub fn fulltext_window(zim: &Path) -> Option<Arc<dyn ReadAt>> {
    open_fulltext(zim).map(|o| o.index)
}

/// The shared test material beside the repository, if present.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}
