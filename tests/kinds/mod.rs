//! Every kind of page the server makes, by path on the sample bundle: the
//! list the old-engine, script and charset tests walk. The empty drive's
//! start page needs a server of its own ([`empty_drive`]).

#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

pub struct PageKind {
    pub name: &'static str,
    pub path: String,
    /// The status the page answers with.
    pub status: u16,
    /// An archive's page (with our toolbar), not one of ours.
    pub archive: bool,
}

pub fn first_page(catalog: &Value, list: &str, playable: Option<bool>) -> String {
    catalog[list]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| playable.is_none_or(|p| i["playable"] == p))
                .and_then(|i| i["page"].as_str())
        })
        .unwrap_or_else(|| panic!("no {list} item (playable {playable:?}) in the sample bundle"))
        .to_string()
}

/// `catalog` is the sample bundle's `/api/catalog`.
pub fn all(catalog: &Value) -> Vec<PageKind> {
    let k = |name, path: String, status, archive| PageKind {
        name,
        path,
        status,
        archive,
    };
    let film = first_page(catalog, "videos", Some(true));
    let save = film.replacen("/view/", "/save/", 1);
    vec![
        k("home", "/".into(), 200, false),
        k("listing", "/list/videos".into(), 200, false),
        k("listing-all", "/list/all?sort=title".into(), 200, false),
        k(
            "search",
            format!("/search?q={}", super::common::enc("헌법")),
            200,
            false,
        ),
        k(
            "search-newspapers",
            format!("/search?q={}&kind=document", super::common::enc("국민")),
            200,
            false,
        ),
        k("film", film, 200, false),
        k(
            "film-unplayable",
            first_page(catalog, "videos", Some(false)),
            200,
            false,
        ),
        k("audio", first_page(catalog, "audio", None), 200, false),
        k(
            "document",
            first_page(catalog, "documents", None),
            200,
            false,
        ),
        k("markdown", "/view/about.md".into(), 200, false),
        k(
            "article",
            format!(
                "/content/wikipedia_ko_sample_2024-02/{}",
                super::common::enc("서울_(도시)")
            ),
            200,
            true,
        ),
        k(
            "viewer",
            format!(
                "/read/wikipedia_ko_sample_2024-02/{}",
                super::common::enc("서울_(도시)")
            ),
            200,
            true,
        ),
        k("save", save, 200, false),
        k("not-found", "/no/such/page".into(), 404, false),
        k(
            "external",
            format!(
                "/external?url={}",
                driveshelf::render::urls::query_escape("https://ko.wikipedia.org/wiki/서울")
            ),
            200,
            false,
        ),
    ]
}

/// An empty folder to serve: the start page then says what to put there.
pub fn empty_drive() -> PathBuf {
    super::common::temp_dir("empty-drive")
}
