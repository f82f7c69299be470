//! Pages built by us: home, search results, the outside-link notice, errors.

use crate::http::app::App;
use crate::http::request::Req;
use crate::http::response::Reply;
use crate::render::{self, urls, ArchiveCard, HomeView, ResultItem, SearchView, Ui};
use crate::search::titles;

pub const PAGE_SIZE: usize = 20;

pub fn home(app: &App, _req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let archives = app
        .catalog
        .zims
        .iter()
        .map(|z| {
            let info = z.info();
            ArchiveCard {
                id: z.id.clone(),
                title: info.title.clone(),
                description: info.description.clone(),
                language: info.language.clone(),
                articles: info.articles,
                url: urls::content(&z.id, ""),
                icon_url: info
                    .has_icon
                    .then(|| format!("/icon/{}", urls::segment_escape(&z.id))),
                damaged: z.error().map(str::to_string),
                file: z.rel.clone(),
            }
        })
        .collect();
    Reply::html(200, render::home(ui, &HomeView { archives }))
}

pub fn search(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let q = req.param("q").unwrap_or("").trim();
    let scope = req
        .param("zim")
        .filter(|id| !id.is_empty())
        .and_then(|id| app.catalog.zim(id))
        .map(|z| (z.id.as_str(), z.info().title.as_str()));
    let offset = req.param_usize("offset").unwrap_or(0).min(1_000_000);
    let found = titles::search(&app.catalog, scope.map(|s| s.0), q, offset, PAGE_SIZE);
    let show_source = scope.is_none();
    let results = found
        .hits
        .into_iter()
        .map(|h| ResultItem {
            url: ui.link(&urls::content(&h.zim_id, &h.user_path)),
            source: if show_source {
                h.zim_title
            } else {
                String::new()
            },
            title: h.title,
            snippet_html: None,
        })
        .collect();
    let view = SearchView {
        q,
        scope,
        total: found.total,
        results,
        offset,
        page_size: PAGE_SIZE,
    };
    Reply::html(200, render::search(ui, &view))
}

pub fn external(_app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let url = req.param("url").unwrap_or("");
    Reply::html(200, render::external(ui, url))
}

pub fn not_found(ui: &Ui) -> Reply {
    error_page(ui, 404, "not_found_title", ui.s().t("not_found_body"))
}

pub fn error_page(ui: &Ui, status: u16, title_key: &str, body: &str) -> Reply {
    Reply::html(status, render::message(ui, ui.s().t(title_key), body))
}

/// The page for an item that exists but cannot be read.
pub fn damaged(ui: &Ui, reason: &str) -> Reply {
    error_page(
        ui,
        500,
        "error_title",
        &ui.s().fmt("error_body", &[("reason", reason)]),
    )
}

pub fn bad_request(ui: &Ui) -> Reply {
    error_page(ui, 400, "bad_request_title", ui.s().t("bad_request_body"))
}
