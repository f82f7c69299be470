//! Firefox ESR with the recipients' old settings (Debian's `firefox-esr`,
//! headless, prefs in a fresh profile's `user.js`), on film and document
//! pages: what a Firefox that cannot play MP4 (Windows XP, Naenara) or has
//! no PDF viewer (before Firefox 19) or no JavaScript shows.
//!
//! Theora cannot be checked here: Firefox dropped it after 129, so no
//! browser on this machine plays `.ogv`; `tests/films.rs` checks that the
//! `.ogv` is offered with its codecs, and `ffprobe`-made files are used.
//! Each Firefox start costs a few seconds: three starts in all.

mod browser;
mod common;
#[path = "common/films.rs"]
mod films;

use browser::firefox_old::{self as firefox, Settings};
use common::*;
use films::FILM;
use std::path::PathBuf;
use std::time::Duration;

const PAPER: &str = "newspapers/새벽신문_2024-02-08.pdf";
const WAIT: Duration = Duration::from_secs(20);

/// Films (ffmpeg) and one newspaper of the sample bundle; `None` without
/// ffmpeg or Firefox.
fn bundle() -> Option<PathBuf> {
    if firefox::firefox_path().is_none() {
        println!("NOTICE: skipped: firefox-esr not installed");
        return None;
    }
    if !films::have_ffmpeg() {
        println!("NOTICE: skipped: ffmpeg not installed");
        return None;
    }
    // Made once for the tests of this file, which run at the same time
    // and only read it (each making its own in one folder raced: one
    // test's ffmpeg wrote where another had just emptied the folder).
    static MADE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = MADE.get_or_init(|| {
        let dir = temp_dir("firefox");
        films::make(&dir);
        std::fs::create_dir_all(dir.join("newspapers")).unwrap();
        std::fs::copy(sample_bundle().join(PAPER), dir.join(PAPER)).unwrap();
        dir
    });
    Some(dir.clone())
}

fn film_url(s: &Server, name: &str) -> String {
    format!("{}/view/{}", s.base_url(), enc(&format!("videos/{name}")))
}

const NOTE_SHOWN: &str = "(function(){var n=document.getElementById('no-player');\
    return !!n && n.className.indexOf('shown')>=0 && n.offsetHeight>0;})()";

#[test]
fn firefox_without_mp4_and_webm_says_it_cannot_play_an_mp4_film() {
    let Some(dir) = bundle() else { return };
    let s = start(&dir);
    let Some(mut ff) = firefox::launch(Settings {
        mp4: false,
        webm: false,
        ..Settings::default()
    }) else {
        return;
    };
    ff.navigate(&film_url(&s, "only-mp4.mp4")).unwrap();
    ff.wait_true(NOTE_SHOWN, WAIT).unwrap();
    let text = ff.text().unwrap();
    assert!(
        text.contains("이 브라우저에서는 이 영상을 재생할 수 없습니다"),
        "{text}"
    );
    assert!(
        text.contains("only-mp4.mp4"),
        "the file on the drive: {text}"
    );
    assert!(
        text.contains("재생되는 브라우저: Internet Explorer 9 이상"),
        "{text}"
    );
    let hidden = ff
        .eval("document.getElementById('player').style.display")
        .unwrap();
    assert_eq!(hidden, "none", "no dead player at 0:00");
    ff.screenshot(&browser::screenshot_path("firefox-nomp4-film.png"))
        .unwrap();
    assert!(
        ff.trapped().is_empty(),
        "left the machine: {:?}",
        ff.trapped()
    );
}

#[test]
fn firefox_without_mp4_plays_the_webm_of_a_film_of_three_files() {
    let Some(dir) = bundle() else { return };
    let s = start(&dir);
    let Some(mut ff) = firefox::launch(Settings {
        mp4: false,
        ..Settings::default()
    }) else {
        return;
    };
    ff.navigate(&film_url(&s, &format!("{FILM}.mp4"))).unwrap();
    // The browser picked the WebM among the <source>s and read its header.
    ff.wait_true(
        "(function(){var v=document.getElementById('player');\
         return v.readyState>=1 && /\\.webm$/.test(decodeURIComponent(v.currentSrc));})()",
        WAIT,
    )
    .unwrap();
    assert_eq!(ff.eval(NOTE_SHOWN).unwrap(), false);
    let sources = ff
        .eval("document.getElementsByTagName('source').length")
        .unwrap();
    assert_eq!(sources, 3);
    // Subtitles as a plain link too, for browsers that ignore <track>.
    let link = ff
        .eval("(function(){var a=document.getElementsByTagName('a');for(var i=0;i<a.length;i++){if(/\\/vtt\\//.test(a[i].href))return a[i].offsetHeight>0;}return false;})()")
        .unwrap();
    assert_eq!(link, true);
    ff.screenshot(&browser::screenshot_path("firefox-nomp4-film-webm.png"))
        .unwrap();
}

#[test]
fn firefox_without_javascript_or_pdf_viewer_reads_a_newspaper_page_by_page() {
    let Some(dir) = bundle() else { return };
    let s = start(&dir);
    let Some(mut ff) = firefox::launch(Settings {
        javascript: false,
        pdf_viewer: false,
        mp4: false,
        webm: false,
    }) else {
        return;
    };
    let base = format!("{}/view/{}", s.base_url(), enc(PAPER));
    ff.navigate(&base).unwrap();
    assert_eq!(ff.eval("navigator.pdfViewerEnabled").unwrap(), false);
    let drawn = "(function(){var i=document.querySelector('.page-image img');\
        return !!i && i.complete && i.naturalWidth===900 && i.naturalHeight>900;})()";
    ff.wait_true(drawn, WAIT).unwrap();
    ff.screenshot(&browser::screenshot_path("firefox-nopdf-document.png"))
        .unwrap();
    // Next page by its plain link.
    let next = ff
        .eval("document.querySelector('a[rel=next]').href")
        .unwrap();
    let next = next.as_str().unwrap().to_string();
    assert!(next.ends_with("?page=2"), "{next}");
    ff.navigate(&next).unwrap();
    ff.wait_true(drawn, WAIT).unwrap();
    assert!(ff.text().unwrap().contains("2 / "));

    // A film page without JavaScript: the static line says where it plays.
    ff.navigate(&film_url(&s, "only-mp4.mp4")).unwrap();
    let text = ff.text().unwrap();
    assert!(
        text.contains("재생되는 브라우저: Internet Explorer 9 이상"),
        "{text}"
    );
    assert!(
        ff.trapped().is_empty(),
        "left the machine: {:?}",
        ff.trapped()
    );
}
