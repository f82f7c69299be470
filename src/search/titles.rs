//! Title search: case-insensitive prefix matches over each archive's
//! title-ordered listing. Every lookup is a binary search, so the cost grows
//! with the logarithm of the number of articles, never with a scan.

use crate::archive::Archive;
use crate::bundle::{Catalog, ZimItem};

#[derive(Debug, Clone)]
pub struct TitleHit {
    pub zim_id: String,
    pub zim_title: String,
    pub title: String,
    /// The entry's path as our URLs carry it (namespace included in
    /// old-scheme archives).
    pub user_path: String,
}

#[derive(Debug, Default)]
pub struct TitleResults {
    pub total: u64,
    pub hits: Vec<TitleHit>,
}

/// Spellings of the query whose exact-case prefixes together cover what a
/// reader means: as typed, lower case, first letter capital, all capitals,
/// and each word capitalised.
pub(crate) fn variants(q: &str) -> Vec<String> {
    let lower = q.to_lowercase();
    let cap = |s: &str| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect::<String>(),
            None => String::new(),
        }
    };
    let words = lower.split(' ').map(cap).collect::<Vec<_>>().join(" ");
    let mut v = vec![
        q.to_string(),
        lower.clone(),
        cap(&lower),
        cap(q),
        q.to_uppercase(),
        words,
    ];
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| !s.is_empty() && seen.insert(s.clone()));
    v
}

/// Title-listing index ranges `[lo, hi)` of titles starting with any variant.
fn ranges(a: &Archive, q: &str) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for v in variants(q) {
        let lo = a.title_lower_bound(&v);
        // Every title starting with `v` sorts below `v` + the highest char.
        let hi = a.title_lower_bound(&format!("{v}\u{10FFFF}"));
        if let (Ok(lo), Ok(hi)) = (lo, hi) {
            if hi > lo {
                out.push((lo, hi));
            }
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(out.len());
    for (lo, hi) in out {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// Titles starting with `q`, in archive order then title order; `total`
/// counts all of them, `hits` holds `limit` from `offset`.
pub fn search(
    catalog: &Catalog,
    zim: Option<&str>,
    q: &str,
    offset: usize,
    limit: usize,
) -> TitleResults {
    search_excluding(catalog, zim, &[], q, offset, limit)
}

/// [`search`] over the archives whose id is not in `excluded`.
pub fn search_excluding(
    catalog: &Catalog,
    zim: Option<&str>,
    excluded: &[&str],
    q: &str,
    offset: usize,
    limit: usize,
) -> TitleResults {
    let q = q.trim();
    let mut res = TitleResults::default();
    if q.is_empty() {
        return res;
    }
    let mut skip = offset as u64;
    for (item, a) in catalog.open_zims() {
        if zim.is_some_and(|id| id != item.id) || excluded.contains(&item.id.as_str()) {
            continue;
        }
        for (lo, hi) in ranges(a, q) {
            let n = u64::from(hi - lo);
            res.total += n;
            if res.hits.len() >= limit {
                continue;
            }
            if skip >= n {
                skip -= n;
                continue;
            }
            let start = lo + skip as u32;
            skip = 0;
            for i in start..hi {
                if res.hits.len() >= limit {
                    break;
                }
                if let Some(hit) = hit_at(item, a, i) {
                    res.hits.push(hit);
                }
            }
        }
    }
    res
}

fn hit_at(item: &ZimItem, a: &Archive, i: u32) -> Option<TitleHit> {
    let idx = a.title_entry(i).ok()?;
    let d = a.dirent(idx).ok()?;
    Some(TitleHit {
        zim_id: item.id.clone(),
        zim_title: item.info().title.clone(),
        title: d.title.clone(),
        user_path: a.user_path(&d),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_variants() {
        assert_eq!(variants("seoul"), ["seoul", "Seoul", "SEOUL"]);
        assert_eq!(variants("k-POP"), ["k-POP", "k-pop", "K-pop", "K-POP"]);
        assert_eq!(variants("서울"), ["서울"]);
        assert_eq!(
            variants("new york"),
            ["new york", "New york", "NEW YORK", "New York"]
        );
    }
}
