//! A small drive with words planted in every kind of file the drive index
//! reads, and the checks that find them (tests/drive_search.rs,
//! tests/prepare.rs).

use super::*;
use driveshelf::pdf::testpdf::{encrypted_pdf, pdf, Run};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A small drive with planted words; returns its folder.
pub fn planted_drive(name: &str) -> PathBuf {
    let d = temp_dir(name);
    let news = d.join("newspapers");
    let videos = d.join("videos");
    let pages = d.join("pages");
    for f in [&news, &videos, &pages] {
        std::fs::create_dir_all(f).unwrap();
    }
    let planted = pdf(&[
        vec![Run::at(72.0, 700.0, "front page words")],
        vec![
            Run::at(72.0, 700.0, "second page about zanzibarite"),
            Run::at(72.0, 680.0, "more text"),
        ],
        vec![Run::at(72.0, 700.0, "셋째 쪽에 무지개쏘가리 기사")],
    ]);
    std::fs::write(news.join("planted_2024-02-10.pdf"), &planted).unwrap();
    std::fs::write(
        news.join("cut_2024-02-11.pdf"),
        &planted[..planted.len() / 2],
    )
    .unwrap();
    std::fs::write(
        news.join("damaged_2024-02-12.pdf"),
        b"%PDF-1.4\ngarbage zanzibarite\n%%EOF\n",
    )
    .unwrap();
    std::fs::write(
        news.join("locked_2024-02-13.pdf"),
        encrypted_pdf(&[vec![Run::at(72.0, 700.0, "zanzibarite secret")]]),
    )
    .unwrap();
    std::fs::write(news.join("scan_2024-02-14.pdf"), pdf(&[vec![], vec![]])).unwrap();
    let film = sample_bundle().join("videos/walking-baekdudaegan-2005.mp4");
    std::fs::copy(&film, videos.join("film.mp4")).unwrap();
    std::fs::write(
        videos.join("film.ko.srt"),
        "1\n00:00:01,000 --> 00:00:02,000\n첫 줄\n\n2\n00:00:02,000 --> 00:00:03,000\n둘째 줄\n\n\
         3\n00:00:03,000 --> 00:00:04,000\n셋째 줄\n\n4\n00:01:05,500 --> 00:01:07,000\n\
         강가에 <i>해오라기떼</i>가 앉았다\n",
    )
    .unwrap();
    std::fs::write(
        videos.join("film.md"),
        "---\ntitle: 강의 영화\nyear: 2001\n---\n\n이 영화는 platypuslake 마을을 그린다.\n",
    )
    .unwrap();
    std::fs::write(
        pages.join("notes.md"),
        "# 공책\n\n첫 문단.\n\n둘째 문단에 quokkaberry 라는 낱말이 있다.\n",
    )
    .unwrap();
    d
}

pub fn api(s: &Server, q: &str) -> Value {
    s.get(&format!(
        "/api/search?q={}",
        driveshelf::render::urls::query_escape(q)
    ))
    .json()
}

/// Asks until the background reading is done (the server answers all the
/// while); generous, since CI machines are slow.
pub fn wait_until_read(s: &Server) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let page = s.get("/search?q=zzzz").text();
        if !page.contains("search_drive_reading") && !page.contains("아직 읽고") {
            return;
        }
        assert!(Instant::now() < deadline, "the drive was never read");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn only(results: &Value, file: &str) -> Vec<Value> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["file"].as_str() == Some(file))
        .cloned()
        .collect()
}

pub fn check_planted(s: &Server) {
    let r = api(s, "zanzibarite");
    let hits = only(&r, "newspapers/planted_2024-02-10.pdf");
    assert_eq!(hits.len(), 1, "{r}");
    assert_eq!(hits[0]["kind"], "document");
    assert_eq!(hits[0]["page"], 2);
    // The page view, drawn by the server (no PDF viewer needed).
    assert_eq!(
        hits[0]["url"], "/view/newspapers/planted_2024-02-10.pdf?page=2",
        "{r}"
    );
    assert!(
        hits[0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<b>zanzibarite</b>"),
        "{r}"
    );
    // The damaged, cut and locked files hold the word too: never found.
    assert_eq!(r["results"].as_array().unwrap().len(), 1, "{r}");

    let r = api(s, "무지개쏘가리");
    let hits = only(&r, "newspapers/planted_2024-02-10.pdf");
    assert_eq!(hits.len(), 1, "{r}");
    assert_eq!(hits[0]["page"], 3);

    let r = api(s, "해오라기떼");
    let hits = only(&r, "videos/film.ko.srt");
    assert_eq!(hits.len(), 1, "{r}");
    assert_eq!(hits[0]["kind"], "video");
    assert_eq!(hits[0]["time"], 65.5);
    assert!(
        hits[0]["url"].as_str().unwrap().contains("film.mp4?t=65"),
        "{r}"
    );

    let r = api(s, "quokkaberry");
    let hits = only(&r, "pages/notes.md");
    assert_eq!(hits.len(), 1, "{r}");
    assert_eq!(hits[0]["kind"], "page");

    let r = api(s, "platypuslake");
    let found: Vec<&Value> = r["results"].as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1, "listed once, as the film: {r}");
    assert_eq!(found[0]["kind"], "video");
    assert!(found[0]["url"]
        .as_str()
        .unwrap()
        .contains("/view/videos/film.mp4"));
}
