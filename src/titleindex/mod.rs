//! The suggestion index of one archive: its titles in three more orders, so
//! that spacing, punctuation, initial consonants (초성) and later words are
//! ranges of a sorted list like plain prefixes are.
//!
//! - `Folded`: by the title without spacing and punctuation, lower case
//!   ([`crate::hangul::keys::fold`]): "대한 민국" and "대한민국" are one key.
//! - `Initials`: by the initial consonants of that ([`crate::hangul::initials`]):
//!   "ㄷㅎㅁㄱ" is a prefix of 대한민국헌법's key.
//! - `Words`: every later word of a title (after a space or punctuation), by
//!   the folded text from there on: "헌법" finds "대한민국헌법/제10장 헌법개정".
//! - `Inside`: the same for Hangul syllables inside a word (at most
//!   [`MAX_INSIDE`] a title): "특별시" finds "서울특별시".
//!
//! Only entry numbers are kept — 4 bytes a title per order, 4 per later word
//! or place inside a word — and keys are read from the archive during the binary search (its top
//! levels stay in memory, see [`crate::archive::search_tree`]). Built in the
//! background after the server listens; see [`Indexes`].

pub mod stored;

use crate::archive::search_tree::SearchTree;
use crate::archive::Archive;
use crate::hangul::{initial_or_self, initials, keys};
use crate::readat::ReadAt;
use std::cmp::Ordering;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering as AtomicOrdering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Keys are compared on at most this many bytes (at a character boundary):
/// longer queries are looked up by their start and checked in full after.
pub const MAX_KEY: usize = 64;

#[derive(Debug)]
pub enum IndexError {
    Read(String),
    Stopped,
    Bad(&'static str),
    /// A stored file that is not a title index of ours.
    Foreign,
    /// A stored index made for another archive (or another version of it).
    Stale,
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexError::Read(e) => write!(f, "cannot read the titles: {e}"),
            IndexError::Stopped => f.write_str("stopped"),
            IndexError::Bad(why) => write!(f, "stored title index unusable: {why}"),
            IndexError::Foreign => f.write_str("not a title index of ours"),
            IndexError::Stale => f.write_str("made for another archive or another version of it"),
        }
    }
}

type Result<T> = std::result::Result<T, IndexError>;

/// Where titles come from: an archive, or a list in tests.
pub trait Titles: Send + Sync {
    /// Entries in the title list.
    fn count(&self) -> Result<u32>;
    /// The entry number of the `i`-th title.
    fn entry(&self, i: u32) -> Result<u32>;
    fn title(&self, entry: u32) -> Result<String>;
}

impl Titles for Archive {
    fn count(&self) -> Result<u32> {
        self.title_count()
            .map_err(|e| IndexError::Read(e.to_string()))
    }
    fn entry(&self, i: u32) -> Result<u32> {
        self.title_entry(i)
            .map_err(|e| IndexError::Read(e.to_string()))
    }
    fn title(&self, entry: u32) -> Result<String> {
        self.entry_title(entry)
            .map_err(|e| IndexError::Read(e.to_string()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Folded,
    Initials,
    Words,
    /// Places inside a word (Hangul syllables only), sorted like `Words`.
    Inside,
}

/// A list of u32 in memory or on the drive (written by `prepare`).
pub enum List {
    Mem(Box<[u32]>),
    Stored {
        src: Arc<dyn ReadAt>,
        at: u64,
        len: u32,
    },
}

impl List {
    fn len(&self) -> u32 {
        match self {
            List::Mem(v) => u32::try_from(v.len()).unwrap_or(u32::MAX),
            List::Stored { len, .. } => *len,
        }
    }
    fn get(&self, i: u32) -> Result<u32> {
        match self {
            List::Mem(v) => v
                .get(i as usize)
                .copied()
                .ok_or(IndexError::Bad("position past the end")),
            List::Stored { src, at, len } => {
                if i >= *len {
                    return Err(IndexError::Bad("position past the end"));
                }
                let mut b = [0u8; 4];
                src.read_exact_at(&mut b, at + 4 * u64::from(i))
                    .map_err(|e| IndexError::Read(e.to_string()))?;
                Ok(u32::from_le_bytes(b))
            }
        }
    }
    fn bytes(&self) -> usize {
        match self {
            List::Mem(v) => v.len() * 4,
            List::Stored { .. } => 0,
        }
    }
}

/// The first letters of the initials order: in memory, or on the drive
/// until the first query that needs them (so that opening a stored index
/// reads its header only and the start does not wait).
pub enum Firsts {
    Mem(Box<[u16]>),
    Stored {
        src: Arc<dyn ReadAt>,
        at: u64,
        len: u32,
        loaded: OnceLock<Box<[u16]>>,
    },
}

impl Firsts {
    fn all(&self) -> &[u16] {
        match self {
            Firsts::Mem(v) => v,
            Firsts::Stored {
                src,
                at,
                len,
                loaded,
            } => loaded.get_or_init(|| {
                let mut raw = vec![0u8; 2 * *len as usize];
                // Unreadable: no first letters, so nothing is filtered out
                // in memory (each match is still checked in full).
                if src.read_exact_at(&mut raw, *at).is_err() {
                    return Box::default();
                }
                raw.chunks_exact(2)
                    .map(|b| u16::from_le_bytes([b[0], b[1]]))
                    .collect()
            }),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Firsts::Mem(v) => v.len() * 2,
            Firsts::Stored { loaded, .. } => loaded.get().map_or(0, |v| v.len() * 2),
        }
    }
}

pub struct TitleIndex {
    titles: Arc<dyn Titles>,
    folded: List,
    initials: List,
    /// Entry number and (in the top byte) the word's byte offset in the
    /// folded key.
    words: List,
    /// Like `words`, for Hangul syllables inside a word.
    inside: List,
    /// The first character of each title in the initials order (its code
    /// point; `u16::MAX` when there is none or it does not fit): a whole
    /// first syllable (대ㅎㅁㄱ) filters an initials range in memory.
    initials_first: Firsts,
    trees: [SearchTree; 4],
    /// How long the build took.
    pub took: Duration,
}

/// The folded key compared for a title: at most `MAX_KEY` bytes.
pub fn folded_key(title: &str) -> String {
    let mut f = keys::fold(title);
    truncate(&mut f, MAX_KEY);
    f
}

fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// Hangul syllables inside a word indexed per title, at most: a long title
/// cannot blow the budget of bytes a title (the first ones are kept).
pub const MAX_INSIDE: usize = 8;

/// Byte offsets in the folded key where a later word of `title` starts
/// (`words`), and where a Hangul syllable inside a word does (`inside`:
/// Korean compounds have no spaces, 헌법 is in 대한민국헌법). A word's last
/// syllable is left out: a one-syllable query has prefixes enough, and it
/// halves the size (1.75 against 3.6 places a title on a Korean bundle).
fn later_starts(title: &str, key_len: usize, words: &mut Vec<u8>, inside: &mut Vec<u8>) {
    let marked = keys::fold_marked(title);
    let limit = key_len.min(256);
    let mut off = 0usize;
    for (i, &(c, at)) in marked.iter().enumerate() {
        if off >= limit {
            break;
        }
        let next_inside = marked.get(i + 1).is_some_and(|m| m.1 == keys::At::Inside);
        match at {
            keys::At::WordStart if off > 0 => words.push(off as u8),
            keys::At::Inside
                if next_inside
                    && inside.len() < MAX_INSIDE
                    && crate::hangul::Syllable::of(c).is_some() =>
            {
                inside.push(off as u8)
            }
            _ => {}
        }
        off += c.len_utf8();
    }
}

/// Word entries pack the offset in the top byte: entry numbers of more than
/// 2^24 entries are not packed and such words are left out.
const WORD_ENTRY_BITS: u32 = 24;

fn first_char(key: &str) -> u16 {
    key.chars()
        .next()
        .and_then(|c| u16::try_from(u32::from(c)).ok())
        .unwrap_or(u16::MAX)
}

fn cmp_initials(a: &str, b: &str) -> Ordering {
    a.chars()
        .map(initial_or_self)
        .cmp(b.chars().map(initial_or_self))
        .then_with(|| a.cmp(b))
}

impl TitleIndex {
    /// Reads every title of `titles` and sorts them; `stop` ends it early.
    pub fn build(titles: Arc<dyn Titles>, stop: &AtomicBool) -> Result<TitleIndex> {
        Self::build_with_progress(titles, stop, &mut |_, _| {})
    }

    /// [`TitleIndex::build`], telling `progress` (titles read, of) now and
    /// then.
    pub fn build_with_progress(
        titles: Arc<dyn Titles>,
        stop: &AtomicBool,
        progress: &mut dyn FnMut(u32, u32),
    ) -> Result<TitleIndex> {
        let t0 = Instant::now();
        let n = titles.count()?;
        let mut arena = String::new();
        let mut starts: Vec<u32> = Vec::with_capacity(n as usize + 1);
        let mut entries: Vec<u32> = Vec::with_capacity(n as usize);
        // Places as the lists keep them (offset in the top byte), with the
        // title's position here until sorted: 4 bytes a place while building.
        let mut words: Vec<u32> = Vec::new();
        let mut inside: Vec<u32> = Vec::new();
        let (mut offs, mut ins) = (Vec::new(), Vec::new());
        let mut failures = 0u32;
        for i in 0..n {
            if i % 4096 == 0 {
                if stop.load(AtomicOrdering::Relaxed) {
                    return Err(IndexError::Stopped);
                }
                progress(i, n);
            }
            let read = titles.entry(i).and_then(|e| Ok((e, titles.title(e)?)));
            let (e, title) = match read {
                Ok(x) => x,
                // A damaged entry is left out; a drive that stopped answering
                // ends the build.
                Err(err) => {
                    failures += 1;
                    if failures > 64 {
                        return Err(err);
                    }
                    continue;
                }
            };
            let key = folded_key(&title);
            let local = entries.len() as u32;
            starts.push(arena.len() as u32);
            arena.push_str(&key);
            entries.push(e);
            if e < 1 << WORD_ENTRY_BITS && local < 1 << WORD_ENTRY_BITS {
                offs.clear();
                ins.clear();
                later_starts(&title, key.len(), &mut offs, &mut ins);
                let place = |&o: &u8| local | (u32::from(o) << WORD_ENTRY_BITS);
                words.extend(offs.iter().map(place));
                inside.extend(ins.iter().map(place));
            }
            if arena.len() > u32::MAX as usize / 2 {
                break;
            }
        }
        starts.push(arena.len() as u32);
        let key = |x: u32| -> &str {
            let (a, b) = (starts[x as usize] as usize, starts[x as usize + 1] as usize);
            arena.get(a..b).unwrap_or("")
        };
        let mut perm: Vec<u32> = (0..entries.len() as u32).collect();
        perm.sort_unstable_by(|&x, &y| key(x).cmp(key(y)));
        let folded: Box<[u32]> = perm.iter().map(|&x| entries[x as usize]).collect();
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(IndexError::Stopped);
        }
        perm.sort_unstable_by(|&x, &y| cmp_initials(key(x), key(y)));
        let inits: Box<[u32]> = perm.iter().map(|&x| entries[x as usize]).collect();
        let initials_first = Firsts::Mem(perm.iter().map(|&x| first_char(key(x))).collect());
        drop(perm);
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(IndexError::Stopped);
        }
        const LOW: u32 = (1 << WORD_ENTRY_BITS) - 1;
        let wkey = |&p: &u32| {
            let off = (p >> WORD_ENTRY_BITS) as usize;
            key(p & LOW).get(off..).unwrap_or("")
        };
        // Sorted, then each title's position turned into its entry number in
        // place.
        let pack = |mut places: Vec<u32>| -> Box<[u32]> {
            places.sort_unstable_by(|a, b| wkey(a).cmp(wkey(b)));
            for p in places.iter_mut() {
                *p = entries[(*p & LOW) as usize] | (*p & !LOW);
            }
            places.into_boxed_slice()
        };
        let words = pack(words);
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(IndexError::Stopped);
        }
        let inside = pack(inside);
        Ok(TitleIndex {
            titles,
            folded: List::Mem(folded),
            initials: List::Mem(inits),
            words: List::Mem(words),
            inside: List::Mem(inside),
            initials_first,
            trees: Default::default(),
            took: t0.elapsed(),
        })
    }

    fn list(&self, order: Order) -> (&List, &SearchTree) {
        match order {
            Order::Folded => (&self.folded, &self.trees[0]),
            Order::Initials => (&self.initials, &self.trees[1]),
            Order::Words => (&self.words, &self.trees[2]),
            Order::Inside => (&self.inside, &self.trees[3]),
        }
    }

    /// The entry number at position `i` of an order.
    pub fn entry(&self, order: Order, i: u32) -> Result<u32> {
        let v = self.list(order).0.get(i)?;
        Ok(match order {
            Order::Words | Order::Inside => v & ((1 << WORD_ENTRY_BITS) - 1),
            _ => v,
        })
    }

    pub fn len(&self, order: Order) -> u32 {
        self.list(order).0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len(Order::Folded) == 0
    }

    /// The first character of the title at position `i` of the initials
    /// order, when it is known without reading the drive.
    pub fn initials_first(&self, i: u32) -> Option<char> {
        let v = *self.initials_first.all().get(i as usize)?;
        (v != u16::MAX).then(|| char::from_u32(u32::from(v)))?
    }

    /// The key an order sorts position `i` by.
    fn key_at(&self, order: Order, i: u32) -> Result<Vec<u8>> {
        let v = self.list(order).0.get(i)?;
        let entry = match order {
            Order::Words | Order::Inside => v & ((1 << WORD_ENTRY_BITS) - 1),
            _ => v,
        };
        let key = folded_key(&self.titles.title(entry)?);
        Ok(match order {
            Order::Folded => key.into_bytes(),
            Order::Initials => initials(&key).into_bytes(),
            Order::Words | Order::Inside => {
                let off = (v >> WORD_ENTRY_BITS) as usize;
                key.as_bytes().get(off..).unwrap_or_default().to_vec()
            }
        })
    }

    fn lower_bound(&self, order: Order, target: &[u8]) -> Result<u32> {
        let (list, tree) = self.list(order);
        tree.lower_bound(list.len(), target, |i| self.key_at(order, i))
    }

    /// Positions `[lo, hi)` whose keys lie in `[lo_key, hi_key)`.
    pub fn range(&self, order: Order, lo_key: &[u8], hi_key: &[u8]) -> Result<(u32, u32)> {
        let (lo_key, hi_key) = clamp_range(lo_key, hi_key);
        let lo = self.lower_bound(order, &lo_key)?;
        let hi = self.lower_bound(order, &hi_key)?;
        Ok((lo, hi.max(lo)))
    }

    /// Positions whose keys start with `prefix`.
    pub fn range_prefix(&self, order: Order, prefix: &[u8]) -> Result<(u32, u32)> {
        let mut hi = prefix.to_vec();
        hi.push(0xFF);
        self.range(order, prefix, &hi)
    }

    /// Memory held: the lists in memory, the first letters and the cached
    /// top levels of the searches.
    pub fn bytes(&self) -> usize {
        self.folded.bytes()
            + self.initials.bytes()
            + self.words.bytes()
            + self.inside.bytes()
            + self.initials_first.bytes()
            + self.trees.iter().map(SearchTree::bytes).sum::<usize>()
    }
}

/// Keys longer than `MAX_KEY` are cut: the range then covers every key that
/// starts like it, and the caller checks the whole query.
fn clamp_range(lo: &[u8], hi: &[u8]) -> (Vec<u8>, Vec<u8>) {
    if lo.len() <= MAX_KEY && hi.len() <= MAX_KEY {
        return (lo.to_vec(), hi.to_vec());
    }
    let mut cut = MAX_KEY.min(lo.len());
    while cut > 0 && (lo[cut - 1] & 0xC0) == 0x80 {
        cut -= 1;
    }
    // Back to the start of the last whole character.
    if cut > 0 && lo[cut - 1] >= 0xC0 {
        cut -= 1;
    }
    let stem = lo[..cut].to_vec();
    let mut top = stem.clone();
    top.push(0xFF);
    (stem, top)
}

/// The suggestion indexes of a catalog's archives: read from the drive
/// where `prepare` stored them, else built in the background.
pub struct Indexes {
    slots: Vec<OnceLock<Arc<TitleIndex>>>,
    started: Instant,
    ready: OnceLock<Duration>,
    stop: AtomicBool,
    from_drive: AtomicU32,
    built: AtomicU32,
}

/// An archive (catalog order; `None` when it did not open) and its stored
/// index, when the drive has one.
pub type Source = Option<(Arc<Archive>, Option<stored::Stored>)>;

impl Indexes {
    pub fn new(archives: usize) -> Indexes {
        Indexes {
            slots: (0..archives).map(|_| OnceLock::new()).collect(),
            started: Instant::now(),
            ready: OnceLock::new(),
            stop: AtomicBool::new(false),
            from_drive: AtomicU32::new(0),
            built: AtomicU32::new(0),
        }
    }

    /// The index of archive `i` (catalog order), once built.
    pub fn get(&self, i: usize) -> Option<Arc<TitleIndex>> {
        self.slots.get(i)?.get().cloned()
    }

    /// Time from start until every index was ready.
    pub fn ready_after(&self) -> Option<Duration> {
        self.ready.get().copied()
    }

    /// Memory held by the built indexes.
    pub fn bytes(&self) -> usize {
        self.slots
            .iter()
            .filter_map(|s| s.get())
            .map(|ix| ix.bytes())
            .sum()
    }

    /// Titles covered by the built indexes.
    pub fn titles(&self) -> u64 {
        self.slots
            .iter()
            .filter_map(|s| s.get())
            .map(|ix| u64::from(ix.len(Order::Folded)))
            .sum()
    }

    /// Indexes read from the drive, and built here.
    pub fn counts(&self) -> (u32, u32) {
        (
            self.from_drive.load(AtomicOrdering::Relaxed),
            self.built.load(AtomicOrdering::Relaxed),
        )
    }

    /// Ends a build under way (the server is stopping).
    pub fn stop(&self) {
        self.stop.store(true, AtomicOrdering::Relaxed);
    }

    /// Takes the stored indexes that were made for their archives at once
    /// (a header read each, nothing loaded): suggestions use them from the
    /// first request. Returns the archives still to build; a stale or
    /// damaged stored index is left aside and the archive's is built.
    pub fn open_stored(&self, archives: Vec<Source>) -> Vec<Option<Arc<Archive>>> {
        self.slots
            .iter()
            .zip(archives)
            .map(|(slot, src)| {
                let (a, on_drive) = src?;
                let titles: Arc<dyn Titles> = a.clone();
                match on_drive.map(|s| s.open(titles, &a)) {
                    Some(Ok(ix)) => {
                        let _ = slot.set(Arc::new(ix));
                        self.from_drive.fetch_add(1, AtomicOrdering::Relaxed);
                        None
                    }
                    _ => Some(a),
                }
            })
            .collect()
    }

    /// Builds the index of each archive not yet opened, one after the
    /// other, on a thread of its own at the lowest priority.
    pub fn build_in_background(self: &Arc<Self>, archives: Vec<Option<Arc<Archive>>>) {
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("title-index".into())
            .spawn(move || {
                crate::platform::background_thread();
                me.build_all(archives)
            });
        // Without a thread, suggestions keep to plain prefixes.
        drop(spawned);
    }

    /// Opens or builds every index on the calling thread (tests and
    /// measurements).
    pub fn build_now(&self, archives: Vec<Source>) {
        let rest = self.open_stored(archives);
        self.build_all(rest)
    }

    fn build_all(&self, archives: Vec<Option<Arc<Archive>>>) {
        for (slot, a) in self.slots.iter().zip(archives) {
            let Some(a) = a else { continue };
            if slot.get().is_some() {
                continue;
            }
            match TitleIndex::build(a, &self.stop) {
                Ok(ix) => {
                    let _ = slot.set(Arc::new(ix));
                    self.built.fetch_add(1, AtomicOrdering::Relaxed);
                }
                Err(IndexError::Stopped) => return,
                // Suggestions for this archive keep to plain prefixes.
                Err(_) => {}
            }
        }
        let _ = self.ready.set(self.started.elapsed());
    }
}

#[cfg(test)]
mod tests;
