//! JSON for the page's scripts and for testers' automation.

use crate::bundle::{Item, Kind};
use crate::http::app::App;
use crate::http::request::Req;
use crate::http::response::Reply;
use crate::render::{urls, Ui};
use crate::search;
use serde_json::{json, Value};

fn scope<'a>(app: &App, req: &'a Req) -> Option<&'a str> {
    req.param("zim")
        .filter(|z| !z.is_empty() && app.catalog.zim(z).is_some())
}

pub fn suggest(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let q = req.param("q").unwrap_or("");
    let limit = req.param_usize("limit").unwrap_or(10).clamp(1, 50);
    if req.param("zim").is_some_and(|z| !z.is_empty()) && scope(app, req).is_none() {
        return Reply::json(&json!([]));
    }
    // The last place goes to "search the full text for …" when an index exists.
    let full_text = !q.trim().is_empty()
        && search::fulltext::indexed(&app.catalog, scope(app, req))
            .next()
            .is_some();
    let room = if full_text {
        limit.saturating_sub(1).max(1)
    } else {
        limit
    };
    let found = search::suggest(
        &app.catalog,
        Some(&app.title_indexes),
        scope(app, req),
        q,
        room,
        ui.lang,
    );
    let items: Vec<Value> = found
        .hits
        .iter()
        .map(|h| {
            json!({
                "title": h.title,
                "url": app.article_link(req, h.zim.as_deref(), h.url.clone()),
                "zim": h.zim,
                "kind": h.kind,
            })
        })
        .collect();
    let mut items = items;
    if full_text && items.len() < limit {
        let mut url = format!("/search?q={}", urls::query_escape(q.trim()));
        if let Some(z) = scope(app, req) {
            url.push_str(&format!("&zim={}", urls::query_escape(z)));
        }
        items.push(json!({
            "title": ui.s().fmt("search_fulltext", &[("q", q.trim())]),
            "url": url,
            "zim": scope(app, req),
            "kind": "search",
        }));
    }
    Reply::json(&Value::Array(items))
}

pub fn search(app: &App, req: &Req, _ui: &Ui, _rest: &str) -> Reply {
    let q = req.param("q").unwrap_or("");
    let limit = req.param_usize("limit").unwrap_or(20).clamp(1, 100);
    let offset = req.param_usize("offset").unwrap_or(0).min(1_000_000);
    if req.param("zim").is_some_and(|z| !z.is_empty()) && scope(app, req).is_none() {
        return Reply::json(&json!({"total": 0, "results": []}));
    }
    let found = search::search_with(
        &app.catalog,
        Some(&app.drive),
        scope(app, req),
        req.param("kind").and_then(search::Only::parse),
        q,
        offset,
        limit,
    );
    let results: Vec<Value> = found
        .hits
        .iter()
        .map(|h| {
            json!({
                "title": h.title,
                "url": app.article_link(req, h.zim.as_deref(), h.url.clone()),
                "kind": h.kind,
                "zim": h.zim,
                "snippet": h.snippet_html.clone().unwrap_or_default(),
                "file": h.place.file,
                "page": h.place.page,
                "time": h.place.time,
            })
        })
        .collect();
    let mut out = json!({"total": found.total, "results": results});
    // Within one archive there is one kind: no counts.
    if scope(app, req).is_none() {
        let counts: serde_json::Map<String, Value> = search::Only::ALL
            .iter()
            .map(|&o| (o.slug().to_string(), json!(found.counts.get(o))))
            .collect();
        out["counts"] = Value::Object(counts);
    }
    Reply::json(&out)
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
    let mut out = serde_json::Map::new();
    out.insert("zims".into(), Value::Array(zims));
    for k in Kind::ALL {
        let items: Vec<Value> = app.catalog.items_of(k).map(item_json).collect();
        out.insert(k.slug().into(), Value::Array(items));
    }
    Reply::json(&Value::Object(out))
}

fn item_json(it: &Item) -> Value {
    let d = it.details();
    let mut v = json!({
        "title": d.title,
        "file": it.rel,
        "url": urls::file(&it.rel),
        "page": urls::view(&it.rel),
        "collection": it.collection,
        "date": d.date,
        "size": d.size,
    });
    if let Value::Object(m) = &mut v {
        match it.kind {
            Kind::Video | Kind::Audio => {
                let f = it.facts();
                m.insert("duration".into(), json!(f.duration_secs));
                m.insert("playable".into(), json!(it.playable()));
                if it.kind == Kind::Video {
                    // Every file of the film, with the browsers that play it
                    // (from its codecs); `plays_in` is the film's union.
                    let files: Vec<Value> = it
                        .files()
                        .iter()
                        .map(|x| {
                            json!({
                                "file": x.rel,
                                "url": urls::file(x.rel),
                                "type": x.facts.source_type,
                                "format": x.facts.format_label,
                                "video_codec": x.facts.video_codec,
                                "audio_codec": x.facts.audio_codec,
                                "plays_in": x.facts.plays_in,
                            })
                        })
                        .collect();
                    m.insert("files".into(), Value::Array(files));
                    m.insert("plays_in".into(), json!(it.plays_in()));
                }
                m.insert("poster".into(), json!(it.poster.as_deref().map(urls::file)));
                let subs: Vec<Value> = it
                    .subtitles
                    .iter()
                    .map(|s| json!({"lang": s.lang, "label": s.lang.clone().unwrap_or_default(), "url": urls::vtt(&s.rel)}))
                    .collect();
                m.insert("subtitles".into(), Value::Array(subs));
            }
            Kind::Document => {
                let f = it.facts();
                m.insert("pages".into(), json!(f.pages));
                m.insert("encrypted".into(), json!(f.encrypted));
            }
            Kind::Page => {}
        }
    }
    v
}

/// Lets a second copy of the program find the first one, and open the
/// browser on it instead of starting another server.
/// Who answers here, and (for testers and `bench/suggest`) how far the
/// suggestion index is: milliseconds from start until every archive's was
/// ready, the memory it holds and the titles it covers.
pub fn whoami(app: &App, _req: &Req, _ui: &Ui, _rest: &str) -> Reply {
    let ix = &app.title_indexes;
    Reply::json(&json!({
        "app": "driveshelf",
        "version": env!("CARGO_PKG_VERSION"),
        "suggest_index": {
            "ready_ms": ix.ready_after().map(|d| d.as_millis() as u64),
            "bytes": ix.bytes(),
            "titles": ix.titles(),
            "from_drive": ix.counts().0,
            "built": ix.counts().1,
        },
        "drive_index": drive_index(app),
    }))
}

/// How far the background reading of the drive's own files is, and at what
/// priority its thread runs.
fn drive_index(app: &App) -> Value {
    let st = app.drive.status();
    json!({
        "running": st.running,
        "done": st.done,
        "total": st.total,
        "priority": crate::driveindex::background::priority(),
    })
}
