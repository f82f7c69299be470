//! Issue 7, part 5: every page kind, in Korean and English, at 1024×768 and
//! 375×667, with JavaScript on and off, in headless Chromium: no console
//! errors, no failed request to our own server (a 404 for an asset is a
//! broken page), no sideways scrolling, the page's language set; a
//! screenshot of each into `target/screenshots/` for a person to look at.
//! Then the JavaScript-off text check with `w3m -dump`: the home page shows
//! the library and its sections, and its links lead to real pages.
//! Skips with a notice when Chromium or w3m is not installed.

#[path = "browser/mod.rs"]
mod browser;
mod common;
mod kinds;

use browser::{leaving, Page, Res};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A page to load: one of every kind of page (`tests/kinds`, the list the
/// old-engine, script and charset tests walk too), and a second page of
/// results.
struct Kind {
    name: &'static str,
    path: String,
    /// The HTTP status the page itself answers with.
    status: u64,
    /// Our own page (not an archive's), so `<html lang>` is the UI language.
    ours: bool,
}

fn kinds(catalog: &Value) -> Vec<Kind> {
    let mut out: Vec<Kind> = kinds::all(catalog)
        .into_iter()
        .map(|k| Kind {
            name: k.name,
            path: k.path,
            status: u64::from(k.status),
            ours: !k.archive,
        })
        .collect();
    out.push(Kind {
        name: "search-page2",
        path: format!("/search?q={}&offset=20", common::enc("헌법")),
        status: 200,
        ours: true,
    });
    out
}

fn with_lang(path: &str, lang: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}lang={lang}")
}

/// Everything that makes a page look broken, as a list of complaints.
fn problems(page: &mut Page, kind: &Kind, url: &str, lang: &str) -> Res<Vec<String>> {
    let mut out = Vec::new();
    let log = page.log().clone();
    // The viewer's first load tests the browser's containment with one
    // request that the browser must refuse (`http::contain`): refused is
    // the good outcome, not a broken page.
    let probe = |u: &str| u.contains("/_ds/probe-hit?");
    for c in log.errors() {
        // The 404 page's own status is logged as a failed load.
        let own_404 = kind.status == 404 && c.source == "network" && c.url == url;
        if !own_404 && !probe(&c.url) {
            out.push(format!("console {}: {} ({})", c.level, c.text, c.url));
        }
    }
    for r in &log.responses {
        if r.status >= 400 && !(r.url == url && r.status == kind.status) {
            out.push(format!("{} answered {}", r.url, r.status));
        }
    }
    if let Some(r) = log.responses.iter().find(|r| r.url == url) {
        if r.status != kind.status {
            out.push(format!(
                "the page answered {} not {}",
                r.status, kind.status
            ));
        }
    }
    for f in &log.failures {
        if !f.canceled && !probe(&f.url) {
            out.push(format!("failed: {} {} {}", f.url, f.error, f.blocked));
        }
    }
    let outside = leaving(&log.requests);
    if !outside.is_empty() {
        out.push(format!("outside requests: {outside:?}"));
    }
    // Evaluating works with page scripts off: it is the test's script.
    let wide =
        page.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth")?;
    if wide.as_f64().unwrap_or(0.0) > 1.0 {
        out.push(format!("scrolls sideways by {wide} px"));
    }
    if kind.ours {
        let l = page.eval("document.documentElement.lang")?;
        if l.as_str() != Some(lang) {
            out.push(format!("<html lang> is {l}, not {lang}"));
        }
    }
    let title = page.eval("document.title")?;
    if title.as_str().is_none_or(|t| t.trim().is_empty()) {
        out.push("no title".into());
    }
    Ok(out)
}

#[test]
fn every_page_kind_in_both_languages_and_widths() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let server = common::start(&common::sample_bundle());
    let base = server.base_url();
    let catalog = server.get("/api/catalog").json();
    let kinds = kinds(&catalog);
    let shots = browser::screenshot_path("");
    // Only this test's own pictures: other tests keep theirs in folders
    // below (old-engines/).
    for e in std::fs::read_dir(&shots).into_iter().flatten().flatten() {
        if e.path().extension().is_some_and(|x| x == "png") {
            let _ = std::fs::remove_file(e.path());
        }
    }

    let mut page = b.new_page()?;
    let mut complaints = Vec::new();
    let mut loads = 0;
    let (mut t_load, mut t_check, mut t_shot) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (width, height) in [(1024, 768), (375, 667)] {
        page.set_viewport(width, height)?;
        for js in [true, false] {
            page.set_javascript(js)?;
            for lang in ["ko", "en"] {
                for kind in &kinds {
                    // Without JavaScript the viewer sends the browser on to
                    // the article itself (`<noscript>` refresh): that page
                    // is `article`.
                    if !js && kind.name == "viewer" {
                        continue;
                    }
                    let url = format!("{base}{}", with_lang(&kind.path, lang));
                    page.clear_log();
                    let t0 = std::time::Instant::now();
                    page.navigate(&url)?;
                    t_load += t0.elapsed();
                    loads += 1;
                    let what = format!(
                        "{} {lang} {width} JS {}",
                        kind.name,
                        if js { "on" } else { "off" }
                    );
                    let t0 = std::time::Instant::now();
                    for p in
                        problems(&mut page, kind, &url, lang).map_err(|e| format!("{what}: {e}"))?
                    {
                        complaints.push(format!("{what}: {p}"));
                    }
                    t_check += t0.elapsed();
                    let t0 = std::time::Instant::now();
                    // Without JavaScript the layout is the same; one width
                    // of those is enough to look at.
                    if js || width == 1024 {
                        let file = format!(
                            "{}-{lang}-{width}{}.png",
                            kind.name,
                            if js { "" } else { "-nojs" }
                        );
                        page.screenshot_full(&shots.join(file), 2000.0)?;
                    }
                    t_shot += t0.elapsed();
                }
            }
        }
    }
    println!(
        "{loads} page loads ({t_load:?}), checks ({t_check:?}), screenshots ({t_shot:?}) in {}",
        shots.display()
    );
    assert!(
        complaints.is_empty(),
        "broken pages:\n{}",
        complaints.join("\n")
    );
    Ok(())
}

/// `w3m -dump` of `url`, with the link list at the end; w3m's own files go
/// to a throwaway HOME.
fn w3m(url: &str, home: &Path) -> Res<String> {
    let out = Command::new("w3m")
        .args(["-dump", "-O", "UTF-8", "-o", "display_link_number=1", url])
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .output()
        .map_err(|e| format!("w3m: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "w3m {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A UI string as written in `web/i18n/<lang>.txt`.
fn ui_string(lang: &str, key: &str) -> String {
    let file = common::repo().join("web/i18n").join(format!("{lang}.txt"));
    let text = std::fs::read_to_string(&file).expect("i18n file");
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {key} in {}", file.display()))
}

fn w3m_installed() -> bool {
    Command::new("w3m")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn text_browser_reads_every_page_without_javascript() -> Res<()> {
    if !w3m_installed() {
        println!("NOTICE: skipped: w3m not installed");
        return Ok(());
    }
    let server = common::start(&common::sample_bundle());
    let base = server.base_url();
    let home = common::temp_dir("w3m-home");
    let _cleanup = browser::RemoveOnDrop(home.clone());
    let catalog = server.get("/api/catalog").json();

    for lang in ["ko", "en"] {
        let text = w3m(&format!("{base}/?lang={lang}"), &home)?;
        for key in [
            "library_heading",
            "section_documents",
            "section_videos",
            "section_audio",
            "section_pages",
        ] {
            let s = ui_string(lang, key);
            assert!(
                text.contains(&s),
                "home ({lang}) lacks {key} ({s}):\n{text}"
            );
        }
        // Every archive and every item kind shows up by title.
        for z in catalog["zims"].as_array().into_iter().flatten() {
            let t = z["title"].as_str().unwrap_or_default();
            assert!(text.contains(t), "home ({lang}) lacks archive {t}");
        }
        for list in ["documents", "videos", "audio"] {
            let first = catalog[list][0]["title"].as_str().unwrap_or_default();
            assert!(text.contains(first), "home ({lang}) lacks {first}");
        }
        // The links w3m found lead to pages that answer.
        let links: Vec<String> = text
            .lines()
            .skip_while(|l| !l.starts_with("References:"))
            .filter_map(|l| l.split_once("] ").map(|(_, u)| u.trim().to_string()))
            .filter(|u| u.starts_with(&base))
            .collect();
        assert!(links.len() > 10, "few links on home ({lang}): {links:?}");
        for want in ["/content/", "/view/", "/list/"] {
            let link = links
                .iter()
                .find(|u| u.contains(want) && !u.contains("/file/"))
                .ok_or_else(|| format!("no {want} link on home ({lang})"))?;
            let page = w3m(link, &home)?;
            assert!(
                page.lines().filter(|l| !l.trim().is_empty()).count() > 5,
                "{link} shows almost nothing:\n{page}"
            );
            let path = link.strip_prefix(&base).unwrap_or(link);
            let status = server.get(path).status;
            assert!(matches!(status, 200 | 302), "{link} answered {status}");
        }
    }
    // A film page without JavaScript: title, save link, subtitles.
    let film = kinds::first_page(&catalog, "videos", Some(true));
    let text = w3m(&format!("{base}{film}?lang=ko"), &home)?;
    let title = catalog["videos"]
        .as_array()
        .and_then(|v| v.iter().find(|i| i["page"] == film.as_str()))
        .and_then(|i| i["title"].as_str())
        .unwrap_or_default();
    assert!(text.contains(title), "film page lacks its title:\n{text}");
    // Saving goes through the page that says a copy lands here.
    assert!(
        text.contains("/save/"),
        "film page has no link to save the file:\n{text}"
    );
    Ok(())
}
