//! The suggestion index as `driveshelf prepare` may store it on the drive, so
//! that a large archive's index is read instead of built: the same lists,
//! read with positional reads (nothing loaded, nothing mapped).
//!
//! Layout (little endian): `DSTITLE2`, the archive's UUID (16 bytes), its
//! entry count, n (titles), m (later words), k (places inside words), then
//! the folded order (n × u32), the initials order (n × u32), the words
//! (m × u32), the places inside words (k × u32) and the first letters of the
//! initials order (n × u16, read into memory). A file whose UUID,
//! entry count or length does not agree with the archive is ignored.

use super::{IndexError, List, TitleIndex, Titles};
use crate::archive::Archive;
use crate::readat::{FileAt, ReadAt};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const MAGIC: &[u8; 8] = b"DSTITLE2";
const HEAD: u64 = 8 + 16 + 4 + 4 + 4 + 4;

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

    /// Opens the stored index for archive `a`, after checking it was made
    /// for it.
    pub fn open(self, titles: Arc<dyn Titles>, a: &Archive) -> Result<TitleIndex, IndexError> {
        self.open_for(titles, a.uuid(), a.entry_count())
    }

    fn open_for(
        self,
        titles: Arc<dyn Titles>,
        uuid: [u8; 16],
        entry_count: u32,
    ) -> Result<TitleIndex, IndexError> {
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
        if head[8..24] != uuid || u32_at(24) != entry_count {
            return Err(IndexError::Bad("made for another archive"));
        }
        let (n, m, k) = (u32_at(28), u32_at(32), u32_at(36));
        let firsts_at = HEAD + 4 * (2 * u64::from(n) + u64::from(m) + u64::from(k));
        let want = firsts_at + 2 * u64::from(n);
        if src.len() != want {
            return Err(IndexError::Bad("wrong length"));
        }
        let list = |at: u64, len: u32| List::Stored {
            src: src.clone(),
            at,
            len,
        };
        let mut raw = vec![0u8; 2 * n as usize];
        src.read_exact_at(&mut raw, firsts_at)
            .map_err(|e| IndexError::Read(e.to_string()))?;
        let initials_first = raw
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        Ok(TitleIndex {
            titles,
            folded: list(HEAD, n),
            initials: list(HEAD + 4 * u64::from(n), n),
            words: list(HEAD + 8 * u64::from(n), m),
            inside: list(HEAD + 8 * u64::from(n) + 4 * u64::from(m), k),
            initials_first,
            trees: Default::default(),
            took: Duration::ZERO,
        })
    }
}

/// Writes `ix` (built for `a`) in the stored layout: what `prepare` calls.
pub fn write(ix: &TitleIndex, a: &Archive, w: &mut dyn Write) -> io::Result<()> {
    write_for(ix, a.uuid(), a.entry_count(), w)
}

fn write_for(
    ix: &TitleIndex,
    uuid: [u8; 16],
    entry_count: u32,
    w: &mut dyn Write,
) -> io::Result<()> {
    let bad = |e: IndexError| io::Error::other(e.to_string());
    w.write_all(MAGIC)?;
    w.write_all(&uuid)?;
    w.write_all(&entry_count.to_le_bytes())?;
    w.write_all(&ix.folded.len().to_le_bytes())?;
    w.write_all(&ix.words.len().to_le_bytes())?;
    w.write_all(&ix.inside.len().to_le_bytes())?;
    for list in [&ix.folded, &ix.initials, &ix.words, &ix.inside] {
        for i in 0..list.len() {
            w.write_all(&list.get(i).map_err(bad)?.to_le_bytes())?;
        }
    }
    for v in ix.initials_first.iter() {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::titleindex::{Order, Result as IxResult};
    use std::sync::atomic::AtomicBool;

    struct Two;
    impl Titles for Two {
        fn count(&self) -> IxResult<u32> {
            Ok(3)
        }
        fn entry(&self, i: u32) -> IxResult<u32> {
            Ok(i)
        }
        fn title(&self, e: u32) -> IxResult<String> {
            Ok(["대한민국 헌법", "서울특별시", "K-pop"][e as usize].to_string())
        }
    }

    #[test]
    fn written_then_read_with_positional_reads() {
        let ix = TitleIndex::build(Arc::new(Two), &AtomicBool::new(false)).unwrap();
        let mut bytes = Vec::new();
        write_for(&ix, [7; 16], 99, &mut bytes).unwrap();
        let dir = std::env::temp_dir().join(format!("driveshelf-titles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.titles");
        std::fs::write(&path, &bytes).unwrap();
        let open = |uuid, count| Stored { path: path.clone() }.open_for(Arc::new(Two), uuid, count);
        let stored = open([7; 16], 99).unwrap();
        assert_eq!(stored.bytes(), 2 * 3, "only the first letters loaded");
        assert_eq!(ix.len(Order::Inside), 5, "한…, 민…, 울…, 특…, 별…");
        for order in [Order::Folded, Order::Initials, Order::Words, Order::Inside] {
            assert_eq!(stored.len(order), ix.len(order));
            for i in 0..ix.len(order) {
                assert_eq!(stored.entry(order, i).unwrap(), ix.entry(order, i).unwrap());
                assert_eq!(stored.initials_first(i), ix.initials_first(i));
            }
        }
        let (lo, hi) = stored
            .range_prefix(Order::Initials, "ㄷㅎ".as_bytes())
            .unwrap();
        assert_eq!(
            (hi - lo, stored.entry(Order::Initials, lo).unwrap()),
            (1, 0)
        );
        // Another archive, or a cut file: not used.
        assert!(open([8; 16], 99).is_err());
        assert!(open([7; 16], 98).is_err());
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(open([7; 16], 99).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hidden_folder_path() {
        let p = path_for(Path::new("/drive"), "wikipedia/ko.zim");
        assert_eq!(
            p,
            Path::new("/drive/.driveshelf/titles/wikipedia~ko.zim.titles")
        );
    }
}
