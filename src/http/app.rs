//! The application as the server sees it: shared state and the one route
//! table. Each route is one line here and one small function in `handlers`.

use super::contain::{self, Containment, Gate, Origin, Origins};
use super::handlers::{api, assets, content, media, pages, viewer};
use super::request::Req;
use super::response::{Body, Reply};
use super::server::Handler;
use crate::bundle::Catalog;
use crate::lang::Lang;
use crate::render::Ui;
use crate::session::Stopper;
use std::sync::Arc;

pub struct App {
    pub catalog: Catalog,
    /// `--lang`, when given.
    pub lang: Option<Lang>,
    /// Pulled by the close control.
    pub stopper: Stopper,
    /// Documents' pages drawn as pictures, with their cache.
    pub pages: crate::pdf::Renderer,
    /// The two origins and who runs archive scripts.
    pub contain: Containment,
    /// Archive id → whether it is made to run scripts (read once).
    needs: std::sync::Mutex<std::collections::HashMap<String, bool>>,
    /// The archives' suggestion indexes, filled in the background once the
    /// server listens.
    pub title_indexes: Arc<crate::titleindex::Indexes>,
    /// The words of the drive's own files (the prepared index, then what
    /// the background reading adds).
    pub drive: Arc<crate::driveindex::DriveIndex>,
}

/// A handler gets the app, the request, the page language and what follows
/// the route's prefix in the (still encoded) path.
type Route = fn(&App, &Req, &Ui, &str) -> Reply;

enum Match {
    Exact(&'static str),
    Prefix(&'static str),
}

/// The interface origin: the library, the viewer, the close control, and
/// the direct (no-script) archive pages.
const ROUTES: &[(Match, Route)] = &[
    (Match::Exact("/"), pages::home),
    (Match::Exact("/search"), pages::search),
    (Match::Exact("/external"), pages::external),
    (Match::Exact("/close"), pages::close),
    (Match::Prefix("/read/"), viewer::read),
    (Match::Exact("/hide"), pages::hide),
    (Match::Exact("/random"), content::random),
    (Match::Prefix("/content/"), content::content),
    (Match::Prefix("/raw/"), content::raw),
    (Match::Prefix("/icon/"), content::icon),
    (Match::Prefix("/file/"), media::file),
    (Match::Prefix("/save/"), media::save),
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

/// The content origin: archive entries for the viewer's frame, the browser
/// test, and the outside-link notice. Nothing here
/// carries the close token or an interface page.
const CONTENT_ROUTES: &[(Match, Route)] = &[
    (Match::Prefix("/content/"), content::framed),
    (Match::Exact("/external"), viewer::external),
    (Match::Exact("/_ds/probe"), viewer::probe),
    (Match::Exact("/_ds/probe-done"), viewer::probe_done),
];

impl App {
    pub fn new(catalog: Catalog, lang: Option<Lang>, stopper: Stopper) -> App {
        let pages = crate::pdf::Renderer::new(&catalog.root);
        let title_indexes = Arc::new(crate::titleindex::Indexes::new(catalog.zims.len()));
        App {
            title_indexes,
            catalog,
            lang,
            stopper,
            pages,
            contain: Containment::new(Origins::default(), false, Default::default()),
            needs: Default::default(),
            drive: crate::driveindex::DriveIndex::new(),
        }
    }

    /// Where a link to an article of `zim_id` leads for this browser: the
    /// viewer when the archive's scripts may run here, else the direct page.
    pub fn article_url(&self, req: &Req, zim_id: &str, user_path: &str) -> String {
        if self.contain.viewer_for(req, zim_id) {
            crate::render::urls::read(zim_id, user_path)
        } else {
            crate::render::urls::content(zim_id, user_path)
        }
    }

    /// A link built by the search room (`/content/<id>/…`), turned into the
    /// viewer's when the archive's scripts may run here.
    pub fn article_link(&self, req: &Req, zim_id: Option<&str>, url: String) -> String {
        match (zim_id, url.strip_prefix("/content/")) {
            (Some(id), Some(rest)) if self.contain.viewer_for(req, id) => format!("/read/{rest}"),
            _ => url,
        }
    }

    /// Whether an archive is made to run scripts (a web crawl, a video
    /// channel, simulations), from its metadata, or this page is.
    pub fn needs_scripts(&self, item: &crate::bundle::ZimItem, html: &str) -> bool {
        let by_archive = {
            let mut known = self.needs.lock().unwrap_or_else(|e| e.into_inner());
            *known
                .entry(item.id.clone())
                .or_insert_with(|| match &item.archive {
                    Ok(a) => crate::render::contained::scripted_archive(
                        &a.metadata_text("Scraper").unwrap_or_default(),
                        &a.metadata_text("Tags").unwrap_or_default(),
                    ),
                    Err(_) => false,
                })
        };
        by_archive || crate::render::contained::scripted_page(html)
    }

    /// The page language: the URL's `lang`, then `--lang`, then the
    /// browser's `Accept-Language`, then Korean.
    pub fn ui(&self, req: &Req) -> Ui {
        let brand = self.catalog.library_name();
        if let Some(l) = req.param("lang").and_then(Lang::parse) {
            return Ui::new(l, true).with_brand(brand).with_query(&req.query);
        }
        let lang = self
            .lang
            .or_else(|| {
                req.accept_language
                    .as_deref()
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default();
        Ui::new(lang, false)
            .with_brand(brand)
            .with_query(&req.query)
    }
}

fn route(routes: &[(Match, Route)], app: &App, req: &Req, ui: &Ui) -> Option<Reply> {
    let path = req.raw_path.as_str();
    for (m, route) in routes {
        match m {
            Match::Exact(p) if path == *p => return Some(route(app, req, ui, "")),
            Match::Prefix(p) => {
                if let Some(rest) = path.strip_prefix(p) {
                    return Some(route(app, req, ui, rest));
                }
            }
            _ => {}
        }
    }
    None
}

/// One listener's view of the app: which origin it is decides the routes.
pub struct Site {
    pub app: Arc<App>,
    pub origin: Origin,
}

impl Site {
    pub fn pair(app: Arc<App>) -> (Site, Site) {
        (
            Site {
                app: app.clone(),
                origin: Origin::Ui,
            },
            Site {
                app,
                origin: Origin::Content,
            },
        )
    }
}

/// The content origin's own answer for errors: a bare page, never one with
/// the interface's header (which carries the close control).
fn bare(status: u16, ui: &Ui) -> Reply {
    Reply::html(status, crate::render::bare_message(ui, status))
}

impl Site {
    fn bare_framed(&self, status: u16, ui: &Ui) -> Reply {
        let mut r = bare(status, ui);
        r.policy = super::response::Policy::Framed {
            ui: self.app.contain.origins.ui,
            scripts: false,
        };
        r
    }
}

impl Handler for Site {
    fn accepts_post(&self, path: &str) -> bool {
        self.origin == Origin::Ui && path == "/close"
    }

    fn handle(&self, req: &Req) -> Reply {
        let app = &*self.app;
        let ui = app.ui(req);
        if self.origin == Origin::Ui && req.raw_path == "/_ds/probe-hit" {
            // The browser test's forbidden request: that it arrived at all is
            // the answer. It is refused below like any request of the other
            // origin.
            if let Some(k) = req.param("k") {
                app.contain.probe_hit(k);
            }
        }
        match contain::gate(self.origin, req) {
            Gate::Pass => {}
            Gate::NoWorker => {
                return Reply::new(404, "text/plain; charset=utf-8", Body::Empty);
            }
            Gate::Refuse => return self.refuse(req, 403),
        }
        match self.origin {
            Origin::Ui => route(ROUTES, app, req, &ui).unwrap_or_else(|| pages::not_found(&ui)),
            Origin::Content => {
                let r = route(CONTENT_ROUTES, app, req, &ui).unwrap_or_else(|| bare(404, &ui));
                if r.status >= 400 {
                    // Handlers shared with the interface answer errors with
                    // its pages; here they go out bare, showable in the frame.
                    return self.bare_framed(r.status, &ui);
                }
                r
            }
        }
    }

    fn refuse(&self, req: &Req, status: u16) -> Reply {
        match self.origin {
            // Another site's request learns nothing, not even our header.
            Origin::Ui if status == 403 => bare(status, &self.app.ui(req)),
            Origin::Ui => self.app.refuse_ui(req, status),
            Origin::Content if status != 421 => self.bare_framed(status, &self.app.ui(req)),
            Origin::Content => self.app.refuse_ui(req, status),
        }
    }
}

impl App {
    fn refuse_ui(&self, req: &Req, status: u16) -> Reply {
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
