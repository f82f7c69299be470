//! The suggestion index as `driveshelf prepare` may store it on the drive, so
//! that a large archive's index is read instead of built: the same lists,
//! read with positional reads (nothing loaded, nothing mapped).
//!
//! Layout (little endian): `DSTITLE1`, the archive's UUID (16 bytes), its
//! entry count, n (titles), m (later words), then the folded order (n × u32),
//! the initials order (n × u32) and the words (m × u32). A file whose UUID,
//! entry count or length does not agree with the archive is ignored.

use super::{IndexError, List, TitleIndex, Titles};
use crate::archive::Archive;
use crate::readat::{FileAt, ReadAt};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const MAGIC: &[u8; 8] = b"DSTITLE1";
const HEAD: u64 = 8 + 16 + 4 + 4 + 4;

/// Where `prepare` puts the index of the archive at `zim_rel` (its path in
/// the bundle): inside the drive's hidden folder.
pub fn path_for(root: &Path, zim_rel: &str) -> PathBuf {
    let flat: String = zim_rel
        .chars()
        .map(|c| if c == '/' || c == '\\' { '~' } else { c })
        .collect();
    root.join(".driveshelf")
        .join("titles")
        .join(format!("{flat}.titles"))
}

/// A stored index found on the drive, not yet checked.
pub struct Stored {
    pub path: PathBuf,
}

impl Stored {
    /// The stored index of `zim_rel`, when the file is there.
    pub fn find(root: &Path, zim_rel: &str) -> Option<Stored> {
        let path = path_for(root, zim_rel);
        path.is_file().then_some(Stored { path })
    }

    pub fn open(self, titles: Arc<dyn Titles>, a: &Archive) -> Result<TitleIndex, IndexError> {
        let f = FileAt::open(&self.path).map_err(|e| IndexError::Read(e.to_string()))?;
        let src: Arc<dyn ReadAt> = Arc::new(f);
        let mut head = [0u8; HEAD as usize];
        src.read_exact_at(&mut head, 0)
            .map_err(|e| IndexError::Read(e.to_string()))?;
        let u32_at =
            |o: usize| u32::from_le_bytes([head[o], head[o + 1], head[o + 2], head[o + 3]]);
        if &head[..8] != MAGIC {
            return Err(IndexError::Bad("not a title index"));
        }
        if head[8..24] != a.uuid() || u32_at(24) != a.entry_count() {
            return Err(IndexError::Bad("made for another archive"));
        }
        let (n, m) = (u32_at(28), u32_at(32));
        let want = HEAD + 4 * (2 * u64::from(n) + u64::from(m));
        if src.len() != want {
            return Err(IndexError::Bad("wrong length"));
        }
        let list = |at: u64, len: u32| List::Stored {
            src: src.clone(),
            at,
            len,
        };
        Ok(TitleIndex {
            titles,
            folded: list(HEAD, n),
            initials: list(HEAD + 4 * u64::from(n), n),
            words: list(HEAD + 8 * u64::from(n), m),
            trees: Default::default(),
            took: Duration::ZERO,
        })
    }
}

/// Writes `ix` (built for `a`) in the stored layout.
pub fn write(ix: &TitleIndex, a: &Archive, w: &mut dyn Write) -> io::Result<()> {
    let bad = |e: IndexError| io::Error::other(e.to_string());
    w.write_all(MAGIC)?;
    w.write_all(&a.uuid())?;
    w.write_all(&a.entry_count().to_le_bytes())?;
    w.write_all(&ix.folded.len().to_le_bytes())?;
    w.write_all(&ix.words.len().to_le_bytes())?;
    for list in [&ix.folded, &ix.initials, &ix.words] {
        for i in 0..list.len() {
            w.write_all(&list.get(i).map_err(bad)?.to_le_bytes())?;
        }
    }
    Ok(())
}
