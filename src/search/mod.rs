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
use crate::render::urls;

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
    let mut res = Results::default();
    let files = file_hits(catalog, zim, q);
    let n_files = files.len();
    res.hits.extend(files.into_iter().skip(offset).take(limit));

    let text_offset = offset.saturating_sub(n_files);
    let text = fulltext::search(catalog, zim, q, text_offset, limit - res.hits.len());
    for h in text.hits {
        res.hits.push(Hit {
            title: h.title,
            url: h.url,
            kind: "article",
            zim: Some(h.zim_id),
            source: h.zim_title,
            snippet_html: Some(h.snippet_html),
        });
    }
    let indexed: Vec<&str> = fulltext::indexed(catalog, zim)
        .map(|z| z.id.as_str())
        .collect();
    let title_offset =
        text_offset.saturating_sub(usize::try_from(text.total).unwrap_or(usize::MAX));
    let room = limit - res.hits.len();
    title_hits(catalog, zim, &indexed, q, title_offset, room, &mut res);
    res.total += n_files as u64 + text.total;
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
        });
    }
}
