//! The fixed 80-byte header at the start of every ZIM file, and the MIME type
//! list that follows it.

use super::error::{ArchiveError, Result};
use crate::readat::ReadAt;

pub const HEADER_LEN: u64 = 80;
const MAGIC: u32 = 72_173_914;
/// Marks an absent main or layout page.
pub const NO_PAGE: u32 = 0xFFFF_FFFF;
/// 6.3 writers store no title pointer list in the header.
pub const NO_TITLE_LIST: u64 = u64::MAX;

/// Real MIME types are short; a longer string means the list is garbage.
const MAX_MIME_LEN: usize = 512;
/// Dirents store the type as a u16 below the three reserved values.
const MAX_MIME_TYPES: usize = 0xFFFD;
/// The list is read in chunks so a normal archive costs one small read.
const MIME_CHUNK: usize = 1024;
/// Upper bound for the whole list (≈ 0xFFFD types of ~40 bytes would not fit
/// an archive anyone writes; libzim reads far less).
const MAX_MIME_LIST_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub major: u16,
    pub minor: u16,
    pub uuid: [u8; 16],
    pub entry_count: u32,
    pub cluster_count: u32,
    pub path_ptr_pos: u64,
    pub title_ptr_pos: u64,
    pub cluster_ptr_pos: u64,
    pub mime_list_pos: u64,
    pub main_page: u32,
    pub layout_page: u32,
    pub checksum_pos: u64,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    let mut a = [0u8; 2];
    if let Some(s) = b.get(at..at + 2) {
        a.copy_from_slice(s);
    }
    u16::from_le_bytes(a)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

impl Header {
    /// Parses the raw header bytes; checks only what the bytes alone can tell.
    pub fn parse(b: &[u8; 80]) -> Result<Header> {
        if u32_at(b, 0) != MAGIC {
            return Err(ArchiveError::NotZim);
        }
        let mut uuid = [0u8; 16];
        uuid.copy_from_slice(&b[8..24]);
        let h = Header {
            major: u16_at(b, 4),
            minor: u16_at(b, 6),
            uuid,
            entry_count: u32_at(b, 24),
            cluster_count: u32_at(b, 28),
            path_ptr_pos: u64_at(b, 32),
            title_ptr_pos: u64_at(b, 40),
            cluster_ptr_pos: u64_at(b, 48),
            mime_list_pos: u64_at(b, 56),
            main_page: u32_at(b, 64),
            layout_page: u32_at(b, 68),
            checksum_pos: u64_at(b, 72),
        };
        if h.major != 5 && h.major != 6 {
            return Err(ArchiveError::UnsupportedVersion {
                major: h.major,
                minor: h.minor,
            });
        }
        // Both libzim and every writer put the list right after the header;
        // older layouts (72) carry no checksum and are not supported.
        if h.mime_list_pos != HEADER_LEN {
            return Err(ArchiveError::BadMimeListPos(h.mime_list_pos));
        }
        Ok(h)
    }

    pub fn read(src: &dyn ReadAt) -> Result<Header> {
        let len = src.len();
        if len < HEADER_LEN {
            return Err(ArchiveError::TooSmall { len });
        }
        let mut b = [0u8; 80];
        src.read_exact_at(&mut b, 0)?;
        Header::parse(&b)
    }

    /// libzim decides by the minor version alone (`Fileheader::
    /// useNewNamespaceScheme`): a file that says 5.1 uses the new scheme too,
    /// and one that says 6.0 the old one.
    pub fn has_new_namespace_scheme(&self) -> bool {
        self.minor >= 1
    }

    /// Checks that every table the header points to lies inside a file of
    /// `len` bytes. O(1): the tables themselves are not read.
    pub fn check_layout(&self, len: u64) -> Result<()> {
        // The MD5 checksum is always the last 16 bytes: a file that was cut
        // short (an interrupted copy) fails here, before anything else.
        match self.checksum_pos.checked_add(16) {
            Some(expected) if expected == len => {}
            Some(expected) if expected > len => {
                return Err(ArchiveError::Truncated { expected, len });
            }
            _ => {
                return Err(ArchiveError::BadSize {
                    checksum_pos: self.checksum_pos,
                    len,
                })
            }
        }
        let end = self.checksum_pos;
        table_inside(
            "entry pointer list",
            self.path_ptr_pos,
            self.entry_count,
            8,
            end,
        )?;
        table_inside(
            "cluster pointer list",
            self.cluster_ptr_pos,
            self.cluster_count,
            8,
            end,
        )?;
        // New-scheme readers use X/listing/titleOrdered/v1 and never look at
        // the header's list, so damage there must not refuse the archive.
        if !self.has_new_namespace_scheme() && self.title_ptr_pos != NO_TITLE_LIST {
            table_inside(
                "title pointer list",
                self.title_ptr_pos,
                self.entry_count,
                4,
                end,
            )?;
        }
        Ok(())
    }

    /// Where the MIME list must end at the latest: the first table after it.
    fn mime_list_limit(&self) -> u64 {
        let mut limit = self.checksum_pos;
        for pos in [self.path_ptr_pos, self.cluster_ptr_pos, self.title_ptr_pos] {
            if pos > HEADER_LEN && pos < limit {
                limit = pos;
            }
        }
        limit.min(HEADER_LEN.saturating_add(MAX_MIME_LIST_BYTES))
    }

    /// Reads the NUL-terminated MIME types that end with an empty string.
    pub fn read_mime_list(&self, src: &dyn ReadAt) -> Result<Vec<String>> {
        let limit = self.mime_list_limit().min(src.len());
        let mut types = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        let mut pos = HEADER_LEN;
        let mut chunk = vec![0u8; MIME_CHUNK];
        while pos < limit {
            let n = usize::try_from((limit - pos).min(MIME_CHUNK as u64)).unwrap_or(MIME_CHUNK);
            let buf = chunk.get_mut(..n).unwrap_or_default();
            src.read_exact_at(buf, pos)?;
            for &byte in buf.iter() {
                if byte != 0 {
                    if !(0x20..0x7F).contains(&byte) {
                        return Err(ArchiveError::BadMimeList(
                            "a MIME type contains a character that is not plain text",
                        ));
                    }
                    current.push(byte);
                    if current.len() > MAX_MIME_LEN {
                        return Err(ArchiveError::BadMimeList(
                            "a MIME type is far too long (no end marker)",
                        ));
                    }
                } else if current.is_empty() {
                    return Ok(types);
                } else {
                    types.push(String::from_utf8_lossy(&current).into_owned());
                    current.clear();
                    if types.len() > MAX_MIME_TYPES {
                        return Err(ArchiveError::BadMimeList("it has too many entries"));
                    }
                }
            }
            pos += n as u64;
        }
        Err(ArchiveError::BadMimeList("it has no end marker"))
    }
}

fn table_inside(what: &'static str, pos: u64, count: u32, width: u64, end: u64) -> Result<()> {
    let table_end = u64::from(count)
        .checked_mul(width)
        .and_then(|size| pos.checked_add(size));
    match table_end {
        Some(t) if pos >= HEADER_LEN && t <= end => Ok(()),
        _ => Err(ArchiveError::TableOutside {
            what,
            end: table_end.unwrap_or(u64::MAX),
            limit: end,
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A header with every field set, as test archives need it.
    pub fn header_bytes(h: &Header) -> [u8; 80] {
        let mut b = [0u8; 80];
        b[0..4].copy_from_slice(&MAGIC.to_le_bytes());
        b[4..6].copy_from_slice(&h.major.to_le_bytes());
        b[6..8].copy_from_slice(&h.minor.to_le_bytes());
        b[8..24].copy_from_slice(&h.uuid);
        b[24..28].copy_from_slice(&h.entry_count.to_le_bytes());
        b[28..32].copy_from_slice(&h.cluster_count.to_le_bytes());
        b[32..40].copy_from_slice(&h.path_ptr_pos.to_le_bytes());
        b[40..48].copy_from_slice(&h.title_ptr_pos.to_le_bytes());
        b[48..56].copy_from_slice(&h.cluster_ptr_pos.to_le_bytes());
        b[56..64].copy_from_slice(&h.mime_list_pos.to_le_bytes());
        b[64..68].copy_from_slice(&h.main_page.to_le_bytes());
        b[68..72].copy_from_slice(&h.layout_page.to_le_bytes());
        b[72..80].copy_from_slice(&h.checksum_pos.to_le_bytes());
        b
    }

    fn sample() -> Header {
        Header {
            major: 6,
            minor: 1,
            uuid: [7; 16],
            entry_count: 2,
            cluster_count: 1,
            path_ptr_pos: 150,
            title_ptr_pos: 166,
            cluster_ptr_pos: 174,
            mime_list_pos: 80,
            main_page: NO_PAGE,
            layout_page: NO_PAGE,
            checksum_pos: 200,
        }
    }

    #[test]
    fn namespace_scheme_follows_the_minor_version() {
        for (major, minor, new) in [
            (5, 0, false),
            (5, 1, true),
            (5, 2, true),
            (6, 0, false),
            (6, 1, true),
            (6, 3, true),
        ] {
            let mut h = sample();
            h.major = major;
            h.minor = minor;
            let parsed = Header::parse(&header_bytes(&h)).unwrap();
            assert_eq!(parsed.has_new_namespace_scheme(), new, "{major}.{minor}");
        }
    }

    #[test]
    fn roundtrip() {
        let h = sample();
        assert_eq!(Header::parse(&header_bytes(&h)).unwrap(), h);
        assert!(h.has_new_namespace_scheme());
        h.check_layout(216).unwrap();
    }

    #[test]
    fn rejects() {
        let mut b = header_bytes(&sample());
        b[0] ^= 1;
        assert!(matches!(Header::parse(&b), Err(ArchiveError::NotZim)));

        let mut h = sample();
        h.major = 4;
        assert!(matches!(
            Header::parse(&header_bytes(&h)),
            Err(ArchiveError::UnsupportedVersion { .. })
        ));
        let mut h = sample();
        h.mime_list_pos = 72;
        assert!(matches!(
            Header::parse(&header_bytes(&h)),
            Err(ArchiveError::BadMimeListPos(72))
        ));

        let h = sample();
        let e = h.check_layout(215).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        assert!(matches!(
            h.check_layout(300),
            Err(ArchiveError::BadSize { .. })
        ));
        let mut h = sample();
        h.cluster_ptr_pos = 195;
        assert!(matches!(
            h.check_layout(216),
            Err(ArchiveError::TableOutside { .. })
        ));
        let mut h = sample();
        h.path_ptr_pos = u64::MAX - 3;
        assert!(h.check_layout(216).is_err());
        let mut h = sample();
        h.entry_count = u32::MAX;
        assert!(h.check_layout(216).is_err());
        // New scheme ignores the header title list, old scheme checks it.
        let mut h = sample();
        h.title_ptr_pos = 10_000;
        h.check_layout(216).unwrap();
        h.minor = 0;
        assert!(h.check_layout(216).is_err());
        h.title_ptr_pos = NO_TITLE_LIST;
        h.check_layout(216).unwrap();
    }

    #[test]
    fn too_small() {
        let data = vec![0u8; 40];
        assert!(matches!(
            Header::read(&data),
            Err(ArchiveError::TooSmall { len: 40 })
        ));
    }

    #[test]
    fn mime_list() {
        let h = sample();
        let mut data = header_bytes(&h).to_vec();
        data.extend_from_slice(b"text/html\0image/png\0\0");
        data.resize(216, 0);
        assert_eq!(
            h.read_mime_list(&data).unwrap(),
            vec!["text/html".to_string(), "image/png".to_string()]
        );

        // No terminator before the first table.
        let mut data = header_bytes(&h).to_vec();
        data.resize(216, b'a');
        assert!(matches!(
            h.read_mime_list(&data),
            Err(ArchiveError::BadMimeList(_))
        ));
    }
}
