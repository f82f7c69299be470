//! Split archives: `name.zimaa`, `name.zimab`, … read as one file.
//!
//! FAT32 sticks cannot hold files over 4 GiB, so big archives come in parts.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::readat::{FileAt, ReadAt};

/// Several sources seen end to end as one.
pub struct MultiFile {
    parts: Vec<Arc<dyn ReadAt>>,
    /// Offset of each part in the joined source.
    starts: Vec<u64>,
    len: u64,
}

impl MultiFile {
    pub fn new(parts: Vec<Arc<dyn ReadAt>>) -> io::Result<MultiFile> {
        let mut starts = Vec::with_capacity(parts.len());
        let mut len: u64 = 0;
        for p in &parts {
            starts.push(len);
            len = len.checked_add(p.len()).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "parts longer than u64")
            })?;
        }
        Ok(MultiFile { parts, starts, len })
    }

    /// Opens the files in order.
    pub fn open(paths: &[PathBuf]) -> io::Result<MultiFile> {
        let mut parts: Vec<Arc<dyn ReadAt>> = Vec::with_capacity(paths.len());
        for p in paths {
            parts.push(Arc::new(FileAt::open(p)?));
        }
        MultiFile::new(parts)
    }

    /// The part holding all of `[offset, offset + len)` and the offset inside
    /// it, when the range does not cross a part boundary.
    pub fn part_for(&self, offset: u64, len: u64) -> Option<(Arc<dyn ReadAt>, u64)> {
        let end = offset.checked_add(len)?;
        let i = self
            .starts
            .partition_point(|&s| s <= offset)
            .checked_sub(1)?;
        // Zero-length parts share their start with the next one.
        for (p, &start) in self.parts.get(i..)?.iter().zip(self.starts.get(i..)?) {
            let local = offset.checked_sub(start)?;
            let local_end = end - start;
            if local_end <= p.len() && (local < p.len() || len == 0) {
                return Some((p.clone(), local));
            }
            if local < p.len() {
                return None;
            }
        }
        None
    }
}

impl ReadAt for MultiFile {
    fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
        match offset.checked_add(buf.len() as u64) {
            Some(end) if end <= self.len => {}
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "read past the end of the split archive",
                ))
            }
        }
        let mut i = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        while !buf.is_empty() {
            let (Some(part), Some(&start)) = (self.parts.get(i), self.starts.get(i)) else {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "read past the last part",
                ));
            };
            let local = offset - start;
            let avail = part.len().saturating_sub(local);
            if avail == 0 {
                i += 1;
                continue;
            }
            let n = usize::try_from(avail).unwrap_or(usize::MAX).min(buf.len());
            let (now, rest) = buf.split_at_mut(n);
            part.read_exact_at(now, local)?;
            buf = rest;
            offset += n as u64;
            i += 1;
        }
        Ok(())
    }

    fn len(&self) -> u64 {
        self.len
    }
}

/// `x.zimaa` → `x.zimab`: two lowercase letters, counting like libzim's parts.
fn part_name(base: &Path, n: usize) -> Option<PathBuf> {
    if n >= 26 * 26 {
        return None;
    }
    let a = char::from(b'a' + (n / 26) as u8);
    let b = char::from(b'a' + (n % 26) as u8);
    let mut s = base.as_os_str().to_owned();
    s.push(format!("{a}{b}"));
    Some(PathBuf::from(s))
}

/// The files making up the archive named by `path`: `[path]` for a whole
/// file, the parts in order for `x.zimaa` or for `x.zim` when only its parts
/// exist. `None` when nothing is there.
pub fn find_parts(path: &Path) -> Option<Vec<PathBuf>> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let base = if name.ends_with(".zimaa") && path.is_file() {
        let s = path.as_os_str().to_string_lossy();
        PathBuf::from(s.get(..s.len() - 2)?)
    } else if path.is_file() {
        return Some(vec![path.to_path_buf()]);
    } else {
        path.to_path_buf()
    };
    let mut parts = Vec::new();
    for n in 0.. {
        let Some(p) = part_name(&base, n) else { break };
        if !p.is_file() {
            break;
        }
        parts.push(p);
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(sizes: &[usize]) -> (MultiFile, Vec<u8>) {
        let mut all = Vec::new();
        let mut parts: Vec<Arc<dyn ReadAt>> = Vec::new();
        let mut next = 0u8;
        for &s in sizes {
            let p: Vec<u8> = (0..s)
                .map(|_| {
                    next = next.wrapping_add(1);
                    next
                })
                .collect();
            all.extend_from_slice(&p);
            parts.push(Arc::new(p));
        }
        (MultiFile::new(parts).unwrap(), all)
    }

    #[test]
    fn reads_across_boundaries() {
        let (m, all) = joined(&[10, 0, 3, 7, 0]);
        assert_eq!(m.len(), 20);
        for start in 0..=20usize {
            for len in 0..=(20 - start) {
                let mut buf = vec![0u8; len];
                m.read_exact_at(&mut buf, start as u64).unwrap();
                assert_eq!(buf, all[start..start + len], "{start}+{len}");
            }
        }
        let mut b = [0u8; 2];
        assert!(m.read_exact_at(&mut b, 19).is_err());
        assert!(m.read_exact_at(&mut b, u64::MAX).is_err());
    }

    #[test]
    fn part_for_ranges() {
        let (m, _) = joined(&[10, 0, 3, 7]);
        let (p, local) = m.part_for(2, 8).unwrap();
        assert_eq!((p.len(), local), (10, 2));
        assert!(m.part_for(8, 3).is_none());
        let (p, local) = m.part_for(10, 3).unwrap();
        assert_eq!((p.len(), local), (3, 0));
        let (p, local) = m.part_for(14, 6).unwrap();
        assert_eq!((p.len(), local), (7, 1));
        assert!(m.part_for(14, 7).is_none());
    }

    #[test]
    fn names() {
        let base = Path::new("/x/y.zim");
        assert_eq!(part_name(base, 0).unwrap(), Path::new("/x/y.zimaa"));
        assert_eq!(part_name(base, 27).unwrap(), Path::new("/x/y.zimbb"));
        assert!(part_name(base, 676).is_none());
        assert!(find_parts(Path::new("/nonexistent/q.zim")).is_none());
    }
}
