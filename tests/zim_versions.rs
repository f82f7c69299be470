//! Issue 13 item 6: which namespace scheme an archive uses is decided by its
//! header's minor version alone, as libzim decides (`Fileheader::
//! useNewNamespaceScheme`: minor >= 1). Real corpus files are copied with
//! their version bytes patched and served over HTTP.

mod common;

use common::{enc, start, temp_dir};
use driveshelf::archive::{Archive, ClusterCache};
use std::path::Path;
use std::sync::Arc;

fn patched(src: &Path, dir: &Path, name: &str, major: u16, minor: u16) {
    let mut bytes = std::fs::read(src).expect("corpus file");
    bytes[4..6].copy_from_slice(&major.to_le_bytes());
    bytes[6..8].copy_from_slice(&minor.to_le_bytes());
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn the_minor_version_alone_decides_the_namespace_scheme() {
    let Some(shared) = common::shared() else {
        eprintln!("NOTICE: skipped: ../shared not found");
        return;
    };
    let corpus = shared.join("corpus/zim/openzim-testing-suite");
    let dir = temp_dir("zim-versions");
    // Written 6.1 (new scheme): told 5.1 it must stay new, told 6.0 it
    // becomes old (libzim then reads `C/…` paths with their namespace).
    let nons = corpus.join("nons/wikibooks_be_all_nopic_2017-02.zim");
    let withns = corpus.join("withns/wikibooks_be_all_nopic_2017-02.zim");
    patched(&nons, &dir, "five-one.zim", 5, 1);
    patched(&nons, &dir, "six-one.zim", 6, 1);
    patched(&withns, &dir, "five-zero.zim", 5, 0);
    patched(&withns, &dir, "six-zero.zim", 6, 0);
    let server = start(&dir);
    let cat = server.get("/api/catalog").json();
    let ids: Vec<String> = cat["zims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            assert_eq!(z["damaged"], false, "{z}");
            z["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    for id in ["five-one", "six-one", "five-zero", "six-zero"] {
        let main = server.get(&format!("/content/{}/", enc(id)));
        assert_eq!(main.status, 302, "{id}");
        let loc = main.header("Location").unwrap().to_string();
        let old = id.ends_with("zero");
        // The old scheme keeps the namespace in the path (`A/…`); the new
        // one has none.
        let tail = loc.trim_start_matches(&format!("/content/{id}/"));
        assert_eq!(tail.starts_with("A/"), old, "{id}: {loc}");
        assert!(!tail.starts_with("C/"), "{id}: {loc}");
        let page = server.get(&loc);
        assert_eq!(page.status, 200, "{id}: {loc}");
        assert!(
            page.text().contains("</html>") || page.text().contains("</body>"),
            "{id}"
        );
    }
    // Every content entry of the 5.1 file answers (before: every one was 404).
    let a = Archive::open(
        &dir.join("five-one.zim"),
        Arc::new(ClusterCache::new(1 << 20)),
    )
    .unwrap();
    let mut n = 0;
    for i in 0..a.entry_count() {
        let d = a.dirent(i).unwrap();
        if d.namespace != b'C' {
            continue;
        }
        // New scheme: the bare path, as libzim and kiwix-serve address it.
        let url = format!("/content/five-one/{}", enc(&d.path));
        let r = server.get(&url);
        assert!(r.status == 200 || r.status == 302, "{url}: {}", r.status);
        n += 1;
    }
    assert!(n > 50, "only {n} entries");
}
