//! The drive index as `prepare` writes it onto the drive:
//! `.driveshelf/search.index`, one file.
//!
//! Layout (little endian): `DSSEARCH`, version (u32), the length of the
//! tables (u64) and of the blob (u64); the tables (files, units, text
//! blocks, terms; varints and length-prefixed strings); the blob (each
//! term's postings bit-packed, then the units' text in zstd blocks); the
//! MD5 of everything before it (16 bytes). The server checks the length and
//! the MD5 and every offset before it uses a byte of it, then keeps the
//! tables in memory and reads the blob with positional reads (no map: a
//! pulled drive gives an error, not a crash).
//!
//! Version 4 (this one) also indexes each word of Latin and Hangul run
//! together whole (`xetex이라는`), for ranking; version 3 read
//! compatibility characters as their letters (㎉ as "kcal"). The terms
//! changed each time, so an older index would miss words the program now
//! looks for. Version 2 packed postings and text; version 1 stored both
//! plainly. An index of an older version is ours but not read: `check`
//! calls it out of date, the server reads the drive itself, `prepare`
//! writes it anew.

use super::blocks::{self, BlockRec};
use super::segment::{
    damaged, read_varint, write_varint, ItemKind, Outcome, Role, Segment, SourceRec, TermRec,
    UnitRec,
};
use crate::readat::{FileAt, ReadAt, Window};
use md5::{Digest, Md5};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Our one hidden folder at the top of the drive.
pub const DIR: &str = ".driveshelf";
/// The drive index inside it.
pub const FILE: &str = "search.index";
const MAGIC: &[u8; 8] = b"DSSEARCH";
const VERSION: u32 = 4;
const HEAD: u64 = 8 + 4 + 8 + 8;
/// Tables larger than this are not read into memory.
const MAX_TABLES: u64 = 256 << 20;

pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

#[derive(Debug)]
pub enum StoreError {
    Io(io::Error),
    /// Not our index, or a version newer than this program reads.
    Foreign(String),
    /// Ours, written by an older driveshelf in a format no longer read
    /// (its version).
    Old(u32),
    /// Cut short, a flipped bit, an offset out of range.
    Damaged(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io(e) => write!(f, "cannot be read: {e}"),
            StoreError::Foreign(m) => write!(f, "not an index this program reads: {m}"),
            StoreError::Old(v) => write!(f, "written by an older driveshelf (format {v})"),
            StoreError::Damaged(m) => write!(f, "damaged: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<io::Error> for StoreError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::UnexpectedEof {
            StoreError::Damaged(e.to_string())
        } else {
            StoreError::Io(e)
        }
    }
}

/// The prepared index of the drive at `root`, checked; `None` when there is
/// none.
pub fn open(root: &Path) -> Result<Option<Segment>, StoreError> {
    let p = path(root);
    match std::fs::metadata(&p) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::Io(e)),
        Ok(_) => {}
    }
    open_file(&p).map(Some)
}

/// Reads and checks the index file at `p`.
pub fn open_file(p: &Path) -> Result<Segment, StoreError> {
    open_read(Arc::new(FileAt::open(p)?))
}

/// Reads and checks an index from `file` (what `open_file` does once the
/// file is open; the fuzz target `drive_index` calls it on any bytes).
pub fn open_read(file: Arc<dyn ReadAt>) -> Result<Segment, StoreError> {
    let len = file.len();
    if len < HEAD + 16 {
        return Err(StoreError::Damaged("shorter than its header".into()));
    }
    let mut head = [0u8; HEAD as usize];
    file.read_exact_at(&mut head, 0)?;
    if &head[..8] != MAGIC {
        return Err(StoreError::Foreign("no DSSEARCH mark".into()));
    }
    let version = u32::from_le_bytes(head[8..12].try_into().unwrap_or_default());
    if (1..VERSION).contains(&version) {
        return Err(StoreError::Old(version));
    }
    if version != VERSION {
        return Err(StoreError::Foreign(format!("version {version}")));
    }
    let tables_len = u64::from_le_bytes(head[12..20].try_into().unwrap_or_default());
    let blob_len = u64::from_le_bytes(head[20..28].try_into().unwrap_or_default());
    let expected = HEAD
        .checked_add(tables_len)
        .and_then(|v| v.checked_add(blob_len))
        .and_then(|v| v.checked_add(16));
    if expected != Some(len) || tables_len > MAX_TABLES {
        return Err(StoreError::Damaged(format!(
            "its length ({len} bytes) does not match its header"
        )));
    }
    verify_md5(&*file, len - 16)?;
    let tables_len = usize::try_from(tables_len).map_err(|_| damaged())?;
    let mut tables = vec![0u8; tables_len];
    file.read_exact_at(&mut tables, HEAD)?;
    let blob: Arc<dyn ReadAt> = Arc::new(Window::new(file, HEAD + tables_len as u64, blob_len)?);
    decode(&tables, blob).map_err(|e| StoreError::Damaged(e.to_string()))
}

/// Makes the header's version (this one), blob length and checksum agree
/// with `bytes` (anything long enough for a header and a checksum): what a
/// damaged file that still passes the first checks looks like. For the fuzz
/// target and tests, so that changed bytes reach the tables and the blob.
#[doc(hidden)]
pub fn reseal(bytes: &mut [u8]) {
    let len = bytes.len() as u64;
    if len < HEAD + 16 {
        return;
    }
    let tables_len = bytes
        .get(12..20)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
        .min(len - HEAD - 16);
    let blob_len = len - HEAD - 16 - tables_len;
    if let Some(v) = bytes.get_mut(8..12) {
        v.copy_from_slice(&VERSION.to_le_bytes());
    }
    if let Some(b) = bytes.get_mut(12..28) {
        b[..8].copy_from_slice(&tables_len.to_le_bytes());
        b[8..].copy_from_slice(&blob_len.to_le_bytes());
    }
    let end = bytes.len() - 16;
    let digest = Md5::digest(&bytes[..end]);
    bytes[end..].copy_from_slice(&digest);
}

fn verify_md5(file: &dyn ReadAt, end: u64) -> Result<(), StoreError> {
    let mut h = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = 0u64;
    while pos < end {
        let n = usize::try_from((end - pos).min(buf.len() as u64)).unwrap_or(buf.len());
        let chunk = buf.get_mut(..n).ok_or_else(damaged)?;
        file.read_exact_at(chunk, pos)?;
        h.update(&*chunk);
        pos += n as u64;
    }
    let mut stored = [0u8; 16];
    file.read_exact_at(&mut stored, end)?;
    if h.finalize().as_slice() != stored {
        return Err(StoreError::Damaged("checksum does not match".into()));
    }
    Ok(())
}

/// The whole file for `seg`.
pub fn encode(seg: &Segment) -> io::Result<Vec<u8>> {
    let mut t = Vec::new();
    write_varint(&mut t, seg.sources.len() as u64);
    for s in &seg.sources {
        put_str(&mut t, &s.rel);
        put_str(&mut t, &s.item_rel);
        t.push(s.kind as u8);
        t.push(s.role as u8);
        write_varint(&mut t, s.size);
        write_varint(&mut t, zigzag(s.mtime));
        put_str(&mut t, &s.lang);
        match &s.outcome {
            Outcome::Indexed => t.push(0),
            Outcome::NoText => t.push(1),
            Outcome::Failed { code, message } => {
                t.push(2);
                put_str(&mut t, code);
                put_str(&mut t, message);
            }
        }
    }
    write_varint(&mut t, seg.units.len() as u64);
    for u in &seg.units {
        write_varint(&mut t, u64::from(u.source));
        write_varint(&mut t, u64::from(u.loc));
        write_varint(&mut t, u64::from(u.len));
        write_varint(&mut t, u64::from(u.block));
        write_varint(&mut t, u64::from(u.off));
        write_varint(&mut t, u64::from(u.text_len));
    }
    write_varint(&mut t, seg.blocks.len() as u64);
    for b in &seg.blocks {
        write_varint(&mut t, b.off);
        write_varint(&mut t, u64::from(b.len));
        write_varint(&mut t, u64::from(b.raw));
    }
    write_varint(&mut t, seg.total_len);
    write_varint(&mut t, seg.terms.len() as u64);
    for (term, info) in seg.terms.iter().zip(&seg.infos) {
        put_str(&mut t, term);
        write_varint(&mut t, u64::from(info.df));
        write_varint(&mut t, info.off);
        write_varint(&mut t, u64::from(info.len));
    }
    let blob_len = seg.blob.len();
    let mut out = Vec::with_capacity(HEAD as usize + t.len() + blob_len as usize + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(t.len() as u64).to_le_bytes());
    out.extend_from_slice(&blob_len.to_le_bytes());
    out.extend_from_slice(&t);
    let start = out.len();
    out.resize(start + blob_len as usize, 0);
    seg.blob.read_exact_at(&mut out[start..], 0)?;
    let digest = Md5::digest(&out);
    out.extend_from_slice(&digest);
    Ok(out)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    write_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn num(&mut self) -> io::Result<u64> {
        read_varint(self.b, &mut self.pos).ok_or_else(damaged)
    }
    fn u32(&mut self) -> io::Result<u32> {
        u32::try_from(self.num()?).map_err(|_| damaged())
    }
    fn count(&mut self) -> io::Result<usize> {
        // Each record takes at least one byte: a count above the bytes
        // left is damage, and no huge allocation.
        let n = usize::try_from(self.num()?).map_err(|_| damaged())?;
        if n > self.b.len().saturating_sub(self.pos) {
            return Err(damaged());
        }
        Ok(n)
    }
    fn byte(&mut self) -> io::Result<u8> {
        let v = *self.b.get(self.pos).ok_or_else(damaged)?;
        self.pos += 1;
        Ok(v)
    }
    fn string(&mut self) -> io::Result<String> {
        let n = self.count()?;
        let bytes = self.b.get(self.pos..self.pos + n).ok_or_else(damaged)?;
        self.pos += n;
        String::from_utf8(bytes.to_vec()).map_err(|_| damaged())
    }
}

fn decode(tables: &[u8], blob: Arc<dyn ReadAt>) -> io::Result<Segment> {
    let blob_len = blob.len();
    let mut r = Reader { b: tables, pos: 0 };
    let n = r.count()?;
    let mut sources = Vec::with_capacity(n);
    for _ in 0..n {
        let rel = r.string()?;
        let item_rel = r.string()?;
        let kind = ItemKind::from_u8(r.byte()?).ok_or_else(damaged)?;
        let role = Role::from_u8(r.byte()?).ok_or_else(damaged)?;
        let size = r.num()?;
        let mtime = unzigzag(r.num()?);
        let lang = r.string()?;
        let outcome = match r.byte()? {
            0 => Outcome::Indexed,
            1 => Outcome::NoText,
            2 => Outcome::Failed {
                code: r.string()?,
                message: r.string()?,
            },
            _ => return Err(damaged()),
        };
        sources.push(SourceRec {
            rel,
            item_rel,
            kind,
            role,
            size,
            mtime,
            lang,
            outcome,
        });
    }
    let n = r.count()?;
    let mut units = Vec::with_capacity(n);
    for _ in 0..n {
        let u = UnitRec {
            source: r.u32()?,
            loc: r.u32()?,
            len: r.u32()?,
            block: r.u32()?,
            off: r.u32()?,
            text_len: r.u32()?,
        };
        if u.source as usize >= sources.len() {
            return Err(damaged());
        }
        units.push(u);
    }
    let n = r.count()?;
    let mut text_blocks = Vec::with_capacity(n);
    for _ in 0..n {
        let b = BlockRec {
            off: r.num()?,
            len: r.u32()?,
            raw: r.u32()?,
        };
        let end = b.off.checked_add(u64::from(b.len));
        if b.raw > blocks::MAX_RAW || end.is_none_or(|e| e > blob_len) {
            return Err(damaged());
        }
        text_blocks.push(b);
    }
    // Every unit's text within its block.
    for u in &units {
        let raw = text_blocks.get(u.block as usize).ok_or_else(damaged)?.raw;
        if u64::from(u.off) + u64::from(u.text_len) > u64::from(raw) {
            return Err(damaged());
        }
    }
    let total_len = r.num()?;
    let n = r.count()?;
    let mut terms: Vec<Box<str>> = Vec::with_capacity(n);
    let mut infos = Vec::with_capacity(n);
    for _ in 0..n {
        let term = r.string()?.into_boxed_str();
        let info = TermRec {
            df: r.u32()?,
            off: r.num()?,
            len: r.u32()?,
        };
        let end = info.off.checked_add(u64::from(info.len));
        // Sorted and unique, or lookups would miss.
        if terms.last().is_some_and(|last| *last >= term)
            || end.is_none_or(|e| e > blob_len)
            || info.df as usize > units.len()
        {
            return Err(damaged());
        }
        terms.push(term);
        infos.push(info);
    }
    if r.pos != tables.len() {
        return Err(damaged());
    }
    Ok(Segment {
        sources,
        units,
        terms,
        infos,
        blocks: text_blocks,
        total_len,
        blob,
        last_block: Mutex::new(None),
    })
}

#[cfg(test)]
mod tests {
    use super::super::segment::Builder;
    use super::*;

    fn sample() -> Segment {
        let mut b = Builder::default();
        let s = b.add_source(SourceRec {
            rel: "newspapers/a.pdf".into(),
            item_rel: "newspapers/a.pdf".into(),
            kind: ItemKind::Document,
            role: Role::PdfText,
            size: 10,
            mtime: -5,
            lang: String::new(),
            outcome: Outcome::Indexed,
        });
        b.add_unit(s, 1, "무지개송어 first page").unwrap();
        b.add_unit(s, 2, "second page 수달").unwrap();
        b.add_source(SourceRec {
            rel: "bad.pdf".into(),
            item_rel: "bad.pdf".into(),
            kind: ItemKind::Document,
            role: Role::PdfText,
            size: 3,
            mtime: 7,
            lang: String::new(),
            outcome: Outcome::Failed {
                code: "encrypted".into(),
                message: "protected by a password".into(),
            },
        });
        b.freeze().unwrap()
    }

    fn write_tmp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ds-store-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(FILE);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn round_trip() {
        let seg = sample();
        let bytes = encode(&seg).unwrap();
        let p = write_tmp("rt", &bytes);
        let back = open_file(&p).unwrap();
        assert_eq!(back.sources(), seg.sources());
        assert_eq!(back.unit_count(), 2);
        let t = back.term("page").unwrap();
        assert_eq!(back.postings(t).unwrap(), vec![(0, 1), (1, 1)]);
        assert_eq!(back.text(1).unwrap(), "second page 수달");
        assert_eq!(encode(&back).unwrap(), bytes);
    }

    #[test]
    fn damage_is_found() {
        let bytes = encode(&sample()).unwrap();
        for (name, bad) in [
            ("cut", bytes[..bytes.len() - 1].to_vec()),
            ("flip", {
                let mut b = bytes.clone();
                let i = b.len() / 2;
                b[i] ^= 1;
                b
            }),
            ("empty", Vec::new()),
        ] {
            let p = write_tmp(name, &bad);
            assert!(
                matches!(open_file(&p), Err(StoreError::Damaged(_))),
                "{name}"
            );
        }
        // Another version, its checksum right: older is ours but out of
        // date, newer is not ours to read or overwrite.
        for (v, old) in [(1u32, true), (VERSION + 1, false)] {
            let mut b = bytes.clone();
            b[8..12].copy_from_slice(&v.to_le_bytes());
            let end = b.len() - 16;
            let digest = Md5::digest(&b[..end]);
            b[end..].copy_from_slice(&digest);
            let p = write_tmp(&format!("v{v}"), &b);
            match open_file(&p) {
                Err(StoreError::Old(1)) if old => {}
                Err(StoreError::Foreign(_)) if !old => {}
                other => panic!("version {v}: {:?}", other.err()),
            }
        }
        let p = write_tmp(
            "foreign",
            b"SOMETHING ELSE ENTIRELY, LONG ENOUGH FOR A HEADER",
        );
        assert!(matches!(open_file(&p), Err(StoreError::Foreign(_))));
    }

    /// Changed bytes with the lengths and checksum made right (as the fuzz
    /// target `drive_index` does): opened and searched, never a panic.
    #[test]
    fn resealed_damage_is_an_error_or_answers() {
        let bytes = encode(&sample()).unwrap();
        let mut resealed = bytes.clone();
        reseal(&mut resealed);
        assert_eq!(resealed, bytes, "a whole index is sealed already");
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut opened, mut answered) = (0, 0);
        for round in 0..3000 {
            let mut b = bytes.clone();
            for _ in 0..1 + round % 4 {
                let i = (next() % b.len() as u64) as usize;
                match next() % 3 {
                    0 => b[i] ^= 1 << (next() % 8),
                    1 => b[i] = next() as u8,
                    _ => b[i] = if next() % 2 == 0 { 0 } else { 0xff },
                }
            }
            if round % 50 == 0 {
                let cut = (next() % b.len() as u64) as usize;
                b.truncate(cut);
            }
            reseal(&mut b);
            let Ok(seg) = open_read(Arc::new(b)) else {
                continue;
            };
            opened += 1;
            let index = super::super::DriveIndex::new();
            index.add_segment(seg);
            for q in ["page", "수달", "first page", "무지개송어"] {
                let r = index.rank(q, 3);
                for h in &r.hits {
                    if index.resolve(h, &r.highlight).is_some() {
                        answered += 1;
                    }
                }
            }
        }
        // The mutations reach past the checksum: most still open.
        assert!(opened > 100, "{opened} opened");
        assert!(answered > 0, "{answered}");
    }
}
