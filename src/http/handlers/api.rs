//! JSON for the page's scripts and for testers' automation.

use crate::http::app::App;
use crate::http::request::Req;
use crate::http::response::Reply;
use crate::render::{urls, Ui};
use crate::search::titles;
use serde_json::{json, Value};

fn scope<'a>(app: &App, req: &'a Req) -> Option<&'a str> {
    req.param("zim")
        .filter(|z| !z.is_empty() && app.catalog.zim(z).is_some())
}

pub fn suggest(app: &App, req: &Req, _ui: &Ui, _rest: &str) -> Reply {
    let q = req.param("q").unwrap_or("");
    let limit = req.param_usize("limit").unwrap_or(10).clamp(1, 50);
    if req.param("zim").is_some_and(|z| !z.is_empty()) && scope(app, req).is_none() {
        return Reply::json(&json!([]));
    }
    let found = titles::search(&app.catalog, scope(app, req), q, 0, limit);
    let items: Vec<Value> = found
        .hits
        .iter()
        .map(|h| {
            json!({
                "title": h.title,
                "url": urls::content(&h.zim_id, &h.user_path),
                "zim": h.zim_id,
                "kind": "article",
            })
        })
        .collect();
    Reply::json(&Value::Array(items))
}

pub fn search(app: &App, req: &Req, _ui: &Ui, _rest: &str) -> Reply {
    let q = req.param("q").unwrap_or("");
    let limit = req.param_usize("limit").unwrap_or(20).clamp(1, 100);
    let offset = req.param_usize("offset").unwrap_or(0).min(1_000_000);
    if req.param("zim").is_some_and(|z| !z.is_empty()) && scope(app, req).is_none() {
        return Reply::json(&json!({"total": 0, "results": []}));
    }
    let found = titles::search(&app.catalog, scope(app, req), q, offset, limit);
    let results: Vec<Value> = found
        .hits
        .iter()
        .map(|h| {
            json!({
                "title": h.title,
                "url": urls::content(&h.zim_id, &h.user_path),
                "kind": "article",
                "zim": h.zim_id,
                "snippet": "",
            })
        })
        .collect();
    Reply::json(&json!({"total": found.total, "results": results}))
}

pub fn catalog(app: &App, _req: &Req, _ui: &Ui, _rest: &str) -> Reply {
    let zims: Vec<Value> = app
        .catalog
        .zims
        .iter()
        .map(|z| {
            let info = z.info();
            let main_page = z.archive.as_ref().ok().and_then(|a| {
                let idx = a.main_page().ok()??;
                let (_, d) = a.resolve(idx).ok()?;
                Some(urls::content(&z.id, &a.user_path(&d)))
            });
            json!({
                "id": z.id,
                "file": z.rel,
                "title": info.title,
                "description": info.description,
                "language": info.language,
                "articles": info.articles,
                "url": urls::content(&z.id, ""),
                "main_page": main_page,
                "damaged": z.is_damaged(),
                "error": z.error(),
            })
        })
        .collect();
    Reply::json(&json!({ "zims": zims }))
}
