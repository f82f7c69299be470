//! Ranking: an AND of all query leaves scored with Xapian's default BM25
//! (k1 = 1, k2 = 0, k3 = 1, b = 0.5, min_normlen = 0.5), ties by ascending
//! docid, keeping only the best `k` while counting every match.
//!
//! Scores must be bit-identical to Xapian's, or near-ties would order
//! differently: every floating-point step below is done in the same order
//! and grouping as Xapian's, and leaves are summed in ascending termfreq
//! order as its AND matcher does.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::glass::{damaged, Glass};
use super::postlist::{term_stats, PostingList};
use super::FulltextError;

const K1: f64 = 1.0;
const K3: f64 = 1.0;
const B: f64 = 0.5;
const MIN_NORMLEN: f64 = 0.5;
/// wdfs whose best score part is computed ahead, per leaf.
const BOUND_WDFS: usize = 32;

/// Collection statistics BM25 needs.
#[derive(Clone, Copy)]
pub(super) struct Collection {
    pub(super) doccount: u32,
    pub(super) total_doclen: u64,
}

impl Collection {
    pub(super) fn len_factor(&self) -> f64 {
        let average = self.total_doclen as f64 / f64::from(self.doccount);
        if average != 0.0 && average.is_finite() {
            1.0 / average
        } else {
            0.0
        }
    }
}

/// The query-time weight of a term found in `termfreq` documents.
pub(super) fn termweight(c: Collection, termfreq: u32) -> f64 {
    let tf = f64::from(termfreq);
    let mut tw = f64::from(c.doccount.saturating_sub(termfreq)) + 0.5;
    tw /= tf + 0.5;
    // Keeps the weight positive for terms in over a third of the documents.
    if tw < 2.0 {
        tw = tw * 0.5 + 1.0;
    }
    let wqf = 1.0;
    let mut w = tw.ln() * 1.0;
    w *= (K3 + 1.0) * wqf / (K3 + wqf);
    w *= K1 + 1.0;
    w
}

/// One leaf's contribution to a document's score.
pub(super) fn sumpart(termweight: f64, wdf: u32, doclen: u32, len_factor: f64) -> f64 {
    if wdf == 0 {
        return 0.0;
    }
    let normlen = (f64::from(doclen) * len_factor).max(MIN_NORMLEN);
    let wdf = f64::from(wdf);
    let denom = K1 * (normlen * B + (1.0 - B)) + wdf;
    termweight * (wdf / denom)
}

/// A scored document; `Ord` puts the better one first (greater).
#[derive(Clone, Copy, Debug)]
pub(super) struct Scored {
    pub(super) score: f64,
    pub(super) docid: u32,
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.docid.cmp(&self.docid))
    }
}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scored {}

/// The best `k` of a stream of scored documents, without sorting them all.
struct TopK {
    k: usize,
    /// Worst on top: `Reverse` of the better-first order.
    heap: BinaryHeap<std::cmp::Reverse<Scored>>,
}

impl TopK {
    fn push(&mut self, s: Scored) {
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(s));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if s > worst.0 {
                *worst = std::cmp::Reverse(s);
            }
        }
    }

    /// The score a document must beat to enter, once the heap is full.
    fn threshold(&self) -> Option<f64> {
        if self.heap.len() < self.k {
            return None;
        }
        self.heap.peek().map(|w| w.0.score)
    }

    fn into_sorted(self) -> Vec<Scored> {
        let mut v: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_by(|a, b| b.cmp(a));
        v
    }
}

/// Every document containing all `leaves`: the exact count and the best `k`,
/// best first.
pub(super) fn search_and(
    glass: &Glass,
    c: Collection,
    leaves: &[String],
    k: usize,
) -> Result<(u64, Vec<Scored>), FulltextError> {
    if leaves.is_empty() {
        return Ok((0, Vec::new()));
    }
    // One posting list per distinct term; leaves point at them.
    let mut terms: Vec<&str> = Vec::new();
    let mut term_index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut leaf_list = Vec::with_capacity(leaves.len());
    let mut leaf_weight = Vec::with_capacity(leaves.len());
    let mut leaf_tf = Vec::with_capacity(leaves.len());
    for leaf in leaves {
        let Some(stats) = term_stats(glass, leaf.as_bytes())? else {
            return Ok((0, Vec::new()));
        };
        let idx = *term_index.entry(leaf.as_str()).or_insert_with(|| {
            terms.push(leaf);
            terms.len() - 1
        });
        leaf_list.push(idx);
        leaf_weight.push(termweight(c, stats.termfreq));
        leaf_tf.push(stats.termfreq);
    }
    // Xapian sums in ascending termfreq; its sort of a handful of leaves is
    // an insertion sort, which keeps query order among equal termfreqs.
    let mut order: Vec<usize> = (0..leaves.len()).collect();
    order.sort_by_key(|&i| leaf_tf.get(i).copied().unwrap_or(0));
    let mut lists = Vec::with_capacity(terms.len());
    for t in &terms {
        match PostingList::open_term(glass, t.as_bytes())? {
            Some(l) => lists.push(l),
            None => return Ok((0, Vec::new())),
        }
    }
    // Drive the match from the rarest list.
    let mut by_rarity: Vec<usize> = (0..lists.len()).collect();
    by_rarity.sort_by_key(|&i| lists.get(i).map_or(0, |l| l.termfreq));
    let mut doclens =
        PostingList::open_doclen(glass)?.ok_or_else(|| damaged("document lengths missing"))?;
    let len_factor = c.len_factor();
    let mut top = TopK {
        k,
        heap: BinaryHeap::new(),
    };
    // Leaves in summing order: their list and weight, and the best part
    // each can add for small wdfs (most of them), computed once.
    let summed: Vec<(usize, f64, [f64; BOUND_WDFS])> = order
        .iter()
        .map(|&leaf| {
            let list = leaf_list.get(leaf).copied().unwrap_or(0);
            let tw = leaf_weight.get(leaf).copied().unwrap_or(0.0);
            let bounds = std::array::from_fn(|wdf| sumpart(tw, wdf as u32, 0, len_factor));
            (list, tw, bounds)
        })
        .collect();
    let mut total = 0u64;
    let mut wdfs = vec![0u32; lists.len()];
    let Some(&lead) = by_rarity.first() else {
        return Ok((0, Vec::new()));
    };
    let mut candidate = match lists.get(lead).and_then(|l| l.current()) {
        Some((d, _)) => d,
        None => return Ok((0, Vec::new())),
    };
    'outer: loop {
        // Leapfrog: every list must reach the candidate; any that passes it
        // proposes a new candidate.
        for &i in &by_rarity {
            let Some(list) = lists.get_mut(i) else {
                continue;
            };
            match list.skip_to(candidate)? {
                None => break 'outer,
                Some((d, wdf)) if d == candidate => {
                    if let Some(w) = wdfs.get_mut(i) {
                        *w = wdf;
                    }
                }
                Some((d, _)) => {
                    candidate = d;
                    continue 'outer;
                }
            }
        }
        total += 1;
        // The best score this document could have (its length as short
        // as BM25 counts any): when even that cannot enter the top `k`,
        // its length is not read. Most matches of a common word end here,
        // and the ranking is exactly the same.
        let out_of_reach = top.threshold().is_some_and(|worst| {
            let mut best = 0.0;
            for (list, tw, bounds) in &summed {
                let wdf = wdfs.get(*list).copied().unwrap_or(0);
                best += match bounds.get(wdf as usize) {
                    Some(b) => *b,
                    None => sumpart(*tw, wdf, 0, len_factor),
                };
            }
            best < worst
        });
        if k > 0 && !out_of_reach {
            let doclen = match doclens.skip_to(candidate)? {
                Some((d, len)) if d == candidate => len,
                _ => return Err(damaged("a matching document has no length")),
            };
            let mut score = 0.0;
            for (list, tw, _) in &summed {
                let wdf = wdfs.get(*list).copied().unwrap_or(0);
                score += sumpart(*tw, wdf, doclen, len_factor);
            }
            top.push(Scored {
                score,
                docid: candidate,
            });
        }
        candidate = match candidate.checked_add(1) {
            Some(d) => d,
            None => break,
        };
    }
    Ok((total, top.into_sorted()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_terms_keep_positive_weight() {
        let c = Collection {
            doccount: 100,
            total_doclen: 5000,
        };
        assert!(termweight(c, 1) > termweight(c, 10));
        assert!(termweight(c, 90) > 0.0);
        assert!(termweight(c, 100) > 0.0);
    }

    #[test]
    fn top_k_order() {
        let mut top = TopK {
            k: 3,
            heap: BinaryHeap::new(),
        };
        for (score, docid) in [(1.0, 5), (2.0, 9), (2.0, 3), (0.5, 1), (2.0, 7)] {
            top.push(Scored { score, docid });
        }
        let ids: Vec<u32> = top.into_sorted().iter().map(|s| s.docid).collect();
        assert_eq!(ids, [3, 7, 9]);
    }

    #[test]
    fn short_documents_are_floored() {
        let a = sumpart(2.0, 1, 0, 0.01);
        let b = sumpart(2.0, 1, 10, 0.01);
        assert_eq!(a, b);
        assert_eq!(sumpart(2.0, 0, 10, 0.01), 0.0);
    }
}
