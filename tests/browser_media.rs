//! Issue 3 in a real browser: a film page's video seeks and plays from the
//! new position, its Korean subtitles load as cues, and the audio page plays.
//! Skips with a notice when Chromium is not installed (CI installs it).

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::Res;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn manifest() -> Value {
    let text = std::fs::read_to_string(
        common::repo()
            .join("tests")
            .join("fixtures")
            .join("sample-bundle.manifest.json"),
    )
    .expect("manifest fixture");
    serde_json::from_str(&text).expect("manifest is JSON")
}

/// The first line of the Korean subtitle of the film stored as `file`.
fn first_subtitle_line(manifest: &Value, file: &str) -> Option<String> {
    manifest["videos"]
        .as_array()?
        .iter()
        .find(|v| v["file"] == file)?["subtitle_lines"][0]
        .as_str()
        .map(str::to_string)
}

#[test]
fn film_seeks_plays_and_shows_korean_subtitles() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let server = common::start(&common::sample_bundle());
    let base = server.base_url();
    let catalog = server.get("/api/catalog").json();
    let manifest = manifest();
    let films: Vec<&Value> = catalog["videos"]
        .as_array()
        .ok_or("catalog has no videos")?
        .iter()
        .filter(|v| {
            v["playable"] == true
                && v["subtitles"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|t| t["lang"] == "ko"))
        })
        .collect();
    assert!(!films.is_empty(), "no playable film with Korean subtitles");

    let mut page = b.new_page()?;
    // The first film whose format this Chromium decodes (Debian's build
    // plays WebM everywhere; H.264 depends on the build).
    let mut chosen = None;
    for film in &films {
        let url = format!(
            "{base}{}?lang=ko",
            film["page"].as_str().unwrap_or_default()
        );
        page.navigate(&url)?;
        let can = page.eval(
            "(() => { const v = document.getElementById('player'); \
             const s = v && v.querySelector('source'); \
             return !!(s && v.canPlayType(s.type)); })()",
        )?;
        if can == Value::Bool(true) {
            chosen = Some(*film);
            break;
        }
    }
    let film = chosen.ok_or("this Chromium plays none of the sample films")?;
    let file = film["file"].as_str().unwrap_or_default();
    println!("film: {file}");

    page.wait_true("document.getElementById('player').readyState >= 1", WAIT)?;
    let duration = page.eval("document.getElementById('player').duration")?;
    let duration = duration.as_f64().ok_or("no duration")?;
    assert!(duration > 2.5, "the film is too short to seek: {duration}");

    // Seek to 2 s and wait until the frame there can be shown.
    page.clear_log();
    page.eval(
        "new Promise(resolve => { const v = document.getElementById('player'); \
         v.addEventListener('seeked', () => resolve(true), {once: true}); \
         v.currentTime = 2.0; })",
    )?;
    page.wait_true("document.getElementById('player').readyState >= 2", WAIT)?;
    let at = page
        .eval("document.getElementById('player').currentTime")?
        .as_f64()
        .ok_or("no currentTime")?;
    assert!(
        (at - 2.0).abs() < 0.2,
        "currentTime after seeking to 2: {at}"
    );

    // Plays on from there.
    page.eval(
        "(() => { const v = document.getElementById('player'); v.muted = true; \
         return v.play().then(() => true); })()",
    )?;
    page.wait_true(
        "(() => { const v = document.getElementById('player'); \
         return v.currentTime > 2.1 && !v.error; })()",
        WAIT,
    )?;
    let media_status: Vec<u64> = page
        .log()
        .responses
        .iter()
        .filter(|r| r.url.contains("/file/"))
        .map(|r| r.status)
        .collect();
    println!("media responses while seeking and playing: {media_status:?}");
    assert!(
        media_status.iter().all(|&s| s == 200 || s == 206),
        "media answers: {media_status:?}"
    );

    // The Korean subtitle track loads its cues; the first is the .srt's first line.
    page.eval(
        "(() => { const t = Array.from(document.getElementById('player').textTracks)\
         .find(t => t.language === 'ko'); t.mode = 'showing'; return true; })()",
    )?;
    page.wait_true(
        "(() => { const t = Array.from(document.getElementById('player').textTracks)\
         .find(t => t.language === 'ko'); return !!(t.cues && t.cues.length > 0); })()",
        WAIT,
    )?;
    let cue = page.eval(
        "(() => { const t = Array.from(document.getElementById('player').textTracks)\
         .find(t => t.language === 'ko'); return t.cues[0].text; })()",
    )?;
    let expected = first_subtitle_line(&manifest, file).ok_or("film not in the manifest")?;
    assert_eq!(cue.as_str(), Some(expected.as_str()), "first Korean cue");

    let errors = page.log().errors().len();
    assert_eq!(errors, 0, "console errors: {:?}", page.log().errors());
    Ok(())
}

#[test]
fn audio_page_plays() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let server = common::start(&common::sample_bundle());
    let base = server.base_url();
    let catalog = server.get("/api/catalog").json();
    let audio: Vec<&Value> = catalog["audio"]
        .as_array()
        .ok_or("catalog has no audio")?
        .iter()
        .filter(|a| a["playable"] == true)
        .collect();
    assert!(!audio.is_empty(), "no playable recording");
    let mut page = b.new_page()?;
    let mut played = 0;
    for a in audio {
        let url = format!("{base}{}", a["page"].as_str().unwrap_or_default());
        page.navigate(&url)?;
        let can = page.eval(
            "(() => { const v = document.getElementById('player'); \
             const s = v && v.querySelector('source'); \
             return !!(s && v.canPlayType(s.type)); })()",
        )?;
        if can != Value::Bool(true) {
            println!("NOTICE: this Chromium cannot play {}", a["file"]);
            continue;
        }
        page.eval(
            "(() => { const v = document.getElementById('player'); \
             return v.play().then(() => true); })()",
        )?;
        page.wait_true(
            "(() => { const v = document.getElementById('player'); \
             return v.readyState >= 2 && v.currentTime > 0 && !v.error; })()",
            WAIT,
        )?;
        played += 1;
    }
    assert!(played > 0, "no recording played");
    assert_eq!(page.log().errors().len(), 0, "{:?}", page.log().errors());
    Ok(())
}
