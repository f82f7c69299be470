//! Directory entries: one per path, found through the path pointer list.

use super::error::{ArchiveError, Result};
use crate::readat::ReadAt;

pub const MIME_REDIRECT: u16 = 0xFFFF;
pub const MIME_LINK_TARGET: u16 = 0xFFFE;
pub const MIME_DELETED: u16 = 0xFFFD;

/// Most dirents fit: a 16-byte head plus path and title.
const FIRST_READ: u64 = 512;
/// A path and a title longer than this are not something a writer produced.
const MAX_DIRENT: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirentKind {
    Content {
        mime: u16,
        cluster: u32,
        blob: u32,
    },
    Redirect {
        target: u32,
    },
    /// Link targets and deleted entries: no content, no target.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirent {
    pub namespace: u8,
    pub path: String,
    /// The stored title, or the path when the stored title is empty.
    pub title: String,
    pub kind: DirentKind,
}

impl Dirent {
    pub fn is_redirect(&self) -> bool {
        matches!(self.kind, DirentKind::Redirect { .. })
    }
}

/// A dirent as stored: byte strings, so sorting compares what the writer sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDirent {
    pub namespace: u8,
    pub path: Vec<u8>,
    /// Empty when the writer stored no title.
    pub title: Vec<u8>,
    pub kind: DirentKind,
}

impl RawDirent {
    /// The title used for sorting and display: the path when none is stored.
    pub fn effective_title(&self) -> &[u8] {
        if self.title.is_empty() {
            &self.path
        } else {
            &self.title
        }
    }

    pub fn into_dirent(self) -> Dirent {
        let path = String::from_utf8_lossy(&self.path).into_owned();
        let title = if self.title.is_empty() {
            path.clone()
        } else {
            String::from_utf8_lossy(&self.title).into_owned()
        };
        Dirent {
            namespace: self.namespace,
            path,
            title,
            kind: self.kind,
        }
    }
}

enum Parsed {
    Done(RawDirent),
    /// The strings run past the bytes read so far.
    NeedMore,
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn parse(buf: &[u8], index: u32) -> Result<Parsed> {
    let bad = |reason| ArchiveError::BadDirent { index, reason };
    let Some(&[m0, m1, param_len, namespace]) = buf.get(..4) else {
        return Ok(Parsed::NeedMore);
    };
    // The 4-byte revision that follows is unused, but must be there.
    if buf.len() < 8 {
        return Ok(Parsed::NeedMore);
    }
    let mime = u16::from_le_bytes([m0, m1]);
    let param_len = usize::from(param_len);
    let (kind, strings_at) = match mime {
        MIME_REDIRECT => match le32(buf, 8) {
            Some(target) => (DirentKind::Redirect { target }, 12),
            None => return Ok(Parsed::NeedMore),
        },
        MIME_LINK_TARGET | MIME_DELETED => (DirentKind::Other, 8),
        _ => match (le32(buf, 8), le32(buf, 12)) {
            (Some(cluster), Some(blob)) => (
                DirentKind::Content {
                    mime,
                    cluster,
                    blob,
                },
                16,
            ),
            _ => return Ok(Parsed::NeedMore),
        },
    };
    if namespace == 0 {
        return Err(bad("has no namespace"));
    }
    let rest = buf.get(strings_at..).unwrap_or_default();
    let Some(path_end) = rest.iter().position(|&b| b == 0) else {
        return Ok(Parsed::NeedMore);
    };
    let after_path = rest.get(path_end + 1..).unwrap_or_default();
    let Some(title_end) = after_path.iter().position(|&b| b == 0) else {
        return Ok(Parsed::NeedMore);
    };
    // The parameter bytes are not used, but a dirent cut short before them
    // means the pointer or the file is wrong.
    if after_path.len() < title_end + 1 + param_len {
        return Ok(Parsed::NeedMore);
    }
    Ok(Parsed::Done(RawDirent {
        namespace,
        path: rest.get(..path_end).unwrap_or_default().to_vec(),
        title: after_path.get(..title_end).unwrap_or_default().to_vec(),
        kind,
    }))
}

/// Reads the dirent stored at `offset`; `index` only names it in errors.
/// Reads a small chunk first and more only when the strings are longer.
pub fn read_dirent(src: &dyn ReadAt, offset: u64, index: u32, end: u64) -> Result<RawDirent> {
    let end = end.min(src.len());
    if offset >= end {
        return Err(ArchiveError::BadDirentPointer { index });
    }
    let available = end - offset;
    let mut want = FIRST_READ.min(available);
    loop {
        let n = usize::try_from(want).map_err(|_| ArchiveError::BadDirent {
            index,
            reason: "is too long",
        })?;
        let mut buf = vec![0u8; n];
        src.read_exact_at(&mut buf, offset)?;
        match parse(&buf, index)? {
            Parsed::Done(d) => return Ok(d),
            Parsed::NeedMore if want >= available => {
                return Err(ArchiveError::BadDirent {
                    index,
                    reason: "runs past the end of the file",
                })
            }
            Parsed::NeedMore if want >= MAX_DIRENT => {
                return Err(ArchiveError::BadDirent {
                    index,
                    reason: "has a path or title that never ends",
                })
            }
            Parsed::NeedMore => want = want.saturating_mul(4).min(available).min(MAX_DIRENT),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn content(ns: u8, path: &str, title: &str, mime: u16, cluster: u32, blob: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&mime.to_le_bytes());
        v.push(0);
        v.push(ns);
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&cluster.to_le_bytes());
        v.extend_from_slice(&blob.to_le_bytes());
        v.extend_from_slice(path.as_bytes());
        v.push(0);
        v.extend_from_slice(title.as_bytes());
        v.push(0);
        v
    }

    pub fn redirect(ns: u8, path: &str, title: &str, target: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&MIME_REDIRECT.to_le_bytes());
        v.push(0);
        v.push(ns);
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&target.to_le_bytes());
        v.extend_from_slice(path.as_bytes());
        v.push(0);
        v.extend_from_slice(title.as_bytes());
        v.push(0);
        v
    }

    #[test]
    fn content_and_redirect() {
        let mut data = content(b'C', "a.html", "", 3, 1, 2);
        let second = data.len() as u64;
        data.extend(redirect(b'C', "b", "Bee", 0));
        let len = data.len() as u64;
        let d = read_dirent(&data, 0, 0, len).unwrap().into_dirent();
        assert_eq!(d.path, "a.html");
        assert_eq!(d.title, "a.html");
        assert_eq!(
            d.kind,
            DirentKind::Content {
                mime: 3,
                cluster: 1,
                blob: 2
            }
        );
        let d = read_dirent(&data, second, 1, len).unwrap().into_dirent();
        assert!(d.is_redirect());
        assert_eq!(d.title, "Bee");
        assert_eq!(d.kind, DirentKind::Redirect { target: 0 });
    }

    #[test]
    fn long_strings_and_params() {
        let long = "x".repeat(3000);
        let mut data = content(b'A', &long, "t", 0, 0, 0);
        data[2] = 5;
        data.extend_from_slice(&[1, 2, 3, 4, 5]);
        let len = data.len() as u64;
        let d = read_dirent(&data, 0, 0, len).unwrap();
        assert_eq!(d.path.len(), 3000);
        // Parameter bytes missing.
        assert!(read_dirent(&data, 0, 0, len - 1).is_err());
    }

    #[test]
    fn lossy_and_other() {
        let mut data = Vec::new();
        data.extend_from_slice(&MIME_DELETED.to_le_bytes());
        data.push(0);
        data.push(b'A');
        data.extend_from_slice(&[0; 4]);
        data.extend_from_slice(b"a\xffb\0\0");
        let d = read_dirent(&data, 0, 0, 100).unwrap().into_dirent();
        assert_eq!(d.kind, DirentKind::Other);
        assert_eq!(d.path, "a\u{fffd}b");
    }

    #[test]
    fn broken() {
        let data = content(b'C', "abc", "def", 3, 1, 2);
        for cut in 0..data.len() {
            assert!(read_dirent(&data[..cut].to_vec(), 0, 0, cut as u64).is_err());
        }
        let endless = {
            let mut d = content(b'C', "", "", 3, 1, 2);
            d.truncate(16);
            d.resize(200_000, b'z');
            d
        };
        let e = read_dirent(&endless, 0, 0, 200_000).unwrap_err();
        assert!(matches!(e, ArchiveError::BadDirent { .. }), "{e}");
        assert!(matches!(
            read_dirent(&data, 1000, 3, 2000),
            Err(ArchiveError::BadDirentPointer { index: 3 })
        ));
    }
}
