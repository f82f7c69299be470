//! Our own reader for openZIM archives (Kiwix offline content).
//!
//! Every byte comes through positional reads (`ReadAt`), never a memory map:
//! a truncated archive or a failing stick gives an error for one request, not
//! a SIGBUS for the whole server. Opening reads only the header and the MIME
//! list, so a 100 GB archive opens as fast as a small one. Anything read from
//! the file is checked before it is used as a size or an index.
//!
//! ```no_run
//! use std::path::Path;
//! use std::sync::Arc;
//! use driveshelf::archive::{Archive, ClusterCache};
//! use driveshelf::readat::ReadAt;
//!
//! # fn main() -> driveshelf::archive::Result<()> {
//! // One cache for all archives, bounded by decompressed bytes.
//! let cache = Arc::new(ClusterCache::new(64 << 20));
//! let zim = Arc::new(Archive::open(Path::new("wikipedia_ko.zim"), cache)?);
//! if let Some(i) = zim.find_user_path("서울_(도시)")? {
//!     let (_, page) = zim.resolve(i)?; // follows redirects
//!     let mime = zim.mime_type(&page)?;
//!     let body = zim.blob(&page)?; // ReadAt: serve ranges of big media
//!     let mut head = vec![0u8; body.len().min(16) as usize];
//!     body.read_exact_at(&mut head, 0)?;
//!     println!("{mime}: {} bytes", body.len());
//! }
//! // Suggestions: binary search in the title listing.
//! let first = zim.title_lower_bound("서울")?;
//! for pos in first..zim.title_count()?.min(first + 10) {
//!     let d = zim.dirent(zim.title_entry(pos)?)?;
//!     println!("{} → /{}", d.title, zim.user_path(&d));
//! }
//! # Ok(())
//! # }
//! ```

mod blob;
mod buffers;
mod cache;
mod cluster;
mod decoders;
mod dirent;
mod error;
mod header;
mod listing;
pub(crate) mod search_tree;
mod split;
mod verify;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use blob::Blob;
pub use cache::ClusterCache;
pub use dirent::{Dirent, DirentKind};
pub use error::{ArchiveError, Result};
pub use split::{find_parts, MultiFile};
pub use verify::{scan_units, Checksum, EntryScan, Problems, TitleListState};

use cluster::{Compression, Decoded};
use dirent::RawDirent;
use header::{Header, HEADER_LEN, NO_PAGE};
use listing::TitleList;
use search_tree::SearchTree;

use crate::readat::{FileAt, ReadAt, Window};

/// Writers use clusters of a few MiB; this only stops a decompression bomb.
const MAX_CLUSTER_BYTES: u64 = 256 << 20;
/// Metadata values are short texts and small icons.
const MAX_METADATA_BYTES: u64 = 16 << 20;
/// libzim gives up after the same number of hops.
const MAX_REDIRECTS: usize = 50;

pub struct Archive {
    /// Names this archive in the shared cluster cache.
    key: u64,
    src: Arc<dyn ReadAt>,
    /// Set for split archives, to hand out windows inside a single part.
    split: Option<Arc<MultiFile>>,
    parts: Vec<PathBuf>,
    header: Header,
    mime_types: Vec<String>,
    cache: Arc<ClusterCache>,
    /// Found on first use; not kept on error so a flaky read can recover.
    titles: Mutex<Option<Arc<TitleList>>>,
    article_count: OnceLock<u32>,
    /// Top levels of the lookups by path and by title.
    path_tree: SearchTree,
    title_tree: SearchTree,
}

impl fmt::Debug for Archive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Archive")
            .field("parts", &self.parts)
            .field("version", &self.version())
            .field("entry_count", &self.header.entry_count)
            .finish()
    }
}

impl Drop for Archive {
    fn drop(&mut self) {
        self.cache.remove_archive(self.key);
    }
}

fn le_u64(b: [u8; 8]) -> u64 {
    u64::from_le_bytes(b)
}

impl Archive {
    /// `path` may be `x.zim`, `x.zimaa` (first part of a split set), or `x.zim`
    /// where only `x.zimaa`, `x.zimab`, … exist.
    pub fn open(path: &Path, cache: Arc<ClusterCache>) -> Result<Archive> {
        let parts = find_parts(path).ok_or_else(|| {
            ArchiveError::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} not found", path.display()),
            ))
        })?;
        let whole = parts.len() == 1 && parts.first().map(PathBuf::as_path) == Some(path);
        let whole = whole && !path.to_string_lossy().ends_with(".zimaa");
        if whole {
            let src: Arc<dyn ReadAt> = Arc::new(FileAt::open(path)?);
            Archive::open_inner(src, None, parts, cache)
        } else {
            let multi = Arc::new(MultiFile::open(&parts)?);
            let src: Arc<dyn ReadAt> = multi.clone();
            Archive::open_inner(src, Some(multi), parts, cache)
        }
    }

    /// Opens an archive from any source (a ZIM embedded in another file);
    /// `parts` is only reported back by `parts()`.
    pub fn open_source(
        src: Arc<dyn ReadAt>,
        parts: Vec<PathBuf>,
        cache: Arc<ClusterCache>,
    ) -> Result<Archive> {
        Archive::open_inner(src, None, parts, cache)
    }

    fn open_inner(
        src: Arc<dyn ReadAt>,
        split: Option<Arc<MultiFile>>,
        parts: Vec<PathBuf>,
        cache: Arc<ClusterCache>,
    ) -> Result<Archive> {
        let header = Header::read(&*src)?;
        header.check_layout(src.len())?;
        let mime_types = header.read_mime_list(&*src)?;
        let archive = Archive {
            key: cache::new_archive_key(),
            src,
            split,
            parts,
            header,
            mime_types,
            cache,
            titles: Mutex::new(None),
            article_count: OnceLock::new(),
            path_tree: SearchTree::default(),
            title_tree: SearchTree::default(),
        };
        archive.quick_check()?;
        Ok(archive)
    }

    /// The checks libzim makes at open that cost a few reads whatever the
    /// archive's size: the first and last dirents exist and are in order.
    fn quick_check(&self) -> Result<()> {
        let n = self.header.entry_count;
        if n == 0 {
            return Ok(());
        }
        let mut pairs = vec![(0, 1)];
        if n > 3 {
            pairs.push((n - 2, n - 1));
        } else if n == 3 {
            pairs.push((1, 2));
        }
        for (a, b) in pairs {
            let first = self.raw_dirent(a)?;
            if b >= n {
                continue;
            }
            let second = self.raw_dirent(b)?;
            if (first.namespace, &first.path) >= (second.namespace, &second.path) {
                return Err(ArchiveError::Unsorted {
                    first: a,
                    first_path: self.full_path(&first),
                    second: b,
                    second_path: self.full_path(&second),
                });
            }
        }
        Ok(())
    }

    fn full_path(&self, d: &RawDirent) -> String {
        format!(
            "{}/{}",
            char::from(d.namespace),
            String::from_utf8_lossy(&d.path)
        )
    }

    pub fn parts(&self) -> &[PathBuf] {
        &self.parts
    }

    pub fn size(&self) -> u64 {
        self.src.len()
    }

    pub fn version(&self) -> (u16, u16) {
        (self.header.major, self.header.minor)
    }

    pub fn uuid(&self) -> [u8; 16] {
        self.header.uuid
    }

    /// C for content, M metadata, W well-known, X indexes (ZIM 6.1 and later).
    pub fn has_new_namespace_scheme(&self) -> bool {
        self.header.has_new_namespace_scheme()
    }

    /// All dirents, whatever their namespace.
    pub fn entry_count(&self) -> u32 {
        self.header.entry_count
    }

    pub fn cluster_count(&self) -> u32 {
        self.header.cluster_count
    }

    pub fn mime_types(&self) -> &[String] {
        &self.mime_types
    }

    fn read_u64(&self, offset: u64) -> Result<u64> {
        let mut b = [0u8; 8];
        self.src.read_exact_at(&mut b, offset)?;
        Ok(le_u64(b))
    }

    fn raw_dirent(&self, index: u32) -> Result<RawDirent> {
        if index >= self.header.entry_count {
            return Err(ArchiveError::EntryOutOfRange {
                index,
                count: self.header.entry_count,
            });
        }
        // Inside the file: check_layout verified the whole pointer list.
        let ptr = self.read_u64(self.header.path_ptr_pos + 8 * u64::from(index))?;
        if ptr < HEADER_LEN {
            return Err(ArchiveError::BadDirentPointer { index });
        }
        dirent::read_dirent(&*self.src, ptr, index, self.header.checksum_pos)
    }

    pub fn dirent(&self, index: u32) -> Result<Dirent> {
        self.raw_dirent(index).map(RawDirent::into_dirent)
    }

    /// The title of an entry as shown (the path when none is stored), with
    /// undecodable bytes replaced.
    pub fn entry_title(&self, index: u32) -> Result<String> {
        let d = self.raw_dirent(index)?;
        Ok(String::from_utf8_lossy(d.effective_title()).into_owned())
    }

    /// First dirent index whose (namespace, path) is not less than the key.
    fn path_lower_bound(&self, namespace: u8, path: &[u8]) -> Result<u32> {
        let target = search_tree::path_key(namespace, path);
        self.path_tree
            .lower_bound(self.header.entry_count, &target, |i| {
                let d = self.raw_dirent(i)?;
                Ok(search_tree::path_key(d.namespace, &d.path))
            })
    }

    /// The dirent with exactly this namespace and path (binary search).
    pub fn find(&self, namespace: u8, path: &str) -> Result<Option<u32>> {
        let i = self.path_lower_bound(namespace, path.as_bytes())?;
        if i >= self.header.entry_count {
            return Ok(None);
        }
        let d = self.raw_dirent(i)?;
        Ok((d.namespace == namespace && d.path == path.as_bytes()).then_some(i))
    }

    /// Finds an entry by the path users see in URLs: the path alone in the
    /// new scheme (namespace C), `A/Ray_Charles` or `I/favicon.png` in the old.
    pub fn find_user_path(&self, user_path: &str) -> Result<Option<u32>> {
        if self.has_new_namespace_scheme() {
            return self.find(b'C', user_path);
        }
        match user_path.split_once('/') {
            Some((ns, rest)) if ns.len() == 1 => match ns.as_bytes().first() {
                Some(&n) => self.find(n, rest),
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// The inverse of `find_user_path`. New-scheme entries outside C (metadata,
    /// indexes) are not meant for users; they get `M/Title` style paths that
    /// `find_user_path` does not resolve.
    pub fn user_path(&self, d: &Dirent) -> String {
        if self.has_new_namespace_scheme() && d.namespace == b'C' {
            d.path.clone()
        } else {
            format!("{}/{}", char::from(d.namespace), d.path)
        }
    }

    /// Follows redirects to a dirent that is not one.
    pub fn resolve(&self, index: u32) -> Result<(u32, Dirent)> {
        let mut i = index;
        for _ in 0..=MAX_REDIRECTS {
            let d = self.dirent(i)?;
            match d.kind {
                DirentKind::Redirect { target } => i = target,
                _ => return Ok((i, d)),
            }
        }
        Err(ArchiveError::RedirectLoop { index })
    }

    /// The header's main page, else the new scheme's `W/mainPage`. May be a
    /// redirect: the caller resolves it.
    pub fn main_page(&self) -> Result<Option<u32>> {
        let m = self.header.main_page;
        if m != NO_PAGE && m < self.header.entry_count {
            return Ok(Some(m));
        }
        if self.has_new_namespace_scheme() {
            return self.find(b'W', "mainPage");
        }
        Ok(None)
    }

    /// The raw value of `M/<name>`.
    pub fn metadata(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(i) = self.find(b'M', name)? else {
            return Ok(None);
        };
        let (_, d) = self.resolve(i)?;
        self.small_content(&d).map(Some)
    }

    fn small_content(&self, d: &Dirent) -> Result<Vec<u8>> {
        let blob = self.blob(d)?;
        if blob.len() > MAX_METADATA_BYTES {
            return Err(ArchiveError::TooLarge {
                what: "metadata value",
                size: blob.len(),
                limit: MAX_METADATA_BYTES,
            });
        }
        Ok(blob.read_all()?.into_owned())
    }

    /// `M/<name>` as trimmed text; `None` when absent or unreadable.
    pub fn metadata_text(&self, name: &str) -> Option<String> {
        let bytes = self.metadata(name).ok()??;
        Some(String::from_utf8_lossy(&bytes).trim().to_string())
    }

    /// The 48×48 PNG icon: `M/Illustration_48x48@1`, or in old-scheme
    /// archives their `-/favicon` when it is a PNG.
    pub fn illustration_48(&self) -> Result<Option<Vec<u8>>> {
        if let Some(png) = self.metadata("Illustration_48x48@1")? {
            return Ok(Some(png));
        }
        if self.has_new_namespace_scheme() {
            return Ok(None);
        }
        let Some(i) = self.find(b'-', "favicon")? else {
            return Ok(None);
        };
        let (_, d) = self.resolve(i)?;
        let bytes = self.small_content(&d)?;
        let png_type = self.mime_type(&d).is_ok_and(|m| m == "image/png");
        let png_magic = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
        Ok((png_type || png_magic).then_some(bytes))
    }

    pub fn mime_type(&self, d: &Dirent) -> Result<&str> {
        match d.kind {
            DirentKind::Content { mime, .. } => self
                .mime_types
                .get(usize::from(mime))
                .map(String::as_str)
                .ok_or(ArchiveError::UnknownMime(mime)),
            _ => Err(ArchiveError::NotContent { index: None }),
        }
    }

    /// Offset of cluster `c` and where its data ends at the latest.
    fn cluster_span(&self, c: u32) -> Result<(u64, u64)> {
        let count = self.header.cluster_count;
        if c >= count {
            return Err(ArchiveError::ClusterOutOfRange { cluster: c, count });
        }
        let table = self.header.cluster_ptr_pos;
        let limit = self.header.checksum_pos;
        let start = self.read_u64(table + 8 * u64::from(c))?;
        if start < HEADER_LEN || start >= limit {
            return Err(ArchiveError::BadCluster {
                cluster: c,
                reason: "its position lies outside the file",
            });
        }
        // Writers store clusters in order; when the next one is not after this
        // one the file end is the only bound left.
        let mut end = limit;
        if c + 1 < count {
            let next = self.read_u64(table + 8 * u64::from(c + 1))?;
            if next > start && next < limit {
                end = next;
            }
        }
        Ok((start, end))
    }

    /// Blob `blob` of cluster `c`: a window into the file for uncompressed
    /// clusters, a slice of the cached cluster otherwise. A cache hit reads
    /// nothing from the drive.
    fn blob_at(&self, c: u32, blob: u32) -> Result<Blob> {
        if let Some(decoded) = self.cache.get(self.key, c) {
            if let Some(b) = memory_blob(&decoded, c, blob)? {
                return Ok(b);
            }
        }
        let (start, end) = self.cluster_span(c)?;
        let mut info = [0u8; 1];
        self.src.read_exact_at(&mut info, start)?;
        let (compression, extended) = cluster::parse_info(c, info[0])?;
        if compression == Compression::None {
            let (at, len) = cluster::raw_blob_range(&*self.src, c, start + 1, end, extended, blob)?;
            return Ok(Blob::File(Window::new(self.src.clone(), at, len)?));
        }
        let limit = MAX_CLUSTER_BYTES.min(u64::try_from(usize::MAX).unwrap_or(u64::MAX));
        let span = (start + 1, end);
        let decoded = self.cache.get_or_load(self.key, c, || {
            cluster::decompress_prefix(&*self.src, c, compression, span, limit, extended, blob)
        })?;
        if let Some(b) = memory_blob(&decoded, c, blob)? {
            return Ok(b);
        }
        // The cache holds the beginning of this cluster, decompressed for an
        // earlier blob: decompress it whole now, so that happens once at most.
        let last = decoded.last_blob();
        let whole =
            cluster::decompress_prefix(&*self.src, c, compression, span, limit, extended, last)?;
        let whole = Arc::new(whole);
        self.cache.put(self.key, c, whole.clone());
        memory_blob(&whole, c, blob)?.ok_or(ArchiveError::BadCluster {
            cluster: c,
            reason: "its blob offsets are not in order",
        })
    }

    /// The content of a content dirent (an error for redirects).
    pub fn blob(&self, d: &Dirent) -> Result<Blob> {
        match d.kind {
            DirentKind::Content { cluster, blob, .. } => self.blob_at(cluster, blob),
            _ => Err(ArchiveError::NotContent { index: None }),
        }
    }

    /// Front articles. New scheme: the length of the title listing (what
    /// libzim reports); old scheme: the `text/html` count in `M/Counter`, else
    /// the size of namespace A. Computed once, on first call.
    pub fn article_count(&self) -> u32 {
        *self.article_count.get_or_init(|| {
            if self.has_new_namespace_scheme() {
                if let Ok(Some(n)) = self.v1_listing_len() {
                    return n;
                }
            }
            if let Some(n) = self.metadata_text("Counter").and_then(|c| html_count(&c)) {
                return n;
            }
            if !self.has_new_namespace_scheme() {
                let lo = self.path_lower_bound(b'A', b"");
                let hi = self.path_lower_bound(b'B', b"");
                if let (Ok(lo), Ok(hi)) = (lo, hi) {
                    return hi.saturating_sub(lo);
                }
            }
            0
        })
    }

    /// Where a Xapian database stored in the archive lies, when it can be read
    /// in place: in an uncompressed cluster and inside a single file.
    fn index_window(&self, candidates: &[(u8, &str)]) -> Option<Window> {
        for &(ns, path) in candidates {
            let Ok(Some(i)) = self.find(ns, path) else {
                continue;
            };
            let Ok((_, d)) = self.resolve(i) else {
                continue;
            };
            let DirentKind::Content { cluster, blob, .. } = d.kind else {
                continue;
            };
            let Ok((start, end)) = self.cluster_span(cluster) else {
                continue;
            };
            let mut info = [0u8; 1];
            if self.src.read_exact_at(&mut info, start).is_err() {
                continue;
            }
            let Ok((Compression::None, extended)) = cluster::parse_info(cluster, info[0]) else {
                continue;
            };
            let Ok((at, len)) =
                cluster::raw_blob_range(&*self.src, cluster, start + 1, end, extended, blob)
            else {
                continue;
            };
            let window = match &self.split {
                Some(multi) => multi
                    .part_for(at, len)
                    .and_then(|(part, local)| Window::new(part, local, len).ok()),
                None => Window::new(self.src.clone(), at, len).ok(),
            };
            if window.is_some() {
                return window;
            }
        }
        None
    }

    /// The embedded full-text Xapian database.
    pub fn fulltext_index(&self) -> Option<Window> {
        self.index_window(&[(b'X', "fulltext/xapian"), (b'Z', "fulltextIndex/xapian")])
    }

    /// The embedded title (suggestion) Xapian database.
    pub fn title_index(&self) -> Option<Window> {
        self.index_window(&[(b'X', "title/xapian")])
    }
}

/// The blob as a slice of `decoded`; `None` when `decoded` is a prefix that
/// stops before it.
fn memory_blob(decoded: &Arc<Decoded>, c: u32, blob: u32) -> Result<Option<Blob>> {
    Ok(decoded.locate(c, blob)?.map(|(start, len)| Blob::Memory {
        data: decoded.data.clone(),
        start,
        len,
    }))
}

/// Sum of the `text/html…` counts in an `M/Counter` value
/// (`image/png=1;text/html=12`).
fn html_count(counter: &str) -> Option<u32> {
    let mut total: Option<u32> = None;
    for item in counter.split(';') {
        let Some((mime, n)) = item.trim().rsplit_once('=') else {
            continue;
        };
        if mime.trim().starts_with("text/html") {
            let n: u32 = n.trim().parse().ok()?;
            total = Some(total.unwrap_or(0).saturating_add(n));
        }
    }
    total
}

#[cfg(test)]
mod tests;
