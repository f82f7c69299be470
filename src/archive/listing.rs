//! Articles in title order, for suggestions and random pages: binary searches
//! over a list stored in the archive, never a scan.
//!
//! New scheme: `X/listing/titleOrdered/v1`, the dirent numbers (u32 LE) of
//! the front articles. Old scheme: the header's title pointer list, which
//! covers every namespace sorted by (namespace, title); only its A range is
//! used.

use std::sync::Arc;

use super::blob::Blob;
use super::error::{ArchiveError, Result};
use super::header::NO_TITLE_LIST;
use super::{Archive, DirentKind};
use crate::readat::ReadAt;

pub enum TitleList {
    V1 { blob: Blob, count: u32 },
    Header { pos: u64, first: u32, count: u32 },
    Empty,
}

/// Random picks before walking the list: listings where most entries are
/// redirects would otherwise often give nothing.
const RANDOM_TRIES: u64 = 16;
/// How far the walk after the random picks goes before giving up.
const RANDOM_WALK: u32 = 512;

/// splitmix64: spreads consecutive seeds over the whole list.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Archive {
    /// Length of `X/listing/titleOrdered/v1` in entries, if it exists.
    pub(super) fn v1_listing_len(&self) -> Result<Option<u32>> {
        Ok(self.v1_listing()?.map(|(_, n)| n))
    }

    fn v1_listing(&self) -> Result<Option<(Blob, u32)>> {
        let Some(i) = self.find(b'X', "listing/titleOrdered/v1")? else {
            return Ok(None);
        };
        let (_, d) = self.resolve(i)?;
        let blob = self.blob(&d)?;
        let count = u32::try_from(blob.len() / 4)
            .map_err(|_| ArchiveError::BadTitleListing("it is longer than possible"))?;
        Ok(Some((blob, count)))
    }

    /// Index in the header title list of the first entry of namespace `ns`
    /// or later.
    fn header_ns_bound(&self, pos: u64, ns: u8) -> Result<u32> {
        let (mut lo, mut hi) = (0u32, self.header.entry_count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let d = self.raw_dirent(self.header_title_entry(pos, mid)?)?;
            if d.namespace < ns {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    fn header_title_entry(&self, pos: u64, i: u32) -> Result<u32> {
        let mut b = [0u8; 4];
        self.src.read_exact_at(&mut b, pos + 4 * u64::from(i))?;
        Ok(u32::from_le_bytes(b))
    }

    fn header_list(&self, ns: u8) -> Result<TitleList> {
        let pos = self.header.title_ptr_pos;
        let in_file = u64::from(self.header.entry_count)
            .checked_mul(4)
            .and_then(|size| pos.checked_add(size))
            .is_some_and(|end| pos >= 80 && end <= self.header.checksum_pos);
        if pos == NO_TITLE_LIST || !in_file {
            return Ok(TitleList::Empty);
        }
        let first = self.header_ns_bound(pos, ns)?;
        let end = self.header_ns_bound(pos, ns.saturating_add(1))?;
        Ok(TitleList::Header {
            pos,
            first,
            count: end.saturating_sub(first),
        })
    }

    pub(super) fn titles(&self) -> Result<Arc<TitleList>> {
        let mut slot = self.titles.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = slot.as_ref() {
            return Ok(t.clone());
        }
        let list = if self.has_new_namespace_scheme() {
            match self.v1_listing()? {
                Some((blob, count)) => TitleList::V1 { blob, count },
                None => self.header_list(b'C')?,
            }
        } else {
            self.header_list(b'A')?
        };
        let list = Arc::new(list);
        *slot = Some(list.clone());
        Ok(list)
    }

    /// Number of articles in the title listing.
    pub fn title_count(&self) -> Result<u32> {
        Ok(match *self.titles()? {
            TitleList::V1 { count, .. } | TitleList::Header { count, .. } => count,
            TitleList::Empty => 0,
        })
    }

    /// Dirent index of the `i`-th article in title order.
    pub fn title_entry(&self, i: u32) -> Result<u32> {
        let titles = self.titles()?;
        let entry = match *titles {
            TitleList::V1 { ref blob, count } if i < count => {
                let mut b = [0u8; 4];
                blob.read_exact_at(&mut b, 4 * u64::from(i))?;
                u32::from_le_bytes(b)
            }
            TitleList::Header { pos, first, count } if i < count => {
                self.header_title_entry(pos, first + i)?
            }
            _ => {
                return Err(ArchiveError::BadTitleListing(
                    "asked for a position past its end",
                ))
            }
        };
        if entry >= self.header.entry_count {
            return Err(ArchiveError::EntryOutOfRange {
                index: entry,
                count: self.header.entry_count,
            });
        }
        Ok(entry)
    }

    /// First position whose title (compared as bytes) is not less than `key`;
    /// `title_count()` when every title is less.
    pub fn title_lower_bound(&self, key: &str) -> Result<u32> {
        self.title_lower_bound_bytes(key.as_bytes())
    }

    /// [`Archive::title_lower_bound`] for a key that need not be UTF-8 (an
    /// upper bound past every title starting with some prefix).
    pub fn title_lower_bound_bytes(&self, key: &[u8]) -> Result<u32> {
        let count = self.title_count()?;
        self.title_tree.lower_bound(count, key, |mid| {
            let d = self.raw_dirent(self.title_entry(mid)?)?;
            Ok(d.effective_title().to_vec())
        })
    }

    /// A front article (HTML, not a redirect) picked from the title listing
    /// by `seed`; `None` when a few picks find none.
    pub fn random_article(&self, seed: u64) -> Result<Option<u32>> {
        let count = self.title_count()?;
        if count == 0 {
            return Ok(None);
        }
        let pick =
            |n: u64| u32::try_from(mix(seed.wrapping_add(n)) % u64::from(count)).unwrap_or(0);
        for attempt in 0..RANDOM_TRIES {
            if let Some(entry) = self.html_article_at(pick(attempt)) {
                return Ok(Some(entry));
            }
        }
        let start = u64::from(pick(RANDOM_TRIES));
        for step in 0..RANDOM_WALK.min(count) {
            let i = u32::try_from((start + u64::from(step)) % u64::from(count)).unwrap_or(0);
            if let Some(entry) = self.html_article_at(i) {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    /// The dirent at title position `i` when it is an HTML page, not a redirect.
    fn html_article_at(&self, i: u32) -> Option<u32> {
        let entry = self.title_entry(i).ok()?;
        let d = self.dirent(entry).ok()?;
        if !matches!(d.kind, DirentKind::Content { .. }) {
            return None;
        }
        self.mime_type(&d)
            .is_ok_and(|m| m.starts_with("text/html"))
            .then_some(entry)
    }
}
