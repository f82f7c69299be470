//! Finding things across the catalog: the drive's files by title and
//! description, archive articles by title prefix.

pub mod items;
pub mod titles;

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
}

#[derive(Debug, Default)]
pub struct Results {
    pub total: u64,
    pub hits: Vec<Hit>,
}

/// Everything matching `q`: the drive's own files first (there are few and
/// they are what a search for a film or paper means), then archive titles.
/// With `zim`, only that archive is searched.
pub fn search(
    catalog: &Catalog,
    zim: Option<&str>,
    q: &str,
    offset: usize,
    limit: usize,
) -> Results {
    let mut res = Results::default();
    let files = if zim.is_none() {
        items::search(catalog, q)
    } else {
        Vec::new()
    };
    let n_files = files.len();
    for it in files.iter().skip(offset).take(limit) {
        res.hits.push(Hit {
            title: it.details().title.clone(),
            url: urls::view(&it.rel),
            kind: it.kind.singular(),
            zim: None,
            source: it.collection.clone(),
        });
    }
    let zim_offset = offset.saturating_sub(n_files);
    let zim_limit = limit - res.hits.len();
    let titles = titles::search(catalog, zim, q, zim_offset, zim_limit);
    res.total = n_files as u64 + titles.total;
    for h in titles.hits {
        res.hits.push(Hit {
            url: urls::content(&h.zim_id, &h.user_path),
            title: h.title,
            kind: "article",
            zim: Some(h.zim_id),
            source: h.zim_title,
        });
    }
    res
}
