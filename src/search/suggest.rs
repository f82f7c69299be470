//! As-you-type suggestions across the whole drive, best first, one line per
//! article.
//!
//! Candidates come from sorted lists, never a scan of an archive: the
//! archive's own title list (by prefix, in the spellings a reader means,
//! with the syllable still being composed as a few ranges) and, once built,
//! the suggestion index of [`crate::titleindex`] (titles without spacing and
//! punctuation, their initial consonants, their later words, and places
//! inside their words). The drive's
//! own files are few and are all looked at. Every candidate is then ranked
//! by [`Query::classify`]: exact title, then prefix, then a later word, then
//! inside a word, then the description only; within a class what was typed before a keyboard
//! slip, main articles before redirects, the page's language first, shorter
//! titles first.

use super::query::{Class, Query};
use super::titles::variants;
use super::{Hit, Results};
use crate::archive::{Archive, DirentKind};
use crate::bundle::{Catalog, ZimItem};
use crate::hangul::typing::{patterns, KeyRange, Pattern, Slot};
use crate::hangul::Syllable;
use crate::lang::Lang;
use crate::render::urls;
use crate::titleindex::{Indexes, Order, TitleIndex};
use std::collections::HashSet;

/// Entries read from each range of a sorted list beyond the number shown:
/// the best of a range come first in it (an exact title sorts before its
/// extensions), the slack covers redirects folded into their articles, and
/// it bounds the reads per keystroke.
const SLACK: u32 = 6;
/// Entries of an initials range looked at when whole syllables after the
/// first filter them (ㄷ한ㅁ); a first syllable (대ㅎㅁㄱ) filters in memory.
const SCAN: u32 = 200;

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
        let want = u32::try_from(limit)
            .unwrap_or(u32::MAX)
            .saturating_add(SLACK);
        let ctx = Ctx {
            zi,
            item,
            a,
            query: &query,
            lang,
            want,
        };
        archive_candidates(&ctx, index.as_deref(), q, &mut found);
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
                match query.words_or_slip_in(&[&title, &summary, &name]) {
                    Some(slip) => (Class::Description, slip),
                    None => continue,
                }
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

/// One archive's part of a request.
struct Ctx<'a> {
    zi: usize,
    item: &'a ZimItem,
    a: &'a Archive,
    query: &'a Query,
    lang: Lang,
    /// Entries to read from a range.
    want: u32,
}

/// The archive's titles worth ranking, ranked.
fn archive_candidates(c: &Ctx, index: Option<&TitleIndex>, raw: &str, out: &mut Vec<Candidate>) {
    let (zi, item, a, query, lang) = (c.zi, c.item, c.a, c.query, c.lang);
    let mut entries: Vec<u32> = Vec::new();
    match index {
        Some(ix) => {
            for r in &query.readings {
                for p in &r.patterns {
                    index_candidates(ix, p, c.want, &mut entries);
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
                        title_list_range(a, &r, c.want, &mut entries);
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
fn title_list_range(a: &Archive, r: &KeyRange, want: u32, out: &mut Vec<u32>) {
    let (Ok(lo), Ok(hi)) = (
        a.title_lower_bound_bytes(&r.lo),
        a.title_lower_bound_bytes(&r.hi),
    ) else {
        return;
    };
    for i in lo..hi.min(lo.saturating_add(want)) {
        if let Ok(e) = a.title_entry(i) {
            out.push(e);
        }
    }
}

/// The first entries of the index's orders that can hold matches of `p`:
/// titles without spacing by prefix, then (when those are few) their later
/// words, then places inside their words, or for initial consonants the
/// initials order.
fn index_candidates(ix: &TitleIndex, p: &Pattern, want: u32, out: &mut Vec<u32>) {
    let take = |order: Order, lo: u32, hi: u32, n: u32, out: &mut Vec<u32>| {
        for i in lo..hi.min(lo.saturating_add(n)) {
            if let Ok(e) = ix.entry(order, i) {
                out.push(e);
            }
        }
    };
    if let Some(ranges) = p.key_ranges() {
        let mut found = Vec::new();
        for r in &ranges {
            if let Ok((lo, hi)) = ix.range(Order::Folded, &r.lo, &r.hi) {
                found.push((lo, hi));
            }
        }
        for &(lo, hi) in &found {
            take(Order::Folded, lo, hi, want, out);
        }
        // Later words rank below every prefix, and places inside a word
        // below later words: each only worth reading when what ranks above
        // cannot fill the list.
        let mut have: u32 = found.iter().map(|(lo, hi)| hi - lo).sum();
        for order in [Order::Words, Order::Inside] {
            if have >= want {
                break;
            }
            for r in &ranges {
                if let Ok((lo, hi)) = ix.range(order, &r.lo, &r.hi) {
                    take(order, lo, hi, want - have.min(want), out);
                    have = have.saturating_add(hi - lo);
                }
            }
        }
        return;
    }
    // Initials (ㄷㅎㅁㄱ, 대ㅎㅁㄱ): the initials order holds every match.
    let key = p.initials_key();
    let Ok((lo, hi)) = ix.range_prefix(Order::Initials, key.as_bytes()) else {
        return;
    };
    let first = p.slots.first();
    let later_syllables = p
        .slots
        .iter()
        .skip(1)
        .any(|s| matches!(s, Slot::Is(c) if Syllable::of(*c).is_some()));
    let mut read = 0;
    for i in lo..hi {
        // Without later syllables every entry read is a match; with them,
        // the reads are bounded.
        if read >= SCAN || (!later_syllables && read >= want) {
            break;
        }
        // The first letter is in memory: a whole first syllable filters
        // without reading the drive.
        if let (Some(slot), Some(c)) = (first, ix.initials_first(i)) {
            if !slot.matches(c) {
                continue;
            }
        }
        read += 1;
        if let Ok(e) = ix.entry(Order::Initials, i) {
            out.push(e);
        }
    }
}
