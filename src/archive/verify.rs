//! Whole-archive checks for `driveshelf check`: the stored MD5, every
//! directory entry and cluster, the title lists. Serving never calls these:
//! they read the whole file, which on a 100 GB archive takes minutes.
//!
//! Each check goes on after a problem and reports up to a few of them, so a
//! tester sees how much is damaged, not only the first fault.

use md5::{Digest, Md5};

use super::cluster::{self, Compression};
use super::error::{ArchiveError, Result};
use super::header::NO_TITLE_LIST;
use super::listing::TitleList;
use super::{Archive, DirentKind, MAX_CLUSTER_BYTES};

/// Bytes hashed per read: large enough for a stick's sequential speed.
const HASH_CHUNK: usize = 1 << 20;
/// Problems kept per check; the rest are only counted.
pub const MAX_PROBLEMS: usize = 20;

/// The archive's stored checksum and the one computed from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    pub stored: [u8; 16],
    pub computed: [u8; 16],
}

impl Checksum {
    pub fn matches(&self) -> bool {
        self.stored == self.computed
    }
}

/// Problems found by a scan, the first [`MAX_PROBLEMS`] of them kept.
#[derive(Debug, Default)]
pub struct Problems {
    pub first: Vec<ArchiveError>,
    pub count: u64,
}

impl Problems {
    fn add(&mut self, e: ArchiveError) {
        self.count += 1;
        if self.first.len() < MAX_PROBLEMS {
            self.first.push(e);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// What a scan of every entry and cluster found.
#[derive(Debug, Default)]
pub struct EntryScan {
    pub problems: Problems,
    pub redirects: u32,
    pub clusters_checked: u32,
}

/// How the title list used for suggestions looks.
#[derive(Debug, PartialEq, Eq)]
pub enum TitleListState {
    /// `X/listing/titleOrdered/v1` (new scheme) or the header's list (old).
    Present {
        entries: u32,
    },
    Absent,
}

/// Entries plus clusters: the unit of [`Archive::scan_entries`] progress.
pub fn scan_units(a: &Archive) -> u64 {
    u64::from(a.entry_count()) + u64::from(a.cluster_count())
}

impl Archive {
    /// MD5 of every byte before the checksum, as libzim's `check()` computes
    /// it, against the 16 bytes stored at the end. `progress` gets the
    /// number of bytes hashed since its last call.
    pub fn verify_checksum(&self, progress: &dyn Fn(u64)) -> Result<Checksum> {
        let end = self.header.checksum_pos;
        let mut stored = [0u8; 16];
        self.src.read_exact_at(&mut stored, end)?;
        let mut md5 = Md5::new();
        let mut buf = vec![0u8; HASH_CHUNK];
        let mut pos = 0u64;
        while pos < end {
            let n = usize::try_from(end - pos)
                .unwrap_or(HASH_CHUNK)
                .min(HASH_CHUNK);
            let chunk = buf.get_mut(..n).unwrap_or_default();
            self.src.read_exact_at(chunk, pos)?;
            md5.update(&*chunk);
            pos += n as u64;
            progress(n as u64);
        }
        let mut computed = [0u8; 16];
        computed.copy_from_slice(&md5.finalize());
        Ok(Checksum { stored, computed })
    }

    /// Reads every directory entry (in order, checking the order), follows
    /// every redirect (loops, targets that do not exist), and reads and
    /// decompresses every cluster, checking its blob table. `progress` gets
    /// one unit per entry and per cluster (see [`scan_units`]).
    pub fn scan_entries(&self, progress: &dyn Fn(u64)) -> EntryScan {
        let mut scan = EntryScan::default();
        let n = self.header.entry_count;
        let mut prev: Option<(u8, Vec<u8>)> = None;
        for i in 0..n {
            progress(1);
            let d = match self.raw_dirent(i) {
                Ok(d) => d,
                Err(e) => {
                    scan.problems.add(e);
                    prev = None;
                    continue;
                }
            };
            if let Some((ns, path)) = &prev {
                if (*ns, path.as_slice()) >= (d.namespace, d.path.as_slice()) {
                    scan.problems.add(ArchiveError::Unsorted {
                        first: i.saturating_sub(1),
                        first_path: format!(
                            "{}/{}",
                            char::from(*ns),
                            String::from_utf8_lossy(path)
                        ),
                        second: i,
                        second_path: self.full_path(&d),
                    });
                }
            }
            match d.kind {
                DirentKind::Redirect { .. } => {
                    scan.redirects += 1;
                    if let Err(e) = self.resolve(i) {
                        scan.problems.add(e);
                    }
                }
                DirentKind::Content { mime, cluster, .. } => {
                    if usize::from(mime) >= self.mime_types.len() {
                        scan.problems.add(ArchiveError::UnknownMime(mime));
                    }
                    if cluster >= self.header.cluster_count {
                        scan.problems.add(ArchiveError::ClusterOutOfRange {
                            cluster,
                            count: self.header.cluster_count,
                        });
                    }
                }
                DirentKind::Other => {}
            }
            prev = Some((d.namespace, d.path));
        }
        // Blob numbers of entries are checked against the tables below only
        // through the table itself; reading each entry's blob again would
        // double the work for no new fault.
        for c in 0..self.header.cluster_count {
            progress(1);
            match self.check_cluster(c) {
                Ok(()) => scan.clusters_checked += 1,
                Err(e) => scan.problems.add(e),
            }
        }
        scan
    }

    /// Reads cluster `c` whole: decompresses it (bounded) and checks its table.
    fn check_cluster(&self, c: u32) -> Result<()> {
        let (start, end) = self.cluster_span(c)?;
        let mut info = [0u8; 1];
        self.src.read_exact_at(&mut info, start)?;
        let (compression, extended) = cluster::parse_info(c, info[0])?;
        let table = start + 1;
        if compression == Compression::None {
            cluster::check_table(&*self.src, c, table, end - table, extended)?;
            return Ok(());
        }
        let data = cluster::decompress(&*self.src, c, compression, table, end, MAX_CLUSTER_BYTES)?;
        let len = data.len() as u64;
        cluster::check_table(&data, c, 0, len, extended)?;
        Ok(())
    }

    /// Whether the listing used for suggestions and random pages exists.
    pub fn title_list_state(&self) -> Result<TitleListState> {
        Ok(match *self.titles()? {
            TitleList::Empty => TitleListState::Absent,
            _ => TitleListState::Present {
                entries: self.title_count()?,
            },
        })
    }

    /// Walks the suggestion listing: every entry exists and titles never go
    /// back. Then the header's own title list, when there is one (libzim
    /// checks it too, and old readers use it): every entry exists and
    /// (namespace, title) never goes back.
    pub fn check_title_order(&self, progress: &dyn Fn(u64)) -> Problems {
        let mut problems = Problems::default();
        let count = match self.title_count() {
            Ok(c) => c,
            Err(e) => {
                problems.add(e);
                return problems;
            }
        };
        let mut prev: Option<Vec<u8>> = None;
        for i in 0..count {
            progress(1);
            let d = match self.title_entry(i).and_then(|e| self.raw_dirent(e)) {
                Ok(d) => d,
                Err(e) => {
                    problems.add(e);
                    prev = None;
                    continue;
                }
            };
            let title = d.effective_title().to_vec();
            if prev.as_ref().is_some_and(|p| *p > title) {
                problems.add(ArchiveError::BadTitleListing(
                    "titles are not in order at one place or more",
                ));
            }
            prev = Some(title);
        }
        self.check_header_titles(&mut problems);
        problems
    }

    fn check_header_titles(&self, problems: &mut Problems) {
        let pos = self.header.title_ptr_pos;
        let n = self.header.entry_count;
        if pos == NO_TITLE_LIST {
            return;
        }
        let inside = u64::from(n)
            .checked_mul(4)
            .and_then(|size| pos.checked_add(size))
            .is_some_and(|end| pos >= 80 && end <= self.header.checksum_pos);
        if !inside {
            problems.add(ArchiveError::TableOutside {
                what: "title pointer list",
                end: pos.saturating_add(u64::from(n).saturating_mul(4)),
                limit: self.header.checksum_pos,
            });
            return;
        }
        let mut prev: Option<(u8, Vec<u8>)> = None;
        for i in 0..n {
            let mut b = [0u8; 4];
            if let Err(e) = self.src.read_exact_at(&mut b, pos + 4 * u64::from(i)) {
                problems.add(e.into());
                return;
            }
            let entry = u32::from_le_bytes(b);
            let d = match self.raw_dirent(entry) {
                Ok(d) => d,
                Err(e) => {
                    problems.add(e);
                    prev = None;
                    continue;
                }
            };
            let key = (d.namespace, d.effective_title().to_vec());
            if prev.as_ref().is_some_and(|p| *p > key) {
                problems.add(ArchiveError::BadTitleListing(
                    "the header's title list is not in order",
                ));
            }
            prev = Some(key);
        }
    }
}
