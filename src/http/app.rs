//! The application as the server sees it: shared state and the one route
//! table. Each route is one line here and one small function in `handlers`.

use super::handlers::{api, assets, content, media, pages};
use super::request::Req;
use super::response::Reply;
use super::server::Handler;
use crate::bundle::Catalog;
use crate::lang::Lang;
use crate::render::Ui;
use crate::session::Stopper;

pub struct App {
    pub catalog: Catalog,
    /// `--lang`, when given.
    pub lang: Option<Lang>,
    /// Pulled by the close control.
    pub stopper: Stopper,
    /// Whether archives' own scripts may run (`--archive-scripts`).
    pub archive_scripts: bool,
    /// Documents' pages drawn as pictures, with their cache.
    pub pages: crate::pdf::Renderer,
}

/// A handler gets the app, the request, the page language and what follows
/// the route's prefix in the (still encoded) path.
type Route = fn(&App, &Req, &Ui, &str) -> Reply;

enum Match {
    Exact(&'static str),
    Prefix(&'static str),
}

const ROUTES: &[(Match, Route)] = &[
    (Match::Exact("/"), pages::home),
    (Match::Exact("/search"), pages::search),
    (Match::Exact("/external"), pages::external),
    (Match::Exact("/close"), pages::close),
    (Match::Exact("/hide"), pages::hide),
    (Match::Exact("/random"), content::random),
    (Match::Prefix("/content/"), content::content),
    (Match::Prefix("/raw/"), content::raw),
    (Match::Prefix("/icon/"), content::icon),
    (Match::Prefix("/file/"), media::file),
    (Match::Prefix("/vtt/"), media::vtt),
    (Match::Prefix("/view/"), media::item_page),
    (Match::Prefix("/pageimg/"), media::page_image),
    (Match::Prefix("/list/"), media::list),
    (Match::Exact("/api/suggest"), api::suggest),
    (Match::Exact("/api/search"), api::search),
    (Match::Exact("/api/catalog"), api::catalog),
    (Match::Exact("/api/whoami"), api::whoami),
    (Match::Prefix("/_/"), assets::asset),
    (Match::Exact("/favicon.ico"), assets::favicon),
];

impl App {
    pub fn new(catalog: Catalog, lang: Option<Lang>, stopper: Stopper) -> App {
        let pages = crate::pdf::Renderer::new(&catalog.root);
        App {
            catalog,
            lang,
            stopper,
            archive_scripts: false,
            pages,
        }
    }

    /// The page language: the URL's `lang`, then `--lang`, then the
    /// browser's `Accept-Language`, then Korean.
    pub fn ui(&self, req: &Req) -> Ui {
        let brand = self.catalog.library_name();
        if let Some(l) = req.param("lang").and_then(Lang::parse) {
            return Ui::new(l, true).with_brand(brand);
        }
        let lang = self
            .lang
            .or_else(|| {
                req.accept_language
                    .as_deref()
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default();
        Ui::new(lang, false).with_brand(brand)
    }
}

impl Handler for App {
    fn accepts_post(&self, path: &str) -> bool {
        path == "/close"
    }

    fn handle(&self, req: &Req) -> Reply {
        let ui = self.ui(req);
        let path = req.raw_path.as_str();
        for (m, route) in ROUTES {
            match m {
                Match::Exact(p) if path == *p => return route(self, req, &ui, ""),
                Match::Prefix(p) => {
                    if let Some(rest) = path.strip_prefix(p) {
                        return route(self, req, &ui, rest);
                    }
                }
                _ => {}
            }
        }
        pages::not_found(&ui)
    }

    fn refuse(&self, req: &Req, status: u16) -> Reply {
        let ui = self.ui(req);
        match status {
            405 => pages::error_page(&ui, 405, "method_title", ui.s().t("method_body")),
            403 => pages::error_page(&ui, 403, "error_title", ui.s().t("close_refused")),
            414 | 431 => pages::error_page(
                &ui,
                status,
                "bad_request_title",
                ui.s().t("bad_request_body"),
            ),
            421 => Reply::new(
                421,
                "text/plain; charset=utf-8",
                super::response::Body::Bytes(b"Misdirected Request\n".to_vec()),
            ),
            _ => pages::error_page(
                &ui,
                status,
                "error_title",
                &ui.s().fmt("error_body", &[("reason", "internal error")]),
            ),
        }
    }
}
