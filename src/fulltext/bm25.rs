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
/// best first. Long lists are walked in two halves of the docid range on
/// two threads (where there are two cores): each half counts its matches
/// and keeps its own best `k`, and the best `k` of both are the best `k`
/// of all, in the same total order — the same result as one walk.
pub(super) fn search_and(
    glass: &Glass,
    c: Collection,
    leaves: &[String],
    k: usize,
) -> Result<(u64, Vec<Scored>), FulltextError> {
    let Some(plan) = Plan::new(glass, c, leaves)? else {
        return Ok((0, Vec::new()));
    };
    let end = u32::MAX;
    let mid = glass.stats.doccount / 2 + 1;
    if plan.postings < PARALLEL_POSTINGS || cores() < 2 || mid < 2 {
        let (total, top) = plan.walk(glass, k, 1, end)?;
        return Ok((total, top.into_sorted()));
    }
    let (first, second) = std::thread::scope(|scope| {
        let later = scope.spawn(|| plan.walk(glass, k, mid, end));
        let first = plan.walk(glass, k, 1, mid);
        match later.join() {
            Ok(second) => (first, second),
            Err(e) => std::panic::resume_unwind(e),
        }
    });
    let (a, top_a) = first?;
    let (b, top_b) = second?;
    let mut best: Vec<Scored> = top_a.into_sorted();
    best.extend(top_b.into_sorted());
    best.sort_by(|x, y| y.cmp(x));
    best.truncate(k);
    Ok((a + b, best))
}

/// Sum of the query's posting list lengths from which a walk is split
/// over two threads: below it, starting a thread costs more than it saves.
const PARALLEL_POSTINGS: u64 = 40_000;

/// Cores this process may use, asked once (the answer reads cgroup files).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What a query's walk needs, worked out once from the terms' statistics.
struct Plan<'q> {
    /// Distinct terms, each with its own posting list.
    terms: Vec<&'q str>,
    /// Terms in ascending term frequency: the rarest drives the match.
    by_rarity: Vec<usize>,
    /// Leaves in Xapian's summing order: their term, weight, and the best
    /// part each can add for small wdfs (a document as short as BM25
    /// counts any).
    summed: Vec<(usize, f64, [f64; BOUND_WDFS])>,
    len_factor: f64,
    /// Total length of the terms' posting lists.
    postings: u64,
}

impl<'q> Plan<'q> {
    /// `None` when a term is not in the index: nothing matches.
    fn new(
        glass: &Glass,
        c: Collection,
        leaves: &'q [String],
    ) -> Result<Option<Self>, FulltextError> {
        if leaves.is_empty() {
            return Ok(None);
        }
        let mut terms: Vec<&str> = Vec::new();
        let mut term_tf: Vec<u32> = Vec::new();
        let mut leaf_term = Vec::with_capacity(leaves.len());
        let mut leaf_weight = Vec::with_capacity(leaves.len());
        let mut leaf_tf = Vec::with_capacity(leaves.len());
        for leaf in leaves {
            let Some(stats) = term_stats(glass, leaf.as_bytes())? else {
                return Ok(None);
            };
            let idx = match terms.iter().position(|t| *t == leaf.as_str()) {
                Some(i) => i,
                None => {
                    terms.push(leaf);
                    term_tf.push(stats.termfreq);
                    terms.len() - 1
                }
            };
            leaf_term.push(idx);
            leaf_weight.push(termweight(c, stats.termfreq));
            leaf_tf.push(stats.termfreq);
        }
        // Xapian sums in ascending termfreq; its sort of a handful of
        // leaves is an insertion sort, which keeps query order among equal
        // termfreqs.
        let mut order: Vec<usize> = (0..leaves.len()).collect();
        order.sort_by_key(|&i| leaf_tf.get(i).copied().unwrap_or(0));
        let len_factor = c.len_factor();
        let summed = order
            .iter()
            .map(|&leaf| {
                let term = leaf_term.get(leaf).copied().unwrap_or(0);
                let tw = leaf_weight.get(leaf).copied().unwrap_or(0.0);
                let bounds = std::array::from_fn(|wdf| sumpart(tw, wdf as u32, 0, len_factor));
                (term, tw, bounds)
            })
            .collect();
        let mut by_rarity: Vec<usize> = (0..terms.len()).collect();
        by_rarity.sort_by_key(|&i| term_tf.get(i).copied().unwrap_or(0));
        Ok(Some(Plan {
            postings: term_tf.iter().map(|&t| u64::from(t)).sum(),
            terms,
            by_rarity,
            summed,
            len_factor,
        }))
    }

    /// The matches with docids in `from..end`: how many, and the best `k`.
    fn walk(
        &self,
        glass: &Glass,
        k: usize,
        from: u32,
        end: u32,
    ) -> Result<(u64, TopK), FulltextError> {
        let mut top = TopK {
            k,
            heap: BinaryHeap::new(),
        };
        let mut lists = Vec::with_capacity(self.terms.len());
        for t in &self.terms {
            match PostingList::open_term(glass, t.as_bytes())? {
                Some(l) => lists.push(l),
                None => return Ok((0, top)),
            }
        }
        let mut doclens =
            PostingList::open_doclen(glass)?.ok_or_else(|| damaged("document lengths missing"))?;
        let mut total = 0u64;
        let mut wdfs = vec![0u32; lists.len()];
        let Some(&lead) = self.by_rarity.first() else {
            return Ok((0, top));
        };
        let mut candidate = match lists.get_mut(lead) {
            Some(l) => match l.skip_to(from)? {
                Some((d, _)) => d,
                None => return Ok((0, top)),
            },
            None => return Ok((0, top)),
        };
        'outer: while candidate < end {
            // Leapfrog: every list must reach the candidate; any that
            // passes it proposes a new candidate.
            for &i in &self.by_rarity {
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
            // The best score this document could have (its length as
            // short as BM25 counts any): when even that cannot enter the
            // top `k`, its length is not read. Most matches of a common
            // word end here, and the ranking is exactly the same.
            let out_of_reach = top.threshold().is_some_and(|worst| {
                let mut best = 0.0;
                for (term, tw, bounds) in &self.summed {
                    let wdf = wdfs.get(*term).copied().unwrap_or(0);
                    best += match bounds.get(wdf as usize) {
                        Some(b) => *b,
                        None => sumpart(*tw, wdf, 0, self.len_factor),
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
                for (term, tw, _) in &self.summed {
                    let wdf = wdfs.get(*term).copied().unwrap_or(0);
                    score += sumpart(*tw, wdf, doclen, self.len_factor);
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
        Ok((total, top))
    }
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
