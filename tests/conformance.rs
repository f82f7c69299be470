//! The openZIM test corpus and Kiwix's test archives, served over HTTP:
//! every sample entry's bytes, MIME type and redirect target must match what
//! libzim reports (`../shared/corpus/zim/expected.json`), and the broken
//! archives must not stop the server from serving the rest.

mod common;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;

fn corpus() -> Option<(PathBuf, Value)> {
    let Some(shared) = shared() else {
        eprintln!("NOTICE: skipped: ../shared not found, the ZIM conformance corpus is not here");
        return None;
    };
    let dir = shared.join("corpus").join("zim");
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        eprintln!("NOTICE: skipped: ../shared/corpus/zim/expected.json not found");
        return None;
    };
    Some((
        dir,
        serde_json::from_str(&text).expect("expected.json parses"),
    ))
}

fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Catalog file name (as the walk reports it) → archive id. Split sets are
/// found by their first part and named in expected.json by their base name.
fn ids(server: &Server) -> HashMap<String, Value> {
    let cat = server.get("/api/catalog").json();
    cat["zims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            let file = z["file"].as_str().unwrap();
            let key = file
                .strip_suffix(".zimaa")
                .map(|b| format!("{b}.zim"))
                .unwrap_or(file.to_string());
            (key, z.clone())
        })
        .collect()
}

#[test]
fn valid_archives_match_libzim() {
    let Some((dir, expected)) = corpus() else {
        return;
    };
    let server = start(&dir);
    let catalog = ids(&server);
    let valid = expected["valid"].as_object().unwrap();
    let mut checked = 0;
    for (file, rec) in valid {
        let z = catalog
            .get(file)
            .unwrap_or_else(|| panic!("{file} not in catalog: {:?}", catalog.keys()));
        assert_eq!(z["damaged"], false, "{file}: {}", z["error"]);
        let id = z["id"].as_str().unwrap();
        let new_scheme = rec["libzim"]["has_new_namespace_scheme"].as_bool().unwrap();

        // Main page.
        let main = server.get(&format!("/content/{}/", enc(id)));
        assert_eq!(main.status, 302, "{file}");
        let want = format!(
            "/content/{}/{}",
            enc(id),
            enc(rec["main_page"]["path"].as_str().unwrap())
        );
        assert_eq!(main.header("Location").unwrap(), want, "{file}");
        if let Some(title) = rec["metadata"]["Title"].as_str() {
            assert_eq!(z["title"].as_str().unwrap(), title.trim(), "{file}");
        }

        for e in rec["entries"].as_array().unwrap() {
            if new_scheme && e["namespace"] != "C" {
                continue;
            }
            let path = e["path"].as_str().unwrap();
            let url = format!("/raw/{}/{}", enc(id), enc(path));
            let r = server.get(&url);
            if e["is_redirect"].as_bool().unwrap() {
                assert_eq!(r.status, 302, "{file} {path}");
                let target = e["final_target"]
                    .as_str()
                    .or(e["redirect_target"].as_str())
                    .unwrap();
                assert_eq!(
                    r.header("Location").unwrap(),
                    format!("/raw/{}/{}", enc(id), enc(target)),
                    "{file} {path}"
                );
            } else {
                assert_eq!(r.status, 200, "{file} {path}");
                assert_eq!(
                    sha256_hex(&r.body),
                    e["sha256"].as_str().unwrap(),
                    "{file} {path}"
                );
                let ct = r.header("Content-Type").unwrap();
                let stored = e["mimetype"].as_str().unwrap();
                // Pages, stylesheets and SVG are never sent raw as what
                // they are: a browser without CSP would run them.
                let want = match driveshelf::render::rewrite::kind(stored) {
                    driveshelf::render::rewrite::Kind::Other => stored,
                    _ => "text/plain",
                };
                assert_eq!(ct, want, "{file} {path}");
            }
            checked += 1;
        }
        for missing in rec["missing_paths"].as_array().into_iter().flatten() {
            let p = missing.as_str().unwrap();
            if p.is_empty() {
                // `/raw/<id>/` is the archive's root: it leads to the main page.
                continue;
            }
            assert_eq!(
                server.get(&format!("/raw/{}/{}", enc(id), enc(p))).status,
                404,
                "{file} {p}"
            );
        }
    }
    assert!(checked > 50, "only {checked} entries checked");
    eprintln!(
        "conformance: {checked} entries of {} archives matched libzim",
        valid.len()
    );
}

#[test]
fn broken_archives_are_listed_and_the_rest_is_served() {
    let Some((dir, expected)) = corpus() else {
        return;
    };
    let server = start(&dir);
    let catalog = ids(&server);
    for (file, rec) in expected["invalid"].as_object().unwrap() {
        let z = catalog
            .get(file)
            .unwrap_or_else(|| panic!("{file} not in catalog"));
        let id = z["id"].as_str().unwrap();
        if rec["opens"] == false {
            // libzim refuses it at open. We may open a few that libzim
            // refuses only after a full scan, but then they must still answer.
            if z["damaged"] == true {
                assert!(
                    !z["error"].as_str().unwrap().is_empty(),
                    "{file}: no reason"
                );
                let home = server.get("/").text();
                assert!(
                    home.contains(&driveshelf::render::html::escape(
                        z["error"].as_str().unwrap()
                    )),
                    "{file}: reason not on home page"
                );
                let r = server.get(&format!("/content/{}/", enc(id)));
                assert_eq!(r.status, 500, "{file}");
                continue;
            }
        }
        // Opened: every route answers, with an error page at worst.
        for url in [
            format!("/content/{}/", enc(id)),
            format!("/content/{}/main.html", enc(id)),
            format!("/content/{}/A/main.html", enc(id)),
            format!("/raw/{}/favicon.png", enc(id)),
            format!("/random?zim={}", enc(id)),
            format!("/api/suggest?q=t&zim={}", enc(id)),
            format!("/icon/{}", enc(id)),
        ] {
            let r = server.get(&url);
            assert!(r.status > 0, "{file}: no answer for {url}");
        }
    }
    // The server is still up and serves the valid archives.
    assert_eq!(server.get("/").status, 200);
    let small = catalog.get("openzim-testing-suite/nons/small.zim").unwrap();
    let r = server.get(&format!(
        "/raw/{}/main.html",
        enc(small["id"].as_str().unwrap())
    ));
    assert_eq!(r.status, 200);
}
