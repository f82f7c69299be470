//! `driveshelf check` run as testers run it: the real binary, its exit code,
//! its JSON report, on the sample bundle and on bundles damaged here.

mod common;

use common::{repo, sample_bundle, shared, temp_dir};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .arg("check")
        .arg(dir)
        .args(extra)
        .output()
        .expect("driveshelf runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn run_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--json", "--lang", "en"];
    args.extend_from_slice(extra);
    let (code, out) = run(dir, &args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    (code, v)
}

fn entry<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in the report: {report:#}"))
}

fn codes(e: &Value) -> Vec<String> {
    e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn has(report: &Value, path: &str, status: &str, code: &str) {
    let e = entry(report, path);
    assert_eq!(e["status"], status, "{path}: {e:#}");
    assert!(
        codes(e).iter().any(|c| c == code),
        "{path}: no {code} in {e:#}"
    );
}

fn sample_zim() -> PathBuf {
    sample_bundle().join("wikipedia/wikipedia_ko_sample_2024-02.zim")
}

#[test]
fn sample_bundle_is_fine() {
    let (code, report) = run_json(&sample_bundle(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["damaged"], 0);
    has(
        &report,
        "wikipedia/wikipedia_ko_sample_2024-02.zim",
        "ok",
        "zim_checksum_ok",
    );
    has(
        &report,
        "videos/작은 섬 이야기 (1976).ko.srt",
        "ok",
        "subtitle_encoding",
    );
    let (code, text) = run(&sample_bundle(), &["--quick"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("wikipedia/wikipedia_ko_sample_2024-02.zim"),
        "{text}"
    );
    if let Some(shared) = shared() {
        let (code, text) = run(&shared.join("sample-bundle"), &["--lang", "en"]);
        assert_eq!(code, 0, "{text}");
    }
}

#[test]
fn broken_archives_of_the_corpus_are_each_named() {
    let Some(shared) = shared() else {
        println!("NOTICE: skipped, ../shared is absent");
        return;
    };
    let corpus = shared.join("corpus/zim/openzim-testing-suite");
    let dir = temp_dir("check-corpus");
    let mut names = Vec::new();
    for sub in ["nons", "withns"] {
        let Ok(rd) = fs::read_dir(corpus.join(sub)) else {
            continue;
        };
        fs::create_dir_all(dir.join(sub)).unwrap();
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("invalid.") {
                fs::copy(e.path(), dir.join(sub).join(&name)).unwrap();
                names.push(format!("{sub}/{name}"));
            }
        }
    }
    if names.is_empty() {
        println!("NOTICE: skipped, no invalid.* archive in the corpus");
        return;
    }
    let (code, report) = run_json(&dir, &[]);
    assert_eq!(code, 1);
    for n in &names {
        assert_eq!(entry(&report, n)["status"], "damaged", "{n}");
    }
    let (code, text) = run(&dir, &["--lang", "en"]);
    assert_eq!(code, 1);
    for n in &names {
        assert!(text.contains(&format!("[FAIL]  {n}")), "{n} in\n{text}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_flipped_bit_is_a_checksum_mismatch() {
    let dir = temp_dir("check-flip");
    let mut bytes = fs::read(sample_zim()).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    fs::write(dir.join("flipped.zim"), &bytes).unwrap();
    for mode in [&[][..], &["--quick"][..]] {
        let (code, report) = run_json(&dir, mode);
        assert_eq!(code, 1);
        has(&report, "flipped.zim", "damaged", "zim_checksum_mismatch");
    }
    let _ = fs::remove_dir_all(&dir);
}

fn cut(from: &Path, to: &Path, keep: f64) {
    let bytes = fs::read(from).unwrap();
    let n = (bytes.len() as f64 * keep) as usize;
    fs::write(to, &bytes[..n]).unwrap();
}

#[test]
fn damaged_documents_films_subtitles_links_and_names_are_reported() {
    let src = sample_bundle();
    let dir = temp_dir("check-media");
    fs::create_dir_all(dir.join("films")).unwrap();
    fs::create_dir_all(dir.join("docs")).unwrap();
    fs::create_dir_all(dir.join("wiki")).unwrap();
    cut(
        &src.join("videos/서울의 겨울 (1987).mp4"),
        &dir.join("films/cut.mp4"),
        0.6,
    );
    cut(
        &src.join("videos/어머니의_부엌_2012.webm"),
        &dir.join("films/cut.webm"),
        0.6,
    );
    cut(
        &src.join("newspapers/hanbit-ilbo_2024-02-07.pdf"),
        &dir.join("docs/cut.pdf"),
        0.6,
    );
    fs::write(dir.join("docs/broken.pdf"), b"%PDF-1.4\nnothing else here").unwrap();
    fs::write(dir.join("docs/garbage.pdf"), b"this is not a PDF at all").unwrap();
    // The sample's CP949 subtitle, beside the cut film.
    fs::copy(
        src.join("videos/작은 섬 이야기 (1976).ko.srt"),
        dir.join("films/cut.ko.srt"),
    )
    .unwrap();
    fs::write(
        dir.join("films/nobody.en.srt"),
        "1\n00:00:01,000 --> 00:00:02,000\nhello\n",
    )
    .unwrap();
    fs::write(
        dir.join("page.md"),
        "# Page\n\n[a paper](docs/cut.pdf) and [gone](docs/missing.pdf) and ![pic](nothing.png)\n",
    )
    .unwrap();
    fs::write(dir.join("bad:name.txt"), b"x").unwrap();
    fs::write(dir.join("CON.md"), b"# con\n").unwrap();
    // A split archive whose second part was cut.
    let zim = fs::read(sample_zim()).unwrap();
    let half = zim.len() / 2;
    fs::write(dir.join("wiki/split.zimaa"), &zim[..half]).unwrap();
    fs::write(dir.join("wiki/split.zimab"), &zim[half..zim.len() - 100]).unwrap();
    // Over 4 GiB without using the disk, where the filesystem allows it.
    let big = fs::File::create(dir.join("big.bin")).unwrap();
    let big_ok = big.set_len((4 << 30) + 1).is_ok();
    drop(big);

    let (code, report) = run_json(&dir, &[]);
    assert_eq!(code, 1, "{report:#}");
    let film = entry(&report, "films/cut.mp4");
    assert_eq!(film["status"], "damaged", "{film:#}");
    has(&report, "films/cut.webm", "damaged", "media_truncated");
    let doc = entry(&report, "docs/cut.pdf");
    assert_eq!(doc["status"], "damaged", "{doc:#}");
    has(&report, "docs/broken.pdf", "damaged", "pdf_unreadable");
    has(&report, "docs/garbage.pdf", "damaged", "pdf_unreadable");
    let srt = entry(&report, "films/cut.ko.srt");
    assert!(codes(srt).contains(&"subtitle_encoding".to_string()));
    let enc = srt["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "subtitle_encoding")
        .unwrap();
    assert_eq!(enc["level"], "info");
    assert_eq!(enc["args"]["encoding"], "CP949");
    has(&report, "films/nobody.en.srt", "warning", "sidecar_orphan");
    has(&report, "page.md", "warning", "link_nowhere");
    let links: Vec<_> = entry(&report, "page.md")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "link_nowhere")
        .map(|f| f["args"]["link"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(links, ["docs/missing.pdf", "nothing.png"]);
    has(&report, "bad:name.txt", "warning", "name_windows");
    has(&report, "CON.md", "warning", "name_windows");
    let split = entry(&report, "wiki/split.zimaa");
    assert_eq!(split["status"], "damaged", "{split:#}");
    if big_ok {
        has(&report, "big.bin", "warning", "too_big_for_fat32");
    }
    assert!(report["summary"]["damaged"].as_u64().unwrap() >= 6);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn korean_report_by_default_and_exit_2_for_no_folder() {
    let (code, text) = run(&sample_bundle(), &["--quick"]);
    assert_eq!(code, 0);
    assert!(text.contains("[정상]"), "{text}");
    let (code, _) = run(&repo().join("no-such-folder"), &[]);
    assert_eq!(code, 2);
    let (code, _) = run(&repo().join("Cargo.toml"), &[]);
    assert_eq!(code, 2);
}
