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

use super::{Firsts, IndexError, List, TitleIndex, Titles};
use crate::archive::Archive;
use crate::readat::{FileAt, ReadAt};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
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

/// Title indexes of ours in `.driveshelf/titles/` whose archive is not
/// among `zim_rels` (removed or renamed since `prepare`), and temporary
/// files of ours left beside them by a killed run; sorted by name. A file
/// that is not ours is never listed. Names are compared without case: on a
/// FAT drive `A.zim.titles` is the same file as `a.zim.titles`.
pub fn orphans(root: &Path, zim_rels: &[&str]) -> Vec<PathBuf> {
    let dir = root.join(".driveshelf").join("titles");
    if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let live: std::collections::HashSet<String> = zim_rels
        .iter()
        .filter_map(|r| {
            Some(
                path_for(root, r)
                    .file_name()?
                    .to_string_lossy()
                    .to_lowercase(),
            )
        })
        .collect();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        if !e.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let (base, temporary) = match name.split_once(".titles.tmp-") {
            Some((b, pid)) if !pid.is_empty() && pid.bytes().all(|c| c.is_ascii_digit()) => {
                (format!("{b}.titles"), true)
            }
            _ => (name.clone(), false),
        };
        if !base.ends_with(".titles") || live.contains(&base.to_lowercase()) {
            continue;
        }
        if temporary || is_ours(&e.path()) {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

/// Whether the file begins like a title index of ours, of any format.
fn is_ours(path: &Path) -> bool {
    let Ok(f) = FileAt::open(path) else {
        return false;
    };
    let mut head = [0u8; 7];
    f.len() >= 7 && f.read_exact_at(&mut head, 0).is_ok() && &head == b"DSTITLE"
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
        let h = Header::read(&*src, uuid, entry_count)?;
        let list = |at: u64, len: u32| List::Stored {
            src: src.clone(),
            at,
            len,
        };
        let (n, m, k) = (u64::from(h.titles), u64::from(h.words), u64::from(h.inside));
        Ok(TitleIndex {
            titles,
            folded: list(HEAD, h.titles),
            initials: list(HEAD + 4 * n, h.titles),
            words: list(HEAD + 8 * n, h.words),
            inside: list(HEAD + 8 * n + 4 * m, h.inside),
            initials_first: Firsts::Stored {
                src: src.clone(),
                at: HEAD + 4 * (2 * n + m + k),
                len: h.titles,
                loaded: OnceLock::new(),
            },
            trees: Default::default(),
            took: Duration::ZERO,
        })
    }
}

/// What a stored index's header says, once checked against its archive
/// and its own length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub titles: u32,
    pub words: u32,
    pub inside: u32,
}

impl Header {
    /// `Foreign`: not one of ours (left alone by `prepare`); `Stale`: made
    /// for another archive; `Bad`: ours but cut or damaged.
    pub fn read(src: &dyn ReadAt, uuid: [u8; 16], entry_count: u32) -> Result<Header, IndexError> {
        let mut head = [0u8; HEAD as usize];
        if src.len() < MAGIC.len() as u64 {
            return Err(IndexError::Foreign);
        }
        let got = head.len().min(src.len() as usize);
        src.read_exact_at(&mut head[..got], 0)
            .map_err(|e| IndexError::Read(e.to_string()))?;
        if &head[..8] != MAGIC {
            return Err(IndexError::Foreign);
        }
        if got < head.len() {
            return Err(IndexError::Bad("cut short"));
        }
        let u32_at =
            |o: usize| u32::from_le_bytes([head[o], head[o + 1], head[o + 2], head[o + 3]]);
        if head[8..24] != uuid || u32_at(24) != entry_count {
            return Err(IndexError::Stale);
        }
        let h = Header {
            titles: u32_at(28),
            words: u32_at(32),
            inside: u32_at(36),
        };
        if src.len() != h.file_len() {
            return Err(IndexError::Bad("wrong length"));
        }
        Ok(h)
    }

    fn file_len(&self) -> u64 {
        let (n, m, k) = (
            u64::from(self.titles),
            u64::from(self.words),
            u64::from(self.inside),
        );
        HEAD + 4 * (2 * n + m + k) + 2 * n
    }
}

/// Checks the stored index at `path` against archive `a` without loading
/// it (`check` and `prepare`).
pub fn verify(path: &Path, a: &Archive) -> Result<Header, IndexError> {
    let f = FileAt::open(path).map_err(|e| IndexError::Read(e.to_string()))?;
    Header::read(&f, a.uuid(), a.entry_count())
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
    for v in ix.initials_first.all() {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::titleindex::{Order, Result as IxResult};

    #[test]
    fn orphans_are_our_files_of_archives_not_there() {
        let root = std::env::temp_dir().join(format!("driveshelf-orphans-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        assert!(orphans(&root, &[]).is_empty(), "no folder, nothing");
        let dir = root.join(".driveshelf/titles");
        std::fs::create_dir_all(dir.join("sub.titles")).unwrap();
        let put = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        put("wiki~ko.zim.titles", b"DSTITLE2 live");
        put("Gone.zim.titles", b"DSTITLE2 gone");
        put("old.zim.titles", b"DSTITLE1 an older format of ours");
        put("gone.zim.titles.tmp-42", b"");
        put("wiki~ko.zim.titles.tmp-7", b"");
        put("notes.titles", b"someone else's");
        put("x.zim.titles.tmp-abc", b"DSTITLE2");
        put("readme.txt", b"DSTITLE2");
        put("CASE.zim.titles", b"DSTITLE2");
        let found = orphans(&root, &["wiki/ko.zim", "case.zim"]);
        let names: Vec<String> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "Gone.zim.titles",
                "gone.zim.titles.tmp-42",
                "old.zim.titles"
            ]
        );
        let _ = std::fs::remove_dir_all(&root);
    }
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
        assert_eq!(stored.bytes(), 0, "nothing loaded");
        assert_eq!(ix.len(Order::Inside), 5, "한…, 민…, 울…, 특…, 별…");
        stored.initials_first(0);
        assert_eq!(stored.bytes(), 2 * 3, "the first letters, once asked");
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
        assert!(matches!(open([8; 16], 99), Err(IndexError::Stale)));
        assert!(matches!(open([7; 16], 98), Err(IndexError::Stale)));
        for cut in [bytes.len() - 1, 20, 8] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert!(
                matches!(open([7; 16], 99), Err(IndexError::Bad(_))),
                "{cut}"
            );
        }
        // Not ours at all: too short to say, or another file.
        for other in [
            &b"DSTI"[..],
            b"%PDF-1.4 and so on and so forth, long enough",
        ] {
            std::fs::write(&path, other).unwrap();
            assert!(matches!(open([7; 16], 99), Err(IndexError::Foreign)));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    struct Many(Vec<String>);
    impl Titles for Many {
        fn count(&self) -> IxResult<u32> {
            Ok(self.0.len() as u32)
        }
        fn entry(&self, i: u32) -> IxResult<u32> {
            Ok(i)
        }
        fn title(&self, e: u32) -> IxResult<String> {
            self.0
                .get(e as usize)
                .cloned()
                .ok_or(IndexError::Bad("no such entry"))
        }
    }

    /// A stored index is read from the drive: changed bytes anywhere (the
    /// counts, the lists, the first letters) give errors or odd answers,
    /// never a panic.
    #[test]
    fn damaged_files_never_panic() {
        let syll = ['가', '나', '한', '국', '서', '울', '법', 'a', ' '];
        let mut x = 99u64;
        let mut rand = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as usize
        };
        let titles: Vec<String> = (0..300)
            .map(|_| {
                (0..2 + rand() % 8)
                    .map(|_| syll[rand() % syll.len()])
                    .collect()
            })
            .collect();
        let src = Arc::new(Many(titles));
        let ix = TitleIndex::build(src.clone(), &AtomicBool::new(false)).unwrap();
        let mut good = Vec::new();
        write_for(&ix, [3; 16], 300, &mut good).unwrap();
        let dir =
            std::env::temp_dir().join(format!("driveshelf-titles-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.titles");
        let mut opened = 0;
        for round in 0..400 {
            let mut bytes = good.clone();
            for _ in 0..1 + round % 4 {
                // Past the magic and the UUID: the rest is what a damaged
                // file of ours could hold.
                let at = 24 + rand() % (bytes.len() - 24);
                bytes[at] = rand() as u8;
            }
            std::fs::write(&path, &bytes).unwrap();
            let Ok(st) = (Stored { path: path.clone() }).open_for(src.clone(), [3; 16], 300) else {
                continue;
            };
            opened += 1;
            for order in [Order::Folded, Order::Initials, Order::Words, Order::Inside] {
                for q in ["가", "한국", "ㅅㅇ", "a", "법"] {
                    let _ = st.range_prefix(order, q.as_bytes());
                }
                for i in 0..st.len(order).min(400) {
                    let _ = st.entry(order, i);
                    let _ = st.initials_first(i);
                }
            }
        }
        assert!(opened > 100, "{opened}");
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
