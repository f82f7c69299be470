//! The search index `prepare` writes: missing, damaged or stale is a
//! warning (the server then reads the drive itself, in the background).

use super::report::{Finding, Level, Report};
use crate::bundle::Catalog;
use crate::driveindex::{sources, store};
use std::collections::HashMap;

pub fn check(report: &mut Report, catalog: &Catalog) {
    let path = format!("{}/{}", store::DIR, store::FILE);
    let seg = match store::open(&catalog.root) {
        Ok(Some(seg)) => seg,
        Ok(None) => {
            report.add(
                &path,
                "index",
                Finding::new(Level::Warning, "search_index_missing"),
            );
            return;
        }
        Err(store::StoreError::Old(version)) => {
            report.add(
                &path,
                "index",
                Finding::new(Level::Warning, "search_index_old").arg("version", version),
            );
            return;
        }
        Err(e) => {
            report.add(
                &path,
                "index",
                Finding::new(Level::Warning, "search_index_damaged").arg("why", e),
            );
            return;
        }
    };
    let held: HashMap<&str, (u64, i64)> = seg
        .sources()
        .iter()
        .map(|s| (s.rel.as_str(), (s.size, s.mtime)))
        .collect();
    let list = sources::list(catalog);
    let changed = list
        .iter()
        .filter(|s| {
            let now = sources::stamp(&s.path).ok();
            now.is_none() || held.get(s.rel.as_str()).copied() != now
        })
        .count();
    let present: std::collections::HashSet<&str> = list.iter().map(|s| s.rel.as_str()).collect();
    let gone = held.keys().filter(|r| !present.contains(*r)).count();
    if changed > 0 || gone > 0 {
        report.add(
            &path,
            "index",
            Finding::new(Level::Warning, "search_index_stale").arg("count", changed + gone),
        );
    } else {
        report.add(
            &path,
            "index",
            Finding::new(Level::Info, "search_index_ok")
                .arg("files", list.len())
                .arg("units", seg.unit_count()),
        );
    }
}
