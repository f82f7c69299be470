//! Test support: finds the full-text index inside a ZIM file with just
//! enough of the ZIM format (header, path pointers, dirents, cluster
//! offsets) to locate an uncompressed blob.

#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use driveshelf::readat::{FileAt, ReadAt, Window};

fn read_at(f: &mut File, off: u64, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    f.seek(SeekFrom::Start(off)).unwrap();
    let n = f.read(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

/// (offset, length) of the full-text database blob in the ZIM file.
pub fn locate_fulltext(zim: &Path) -> Option<(u64, u64)> {
    let mut f = File::open(zim).ok()?;
    let hdr = read_at(&mut f, 0, 80);
    assert_eq!(u32_at(&hdr, 0), 0x044D_495A, "not a ZIM file");
    let entries = u32_at(&hdr, 24) as usize;
    let path_ptr = u64_at(&hdr, 32);
    let cluster_ptr = u64_at(&hdr, 48);
    let ptrs = read_at(&mut f, path_ptr, entries * 8);
    for i in 0..entries {
        let d = read_at(&mut f, u64_at(&ptrs, i * 8), 512);
        let mime = u16::from_le_bytes([d[0], d[1]]);
        if mime == 0xffff {
            continue;
        }
        let ns = d[3];
        let end = 16 + d[16..].iter().position(|&b| b == 0)?;
        let path = &d[16..end];
        let wanted = (ns == b'X' && path == b"fulltext/xapian")
            || (ns == b'Z' && path == b"/fulltextIndex/xapian");
        if !wanted {
            continue;
        }
        let (cluster, blob) = (u32_at(&d, 8) as u64, u32_at(&d, 12) as usize);
        let cstart = u64_at(&read_at(&mut f, cluster_ptr + cluster * 8, 8), 0);
        let info = read_at(&mut f, cstart, 1)[0];
        assert!(info & 0x0f <= 1, "index cluster is compressed");
        let wide = info & 0x10 != 0;
        let osz = if wide { 8 } else { 4 };
        let offs = read_at(&mut f, cstart + 1 + (blob * osz) as u64, 2 * osz);
        let (a, b) = if wide {
            (u64_at(&offs, 0), u64_at(&offs, 8))
        } else {
            (u32_at(&offs, 0) as u64, u32_at(&offs, 4) as u64)
        };
        return Some((cstart + 1 + a, b - a));
    }
    None
}

/// A window over the full-text database of `zim`, read in place.
pub fn fulltext_window(zim: &Path) -> Option<Arc<dyn ReadAt>> {
    let (off, len) = locate_fulltext(zim)?;
    let file: Arc<dyn ReadAt> = Arc::new(FileAt::open(zim).ok()?);
    Some(Arc::new(Window::new(file, off, len).ok()?))
}

/// The shared test material beside the repository, if present.
pub fn shared() -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}
