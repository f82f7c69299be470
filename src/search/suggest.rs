//! As-you-type suggestions across the whole drive, best first, one line per
//! article.
//!
//! Candidates come from sorted lists, never a scan of an archive: the
//! archive's own title list (by prefix, in the spellings a reader means,
//! with the syllable still being composed as a few ranges) and, once built,
//! the suggestion index of [`crate::titleindex`] (titles without spacing and
//! punctuation, their initial consonants, and their later words). The drive's
//! own files are few and are all looked at. Every candidate is then ranked
//! by [`Query::classify`]: exact title, then prefix, then a later word, then
//! the description only; within a class what was typed before a keyboard
//! slip, main articles before redirects, the page's language first, shorter
//! titles first.

use super::query::{Class, Query};
use super::titles::variants;
use super::{Hit, Results};
use crate::archive::{Archive, DirentKind};
use crate::bundle::{Catalog, ZimItem};
use crate::hangul::typing::{patterns, KeyRange, Pattern};
use crate::lang::Lang;
use crate::render::urls;
use crate::titleindex::{Indexes, Order, TitleIndex};
use std::collections::HashSet;

/// Entries read from each range of a sorted list. The best of a range come
/// first in it (an exact title sorts before its extensions), so a few times
/// the number shown is plenty, and it bounds the work per keystroke.
const PER_RANGE: u32 = 32;
/// Entries of an initials range looked at when the query also has whole
/// syllables that filter them (대ㅎㅁㄱ).
const SCAN: u32 = 600;

struct Candidate {
    hit: Hit,
    class: Class,
    slip: bool,
    redirect: bool,
    other_lang: bool,
    chars: usize,
    /// (archive, article) for archive entries: one line per article.
    article: Option<(usize, u32)>,
}

impl Candidate {
    fn rank(&self) -> (Class, bool, bool, bool, usize, &str) {
        (
            self.class,
            self.slip,
            self.redirect,
            self.other_lang,
            self.chars,
            &self.hit.title,
        )
    }
}

/// Suggestions for `q`: the drive's files and the archives' titles (only
/// archive `zim` when given), at most `limit`.
pub fn suggest(
    catalog: &Catalog,
    indexes: Option<&Indexes>,
    zim: Option<&str>,
    q: &str,
    limit: usize,
    lang: Lang,
) -> Results {
    let query = Query::new(q);
    let mut res = Results::default();
    if query.is_empty() || limit == 0 {
        return res;
    }
    let mut found: Vec<Candidate> = Vec::new();
    if zim.is_none() {
        file_candidates(catalog, &query, lang, &mut found);
    }
    for (zi, item) in catalog.zims.iter().enumerate() {
        let Ok(a) = &item.archive else { continue };
        if zim.is_some_and(|id| id != item.id) {
            continue;
        }
        let index = indexes.and_then(|ix| ix.get(zi));
        archive_candidates(zi, item, a, index.as_deref(), q, &query, lang, &mut found);
    }
    found.sort_by(|a, b| a.rank().cmp(&b.rank()));
    let mut seen: HashSet<(usize, u32)> = HashSet::new();
    let mut urls_seen: HashSet<String> = HashSet::new();
    for c in found {
        if let Some(key) = c.article {
            if !seen.insert(key) {
                continue;
            }
        }
        if !urls_seen.insert(c.hit.url.clone()) {
            continue;
        }
        res.total += 1;
        if res.hits.len() < limit {
            res.hits.push(c.hit);
        }
    }
    res
}

fn lang_of(code: &str) -> Option<Lang> {
    Lang::parse(code.split(',').next().unwrap_or(""))
}

fn file_candidates(catalog: &Catalog, query: &Query, lang: Lang, out: &mut Vec<Candidate>) {
    for it in &catalog.items {
        let d = it.details();
        let (class, slip) = match query.classify(&d.title) {
            Some(m) => m,
            None => {
                let title = d.title.to_lowercase();
                let summary = d.summary.to_lowercase();
                let name = it.file_name.to_lowercase();
                if !query.words_in(&[&title, &summary, &name]) {
                    continue;
                }
                (Class::Description, false)
            }
        };
        out.push(Candidate {
            hit: Hit {
                title: d.title.clone(),
                url: urls::view(&it.rel),
                kind: it.kind.singular(),
                zim: None,
                source: it.collection.clone(),
                snippet_html: None,
                place: super::Place::default(),
            },
            class,
            slip,
            redirect: false,
            other_lang: d
                .language
                .as_deref()
                .and_then(lang_of)
                .is_some_and(|l| l != lang),
            chars: d.title.chars().count(),
            article: None,
        });
    }
}

/// Dirent numbers worth ranking from one archive.
#[allow(clippy::too_many_arguments)]
fn archive_candidates(
    zi: usize,
    item: &ZimItem,
    a: &Archive,
    index: Option<&TitleIndex>,
    raw: &str,
    query: &Query,
    lang: Lang,
    out: &mut Vec<Candidate>,
) {
    let mut entries: Vec<u32> = Vec::new();
    match index {
        Some(ix) => {
            for r in &query.readings {
                for p in &r.patterns {
                    index_candidates(ix, p, &mut entries);
                }
            }
        }
        // Until the index is built: the archive's own list, exact bytes, so
        // in the spellings meant.
        None => {
            let mut spellings = variants(raw.trim());
            spellings.extend(
                query
                    .readings
                    .iter()
                    .filter(|r| r.slip)
                    .map(|r| r.raw.clone()),
            );
            for s in &spellings {
                for p in patterns(s) {
                    for r in p.key_ranges().into_iter().flatten() {
                        title_list_range(a, &r, &mut entries);
                    }
                }
            }
        }
    }
    let other_lang = lang_of(&item.info().language).is_some_and(|l| l != lang);
    let mut done: HashSet<u32> = HashSet::new();
    for e in entries {
        if !done.insert(e) {
            continue;
        }
        let Ok(d) = a.dirent(e) else { continue };
        let Some((class, slip)) = query.classify(&d.title) else {
            continue;
        };
        let (redirect, article) = match d.kind {
            DirentKind::Redirect { target } => (true, target),
            _ => (false, e),
        };
        let chars = d.title.chars().count();
        out.push(Candidate {
            hit: Hit {
                url: urls::content(&item.id, &a.user_path(&d)),
                title: d.title,
                kind: "article",
                zim: Some(item.id.clone()),
                source: item.info().title.clone(),
                snippet_html: None,
                place: super::Place::default(),
            },
            class,
            slip,
            redirect,
            other_lang,
            chars,
            article: Some((zi, article)),
        });
    }
}

/// The first entries of one key range of the archive's title list.
fn title_list_range(a: &Archive, r: &KeyRange, out: &mut Vec<u32>) {
    let (Ok(lo), Ok(hi)) = (
        a.title_lower_bound_bytes(&r.lo),
        a.title_lower_bound_bytes(&r.hi),
    ) else {
        return;
    };
    for i in lo..hi.min(lo.saturating_add(PER_RANGE)) {
        if let Ok(e) = a.title_entry(i) {
            out.push(e);
        }
    }
}

/// The first entries of the index's orders that can hold matches of `p`:
/// titles without spacing by prefix, their later words, or (for initial
/// consonants) the initials order.
fn index_candidates(ix: &TitleIndex, p: &Pattern, out: &mut Vec<u32>) {
    let take = |order: Order, lo: u32, hi: u32, n: u32, out: &mut Vec<u32>| {
        for i in lo..hi.min(lo.saturating_add(n)) {
            if let Ok(e) = ix.entry(order, i) {
                out.push(e);
            }
        }
    };
    if let Some(ranges) = p.key_ranges() {
        for r in ranges {
            for order in [Order::Folded, Order::Words] {
                if let Ok((lo, hi)) = ix.range(order, &r.lo, &r.hi) {
                    take(order, lo, hi, PER_RANGE, out);
                }
            }
        }
        return;
    }
    // Initials (ㄷㅎㅁㄱ, 대ㅎㅁㄱ): the initials order holds every match;
    // when whole syllables lead, the titles starting with them may be the
    // shorter list to filter.
    let key = p.initials_key();
    let Ok((lo, hi)) = ix.range_prefix(Order::Initials, key.as_bytes()) else {
        return;
    };
    let stem = p.plain_stem();
    if !stem.is_empty() {
        if let Ok((slo, shi)) = ix.range_prefix(Order::Folded, stem.as_bytes()) {
            if shi - slo < hi - lo {
                take(Order::Folded, slo, shi, SCAN, out);
                return;
            }
        }
    }
    let n = if stem.is_empty() { PER_RANGE } else { SCAN };
    take(Order::Initials, lo, hi, n, out);
}
