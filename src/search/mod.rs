//! Finding things across the catalog: the drive's files by title and
//! description, archive articles by full text (where an archive carries an
//! index) or by title prefix.

pub mod fulltext;
pub mod items;
pub mod query;
pub mod suggest;
pub mod titles;

pub use suggest::suggest;

use crate::bundle::Catalog;
use crate::bundle::Kind;
use crate::driveindex::segment::{ItemKind, Role};
use crate::driveindex::{DriveHit, DriveIndex};
use crate::render::urls;
use std::collections::HashSet;

/// One result, whatever it is.
#[derive(Debug, Clone)]
pub struct Hit {
    pub title: String,
    pub url: String,
    /// `article`, `document`, `video`, `audio` or `page`.
    pub kind: &'static str,
    /// The archive, for articles.
    pub zim: Option<String>,
    /// Where it comes from, for people: the archive's title or the folder.
    pub source: String,
    /// Text around the matched words (escaped HTML with `<b>`), for
    /// full-text hits.
    pub snippet_html: Option<String>,
    /// Where in the file the words are (drive index hits).
    pub place: Place,
}

/// Where in a file a hit of the drive index is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// The file the words are in, as a path in the bundle (a subtitle's for
    /// a film hit by its subtitles).
    pub file: Option<String>,
    /// Page of a document, from 1.
    pub page: Option<u32>,
    /// Moment of a film or recording, in seconds.
    pub time: Option<f64>,
}

/// What a search is narrowed to: one kind of result (the results page's
/// filter, `kind=` in its URL and in `/api/search`). `None` is everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    /// Archive articles (the encyclopedias).
    Articles,
    /// Files of the drive of one kind, by their words too.
    Files(ItemKind),
}

impl Only {
    /// Every filter, in the order the results page lists them.
    pub const ALL: [Only; 5] = [
        Only::Articles,
        Only::Files(ItemKind::Document),
        Only::Files(ItemKind::Video),
        Only::Files(ItemKind::Audio),
        Only::Files(ItemKind::Page),
    ];

    /// The `kind` of the hits it keeps (also its value in URLs).
    pub fn slug(self) -> &'static str {
        match self {
            Only::Articles => "article",
            Only::Files(k) => kind_slug(k),
        }
    }

    /// From a URL's `kind=`; anything else (or nothing) is everything.
    pub fn parse(s: &str) -> Option<Only> {
        Only::ALL.into_iter().find(|o| o.slug() == s)
    }

    fn keeps_articles(only: Option<Only>) -> bool {
        matches!(only, None | Some(Only::Articles))
    }

    fn keeps_kind(only: Option<Only>, k: ItemKind) -> bool {
        match only {
            None => true,
            Some(Only::Articles) => false,
            Some(Only::Files(o)) => o == k,
        }
    }
}

fn kind_slug(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Document => "document",
        ItemKind::Video => "video",
        ItemKind::Audio => "audio",
        ItemKind::Page => "page",
    }
}

#[derive(Debug, Default)]
pub struct Results {
    pub total: u64,
    pub hits: Vec<Hit>,
    /// How many of each kind the query finds, whatever the filter (the
    /// results page's filter line): from the same search, not one per kind.
    pub counts: Counts,
}

/// Results of a query by kind, in `Only::ALL` order.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts([u64; 5]);

impl Counts {
    pub fn get(&self, o: Only) -> u64 {
        Only::ALL
            .iter()
            .position(|&x| x == o)
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or(0)
    }

    fn add(&mut self, o: Only, n: u64) {
        if let Some(c) = Only::ALL
            .iter()
            .position(|&x| x == o)
            .and_then(|i| self.0.get_mut(i))
        {
            *c += n;
        }
    }

    /// Every kind together (what the unfiltered search finds).
    pub fn all(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// Everything matching `q`, paged: the drive's own files first (there are
/// few, and they are what a search for a film or a paper means), then the
/// text of the archives that carry a full-text index, merged by score, then
/// the titles of the archives that do not. With `zim`, only that archive.
pub fn search(
    catalog: &Catalog,
    zim: Option<&str>,
    q: &str,
    offset: usize,
    limit: usize,
) -> Results {
    search_with(catalog, None, zim, None, q, offset, limit)
}

/// `search`, with the words of the drive's own files (newspapers' pages,
/// subtitles, pages, descriptions: the drive index) ranked together with
/// the archives' full text; `only` narrows it to one kind of result (a
/// search within one archive, `zim`, is of articles only).
pub fn search_with(
    catalog: &Catalog,
    drive: Option<&DriveIndex>,
    zim: Option<&str>,
    only: Option<Only>,
    q: &str,
    offset: usize,
    limit: usize,
) -> Results {
    let only = if zim.is_some() {
        Some(Only::Articles)
    } else {
        only
    };
    let mut res = Results::default();
    // The drive's files by title and description, every kind counted; the
    // kept ones listed first.
    let mut files = Vec::new();
    let mut listed = HashSet::new();
    for (k, h) in file_hits(catalog, zim, q) {
        res.counts.add(Only::Files(k), 1);
        listed.extend(h.place.file.clone());
        if Only::keeps_kind(only, k) {
            files.push(h);
        }
    }
    let n_files = files.len();
    res.hits.extend(files.into_iter().skip(offset).take(limit));

    let text_offset = offset.saturating_sub(n_files);
    let room = limit - res.hits.len();
    let (drive_total, others, highlight) = match drive.filter(|_| zim.is_none()) {
        Some(d) => {
            // A description or page already listed among the files above
            // is neither listed twice nor counted; the kinds filtered out
            // are counted, not ranked.
            let r = d.rank_counted(
                q,
                text_offset.saturating_add(room),
                &|s| {
                    matches!(s.role, Role::Description | Role::PageBody)
                        && listed.contains(&s.item_rel)
                },
                &|s| Only::keeps_kind(only, s.kind),
            );
            for k in [
                ItemKind::Document,
                ItemKind::Video,
                ItemKind::Audio,
                ItemKind::Page,
            ] {
                let n = r.by_kind.get(k as usize).copied().unwrap_or(0);
                res.counts.add(Only::Files(k), n);
            }
            let hits = r.hits.into_iter().map(|h| (h.score, h)).collect();
            (r.total, hits, r.highlight)
        }
        None => (0, Vec::new(), Vec::new()),
    };
    let (archive_total, merged) = if Only::keeps_articles(only) {
        fulltext::search_merged(catalog, zim, q, text_offset, room, others)
    } else {
        // The drive's own hits alone, already best first; the archives
        // only counted.
        let page = others
            .into_iter()
            .skip(text_offset)
            .take(room)
            .map(|(_, r)| fulltext::Merged::Other(r))
            .collect();
        (0, page)
    };
    let text_total = archive_total + drive_total;
    for m in merged {
        match m {
            fulltext::Merged::Archive(h) => res.hits.push(Hit {
                title: h.title,
                url: h.url,
                kind: "article",
                zim: Some(h.zim_id),
                source: h.zim_title,
                snippet_html: Some(h.snippet_html),
                place: Place::default(),
            }),
            fulltext::Merged::Other(r) => {
                if let Some(h) = drive.and_then(|d| d.resolve(&r, &highlight)) {
                    res.hits.push(drive_hit(catalog, h));
                }
            }
        }
    }
    res.total += n_files as u64 + text_total;
    let indexed: Vec<&str> = fulltext::indexed(catalog, zim)
        .map(|z| z.id.as_str())
        .collect();
    if !Only::keeps_articles(only) {
        // Each index remembers its recent totals (`fulltext::Index::count`):
        // reached from the unfiltered page, nothing is walked again.
        let articles = archive_count(catalog, zim, q)
            + titles::search_excluding(catalog, zim, &indexed, q, 0, 0).total;
        res.counts.add(Only::Articles, articles);
        return res;
    }
    let title_offset =
        text_offset.saturating_sub(usize::try_from(text_total).unwrap_or(usize::MAX));
    let room = limit - res.hits.len();
    let titles_total = title_hits(catalog, zim, &indexed, q, title_offset, room, &mut res);
    res.counts.add(Only::Articles, archive_total + titles_total);
    res
}

/// Matches in the archives' full text, counted without ranking them (a
/// filtered search shows how many articles there are, not which).
fn archive_count(catalog: &Catalog, zim: Option<&str>, q: &str) -> u64 {
    if q.trim().is_empty() {
        return 0;
    }
    fulltext::indexed(catalog, zim)
        .filter_map(|z| z.fulltext().ok()?.count(q).ok())
        .sum()
}

/// The drive's files whose title or description matches, of every kind.
fn file_hits(catalog: &Catalog, zim: Option<&str>, q: &str) -> Vec<(ItemKind, Hit)> {
    if zim.is_some() {
        return Vec::new();
    }
    items::search(catalog, q)
        .into_iter()
        .map(|it| {
            let hit = Hit {
                title: it.details().title.clone(),
                url: urls::view(&it.rel),
                kind: it.kind.singular(),
                zim: None,
                source: it.collection.clone(),
                snippet_html: None,
                place: Place {
                    file: Some(it.rel.clone()),
                    ..Place::default()
                },
            };
            (item_kind(it.kind), hit)
        })
        .collect()
}

fn title_hits(
    catalog: &Catalog,
    zim: Option<&str>,
    excluded: &[&str],
    q: &str,
    offset: usize,
    limit: usize,
    res: &mut Results,
) -> u64 {
    let titles = titles::search_excluding(catalog, zim, excluded, q, offset, limit);
    res.total += titles.total;
    for h in titles.hits {
        res.hits.push(Hit {
            url: urls::content(&h.zim_id, &h.user_path),
            title: h.title,
            kind: "article",
            zim: Some(h.zim_id),
            source: h.zim_title,
            snippet_html: None,
            place: Place::default(),
        });
    }
    titles.total
}

fn item_kind(k: Kind) -> ItemKind {
    match k {
        Kind::Document => ItemKind::Document,
        Kind::Video => ItemKind::Video,
        Kind::Audio => ItemKind::Audio,
        Kind::Page => ItemKind::Page,
    }
}

/// A drive index hit as a result: a newspaper page opens the page view of
/// the document at that page (drawn by the server, its text below: it needs
/// no PDF viewer), a subtitle line the film at that moment.
fn drive_hit(catalog: &Catalog, h: DriveHit) -> Hit {
    let item = catalog.item(&h.item_rel);
    let title = item.map_or_else(|| h.item_rel.clone(), |it| it.details().title.clone());
    let source = item.map(|it| it.collection.clone()).unwrap_or_default();
    let url = match (h.page, h.time) {
        (Some(p), _) if item.is_some_and(|it| it.kind == Kind::Document) => {
            format!("{}?page={p}", urls::view(&h.item_rel))
        }
        // No page view for it: the browser's own viewer, at that page.
        (Some(p), _) => format!("{}#page={p}", urls::file(&h.item_rel)),
        (_, Some(t)) => format!("{}?t={}", urls::view(&h.item_rel), t.floor() as u64),
        _ => urls::view(&h.item_rel),
    };
    Hit {
        title,
        url,
        kind: kind_slug(h.kind),
        zim: None,
        source,
        snippet_html: Some(h.snippet_html),
        place: Place {
            file: Some(h.source_rel),
            page: h.page,
            time: h.time,
        },
    }
}
