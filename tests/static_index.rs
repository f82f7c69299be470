//! `driveshelf prepare` writes `index.html` at the top of the drive: the way
//! in with no program (Windows XP, a locked-down computer).
//!
//! - every film, newspaper and recording, every poster and subtitle, is a
//!   link whose target is there — read by our own parser, and opened over
//!   `file://` by w3m, byte for byte;
//! - the page loads in NetSurf (CSS 2.1, no script) with the posters;
//! - no script, UTF-8 declared twice, nothing that leaves the drive;
//! - run twice it leaves the same files; it never touches an `index.html`
//!   it did not write.
//!
//! w3m, NetSurf (`netsurf-gtk`, `xvfb-run`, ImageMagick) and the
//! `make-bundle` bundle (Python `libzim`, `pillow`, `reportlab`, `ffmpeg`)
//! are used when installed (`.ci/run` installs them); otherwise the part
//! that needs them prints `NOTICE: skipped`.

mod common;

use common::{sample_bundle, shared, temp_dir};
use driveshelf::archive::ClusterCache;
use driveshelf::bundle::{Catalog, Kind};
use percent_encoding::percent_decode_str;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::SystemTime;

fn prepare(dir: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .arg("prepare")
        .arg(dir)
        .output()
        .expect("driveshelf runs");
    assert!(
        out.status.success(),
        "prepare failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The summary line about `index.html` (prepare also reports its other
/// products).
fn index_line(o: &Output) -> String {
    stdout(o)
        .lines()
        .find(|l| l.starts_with("index.html:"))
        .unwrap_or_else(|| panic!("no index.html line in {}", stdout(o)))
        .to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    snapshot_but(dir, None)
}

/// The same without prepare's hidden folder (its search index is another
/// product, with tests of its own).
fn drive_files(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    snapshot_but(dir, Some(&dir.join(".driveshelf")))
}

fn snapshot_but(dir: &Path, skip: Option<&Path>) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = fs::symlink_metadata(e.path()).unwrap();
            if skip.is_some_and(|s| s == e.path()) {
                continue;
            }
            if meta.is_dir() {
                todo.push(e.path());
            } else if meta.is_file() {
                let bytes = fs::read(e.path()).unwrap();
                out.insert(e.path(), (bytes, meta.modified().unwrap()));
            }
        }
    }
    out
}

/// A copy of the sample bundle with names that need escaping in a link.
fn awkward_bundle(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    copy_dir(&sample_bundle(), &dir);
    let v = dir.join("videos");
    let film = "영화 #1 100% 'x' & y?";
    fs::copy(
        v.join("walking-baekdudaegan-2005.mp4"),
        v.join(format!("{film}.mp4")),
    )
    .unwrap();
    fs::copy(
        v.join("walking-baekdudaegan-2005.jpg"),
        v.join(format!("{film}.jpg")),
    )
    .unwrap();
    fs::copy(
        v.join("walking-baekdudaegan-2005.ko.srt"),
        v.join(format!("{film}.ko.srt")),
    )
    .unwrap();
    fs::write(
        v.join(format!("{film}.md")),
        "---\ntitle: 이상한 이름의 영화\nyear: 2001\n---\n설명: [신문](../newspapers/a:b%20신문%20[1].pdf), \
         [밖](https://example.org/), ![그림](%EC%98%81%ED%99%94%20%231%20100%25%20'x'%20&%20y%3F.jpg)\n",
    )
    .unwrap();
    let n = dir.join("newspapers");
    let pdf = fs::read_dir(&n).unwrap().next().unwrap().unwrap().path();
    fs::copy(&pdf, n.join("a:b 신문 [1].pdf")).unwrap();
    let r = dir.join("radio");
    let mp3 = fs::read_dir(&r)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "mp3"))
        .unwrap();
    fs::copy(&mp3, r.join("semi;colon=+,!.mp3")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = std::ffi::OsStr::from_bytes(b"\xff\xfe not unicode.mp3");
        fs::copy(&mp3, r.join(bad)).unwrap();
    }
    dir
}

/// The values of `href="…"` and `src="…"` in our own page (which always
/// writes them double-quoted), entities undone.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(p) = rest.find(attr) {
            rest = &rest[p + attr.len()..];
            let end = rest.find('"').expect("closing quote");
            out.push(
                rest[..end]
                    .replace("&amp;", "&")
                    .replace("&#39;", "'")
                    .replace("&quot;", "\""),
            );
            rest = &rest[end..];
        }
    }
    out
}

/// Where a relative link of `dir/index.html` leads, as a browser on this
/// machine resolves it (UTF-8 file names).
fn target(dir: &Path, href: &str) -> PathBuf {
    assert!(!href.contains("://") && !href.starts_with('/'), "{href}");
    assert!(
        !href.contains('#') && !href.contains('?'),
        "unescaped: {href}"
    );
    let mut p = dir.to_path_buf();
    for seg in href.split('/') {
        let bytes: Vec<u8> = percent_decode_str(seg).collect();
        let name = String::from_utf8(bytes).expect("UTF-8 link");
        assert!(!name.is_empty() && name != "." && name != "..", "{href}");
        p.push(name);
    }
    p
}

/// Checks the page at the top of `dir` and returns the files it links.
fn check_index(dir: &Path) -> BTreeSet<PathBuf> {
    let bytes = fs::read(dir.join("index.html")).expect("index.html written");
    let html = String::from_utf8(bytes).expect("UTF-8");
    let head = &html[..1024.min(html.len())];
    assert!(head.starts_with("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01"));
    assert!(
        head.contains("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">")
    );
    assert!(head.contains("<meta charset=\"utf-8\">"));
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "javascript:",
        " onload=",
        " onclick=",
        " onerror=",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "url(",
    ] {
        assert!(!lower.contains(bad), "{bad} in index.html");
    }
    // The only address off the drive is the doctype's, which no browser loads.
    assert_eq!(lower.matches("http://").count(), 1, "{html}");
    assert!(
        !lower.contains("https://") && !lower.contains("//example"),
        "{html}"
    );
    assert!(html.contains("영화") && html.contains("Films"));

    let mut targets = BTreeSet::new();
    for l in links(&html) {
        if let Some(name) = l.strip_prefix('#') {
            assert!(html.contains(&format!("<a name=\"{name}\">")), "anchor {l}");
            continue;
        }
        let t = target(dir, &l);
        assert!(t.is_file(), "link {l} → {} is not there", t.display());
        targets.insert(t);
    }

    // Every film, newspaper and recording, poster and subtitle is linked;
    // only a name that is not Unicode is not (and the page says so).
    let catalog = Catalog::build(dir, Arc::new(ClusterCache::new(1 << 20)));
    let mut unlinkable = 0;
    for kind in [Kind::Video, Kind::Document, Kind::Audio] {
        for item in catalog.items_of(kind) {
            if item.path.to_str().is_none() {
                unlinkable += 1;
                continue;
            }
            assert!(targets.contains(&item.path), "{} not linked", item.rel);
            let title = driveshelf::render::html::escape(&item.details().title);
            assert!(html.contains(&title), "{title} not shown");
            if let Some(p) = &item.poster {
                assert!(targets.contains(&dir.join(p)), "poster {p} not shown");
            }
            for s in &item.subtitles {
                assert!(
                    targets.contains(&dir.join(&s.rel)),
                    "subtitle {} not linked",
                    s.rel
                );
            }
        }
    }
    assert_eq!(
        html.matches("driveshelf 프로그램으로 여세요").count(),
        unlinkable,
        "the note for names that cannot be linked"
    );
    for page in catalog.items_of(Kind::Page) {
        let title = driveshelf::render::html::escape(&page.details().title);
        assert!(html.contains(&title), "page {title} not shown");
    }
    targets
}

fn installed(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

/// w3m follows every link of the page over `file://` and reads the very
/// bytes of the file it names.
fn w3m_opens_every_link(dir: &Path, targets: &BTreeSet<PathBuf>) {
    if !installed("w3m", "-version") {
        println!("NOTICE: skipped: w3m not installed");
        return;
    }
    let home = temp_dir("w3m-home-index");
    let w3m = |args: &[&str]| {
        let out = Command::new("w3m")
            .args(args)
            .env("HOME", &home)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("w3m");
        assert!(out.status.success(), "w3m {args:?}");
        out.stdout
    };
    let page = format!("file://{}/index.html", dir.display());
    let dump = String::from_utf8_lossy(&w3m(&[
        "-dump",
        "-O",
        "UTF-8",
        "-o",
        "display_link_number=1",
        &page,
    ]))
    .into_owned();
    assert!(dump.contains("영화") && dump.contains("Films"), "{dump}");
    let refs: BTreeSet<&str> = dump
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, u)| u.trim()))
        .filter(|u| u.starts_with("file://") && !u.contains("index.html#"))
        .collect();
    let mut opened = BTreeSet::new();
    for url in &refs {
        let path: Vec<u8> = percent_decode_str(url.trim_start_matches("file://")).collect();
        let path = PathBuf::from(String::from_utf8(path).expect("UTF-8 path"));
        let body = w3m(&["-dump_source", url]);
        assert_eq!(
            body,
            fs::read(&path).expect("w3m's link names a file"),
            "{url}"
        );
        opened.insert(path);
    }
    // Every link the page has, w3m found and opened (posters are images,
    // which w3m lists only when they are links).
    let linked: BTreeSet<&PathBuf> = targets
        .iter()
        .filter(|t| t.extension().is_some_and(|e| e != "jpg" && e != "png"))
        .collect();
    for t in linked {
        assert!(opened.contains(t), "w3m did not open {}", t.display());
    }
    let _ = fs::remove_dir_all(&home);
}

/// NetSurf (CSS 2.1, no script) at the films, under a private X server; the
/// screenshot must hold the posters (photographs: thousands of colours),
/// which it only does when NetSurf found their files.
fn netsurf_shows_the_posters(dir: &Path, shot: &str) {
    if !on_path("netsurf-gtk") {
        println!("NOTICE: skipped: netsurf-gtk not installed");
        return;
    }
    if !on_path("xvfb-run") || !on_path("import") || !installed("convert", "-version") {
        println!("NOTICE: skipped: xvfb-run or ImageMagick not installed");
        return;
    }
    let home = temp_dir("netsurf-home");
    fs::create_dir_all(home.join(".config/netsurf")).unwrap();
    fs::write(
        home.join(".config/netsurf/Choices"),
        "enable_javascript:0\n",
    )
    .unwrap();
    let out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    fs::create_dir_all(&out_dir).unwrap();
    let png = out_dir.join(shot);
    let _ = fs::remove_file(&png);
    let url = format!("file://{}/index.html#films", dir.display());
    // Screenshots until the posters are in (or 40 s): no fixed wait.
    let script = r#"netsurf-gtk "$1" >/dev/null 2>&1 & P=$!
i=0
while [ $i -lt 40 ]; do
  sleep 1
  if import -window root "$2.tmp.png" 2>/dev/null; then
    mv "$2.tmp.png" "$2"
    [ "$(convert "$2" -format %k info:)" -gt 4000 ] && break
  fi
  i=$((i+1))
done
kill $P"#;
    let status = Command::new("xvfb-run")
        .args([
            "-a",
            "-s",
            "-screen 0 1024x768x24",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&url)
        .arg(&png)
        .env("HOME", &home)
        .status()
        .expect("xvfb-run");
    assert!(status.success(), "xvfb-run netsurf");
    let colours = Command::new("convert")
        .arg(&png)
        .args(["-format", "%k", "info:"])
        .output()
        .expect("convert");
    let n: u32 = String::from_utf8_lossy(&colours.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(
        n > 4000,
        "NetSurf showed {n} colours: no posters? see {}",
        png.display()
    );
    let _ = fs::remove_dir_all(&home);
}

#[test]
fn index_html_links_every_file_even_with_awkward_names() {
    let dir = awkward_bundle("index-awkward");
    let out = prepare(&dir);
    assert!(index_line(&out).contains("written"), "{}", stdout(&out));
    let targets = check_index(&dir);
    let html = fs::read_to_string(dir.join("index.html")).unwrap();
    // ASCII escaped, Hangul kept (Internet Explorer reads %XX in file: URLs
    // in the ANSI code page).
    assert!(
        html.contains("href=\"videos/영화%20%231%20100%25%20%27x%27%20%26%20y%3F.mp4\""),
        "{html}"
    );
    assert!(
        html.contains("newspapers/a%3Ab%20신문%20%5B1%5D.pdf"),
        "{html}"
    );
    assert!(html.contains("radio/semi;colon=+,!.mp3"), "{html}");
    // The description's link to the newspaper and its picture resolve;
    // the outside link is text.
    assert!(
        html.contains("<a href=\"newspapers/a%3Ab%20신문%20%5B1%5D.pdf\">신문</a>"),
        "{html}"
    );
    assert!(html.contains("밖") && !html.contains("example.org"));
    w3m_opens_every_link(&dir, &targets);
    netsurf_shows_the_posters(&dir, "index-html-netsurf-awkward.png");
    let _ = fs::remove_dir_all(&dir);
}

/// A bundle made by `../shared/tools/make-bundle`, not by our own fixtures.
#[test]
fn index_html_of_a_make_bundle_drive() {
    let Some(tool) = shared().map(|s| s.join("tools/make-bundle")) else {
        println!("NOTICE: skipped: ../shared is not there");
        return;
    };
    let deps = Command::new("python3")
        .args(["-c", "import libzim, PIL, reportlab"])
        .status()
        .is_ok_and(|s| s.success());
    if !deps || !installed("ffmpeg", "-version") {
        println!("NOTICE: skipped: make-bundle needs python3 libzim pillow reportlab and ffmpeg");
        return;
    }
    let dir = temp_dir("index-make-bundle");
    let made = Command::new("python3")
        .arg(&tool)
        .args([
            "--articles",
            "20",
            "--videos",
            "2",
            "--audio",
            "2",
            "--pdfs",
            "2",
            "--seed",
            "7",
            "--force",
        ])
        .arg(&dir)
        .output()
        .expect("make-bundle");
    assert!(
        made.status.success(),
        "make-bundle: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let before = drive_files(&dir);
    prepare(&dir);
    let after = drive_files(&dir);
    // Only index.html is new (besides prepare's hidden folder); nothing
    // else changed.
    let mut added: Vec<&PathBuf> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    added.sort();
    assert_eq!(added, vec![&dir.join("index.html")]);
    for (k, v) in &before {
        assert_eq!(after.get(k), Some(v), "{} changed", k.display());
    }
    let targets = check_index(&dir);
    w3m_opens_every_link(&dir, &targets);
    netsurf_shows_the_posters(&dir, "index-html-netsurf-make-bundle.png");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn prepare_twice_leaves_the_same_files_and_a_changed_drive_is_written_again() {
    let dir = temp_dir("index-twice");
    copy_dir(&sample_bundle(), &dir);
    assert!(index_line(&prepare(&dir)).contains("written"));
    let first = snapshot(&dir);
    let out = prepare(&dir);
    assert!(index_line(&out).contains("unchanged"), "{}", stdout(&out));
    assert_eq!(snapshot(&dir), first, "the second run changed something");
    assert!(!dir.join("index.html.driveshelf-new").exists());

    // A new recording: the page is written again and lists it.
    let radio = dir.join("radio");
    let ogg = fs::read_dir(&radio)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ogg"))
        .unwrap();
    fs::copy(&ogg, radio.join("새 녹음 2030-01-01.ogg")).unwrap();
    assert!(index_line(&prepare(&dir)).contains("updated"));
    let html = fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("radio/새%20녹음%202030-01-01.ogg"));
    check_index(&dir);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn prepare_never_touches_an_index_html_it_did_not_write() {
    let dir = temp_dir("index-not-ours");
    copy_dir(&sample_bundle(), &dir);
    let mine = "<html><body>우리가 만든 목록</body></html>\n";
    fs::write(dir.join("index.html"), mine).unwrap();
    let before = drive_files(&dir);
    let out = prepare(&dir);
    assert!(index_line(&out).contains("skipped"), "{}", stdout(&out));
    assert_eq!(drive_files(&dir), before);

    // Ours, then edited by hand: left as it is too.
    fs::remove_file(dir.join("index.html")).unwrap();
    prepare(&dir);
    let ours = fs::read_to_string(dir.join("index.html")).unwrap();
    let edited = ours.replace("</h1>", " — 편집함</h1>");
    fs::write(dir.join("index.html"), &edited).unwrap();
    let before = drive_files(&dir);
    assert!(index_line(&prepare(&dir)).contains("skipped"));
    assert_eq!(drive_files(&dir), before);

    // A folder of that name, and a link to a file elsewhere.
    fs::remove_file(dir.join("index.html")).unwrap();
    fs::create_dir(dir.join("index.html")).unwrap();
    assert!(index_line(&prepare(&dir)).contains("skipped"));
    assert!(dir.join("index.html").is_dir());
    #[cfg(unix)]
    {
        fs::remove_dir(dir.join("index.html")).unwrap();
        let elsewhere = temp_dir("index-elsewhere");
        fs::write(elsewhere.join("target.html"), &ours).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("target.html"), dir.join("index.html")).unwrap();
        assert!(index_line(&prepare(&dir)).contains("skipped"));
        assert_eq!(
            fs::read_to_string(elsewhere.join("target.html")).unwrap(),
            ours
        );
        assert!(fs::symlink_metadata(dir.join("index.html"))
            .unwrap()
            .file_type()
            .is_symlink());
        let _ = fs::remove_dir_all(&elsewhere);
    }
    // Never written over: a file in the way of the temporary name.
    let dir2 = temp_dir("index-temp-taken");
    copy_dir(&sample_bundle(), &dir2);
    fs::write(dir2.join("index.html.driveshelf-new"), "someone's").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .arg("prepare")
        .arg(&dir2)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        fs::read_to_string(dir2.join("index.html.driveshelf-new")).unwrap(),
        "someone's"
    );
    assert!(!dir2.join("index.html").exists());
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::remove_dir_all(&dir2);
}
