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
use crate::driveindex::segment::ItemKind;
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

#[derive(Debug, Default)]
pub struct Results {
    pub total: u64,
    pub hits: Vec<Hit>,
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
    search_with(catalog, None, zim, q, offset, limit)
}

/// `search`, with the words of the drive's own files (newspapers' pages,
/// subtitles, pages, descriptions: the drive index) ranked together with
/// the archives' full text.
pub fn search_with(
    catalog: &Catalog,
    drive: Option<&DriveIndex>,
    zim: Option<&str>,
    q: &str,
    offset: usize,
    limit: usize,
) -> Results {
    let mut res = Results::default();
    let files = file_hits(catalog, zim, q);
    let n_files = files.len();
    let listed: HashSet<String> = files.iter().filter_map(|h| h.place.file.clone()).collect();
    res.hits.extend(files.into_iter().skip(offset).take(limit));

    let text_offset = offset.saturating_sub(n_files);
    let room = limit - res.hits.len();
    let (drive_total, others, highlight) = match drive.filter(|_| zim.is_none()) {
        Some(d) => {
            // A description or page already listed among the files above
            // is not listed twice.
            let r = d.rank_excluding(q, text_offset.saturating_add(room), &listed);
            let hits = r.hits.into_iter().map(|h| (h.score, h)).collect();
            (r.total, hits, r.highlight)
        }
        None => (0, Vec::new(), Vec::new()),
    };
    let (archive_total, merged) =
        fulltext::search_merged(catalog, zim, q, text_offset, room, others);
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
    let indexed: Vec<&str> = fulltext::indexed(catalog, zim)
        .map(|z| z.id.as_str())
        .collect();
    let title_offset =
        text_offset.saturating_sub(usize::try_from(text_total).unwrap_or(usize::MAX));
    let room = limit - res.hits.len();
    title_hits(catalog, zim, &indexed, q, title_offset, room, &mut res);
    res.total += n_files as u64 + text_total;
    res
}

fn file_hits(catalog: &Catalog, zim: Option<&str>, q: &str) -> Vec<Hit> {
    if zim.is_some() {
        return Vec::new();
    }
    items::search(catalog, q)
        .into_iter()
        .map(|it| Hit {
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
) {
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
}

/// A drive index hit as a result: a newspaper page opens the document at
/// that page, a subtitle line the film at that moment.
fn drive_hit(catalog: &Catalog, h: DriveHit) -> Hit {
    let item = catalog.item(&h.item_rel);
    let title = item.map_or_else(|| h.item_rel.clone(), |it| it.details().title.clone());
    let source = item.map(|it| it.collection.clone()).unwrap_or_default();
    let url = match (h.page, h.time) {
        (Some(p), _) => format!("{}#page={p}", urls::file(&h.item_rel)),
        (_, Some(t)) => format!("{}?t={}", urls::view(&h.item_rel), t.floor() as u64),
        _ => urls::view(&h.item_rel),
    };
    let kind = match h.kind {
        ItemKind::Document => "document",
        ItemKind::Video => "video",
        ItemKind::Audio => "audio",
        ItemKind::Page => "page",
    };
    Hit {
        title,
        url,
        kind,
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
