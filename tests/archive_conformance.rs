//! Checks the archive reader against what libzim reports for the shared test
//! corpus (`../shared/corpus/zim/expected.json`) and the sample bundle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use driveshelf::archive::{Archive, ArchiveError, ClusterCache, DirentKind, MultiFile};
use driveshelf::readat::{FileAt, ReadAt, Window};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

fn load(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).expect("oracle is valid JSON"))
}

fn corpus() -> Option<(PathBuf, Value)> {
    let dir = shared().join("corpus/zim");
    match load(&dir.join("expected.json")) {
        Some(v) => Some((dir, v)),
        None => {
            eprintln!("skipped: ../shared/corpus/zim not found");
            None
        }
    }
}

fn cache() -> Arc<ClusterCache> {
    Arc::new(ClusterCache::new(64 << 20))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The path as libzim reports it: without the namespace in new-scheme
/// archives, with it in old ones.
fn libzim_path(a: &Archive, index: u32) -> String {
    let d = a.dirent(index).unwrap();
    if a.has_new_namespace_scheme() {
        d.path
    } else {
        format!("{}/{}", char::from(d.namespace), d.path)
    }
}

fn split_full(p: &str) -> (u8, &str) {
    let (ns, path) = p.split_once('/').expect("full path has a namespace");
    assert_eq!(ns.len(), 1, "{p}");
    (ns.as_bytes()[0], path)
}

/// Compares one opened archive with its `valid` record.
fn check_valid(name: &str, a: &Archive, rec: &Value) {
    let h = &rec["header"];
    let lz = &rec["libzim"];
    assert_eq!(a.size(), rec["size"].as_u64().unwrap(), "{name}: size");
    assert_eq!(
        a.parts().len(),
        rec["parts"].as_array().unwrap().len(),
        "{name}: parts"
    );
    assert_eq!(
        a.version(),
        (
            h["major_version"].as_u64().unwrap() as u16,
            h["minor_version"].as_u64().unwrap() as u16
        ),
        "{name}: version"
    );
    assert_eq!(hex(&a.uuid()), h["uuid"].as_str().unwrap(), "{name}: uuid");
    assert_eq!(
        u64::from(a.entry_count()),
        h["entry_count"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        u64::from(a.entry_count()),
        lz["all_entry_count"].as_u64().unwrap(),
        "{name}"
    );
    let mimes: Vec<&str> = h["mime_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(a.mime_types(), mimes, "{name}: MIME types");
    assert_eq!(
        a.has_new_namespace_scheme(),
        lz["has_new_namespace_scheme"].as_bool().unwrap(),
        "{name}"
    );
    assert_eq!(
        u64::from(a.article_count()),
        lz["article_count"].as_u64().unwrap(),
        "{name}: article count"
    );
    assert_eq!(
        a.fulltext_index().is_some(),
        lz["has_fulltext_index"].as_bool().unwrap(),
        "{name}: full-text index"
    );
    assert_eq!(
        a.title_index().is_some(),
        lz["has_title_index"].as_bool().unwrap(),
        "{name}: title index"
    );

    // Main page: the entry the header (or W/mainPage) names, then its target.
    let mp = &rec["main_page"];
    let main = a.main_page().unwrap().expect("has a main page");
    let d = a.dirent(main).unwrap();
    let shown = if a.has_new_namespace_scheme() {
        d.path.clone()
    } else {
        a.user_path(&d)
    };
    assert_eq!(
        shown,
        mp["entry_path"].as_str().unwrap(),
        "{name}: main entry"
    );
    let (_, target) = a.resolve(main).unwrap();
    assert_eq!(
        a.user_path(&target),
        mp["path"].as_str().unwrap(),
        "{name}: main page"
    );
    assert_eq!(target.title, mp["title"].as_str().unwrap(), "{name}");

    for (key, value) in rec["metadata"].as_object().unwrap() {
        match value {
            Value::String(s) => assert_eq!(
                a.metadata_text(key).as_deref(),
                Some(s.trim()),
                "{name}: metadata {key}"
            ),
            Value::Object(o) => {
                let bytes = a.metadata(key).unwrap().unwrap();
                assert_eq!(bytes.len() as u64, o["size"].as_u64().unwrap());
                assert_eq!(sha256(&bytes), o["sha256"].as_str().unwrap(), "{key}");
                if key == "Illustration_48x48@1" {
                    assert_eq!(a.illustration_48().unwrap().unwrap(), bytes);
                }
            }
            other => panic!("{name}: unexpected metadata value {other}"),
        }
    }
    if rec["metadata"].get("Illustration_48x48@1").is_none()
        && !rec["libzim"]["illustration_sizes"]
            .as_array()
            .unwrap()
            .is_empty()
    {
        // Old archives: libzim falls back to -/favicon as we do.
        assert!(a.illustration_48().unwrap().is_some(), "{name}: icon");
    }

    for e in rec["entries"].as_array().unwrap() {
        check_entry(name, a, e);
    }

    for l in rec["title_lookups"].as_array().unwrap_or(&Vec::new()) {
        let title = l["title"].as_str().unwrap();
        let want = l["path"].as_str();
        let mut i = a.title_lower_bound(title).unwrap();
        let mut found = BTreeSet::new();
        while i < a.title_count().unwrap() && found.len() < 100 {
            let d = a.dirent(a.title_entry(i).unwrap()).unwrap();
            if d.title != title {
                break;
            }
            found.insert(a.user_path(&d));
            i += 1;
        }
        match want {
            Some(want) => assert!(
                found.contains(want),
                "{name}: title {title:?} → {want:?}, found {found:?}"
            ),
            // libzim finds nothing: the title is not in the article listing.
            None => assert!(found.is_empty(), "{name}: {title:?} found {found:?}"),
        }
    }

    for m in rec["missing_paths"].as_array().unwrap() {
        let m = m.as_str().unwrap();
        assert_eq!(a.find_user_path(m).unwrap(), None, "{name}: {m:?}");
    }

    // Every entry readable; random picks are HTML articles.
    for i in 0..a.entry_count() {
        let d = a.dirent(i).unwrap();
        assert_eq!(
            a.find(d.namespace, &d.path).unwrap(),
            Some(i),
            "{name} #{i}"
        );
        if !d.is_redirect() {
            a.mime_type(&d).unwrap();
            a.blob(&d).unwrap().read_all().unwrap();
        }
    }
    for seed in 0..10 {
        if let Some(r) = a.random_article(seed).unwrap() {
            let d = a.dirent(r).unwrap();
            assert!(a.mime_type(&d).unwrap().starts_with("text/html"));
        } else {
            assert_eq!(a.title_count().unwrap(), 0, "{name}: no random article");
        }
    }
}

fn check_entry(name: &str, a: &Archive, e: &Value) {
    let full = e["full_path"].as_str().unwrap();
    let (ns, path) = split_full(full);
    let index = a
        .find(ns, path)
        .unwrap()
        .unwrap_or_else(|| panic!("{name}: {full}"));
    assert_eq!(
        u64::from(index),
        e["index"].as_u64().unwrap(),
        "{name}: {full}"
    );
    let user_visible = !a.has_new_namespace_scheme() || ns == b'C';
    if user_visible {
        let p = e["path"].as_str().unwrap();
        assert_eq!(a.find_user_path(p).unwrap(), Some(index), "{name}: {p}");
        assert_eq!(a.user_path(&a.dirent(index).unwrap()), p);
    }
    let d = a.dirent(index).unwrap();
    assert_eq!(d.title, e["title"].as_str().unwrap(), "{name}: {full}");
    assert_eq!(d.is_redirect(), e["is_redirect"].as_bool().unwrap());
    if let DirentKind::Redirect { target } = d.kind {
        assert_eq!(
            libzim_path(a, target),
            e["redirect_target"].as_str().unwrap(),
            "{name}: {full}"
        );
        if e["redirect_loop"].as_bool() == Some(true) {
            assert!(matches!(
                a.resolve(index),
                Err(ArchiveError::RedirectLoop { .. })
            ));
        } else if let Some(f) = e["final_target"].as_str() {
            let (t, _) = a.resolve(index).unwrap();
            assert_eq!(libzim_path(a, t), f, "{name}: {full}");
        }
        return;
    }
    assert_eq!(
        a.mime_type(&d).unwrap(),
        e["mimetype"].as_str().unwrap(),
        "{name}: {full}"
    );
    if let DirentKind::Content { cluster, blob, .. } = d.kind {
        assert_eq!(u64::from(cluster), e["cluster"].as_u64().unwrap());
        assert_eq!(u64::from(blob), e["blob"].as_u64().unwrap());
    }
    let b = a.blob(&d).unwrap();
    assert_eq!(b.len(), e["size"].as_u64().unwrap(), "{name}: {full}");
    let bytes = b.read_all().unwrap();
    assert_eq!(
        sha256(&bytes),
        e["sha256"].as_str().unwrap(),
        "{name}: {full}"
    );
    if let Some(t) = e.get("content_text").and_then(Value::as_str) {
        assert_eq!(String::from_utf8_lossy(&bytes), t);
    }
}

fn check_valid_set(base: &Path, oracle: &Value) -> usize {
    let mut n = 0;
    for (name, rec) in oracle["valid"].as_object().unwrap() {
        let path = base.join(name);
        let a = Archive::open(&path, cache()).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_valid(name, &a, rec);
        n += 1;
    }
    n
}

#[test]
fn valid_archives_match_libzim() {
    let Some((dir, oracle)) = corpus() else {
        return;
    };
    let n = check_valid_set(&dir, &oracle);
    assert!(n >= 8, "only {n} valid archives checked");
}

#[test]
fn sample_bundle_matches_libzim() {
    let bundle = shared().join("sample-bundle");
    let Some(oracle) = load(&shared().join("sample-bundle.expected.json")) else {
        eprintln!("skipped: ../shared/sample-bundle.expected.json not found");
        return;
    };
    let n = check_valid_set(&bundle, &oracle);
    assert_eq!(n, 2);
}

/// Opens and reads everything; errors are fine, panics and hangs are not.
/// Returns the entries that failed to read.
fn read_everything(a: &Archive) -> BTreeSet<u32> {
    let mut failed = BTreeSet::new();
    for i in 0..a.entry_count() {
        let ok = a.dirent(i).and_then(|d| {
            let _ = a.resolve(i);
            if d.is_redirect() {
                return Ok(());
            }
            a.mime_type(&d)?;
            a.blob(&d)?.read_all()?;
            Ok(())
        });
        if ok.is_err() {
            failed.insert(i);
        }
    }
    let _ = a.main_page().map(|m| m.map(|m| a.resolve(m)));
    let _ = a.article_count();
    let _ = a.illustration_48();
    let _ = a.fulltext_index();
    let _ = a.title_index();
    for key in ["", "A", "Test", "main", "\u{10FFFF}"] {
        let _ = a.title_lower_bound(key);
    }
    if let Ok(n) = a.title_count() {
        for i in 0..n.min(1000) {
            let _ = a.title_entry(i).and_then(|e| a.dirent(e));
        }
    }
    for seed in 0..5 {
        let _ = a.random_article(seed);
    }
    failed
}

#[test]
fn invalid_archives_fail_cleanly() {
    let Some((dir, oracle)) = corpus() else {
        return;
    };
    let mut checked = 0;
    for (name, rec) in oracle["invalid"].as_object().unwrap() {
        let libzim_opens = rec["opens"].as_bool().unwrap();
        let result = Archive::open(&dir.join(name), cache());
        // Finding this one needs a cluster read, which open avoids.
        let needs_cluster = name.contains("offset_in_cluster");
        match result {
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.is_empty());
                eprintln!("{name}: refused: {msg}");
                assert!(!libzim_opens, "{name}: libzim opens it, we refuse: {msg}");
            }
            Ok(a) => {
                assert!(
                    libzim_opens || needs_cluster,
                    "{name}: libzim refuses it ({}), we open it",
                    rec["open_error"]
                );
                let failed = read_everything(&a);
                eprintln!("{name}: opens, unreadable entries {failed:?}");
                for err in rec["entry_read_errors"].as_array().unwrap_or(&Vec::new()) {
                    let i = err["index"].as_u64().unwrap() as u32;
                    assert!(
                        failed.contains(&i),
                        "{name}: entry {i} should fail ({})",
                        err["error"]
                    );
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 32);
}

#[test]
fn embedded_archives_open_through_windows() {
    let Some((dir, oracle)) = corpus() else {
        return;
    };
    for (name, rec) in oracle["embedded"].as_object().unwrap() {
        let path = dir.join(name);
        assert!(matches!(
            Archive::open(&path, cache()),
            Err(ArchiveError::NotZim)
        ));
        let file: Arc<dyn ReadAt> = Arc::new(FileAt::open(&path).unwrap());
        let windows: Vec<Arc<dyn ReadAt>> = rec["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let w = Window::new(
                    file.clone(),
                    s["offset"].as_u64().unwrap(),
                    s["length"].as_u64().unwrap(),
                )
                .unwrap();
                Arc::new(w) as Arc<dyn ReadAt>
            })
            .collect();
        let src: Arc<dyn ReadAt> = if windows.len() == 1 {
            windows[0].clone()
        } else {
            Arc::new(MultiFile::new(windows).unwrap())
        };
        assert_eq!(src.len(), rec["joined_size"].as_u64().unwrap());
        let a = Archive::open_source(src, vec![path.clone()], cache()).unwrap();
        // The same archive as the small.zim beside it.
        let reference = name.split(".embedded").next().unwrap();
        check_valid(name, &a, &oracle["valid"][reference]);
    }
}

#[test]
fn truncated_after_open_gives_errors() {
    let Some((dir, _)) = corpus() else {
        return;
    };
    for name in [
        "libkiwix/zimfile.zim",
        "openzim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim",
    ] {
        let tmp = std::env::temp_dir().join(format!(
            "driveshelf-trunc-{}-{}",
            std::process::id(),
            name.len()
        ));
        std::fs::create_dir_all(&tmp).unwrap();
        let copy = tmp.join("t.zim");
        std::fs::copy(dir.join(name), &copy).unwrap();
        let a = Archive::open(&copy, cache()).unwrap();
        let full = std::fs::metadata(&copy).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&copy).unwrap();
        f.set_len(full / 3).unwrap();
        drop(f);
        let failed = read_everything(&a);
        assert!(
            !failed.is_empty(),
            "{name}: nothing failed after truncation"
        );
        drop(a);
        let e = Archive::open(&copy, cache()).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{name}: {e}");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}

/// Damage real archives one byte at a time (a spread of positions, three
/// values each): every outcome must be an error or a value, never a panic.
#[test]
fn corpus_byte_flips_never_panic() {
    let Some((dir, _)) = corpus() else {
        return;
    };
    let mut tried = 0;
    for name in [
        "openzim-testing-suite/nons/small.zim",
        "openzim-testing-suite/withns/small.zim",
    ] {
        let original = std::fs::read(dir.join(name)).unwrap();
        // Dense over the header, MIME list, dirents and pointer tables, where
        // most structure is; sparse over cluster bytes.
        let positions =
            (0..original.len()).filter(|&p| p < 1024 || p + 2048 > original.len() || p % 97 == 0);
        for pos in positions {
            for value in [0x00u8, 0xFF, original[pos] ^ 0x10] {
                if original[pos] == value {
                    continue;
                }
                let mut bytes = original.clone();
                bytes[pos] = value;
                let src: Arc<dyn ReadAt> = Arc::new(bytes);
                if let Ok(a) =
                    Archive::open_source(src, vec![], Arc::new(ClusterCache::new(1 << 22)))
                {
                    read_everything(&a);
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 1000);
}
