//! `driveshelf prepare`: writes the search index into `.driveshelf/` and
//! nothing else; a damaged, cut, encrypted or scanned PDF is reported while
//! the rest is indexed; a second run changes nothing; a changed file is read
//! again; the server answers from the prepared index, and one that is
//! damaged or not ours is never trusted or touched.

mod common;

use common::drive::*;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn prepare(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .arg("prepare")
        .arg(dir)
        .output()
        .expect("driveshelf runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let m = std::fs::metadata(&p).unwrap().modified().unwrap();
                out.insert(p.clone(), (std::fs::read(&p).unwrap(), m));
            }
        }
    }
    out
}

#[test]
fn prepare_writes_only_its_index_and_the_server_uses_it() {
    let d = planted_drive("prepare");
    let before = snapshot(&d);
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    for bad in [
        "cut_2024-02-11.pdf",
        "damaged_2024-02-12.pdf",
        "locked_2024-02-13.pdf",
    ] {
        assert!(
            out.contains(&format!("[SKIPPED] newspapers/{bad}")),
            "{out}"
        );
    }
    assert!(
        out.contains("[NO TEXT] newspapers/scan_2024-02-14.pdf"),
        "{out}"
    );
    let index = d.join(".driveshelf/search.index");
    assert!(index.is_file(), "{out}");
    let mut after = snapshot(&d);
    after.remove(&index);
    // Its other product, at the top (tests/static_index.rs).
    assert!(after.remove(&d.join("index.html")).is_some(), "{out}");
    assert_eq!(before, after, "prepare changed a file it did not write");
    assert_eq!(
        std::fs::read_dir(d.join(".driveshelf")).unwrap().count(),
        1,
        "one file in our folder"
    );

    // Again: nothing to read, nothing written.
    let first = snapshot(&d);
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged"), "{out}");
    assert!(out.contains("(0 read,"), "{out}");
    assert_eq!(first, snapshot(&d), "a second run changed something");

    // The server: complete from the prepared index.
    {
        let s = start(&d);
        wait_until_read(&s);
        check_planted(&s);
    }

    // A changed page is read again, and only it.
    std::fs::write(
        d.join("pages/notes.md"),
        "# 공책\n\n이제 wombatfern 이 있다.\n",
    )
    .unwrap();
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(1 read,"), "{out}");
    let s = start(&d);
    wait_until_read(&s);
    let r = api(&s, "wombatfern");
    assert_eq!(r["results"][0]["file"], "pages/notes.md", "{r}");
    assert_eq!(api(&s, "quokkaberry")["total"], 0);
}

#[test]
fn a_damaged_index_is_not_trusted_and_is_rebuilt() {
    let d = planted_drive("prepare-damaged");
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    let index = d.join(".driveshelf/search.index");
    let mut bytes = std::fs::read(&index).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&index, &bytes).unwrap();
    {
        // The server reads the drive itself and finds everything anyway.
        let s = start(&d);
        wait_until_read(&s);
        check_planted(&s);
    }
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unusable"), "{out}");
    assert!(out.contains("updated"), "{out}");
}

#[test]
fn a_file_that_is_not_ours_is_left_alone() {
    let d = planted_drive("prepare-foreign");
    std::fs::create_dir_all(d.join(".driveshelf")).unwrap();
    let foreign = d.join(".driveshelf/search.index");
    std::fs::write(&foreign, "someone else's notes, long enough for a header").unwrap();
    let (code, out) = prepare(&d);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not ours"), "{out}");
    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        b"someone else's notes, long enough for a header"
    );

    let d = planted_drive("prepare-foreign-file");
    std::fs::write(d.join(".driveshelf"), "a file, not a folder").unwrap();
    let (code, out) = prepare(&d);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        std::fs::read(d.join(".driveshelf")).unwrap(),
        b"a file, not a folder"
    );
}

fn index_finding(dir: &Path) -> (String, String) {
    finding_at(dir, ".driveshelf/search.index").unwrap_or_else(|| panic!("no index entry"))
}

/// `check`'s first finding about `path` (code, level), if it says one.
fn finding_at(dir: &Path, path: &str) -> Option<(String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .args(["check", "--json", "--quick"])
        .arg(dir)
        .output()
        .expect("driveshelf runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let e = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)?;
    let f = &e["findings"][0];
    Some((
        f["code"].as_str().unwrap().to_string(),
        f["level"].as_str().unwrap().to_string(),
    ))
}

#[test]
fn title_indexes_of_archives_gone_are_reported_then_removed() {
    let d = temp_dir("prepare-orphans");
    let zim = sample_bundle().join("wikipedia/wikisource_ko_constitution_2024-02.zim");
    std::fs::create_dir_all(d.join("wiki")).unwrap();
    for name in ["wiki/kept.zim", "wiki/gone.zim"] {
        std::fs::copy(&zim, d.join(name)).unwrap();
    }
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    let titles = d.join(".driveshelf/titles");
    assert!(titles.join("wiki~gone.zim.titles").is_file(), "{out}");
    // What is not ours in our folder is never touched, orphan or not.
    std::fs::write(titles.join("notes.titles"), "someone else's").unwrap();
    std::fs::remove_file(d.join("wiki/gone.zim")).unwrap();

    let orphan = ".driveshelf/titles/wiki~gone.zim.titles";
    assert_eq!(
        finding_at(&d, orphan),
        Some(("title_index_orphan".into(), "warning".into()))
    );
    assert_eq!(finding_at(&d, ".driveshelf/titles/notes.titles"), None);
    assert_eq!(
        finding_at(&d, ".driveshelf/titles/wiki~kept.zim.titles"),
        Some(("title_index_ok".into(), "info".into()))
    );
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("wiki~gone.zim.titles: 지움: 아카이브가 드라이브에 없습니다 / removed"),
        "{out}"
    );
    assert!(
        out.contains("wiki~kept.zim.titles: 변화 없음 / unchanged"),
        "{out}"
    );
    assert!(!titles.join("wiki~gone.zim.titles").exists());
    assert!(titles.join("wiki~kept.zim.titles").is_file());
    assert_eq!(
        std::fs::read(titles.join("notes.titles")).unwrap(),
        b"someone else's"
    );
    assert_eq!(finding_at(&d, orphan), None);

    // Every archive gone: their indexes go too.
    std::fs::remove_file(d.join("wiki/kept.zim")).unwrap();
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wiki~kept.zim.titles: 지움"), "{out}");
    assert!(!titles.join("wiki~kept.zim.titles").exists());
    assert!(titles.join("notes.titles").is_file());
}

#[test]
fn check_reports_a_missing_stale_or_damaged_index() {
    let d = planted_drive("prepare-check");
    assert_eq!(
        index_finding(&d),
        ("search_index_missing".into(), "warning".into())
    );
    assert_eq!(prepare(&d).0, 0);
    assert_eq!(index_finding(&d), ("search_index_ok".into(), "info".into()));
    std::fs::write(d.join("pages/new.md"), "새 글").unwrap();
    assert_eq!(
        index_finding(&d),
        ("search_index_stale".into(), "warning".into())
    );
    let index = d.join(".driveshelf/search.index");
    let mut bytes = std::fs::read(&index).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&index, &bytes).unwrap();
    assert_eq!(
        index_finding(&d),
        ("search_index_damaged".into(), "warning".into())
    );
}

/// The index as an older driveshelf wrote it: the same header with format
/// 1 and its checksum made right, so only the version tells.
fn as_format_1(index: &Path) {
    use md5::{Digest, Md5};
    let mut bytes = std::fs::read(index).unwrap();
    bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
    let end = bytes.len() - 16;
    let digest = Md5::digest(&bytes[..end]);
    bytes[end..].copy_from_slice(&digest);
    std::fs::write(index, &bytes).unwrap();
}

#[test]
fn an_index_of_an_older_format_is_out_of_date_never_misread_and_rewritten() {
    let d = planted_drive("prepare-old-format");
    assert_eq!(prepare(&d).0, 0);
    let index = d.join(".driveshelf/search.index");
    as_format_1(&index);
    assert_eq!(
        index_finding(&d),
        ("search_index_old".into(), "warning".into())
    );
    {
        // Not read: the server reads the drive itself and finds everything.
        let s = start(&d);
        wait_until_read(&s);
        check_planted(&s);
    }
    // Ours, so prepare writes it anew (a file not ours is left alone).
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("older driveshelf (format 1)"), "{out}");
    assert!(out.contains("updated"), "{out}");
    assert_eq!(index_finding(&d), ("search_index_ok".into(), "info".into()));
}

#[test]
fn the_same_drive_gives_the_same_index_byte_for_byte() {
    // Files are read on several threads and added in catalog order: a
    // fresh build must not depend on which thread finished first.
    let d = planted_drive("prepare-same-bytes");
    for i in 0..12 {
        std::fs::write(
            d.join(format!("pages/extra-{i}.md")),
            format!("# 글 {i}\n\n낱말 {i} 과 quokka{i} 이 여기 있다.\n"),
        )
        .unwrap();
    }
    let index = d.join(".driveshelf/search.index");
    assert_eq!(prepare(&d).0, 0);
    let first = std::fs::read(&index).unwrap();
    for _ in 0..3 {
        std::fs::remove_file(&index).unwrap();
        let (code, out) = prepare(&d);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("written"), "{out}");
        assert!(
            std::fs::read(&index).unwrap() == first,
            "a fresh build differs"
        );
    }
}

#[test]
fn a_damaged_archive_is_reported_and_the_rest_prepared() {
    let Some(shared) = shared() else {
        println!("NOTICE: skipped: ../shared (the ZIM corpus) is not there");
        return;
    };
    let zims = shared.join("corpus/zim/openzim-testing-suite/withns");
    let d = temp_dir("prepare-damaged-archive");
    for name in ["small.zim", "invalid.outofbounds_first_title_entry.zim"] {
        std::fs::copy(zims.join(name), d.join(name)).unwrap();
    }
    let (code, out) = prepare(&d);
    // Damage is reported, not a failure to prepare the drive.
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("invalid.outofbounds_first_title_entry.zim.titles: [건너뜀] / [SKIPPED]"),
        "{out}"
    );
    assert!(
        d.join(".driveshelf/titles/small.zim.titles").is_file(),
        "{out}"
    );
    // The second run is the same (nothing left half-done).
    let (code, again) = prepare(&d);
    assert_eq!(code, 0, "{again}");
    assert!(
        again.contains("small.zim.titles: 변화 없음 / unchanged"),
        "{again}"
    );
}
