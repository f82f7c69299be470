//! A read-only view of a single-file Xapian glass database: the version
//! header, B-tree blocks behind a bounded cache, and cursors over a table.
//!
//! Everything read from the file is checked before use: a damaged block gives
//! `FulltextError::Damaged`, never a panic, and the level of every child block
//! must be one less than its parent's so a cycle of block pointers cannot make
//! a descent loop.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};

use super::pack::Reader;
use super::FulltextError;
use crate::readat::ReadAt;

const MAGIC: &[u8; 14] = b"\x0f\x0dXapian Glass";
/// 2016-03-14, the only glass format Xapian 1.4 and 2.x write.
const FORMAT_VERSION: u16 = (2016 - 2014) << 9 | 3 << 5 | 14;
/// Xapian never builds trees deeper than this.
const MAX_LEVEL: u8 = 10;
const BLOCK_HEADER: usize = 11;
/// Upper bound on one assembled tag (metadata, docdata, one posting chunk):
/// real ones are a few kilobytes, this only stops a damaged file from making
/// us allocate without limit.
const MAX_TAG: usize = 16 << 20;

pub(super) fn damaged(what: impl Into<String>) -> FulltextError {
    FulltextError::Damaged(what.into())
}

/// Where one table's tree starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct TableRoot {
    pub(super) root: u32,
    pub(super) level: u8,
    /// An empty table owns no blocks at all.
    pub(super) empty: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Stats {
    pub(super) doccount: u32,
    pub(super) total_doclen: u64,
}

pub(super) struct Glass {
    src: Arc<dyn ReadAt>,
    block_size: usize,
    block_count: u64,
    pub(super) postlist: TableRoot,
    pub(super) docdata: TableRoot,
    pub(super) stats: Stats,
    cache: BlockCache,
}

impl Glass {
    pub(super) fn open(src: Arc<dyn ReadAt>, cache_bytes: usize) -> Result<Glass, FulltextError> {
        let head_len = src.len().min(2048) as usize;
        if head_len < MAGIC.len() + 2 {
            return Err(damaged("too short to hold a database header"));
        }
        let mut head = vec![0u8; head_len];
        src.read_exact_at(&mut head, 0)?;
        if head.get(..MAGIC.len()) != Some(&MAGIC[..]) {
            return Err(FulltextError::Unsupported(
                "not a Xapian glass database".into(),
            ));
        }
        let mut r = Reader::new(head.get(MAGIC.len()..).unwrap_or(&[]));
        let version = r.bytes(2).ok_or_else(|| damaged("header cut short"))?;
        let version = u16::from_be_bytes([version[0], version[1]]);
        if version != FORMAT_VERSION {
            return Err(FulltextError::Unsupported(format!(
                "glass format version {version:#06x}, expected {FORMAT_VERSION:#06x}"
            )));
        }
        let cut = || damaged("header cut short");
        r.bytes(16).ok_or_else(cut)?; // UUID
        r.uint().ok_or_else(cut)?; // revision
        let mut roots = [TableRoot {
            root: 0,
            level: 0,
            empty: true,
        }; 6];
        let mut block_size = 0usize;
        for root in roots.iter_mut() {
            let block = r.uint32().ok_or_else(cut)?;
            let flags = r.uint().ok_or_else(cut)?;
            r.uint().ok_or_else(cut)?; // entries
            let bs = r.uint().ok_or_else(cut)?;
            r.uint().ok_or_else(cut)?; // compress_min
            r.string().ok_or_else(cut)?; // freelist
            let level = u8::try_from(flags >> 2)
                .ok()
                .filter(|l| *l < MAX_LEVEL)
                .ok_or_else(|| damaged("table deeper than any Xapian writes"))?;
            let bs = bs
                .checked_mul(2048)
                .filter(|b| b.is_power_of_two() && (2048..=65536).contains(b))
                .ok_or_else(|| damaged("impossible block size"))? as usize;
            if block_size != 0 && bs != block_size {
                return Err(damaged("tables disagree on the block size"));
            }
            block_size = bs;
            *root = TableRoot {
                root: block,
                level,
                empty: flags & 1 != 0,
            };
        }
        let doccount = r.uint32().ok_or_else(cut)?;
        for _ in 0..5 {
            r.uint().ok_or_else(cut)?;
        }
        let total_doclen = r.uint().ok_or_else(cut)?;
        let block_count = src.len() / block_size as u64;
        let glass = Glass {
            src,
            block_size,
            block_count,
            postlist: roots[0],
            docdata: roots[1],
            stats: Stats {
                doccount,
                total_doclen,
            },
            cache: BlockCache::new(cache_bytes),
        };
        for t in [glass.postlist, glass.docdata] {
            if !t.empty && (t.root == 0 || u64::from(t.root) >= block_count) {
                return Err(damaged("table root outside the database"));
            }
        }
        Ok(glass)
    }

    fn block(&self, n: u32, level: u8) -> Result<Block, FulltextError> {
        if n == 0 || u64::from(n) >= self.block_count {
            return Err(damaged(format!("block pointer {n} outside the database")));
        }
        let data = match self.cache.get(n) {
            Some(d) => d,
            None => {
                let mut buf = vec![0u8; self.block_size];
                self.src
                    .read_exact_at(&mut buf, u64::from(n) * self.block_size as u64)?;
                let data: Arc<[u8]> = buf.into();
                self.cache.put(n, data.clone());
                data
            }
        };
        let block = Block { data };
        block.check(level)?;
        Ok(block)
    }

    /// A cursor on the last item whose key is ≤ `key` (component 1); before
    /// the first item if there is none.
    pub(super) fn seek(&self, table: TableRoot, key: &[u8]) -> Result<Cursor<'_>, FulltextError> {
        let mut cursor = Cursor {
            glass: self,
            path: Vec::new(),
        };
        if table.empty {
            return Ok(cursor);
        }
        let mut block = self.block(table.root, table.level)?;
        let mut level = table.level;
        while level > 0 {
            let n = block.count();
            // Item 0 of a branch stands for minus infinity.
            let mut lo = 0usize;
            let mut hi = n;
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if block.branch_item(mid)?.cmp_key(key, 1) != Ordering::Greater {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let child = block.branch_item(lo)?.child;
            cursor.path.push((block, lo as isize));
            level -= 1;
            block = self.block(child, level)?;
        }
        // Leaf: index of the last item ≤ key, or -1.
        let mut lo = 0usize;
        let mut hi = block.count();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if block.leaf_item(mid)?.cmp_key(key, 1) != Ordering::Greater {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        cursor.path.push((block, lo as isize - 1));
        if lo == 0 {
            // A truncated separator can route a key to the leaf after the one
            // holding its predecessor.
            cursor.prev()?;
        }
        Ok(cursor)
    }

    /// The whole tag stored under `key`, or `None` if the key is absent.
    pub(super) fn get(
        &self,
        table: TableRoot,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, FulltextError> {
        let mut cursor = self.seek(table, key)?;
        match cursor.item()? {
            Some(item) if item.key == key && item.first => {}
            _ => return Ok(None),
        }
        cursor.read_tag().map(Some)
    }
}

/// One B-tree block, shared with the cache.
#[derive(Clone)]
pub(super) struct Block {
    data: Arc<[u8]>,
}

struct BranchItem<'a> {
    child: u32,
    key: &'a [u8],
    comp: u16,
}

pub(super) struct LeafItem<'a> {
    pub(super) key: &'a [u8],
    comp: u16,
    first: bool,
    last: bool,
    compressed: bool,
    tag: &'a [u8],
}

trait KeyCmp {
    fn parts(&self) -> (&[u8], u16);
    /// Glass key order: bytes, then shorter first, then component number.
    fn cmp_key(&self, key: &[u8], comp: u16) -> Ordering {
        let (k, c) = self.parts();
        k.cmp(key).then(c.cmp(&comp))
    }
}

impl KeyCmp for BranchItem<'_> {
    fn parts(&self) -> (&[u8], u16) {
        (self.key, self.comp)
    }
}

impl KeyCmp for LeafItem<'_> {
    fn parts(&self) -> (&[u8], u16) {
        (self.key, self.comp)
    }
}

fn be16(d: &[u8], at: usize) -> Option<usize> {
    let b = d.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_be_bytes([b[0], b[1]])))
}

impl Block {
    fn check(&self, level: u8) -> Result<(), FulltextError> {
        let d = &self.data;
        if d.get(4) != Some(&level) {
            return Err(damaged("block at an unexpected tree level"));
        }
        let dir_end = be16(d, 9).ok_or_else(|| damaged("block header cut short"))?;
        if dir_end < BLOCK_HEADER
            || dir_end > d.len()
            || !(dir_end - BLOCK_HEADER).is_multiple_of(2)
        {
            return Err(damaged("block directory out of range"));
        }
        if level > 0 && dir_end == BLOCK_HEADER {
            return Err(damaged("empty branch block"));
        }
        Ok(())
    }

    fn count(&self) -> usize {
        be16(&self.data, 9).map_or(0, |e| e.saturating_sub(BLOCK_HEADER) / 2)
    }

    fn item_offset(&self, i: usize) -> Result<usize, FulltextError> {
        let at = BLOCK_HEADER + 2 * i;
        be16(&self.data, at).ok_or_else(|| damaged("item index past the directory"))
    }

    fn branch_item(&self, i: usize) -> Result<BranchItem<'_>, FulltextError> {
        let bad = || damaged("branch item out of range");
        let o = self.item_offset(i)?;
        let d = &self.data;
        let child = d.get(o..o + 4).ok_or_else(bad)?;
        let child = u32::from_be_bytes([child[0], child[1], child[2], child[3]]);
        let klen = usize::from(*d.get(o + 4).ok_or_else(bad)?);
        let key = d.get(o + 5..o + 5 + klen).ok_or_else(bad)?;
        let comp = be16(d, o + 5 + klen).ok_or_else(bad)? as u16;
        Ok(BranchItem { child, key, comp })
    }

    fn leaf_item(&self, i: usize) -> Result<LeafItem<'_>, FulltextError> {
        let bad = || damaged("leaf item out of range");
        let o = self.item_offset(i)?;
        let d = &self.data;
        let head = be16(d, o).ok_or_else(bad)?;
        let size = (head & 0x1fff) + 3;
        let item = d.get(o..o + size).ok_or_else(bad)?;
        let first = head & 0x2000 != 0;
        let klen = usize::from(*item.get(2).ok_or_else(bad)?);
        let key = item.get(3..3 + klen).ok_or_else(bad)?;
        let mut tag_at = 3 + klen;
        let comp = if first {
            1
        } else {
            let c = be16(item, tag_at).ok_or_else(bad)? as u16;
            tag_at += 2;
            c
        };
        Ok(LeafItem {
            key,
            comp,
            first,
            last: head & 0x4000 != 0,
            compressed: head & 0x8000 != 0,
            tag: item.get(tag_at..).ok_or_else(bad)?,
        })
    }
}

/// A position in a table: the path of (block, item index) from the root down
/// to the leaf. Index -1 in the leaf means "before the first item".
pub(super) struct Cursor<'g> {
    glass: &'g Glass,
    path: Vec<(Block, isize)>,
}

impl Cursor<'_> {
    /// The leaf item under the cursor, if it is on one.
    pub(super) fn item(&self) -> Result<Option<LeafItem<'_>>, FulltextError> {
        match self.path.last() {
            Some((block, i)) if *i >= 0 && (*i as usize) < block.count() => {
                block.leaf_item(*i as usize).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Moves to the next leaf item; false at the end of the table.
    pub(super) fn next(&mut self) -> Result<bool, FulltextError> {
        let Some((leaf, i)) = self.path.last_mut() else {
            return Ok(false);
        };
        if *i + 1 < leaf.count() as isize {
            *i += 1;
            return Ok(true);
        }
        // Climb to the first ancestor with a right sibling, step over, and
        // descend along first children. Each level's block must sit exactly
        // one level lower, so this ends within the tree height.
        let depth = self.path.len();
        let mut up = depth - 1;
        loop {
            if up == 0 {
                // Past the end: park after the last leaf item.
                if let Some((leaf, i)) = self.path.last_mut() {
                    *i = leaf.count() as isize;
                }
                return Ok(false);
            }
            up -= 1;
            let (block, i) = &self.path[up];
            if *i + 1 < block.count() as isize {
                break;
            }
        }
        self.path[up].1 += 1;
        for d in up..depth - 1 {
            let (block, i) = &self.path[d];
            let child = block.branch_item(*i as usize)?.child;
            let level = (depth - 2 - d) as u8;
            let next = self.glass.block(child, level)?;
            self.path[d + 1] = (next, 0);
        }
        Ok(true)
    }

    /// Moves to the previous leaf item; false (and before the first item)
    /// at the start of the table.
    pub(super) fn prev(&mut self) -> Result<bool, FulltextError> {
        let Some((leaf, i)) = self.path.last_mut() else {
            return Ok(false);
        };
        if *i > 0 {
            *i = (*i).min(leaf.count() as isize) - 1;
            return Ok(true);
        }
        let depth = self.path.len();
        let mut up = depth - 1;
        loop {
            if up == 0 {
                if let Some((_, i)) = self.path.last_mut() {
                    *i = -1;
                }
                return Ok(false);
            }
            up -= 1;
            if self.path[up].1 > 0 {
                break;
            }
        }
        self.path[up].1 -= 1;
        for d in up..depth - 1 {
            let (block, i) = &self.path[d];
            let child = block.branch_item(*i as usize)?.child;
            let level = (depth - 2 - d) as u8;
            let next = self.glass.block(child, level)?;
            let last = next.count() as isize - 1;
            self.path[d + 1] = (next, last);
        }
        Ok(true)
    }

    /// Steps back from a continuation part to the first part of its tag.
    pub(super) fn back_to_tag_start(&mut self) -> Result<(), FulltextError> {
        for _ in 0..=u16::MAX {
            match self.item()? {
                Some(item) if !item.first => {
                    if !self.prev()? {
                        return Err(damaged("tag without its first part"));
                    }
                }
                _ => return Ok(()),
            }
        }
        Err(damaged("tag with too many parts"))
    }

    /// Assembles the tag starting at the current item (a first component),
    /// reading following components and inflating if it was compressed.
    pub(super) fn read_tag(&mut self) -> Result<Vec<u8>, FulltextError> {
        let mut tag = Vec::new();
        self.read_tag_into(&mut tag)?;
        Ok(tag)
    }

    /// As `read_tag`, into `tag` (cleared first), reusing its memory: a
    /// walk along a posting list reads one chunk after another.
    pub(super) fn read_tag_into(&mut self, tag: &mut Vec<u8>) -> Result<(), FulltextError> {
        tag.clear();
        let (key, compressed, mut last) = match self.item()? {
            Some(item) if item.first => {
                tag.extend_from_slice(item.tag);
                // Later parts repeat the key: kept to compare them with.
                let key = if item.last {
                    Vec::new()
                } else {
                    item.key.to_vec()
                };
                (key, item.compressed, item.last)
            }
            _ => return Err(damaged("tag does not start with its first part")),
        };
        let mut comp = 1u16;
        while !last {
            if !self.next()? {
                return Err(damaged("tag cut short at the end of the table"));
            }
            let item = self
                .item()?
                .ok_or_else(|| damaged("tag cut short at the end of the table"))?;
            comp = comp
                .checked_add(1)
                .ok_or_else(|| damaged("too many tag parts"))?;
            if item.key != key.as_slice() || item.comp != comp {
                return Err(damaged("tag parts out of sequence"));
            }
            // No real tag is longer than the database holding it.
            let limit = (self.glass.src.len()).min(MAX_TAG as u64) as usize;
            if tag.len() + item.tag.len() > limit {
                return Err(damaged("tag larger than any Xapian writes"));
            }
            tag.extend_from_slice(item.tag);
            last = item.last;
        }
        if compressed {
            *tag = inflate(tag)?;
        }
        Ok(())
    }
}

/// Glass compresses tags as raw deflate (no zlib header).
fn inflate(data: &[u8]) -> Result<Vec<u8>, FulltextError> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(data)
        .take(MAX_TAG as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| damaged("compressed tag does not inflate"))?;
    if out.len() > MAX_TAG {
        return Err(damaged("compressed tag inflates beyond any real size"));
    }
    Ok(out)
}

/// Blocks kept in memory, bounded by their total size, evicted by the
/// clock algorithm: a block used since the hand last passed it gets another
/// round. Each eviction costs O(1) amortized, so the cache can be large
/// enough to keep a common word's whole posting list and the document
/// lengths across queries (a scan for the oldest block on every eviction,
/// as before, cost more than the read it saved once the cache held
/// thousands of blocks).
struct BlockCache {
    capacity: usize,
    inner: Mutex<CacheInner>,
}

struct Slot {
    block: u32,
    data: Arc<[u8]>,
    used: bool,
}

#[derive(Default)]
struct CacheInner {
    /// Block number → index in `slots`.
    index: HashMap<u32, usize>,
    slots: Vec<Slot>,
    hand: usize,
    bytes: usize,
}

impl BlockCache {
    fn new(capacity: usize) -> BlockCache {
        BlockCache {
            capacity,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn get(&self, n: u32) -> Option<Arc<[u8]>> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let i = *inner.index.get(&n)?;
        let slot = inner.slots.get_mut(i)?;
        slot.used = true;
        Some(slot.data.clone())
    }

    fn put(&self, n: u32, data: Arc<[u8]>) {
        if data.len() > self.capacity {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *inner;
        if let Some(&i) = inner.index.get(&n) {
            if let Some(slot) = inner.slots.get_mut(i) {
                inner.bytes = inner.bytes - slot.data.len() + data.len();
                slot.data = data;
                slot.used = true;
            }
        } else if inner.bytes + data.len() <= self.capacity {
            inner.bytes += data.len();
            inner.index.insert(n, inner.slots.len());
            inner.slots.push(Slot {
                block: n,
                data,
                used: false,
            });
        } else {
            // Sweep to a block not used since the last pass and take its
            // slot. Blocks of one database are all one size, so the total
            // stays within the capacity; two passes always find one.
            let len = inner.slots.len();
            for _ in 0..2 * len {
                let hand = inner.hand % len.max(1);
                inner.hand = hand + 1;
                let Some(slot) = inner.slots.get_mut(hand) else {
                    return;
                };
                if slot.used {
                    slot.used = false;
                    continue;
                }
                if inner.bytes - slot.data.len() + data.len() > self.capacity {
                    return;
                }
                inner.bytes = inner.bytes - slot.data.len() + data.len();
                inner.index.remove(&slot.block);
                slot.block = n;
                slot.data = data;
                inner.index.insert(n, hand);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_stays_within_budget() {
        let cache = BlockCache::new(3 * 100);
        for n in 1..10u32 {
            cache.put(n, vec![0u8; 100].into());
            let _ = cache.get(1);
        }
        let inner = cache.inner.lock().unwrap();
        assert!(inner.bytes <= 300);
        assert_eq!(inner.slots.len(), 3);
        assert_eq!(inner.index.len(), 3);
        // Block 1 was used after every insertion, so it is still there.
        assert!(inner.index.contains_key(&1));
        drop(inner);
        assert!(cache.get(1).is_some());
        // Every block in the index is in the slot it names.
        let inner = cache.inner.lock().unwrap();
        for (n, i) in &inner.index {
            assert_eq!(inner.slots[*i].block, *n);
        }
    }

    #[test]
    fn rejects_other_formats() {
        let data: Arc<dyn ReadAt> = Arc::new(b"\x0f\x0dXapian Chert and more bytes".to_vec());
        assert!(matches!(
            Glass::open(data, 1 << 20),
            Err(FulltextError::Unsupported(_))
        ));
        let data: Arc<dyn ReadAt> = Arc::new(vec![0u8; 10]);
        assert!(Glass::open(data, 1 << 20).is_err());
    }
}
