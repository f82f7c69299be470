//! Documents, films, radio and pages over HTTP: discovery with and without
//! sidecars, every range form, subtitles in each encoding, the unplayable
//! film, Markdown escaping, odd file names.

mod common;

use common::*;
use serde_json::Value;
use std::fs;
use std::sync::OnceLock;

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&sample_bundle()))
}

fn manifest() -> Value {
    let text =
        fs::read_to_string(repo().join("tests/fixtures/sample-bundle.manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn catalog() -> Value {
    server().get("/api/catalog").json()
}

fn find<'a>(list: &'a Value, file: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in {list}"))
}

#[test]
fn catalog_lists_every_file_of_the_manifest_with_its_facts() {
    let m = manifest();
    let c = catalog();
    for v in m["videos"].as_array().unwrap() {
        let file = v["file"].as_str().unwrap();
        let item = find(&c["videos"], file);
        assert_eq!(item["title"], v["title"], "{file}");
        assert_eq!(item["playable"], v["browser_playable"], "{file}");
        let d = item["duration"].as_f64().unwrap();
        assert!(
            (d - v["duration"].as_f64().unwrap()).abs() < 0.2,
            "{file}: {d}"
        );
        assert_eq!(item["collection"], "videos");
        assert!(item["poster"]
            .as_str()
            .unwrap()
            .starts_with("/file/videos/"));
        let subs = item["subtitles"].as_array().unwrap();
        let n_subs = v["sidecars"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s.as_str().unwrap().ends_with(".srt"))
            .count();
        assert_eq!(subs.len(), n_subs, "{file}");
    }
    for a in m["audio"].as_array().unwrap() {
        let file = a["file"].as_str().unwrap();
        let item = find(&c["audio"], file);
        assert_eq!(item["title"], a["title"], "{file}");
        assert!((item["duration"].as_f64().unwrap() - a["duration"].as_f64().unwrap()).abs() < 0.2);
    }
    for p in m["pdfs"].as_array().unwrap() {
        let file = p["file"].as_str().unwrap();
        let item = find(&c["documents"], file);
        assert_eq!(item["pages"], p["pages"], "{file}");
        assert_eq!(item["collection"], "newspapers");
        assert!(item["date"].as_str().unwrap().starts_with("2024-02-0"));
    }
    assert!(c["pages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["file"] == "about.md"));
    // Sidecars are not items of their own.
    for kind in ["documents", "videos", "audio", "pages"] {
        for it in c[kind].as_array().unwrap() {
            let f = it["file"].as_str().unwrap();
            assert!(!f.ends_with(".srt") && !f.ends_with(".jpg"), "{f}");
            assert!(
                !(kind == "pages" && f.starts_with("videos/")),
                "description {f} listed as a page"
            );
        }
    }
}

#[test]
fn every_item_page_opens() {
    let c = catalog();
    for kind in ["documents", "videos", "audio", "pages"] {
        for it in c[kind].as_array().unwrap() {
            let page = it["page"].as_str().unwrap();
            let r = server().get(page);
            assert_eq!(r.status, 200, "{page}");
            assert!(
                r.text().contains(&driveshelf::render::html::escape(
                    it["title"].as_str().unwrap()
                )),
                "{page}"
            );
            let file = server().request("HEAD", it["url"].as_str().unwrap(), &[]);
            assert_eq!(file.status, 200, "{}", it["url"]);
        }
    }
}

#[test]
fn film_page_has_player_tracks_and_poster() {
    let c = catalog();
    let film = find(&c["videos"], "videos/서울의 겨울 (1987).mp4");
    let t = server().get(film["page"].as_str().unwrap()).text();
    assert!(t.contains("<video"), "{t}");
    assert!(t.contains("type=\"video/mp4; codecs=&quot;avc1."), "{t}");
    assert_eq!(t.matches("<track kind=\"subtitles\"").count(), 2);
    assert!(t.contains("srclang=\"ko\"") && t.contains("label=\"한국어\""));
    // Korean is the default track in the Korean UI.
    let ko_track = t
        .split("<track")
        .find(|p| p.contains("srclang=\"ko\""))
        .unwrap();
    assert!(ko_track.contains("default"));
    assert!(t.contains("poster=\"/file/videos/"));
    // Saving goes through the page that says so (tests/save_notice.rs).
    assert!(t.contains("href=\"/save/videos/"));
    assert!(!t.contains("?download=1"));
    let en = server()
        .get(&format!("{}?lang=en", film["page"].as_str().unwrap()))
        .text();
    assert!(en.contains("label=\"Korean\""));
}

#[test]
fn unplayable_film_offers_the_download_instead() {
    let c = catalog();
    let avi = c["videos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["file"].as_str().unwrap().ends_with(".avi"))
        .unwrap();
    assert_eq!(avi["playable"], false);
    let t = server().get(avi["page"].as_str().unwrap()).text();
    assert!(!t.contains("<video"), "no broken player");
    assert!(t.contains("class=\"notice\""));
    assert!(t.contains("AVI"));
    assert!(t.contains("href=\"/save/videos/"));
    let dl = server().request(
        "HEAD",
        &format!("{}?download=1", avi["url"].as_str().unwrap()),
        &[],
    );
    assert!(dl
        .header("Content-Disposition")
        .unwrap()
        .starts_with("attachment;"));
    assert!(dl
        .header("Content-Disposition")
        .unwrap()
        .contains("filename*=UTF-8''"));
}

#[test]
fn subtitles_come_out_as_utf8_webvtt_in_every_encoding() {
    let m = manifest();
    let c = catalog();
    let mut encodings = Vec::new();
    for v in m["videos"].as_array().unwrap() {
        let item = find(&c["videos"], v["file"].as_str().unwrap());
        let ko = item["subtitles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["lang"] == "ko")
            .unwrap();
        let r = server().get(ko["url"].as_str().unwrap());
        assert_eq!(r.status, 200);
        assert_eq!(r.header("Content-Type"), Some("text/vtt; charset=utf-8"));
        let text = String::from_utf8(r.body.clone()).expect("UTF-8");
        assert!(text.starts_with("WEBVTT"), "{text}");
        assert!(text.contains(" --> "));
        assert!(!text.contains(",0") || text.contains(".0"));
        for line in v["subtitle_lines"].as_array().unwrap() {
            assert!(
                text.contains(line.as_str().unwrap()),
                "{}: {line} missing in {text}",
                v["file"]
            );
        }
        encodings.push(v["subtitle_encoding"].as_str().unwrap().to_string());
    }
    assert!(
        encodings
            .iter()
            .any(|e| e.to_lowercase().contains("949") || e.to_lowercase().contains("euc")),
        "{encodings:?}"
    );
}

#[test]
fn subtitle_encodings_made_here() {
    let dir = temp_dir("subs");
    fs::copy(
        sample_bundle().join("videos/walking-baekdudaegan-2005.mp4"),
        dir.join("f.mp4"),
    )
    .unwrap();
    let srt = "1\r\n00:00:01,000 --> 00:00:02,500\r\n대한민국은 민주공화국이다.\r\n\r\n2\r\nbroken line\r\n\r\n3\r\n00:00:03,000 --> 00:00:04,000\r\n<b>굵게</b> & 끝\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(srt.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    fs::write(dir.join("f.ko.srt"), &utf16).unwrap();
    fs::write(
        dir.join("f.en.srt"),
        [b"\xEF\xBB\xBF".as_slice(), srt.as_bytes()].concat(),
    )
    .unwrap();
    fs::write(
        dir.join("f.ja.vtt"),
        "WEBVTT\n\n00:01.000 --> 00:02.000\nこんにちは\n",
    )
    .unwrap();
    let s = start(&dir);
    for (name, want) in [
        ("f.ko.srt", "대한민국은 민주공화국이다."),
        ("f.en.srt", "대한민국은"),
        ("f.ja.vtt", "こんにちは"),
    ] {
        let t = s.get(&format!("/vtt/{}", enc(name))).text();
        assert!(t.starts_with("WEBVTT"), "{name}: {t}");
        assert!(t.contains(want), "{name}: {t}");
        if name.ends_with(".srt") {
            assert!(t.contains("00:00:01.000 --> 00:00:02.500"), "{name}: {t}");
            assert!(t.contains("&amp; 끝"), "{name}: {t}");
            assert!(
                !t.contains("broken line") || t.contains("00:00:03.000"),
                "{name}"
            );
        }
    }
    let film = s.get("/view/f.mp4").text();
    assert_eq!(film.matches("<track").count(), 3);
}

#[test]
fn every_range_form_on_a_film() {
    let c = catalog();
    let film = find(&c["videos"], "videos/walking-baekdudaegan-2005.mp4");
    let url = film["url"].as_str().unwrap();
    let bytes = fs::read(sample_bundle().join("videos/walking-baekdudaegan-2005.mp4")).unwrap();
    let len = bytes.len();
    let full = server().get(url);
    assert_eq!(full.status, 200);
    assert_eq!(full.body, bytes);
    assert_eq!(full.header("Content-Type"), Some("video/mp4"));
    assert_eq!(full.header("Accept-Ranges"), Some("bytes"));
    let cases = [
        ("bytes=0-0", 0, 0),
        ("bytes=100-199", 100, 199),
        ("bytes=1000-", 1000, len - 1),
        ("bytes=-500", len - 500, len - 1),
        (
            &*format!("bytes={}-{}", len - 10, len + 1000),
            len - 10,
            len - 1,
        ),
    ];
    for (h, a, b) in cases {
        let r = server().request("GET", url, &[("Range", h)]);
        assert_eq!(r.status, 206, "{h}");
        assert_eq!(
            r.header("Content-Range").unwrap(),
            format!("bytes {a}-{b}/{len}"),
            "{h}"
        );
        assert_eq!(r.body, bytes[a..=b], "{h}");
    }
    let r = server().request("GET", url, &[("Range", &format!("bytes={len}-"))]);
    assert_eq!(r.status, 416);
    let etag = full.header("ETag").expect("ETag").to_string();
    let same = server().request("GET", url, &[("Range", "bytes=10-19"), ("If-Range", &etag)]);
    assert_eq!(same.status, 206);
    let changed = server().request(
        "GET",
        url,
        &[("Range", "bytes=10-19"), ("If-Range", "\"other\"")],
    );
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body.len(), len);
    let head = server().request("HEAD", url, &[("Range", "bytes=10-19")]);
    assert_eq!(head.status, 206);
    assert_eq!(head.header("Content-Length"), Some("10"));
    assert!(head.body.is_empty());
}

#[test]
fn odd_file_names_work_in_urls() {
    let dir = temp_dir("names");
    fs::create_dir_all(dir.join("영화 모음 (2)")).unwrap();
    let src = sample_bundle().join("videos/walking-baekdudaegan-2005.mp4");
    let names = ["a#b?c%d&e 서울 (1).mp4", "100% 국산;+=.mp4", "x'y\"z.mp4"];
    for n in names {
        fs::copy(&src, dir.join("영화 모음 (2)").join(n)).unwrap();
    }
    let s = start(&dir);
    let c = s.get("/api/catalog").json();
    let vids = c["videos"].as_array().unwrap();
    assert_eq!(vids.len(), names.len());
    for v in vids {
        for key in ["url", "page"] {
            let r = s.request("HEAD", v[key].as_str().unwrap(), &[]);
            assert_eq!(r.status, 200, "{key} of {}", v["file"]);
        }
        let page = s.get(v["page"].as_str().unwrap()).text();
        assert!(page.contains("<video"));
    }
}

#[test]
fn markdown_is_escaped_and_links_stay_on_the_drive() {
    let dir = temp_dir("md");
    fs::create_dir_all(dir.join("docs")).unwrap();
    fs::write(dir.join("docs/other.md"), "# Other\n").unwrap();
    fs::write(dir.join("docs/pic.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    fs::write(
        dir.join("docs/page.md"),
        "---\ntitle: 시험 문서\n---\n# 제목\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n\
         [out](https://example.org/a) <https://example.org/b> [js](javascript:alert(1)) \
         [other](other.md) [up](../docs/other.md) [escape](../../etc/passwd)\n\n![pic](pic.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    .unwrap();
    let s = start(&dir);
    let r = s.get("/view/docs/page.md");
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("<title>시험 문서"));
    assert!(!t.contains("<script>alert"), "raw HTML passed through");
    assert!(t.contains("&lt;script&gt;"));
    assert!(!t.contains("<img src=x"));
    assert!(!t.contains("href=\"https://example.org"));
    assert!(t.contains("/external?url=https"));
    assert!(!t.contains("javascript:"));
    assert!(t.contains("href=\"/view/docs/other.md\""));
    assert!(!t.contains("/etc/passwd\""), "{t}");
    assert!(t.contains("src=\"/file/docs/pic.png\""));
    assert!(t.contains("<table>"));
    assert_eq!(s.get("/file/docs/pic.png").status, 200);
    assert_eq!(s.get("/file/etc/passwd").status, 404);
    assert_eq!(s.get("/file/docs/../../etc/passwd").status, 404);
}

#[test]
fn home_has_sections_and_welcome() {
    let t = server().get("/").text();
    assert!(t.contains("환영합니다"), "welcome page on top");
    assert!(t.contains("src=\"/file/welcome.png\""));
    for h in ["신문과 문서", "영화", "라디오"] {
        assert!(t.contains(h), "{h}");
    }
    assert!(t.contains("/list/videos"));
    assert!(t.contains("/list/documents"));
    // The welcome page's own links lead to items on the drive.
    assert!(
        t.contains("href=\"/view/newspapers/hanbit-ilbo_2024-02-07.pdf\""),
        "{t}"
    );
}

#[test]
fn listings_sort_filter_and_page() {
    let docs = server().get("/list/documents").text();
    let a = docs.find("누리경제").unwrap();
    let b = docs.find("새벽신문").unwrap();
    assert!(a < b, "newest first");
    let by_title = server().get("/list/documents?sort=title").text();
    assert!(by_title.find("누리경제").unwrap() < by_title.find("한빛일보").unwrap());
    let coll = server().get("/list/videos?collection=videos").text();
    assert!(coll.contains("서울의 겨울"));
    assert_eq!(server().get("/list/nothing").status, 404);

    let dir = temp_dir("many");
    for i in 0..120 {
        fs::write(dir.join(format!("page{i:03}.md")), format!("# 글 {i:03}\n")).unwrap();
    }
    let s = start(&dir);
    let first = s.get("/list/pages?sort=title").text();
    assert!(first.contains("글 000") && first.contains("글 049") && !first.contains("글 050"));
    assert!(first.contains("offset=50"));
    let second = s.get("/list/pages?sort=title&offset=50").text();
    assert!(second.contains("글 050") && !second.contains("글 049"));
}

#[test]
fn search_finds_files_by_title_and_description() {
    let v = server()
        .get(&format!("/api/search?q={}", enc("서울의 겨울")))
        .json();
    let first = &v["results"][0];
    assert_eq!(first["kind"], "video");
    assert!(first["url"].as_str().unwrap().starts_with("/view/videos/"));
    let docs = server()
        .get(&format!("/api/suggest?q={}", enc("새벽")))
        .json();
    assert!(docs
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["kind"] == "document"));
    let html = server()
        .get(&format!("/search?q={}", enc("아침 뉴스")))
        .text();
    assert!(html.contains("/view/radio/"));
}

#[test]
fn audio_page_has_player_and_playlist() {
    let c = catalog();
    let a = &c["audio"][0];
    let t = server().get(a["page"].as_str().unwrap()).text();
    assert!(t.contains("<audio"));
    assert!(t.contains("class=\"playlist\""));
    assert_eq!(
        t.matches("data-src=\"/file/radio/").count(),
        c["audio"].as_array().unwrap().len()
    );
}
