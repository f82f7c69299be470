//! One segment of the drive index: the files it read, its units (a page of
//! a document, a few cues of a film, a page, a description), the terms with
//! their postings, and the units' text for snippets.
//!
//! Built in memory by `Builder`; `freeze` turns it into a `Segment` whose
//! postings and texts sit in one blob, either in memory or — for the index
//! `prepare` wrote — in the index file on the drive, read with positional
//! reads. Small tables (files, units, the term dictionary) are in memory.

use crate::fulltext::{index_terms, Bm25};
use crate::readat::{read_vec, ReadAt};
use std::collections::HashMap;
use std::io;
use std::sync::Arc;

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
    pub text_off: u64,
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
    pub(super) total_len: u64,
    pub(super) blob: Arc<dyn ReadAt>,
}

impl Segment {
    pub fn sources(&self) -> &[SourceRec] {
        &self.sources
    }

    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// Bytes of text of all units.
    pub fn text_bytes(&self) -> u64 {
        self.units.iter().map(|u| u64::from(u.text_len)).sum()
    }

    /// Bytes held in memory (the blob too when it is in memory).
    pub fn memory_bytes(&self, blob_in_memory: bool) -> u64 {
        let tables = self.units.len() * std::mem::size_of::<UnitRec>()
            + self.infos.len() * (std::mem::size_of::<TermRec>() + 24)
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
        let mut out = Vec::with_capacity(rec.df as usize);
        let mut pos = 0;
        let mut unit = 0u32;
        let mut first = true;
        while pos < bytes.len() {
            let delta = read_varint(&bytes, &mut pos).ok_or_else(damaged)?;
            let wdf = read_varint(&bytes, &mut pos).ok_or_else(damaged)?;
            let delta = u32::try_from(delta).map_err(|_| damaged())?;
            unit = if first {
                delta
            } else {
                unit.checked_add(delta).ok_or_else(damaged)?
            };
            first = false;
            if unit as usize >= self.units.len() {
                return Err(damaged());
            }
            out.push((unit, u32::try_from(wdf).unwrap_or(u32::MAX)));
        }
        Ok(out)
    }

    pub(super) fn text(&self, unit: u32) -> io::Result<String> {
        let u = self.units.get(unit as usize).ok_or_else(damaged)?;
        let bytes = read_vec(&*self.blob, u.text_off, u.text_len as usize)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Units holding every one of `leaves`, each with its BM25 score under
    /// `bm25` and the collection-wide `df` of each leaf. Units of sources
    /// marked in `dead` are left out.
    pub(super) fn matches(
        &self,
        leaves: &[String],
        df: &HashMap<&str, u32>,
        bm25: &Bm25,
        dead: &[bool],
    ) -> io::Result<Vec<(u32, f64)>> {
        let mut lists: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
        for leaf in leaves {
            if lists.contains_key(leaf.as_str()) {
                continue;
            }
            let Some(rec) = self.term(leaf) else {
                return Ok(Vec::new());
            };
            lists.insert(leaf, self.postings(rec)?);
        }
        // Walk the shortest list; look the unit up in the others.
        let Some(shortest) = lists.values().min_by_key(|l| l.len()) else {
            return Ok(Vec::new());
        };
        let lookups: HashMap<&str, HashMap<u32, u32>> = lists
            .iter()
            .map(|(t, l)| (*t, l.iter().copied().collect()))
            .collect();
        let mut out = Vec::new();
        'units: for &(unit, _) in shortest {
            let Some(u) = self.units.get(unit as usize) else {
                continue;
            };
            if dead.get(u.source as usize).copied().unwrap_or(true) {
                continue;
            }
            let mut score = 0.0;
            for leaf in leaves {
                let wdf = match lookups.get(leaf.as_str()).and_then(|m| m.get(&unit)) {
                    Some(w) => *w,
                    None => continue 'units,
                };
                let tw = bm25.term_weight(df.get(leaf.as_str()).copied().unwrap_or(1));
                score += bm25.part(tw, wdf, u.len);
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

    pub(super) fn unit(&self, unit: u32) -> Option<&UnitRec> {
        self.units.get(unit as usize)
    }
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

struct Postings {
    last: u32,
    df: u32,
    bytes: Vec<u8>,
}

/// A segment being built in memory.
#[derive(Default)]
pub struct Builder {
    sources: Vec<SourceRec>,
    units: Vec<UnitRec>,
    ids: HashMap<Box<str>, u32>,
    postings: Vec<Postings>,
    text: Vec<u8>,
    total_len: u64,
    bytes: usize,
}

impl Builder {
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Roughly the memory it holds.
    pub fn memory_bytes(&self) -> usize {
        self.bytes + self.text.len() + self.units.len() * std::mem::size_of::<UnitRec>()
    }

    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    pub fn add_source(&mut self, rec: SourceRec) -> u32 {
        self.sources.push(rec);
        (self.sources.len() - 1) as u32
    }

    pub fn set_outcome(&mut self, source: u32, outcome: Outcome) {
        if let Some(s) = self.sources.get_mut(source as usize) {
            s.outcome = outcome;
        }
    }

    /// Adds one unit of `source`'s text.
    pub fn add_unit(&mut self, source: u32, loc: u32, text: &str) {
        let unit = self.units.len() as u32;
        let mut wdf: HashMap<String, u32> = HashMap::new();
        let mut len = 0u32;
        index_terms(text, |t| {
            len = len.saturating_add(1);
            *wdf.entry(t.to_string()).or_insert(0) += 1;
        });
        for (term, n) in wdf {
            let id = match self.ids.get(term.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.postings.len() as u32;
                    self.bytes += term.len() + 64;
                    self.ids.insert(term.into_boxed_str(), id);
                    self.postings.push(Postings {
                        last: 0,
                        df: 0,
                        bytes: Vec::new(),
                    });
                    id
                }
            };
            let Some(p) = self.postings.get_mut(id as usize) else {
                continue;
            };
            let before = p.bytes.capacity();
            let delta = if p.df == 0 { unit } else { unit - p.last };
            write_varint(&mut p.bytes, u64::from(delta));
            write_varint(&mut p.bytes, u64::from(n));
            p.last = unit;
            p.df += 1;
            self.bytes += p.bytes.capacity() - before;
        }
        let text_off = self.text.len() as u64;
        self.text.extend_from_slice(text.as_bytes());
        self.units.push(UnitRec {
            source,
            loc,
            len,
            text_off,
            text_len: text.len() as u32,
        });
        self.total_len += u64::from(len);
    }

    /// The finished segment, its blob in memory.
    pub fn freeze(self) -> Segment {
        let mut terms: Vec<(Box<str>, u32)> = self.ids.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let postings_len: usize = self.postings.iter().map(|p| p.bytes.len()).sum();
        let mut blob = Vec::with_capacity(postings_len + self.text.len());
        let mut infos = Vec::with_capacity(terms.len());
        let mut postings = self.postings;
        for (_, id) in &terms {
            let p = postings.get_mut(*id as usize);
            let (df, bytes) = p
                .map(|p| (p.df, std::mem::take(&mut p.bytes)))
                .unwrap_or_default();
            infos.push(TermRec {
                df,
                off: blob.len() as u64,
                len: bytes.len() as u32,
            });
            blob.extend_from_slice(&bytes);
        }
        let base = blob.len() as u64;
        blob.extend_from_slice(&self.text);
        let units = self
            .units
            .into_iter()
            .map(|u| UnitRec {
                text_off: u.text_off + base,
                ..u
            })
            .collect();
        Segment {
            sources: self.sources,
            units,
            terms: terms.into_iter().map(|(t, _)| t).collect(),
            infos,
            total_len: self.total_len,
            blob: Arc::new(blob),
        }
    }
}
