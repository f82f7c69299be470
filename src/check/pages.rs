//! Markdown pages and descriptions: every link and picture they name must
//! be on the drive (or clearly lead off it).

use super::report::{Finding, Level, Report};
use crate::bundle::{Catalog, Item, Kind};
use crate::markdown::{self, LinkTarget};
use crate::render::links::{self, Resolved};
use std::cell::RefCell;

/// Links reported per page; a page of broken links needs one look, not 500 lines.
const MAX_LINKS: usize = 10;

pub fn check(report: &mut Report, catalog: &Catalog, item: &Item) {
    let (rel, kind) = match (item.kind, &item.description) {
        (Kind::Page, _) => (item.rel.clone(), "page"),
        (_, Some(desc)) => {
            let name = desc
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = if item.collection.is_empty() {
                name
            } else {
                format!("{}/{name}", item.collection)
            };
            (rel, "page")
        }
        _ => return,
    };
    let md = &item.details().body_md;
    let urls = RefCell::new(Vec::new());
    markdown::render(md, &|url: &str| {
        urls.borrow_mut().push(url.to_string());
        LinkTarget::Drop
    });
    let mut bad = 0usize;
    for url in urls.into_inner() {
        let key = match links::resolve(catalog, &item.collection, &url) {
            Resolved::Nowhere(_) => "link_nowhere",
            Resolved::Invalid => "link_invalid",
            _ => continue,
        };
        bad += 1;
        if bad <= MAX_LINKS {
            report.add(
                &rel,
                kind,
                Finding::new(Level::Warning, key).arg("link", url),
            );
        }
    }
    if bad > MAX_LINKS {
        report.add(
            &rel,
            kind,
            Finding::new(Level::Warning, "link_more").arg("count", bad - MAX_LINKS),
        );
    }
    // A page with nothing wrong is still listed, so testers see it was read.
    report.entry(&rel, kind);
}
