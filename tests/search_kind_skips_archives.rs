//! A kind filter that leaves out the encyclopedias (newspapers, films,
//! radio, pages) must not rank the archives: their full text is what a
//! common word costs most. The filter line still shows how many articles
//! the words find: remembered from the unfiltered search the reader came
//! from, else counted once without ranking. Counted at the archives'
//! indexes (`Index::walks`).

mod common;

use std::sync::Arc;

use driveshelf::archive::ClusterCache;
use driveshelf::bundle::Catalog;
use driveshelf::driveindex::segment::ItemKind;
use driveshelf::driveindex::DriveIndex;
use driveshelf::search::{search_with, Only};

const FILE_KINDS: [ItemKind; 4] = [
    ItemKind::Document,
    ItemKind::Video,
    ItemKind::Audio,
    ItemKind::Page,
];

fn catalog() -> Catalog {
    Catalog::build(
        &common::sample_bundle(),
        Arc::new(ClusterCache::new(1 << 20)),
    )
}

#[test]
fn file_kinds_do_not_rank_the_archives() {
    let catalog = catalog();
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
    let walks = || indexes.iter().map(|i| i.walks()).sum::<u64>();

    // Reached from the unfiltered page: the archives are not walked again.
    let q = "서울";
    let all = search_with(&catalog, Some(&drive), None, None, q, 0, 25);
    let articles = all.counts.get(Only::Articles);
    assert!(articles > 0);
    assert!(all.hits.iter().any(|h| h.kind == "article"));
    let before = walks();
    for kind in FILE_KINDS {
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
        assert_eq!(r.counts.get(Only::Articles), articles, "{kind:?}");
    }
    assert_eq!(
        walks(),
        before,
        "a filter without articles walked an archive"
    );

    // Typed straight into a filtered page: counted once per archive, no
    // ranking, then remembered.
    let q = "대한민국 헌법";
    let before = walks();
    let first = search_with(
        &catalog,
        Some(&drive),
        None,
        Some(Only::Files(ItemKind::Document)),
        q,
        0,
        25,
    );
    assert!(first.hits.iter().all(|h| h.kind != "article"));
    assert!(walks() - before <= indexes.len() as u64);
    let counted = walks();
    for kind in FILE_KINDS {
        search_with(
            &catalog,
            Some(&drive),
            None,
            Some(Only::Files(kind)),
            q,
            0,
            25,
        );
    }
    assert_eq!(walks(), counted);
    let all = search_with(&catalog, Some(&drive), None, None, q, 0, 25);
    assert_eq!(
        all.counts.get(Only::Articles),
        first.counts.get(Only::Articles)
    );
}

/// `count` is the total `search` finds, by whichever way it gets it.
#[test]
fn counts_are_the_totals_of_searches() {
    let catalog = catalog();
    for z in &catalog.zims {
        let Ok(index) = z.fulltext() else { continue };
        for q in [
            "서울",
            "대한민국 헌법",
            "kimchi",
            "수",
            "법률 법률",
            "zzzzqqq",
            " ",
        ] {
            // A fresh index each time, so nothing is remembered.
            let fresh = catalog_index(&z.id);
            let counted = fresh.count(q).unwrap();
            let found = index.search(q, 0, 5).unwrap().total;
            assert_eq!(counted, found, "{} {q:?}", z.id);
            // And remembered: asked again, no walk.
            let walks = fresh.walks();
            assert_eq!(fresh.count(q).unwrap(), found);
            assert_eq!(fresh.walks(), walks);
        }
        // One term: its frequency, with no walk at all.
        let fresh = catalog_index(&z.id);
        fresh.count("kimchi").unwrap();
        assert_eq!(fresh.walks(), 0, "{}", z.id);
    }
}

fn catalog_index(id: &str) -> Arc<driveshelf::fulltext::Index> {
    let c = catalog();
    c.zim(id).unwrap().fulltext().unwrap().clone()
}
