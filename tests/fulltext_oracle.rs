//! Differential test against libzim: the JSON fixtures under
//! tests/fixtures/fulltext-oracle were recorded with python-libzim (what
//! kiwix-serve ranks) by tests/fixtures/make-fulltext-oracle.sh. Each names
//! the archive in ../shared it was made from, with its size and sha256;
//! an archive that is absent or differs is skipped with a message, since
//! every build of a bundle has a different index.
//!
//! More fixtures (e.g. for bundles made with make-bundle) can be checked by
//! listing their paths in FULLTEXT_ORACLE_EXTRA (separated by ':'); their
//! `archive` may be an absolute path.

mod common;

use std::path::{Path, PathBuf};

use driveshelf::fulltext::Index;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fulltext-oracle");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "json"));
    out.sort();
    if let Ok(extra) = std::env::var("FULLTEXT_ORACLE_EXTRA") {
        out.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    out
}

fn sha256_hex(path: &Path) -> String {
    let data = std::fs::read(path).unwrap();
    Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn rankings_match_libzim() {
    let mut compared = 0usize;
    let mut top10_same = 0usize;
    let mut totals_same = 0usize;
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let f: Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
        let name = f["archive"].as_str().unwrap();
        let zim = if Path::new(name).is_absolute() {
            PathBuf::from(name)
        } else {
            match common::shared() {
                Some(s) => s.join(name),
                None => {
                    eprintln!("skip {}: ../shared is absent", fixture.display());
                    continue;
                }
            }
        };
        let size = std::fs::metadata(&zim).map(|m| m.len()).ok();
        if size != f["size"].as_u64() || sha256_hex(&zim) != f["sha256"].as_str().unwrap() {
            eprintln!(
                "skip {}: {} is absent or not the file the fixture was recorded from",
                fixture.display(),
                zim.display()
            );
            continue;
        }
        let opened = common::open_fulltext(&zim).expect("archive has a full-text index");
        let index = Index::open(opened.index, &opened.language).unwrap();
        let new_scheme = opened.new_namespace_scheme;
        assert_eq!(Some(new_scheme), f["new_namespace_scheme"].as_bool());
        for case in f["queries"].as_array().unwrap() {
            let q = case["q"].as_str().unwrap();
            let want: Vec<&str> = case["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            let want_total = case["count"].as_u64().unwrap();
            let got = index.search(q, 0, want.len()).unwrap();
            let got_paths: Vec<&str> = got
                .hits
                .iter()
                .map(|h| index.entry_path(&h.path, new_scheme))
                .collect();
            if want.len() > 12 {
                // A later page is the same slice of the same ranking.
                let page = index.search(q, 7, 5).unwrap();
                assert_eq!(page.total, got.total, "{q}");
                let paths: Vec<&str> = page.hits.iter().map(|h| h.path.as_str()).collect();
                let slice: Vec<&str> = got.hits[7..12].iter().map(|h| h.path.as_str()).collect();
                assert_eq!(paths, slice, "{q}");
            }
            compared += 1;
            let top = |v: &[&str]| v.iter().take(10).map(|s| s.to_string()).collect::<Vec<_>>();
            let same_top = top(&got_paths) == top(&want);
            top10_same += usize::from(same_top);
            totals_same += usize::from(got.total == want_total);
            if !same_top || got.total != want_total || got_paths != want {
                failures.push(format!(
                    "{name} {q:?}: total {} want {want_total}\n   got  {:?}\n   want {:?}",
                    got.total,
                    &got_paths[..got_paths.len().min(10)],
                    &want[..want.len().min(10)]
                ));
            }
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    eprintln!(
        "{compared} queries compared: {top10_same} identical top-10, {totals_same} exact totals"
    );
    assert!(
        failures.is_empty(),
        "{} of {compared} queries differ from libzim",
        failures.len()
    );
}

/// The bundle manifest lists words planted in exactly known articles.
#[test]
fn planted_words_find_exactly_their_articles() {
    let Some(shared) = common::shared() else {
        eprintln!("skip: ../shared is absent");
        return;
    };
    let Ok(text) = std::fs::read_to_string(shared.join("sample-bundle.manifest.json")) else {
        eprintln!("skip: no sample-bundle manifest");
        return;
    };
    let manifest: Value = serde_json::from_str(&text).unwrap();
    let mut probes = 0;
    for zim in manifest["zims"].as_array().unwrap() {
        let path = shared
            .join("sample-bundle")
            .join(zim["file"].as_str().unwrap());
        if std::fs::metadata(&path).map(|m| m.len()).ok() != zim["size"].as_u64() {
            eprintln!("skip {}: not the archive of the manifest", path.display());
            continue;
        }
        let index = Index::open(common::fulltext_window(&path).unwrap(), "kor").unwrap();
        for probe in zim["search_probes"].as_array().into_iter().flatten() {
            let word = probe["word"].as_str().unwrap();
            let mut want: Vec<&str> = probe["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            let got = index.search(word, 0, 1000).unwrap();
            let mut got: Vec<&str> = got
                .hits
                .iter()
                .map(|h| index.entry_path(&h.path, true))
                .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{word}");
            probes += 1;
        }
    }
    eprintln!("{probes} planted words found in exactly their articles");
}

/// Snippets from real articles highlight the searched Korean and Latin words.
#[test]
fn snippets_of_real_articles() {
    use driveshelf::archive::{Archive, ClusterCache};
    use driveshelf::fulltext::snippet;
    use std::sync::Arc;
    let Some(shared) = common::shared() else {
        eprintln!("skip: ../shared is absent");
        return;
    };
    let zim = shared.join("sample-bundle/wikipedia/wikipedia_ko_sample_2024-02.zim");
    let Ok(archive) = Archive::open(&zim, Arc::new(ClusterCache::new(4 << 20))) else {
        eprintln!("skip: {} is absent", zim.display());
        return;
    };
    let index = Index::open(Arc::new(archive.fulltext_index().unwrap()), "kor").unwrap();
    for q in ["무지개송어", "수달", "xylophone", "서울 특별시"] {
        let terms = index.query_terms(q);
        let r = index.search(q, 0, 3).unwrap();
        assert!(!r.hits.is_empty(), "{q}");
        for hit in &r.hits {
            let path = index.entry_path(&hit.path, archive.has_new_namespace_scheme());
            let Ok(Some(i)) = archive.find(b'C', path) else {
                panic!("{path} not in the archive");
            };
            let (_, d) = archive.resolve(i).unwrap();
            let html = archive.blob(&d).unwrap().read_all().unwrap().into_owned();
            let s = snippet(&html, &terms, 200);
            eprintln!("{q} | {path}: {s}");
            assert!(s.contains("<b>"), "{q} in {path}: {s}");
            assert!(s.chars().count() <= 200 + 40, "{s}");
        }
    }
}

/// One index serves several threads at once with a small shared cache.
#[test]
fn concurrent_searches_agree() {
    let Some(shared) = common::shared() else {
        return;
    };
    let zim = shared.join("sample-bundle/wikipedia/wikipedia_ko_sample_2024-02.zim");
    let Some(window) = common::fulltext_window(&zim) else {
        return;
    };
    let index = std::sync::Arc::new(Index::open_with_cache(window, "kor", 16 << 10).unwrap());
    let queries = [
        "수달",
        "법률",
        "서울 특별시",
        "kimchi",
        "1988년",
        "무지개송어",
    ];
    let expected: Vec<_> = queries
        .iter()
        .map(|q| index.search(q, 0, 10).unwrap())
        .collect();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let index = index.clone();
            let expected = expected.clone();
            std::thread::spawn(move || {
                for round in 0..50 {
                    let i = (t + round) % queries.len();
                    assert_eq!(index.search(queries[i], 0, 10).unwrap(), expected[i]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
