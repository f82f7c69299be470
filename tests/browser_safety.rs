//! Issue 8, part 4, in a real browser: archive pages that reference outside
//! images, fonts, scripts, stylesheets, frames, prefetches, refreshes and
//! links load in headless Chromium with JavaScript on and off, and not one
//! request leaves 127.0.0.1. Outside links lead to our `/external` notice,
//! which shows the address as text. Skips with a notice without Chromium.

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::zim::ZimWriter;
use browser::{leaving, Page, Res};
use std::path::Path;

/// Every outside host named in the test archive. The browser is also set up
/// so that these never resolve and any attempt ends at a local trap.
const HOSTS: &[&str] = &[
    "img.example",
    "srcset.example",
    "poster.example",
    "media.example",
    "style.example",
    "font.example",
    "css.example",
    "script.example",
    "frame.example",
    "preconnect.example",
    "prefetch.example",
    "refresh.example",
    "base.example",
    "form.example",
    "object.example",
    "svg.example",
    "fetch.example",
    "elsewhere.example",
    "icon.example",
];

const EXTERNAL_LINK: &str = "https://elsewhere.example/path/page?q=1&r=%ED%95%9C";

fn everything_page() -> String {
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Everything</title>
<link rel="stylesheet" href="https://style.example/site.css">
<link rel="stylesheet" href="style.css">
<link rel="preconnect" href="https://preconnect.example">
<link rel="dns-prefetch" href="//prefetch.example">
<link rel="prefetch" href="https://prefetch.example/next.html">
<link rel="preload" as="image" href="https://prefetch.example/big.png">
<link rel="icon" href="https://icon.example/favicon.ico">
<link rel="manifest" href="https://icon.example/manifest.json">
<script src="https://script.example/tracker.js"></script>
<script src="app.js"></script>
<style>
@import url("https://css.example/import.css");
@font-face {{ font-family: Outside; src: url(https://font.example/outside.woff2) format("woff2"); }}
body {{ font-family: Outside, sans-serif; }}
.bg {{ background-image: url('https://img.example/style-bg.png'); }}
</style>
</head>
<body>
<h1 class="bg">Everything external</h1>
<p id="local"><img src="local.png" alt="local"></p>
<img src="https://img.example/a.png" alt="a">
<img src="//img.example/protocol-relative.png" alt="b">
<img srcset="https://srcset.example/1x.png 1x, https://srcset.example/2x.png 2x" alt="c">
<picture><source srcset="https://srcset.example/pic.webp" type="image/webp"><img src="local.png" alt="d"></picture>
<video poster="https://poster.example/poster.jpg" src="https://media.example/film.mp4" controls></video>
<audio src="https://media.example/sound.mp3" controls></audio>
<video controls><source src="https://media.example/film2.webm" type="video/webm"><track src="https://media.example/subs.vtt" kind="subtitles" srclang="ko"></video>
<div style="background: url(https://img.example/inline-bg.png); width: 10px; height: 10px"></div>
<table background="https://img.example/table.png"><tr><td>t</td></tr></table>
<iframe src="https://frame.example/embed.html" title="frame"></iframe>
<iframe srcdoc="&lt;img src='https://frame.example/srcdoc.png'&gt;" title="srcdoc"></iframe>
<object data="https://object.example/thing.swf"></object>
<embed src="https://object.example/embed.swf">
<svg width="10" height="10"><image href="https://svg.example/i.png" width="10" height="10"></image><image xlink:href="https://svg.example/x.png" width="10" height="10"></image></svg>
<input type="image" src="https://img.example/input.png" alt="go">
<form action="https://form.example/submit" method="get"><input name="q" value="x"><button id="send">send</button></form>
<p><a id="out" href="{EXTERNAL_LINK}">outside</a>
<a id="proto" href="//elsewhere.example/protocol-relative">outside 2</a>
<a id="local-link" href="second">second page</a></p>
</body></html>"#
    )
}

const STYLE_CSS: &str = r#"@import url("https://css.example/from-file.css");
@font-face { font-family: FileFont; src: url("https://font.example/file.woff") format("woff"); }
h1 { font-family: FileFont, sans-serif; background: url(https://img.example/file-bg.png); }
"#;

/// Served from the archive itself, so CSP lets it run; what it tries must
/// still stay inside.
const APP_JS: &str = r#"
try { fetch('https://fetch.example/api').catch(function () {}); } catch (e) {}
try { var x = new XMLHttpRequest(); x.open('GET', 'https://fetch.example/xhr'); x.send(); } catch (e) {}
try { new Image().src = 'https://fetch.example/pixel.gif'; } catch (e) {}
try { navigator.sendBeacon('https://fetch.example/beacon', 'x'); } catch (e) {}
try { new WebSocket('wss://fetch.example/ws'); } catch (e) {}
try { var s = document.createElement('script'); s.src = 'https://script.example/dyn.js'; document.head.appendChild(s); } catch (e) {}
"#;

fn second_page() -> String {
    format!(
        r#"<html><head><title>Second</title><base href="https://base.example/"></head>
<body><h1>Second</h1><img src="relative.png" alt="r"><a id="out" href="{EXTERNAL_LINK}">outside</a>
<a href="mailto:someone@elsewhere.example">mail</a></body></html>"#
    )
}

const REFRESH_PAGE: &str = r#"<html><head><title>Refresh</title>
<meta http-equiv="refresh" content="0; url=https://refresh.example/away">
</head><body><h1>Refresh</h1></body></html>"#;

const REFRESH_JS_PAGE: &str = r#"<html><head><title>Scripted away</title></head>
<body onload="location.href='https://refresh.example/onload'"><h1>Stays</h1>
<img src="x" onerror="this.onerror=null; this.src='https://img.example/onerror.png'"></body></html>"#;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn write_test_zim(file: &Path) {
    let mut z = ZimWriter::new();
    z.add("index", "Everything", "text/html", everything_page());
    z.add("second", "Second", "text/html", second_page());
    z.add("refresh", "Refresh", "text/html", REFRESH_PAGE);
    z.add("scripted", "Scripted away", "text/html", REFRESH_JS_PAGE);
    z.add("style.css", "", "text/css", STYLE_CSS);
    z.add("app.js", "", "application/javascript", APP_JS);
    z.add("local.png", "", "image/png", PNG);
    z.redirect("start", "Start", "index");
    z.main_page("index");
    z.metadata("Title", "Outside references");
    z.metadata("Description", "Pages that point outside in every way");
    z.metadata("Language", "eng");
    z.metadata("Name", "outside_refs");
    z.write(file).expect("write test ZIM");
}

/// Outside URLs written in the markup's own attributes: the server's rewrite
/// (the first wall) must drop every one, so the browser never even tries them.
const MARKUP_URLS: &[&str] = &[
    "style.example/site.css",
    "preconnect.example",
    "prefetch.example",
    "icon.example",
    "script.example/tracker.js",
    "img.example/a.png",
    "img.example/protocol-relative.png",
    "srcset.example",
    "poster.example",
    "media.example",
    "img.example/table.png",
    "frame.example/embed.html",
    "object.example",
    "svg.example",
    "img.example/input.png",
    "form.example",
    "base.example",
    "refresh.example",
    "elsewhere.example",
];

/// Loads `url` and checks that nothing left the machine: any outside request
/// the page made was refused inside the browser (the Content-Security-Policy,
/// the second wall), none got an answer, none reached the trap proxy, and
/// none came from the markup's attributes. Returns the refused ones.
fn load_and_check(page: &mut Page, url: &str, what: &str) -> Res<Vec<String>> {
    page.clear_log();
    page.navigate(url)?;
    check(page, what)
}

/// The checks of `load_and_check` on what the page did since its log was
/// cleared.
fn check(page: &mut Page, what: &str) -> Res<Vec<String>> {
    let log = page.log().clone();
    let out = leaving(&log.requests);
    for u in &out {
        let refused = log
            .failures
            .iter()
            .any(|f| &f.url == u && !f.blocked.is_empty());
        assert!(
            refused,
            "{what}: {u} was requested and not refused by the browser: {:#?}",
            log.failures
        );
        let from_markup = MARKUP_URLS.iter().find(|m| u.contains(*m));
        assert!(
            from_markup.is_none(),
            "{what}: the page's markup still points at {u}"
        );
    }
    let answered: Vec<&String> = log
        .responses
        .iter()
        .map(|r| &r.url)
        .filter(|u| !leaving([*u]).is_empty())
        .collect();
    assert!(
        answered.is_empty(),
        "{what}: answers from outside: {answered:?}"
    );
    let trapped = page.trapped();
    let hits: Vec<&String> = trapped
        .iter()
        .filter(|t| HOSTS.iter().any(|h| t.contains(h)))
        .collect();
    assert!(hits.is_empty(), "{what}: reached the trap proxy: {hits:?}");
    println!(
        "{what}: {} requests; outside ones refused by the browser: {out:?}",
        log.requests.len(),
    );
    Ok(out)
}

fn bundle() -> std::path::PathBuf {
    let dir = common::temp_dir("browser-safety");
    let zims = dir.join("archives");
    std::fs::create_dir_all(&zims).expect("dir");
    write_test_zim(&zims.join("outside_refs.zim"));
    let wiki = common::sample_bundle()
        .join("wikipedia")
        .join("wikipedia_ko_sample_2024-02.zim");
    std::fs::copy(&wiki, zims.join("wikipedia_ko_sample_2024-02.zim")).expect("copy sample ZIM");
    dir
}

#[test]
fn nothing_leaves_the_machine() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let dir = bundle();
    let _cleanup = browser::RemoveOnDrop(dir.clone());
    let server = common::start(&dir);
    let base = server.base_url();

    // The test archive opens through our own reader.
    let catalog = server.get("/api/catalog").json();
    let ids: Vec<&str> = catalog["zims"]
        .as_array()
        .ok_or("no zims")?
        .iter()
        .filter_map(|z| z["id"].as_str())
        .collect();
    assert!(ids.contains(&"outside_refs"), "catalog: {catalog}");
    assert_eq!(server.get("/content/outside_refs/index").status, 200);

    // Sample wiki pages that link outside, found in their stored bytes.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/fixtures/sample-bundle.manifest.json"))
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let wiki_id = "wikipedia_ko_sample_2024-02";
    let mut wiki_pages = vec![String::new()];
    for a in manifest["zims"][0]["articles_list"]
        .as_array()
        .ok_or("no articles")?
    {
        let path = common::enc(a["path"].as_str().unwrap_or_default());
        let raw = server.get(&format!("/raw/{wiki_id}/{path}")).text();
        if raw.contains("http://") || raw.contains("https://") {
            wiki_pages.push(path);
        }
        if wiki_pages.len() >= 6 {
            break;
        }
    }
    assert!(wiki_pages.len() > 1, "no sample article links outside");

    let mut page = b.new_page()?;
    for js in [true, false] {
        page.set_javascript(js)?;
        let mode = if js { "JS on" } else { "JS off" };
        for p in ["index", "second", "refresh", "start"] {
            let url = format!("{base}/content/outside_refs/{p}");
            let refused = load_and_check(&mut page, &url, &format!("{p} ({mode})"))?;
            if !js {
                // Only CSS and srcdoc contents are left for the browser's wall.
                assert!(
                    refused
                        .iter()
                        .all(|u| !u.contains("fetch.example") && !u.contains("dyn.js")),
                    "script ran with JavaScript off: {refused:?}"
                );
            }
        }
        // The refresh pages stayed where they were.
        let at = page.url()?;
        assert!(at.starts_with(&base), "navigated away to {at} ({mode})");
        for p in &wiki_pages {
            let url = format!("{base}/content/{wiki_id}/{p}");
            let refused = load_and_check(&mut page, &url, &format!("wiki {p} ({mode})"))?;
            // Real archive pages: the server's rewrite alone keeps everything in.
            assert!(refused.is_empty(), "wiki {p} ({mode}) tried {refused:?}");
        }

        // A click on an outside link ends on our notice, the address as text.
        for (from, link) in [("index", "#out"), ("second", "#out"), ("index", "#proto")] {
            page.navigate(&format!("{base}/content/outside_refs/{from}"))?;
            page.clear_log();
            page.navigating(|p| p.click(link))?;
            let at = page.url()?;
            assert!(
                at.starts_with(&format!("{base}/external?url=")),
                "{from} {link} ({mode}) went to {at}"
            );
            let text = page.text()?;
            let shown = if link == "#proto" {
                "//elsewhere.example/protocol-relative"
            } else {
                EXTERNAL_LINK
            };
            assert!(
                text.contains(shown),
                "the notice does not show {shown} ({mode}): {text}"
            );
            let out = check(&mut page, &format!("click {from} {link} ({mode})"))?;
            assert!(out.is_empty(), "the notice page asked for {out:?}");
        }
        // The form to another site goes nowhere either.
        page.navigate(&format!("{base}/content/outside_refs/index"))?;
        page.clear_log();
        let _ = page.click("#send");
        let _ = page.wait_load();
        let at = page.url()?;
        assert!(at.starts_with(&base), "the form ({mode}) went to {at}");
        check(&mut page, &format!("form ({mode})"))?;
    }
    let hits: Vec<String> = page
        .trapped()
        .into_iter()
        .filter(|t| HOSTS.iter().any(|h| t.contains(h)))
        .collect();
    assert!(hits.is_empty(), "reached the trap proxy: {hits:?}");
    Ok(())
}

/// Known gap, kept visible: archive pages may run their own inline scripts
/// (their CSP allows it so archives keep working), and no CSP directive stops
/// a script from sending the whole tab to another site. With JavaScript off
/// the same page stays put (checked above for the markup; here for the
/// script). Run with `cargo test --test browser_safety -- --ignored`.
#[test]
fn archive_script_cannot_navigate_away() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let dir = bundle();
    let _cleanup = browser::RemoveOnDrop(dir.clone());
    let server = common::start(&dir);
    let base = server.base_url();
    let mut page = b.new_page()?;
    for js in [false, true] {
        page.set_javascript(js)?;
        page.clear_log();
        page.start_navigation(&format!("{base}/content/outside_refs/scripted"))?;
        page.pause(std::time::Duration::from_secs(3))?;
        let out = leaving(&page.log().requests);
        let at = page.url()?;
        assert!(
            out.is_empty() && at.starts_with(&base),
            "JS {}: went to {at}, asked for {out:?}, trap saw {:?}",
            if js { "on" } else { "off" },
            page.trapped()
        );
    }
    Ok(())
}
