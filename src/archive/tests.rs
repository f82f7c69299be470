//! Archive-level tests over small archives built here, so every path (both
//! schemes, both cluster kinds, split parts, damage) runs without the corpus.

use super::*;

pub enum Body {
    /// MIME type index, content, stored compressed (zstd) or not.
    Content(u16, Vec<u8>, bool),
    Redirect(&'static str),
}

pub struct Item {
    pub ns: u8,
    pub path: &'static str,
    pub title: &'static str,
    pub body: Body,
}

fn item(ns: u8, path: &'static str, title: &'static str, body: Body) -> Item {
    Item {
        ns,
        path,
        title,
        body,
    }
}

/// Writes a ZIM file: header, MIME list, dirents, pointer lists, one raw and
/// one zstd cluster, a zero checksum. Returns the bytes.
pub fn build(minor: u16, mimes: &[&str], mut items: Vec<Item>, main: Option<&str>) -> Vec<u8> {
    items.sort_by(|a, b| (a.ns, a.path.as_bytes()).cmp(&(b.ns, b.path.as_bytes())));
    let index_of = |p: &str| -> u32 {
        items
            .iter()
            .position(|i| format!("{}/{}", char::from(i.ns), i.path) == p)
            .unwrap() as u32
    };
    let mut raw_blobs: Vec<Vec<u8>> = Vec::new();
    let mut z_blobs: Vec<Vec<u8>> = Vec::new();
    let mut dirents = Vec::new();
    for it in &items {
        match &it.body {
            Body::Content(mime, data, compressed) => {
                let (cluster, list) = if *compressed {
                    (1, &mut z_blobs)
                } else {
                    (0, &mut raw_blobs)
                };
                list.push(data.clone());
                dirents.push(super::dirent::tests::content(
                    it.ns,
                    it.path,
                    it.title,
                    *mime,
                    cluster,
                    list.len() as u32 - 1,
                ));
            }
            Body::Redirect(target) => dirents.push(super::dirent::tests::redirect(
                it.ns,
                it.path,
                it.title,
                index_of(target),
            )),
        }
    }
    let mut out = vec![0u8; 80];
    for m in mimes {
        out.extend_from_slice(m.as_bytes());
        out.push(0);
    }
    out.push(0);
    let mut ptrs = Vec::new();
    for d in &dirents {
        ptrs.push(out.len() as u64);
        out.extend_from_slice(d);
    }
    let path_ptr_pos = out.len() as u64;
    for p in &ptrs {
        out.extend_from_slice(&p.to_le_bytes());
    }
    let title_ptr_pos = out.len() as u64;
    let mut by_title: Vec<u32> = (0..items.len() as u32).collect();
    let eff = |i: &Item| -> Vec<u8> {
        if i.title.is_empty() {
            i.path.as_bytes().to_vec()
        } else {
            i.title.as_bytes().to_vec()
        }
    };
    by_title.sort_by_key(|&i| (items[i as usize].ns, eff(&items[i as usize])));
    for t in &by_title {
        out.extend_from_slice(&t.to_le_bytes());
    }
    let cluster_ptr_pos = out.len() as u64;
    out.extend_from_slice(&[0u8; 16]);
    let c0 = out.len() as u64;
    out.push(1);
    let refs: Vec<&[u8]> = raw_blobs.iter().map(|b| b.as_slice()).collect();
    out.extend(super::cluster::tests::body(&refs, false));
    let c1 = out.len() as u64;
    out.push(5);
    let refs: Vec<&[u8]> = z_blobs.iter().map(|b| b.as_slice()).collect();
    out.extend(zstd::bulk::compress(&super::cluster::tests::body(&refs, false), 3).unwrap());
    out[cluster_ptr_pos as usize..][..8].copy_from_slice(&c0.to_le_bytes());
    out[cluster_ptr_pos as usize + 8..][..8].copy_from_slice(&c1.to_le_bytes());
    let checksum_pos = out.len() as u64;
    out.extend_from_slice(&[0u8; 16]);
    let h = Header {
        major: if minor == 0 { 5 } else { 6 },
        minor,
        uuid: [0xAB; 16],
        entry_count: items.len() as u32,
        cluster_count: 2,
        path_ptr_pos,
        title_ptr_pos,
        cluster_ptr_pos,
        mime_list_pos: 80,
        main_page: main.map(index_of).unwrap_or(NO_PAGE),
        layout_page: NO_PAGE,
        checksum_pos,
    };
    out[..80].copy_from_slice(&super::header::tests::header_bytes(&h));
    out
}

const MIMES: &[&str] = &["text/html", "image/png", "text/plain"];

fn html(s: &str, compressed: bool) -> Body {
    Body::Content(0, s.as_bytes().to_vec(), compressed)
}

fn text(s: &str) -> Body {
    Body::Content(2, s.as_bytes().to_vec(), true)
}

/// An old-scheme (5.0) archive like the Wikipedia ones.
fn old_scheme() -> Vec<u8> {
    build(
        0,
        MIMES,
        vec![
            item(b'A', "Ray_Charles", "Ray Charles", html("<p>ray</p>", true)),
            item(b'A', "Genius", "Genius", html("<p>genius</p>", false)),
            item(
                b'A',
                "Brother_Ray",
                "Brother Ray",
                Body::Redirect("A/Ray_Charles"),
            ),
            item(b'A', "Loop1", "", Body::Redirect("A/Loop2")),
            item(b'A', "Loop2", "", Body::Redirect("A/Loop1")),
            item(
                b'I',
                "favicon.png",
                "",
                Body::Content(1, b"\x89PNG\r\n\x1a\nfake".to_vec(), false),
            ),
            item(b'-', "favicon", "", Body::Redirect("I/favicon.png")),
            item(b'M', "Title", "", text("  Ray  \n")),
            item(b'M', "Counter", "", text("text/html=2;image/png=1")),
            item(
                b'X',
                "fulltext/xapian",
                "",
                Body::Content(2, vec![7; 100], false),
            ),
        ],
        Some("A/Ray_Charles"),
    )
}

fn archive(bytes: Vec<u8>) -> Archive {
    Archive::open_source(
        Arc::new(bytes),
        vec![PathBuf::from("mem.zim")],
        Arc::new(ClusterCache::new(1 << 20)),
    )
    .unwrap()
}

#[test]
fn old_scheme_basics() {
    let a = archive(old_scheme());
    assert_eq!(a.version(), (5, 0));
    assert!(!a.has_new_namespace_scheme());
    assert_eq!(a.entry_count(), 10);
    assert_eq!(a.mime_types(), MIMES);
    assert_eq!(a.uuid(), [0xAB; 16]);

    let i = a.find_user_path("A/Ray_Charles").unwrap().unwrap();
    let d = a.dirent(i).unwrap();
    assert_eq!(d.title, "Ray Charles");
    assert_eq!(a.user_path(&d), "A/Ray_Charles");
    assert_eq!(a.mime_type(&d).unwrap(), "text/html");
    assert_eq!(&*a.blob(&d).unwrap().read_all().unwrap(), b"<p>ray</p>");
    assert!(matches!(a.blob(&d).unwrap(), Blob::Memory { .. }));

    let g = a.dirent(a.find(b'A', "Genius").unwrap().unwrap()).unwrap();
    let blob = a.blob(&g).unwrap();
    assert!(matches!(blob, Blob::File(_)));
    assert_eq!(&*blob.read_all().unwrap(), b"<p>genius</p>");

    let r = a.find(b'A', "Brother_Ray").unwrap().unwrap();
    assert!(a.dirent(r).unwrap().is_redirect());
    assert!(a.blob(&a.dirent(r).unwrap()).is_err());
    assert_eq!(a.resolve(r).unwrap().0, i);
    let l = a.find(b'A', "Loop1").unwrap().unwrap();
    assert!(matches!(
        a.resolve(l),
        Err(ArchiveError::RedirectLoop { .. })
    ));
    assert_eq!(a.dirent(l).unwrap().title, "Loop1");

    for missing in ["A/Nope", "", "Ray_Charles", "AA/Ray_Charles", "Z/x"] {
        assert_eq!(a.find_user_path(missing).unwrap(), None, "{missing}");
    }
    assert_eq!(a.find(b'A', "Ray_Charle").unwrap(), None);
    assert_eq!(a.find(b'Z', "").unwrap(), None);

    assert_eq!(a.main_page().unwrap(), Some(i));
    assert_eq!(a.metadata_text("Title").as_deref(), Some("Ray"));
    assert_eq!(a.metadata_text("Nope"), None);
    assert_eq!(a.article_count(), 2);
    let icon = a.illustration_48().unwrap().unwrap();
    assert!(icon.starts_with(b"\x89PNG"));
    let w = a.fulltext_index().unwrap();
    assert_eq!(w.len(), 100);
    assert!(a.title_index().is_none());
}

#[test]
fn old_scheme_titles() {
    let a = archive(old_scheme());
    // Namespace A only: Brother Ray, Genius, Loop1, Loop2, Ray Charles.
    assert_eq!(a.title_count().unwrap(), 5);
    let titles: Vec<String> = (0..5)
        .map(|i| a.dirent(a.title_entry(i).unwrap()).unwrap().title)
        .collect();
    assert_eq!(
        titles,
        ["Brother Ray", "Genius", "Loop1", "Loop2", "Ray Charles"]
    );
    assert_eq!(a.title_lower_bound("").unwrap(), 0);
    assert_eq!(a.title_lower_bound("Gen").unwrap(), 1);
    assert_eq!(a.title_lower_bound("Genius").unwrap(), 1);
    assert_eq!(a.title_lower_bound("Geniuz").unwrap(), 2);
    assert_eq!(a.title_lower_bound("zzz").unwrap(), 5);
    assert!(a.title_entry(5).is_err());
    for seed in 0..20 {
        let r = a.random_article(seed).unwrap().unwrap();
        let d = a.dirent(r).unwrap();
        assert!(!d.is_redirect());
        assert_eq!(a.mime_type(&d).unwrap(), "text/html");
    }
}

fn new_scheme() -> Vec<u8> {
    // The listing holds dirent numbers, known only after sorting: the items
    // below sort as C/a.html(0) C/b.html(1) C/main(2) M/Title(3) W/mainPage(4)
    // X/listing/titleOrdered/v1(5) X/title/xapian(6).
    let mut listing = Vec::new();
    for i in [1u32, 0] {
        listing.extend_from_slice(&i.to_le_bytes());
    }
    build(
        1,
        MIMES,
        vec![
            item(b'C', "a.html", "Zebra", html("<p>a</p>", true)),
            item(b'C', "b.html", "Apple", html("<p>b</p>", false)),
            item(b'C', "main", "", Body::Redirect("C/b.html")),
            item(b'M', "Title", "", text("New")),
            item(b'W', "mainPage", "", Body::Redirect("C/main")),
            item(
                b'X',
                "listing/titleOrdered/v1",
                "",
                Body::Content(2, listing, true),
            ),
            item(
                b'X',
                "title/xapian",
                "",
                Body::Content(2, vec![1; 10], false),
            ),
        ],
        None,
    )
}

#[test]
fn new_scheme_basics() {
    let a = archive(new_scheme());
    assert!(a.has_new_namespace_scheme());
    let main = a.main_page().unwrap().unwrap();
    assert_eq!(a.dirent(main).unwrap().path, "mainPage");
    let (target, d) = a.resolve(main).unwrap();
    assert_eq!((target, d.path.as_str()), (1, "b.html"));
    assert_eq!(a.user_path(&d), "b.html");
    assert_eq!(a.find_user_path("b.html").unwrap(), Some(1));
    assert_eq!(a.find_user_path("C/b.html").unwrap(), None);
    assert_eq!(a.article_count(), 2);
    assert_eq!(a.title_count().unwrap(), 2);
    assert_eq!(a.title_entry(0).unwrap(), 1);
    assert_eq!(a.title_lower_bound("B").unwrap(), 1);
    assert_eq!(a.title_index().unwrap().len(), 10);
    assert!(a.fulltext_index().is_none());
    assert!(a.illustration_48().unwrap().is_none());
    assert_eq!(a.metadata("Title").unwrap().unwrap(), b"New");
}

#[test]
fn cache_serves_second_read() {
    let cache = Arc::new(ClusterCache::new(1 << 20));
    let a = Archive::open_source(Arc::new(old_scheme()), vec![], cache.clone()).unwrap();
    let d = a
        .dirent(a.find(b'A', "Ray_Charles").unwrap().unwrap())
        .unwrap();
    a.blob(&d).unwrap();
    assert_eq!(cache.len(), 1);
    a.blob(&d).unwrap();
    assert_eq!(cache.len(), 1);
    drop(a);
    assert!(cache.is_empty(), "closing an archive frees its clusters");
}

#[test]
fn split_archive_from_files() {
    let bytes = new_scheme();
    let dir = std::env::temp_dir().join(format!("driveshelf-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let third = bytes.len() / 3;
    for (n, chunk) in ["aa", "ab", "ac"].iter().zip([
        &bytes[..third],
        &bytes[third..2 * third],
        &bytes[2 * third..],
    ]) {
        std::fs::write(dir.join(format!("s.zim{n}")), chunk).unwrap();
    }
    let cache = Arc::new(ClusterCache::new(1 << 20));
    for name in ["s.zim", "s.zimaa"] {
        let a = Archive::open(&dir.join(name), cache.clone()).unwrap();
        assert_eq!(a.parts().len(), 3);
        assert_eq!(a.size(), bytes.len() as u64);
        let (_, d) = a.resolve(a.main_page().unwrap().unwrap()).unwrap();
        assert_eq!(&*a.blob(&d).unwrap().read_all().unwrap(), b"<p>b</p>");
    }
    assert!(Archive::open(&dir.join("t.zim"), cache.clone()).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn html_counter() {
    assert_eq!(html_count("image/png=1;text/html=12"), Some(12));
    assert_eq!(html_count("text/html=2; text/plain=3"), Some(2));
    assert_eq!(html_count("image/png=1"), None);
    assert_eq!(html_count("text/html=x"), None);
}

/// Every single-byte change of a small archive: open and read everything,
/// and nothing may panic or loop.
#[test]
fn byte_flips_never_panic() {
    for original in [old_scheme(), new_scheme()] {
        for pos in 0..original.len() {
            for value in [0x00u8, 0xFF, 0x7F] {
                let mut bytes = original.clone();
                if bytes[pos] == value {
                    continue;
                }
                bytes[pos] = value;
                exercise(bytes);
            }
        }
    }
}

fn exercise(bytes: Vec<u8>) {
    let cache = Arc::new(ClusterCache::new(1 << 16));
    let Ok(a) = Archive::open_source(Arc::new(bytes), vec![], cache) else {
        return;
    };
    for i in 0..a.entry_count().min(64) {
        if let Ok(d) = a.dirent(i) {
            let _ = a.mime_type(&d);
            if let Ok(b) = a.blob(&d) {
                let _ = b.read_all();
            }
            let _ = a.find(d.namespace, &d.path);
            let _ = a.resolve(i);
        }
    }
    let _ = a.main_page();
    let _ = a.article_count();
    let _ = a.illustration_48();
    let _ = a.fulltext_index();
    let _ = a.title_index();
    if let Ok(n) = a.title_count() {
        for i in 0..n.min(64) {
            let _ = a.title_entry(i);
        }
    }
    let _ = a.title_lower_bound("M");
    let _ = a.random_article(3);
}

#[test]
fn shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Archive>();
    send_sync::<ClusterCache>();
    send_sync::<Blob>();
    send_sync::<ArchiveError>();
    let a = Arc::new(archive(old_scheme()));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let a = a.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let i = a.find_user_path("A/Ray_Charles").unwrap().unwrap();
                    let (_, d) = a.resolve(i).unwrap();
                    assert_eq!(&*a.blob(&d).unwrap().read_all().unwrap(), b"<p>ray</p>");
                    assert!(a.random_article(t).unwrap().is_some());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn index_window_inside_one_part_only() {
    let bytes = new_scheme();
    let whole = archive(bytes.clone());
    let w = whole.title_index().unwrap();
    let mut inside = vec![0u8; w.len() as usize];
    w.read_exact_at(&mut inside, 0).unwrap();
    assert_eq!(inside, vec![1u8; 10]);
    // Find where the database lies, then split once inside it, once outside.
    let at = bytes.windows(10).position(|s| s == [1u8; 10]).unwrap();
    for (cut, expect_window) in [(at + 5, false), (at + 10, true), (at, true)] {
        let parts: Vec<Arc<dyn ReadAt>> = vec![
            Arc::new(bytes[..cut].to_vec()),
            Arc::new(bytes[cut..].to_vec()),
        ];
        let multi = Arc::new(MultiFile::new(parts).unwrap());
        let src: Arc<dyn ReadAt> = multi.clone();
        let a = Archive::open_inner(
            src,
            Some(multi),
            vec![],
            Arc::new(ClusterCache::new(1 << 20)),
        )
        .unwrap();
        let w = a.title_index();
        assert_eq!(w.is_some(), expect_window, "cut at {cut}, db at {at}");
        if let Some(w) = w {
            let mut b = vec![0u8; 10];
            w.read_exact_at(&mut b, 0).unwrap();
            assert_eq!(b, vec![1u8; 10]);
        }
        // The entry itself stays readable across the cut.
        let i = a.find(b'X', "title/xapian").unwrap().unwrap();
        let d = a.dirent(i).unwrap();
        assert_eq!(&*a.blob(&d).unwrap().read_all().unwrap(), &[1u8; 10]);
    }
}

#[test]
fn messages_are_plain() {
    let mut bytes = old_scheme();
    let full = bytes.len();
    bytes.truncate(full - 100);
    let e =
        Archive::open_source(Arc::new(bytes), vec![], Arc::new(ClusterCache::new(0))).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "file is truncated: the header says it is {full} bytes long but the file ends at {}",
            full - 100
        )
    );
    let e = Archive::open_source(
        Arc::new(vec![0u8; 100]),
        vec![],
        Arc::new(ClusterCache::new(0)),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "not a ZIM file (bad magic number)");
}

/// A sparse file of `len` bytes with `data` written at `at`: offsets past
/// 4 GiB without using the disk space. Unix only: NTFS would fill the gap.
#[cfg(unix)]
fn sparse_file(name: &str, len: u64, at: u64, data: &[u8]) -> PathBuf {
    use std::os::unix::fs::FileExt;
    let path = std::env::temp_dir().join(format!("driveshelf-{name}-{}", std::process::id()));
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(len).unwrap();
    f.write_all_at(data, at).unwrap();
    path
}

/// On a 32-bit build, an archive lying past 4 GiB in a file (as in a 90 GB
/// Wikipedia) must open and serve: every offset stays u64 down to the read.
#[cfg(unix)]
#[test]
fn archive_past_4_gib_in_a_file() {
    let bytes = new_scheme();
    let at = (9u64 << 29) + 3; // 4.5 GiB and an odd byte
    let path = sparse_file("past4g", at + bytes.len() as u64, at, &bytes);
    let file: Arc<dyn ReadAt> = Arc::new(FileAt::open(&path).unwrap());
    let window = Window::new(file, at, bytes.len() as u64).unwrap();
    let a = Archive::open_source(
        Arc::new(window),
        vec![path.clone()],
        Arc::new(ClusterCache::new(1 << 20)),
    )
    .unwrap();
    let (_, d) = a.resolve(a.main_page().unwrap().unwrap()).unwrap();
    assert_eq!(&*a.blob(&d).unwrap().read_all().unwrap(), b"<p>b</p>");
    let d = a.dirent(a.find(b'C', "a.html").unwrap().unwrap()).unwrap();
    assert_eq!(&*a.blob(&d).unwrap().read_all().unwrap(), b"<p>a</p>");
    std::fs::remove_file(&path).unwrap();
}

/// Split parts as FAT32 holds them (just under 4 GiB each): a read in the
/// third part lands past 8 GiB of the joined archive.
#[cfg(unix)]
#[test]
fn split_parts_past_4_gib() {
    let part_len = (1u64 << 32) - 1;
    let paths: Vec<PathBuf> = (0..3u8)
        .map(|i| sparse_file(&format!("part{i}"), part_len, part_len - 4, &[i; 4]))
        .collect();
    let m = MultiFile::open(&paths).unwrap();
    assert_eq!(m.len(), 3 * part_len);
    let mut buf = [0u8; 6];
    // Last 4 bytes of part 1, first 2 of part 2 (zeros).
    m.read_exact_at(&mut buf, 2 * part_len - 4).unwrap();
    assert_eq!(buf, [1, 1, 1, 1, 0, 0]);
    let mut end = [0u8; 4];
    m.read_exact_at(&mut end, 3 * part_len - 4).unwrap();
    assert_eq!(end, [2; 4]);
    assert!(m.read_exact_at(&mut end, 3 * part_len - 3).is_err());
    for p in paths {
        std::fs::remove_file(p).unwrap();
    }
}

/// Every entry's bytes, read in `order` with a cache of `cache_bytes`.
fn all_contents(bytes: &[u8], cache_bytes: usize, reverse: bool) -> Vec<(u32, Vec<u8>)> {
    let cache = Arc::new(ClusterCache::new(cache_bytes));
    let a = Archive::open_source(Arc::new(bytes.to_vec()), vec![], cache).unwrap();
    let mut order: Vec<u32> = (0..a.entry_count()).collect();
    if reverse {
        order.reverse();
    }
    let mut out = Vec::new();
    for i in order {
        let d = a.dirent(i).unwrap();
        if !d.is_redirect() {
            out.push((i, a.blob(&d).unwrap().read_all().unwrap().into_owned()));
        }
    }
    out.sort();
    out
}

#[test]
fn prefix_then_whole_cluster_reads_the_same() {
    // Forward, the first entry of the compressed cluster leaves a prefix in
    // the cache and later ones decompress it whole; without a cache every
    // read is a prefix; backwards the first read is the whole cluster.
    for bytes in [old_scheme(), new_scheme()] {
        let forward = all_contents(&bytes, 1 << 20, false);
        assert_eq!(forward, all_contents(&bytes, 0, false));
        assert_eq!(forward, all_contents(&bytes, 1 << 20, true));
        assert!(forward.len() > 2);
    }
}

/// libzim reads the namespace scheme from the minor version alone: a file
/// whose header says 5.1 (written by an outside tool) is a new-scheme archive.
#[test]
fn major_5_minor_1_is_new_scheme() {
    let mut bytes = new_scheme();
    bytes[4..6].copy_from_slice(&5u16.to_le_bytes());
    let a = archive(bytes);
    assert_eq!(a.version(), (5, 1));
    assert!(a.has_new_namespace_scheme());
    let i = a.find_user_path("b.html").unwrap().unwrap();
    assert_eq!(a.user_path(&a.dirent(i).unwrap()), "b.html");
    assert!(a.main_page().unwrap().is_some());

    // And 6.0 stays with the old scheme, where the namespace is in the path.
    let mut bytes = old_scheme();
    bytes[4..6].copy_from_slice(&6u16.to_le_bytes());
    let a = archive(bytes);
    assert_eq!(a.version(), (6, 0));
    assert!(!a.has_new_namespace_scheme());
    assert!(a.find_user_path("A/Ray_Charles").unwrap().is_some());
}
