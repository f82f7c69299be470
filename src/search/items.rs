//! Finding documents, films, recordings and pages by their titles and the
//! words of their descriptions. The catalog of files is small (thousands),
//! so a pass over it is cheap.

use crate::bundle::{Catalog, Item};

/// Items matching `q`, best first: title starts with it, title contains it,
/// description contains it.
pub fn search<'a>(catalog: &'a Catalog, q: &str) -> Vec<&'a Item> {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    let mut ranked: Vec<(u8, &Item)> = catalog
        .items
        .iter()
        .filter_map(|i| {
            let d = i.details();
            let title = d.title.to_lowercase();
            let rank = if title.starts_with(&q) {
                0
            } else if title.contains(&q) {
                1
            } else {
                let summary = d.summary.to_lowercase();
                let name = i.file_name.to_lowercase();
                if words
                    .iter()
                    .all(|w| title.contains(w) || summary.contains(w) || name.contains(w))
                {
                    2
                } else {
                    return None;
                }
            };
            Some((rank, i))
        })
        .collect();
    ranked.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.details().title.cmp(&b.1.details().title))
    });
    ranked.into_iter().map(|(_, i)| i).collect()
}
