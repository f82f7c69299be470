//! Pages built by us: home, search results, the outside-link notice, errors.

use crate::bundle::{Item, Kind};
use crate::http::app::App;
use crate::http::handlers::media;
use crate::http::request::Req;
use crate::http::response::Reply;
use crate::render::media::Section;
use crate::render::{self, urls, ArchiveCard, HomeView, ResultItem, SearchView, Ui};

/// How many of the newest items of each kind the start page shows.
const HOME_NEWEST: usize = 5;

fn section_key(k: Kind) -> &'static str {
    match k {
        Kind::Document => "section_documents",
        Kind::Video => "section_videos",
        Kind::Audio => "section_audio",
        Kind::Page => "section_pages",
    }
}

pub const PAGE_SIZE: usize = 20;

pub fn home(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
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
                url: app.article_url(req, &z.id, ""),
                icon_url: info
                    .has_icon
                    .then(|| format!("/icon/{}", urls::segment_escape(&z.id))),
                damaged: z.error().map(str::to_string),
                file: z.rel.clone(),
            }
        })
        .collect();
    let sections = Kind::ALL
        .iter()
        .map(|&k| {
            let mut items: Vec<&Item> = app.catalog.items_of(k).collect();
            // The welcome page is shown in full above; it is not news.
            let welcome = app.catalog.welcome().map(|w| w.rel.as_str());
            items.retain(|i| Some(i.rel.as_str()) != welcome);
            media::newest_first(&mut items);
            Section {
                heading_key: section_key(k),
                count: items.len(),
                list_url: urls::list(k.slug(), None),
                items: items
                    .iter()
                    .take(HOME_NEWEST)
                    .map(|i| media::card(i))
                    .collect(),
            }
        })
        .collect();
    let welcome_html = app.catalog.welcome().map(|w| {
        let mapper = media::link_mapper(&app.catalog, &w.collection);
        render::html::shift_headings(&crate::markdown::render(&w.details().body_md, &mapper), 1)
    });
    Reply::html(
        200,
        render::home(
            ui,
            &HomeView {
                archives,
                sections,
                welcome_html,
            },
        ),
    )
}

pub fn search(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let q = req.param("q").unwrap_or("").trim();
    let scope = req
        .param("zim")
        .filter(|id| !id.is_empty())
        .and_then(|id| app.catalog.zim(id))
        .map(|z| (z.id.as_str(), z.info().title.as_str()));
    let offset = req.param_usize("offset").unwrap_or(0).min(1_000_000);
    let only = req.param("kind").and_then(crate::search::Only::parse);
    let found = crate::search::search_with(
        &app.catalog,
        Some(&app.drive),
        scope.map(|s| s.0),
        only,
        q,
        offset,
        PAGE_SIZE,
    );
    let show_source = scope.is_none();
    let results = found
        .hits
        .into_iter()
        .map(|h| ResultItem {
            url: ui.link(&app.article_link(req, h.zim.as_deref(), h.url)),
            source: if !show_source {
                String::new()
            } else if h.kind == "article" {
                h.source
            } else {
                let word = ui.s().t(&format!("kind_{}", h.kind)).to_string();
                if h.source.is_empty() {
                    word
                } else {
                    format!("{word} · {}", h.source)
                }
            },
            title: match (h.place.page, h.place.time) {
                (Some(p), _) => format!(
                    "{} — {}",
                    h.title,
                    ui.s().fmt("search_at_page", &[("page", &p.to_string())])
                ),
                (_, Some(t)) => format!("{} — {}", h.title, crate::render::clock(t)),
                _ => h.title,
            },
            snippet_html: h.snippet_html.filter(|s| !s.is_empty()),
        })
        .collect();
    let notice = if scope.is_none() && !q.is_empty() {
        drive_notice(ui, &app.drive)
    } else {
        None
    };
    let view = SearchView {
        notice,
        q,
        scope,
        only: only.map(|o| o.slug()),
        kinds: if scope.is_none() {
            crate::search::Only::ALL
                .map(|o| (o.slug(), found.counts.get(o)))
                .to_vec()
        } else {
            Vec::new()
        },
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

/// `POST /close?token=…`: stops the program after answering with a neutral
/// page. Only our own pages know the token; a request from another origin
/// is refused even with it.
pub fn close(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    use crate::http::request::Method;
    if req.method != Method::Post {
        // The direct archive pages link here: the token is only ever in
        // pages of ours, never in an archive's.
        return Reply::html(200, render::contained::close_confirm(ui));
    }
    let same_origin = crate::http::guard::origin_ok(req.origin.as_deref(), app_port(req));
    if req.param("token") != Some(crate::session::close_token()) || !same_origin {
        return error_page(ui, 403, "error_title", ui.s().t("close_refused"));
    }
    let stopper = app.stopper.clone();
    let mut r = Reply::html(200, render::closed(ui));
    r.after = Some(Box::new(move || stopper.stop()));
    r
}

/// The port this request was addressed to (already checked by the Host guard).
fn app_port(req: &Req) -> u16 {
    req.host
        .as_deref()
        .and_then(|h| h.rsplit_once(':'))
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(80)
}

/// `/hide`: a page with nothing on it and a plain title, for when someone
/// looks over the reader's shoulder. A top-level `hide.md` on the drive
/// replaces it.
pub fn hide(app: &App, _req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let custom = app.catalog.items.iter().find(|i| {
        i.kind == Kind::Page
            && i.collection.is_empty()
            && i.file_name.eq_ignore_ascii_case("hide.md")
    });
    let body = custom.map(|item| {
        let mapper = media::link_mapper(&app.catalog, "");
        crate::markdown::render(&item.details().body_md, &mapper)
    });
    Reply::html(200, render::hidden(ui, body.as_deref()))
}

/// What the search page says while the drive's own files are still being
/// read, or when they could not all be read.
fn drive_notice(ui: &Ui, drive: &crate::driveindex::DriveIndex) -> Option<String> {
    let st = drive.status();
    let s = ui.s();
    if st.memory_full {
        return Some(s.t("search_drive_full").to_string());
    }
    if st.running {
        return Some(s.fmt(
            "search_drive_reading",
            &[
                ("done", &st.done.to_string()),
                ("total", &st.total.to_string()),
            ],
        ));
    }
    None
}
