//! The drive index: the words of everything on the drive that is not in an
//! archive — newspapers' pages, films' subtitles, pages, descriptions —
//! tokenized and ranked like the archives' full text (`fulltext`'s
//! tokenizer and BM25), so that `search` can merge both into one list.
//!
//! It is a list of segments. `prepare` writes one onto the drive (`store`);
//! the server opens it, checks it, and reads in the background, one
//! low-priority thread, what it lacks or what changed since (`background`),
//! adding segments as it goes. A source read again in a newer segment hides
//! its older units.

pub mod background;
pub mod blocks;
pub mod builder;
pub mod postings;
pub mod segment;
pub mod sources;
pub mod store;

use crate::fulltext::{plain_query, snippet_plain, Bm25};
use segment::{ItemKind, Role, Segment};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

#[derive(Default)]
struct State {
    segments: Vec<Arc<Segment>>,
    /// Per segment, per source: hidden (read again later, or gone).
    dead: Vec<Vec<bool>>,
}

/// The drive index as the server holds it: segments behind a lock, and how
/// far the background reading has come.
#[derive(Default)]
pub struct DriveIndex {
    state: RwLock<State>,
    total: AtomicUsize,
    done: AtomicUsize,
    running: AtomicBool,
    /// Set when the server stops: the background reader ends after the
    /// file it is reading.
    stopping: AtomicBool,
    memory_full: AtomicBool,
    /// Where the prepared index stands: none, loaded, or why not.
    prepared: RwLock<Option<Result<(), String>>>,
    /// True while the prepared index is being opened: searches wait for
    /// it, so that a prepared drive answers completely from the first
    /// request (opening checks the file, which takes a moment).
    opening: Mutex<bool>,
    opened: Condvar,
}

/// The longest a search waits for the prepared index to open; past it the
/// search answers with what there is (a very slow or failing drive).
const OPEN_WAIT: Duration = Duration::from_secs(20);

/// What the search page says about the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Files (sources) to read in all, and read so far.
    pub total: usize,
    pub done: usize,
    pub running: bool,
    /// Background reading stopped at its memory limit.
    pub memory_full: bool,
}

/// A ranked unit, not yet turned into a hit.
#[derive(Clone)]
pub struct Ranked {
    pub score: f64,
    seg: Arc<Segment>,
    unit: u32,
    /// Place in the walk (segment, then unit): equal scores keep it.
    order: usize,
}

pub struct RankedResults {
    /// Units ranked (of the kinds kept).
    pub total: u64,
    /// Units matching, of every kind not hidden, by `ItemKind` (its
    /// number): the results page's counts per kind, from the same walk.
    pub by_kind: [u64; 4],
    /// Best first; at most the number asked for.
    pub hits: Vec<Ranked>,
    /// Words to mark in snippets.
    pub highlight: Vec<String>,
}

/// One hit of the drive index.
#[derive(Clone, Debug)]
pub struct DriveHit {
    pub kind: ItemKind,
    pub role: Role,
    /// The item to open (the film, for a subtitle).
    pub item_rel: String,
    /// The file the words are in (the subtitle file).
    pub source_rel: String,
    /// Page (from 1) of a document.
    pub page: Option<u32>,
    /// Moment of a subtitle, in seconds.
    pub time: Option<f64>,
    pub lang: String,
    pub snippet_html: String,
}

const SNIPPET_CHARS: usize = 220;

impl DriveIndex {
    pub fn new() -> Arc<DriveIndex> {
        Arc::new(DriveIndex::default())
    }

    /// Adds a segment; sources it holds hide the same files in older ones.
    pub fn add_segment(&self, seg: Segment) {
        let rels: HashSet<&str> = seg.sources().iter().map(|s| s.rel.as_str()).collect();
        let mut st = self.state.write().unwrap_or_else(|e| e.into_inner());
        let State { segments, dead } = &mut *st;
        for (old, mask) in segments.iter().zip(dead.iter_mut()) {
            for (i, s) in old.sources().iter().enumerate() {
                if rels.contains(s.rel.as_str()) {
                    if let Some(d) = mask.get_mut(i) {
                        *d = true;
                    }
                }
            }
        }
        dead.push(vec![false; seg.sources().len()]);
        segments.push(Arc::new(seg));
    }

    /// Hides every source whose file is not in `present` with that stamp
    /// (gone from the drive, or changed since it was read).
    pub fn retain_current(&self, present: &HashMap<String, (u64, i64)>) {
        let mut st = self.state.write().unwrap_or_else(|e| e.into_inner());
        let State { segments, dead } = &mut *st;
        for (seg, mask) in segments.iter().zip(dead.iter_mut()) {
            for (i, s) in seg.sources().iter().enumerate() {
                let current = present
                    .get(&s.rel)
                    .is_some_and(|&(size, mtime)| s.matches(size, mtime));
                if !current {
                    if let Some(d) = mask.get_mut(i) {
                        *d = true;
                    }
                }
            }
        }
    }

    /// Whether a live source already holds this file with this stamp.
    pub fn has_current(&self, rel: &str, size: u64, mtime: i64) -> bool {
        let st = self.state.read().unwrap_or_else(|e| e.into_inner());
        st.segments.iter().zip(&st.dead).any(|(seg, mask)| {
            seg.sources().iter().enumerate().any(|(i, s)| {
                s.rel == rel && s.matches(size, mtime) && !mask.get(i).copied().unwrap_or(true)
            })
        })
    }

    pub fn status(&self) -> Status {
        Status {
            total: self.total.load(Ordering::Relaxed),
            done: self.done.load(Ordering::Relaxed),
            running: self.running.load(Ordering::Relaxed),
            memory_full: self.memory_full.load(Ordering::Relaxed),
        }
    }

    /// Says the prepared index is being opened (before the server answers).
    pub fn begin_opening(&self) {
        *self.opening.lock().unwrap_or_else(|e| e.into_inner()) = true;
    }

    /// Says the prepared index is opened, or was not there or not usable.
    pub fn end_opening(&self) {
        *self.opening.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.opened.notify_all();
    }

    fn wait_opened(&self) {
        let deadline = Instant::now() + OPEN_WAIT;
        let mut opening = self.opening.lock().unwrap_or_else(|e| e.into_inner());
        while *opening {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            opening = match self.opened.wait_timeout(opening, left) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
    }

    pub fn set_prepared(&self, outcome: Result<(), String>) {
        *self.prepared.write().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
    }

    /// The prepared index: `None` when there is none on the drive.
    pub fn prepared(&self) -> Option<Result<(), String>> {
        self.prepared
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Units holding every word of `q`, best `want` first, scored with BM25
    /// over all segments together (as one collection).
    pub fn rank(&self, q: &str, want: usize) -> RankedResults {
        self.rank_excluding(q, want, &HashSet::new())
    }

    /// `rank`, leaving out the descriptions and page bodies of the items
    /// in `listed` (already shown by their title or description).
    pub fn rank_excluding(&self, q: &str, want: usize, listed: &HashSet<String>) -> RankedResults {
        self.rank_where(q, want, &|s| {
            matches!(s.role, Role::Description | Role::PageBody) && listed.contains(&s.item_rel)
        })
    }

    /// `rank`, leaving out the sources `hide` names (a kind filtered out,
    /// an item already listed); they are not counted either.
    pub fn rank_where(
        &self,
        q: &str,
        want: usize,
        hide: &dyn Fn(&segment::SourceRec) -> bool,
    ) -> RankedResults {
        self.rank_counted(q, want, hide, &|_| true)
    }

    /// `rank_where`, ranking (and counting in `total`) only the units of
    /// the sources `keep` accepts; every unit `hide` leaves in is counted
    /// in `by_kind`, so that one walk gives the results of one kind and the
    /// count of each.
    pub fn rank_counted(
        &self,
        q: &str,
        want: usize,
        hide: &dyn Fn(&segment::SourceRec) -> bool,
        keep: &dyn Fn(&segment::SourceRec) -> bool,
    ) -> RankedResults {
        let query = plain_query(q);
        let mut out = RankedResults {
            total: 0,
            by_kind: [0; 4],
            hits: Vec::new(),
            highlight: query.highlight.clone(),
        };
        if query.leaves.is_empty() {
            return out;
        }
        self.wait_opened();
        let (segments, dead) = {
            let st = self.state.read().unwrap_or_else(|e| e.into_inner());
            (st.segments.clone(), st.dead.clone())
        };
        let mut doccount: u64 = 0;
        let mut total_len: u64 = 0;
        let mut df: HashMap<&str, u32> = HashMap::new();
        for seg in &segments {
            doccount += seg.unit_count() as u64;
            total_len += seg.total_len;
            for leaf in query.leaves.iter().chain(&query.boost) {
                let n = seg.term(leaf).map_or(0, |t| t.df);
                let e = df.entry(leaf.as_str()).or_insert(0);
                *e = e.saturating_add(n);
            }
        }
        let bm25 = Bm25::new(u32::try_from(doccount).unwrap_or(u32::MAX), total_len);
        let mut pool: Vec<Ranked> = Vec::new();
        for (seg, dead_mask) in segments.iter().zip(&dead) {
            let mut mask = dead_mask.clone();
            for (m, s) in mask.iter_mut().zip(seg.sources()) {
                *m = *m || hide(s);
            }
            let kept: Vec<bool> = seg.sources().iter().map(keep).collect();
            // A segment whose blob cannot be read gives nothing, not an error
            // page: the rest still answers.
            let Ok(found) = seg.matches(&query.leaves, &query.boost, &df, &bm25, &mask) else {
                continue;
            };
            for (unit, score) in found {
                let source = seg.unit(unit).map_or(usize::MAX, |u| u.source as usize);
                if let Some(s) = seg.sources().get(source) {
                    if let Some(n) = out.by_kind.get_mut(s.kind as usize) {
                        *n += 1;
                    }
                }
                if kept.get(source).copied().unwrap_or(false) {
                    out.total += 1;
                    pool.push(Ranked {
                        score,
                        seg: seg.clone(),
                        unit,
                        order: pool.len(),
                    });
                }
            }
        }
        // Only the best `want` are sorted: a common word's thousands of
        // pages are scored, not ordered.
        let by_score =
            |a: &Ranked, b: &Ranked| b.score.total_cmp(&a.score).then(a.order.cmp(&b.order));
        if want < pool.len() {
            if want > 0 {
                pool.select_nth_unstable_by(want - 1, by_score);
            }
            pool.truncate(want);
        }
        pool.sort_by(by_score);
        out.hits = pool;
        out
    }

    /// A ranked unit as a hit, with its snippet.
    pub fn resolve(&self, r: &Ranked, highlight: &[String]) -> Option<DriveHit> {
        let u = r.seg.unit(r.unit)?;
        let src = r.seg.sources().get(u.source as usize)?;
        let text = r.seg.text(r.unit).unwrap_or_default();
        let (page, time) = match src.role {
            Role::PdfText => (Some(u.loc), None),
            Role::Subtitles => (None, Some(f64::from(u.loc) / 1000.0)),
            Role::Description | Role::PageBody => (None, None),
        };
        Some(DriveHit {
            kind: src.kind,
            role: src.role,
            item_rel: src.item_rel.clone(),
            source_rel: src.rel.clone(),
            page,
            time,
            lang: src.lang.clone(),
            snippet_html: snippet_plain(&text, highlight, SNIPPET_CHARS),
        })
    }

    /// Every source record of the live segments (for reports).
    pub fn sources(&self) -> Vec<segment::SourceRec> {
        let st = self.state.read().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (seg, mask) in st.segments.iter().zip(&st.dead) {
            for (i, s) in seg.sources().iter().enumerate() {
                if !mask.get(i).copied().unwrap_or(true) {
                    out.push(s.clone());
                }
            }
        }
        out
    }
}
