//! Full-text search over HTTP, from the archives' own Xapian indexes: the
//! planted words of the sample bundle are found in exactly the articles that
//! hold them, with snippets; archives without an index keep title search.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&sample_bundle()))
}

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(repo().join("tests/fixtures/sample-bundle.manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn id_of(file: &str) -> String {
    let stem = file.rsplit('/').next().unwrap().trim_end_matches(".zim");
    stem.to_string()
}

#[test]
fn planted_words_are_found_exactly() {
    let m = manifest();
    let mut checked = 0;
    for z in m["zims"].as_array().unwrap() {
        let id = id_of(z["file"].as_str().unwrap());
        for probe in z["search_probes"].as_array().unwrap() {
            let word = probe["word"].as_str().unwrap();
            let want: BTreeSet<String> = probe["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| format!("/content/{id}/{}", enc(p.as_str().unwrap())))
                .collect();
            let r = server()
                .get(&format!("/api/search?q={}&zim={id}&limit=100", enc(word)))
                .json();
            assert_eq!(
                r["total"].as_u64().unwrap() as usize,
                want.len(),
                "{word}: {r}"
            );
            let got: BTreeSet<String> = r["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["url"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(got, want, "{word}");
            for h in r["results"].as_array().unwrap() {
                let snippet = h["snippet"].as_str().unwrap();
                assert!(
                    snippet.contains(&format!("<b>{word}</b>"))
                        || snippet.to_lowercase().contains("<b>"),
                    "{word}: {snippet}"
                );
                assert!(
                    !snippet.contains("<p") && !snippet.contains("<a "),
                    "tags stripped: {snippet}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 4);
}

#[test]
fn across_archives_and_as_a_page() {
    // No zim given: every archive is searched and the hits merged.
    let r = server()
        .get(&format!("/api/search?q={}", enc("민주공화국")))
        .json();
    assert!(r["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["url"].as_str().unwrap().contains("wikisource")));
    let page = server().get(&format!("/search?q={}", enc("무지개송어")));
    assert_eq!(page.status, 200);
    let t = page.text();
    assert!(t.contains("class=\"snippet\""));
    assert!(t.contains("<b>무지개송어</b>"));
    // Paging is a slice of the same ranking.
    let all = server()
        .get(&format!("/api/search?q={}&limit=7", enc("수달")))
        .json();
    let second = server()
        .get(&format!("/api/search?q={}&limit=3&offset=3", enc("수달")))
        .json();
    assert_eq!(all["results"][3]["url"], second["results"][0]["url"]);
}

#[test]
fn suggestions_offer_the_full_text_search() {
    let r = server()
        .get(&format!("/api/suggest?q={}", enc("수달")))
        .json();
    let last = r.as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "search");
    assert!(last["url"].as_str().unwrap().starts_with("/search?q="));
    let one = server()
        .get(&format!("/api/suggest?q={}&limit=1", enc("수달")))
        .json();
    assert_eq!(one.as_array().unwrap().len(), 1);
}

#[test]
fn archives_without_an_index_keep_title_search() {
    let Some(shared) = shared() else {
        eprintln!("NOTICE: skipped: ../shared not found");
        return;
    };
    let dir = temp_dir("noindex");
    // wikibooks_be (withns) carries no full-text index.
    std::fs::copy(
        shared.join("corpus/zim/openzim-testing-suite/withns/wikibooks_be_all_nopic_2017-02.zim"),
        dir.join("be.zim"),
    )
    .unwrap();
    let s = start(&dir);
    let r = s.get(&format!("/api/search?q={}", enc("Кава"))).json();
    assert!(r["total"].as_u64().unwrap() >= 1, "{r}");
    assert_eq!(r["results"][0]["kind"], "article");
}
