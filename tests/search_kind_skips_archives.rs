//! A kind filter that leaves out the encyclopedias (newspapers, films,
//! radio, pages) must not search the archives at all: their full text is
//! what a common word costs most. Counted at the archives' indexes.

mod common;

use std::sync::Arc;

use driveshelf::archive::ClusterCache;
use driveshelf::bundle::Catalog;
use driveshelf::driveindex::segment::ItemKind;
use driveshelf::driveindex::DriveIndex;
use driveshelf::search::{search_with, Only};

#[test]
fn file_kinds_do_not_search_the_archives() {
    let catalog = Catalog::build(
        &common::sample_bundle(),
        Arc::new(ClusterCache::new(1 << 20)),
    );
    let drive = DriveIndex::new();
    let indexes: Vec<_> = catalog
        .zims
        .iter()
        .filter_map(|z| z.fulltext().ok().cloned())
        .collect();
    assert!(
        !indexes.is_empty(),
        "the sample bundle's archives carry indexes"
    );
    let searches = || indexes.iter().map(|i| i.searches()).sum::<u64>();
    let q = "서울";
    for kind in [
        ItemKind::Document,
        ItemKind::Video,
        ItemKind::Audio,
        ItemKind::Page,
    ] {
        let r = search_with(
            &catalog,
            Some(&drive),
            None,
            Some(Only::Files(kind)),
            q,
            0,
            25,
        );
        assert!(r.hits.iter().all(|h| h.kind != "article"), "{kind:?}");
    }
    assert_eq!(
        searches(),
        0,
        "a filter without articles searched an archive"
    );
    // The same query with articles in it does reach them, and finds some:
    // the count above is not zero for want of a match.
    for only in [None, Some(Only::Articles)] {
        let before = searches();
        let r = search_with(&catalog, Some(&drive), None, only, q, 0, 25);
        assert!(searches() > before, "{only:?}");
        assert!(r.hits.iter().any(|h| h.kind == "article"), "{only:?}");
    }
}
