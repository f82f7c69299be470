//! One film as several files (`.mp4`, `.webm`, `.ogv` of one name), made
//! here with ffmpeg: one catalog item, one page with a `<source>` per file
//! (type and codecs read from each file), the note for browsers that play
//! none of them (inside `<video>`, for IE <= 8 and NetSurf), subtitles as
//! plain links, and which browsers play what in `/api/catalog` and `check`.

mod common;
#[path = "common/films.rs"]
mod films;

use common::*;
use films::FILM;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// A bundle with the films of `films::make`; `None` (with a notice) when
/// ffmpeg is missing.
fn bundle() -> Option<&'static PathBuf> {
    static B: OnceLock<Option<PathBuf>> = OnceLock::new();
    B.get_or_init(|| {
        if !films::have_ffmpeg() {
            println!("NOTICE: skipped: ffmpeg not installed");
            return None;
        }
        let dir = temp_dir("films");
        films::make(&dir);
        Some(dir)
    })
    .as_ref()
}

fn server() -> Option<&'static Server> {
    static S: OnceLock<Option<Server>> = OnceLock::new();
    S.get_or_init(|| bundle().map(|b| start(b))).as_ref()
}

fn view(name: &str) -> String {
    format!("/view/{}", enc(&format!("videos/{name}")))
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn one_film_one_item_in_catalog_listing_and_search() {
    let Some(s) = server() else { return };
    let c = s.get("/api/catalog").json();
    let films: Vec<&Value> = c["videos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["title"] == "서울의 겨울")
        .collect();
    assert_eq!(films.len(), 1, "{:#}", c["videos"]);
    let film = films[0];
    assert_eq!(film["file"], format!("videos/{FILM}.mp4"));
    let files = film["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            format!("videos/{FILM}.mp4"),
            format!("videos/{FILM}.webm"),
            format!("videos/{FILM}.OGV"),
        ]
    );
    // Types with codecs, read from each file's header.
    assert!(files[0]["type"]
        .as_str()
        .unwrap()
        .starts_with("video/mp4; codecs=\"avc1.42"));
    assert_eq!(files[1]["type"], "video/webm; codecs=\"vp8, vorbis\"");
    assert_eq!(files[2]["type"], "video/ogg; codecs=\"theora, vorbis\"");
    let browsers = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["browser"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(browsers(&files[0]["plays_in"]), ["ie", "chrome", "firefox"]);
    assert_eq!(files[0]["plays_in"][0]["from"], "9");
    assert_eq!(files[0]["plays_in"][2]["system"], "windows7");
    assert_eq!(browsers(&files[1]["plays_in"]), ["chrome", "firefox"]);
    assert_eq!(
        browsers(&files[2]["plays_in"]),
        ["naenara", "chrome", "firefox"]
    );
    assert_eq!(
        browsers(&film["plays_in"]),
        ["ie", "chrome", "firefox", "naenara"]
    );
    assert_eq!(film["subtitles"].as_array().unwrap().len(), 1);
    let avi = c["videos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["file"] == "videos/only-avi.avi")
        .unwrap();
    assert_eq!(avi["plays_in"], serde_json::json!([]));
    assert_eq!(avi["playable"], false);

    let list = s.get("/list/videos").text();
    assert_eq!(count(&list, ">서울의 겨울</a>"), 1, "{list}");
    let found = s.get(&format!("/search?q={}", enc("서울의 겨울"))).text();
    assert_eq!(count(&found, ">서울의 겨울</a>"), 1, "{found}");
}

#[test]
fn film_page_has_a_source_per_file_and_a_note_without_a_player() {
    let Some(s) = server() else { return };
    let r = s.get(&view(&format!("{FILM}.mp4")));
    assert_eq!(r.status, 200);
    let html = r.text();
    assert_eq!(count(&html, "<source "), 3, "{html}");
    let mp4 = html.find(&format!("{}.mp4\" type=\"video/mp4; codecs=", enc(FILM)));
    let webm = html.find("type=\"video/webm; codecs=&quot;vp8, vorbis&quot;\"");
    let ogv = html.find("type=\"video/ogg; codecs=&quot;theora, vorbis&quot;\"");
    assert!(
        mp4.is_some() && webm.is_some() && ogv.is_some(),
        "sources: {html}"
    );
    assert!(mp4 < webm && webm < ogv, "MP4, then WebM, then Ogg");
    // The fallback inside <video>: what IE <= 8 and NetSurf show.
    let video = &html[html.find("<video").unwrap()..html.find("</video>").unwrap()];
    assert!(video.contains("id=\"no-player\""), "{video}");
    assert!(
        video.contains("이 브라우저에서는 이 영상을 재생할 수 없습니다"),
        "{video}"
    );
    let root = bundle().unwrap().to_string_lossy().into_owned();
    let shown = if cfg!(windows) {
        format!("{root}\\videos\\{FILM}.OGV")
    } else {
        format!("{root}/videos/{FILM}.OGV")
    };
    assert!(
        video.contains(&format!("<code>{shown}</code>")),
        "{shown} in {video}"
    );
    assert!(video.contains("Ogg (Theora)"));
    // <track> for new browsers, a plain link for old ones.
    assert!(video.contains("<track kind=\"subtitles\""));
    let after = &html[html.find("</video>").unwrap()..];
    assert!(
        after.contains(&format!(
            "href=\"/vtt/{}\"",
            enc(&format!("videos/{FILM}.ko.srt"))
        )),
        "{after}"
    );
    assert!(after.contains("재생되는 브라우저: Internet Explorer 9 이상"));
    assert!(after.contains("Naenara (Red Star OS 3) 3 이상"));
    assert!(html.contains("film.js\"></script>"));

    // Any file of the film leads to the same page.
    let other = s.get(&view(&format!("{FILM}.webm")));
    assert_eq!(other.status, 200);
    assert_eq!(count(&other.text(), "<source "), 3);
    let en = s.get(&format!("{}?lang=en", view(&format!("{FILM}.mp4"))));
    assert!(en.text().contains("This browser cannot play this film."));
    assert!(en.text().contains("Plays in: Internet Explorer 9+"));
}

#[test]
fn film_no_browser_plays_names_its_file() {
    let Some(s) = server() else { return };
    let html = s.get(&view("only-avi.avi")).text();
    assert!(!html.contains("<video"), "{html}");
    assert!(html.contains("AVI (MPEG4)"), "{html}");
    assert!(html.contains("only-avi.avi</code>"), "{html}");
}

#[test]
fn film_script_is_served_and_es3_shaped() {
    let Some(s) = server() else { return };
    let r = s.get(&format!("{}film.js", driveshelf::assets::PREFIX));
    assert_eq!(r.status, 200);
    let js = r.text();
    assert!(js.contains("canPlayType"));
    // ES3: no let/const/arrow functions; addEventListener only behind a test.
    for bad in ["let ", "const ", "=>"] {
        assert!(!js.contains(bad), "{bad} in film.js");
    }
    assert!(js.contains("].addEventListener) {"));
}

#[test]
fn check_says_which_browsers_play_each_file() {
    let Some(dir) = bundle() else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .args(["check", "--json", "--lang", "en"])
        .arg(dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let families = |file: &str| -> Option<String> {
        let e = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == format!("videos/{file}"))
            .unwrap_or_else(|| panic!("{file} not in {v:#}"));
        e["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "media_plays_in")
            .map(|f| f["args"]["families"].as_str().unwrap().to_string())
    };
    assert_eq!(
        families(&format!("{FILM}.mp4")).as_deref(),
        Some("ie,chrome,firefox")
    );
    assert_eq!(
        families(&format!("{FILM}.webm")).as_deref(),
        Some("chrome,firefox")
    );
    assert_eq!(
        families(&format!("{FILM}.OGV")).as_deref(),
        Some("naenara,chrome,firefox")
    );
    assert_eq!(families("only-avi.avi"), None);
    let text = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .args(["check", "--lang", "en"])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Plays in: Internet Explorer 9+, Chrome 4+, Firefox 21+ (Windows 7+)"),
        "{text}"
    );
}
