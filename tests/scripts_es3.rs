//! Issue 16, item 2: every script we serve parses as ECMAScript 3, so IE 8
//! and Firefox 3.5 (Red Star OS) run it: the files of `web/assets/`, every
//! script a page of ours loads, and every inline script of every page kind
//! (the containment probe's). Checked with acorn's ES3 mode (npm's `acorn`,
//! what `acorn --ecma3` runs) plus reserved words as property names, which
//! IE 8 rejects and acorn lets through (`tests/es3/check.js`).
//!
//! acorn is looked for in `$DRIVESHELF_ACORN_DIR`, then `target/acorn`
//! (`.ci/run` installs it there: `npm install --prefix target/acorn acorn@8`);
//! without node or acorn the test prints `NOTICE: skipped` and passes.

mod common;
mod kinds;

use std::path::{Path, PathBuf};
use std::process::Command;

fn acorn_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DRIVESHELF_ACORN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join("target").join("acorn"));
    dir.join("node_modules/acorn/package.json")
        .is_file()
        .then_some(dir)
}

fn node_works() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the checker on `files`: `Ok` when all pass, else what it printed.
fn check(acorn: &Path, files: &[PathBuf]) -> Result<(), String> {
    let out = Command::new("node")
        .arg(common::repo().join("tests/es3/check.js"))
        .arg(acorn)
        .args(files)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `(src attribute or None, body)` of every `<script>` element.
fn scripts(html: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<script") {
        let start = at + i;
        let Some(tag_end) = lower[start..].find('>').map(|e| start + e) else {
            break;
        };
        let tag = &html[start..tag_end];
        let src = tag
            .split("src=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        let body_end = lower[tag_end..]
            .find("</script")
            .map_or(html.len(), |e| tag_end + e);
        out.push((src, html[tag_end + 1..body_end].to_string()));
        at = body_end;
    }
    out
}

#[test]
fn every_script_we_serve_is_ecmascript_3() {
    if !node_works() {
        println!("NOTICE: skipped: node not installed");
        return;
    }
    let Some(acorn) = acorn_dir() else {
        println!(
            "NOTICE: skipped: acorn not installed (npm install --prefix target/acorn acorn@8)"
        );
        return;
    };
    let work = common::temp_dir("es3");

    // The checker itself catches what it must: ES5+ syntax and IE 8's
    // reserved words.
    for (name, bad) in [
        ("arrow.js", "var f = () => 1;"),
        ("let.js", "let x = 1;"),
        ("comma.js", "var o = {a: 1,};"),
        ("getter.js", "var o = {get x() { return 1; }};"),
        ("default.js", "var p = {}; p.default = 1;"),
        ("class-key.js", "var o = {class: 'x'};"),
    ] {
        let f = work.join(name);
        std::fs::write(&f, bad).unwrap();
        assert!(
            check(&acorn, &[f]).is_err(),
            "the checker let {bad:?} through"
        );
    }

    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo().join("web/assets"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    assert!(!files.is_empty(), "no scripts in web/assets");

    // What pages load, as the server sends it, and inline scripts. The
    // archive page's scripts are the archive's own, not ours: only the
    // ones from our asset prefix count there. Archive scripts on, so that
    // our script is put into archive pages too.
    let opts = driveshelf::args::ServeOptions {
        dir: Some(common::sample_bundle()),
        port: 0,
        open_browser: false,
        archive_scripts: true,
        ..Default::default()
    };
    let running = driveshelf::serve::start(&opts, &common::sample_bundle()).expect("server starts");
    let server = common::Server::attach(running.port());
    let catalog = server.get("/api/catalog").json();
    let mut served = 0;
    for kind in kinds::all(&catalog) {
        let page = server.get(&kind.path);
        assert_eq!(page.status, kind.status, "{}", kind.path);
        for (i, (src, body)) in scripts(&page.text()).into_iter().enumerate() {
            let (name, text) = match src {
                Some(src) if src.starts_with(driveshelf::assets::PREFIX) => {
                    let r = server.get(&src);
                    assert_eq!(r.status, 200, "{src} (on {})", kind.path);
                    (format!("{}-{i}-served.js", kind.name), r.text())
                }
                Some(_) => continue,
                None if kind.archive || body.trim().is_empty() => continue,
                None => (format!("{}-{i}-inline.js", kind.name), body),
            };
            let f = work.join(name);
            std::fs::write(&f, text).unwrap();
            files.push(f);
            served += 1;
        }
    }
    // Inline scripts the content origin sends (the containment probe).
    let probe = driveshelf::render::contained::probe_page("/a", "/b?x=1", "/c");
    for (i, (_, body)) in scripts(&probe).into_iter().enumerate() {
        let f = work.join(format!("probe-{i}-inline.js"));
        std::fs::write(&f, body).unwrap();
        files.push(f);
        served += 1;
    }
    running.shutdown();
    assert!(served > 0, "no page loads a script of ours");
    if let Err(e) = check(&acorn, &files) {
        panic!("scripts that IE 8 / Firefox 3.5 cannot run:\n{e}");
    }
    println!("{} scripts parse as ECMAScript 3", files.len());
    let _ = std::fs::remove_dir_all(&work);
}
