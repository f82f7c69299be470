//! The archives' title indexes `prepare` writes (suggestions): missing,
//! made for another archive or damaged is a warning (the server then builds
//! the index itself, in the background, holding more memory meanwhile); so
//! is one whose archive is no longer on the drive (`prepare` removes it).

use super::report::{Finding, Level, Report};
use crate::bundle::Catalog;
use crate::titleindex::stored::{orphans, path_for, verify};
use crate::titleindex::IndexError;

pub fn check(report: &mut Report, catalog: &Catalog) {
    for z in &catalog.zims {
        let Ok(a) = &z.archive else { continue };
        let path = path_for(&catalog.root, &z.rel);
        let shown = path
            .strip_prefix(&catalog.root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let finding = if !path.exists() {
            Finding::new(Level::Warning, "title_index_missing").arg("archive", &z.rel)
        } else {
            match verify(&path, a) {
                Ok(h) => Finding::new(Level::Info, "title_index_ok").arg("titles", h.titles),
                Err(IndexError::Stale) => {
                    Finding::new(Level::Warning, "title_index_stale").arg("archive", &z.rel)
                }
                Err(e) => Finding::new(Level::Warning, "title_index_damaged").arg("why", e),
            }
        };
        report.add(&shown, "index", finding);
    }
    let rels: Vec<&str> = catalog.zims.iter().map(|z| z.rel.as_str()).collect();
    for path in orphans(&catalog.root, &rels) {
        let shown = path
            .strip_prefix(&catalog.root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        report.add(
            &shown,
            "index",
            Finding::new(Level::Warning, "title_index_orphan"),
        );
    }
}
