//! Issue 16, item 5: nothing is saved without saying so. No page of ours
//! links to a file as an attachment (`?download=1`, `download`): every
//! "save" leads to `/save/…`, which says in Korean and English that a copy
//! lands on this computer, and only that page offers the attachment.

mod common;

use common::Server;
use serde_json::Value;

fn ui_string(lang: &str, key: &str) -> String {
    let file = common::repo().join("web/i18n").join(format!("{lang}.txt"));
    let text = std::fs::read_to_string(&file).expect("i18n file");
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {key} in {}", file.display()))
}

/// The words of `save_explain` before its first placeholder, HTML-escaped
/// as the page writes them.
fn explain_head(lang: &str) -> String {
    let s = ui_string(lang, "save_explain");
    let head = &s[..s.find('{').unwrap_or(s.len())];
    head.replace('&', "&amp;").replace('"', "&quot;")
}

/// Every `href="…"` of a page, unescaped.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|p| p.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

fn assert_nothing_saved_straight_away(path: &str, html: &str) {
    for h in hrefs(html) {
        assert!(
            !h.contains("download="),
            "{path} links straight to an attachment: {h}"
        );
    }
    assert!(
        !html.contains(" download>") && !html.contains(" download "),
        "{path} has a link with the download attribute"
    );
}

/// The save page of `save_url`: both languages' warning before the one
/// link that asks for the attachment, and that link really is one.
fn check_save_page(s: &Server, save_url: &str) {
    for lang in ["ko", "en"] {
        let url = format!(
            "{save_url}{}lang={lang}",
            if save_url.contains('?') { '&' } else { '?' }
        );
        let r = s.get(&url);
        assert_eq!(r.status, 200, "{url}");
        let t = r.text();
        let (first, second) = if lang == "ko" {
            ("ko", "en")
        } else {
            ("en", "ko")
        };
        let a = t.find(&explain_head(first));
        let b = t.find(&explain_head(second));
        assert!(a.is_some() && b.is_some(), "{url} lacks a warning:\n{t}");
        let attach: Vec<String> = hrefs(&t)
            .into_iter()
            .filter(|h| h.contains("download=1"))
            .collect();
        assert_eq!(attach.len(), 1, "{url}: {attach:?}");
        let link_at = t.find("download=1").unwrap_or(0);
        assert!(
            a < Some(link_at) && b < Some(link_at),
            "{url}: the warning comes first"
        );
        let head = s.request("HEAD", &attach[0], &[]);
        assert_eq!(head.status, 200, "{}", attach[0]);
        assert!(
            head.header("Content-Disposition")
                .is_some_and(|d| d.starts_with("attachment;")),
            "{} is not an attachment",
            attach[0]
        );
    }
}

#[test]
fn every_page_offers_saving_only_through_the_page_that_says_so() {
    let s = common::start(&common::sample_bundle());
    let catalog: Value = s.get("/api/catalog").json();
    let mut pages = vec![
        "/".to_string(),
        "/list/all".to_string(),
        "/list/videos".to_string(),
        "/list/documents".to_string(),
        "/list/audio".to_string(),
        format!("/search?q={}", common::enc("서울")),
    ];
    for list in ["documents", "videos", "audio", "pages"] {
        for item in catalog[list].as_array().into_iter().flatten() {
            if let Some(p) = item["page"].as_str() {
                pages.push(p.to_string());
            }
        }
    }
    let mut save_links = 0;
    for path in &pages {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        let t = r.text();
        assert_nothing_saved_straight_away(path, &t);
        for h in hrefs(&t).into_iter().filter(|h| h.starts_with("/save/")) {
            check_save_page(&s, &h);
            save_links += 1;
        }
    }
    // Films, recordings and newspapers each offer a copy: one save page
    // each at least.
    let offered = ["documents", "videos", "audio"]
        .iter()
        .map(|l| catalog[*l].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    assert!(
        save_links >= offered,
        "{save_links} save links for {offered} files"
    );
}

#[test]
fn a_page_linking_a_file_no_browser_shows_goes_through_the_save_page() {
    let dir = common::temp_dir("save-notice");
    std::fs::create_dir_all(dir.join("tools")).unwrap();
    std::fs::write(
        dir.join("about.md"),
        "# Tools\n\n[the reader](tools/reader.zip) · [notes](tools/notes.txt)\n",
    )
    .unwrap();
    std::fs::write(dir.join("tools/reader.zip"), b"PK\x05\x06").unwrap();
    std::fs::write(dir.join("tools/notes.txt"), "plain text").unwrap();
    let s = common::start(&dir);
    let t = s.get("/view/about.md").text();
    assert_nothing_saved_straight_away("/view/about.md", &t);
    let links = hrefs(&t);
    assert!(
        links.iter().any(|h| h == "/save/tools/reader.zip"),
        "{links:?}"
    );
    // Text shows in the browser: it stays a plain link.
    assert!(
        links.iter().any(|h| h == "/file/tools/notes.txt"),
        "{links:?}"
    );
    check_save_page(&s, "/save/tools/reader.zip");
    // Back leads home for a file that has no page of its own.
    let page = s.get("/save/tools/reader.zip?lang=en").text();
    assert!(page.contains("href=\"/?lang=en\""), "{page}");
    // Only files the walk found.
    assert_eq!(s.get("/save/tools/missing.zip").status, 404);
    assert_eq!(s.get("/save/..%2Fabout.md").status, 404);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}
