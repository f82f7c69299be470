//! Building a segment in memory: units are tokenized (`analyze`, on any
//! thread), their postings grow as varints, their text fills zstd blocks
//! as it comes (so a background build holds packed text, not raw), and
//! `freeze` packs the postings and lays out the blob.

use super::blocks::{self, BlockRec};
use super::postings;
use super::segment::{
    damaged, read_varint, write_varint, Outcome, Segment, SourceRec, TermRec, UnitRec,
};
use crate::fulltext::index_terms;
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

/// A unit's terms, counted: what `Builder::add_analyzed` takes. Made apart
/// from the builder so that `prepare` can tokenize on several threads.
pub struct Analyzed {
    /// Terms in the unit, repeats included (its length for BM25).
    len: u32,
    /// Each distinct term and how often it occurs.
    terms: Vec<(Box<str>, u32)>,
}

pub fn analyze(text: &str) -> Analyzed {
    let mut wdf: HashMap<Box<str>, u32> = HashMap::new();
    let mut len = 0u32;
    index_terms(text, |t| {
        len = len.saturating_add(1);
        match wdf.get_mut(t) {
            Some(n) => *n += 1,
            None => {
                wdf.insert(t.into(), 1);
            }
        }
    });
    Analyzed {
        len,
        terms: wdf.into_iter().collect(),
    }
}

/// A term's postings while building: varints of (unit gap, wdf), the
/// smallest form to grow in memory; `freeze` packs them.
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
    /// Text of the block being filled, and the blocks packed so far.
    open_block: Vec<u8>,
    packed: Vec<u8>,
    blocks: Vec<BlockRec>,
    total_len: u64,
    bytes: usize,
}

impl Builder {
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Roughly the memory it holds.
    pub fn memory_bytes(&self) -> usize {
        self.bytes
            + self.open_block.capacity()
            + self.packed.capacity()
            + self.units.len() * std::mem::size_of::<UnitRec>()
            + self.blocks.len() * std::mem::size_of::<BlockRec>()
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
    pub fn add_unit(&mut self, source: u32, loc: u32, text: &str) -> io::Result<()> {
        self.add_analyzed(source, loc, text, analyze(text))
    }

    /// Adds one unit of `source`'s text, its terms counted already.
    pub fn add_analyzed(
        &mut self,
        source: u32,
        loc: u32,
        text: &str,
        terms: Analyzed,
    ) -> io::Result<()> {
        let unit = self.units.len() as u32;
        for (term, n) in terms.terms {
            let id = match self.ids.get(&term) {
                Some(&id) => id,
                None => {
                    let id = self.postings.len() as u32;
                    self.bytes += term.len() + 64;
                    self.ids.insert(term, id);
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
        if !self.open_block.is_empty() && self.open_block.len() + text.len() > blocks::TARGET {
            self.close_block()?;
        }
        let off = u32::try_from(self.open_block.len()).map_err(|_| damaged())?;
        self.open_block.extend_from_slice(text.as_bytes());
        self.units.push(UnitRec {
            source,
            loc,
            len: terms.len,
            block: self.blocks.len() as u32,
            off,
            text_len: u32::try_from(text.len()).map_err(|_| damaged())?,
        });
        self.total_len += u64::from(terms.len);
        Ok(())
    }

    fn close_block(&mut self) -> io::Result<()> {
        let z = blocks::compress(&self.open_block)?;
        self.blocks.push(BlockRec {
            off: self.packed.len() as u64,
            len: u32::try_from(z.len()).map_err(|_| damaged())?,
            raw: u32::try_from(self.open_block.len()).map_err(|_| damaged())?,
        });
        self.packed.extend_from_slice(&z);
        self.open_block.clear();
        Ok(())
    }

    /// The finished segment, its blob in memory: the packed postings of
    /// every term in term order, then the text blocks.
    pub fn freeze(mut self) -> io::Result<Segment> {
        if !self.open_block.is_empty() {
            self.close_block()?;
        }
        let mut terms: Vec<(Box<str>, u32)> = self.ids.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut blob = Vec::with_capacity(self.bytes / 4 + self.packed.len());
        let mut infos = Vec::with_capacity(terms.len());
        let mut postings = self.postings;
        let mut list = Vec::new();
        for (_, id) in &terms {
            let p = postings.get_mut(*id as usize);
            let (df, bytes) = p
                .map(|p| (p.df, std::mem::take(&mut p.bytes)))
                .unwrap_or_default();
            list.clear();
            let mut pos = 0;
            let mut unit = 0u32;
            while pos < bytes.len() {
                let delta = read_varint(&bytes, &mut pos).ok_or_else(damaged)?;
                let wdf = read_varint(&bytes, &mut pos).ok_or_else(damaged)?;
                unit = if list.is_empty() {
                    delta as u32
                } else {
                    unit.wrapping_add(delta as u32)
                };
                list.push((unit, wdf as u32));
            }
            let off = blob.len() as u64;
            postings::encode(&list, &mut blob);
            infos.push(TermRec {
                df,
                off,
                len: u32::try_from(blob.len() as u64 - off).map_err(|_| damaged())?,
            });
        }
        let base = blob.len() as u64;
        blob.extend_from_slice(&self.packed);
        let blocks = self
            .blocks
            .into_iter()
            .map(|b| BlockRec {
                off: b.off + base,
                ..b
            })
            .collect();
        Ok(Segment {
            sources: self.sources,
            units: self.units,
            terms: terms.into_iter().map(|(t, _)| t).collect(),
            infos,
            blocks,
            total_len: self.total_len,
            blob: Arc::new(blob),
            last_block: Mutex::new(None),
        })
    }
}
