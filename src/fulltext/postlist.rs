//! The postlist table's key spaces: posting lists of terms, the
//! document-length list (same chunk format), value streams, user metadata;
//! and document data from the docdata table.

use super::chunk::Chunk;
use super::glass::{damaged, Cursor, Glass};
use super::pack::{put_escaped, put_sortable_uint, put_uint, Reader};
use super::FulltextError;

const DOCLEN_KEY: &[u8] = b"\x00\xe0";
const METADATA_PREFIX: &[u8] = b"\x00\xc0";
const VALUE_CHUNK_PREFIX: &[u8] = b"\x00\xd8";

/// Which list: a term's postings or the document lengths.
#[derive(Clone)]
struct ListKeys {
    /// Key of the first chunk.
    first: Vec<u8>,
    /// Later chunks are this plus the sortable first docid.
    later: Vec<u8>,
}

impl ListKeys {
    fn term(term: &[u8]) -> ListKeys {
        let mut first = Vec::with_capacity(term.len() + 1);
        put_escaped(&mut first, term);
        let mut later = first.clone();
        later.push(0);
        ListKeys { first, later }
    }

    fn doclen() -> ListKeys {
        ListKeys {
            first: DOCLEN_KEY.to_vec(),
            later: DOCLEN_KEY.to_vec(),
        }
    }

    fn chunk_key(&self, did: u32) -> Vec<u8> {
        let mut key = self.later.clone();
        put_sortable_uint(&mut key, u64::from(did));
        key
    }

    /// First docid of the chunk stored under `key`: `None` for the first
    /// chunk (its docid is in the tag), an error if the key is not ours.
    fn chunk_start(&self, key: &[u8]) -> Result<Option<u32>, ()> {
        if key == self.first.as_slice() {
            return Ok(None);
        }
        let rest = key.strip_prefix(self.later.as_slice()).ok_or(())?;
        let mut r = Reader::new(rest);
        let did = r.sortable_uint().ok_or(())?;
        if !r.is_empty() {
            return Err(());
        }
        u32::try_from(did).map(Some).map_err(|_| ())
    }
}

/// Term frequency and collection frequency from a first chunk.
pub(super) struct TermStats {
    pub(super) termfreq: u32,
}

/// An iterator over (docid, wdf) of one list, able to skip ahead.
pub(super) struct PostingList<'g> {
    glass: &'g Glass,
    keys: ListKeys,
    cursor: Option<Cursor<'g>>,
    chunk: Chunk,
    /// Past the last entry.
    ended: bool,
    pub(super) termfreq: u32,
}

impl<'g> PostingList<'g> {
    /// The postings of `term`, or `None` if it is not in the index.
    pub(super) fn open_term(glass: &'g Glass, term: &[u8]) -> Result<Option<Self>, FulltextError> {
        Self::open(glass, ListKeys::term(term))
    }

    pub(super) fn open_doclen(glass: &'g Glass) -> Result<Option<Self>, FulltextError> {
        Self::open(glass, ListKeys::doclen())
    }

    fn open(glass: &'g Glass, keys: ListKeys) -> Result<Option<Self>, FulltextError> {
        let cursor = glass.seek(glass.postlist, &keys.first)?;
        match cursor.item()? {
            Some(item) if item.key == keys.first.as_slice() => {}
            _ => return Ok(None),
        }
        let mut list = PostingList {
            glass,
            keys,
            cursor: Some(cursor),
            chunk: Chunk::default(),
            ended: false,
            termfreq: 0,
        };
        list.load_at_cursor()?;
        Ok(Some(list))
    }

    /// Reads the chunk whose first part the cursor is on.
    fn load_at_cursor(&mut self) -> Result<(), FulltextError> {
        let cursor = self
            .cursor
            .as_mut()
            .ok_or_else(|| damaged("posting list lost its place"))?;
        let start = match cursor.item()? {
            Some(item) => self
                .keys
                .chunk_start(item.key)
                .map_err(|_| damaged("posting list chunk missing"))?,
            None => return Err(damaged("posting list chunk missing")),
        };
        let mut tag = self.chunk.take_buffer();
        cursor.read_tag_into(&mut tag)?;
        let previous_last = self.chunk.last;
        if let Some(header) = self.chunk.load(tag, start, previous_last)? {
            self.termfreq = header.termfreq;
        }
        Ok(())
    }

    /// The current (docid, wdf), `None` once past the end.
    pub(super) fn current(&self) -> Option<(u32, u32)> {
        (!self.ended).then(|| self.chunk.current())
    }

    /// Moves to the first entry with docid ≥ `did`.
    #[inline]
    pub(super) fn skip_to(&mut self, did: u32) -> Result<Option<(u32, u32)>, FulltextError> {
        loop {
            if self.ended {
                return Ok(None);
            }
            let current = self.chunk.current();
            if current.0 >= did {
                return Ok(Some(current));
            }
            if did <= self.chunk.last {
                return self.chunk.skip_in(did).map(Some);
            }
            if self.chunk.is_final {
                self.ended = true;
                return Ok(None);
            }
            self.jump_towards(did)?;
        }
    }

    /// Loads the chunk that may hold `did`: the next chunk if `did` falls
    /// before its start, else the last chunk starting at or before `did`,
    /// found by a tree descent instead of reading every chunk between.
    fn jump_towards(&mut self, did: u32) -> Result<(), FulltextError> {
        let previous_last = self.chunk.last;
        let cursor = self
            .cursor
            .as_mut()
            .ok_or_else(|| damaged("posting list lost its place"))?;
        if !cursor.next()? {
            return Err(damaged("posting list ends without its last chunk"));
        }
        let next_start = match cursor.item()? {
            Some(item) => self.keys.chunk_start(item.key).ok().flatten(),
            None => None,
        };
        let Some(next_start) = next_start else {
            return Err(damaged("posting list chunk missing"));
        };
        if next_start < did {
            let mut c = self
                .glass
                .seek(self.glass.postlist, &self.keys.chunk_key(did))?;
            c.back_to_tag_start()?;
            self.cursor = Some(c);
        }
        self.load_at_cursor()?;
        if self.chunk.last <= previous_last {
            return Err(damaged("posting list chunks out of order"));
        }
        Ok(())
    }
}

/// Termfreq of `term` without decoding its postings beyond the header.
pub(super) fn term_stats(glass: &Glass, term: &[u8]) -> Result<Option<TermStats>, FulltextError> {
    let keys = ListKeys::term(term);
    let Some(tag) = glass.get(glass.postlist, &keys.first)? else {
        return Ok(None);
    };
    let termfreq = Reader::new(&tag)
        .uint32()
        .ok_or_else(|| damaged("posting list header cut short"))?;
    Ok(Some(TermStats { termfreq }))
}

pub(super) fn metadata(glass: &Glass, name: &str) -> Result<Option<Vec<u8>>, FulltextError> {
    let mut key = METADATA_PREFIX.to_vec();
    key.extend_from_slice(name.as_bytes());
    glass.get(glass.postlist, &key)
}

pub(super) fn docdata(glass: &Glass, did: u32) -> Result<Option<Vec<u8>>, FulltextError> {
    let mut key = Vec::with_capacity(5);
    put_sortable_uint(&mut key, u64::from(did));
    glass.get(glass.docdata, &key)
}

/// The value in `slot` of document `did`, read from the slot's value stream.
pub(super) fn value(glass: &Glass, slot: u32, did: u32) -> Result<Option<Vec<u8>>, FulltextError> {
    let mut prefix = VALUE_CHUNK_PREFIX.to_vec();
    put_uint(&mut prefix, u64::from(slot));
    let mut key = prefix.clone();
    put_sortable_uint(&mut key, u64::from(did));
    let mut cursor = glass.seek(glass.postlist, &key)?;
    cursor.back_to_tag_start()?;
    let start = match cursor.item()? {
        Some(item) => match item.key.strip_prefix(prefix.as_slice()) {
            Some(rest) => {
                let mut r = Reader::new(rest);
                match r.sortable_uint() {
                    Some(d) if r.is_empty() => d,
                    _ => return Ok(None),
                }
            }
            None => return Ok(None),
        },
        None => return Ok(None),
    };
    let tag = cursor.read_tag()?;
    let bad = || damaged("value stream cut short");
    let mut r = Reader::new(&tag);
    let mut current = start;
    let mut value = r.string().ok_or_else(bad)?;
    loop {
        if current == u64::from(did) {
            return Ok(Some(value.to_vec()));
        }
        if current > u64::from(did) || r.is_empty() {
            return Ok(None);
        }
        current = r
            .uint()
            .and_then(|gap| current.checked_add(gap))
            .and_then(|d| d.checked_add(1))
            .ok_or_else(bad)?;
        value = r.string().ok_or_else(bad)?;
    }
}
