//! Clusters: groups of blobs, stored raw or compressed as a whole.
//!
//! Layout after the one info byte: a table of blob offsets (4 bytes each, 8
//! with the extended flag), relative to the table's start, then the blobs.
//! The first offset is the table's size, so it also gives the blob count.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::Arc;

use super::buffers::Buffers;
use super::decoders::Decoders;
use super::error::{ArchiveError, Result};
use crate::readat::ReadAt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Xz,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
}

/// Decodes the info byte: compression and whether offsets are 8 bytes wide.
pub fn parse_info(cluster: u32, info: u8) -> Result<(Compression, bool)> {
    let extended = info & 0x10 != 0;
    let compression = match info & 0x0F {
        0 | 1 => Compression::None,
        4 => Compression::Xz,
        5 => Compression::Zstd,
        2 => {
            return Err(ArchiveError::UnsupportedCompression {
                cluster,
                name: "zlib (obsolete)",
            })
        }
        3 => {
            return Err(ArchiveError::UnsupportedCompression {
                cluster,
                name: "bzip2 (obsolete)",
            })
        }
        _ => {
            return Err(ArchiveError::BadCluster {
                cluster,
                reason: "unknown compression type",
            })
        }
    };
    Ok((compression, extended))
}

fn offset_width(extended: bool) -> u64 {
    if extended {
        8
    } else {
        4
    }
}

fn read_offset(b: &[u8], extended: bool) -> Option<u64> {
    if extended {
        Some(u64::from_le_bytes(b.get(..8)?.try_into().ok()?))
    } else {
        Some(u64::from(u32::from_le_bytes(b.get(..4)?.try_into().ok()?)))
    }
}

/// Blob count from the first offset, which must cover a whole table.
fn count_from_first(cluster: u32, first: u64, extended: bool, data_len: u64) -> Result<u64> {
    let w = offset_width(extended);
    if first < w || !first.is_multiple_of(w) || first > data_len {
        return Err(ArchiveError::BadCluster {
            cluster,
            reason: "its offset table is damaged",
        });
    }
    Ok(first / w - 1)
}

const PAST_END: &str = "a blob reaches past the end of the cluster";

fn check_range(cluster: u32, start: u64, end: u64, data_len: u64) -> Result<()> {
    if start > end {
        return Err(ArchiveError::BadCluster {
            cluster,
            reason: "its blob offsets are not in order",
        });
    }
    if end > data_len {
        return Err(ArchiveError::BadCluster {
            cluster,
            reason: PAST_END,
        });
    }
    Ok(())
}

/// Offsets read per chunk when a whole table is checked.
const TABLE_CHUNK: u64 = 64 * 1024;

/// Checks the whole offset table of a cluster whose data (after the info
/// byte) is `[table, table + data_len)` of `src`: every blob lies inside and
/// offsets never go back. Returns the blob count. Reads the table in chunks,
/// so a damaged table cannot ask for a huge buffer.
pub fn check_table(
    src: &dyn ReadAt,
    cluster: u32,
    table: u64,
    data_len: u64,
    extended: bool,
) -> Result<u64> {
    let w = offset_width(extended);
    if w > data_len {
        return Err(ArchiveError::BadCluster {
            cluster,
            reason: "it is empty",
        });
    }
    let mut first = [0u8; 8];
    let first = first.get_mut(..w as usize).unwrap_or_default();
    src.read_exact_at(first, table)?;
    let first = read_offset(first, extended).unwrap_or(0);
    let count = count_from_first(cluster, first, extended, data_len)?;
    // count + 1 offsets, all inside `first` bytes (checked above).
    let total = first;
    let mut prev = first;
    let mut at = 0u64;
    let mut buf = vec![0u8; TABLE_CHUNK as usize];
    while at < total {
        let n = (total - at).min(TABLE_CHUNK);
        let chunk = buf.get_mut(..n as usize).unwrap_or_default();
        src.read_exact_at(chunk, table + at)?;
        for off in chunk.chunks_exact(w as usize) {
            let off = read_offset(off, extended).unwrap_or(0);
            check_range(cluster, prev, off, data_len)?;
            prev = off;
        }
        at += n;
    }
    Ok(count)
}

/// A decompressed cluster in the cache: whole, or only its beginning up to
/// the end of the blob that was asked for.
pub struct Decoded {
    pub data: Arc<Vec<u8>>,
    extended: bool,
    count: u64,
    /// Whether `data` is the whole cluster; a prefix covers at least the
    /// offset table.
    complete: bool,
}

impl Drop for Decoded {
    fn drop(&mut self) {
        // Unless a response still reads from it, the buffer serves the
        // next decompression.
        if let Ok(buf) = Arc::try_unwrap(std::mem::take(&mut self.data)) {
            Buffers::shared().give(buf);
        }
    }
}

impl Decoded {
    #[cfg(test)]
    pub fn new(cluster: u32, data: Vec<u8>, extended: bool) -> Result<Decoded> {
        Decoded::with_prefix(cluster, data, extended, true)
    }

    fn with_prefix(cluster: u32, data: Vec<u8>, extended: bool, complete: bool) -> Result<Decoded> {
        let first = read_offset(&data, extended).ok_or(ArchiveError::BadCluster {
            cluster,
            reason: "it is empty",
        })?;
        let count = count_from_first(cluster, first, extended, data.len() as u64)?;
        Ok(Decoded {
            data: Arc::new(data),
            extended,
            count,
            complete,
        })
    }

    /// `(start, len)` of blob `blob` inside `data`, or `None` when this is a
    /// prefix that stops before the blob's end.
    pub fn locate(&self, cluster: u32, blob: u32) -> Result<Option<(usize, usize)>> {
        let held = self.data.len() as u64;
        let (start, end) = self.offsets(cluster, blob)?;
        if end > held && !self.complete && start <= end {
            return Ok(None);
        }
        check_range(cluster, start, end, held)?;
        // Both fit in usize: they are at most data.len().
        Ok(Some((start as usize, (end - start) as usize)))
    }

    #[cfg(test)]
    pub fn blob_count(&self) -> u64 {
        self.count
    }

    /// `(start, len)` of blob `blob` inside `data`.
    #[cfg(test)]
    pub fn blob_range(&self, cluster: u32, blob: u32) -> Result<(usize, usize)> {
        self.locate(cluster, blob)?.ok_or(ArchiveError::BadCluster {
            cluster,
            reason: PAST_END,
        })
    }

    /// The blob's start and end offsets as the table gives them.
    fn offsets(&self, cluster: u32, blob: u32) -> Result<(u64, u64)> {
        if u64::from(blob) >= self.count {
            return Err(ArchiveError::BlobOutOfRange {
                cluster,
                blob,
                count: self.count,
            });
        }
        let w = offset_width(self.extended);
        let at = usize::try_from(u64::from(blob) * w).map_err(|_| ArchiveError::BadCluster {
            cluster,
            reason: "its offset table is damaged",
        })?;
        let pair = self.data.get(at..).unwrap_or_default();
        let start = read_offset(pair, self.extended);
        let end = pair
            .get(w as usize..)
            .and_then(|b| read_offset(b, self.extended));
        match (start, end) {
            (Some(start), Some(end)) => Ok((start, end)),
            _ => Err(ArchiveError::BadCluster {
                cluster,
                reason: "its offset table is damaged",
            }),
        }
    }

    /// Whether `data` is the whole cluster.
    #[cfg(test)]
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// What the cache charges for keeping this cluster: its allocation.
    pub fn weight(&self) -> usize {
        self.data.capacity()
    }

    /// The last blob: decompressing up to it gives the whole cluster.
    pub fn last_blob(&self) -> u32 {
        u32::try_from(self.count.saturating_sub(1)).unwrap_or(u32::MAX)
    }
}

/// Blob `blob` of the uncompressed cluster whose offset table starts at
/// `table` and which ends at `end`: `(absolute offset, length)`.
pub fn raw_blob_range(
    src: &dyn ReadAt,
    cluster: u32,
    table: u64,
    end: u64,
    extended: bool,
    blob: u32,
) -> Result<(u64, u64)> {
    let data_len = end.checked_sub(table).ok_or(ArchiveError::BadCluster {
        cluster,
        reason: "it lies outside the file",
    })?;
    let w = offset_width(extended);
    let mut first = [0u8; 8];
    let first = first.get_mut(..w as usize).unwrap_or_default();
    if w > data_len {
        return Err(ArchiveError::BadCluster {
            cluster,
            reason: "it is empty",
        });
    }
    src.read_exact_at(first, table)?;
    let first = read_offset(first, extended).unwrap_or(0);
    let count = count_from_first(cluster, first, extended, data_len)?;
    if u64::from(blob) >= count {
        return Err(ArchiveError::BlobOutOfRange {
            cluster,
            blob,
            count,
        });
    }
    let mut pair = [0u8; 16];
    let pair = pair.get_mut(..2 * w as usize).unwrap_or_default();
    // In range: blob + 1 <= count, and the table (count + 1 entries) fits.
    src.read_exact_at(pair, table + u64::from(blob) * w)?;
    let start = read_offset(pair, extended).unwrap_or(0);
    let stop = read_offset(pair.get(w as usize..).unwrap_or_default(), extended).unwrap_or(0);
    check_range(cluster, start, stop, data_len)?;
    Ok((table + start, stop - start))
}

/// Lets a decoder pull the compressed bytes through positional reads, and
/// remembers whether a failure came from the drive rather than the data.
struct RangeReader<'a> {
    src: &'a dyn ReadAt,
    pos: u64,
    end: u64,
    io_failed: Rc<Cell<bool>>,
}

impl<'a> RangeReader<'a> {
    /// The reader of `[start, end)` of `src`, and the flag it sets when a
    /// read from the drive fails.
    fn new(src: &'a dyn ReadAt, start: u64, end: u64) -> (Self, Rc<Cell<bool>>) {
        let io_failed = Rc::new(Cell::new(false));
        let reader = RangeReader {
            src,
            pos: start,
            end,
            io_failed: io_failed.clone(),
        };
        (reader, io_failed)
    }
}

impl Read for RangeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        let dst = buf.get_mut(..n).unwrap_or_default();
        if let Err(e) = self.src.read_exact_at(dst, self.pos) {
            self.io_failed.set(true);
            return Err(e);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Decompresses the beginning of the cluster data in `[start, end)` (after
/// the info byte): up to the end of blob `blob`, which is all a request for
/// that blob needs. A random article in a large archive then costs, on
/// average, half a cluster's decompression and half its reading from the
/// drive. The output is allocated once, at the size the offset table gives.
pub fn decompress_prefix(
    src: &dyn ReadAt,
    cluster: u32,
    compression: Compression,
    (start, end): (u64, u64),
    limit: u64,
    extended: bool,
    blob: u32,
) -> Result<Decoded> {
    let (reader, io_failed) = RangeReader::new(src, start, end);
    let job = Job {
        cluster,
        compression,
        limit,
        extended,
        blob,
        io_failed: &io_failed,
    };
    match compression {
        Compression::None => job.run(&mut { reader }),
        Compression::Xz => {
            Decoders::shared().run(|_| job.run(&mut xz2::read::XzDecoder::new(reader)))
        }
        Compression::Zstd => Decoders::shared().run(|ctx| {
            let input = io::BufReader::with_capacity(zstd::zstd_safe::DCtx::in_size(), reader);
            job.run(&mut zstd::stream::read::Decoder::with_context(input, ctx).single_frame())
        }),
    }
}

/// What `decompress_prefix` was asked for, passed to whichever decoder runs.
struct Job<'a> {
    cluster: u32,
    compression: Compression,
    limit: u64,
    extended: bool,
    blob: u32,
    io_failed: &'a Cell<bool>,
}

impl Job<'_> {
    fn run(&self, decoder: &mut dyn Read) -> Result<Decoded> {
        let Job {
            cluster,
            compression,
            limit,
            extended,
            blob,
            io_failed,
        } = *self;
        prefix_of(decoder, cluster, limit, extended, blob)
            .map_err(|e| e.into_archive_error(cluster, compression, io_failed))
    }
}

/// A failure while decoding: of the stream (I/O or data), or of the cluster
/// it produced.
enum PrefixError {
    Stream(io::Error),
    Cluster(ArchiveError),
}

impl PrefixError {
    fn into_archive_error(
        self,
        cluster: u32,
        compression: Compression,
        io_failed: &Cell<bool>,
    ) -> ArchiveError {
        match self {
            PrefixError::Stream(e) => decode_error(cluster, compression, io_failed, e),
            PrefixError::Cluster(e) => e,
        }
    }
}

impl From<ArchiveError> for PrefixError {
    fn from(e: ArchiveError) -> Self {
        PrefixError::Cluster(e)
    }
}

fn prefix_of(
    decoder: &mut dyn Read,
    cluster: u32,
    limit: u64,
    extended: bool,
    blob: u32,
) -> std::result::Result<Decoded, PrefixError> {
    let bad = |reason| ArchiveError::BadCluster { cluster, reason };
    let w = offset_width(extended);
    let mut out = Vec::new();
    fill(decoder, &mut out, w).map_err(PrefixError::Stream)?;
    let table = read_offset(&out, extended).ok_or(bad("it is empty"))?;
    if table < w || table % w != 0 || table > limit {
        return Err(bad("its offset table is damaged").into());
    }
    fill(decoder, &mut out, table).map_err(PrefixError::Stream)?;
    let count = table / w - 1;
    if u64::from(blob) >= count {
        return Err(ArchiveError::BlobOutOfRange {
            cluster,
            blob,
            count,
        }
        .into());
    }
    // Offsets of the blob's end and of the cluster's end.
    let at = |i: u64| {
        usize::try_from(i * w)
            .ok()
            .and_then(|i| out.get(i..))
            .and_then(|b| read_offset(b, extended))
    };
    let (Some(blob_end), Some(total)) = (at(u64::from(blob) + 1), at(count)) else {
        return Err(bad("its offset table is damaged").into());
    };
    if blob_end > total || total > limit {
        return Err(PrefixError::Cluster(if total > limit {
            ArchiveError::ClusterTooLarge { cluster, limit }
        } else {
            bad("its blob offsets are not in order")
        }));
    }
    // One buffer of the size kept (the cache charges its capacity; a
    // doubling Vec would hold up to twice that), reused when one is free.
    // Bounded by `limit` just above.
    let mut kept = Buffers::shared().take(usize::try_from(blob_end).unwrap_or(0).max(out.len()));
    kept.extend_from_slice(&out);
    let mut out = kept;
    fill(decoder, &mut out, blob_end).map_err(PrefixError::Stream)?;
    Ok(Decoded::with_prefix(
        cluster,
        out,
        extended,
        blob_end == total,
    )?)
}

/// Reads from `r` until `out` holds `upto` bytes.
fn fill(r: &mut dyn Read, out: &mut Vec<u8>, upto: u64) -> io::Result<()> {
    let have = out.len() as u64;
    if have >= upto {
        return Ok(());
    }
    r.take(upto - have).read_to_end(out)?;
    if (out.len() as u64) < upto {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the cluster ends before its offset table says",
        ));
    }
    Ok(())
}

fn decode_error(
    cluster: u32,
    compression: Compression,
    io_failed: &Cell<bool>,
    e: io::Error,
) -> ArchiveError {
    if io_failed.get() {
        ArchiveError::Io(e)
    } else {
        ArchiveError::Decompress {
            cluster,
            algorithm: compression.name(),
            message: e.to_string(),
        }
    }
}

/// Decompresses the cluster data in `[start, end)` (after the info byte),
/// refusing output larger than `limit` bytes. The server uses
/// [`decompress_prefix`]; `check` reads whole clusters with this.
pub fn decompress(
    src: &dyn ReadAt,
    cluster: u32,
    compression: Compression,
    start: u64,
    end: u64,
    limit: u64,
) -> Result<Vec<u8>> {
    let (reader, io_failed) = RangeReader::new(src, start, end);
    let mut out = Vec::new();
    let cap = limit.saturating_add(1);
    let result = match compression {
        Compression::None => reader.take(cap).read_to_end(&mut out),
        Compression::Xz => xz2::read::XzDecoder::new(reader)
            .take(cap)
            .read_to_end(&mut out),
        // One frame per cluster; stopping there keeps the decoder from
        // reading whatever follows as a second frame.
        Compression::Zstd => zstd::stream::read::Decoder::new(reader)
            .map(|d| d.single_frame())
            .and_then(|d| d.take(cap).read_to_end(&mut out)),
    };
    match result {
        Ok(_) if out.len() as u64 > limit => Err(ArchiveError::ClusterTooLarge { cluster, limit }),
        Ok(_) => Ok(out),
        Err(e) if io_failed.get() => Err(ArchiveError::Io(e)),
        Err(e) => Err(ArchiveError::Decompress {
            cluster,
            algorithm: compression.name(),
            message: e.to_string(),
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An uncompressed cluster body (without the info byte) holding `blobs`.
    pub fn body(blobs: &[&[u8]], extended: bool) -> Vec<u8> {
        let w = if extended { 8 } else { 4 };
        let mut offs = vec![(blobs.len() as u64 + 1) * w];
        for b in blobs {
            offs.push(offs.last().unwrap() + b.len() as u64);
        }
        let mut v = Vec::new();
        for o in offs {
            if extended {
                v.extend_from_slice(&o.to_le_bytes());
            } else {
                v.extend_from_slice(&(o as u32).to_le_bytes());
            }
        }
        for b in blobs {
            v.extend_from_slice(b);
        }
        v
    }

    #[test]
    fn info_byte() {
        assert_eq!(parse_info(0, 0x01).unwrap(), (Compression::None, false));
        assert_eq!(parse_info(0, 0x15).unwrap(), (Compression::Zstd, true));
        assert_eq!(parse_info(0, 0x04).unwrap(), (Compression::Xz, false));
        assert!(matches!(
            parse_info(0, 2),
            Err(ArchiveError::UnsupportedCompression { .. })
        ));
        assert!(parse_info(0, 3).is_err());
        assert!(parse_info(0, 9).is_err());
    }

    #[test]
    fn decoded_blobs_both_widths() {
        for ext in [false, true] {
            let d = Decoded::new(7, body(&[b"hello", b"", b"world!"], ext), ext).unwrap();
            assert_eq!(d.blob_count(), 3);
            let (s, l) = d.blob_range(7, 0).unwrap();
            assert_eq!(&d.data[s..s + l], b"hello");
            assert_eq!(d.blob_range(7, 1).unwrap().1, 0);
            let (s, l) = d.blob_range(7, 2).unwrap();
            assert_eq!(&d.data[s..s + l], b"world!");
            assert!(matches!(
                d.blob_range(7, 3),
                Err(ArchiveError::BlobOutOfRange { count: 3, .. })
            ));
        }
    }

    #[test]
    fn raw_blobs_both_widths() {
        for ext in [false, true] {
            let mut file = vec![9u8; 5];
            file.extend(body(&[b"abc", b"defg"], ext));
            let end = file.len() as u64;
            let (at, len) = raw_blob_range(&file, 0, 5, end, ext, 1).unwrap();
            assert_eq!(&file[at as usize..(at + len) as usize], b"defg");
            assert!(raw_blob_range(&file, 0, 5, end, ext, 2).is_err());
            // The cluster ends before the last blob does.
            assert!(raw_blob_range(&file, 0, 5, end - 1, ext, 1).is_err());
        }
    }

    #[test]
    fn damaged_offsets() {
        let mut b = body(&[b"abc", b"defg"], false);
        b[4..8].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        let d = Decoded::new(0, b.clone(), false).unwrap();
        assert!(d.blob_range(0, 0).is_err());
        assert!(d.blob_range(0, 1).is_err());
        let len = b.len() as u64;
        assert!(raw_blob_range(&b, 0, 0, len, false, 0).is_err());
        // First offset not a multiple of the width / beyond the data.
        assert!(Decoded::new(0, vec![5, 0, 0, 0, 1], false).is_err());
        assert!(Decoded::new(0, vec![40, 0, 0, 0], false).is_err());
        assert!(Decoded::new(0, vec![], false).is_err());
    }

    #[test]
    fn decompress_roundtrip_and_limits() {
        let raw = body(&[&[1u8; 5000], b"x"], false);
        let z = zstd::bulk::compress(&raw, 3).unwrap();
        let mut file = vec![0u8; 3];
        file.extend_from_slice(&z);
        // Trailing bytes after the frame must not be read as another frame.
        file.extend_from_slice(&[0xAB; 20]);
        let end = file.len() as u64;
        let out = decompress(&file, 0, Compression::Zstd, 3, end, 1 << 20).unwrap();
        assert_eq!(out, raw);
        assert!(matches!(
            decompress(&file, 0, Compression::Zstd, 3, end, 100),
            Err(ArchiveError::ClusterTooLarge { .. })
        ));
        let mut bad = file.clone();
        bad[10] ^= 0xFF;
        bad[11] ^= 0xFF;
        assert!(decompress(&bad, 4, Compression::Zstd, 3, end, 1 << 20).is_err());
        // Cut short.
        assert!(decompress(
            &file,
            0,
            Compression::Zstd,
            3,
            3 + z.len() as u64 / 2,
            1 << 20
        )
        .is_err());

        let mut xz = Vec::new();
        let mut enc = xz2::read::XzEncoder::new(&raw[..], 6);
        enc.read_to_end(&mut xz).unwrap();
        let end = xz.len() as u64;
        assert_eq!(
            decompress(&xz, 0, Compression::Xz, 0, end, 1 << 20).unwrap(),
            raw
        );
        let e = decompress(&xz, 2, Compression::Xz, 1, end, 1 << 20).unwrap_err();
        assert!(
            e.to_string()
                .contains("cluster 2 cannot be decompressed (xz"),
            "{e}"
        );
    }

    /// Reads of the source, counted, to see how far into a cluster a
    /// decoder went.
    struct Counted<'a>(&'a Vec<u8>, std::sync::atomic::AtomicU64);

    impl ReadAt for Counted<'_> {
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
            self.1.fetch_max(
                offset + buf.len() as u64,
                std::sync::atomic::Ordering::Relaxed,
            );
            self.0.read_exact_at(buf, offset)
        }
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
    }

    #[test]
    fn prefix_stops_at_the_blob() {
        // Incompressible blobs, so the compressed stream is as long as the
        // data and a short read shows.
        let mut x = 1u32;
        let mut noise = |n: usize| {
            (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect::<Vec<u8>>()
        };
        let (a, b, c) = (noise(1000), noise(300_000), noise(300_000));
        for ext in [false, true] {
            let raw = body(&[&a, &b, &c], ext);
            let mut xz = Vec::new();
            xz2::read::XzEncoder::new(&raw[..], 1)
                .read_to_end(&mut xz)
                .unwrap();
            for (comp, packed) in [
                (Compression::Zstd, zstd::bulk::compress(&raw, 1).unwrap()),
                (Compression::Xz, xz),
            ] {
                let end = packed.len() as u64;
                let src = Counted(&packed, Default::default());
                let d = decompress_prefix(&src, 3, comp, (0, end), 1 << 20, ext, 0).unwrap();
                assert!(!d.is_complete());
                let read = src.1.load(std::sync::atomic::Ordering::Relaxed);
                assert!(read < end / 2, "{comp:?} read {read} of {end}");
                let (s0, l0) = d.locate(3, 0).unwrap().unwrap();
                assert_eq!(&d.data[s0..s0 + l0], &a[..]);
                assert_eq!(d.locate(3, 2).unwrap(), None);
                assert!(d.weight() < raw.len());

                let d = decompress_prefix(&packed, 3, comp, (0, end), 1 << 20, ext, 2).unwrap();
                assert!(d.is_complete());
                assert_eq!(&d.data[..], &raw[..]);
                assert!(matches!(
                    decompress_prefix(&packed, 3, comp, (0, end), 1 << 20, ext, 3),
                    Err(ArchiveError::BlobOutOfRange { count: 3, .. })
                ));
                assert!(matches!(
                    decompress_prefix(&packed, 3, comp, (0, end), 1000, ext, 0),
                    Err(ArchiveError::ClusterTooLarge { .. })
                ));
                // Cut short: an error, never a short blob.
                assert!(
                    decompress_prefix(&packed, 3, comp, (0, end / 2), 1 << 20, ext, 2).is_err()
                );
            }
        }
        // A table promising more than the cluster holds.
        let mut raw = body(&[b"abc", b"def"], false);
        raw[8] = 200;
        let z = zstd::bulk::compress(&raw, 1).unwrap();
        let end = z.len() as u64;
        assert!(decompress_prefix(&z, 0, Compression::Zstd, (0, end), 1 << 20, false, 1).is_err());
    }
}
