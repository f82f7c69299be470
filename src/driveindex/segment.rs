//! One segment of the drive index: the files it read, its units (a page of
//! a document, a few cues of a film, a page, a description), the terms with
//! their postings, and the units' text for snippets.
//!
//! Built in memory by `Builder`; `freeze` turns it into a `Segment` whose
//! postings (bit-packed, `postings`) and texts (zstd blocks, `blocks`) sit
//! in one blob, either in memory or — for the index `prepare` wrote — in
//! the index file on the drive, read with positional reads. Small tables
//! (files, units, text blocks, the term dictionary) are in memory.

use super::blocks::{self, BlockRec};
pub use super::builder::{analyze, Analyzed, Builder};
use super::postings;
use crate::fulltext::Bm25;
use crate::readat::{read_vec, ReadAt};
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

/// What a unit belongs to, for kinds and links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ItemKind {
    Document = 0,
    Video = 1,
    Audio = 2,
    Page = 3,
}

impl ItemKind {
    pub fn from_u8(v: u8) -> Option<ItemKind> {
        Some(match v {
            0 => ItemKind::Document,
            1 => ItemKind::Video,
            2 => ItemKind::Audio,
            3 => ItemKind::Page,
            _ => return None,
        })
    }
}

/// Which text of the item a source file gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Role {
    /// A PDF's pages.
    PdfText = 0,
    /// A film's subtitles.
    Subtitles = 1,
    /// The description beside a file.
    Description = 2,
    /// The body of a Markdown page.
    PageBody = 3,
}

impl Role {
    pub fn from_u8(v: u8) -> Option<Role> {
        Some(match v {
            0 => Role::PdfText,
            1 => Role::Subtitles,
            2 => Role::Description,
            3 => Role::PageBody,
            _ => return None,
        })
    }
}

/// How reading a source file went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Indexed,
    /// Readable but without text (a scanned PDF, an empty page).
    NoText,
    /// Skipped: damaged, encrypted, over a budget… (`code`, reason).
    Failed {
        code: String,
        message: String,
    },
}

/// A file that was read, and what it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRec {
    /// The file read, as a path in the bundle.
    pub rel: String,
    /// The item a hit opens (the film for its subtitles).
    pub item_rel: String,
    pub kind: ItemKind,
    pub role: Role,
    pub size: u64,
    /// Modification time in seconds since 1970 (0 when unknown).
    pub mtime: i64,
    /// Subtitle language (`ko`), when the name says.
    pub lang: String,
    pub outcome: Outcome,
}

impl SourceRec {
    /// Whether this record still describes the file on the drive.
    pub fn matches(&self, size: u64, mtime: i64) -> bool {
        self.size == size && self.mtime == mtime
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct UnitRec {
    pub source: u32,
    /// Page number (from 1), start of the first cue in ms, or 0.
    pub loc: u32,
    /// Terms in the unit (its length for BM25).
    pub len: u32,
    /// The text block it is in, where in the block's text, how long.
    pub block: u32,
    pub off: u32,
    pub text_len: u32,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct TermRec {
    pub df: u32,
    pub off: u64,
    pub len: u32,
}

pub struct Segment {
    pub(super) sources: Vec<SourceRec>,
    pub(super) units: Vec<UnitRec>,
    /// Sorted; `infos[i]` belongs to `terms[i]`.
    pub(super) terms: Vec<Box<str>>,
    pub(super) infos: Vec<TermRec>,
    pub(super) blocks: Vec<BlockRec>,
    pub(super) total_len: u64,
    pub(super) blob: Arc<dyn ReadAt>,
    /// The block unpacked last: a source's pages are read in order (by
    /// `prepare` again, by snippets of neighbouring pages).
    pub(super) last_block: Mutex<Option<(u32, Arc<Vec<u8>>)>>,
}

impl Segment {
    pub fn sources(&self) -> &[SourceRec] {
        &self.sources
    }

    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// Bytes of text of all units (unpacked).
    pub fn text_bytes(&self) -> u64 {
        self.units.iter().map(|u| u64::from(u.text_len)).sum()
    }

    /// Bytes held in memory (the blob too when it is in memory).
    pub fn memory_bytes(&self, blob_in_memory: bool) -> u64 {
        let tables = self.units.len() * std::mem::size_of::<UnitRec>()
            + self.infos.len() * (std::mem::size_of::<TermRec>() + 24)
            + self.blocks.len() * std::mem::size_of::<BlockRec>()
            + self.terms.iter().map(|t| t.len()).sum::<usize>()
            + self
                .sources
                .iter()
                .map(|s| s.rel.len() + s.item_rel.len() + 96)
                .sum::<usize>();
        tables as u64 + if blob_in_memory { self.blob.len() } else { 0 }
    }

    pub(super) fn term(&self, term: &str) -> Option<TermRec> {
        let i = self.terms.binary_search_by(|t| (**t).cmp(term)).ok()?;
        self.infos.get(i).copied()
    }

    /// (unit, wdf) of a term, units ascending.
    pub(super) fn postings(&self, rec: TermRec) -> io::Result<Vec<(u32, u32)>> {
        let bytes = read_vec(&*self.blob, rec.off, rec.len as usize)?;
        let units = u32::try_from(self.units.len()).unwrap_or(u32::MAX);
        postings::decode(&bytes, rec.df, units)
    }

    fn block(&self, i: u32) -> io::Result<Arc<Vec<u8>>> {
        let mut last = self.last_block.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, text)) = &*last {
            if *n == i {
                return Ok(text.clone());
            }
        }
        let rec = self.blocks.get(i as usize).ok_or_else(damaged)?;
        let data = read_vec(&*self.blob, rec.off, rec.len as usize)?;
        let text = Arc::new(blocks::decompress(&data, rec)?);
        *last = Some((i, text.clone()));
        Ok(text)
    }

    pub(super) fn text(&self, unit: u32) -> io::Result<String> {
        let u = self.units.get(unit as usize).ok_or_else(damaged)?;
        let block = self.block(u.block)?;
        let start = u.off as usize;
        let bytes = block
            .get(start..start + u.text_len as usize)
            .ok_or_else(damaged)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    /// Units holding every one of `leaves`, each with its BM25 score under
    /// `bm25` and the collection-wide `df` of each leaf. Units of sources
    /// marked in `dead` are left out.
    pub(super) fn matches(
        &self,
        leaves: &[String],
        boost: &[String],
        df: &HashMap<&str, u32>,
        bm25: &Bm25,
        dead: &[bool],
    ) -> io::Result<Vec<(u32, f64)>> {
        // Each distinct leaf once, weighted by how often the query has it.
        let mut lists: Vec<(f64, Vec<(u32, u32)>)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for leaf in leaves {
            if seen.contains(&leaf.as_str()) {
                continue;
            }
            seen.push(leaf);
            let Some(rec) = self.term(leaf) else {
                return Ok(Vec::new());
            };
            let times = leaves.iter().filter(|l| *l == leaf).count() as f64;
            let tw = bm25.term_weight(df.get(leaf.as_str()).copied().unwrap_or(1));
            lists.push((times * tw, self.postings(rec)?));
        }
        // Walk the shortest list; find each unit in the others by
        // galloping forward (all ascending), so a rare word with a common
        // one costs the rare word's length, not the common one's.
        lists.sort_by_key(|(_, l)| l.len());
        let Some(((w0, first), rest)) = lists.split_first() else {
            return Ok(Vec::new());
        };
        let mut at = vec![0usize; rest.len()];
        // Terms that only add to the score of a unit found by the leaves.
        let mut extra: Vec<(f64, Vec<(u32, u32)>)> = Vec::new();
        for term in boost {
            if let Some(rec) = self.term(term) {
                let tw = bm25.term_weight(df.get(term.as_str()).copied().unwrap_or(1));
                extra.push((tw, self.postings(rec)?));
            }
        }
        let mut extra_at = vec![0usize; extra.len()];
        let mut out = Vec::with_capacity(first.len());
        'units: for &(unit, wdf) in first {
            let Some(u) = self.units.get(unit as usize) else {
                continue;
            };
            if dead.get(u.source as usize).copied().unwrap_or(true) {
                continue;
            }
            let mut score = bm25.part(*w0, wdf, u.len);
            for ((w, list), pos) in rest.iter().zip(at.iter_mut()) {
                *pos = seek(list, *pos, unit);
                match list.get(*pos) {
                    Some(&(v, wdf)) if v == unit => score += bm25.part(*w, wdf, u.len),
                    _ => continue 'units,
                }
            }
            for ((w, list), pos) in extra.iter().zip(extra_at.iter_mut()) {
                *pos = seek(list, *pos, unit);
                if let Some(&(_, wdf)) = list.get(*pos).filter(|p| p.0 == unit) {
                    score += bm25.part(*w, wdf, u.len);
                }
            }
            out.push((unit, score));
        }
        Ok(out)
    }

    /// For each source, its units in order.
    pub fn units_by_source(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.sources.len()];
        for (i, u) in self.units.iter().enumerate() {
            if let Some(v) = out.get_mut(u.source as usize) {
                v.push(i as u32);
            }
        }
        out
    }

    /// A unit's location and text.
    pub fn unit_text(&self, unit: u32) -> io::Result<(u32, String)> {
        let loc = self.units.get(unit as usize).ok_or_else(damaged)?.loc;
        Ok((loc, self.text(unit)?))
    }

    /// Locations and texts of `units`, each block unpacked once (without
    /// the shared cache, so threads reading different files do not take
    /// turns evicting each other's block).
    pub fn texts(&self, units: &[u32]) -> io::Result<Vec<(u32, String)>> {
        let mut held: Option<(u32, Vec<u8>)> = None;
        let mut out = Vec::with_capacity(units.len());
        for &i in units {
            let u = self.units.get(i as usize).ok_or_else(damaged)?;
            if held.as_ref().is_none_or(|(n, _)| *n != u.block) {
                let rec = self.blocks.get(u.block as usize).ok_or_else(damaged)?;
                let data = read_vec(&*self.blob, rec.off, rec.len as usize)?;
                held = Some((u.block, blocks::decompress(&data, rec)?));
            }
            let text = held.as_ref().map_or(&[][..], |(_, t)| t.as_slice());
            let start = u.off as usize;
            let bytes = text
                .get(start..start + u.text_len as usize)
                .ok_or_else(damaged)?;
            out.push((u.loc, String::from_utf8_lossy(bytes).into_owned()));
        }
        Ok(out)
    }

    pub(super) fn unit(&self, unit: u32) -> Option<&UnitRec> {
        self.units.get(unit as usize)
    }
}

/// The first position at or after `from` whose unit is `unit` or more
/// (`list.len()` when none): doubling steps, then a binary search.
fn seek(list: &[(u32, u32)], from: usize, unit: u32) -> usize {
    let mut lo = from;
    let mut step = 1;
    let mut hi = from;
    while hi < list.len() && list.get(hi).is_some_and(|p| p.0 < unit) {
        lo = hi + 1;
        hi = hi.saturating_add(step);
        step *= 2;
    }
    let hi = hi.min(list.len());
    lo + list
        .get(lo..hi)
        .map_or(0, |s| s.partition_point(|p| p.0 < unit))
}

pub(super) fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "drive index damaged")
}

pub(super) fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn read_varint(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*pos)?;
        *pos += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(texts: &[&str]) -> Segment {
        let mut b = Builder::default();
        let s = b.add_source(SourceRec {
            rel: "a.pdf".into(),
            item_rel: "a.pdf".into(),
            kind: ItemKind::Document,
            role: Role::PdfText,
            size: 1,
            mtime: 1,
            lang: String::new(),
            outcome: Outcome::Indexed,
        });
        for (i, t) in texts.iter().enumerate() {
            b.add_unit(s, i as u32 + 1, t).unwrap();
        }
        b.freeze().unwrap()
    }

    #[test]
    fn texts_span_blocks_and_read_back() {
        let page = "국민 주권 ".repeat(1500); // ~19 KB: two pages a block at most
        let texts: Vec<String> = (0..9).map(|i| format!("{i} {page}")).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let s = seg(&refs);
        assert!(s.blocks.len() >= 5, "{}", s.blocks.len());
        // Out of order, so the one-block cache is missed and hit.
        for i in [8, 0, 1, 1, 5, 4] {
            assert_eq!(s.text(i).unwrap(), texts[i as usize]);
        }
        assert!(s.blob.len() < s.text_bytes() / 20);
    }

    #[test]
    fn all_words_must_match_and_scores_add() {
        let s = seg(&["사과 배", "사과", "배 감 사과 사과", "감"]);
        let bm = Bm25::new(4, 8);
        let df: HashMap<&str, u32> = [("사과", 3), ("배", 2), ("감", 2)].into();
        let live = [false];
        let q = |words: &[&str]| {
            let w: Vec<String> = words.iter().map(|x| x.to_string()).collect();
            let mut m = s.matches(&w, &[], &df, &bm, &live).unwrap();
            m.sort_by_key(|x| x.0);
            m
        };
        assert_eq!(
            q(&["사과"]).iter().map(|x| x.0).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            q(&["사과", "배"]).iter().map(|x| x.0).collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(
            q(&["감", "배", "사과"])
                .iter()
                .map(|x| x.0)
                .collect::<Vec<_>>(),
            [2]
        );
        assert!(q(&["사과", "없음"]).is_empty());
        let both = q(&["사과", "배"]);
        let one = q(&["사과"]);
        assert!(both[0].1 > one[0].1);
        // A dead source gives nothing.
        let w = vec!["사과".to_string()];
        assert!(s.matches(&w, &[], &df, &bm, &[true]).unwrap().is_empty());
        // A boost term adds to the units that have it and finds no other.
        let boosted = s.matches(&w, &["감".to_string()], &df, &bm, &live).unwrap();
        let plain = s.matches(&w, &[], &df, &bm, &live).unwrap();
        assert_eq!(boosted.len(), plain.len());
        for ((u, b), (_, p)) in boosted.iter().zip(&plain) {
            if *u == 2 {
                assert!(b > p);
            } else {
                assert_eq!(b, p);
            }
        }
    }

    #[test]
    fn seeking_finds_the_first_at_or_after() {
        let list: Vec<(u32, u32)> = (0..1000).map(|i| (i * 3, 1)).collect();
        for from in [0, 1, 17, 500] {
            for unit in [0, 1, 3, 4, 299, 1500, 2997, 2998, 5000] {
                let want = (from..list.len())
                    .find(|&i| list[i].0 >= unit)
                    .unwrap_or(list.len());
                assert_eq!(seek(&list, from, unit), want, "{from} {unit}");
            }
        }
        assert_eq!(seek(&[], 0, 5), 0);
    }
}
