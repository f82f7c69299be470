//! Full-text results from the archives' own Xapian indexes, merged across
//! archives by score, with snippets from the articles' text.

use crate::bundle::{Catalog, ZimItem};
use crate::fulltext;
use crate::render::urls;

/// A full-text hit resolved to an archive entry.
#[derive(Debug, Clone)]
pub struct TextHit {
    pub zim_id: String,
    pub zim_title: String,
    pub title: String,
    pub url: String,
    pub score: f64,
    /// HTML: escaped text with `<b>` around matched words.
    pub snippet_html: String,
}

#[derive(Debug, Default)]
pub struct TextResults {
    pub total: u64,
    pub hits: Vec<TextHit>,
}

/// How much of an article is scanned for a snippet.
const SNIPPET_CHARS: usize = 220;

/// Archives in scope that carry a usable index.
pub fn indexed<'a>(
    catalog: &'a Catalog,
    zim: Option<&'a str>,
) -> impl Iterator<Item = &'a ZimItem> {
    catalog
        .zims
        .iter()
        .filter(move |z| zim.is_none_or(|id| id == z.id))
        .filter(|z| z.fulltext().is_ok())
}

/// Hits `offset..offset+limit` of the merged ranking. Each archive is asked
/// for its best `offset + limit`, which is all a merge by score can need.
pub fn search(
    catalog: &Catalog,
    zim: Option<&str>,
    q: &str,
    offset: usize,
    limit: usize,
) -> TextResults {
    let (total, merged) = search_merged::<()>(catalog, zim, q, offset, limit, Vec::new());
    TextResults {
        total,
        hits: merged
            .into_iter()
            .filter_map(|m| match m {
                Merged::Archive(h) => Some(h),
                Merged::Other(_) => None,
            })
            .collect(),
    }
}

enum Pooled {
    Archive(fulltext::Hit),
    Other(usize),
}

/// One entry of a ranking merged with hits from elsewhere.
pub enum Merged<E> {
    Archive(TextHit),
    Other(E),
}

/// As `search`, with `others` (scored the same way: the drive index's
/// BM25) merged into the ranking by score; `total` counts the archives'
/// hits only. `others` must hold their best `offset + limit`.
pub fn search_merged<E>(
    catalog: &Catalog,
    zim: Option<&str>,
    q: &str,
    offset: usize,
    limit: usize,
    others: Vec<(f64, E)>,
) -> (u64, Vec<Merged<E>>) {
    let mut total = 0;
    let mut out = Vec::new();
    if q.trim().is_empty() {
        return (total, out);
    }
    let want = offset.saturating_add(limit);
    // Archives with hits, in catalog order, each with the query's terms as
    // its index reads them (once, not once per hit).
    let mut archives: Vec<(&ZimItem, Vec<String>)> = Vec::new();
    let mut pooled: Vec<(f64, usize, Pooled)> = Vec::new();
    for item in indexed(catalog, zim) {
        let Ok(index) = item.fulltext() else { continue };
        let Ok(found) = index.search(q, 0, want) else {
            continue;
        };
        total += found.total;
        if found.hits.is_empty() {
            continue;
        }
        let slot = archives.len();
        archives.push((item, index.query_terms(q)));
        for h in found.hits {
            pooled.push((h.score, slot, Pooled::Archive(h)));
        }
    }
    let mut others_by_slot = Vec::new();
    for (score, e) in others {
        pooled.push((score, usize::MAX, Pooled::Other(others_by_slot.len())));
        others_by_slot.push(Some(e));
    }
    // Higher score first; equal scores keep archive order, then rank order
    // (the sort is stable); the drive's own hits after the archives'.
    pooled.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let page: Vec<(f64, usize, Pooled)> = pooled.into_iter().skip(offset).take(limit).collect();
    let jobs: Vec<Job> = page
        .iter()
        .filter_map(|(score, slot, m)| match m {
            Pooled::Archive(hit) => {
                let (item, terms) = archives.get(*slot)?;
                Some((*item, hit, terms.as_slice(), *score))
            }
            Pooled::Other(_) => None,
        })
        .collect();
    let mut resolved = resolve_all(&jobs).into_iter();
    for (_, _, m) in page {
        match m {
            Pooled::Archive(_) => {
                if let Some(h) = resolved.next().flatten() {
                    out.push(Merged::Archive(h));
                }
            }
            Pooled::Other(i) => {
                if let Some(e) = others_by_slot.get_mut(i).and_then(Option::take) {
                    out.push(Merged::Other(e));
                }
            }
        }
    }
    (total, out)
}

/// An archive hit to resolve: its archive, the hit, the words to mark, its score.
type Job<'a> = (&'a ZimItem, &'a fulltext::Hit, &'a [String], f64);

/// Threads that read a page's articles for their snippets, at most.
const SNIPPET_THREADS: usize = 2;

/// `resolve` for every job, in order. Reading an article for its snippet
/// decompresses on average half of its cluster (~0.6 ms each on the
/// 200,000-article bench archive: most of a results page's time), so with
/// two cores or more the page's articles are read on two threads.
fn resolve_all(jobs: &[Job]) -> Vec<Option<TextHit>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(SNIPPET_THREADS)
        .min(jobs.len());
    let share = |t: usize| {
        jobs.iter()
            .enumerate()
            .skip(t)
            .step_by(threads.max(1))
            .map(|(k, (item, hit, terms, score))| (k, resolve(item, hit, terms, *score)))
            .collect::<Vec<_>>()
    };
    if threads <= 1 {
        return share(0).into_iter().map(|(_, r)| r).collect();
    }
    let mut out: Vec<Option<TextHit>> = vec![None; jobs.len()];
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|t| scope.spawn(move || share(t)))
            .collect();
        let mut parts = vec![share(0)];
        for h in others {
            match h.join() {
                Ok(part) => parts.push(part),
                // As if it had happened on this thread: the request's
                // panic guard answers it.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        for (k, r) in parts.into_iter().flatten() {
            if let Some(slot) = out.get_mut(k) {
                *slot = r;
            }
        }
    });
    out
}

fn resolve(item: &ZimItem, hit: &fulltext::Hit, terms: &[String], score: f64) -> Option<TextHit> {
    let a = item.archive.as_ref().ok()?;
    let index = item.fulltext().ok()?;
    let path = index.entry_path(&hit.path, a.has_new_namespace_scheme());
    let found = a.find_user_path(path).ok().flatten();
    let (title, user_path, snippet_html) = match found.and_then(|i| a.resolve(i).ok()) {
        Some((_, d)) => {
            let snippet = a
                .blob(&d)
                .ok()
                .and_then(|b| {
                    let html = b.read_all().ok()?;
                    Some(fulltext::snippet(&html, terms, SNIPPET_CHARS))
                })
                .unwrap_or_default();
            (d.title.clone(), a.user_path(&d), snippet)
        }
        // The index names an entry the archive lacks: still show it.
        None => (hit.title.clone(), path.to_string(), String::new()),
    };
    Some(TextHit {
        zim_id: item.id.clone(),
        zim_title: item.info().title.clone(),
        url: urls::content(&item.id, &user_path),
        title,
        score,
        snippet_html,
    })
}
