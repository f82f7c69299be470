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
    let mut res = TextResults::default();
    if q.trim().is_empty() {
        return res;
    }
    let want = offset.saturating_add(limit);
    // Archives with hits, in catalog order, each with the query's terms as
    // its index reads them (once, not once per hit).
    let mut archives: Vec<(&ZimItem, Vec<String>)> = Vec::new();
    let mut pooled: Vec<(f64, usize, fulltext::Hit)> = Vec::new();
    for item in indexed(catalog, zim) {
        let Ok(index) = item.fulltext() else { continue };
        let Ok(found) = index.search(q, 0, want) else {
            continue;
        };
        res.total += found.total;
        if found.hits.is_empty() {
            continue;
        }
        let slot = archives.len();
        archives.push((item, index.query_terms(q)));
        for h in found.hits {
            pooled.push((h.score, slot, h));
        }
    }
    // Higher score first; equal scores keep archive order, then rank order
    // (the sort is stable).
    pooled.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (score, slot, hit) in pooled.into_iter().skip(offset).take(limit) {
        let Some((item, terms)) = archives.get(slot) else {
            continue;
        };
        if let Some(h) = resolve(item, &hit, terms, score) {
            res.hits.push(h);
        }
    }
    res
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
