//! Full-text search in the Xapian index that libzim embeds in ZIM archives
//! (`X/fulltext/xapian`), read in place and ranked exactly as libzim and
//! kiwix-serve rank it.
//!
//! The database is a single-file Xapian "glass" database stored uncompressed
//! inside the ZIM; the caller hands over a window of the ZIM file where it
//! lies. Nothing is copied: blocks are read on demand through a bounded cache.
//! A damaged or unsupported index gives a `FulltextError`, so the archive can
//! stay browsable with search reported as unavailable.
//!
//! Use from the server:
//! ```no_run
//! # use std::sync::Arc;
//! # use driveshelf::archive::{Archive, ClusterCache};
//! # use driveshelf::fulltext::{snippet, Index};
//! # fn demo(archive: &Archive) -> Result<(), Box<dyn std::error::Error>> {
//! let window = archive.fulltext_index().ok_or("no full-text index")?;
//! let language = archive.metadata_text("Language").unwrap_or_default();
//! let index = Index::open(Arc::new(window), &language)?;
//! let results = index.search("수달", 0, 25)?;
//! let terms = index.query_terms("수달");
//! for hit in &results.hits {
//!     let path = index.entry_path(&hit.path, archive.has_new_namespace_scheme());
//!     // … load the entry's HTML at `path`, then:
//!     # let html: &[u8] = b"";
//!     let extract = snippet(html, &terms, 200);
//! }
//! # Ok(()) }
//! ```
//!
//! Ranking was checked against python-libzim (libzim 9.8.2, Xapian 1.4.23)
//! with the fixtures in `tests/fixtures/fulltext-oracle`. Known differences:
//! `total` is exact where kiwix shows Xapian's rounded estimate; when the
//! index records no language, libzim stems queries with no stemmer at all,
//! while this reader uses the archive's language as the caller passes it.

mod bm25;
mod chunk;
mod glass;
mod pack;
mod plain;
mod postlist;
mod query;
mod snippet;
mod tokenizer;
mod unicode_table;

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

use crate::readat::ReadAt;

pub use plain::{index_terms, plain_query, snippet_plain, Bm25, PlainQuery};
pub use snippet::snippet;

/// Block cache per open index. Queries touch few blocks; this keeps the
/// tree's upper levels and recent posting chunks of a busy archive in memory
/// without letting many open archives add up to much.
const DEFAULT_CACHE_BYTES: usize = 2 << 20;

/// Why an archive's full-text index cannot be used.
#[derive(Debug)]
pub enum FulltextError {
    /// The bytes do not make sense as an index.
    Damaged(String),
    /// A valid index of a kind or version this reader does not know.
    Unsupported(String),
    /// The file could not be read.
    Io(io::Error),
}

impl fmt::Display for FulltextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FulltextError::Damaged(what) => write!(f, "full-text index is damaged: {what}"),
            FulltextError::Unsupported(what) => {
                write!(f, "unsupported index format: {what}")
            }
            FulltextError::Io(e) => write!(f, "full-text index could not be read: {e}"),
        }
    }
}

impl std::error::Error for FulltextError {}

impl From<io::Error> for FulltextError {
    fn from(e: io::Error) -> Self {
        // Reading past the end means the index is cut short, not that the
        // drive failed.
        if e.kind() == io::ErrorKind::UnexpectedEof {
            FulltextError::Damaged("it ends before its last block".into())
        } else {
            FulltextError::Io(e)
        }
    }
}

/// One page of ranked results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Exact number of matching documents.
    pub total: u64,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The document data as libzim stores it: `C/path` in archives indexed
    /// by current libzim (see [`Index::entry_path`]), `A/path` in old ones.
    pub path: String,
    /// The title as indexed: lower-cased and without accents. Show the
    /// archive entry's own title when it can be had.
    pub title: String,
    pub word_count: Option<u32>,
    pub score: f64,
}

/// An open full-text index. Cheap to share between threads.
pub struct Index {
    glass: glass::Glass,
    analyzer: query::Analyzer,
    title_slot: Option<u32>,
    wordcount_slot: Option<u32>,
    /// The DB's `data` metadata says documents hold the full path with its
    /// namespace (also assumed when missing, as libzim does).
    full_path_data: bool,
    /// Walks of the posting lists, for tests that prove a search did not
    /// come here.
    walks: AtomicU64,
    /// Totals of the last queries (by their terms), so a results page
    /// filtered to the drive's files can show how many articles the same
    /// words find without walking the lists again.
    totals: Mutex<VecDeque<(Vec<String>, u64)>>,
}

/// Queries whose total each index remembers (a few hundred bytes each).
const REMEMBERED_TOTALS: usize = 64;

impl Index {
    /// Opens the index in `src`. `zim_language` is the archive's `Language`
    /// metadata, used when the index does not record its own language.
    pub fn open(src: Arc<dyn ReadAt>, zim_language: &str) -> Result<Index, FulltextError> {
        Self::open_with_cache(src, zim_language, DEFAULT_CACHE_BYTES)
    }

    pub fn open_with_cache(
        src: Arc<dyn ReadAt>,
        zim_language: &str,
        cache_bytes: usize,
    ) -> Result<Index, FulltextError> {
        let glass = glass::Glass::open(src, cache_bytes)?;
        let text = |name: &str| -> Result<String, FulltextError> {
            Ok(postlist::metadata(&glass, name)?
                .map(|v| String::from_utf8_lossy(&v).into_owned())
                .unwrap_or_default())
        };
        let mut language = text("language")?;
        if language.is_empty() {
            language = zim_language.to_string();
        }
        let stopwords = text("stopwords")?;
        let valuesmap = text("valuesmap")?;
        let data = text("data")?;
        let (title_slot, wordcount_slot) = if valuesmap.is_empty() {
            // Indexes older than the values map kept the word count in slot 3.
            (Some(0), Some(3))
        } else {
            (slot(&valuesmap, "title"), slot(&valuesmap, "wordcount"))
        };
        Ok(Index {
            analyzer: query::Analyzer::new(&language, &stopwords),
            glass,
            title_slot,
            wordcount_slot,
            full_path_data: data.is_empty() || data == "fullPath",
            walks: AtomicU64::new(0),
            totals: Mutex::new(VecDeque::new()),
        })
    }

    pub fn doc_count(&self) -> u32 {
        self.glass.stats.doccount
    }

    /// Documents containing every word of `query`, best first, ranked like
    /// libzim; `offset` and `limit` select a page, `total` counts them all.
    pub fn search(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<SearchResults, FulltextError> {
        let parsed = self.analyzer.parse(query);
        let k = offset.saturating_add(limit);
        let (total, ranked) = self.walk(&parsed.leaves, k)?;
        self.remember(parsed.leaves, total);
        let mut hits = Vec::new();
        for s in ranked.iter().skip(offset).take(limit) {
            hits.push(self.hit(s)?);
        }
        Ok(SearchResults { total, hits })
    }

    /// How many documents `search` would find, as cheaply as it can be
    /// had: remembered from a recent search of the same words, the term
    /// frequency for a query of one term, else by walking the lists
    /// without ranking.
    pub fn count(&self, query: &str) -> Result<u64, FulltextError> {
        let parsed = self.analyzer.parse(query);
        if let Some(total) = self.remembered(&parsed.leaves) {
            return Ok(total);
        }
        let total = match parsed.leaves.as_slice() {
            [] => 0,
            [term, rest @ ..] if rest.iter().all(|t| t == term) => {
                postlist::term_stats(&self.glass, term.as_bytes())?
                    .map_or(0, |s| u64::from(s.termfreq))
            }
            leaves => self.walk(leaves, 0)?.0,
        };
        self.remember(parsed.leaves, total);
        Ok(total)
    }

    /// How many times the posting lists have been walked.
    pub fn walks(&self) -> u64 {
        self.walks.load(AtomicOrdering::Relaxed)
    }

    fn walk(&self, leaves: &[String], k: usize) -> Result<(u64, Vec<bm25::Scored>), FulltextError> {
        self.walks.fetch_add(1, AtomicOrdering::Relaxed);
        let collection = bm25::Collection {
            doccount: self.glass.stats.doccount,
            total_doclen: self.glass.stats.total_doclen,
        };
        bm25::search_and(&self.glass, collection, leaves, k)
    }

    fn remembered(&self, leaves: &[String]) -> Option<u64> {
        let totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        totals.iter().find(|(l, _)| l == leaves).map(|(_, t)| *t)
    }

    fn remember(&self, leaves: Vec<String>, total: u64) {
        let mut totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        totals.retain(|(l, _)| *l != leaves);
        if totals.len() >= REMEMBERED_TOTALS {
            totals.pop_front();
        }
        totals.push_back((leaves, total));
    }

    fn hit(&self, s: &bm25::Scored) -> Result<Hit, FulltextError> {
        let value = |slot: Option<u32>| -> Result<Option<String>, FulltextError> {
            Ok(match slot {
                Some(slot) => postlist::value(&self.glass, slot, s.docid)?
                    .map(|v| String::from_utf8_lossy(&v).into_owned()),
                None => None,
            })
        };
        let path = postlist::docdata(&self.glass, s.docid)?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        Ok(Hit {
            path,
            title: value(self.title_slot)?.unwrap_or_default(),
            word_count: value(self.wordcount_slot)?.and_then(|v| v.trim().parse().ok()),
            score: s.score,
        })
    }

    /// The archive path of a hit, as kiwix links to it: in archives with the
    /// new namespace scheme (`C/` holds every article) the namespace is
    /// dropped; in old ones the stored path is used as is.
    pub fn entry_path<'a>(&self, hit_path: &'a str, new_namespace_scheme: bool) -> &'a str {
        if new_namespace_scheme && self.full_path_data {
            hit_path.get(2..).unwrap_or("")
        } else {
            hit_path
        }
    }

    /// The words of `query` to highlight in snippets: folded words as typed
    /// and CJK runs, without the stopwords the search ignored.
    pub fn query_terms(&self, query: &str) -> Vec<String> {
        self.analyzer.parse(query).highlight
    }
}

/// Slot number of `name` in a values map such as
/// `title:0;wordcount:1;geo.position:2`.
fn slot(valuesmap: &str, name: &str) -> Option<u32> {
    valuesmap.split(';').find_map(|entry| {
        let (k, v) = entry.split_once(':')?;
        if k == name {
            v.trim().parse().ok()
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_map() {
        let m = "title:0;wordcount:1;geo.position:2";
        assert_eq!(slot(m, "title"), Some(0));
        assert_eq!(slot(m, "wordcount"), Some(1));
        assert_eq!(slot(m, "targetPath"), None);
    }

    #[test]
    fn errors_read_plainly() {
        let e = FulltextError::from(io::Error::new(io::ErrorKind::UnexpectedEof, "x"));
        assert!(e.to_string().starts_with("full-text index is damaged: "));
        let e = FulltextError::Unsupported("glass format version 0x0400".into());
        assert!(e.to_string().starts_with("unsupported index format"));
    }

    #[test]
    fn index_is_shareable() {
        fn check<T: Send + Sync>() {}
        check::<Index>();
    }
}
