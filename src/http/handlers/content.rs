//! Archive entries: `/content/` (on the interface origin the direct page,
//! with the toolbar and no script; on the content origin the page for the
//! viewer's frame), `/raw/` (exact bytes), `/random`, `/icon/`.

use super::pages;
use crate::archive::{Archive, Dirent, DirentKind};
use crate::assets;
use crate::bundle::ZimItem;
use crate::http::app::App;
use crate::http::contain::{Origin, Scripts};
use crate::http::request::{decode_path, Req};
use crate::http::response::{Body, Policy, Reply};
use crate::render::{self, contained, rewrite, urls, Ui};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// As a page to read: HTML gets the toolbar and safe links.
    Page,
    /// The stored bytes, untouched.
    Raw,
}

pub fn content(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    entry(app, req, ui, rest, Mode::Page, Origin::Ui)
}

/// `/content/` on the content origin. Opened as a page of its own (a new
/// tab, a typed address) it goes to its viewer: a top-level content page is
/// never scripted (measured: a sandboxed top-level page navigated itself
/// out).
pub fn framed(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    if req.fetch_dest.as_deref() == Some("document") {
        let read = match rest.split_once('/') {
            Some((id, path)) => match (decode_path(id), decode_path(path)) {
                (Ok(id), Ok(path)) => urls::read(&id, &path),
                _ => return pages::bad_request(ui),
            },
            None => match decode_path(rest) {
                Ok(id) => urls::read(&id, ""),
                Err(_) => return pages::bad_request(ui),
            },
        };
        return Reply::redirect(&format!(
            "{}{}",
            app.contain.origins.ui_url(),
            ui.link(&read)
        ));
    }
    entry(app, req, ui, rest, Mode::Page, Origin::Content)
}

pub fn raw(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    entry(app, req, ui, rest, Mode::Raw, Origin::Ui)
}

fn route_url(mode: Mode, id: &str, user_path: &str) -> String {
    match mode {
        Mode::Page => urls::content(id, user_path),
        Mode::Raw => urls::raw(id, user_path),
    }
}

/// Finds the archive named by the first segment of `rest`.
// The error is the page to answer with, built once per request.
#[allow(clippy::result_large_err)]
pub fn archive_of<'a>(
    app: &'a App,
    ui: &Ui,
    id_raw: &str,
) -> Result<(&'a ZimItem, &'a Arc<Archive>), Reply> {
    let id = decode_path(id_raw).map_err(|_| pages::bad_request(ui))?;
    let item = app.catalog.zim(&id).ok_or_else(|| pages::not_found(ui))?;
    match &item.archive {
        Ok(a) => Ok((item, a)),
        Err(reason) => Err(pages::damaged(ui, reason)),
    }
}

fn entry(app: &App, req: &Req, ui: &Ui, rest: &str, mode: Mode, origin: Origin) -> Reply {
    let Some((id_raw, path_raw)) = rest.split_once('/') else {
        // `/content/<id>` without the slash: relative links need it.
        return match archive_of(app, ui, rest) {
            Ok((item, _)) => Reply::redirect(&ui.link(&route_url(mode, &item.id, ""))),
            Err(r) => r,
        };
    };
    let (item, a) = match archive_of(app, ui, id_raw) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(path) = decode_path(path_raw) else {
        return pages::bad_request(ui);
    };
    if path.is_empty() {
        return main_page(item, a, ui, mode);
    }
    let idx = match a.find_user_path(&path) {
        Ok(Some(i)) => i,
        Ok(None) => return pages::not_found(ui),
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    let d = match a.dirent(idx) {
        Ok(d) => d,
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    if d.is_redirect() {
        return match a.resolve(idx) {
            Ok((_, target)) => Reply::redirect(&route_url(mode, &item.id, &a.user_path(&target))),
            Err(e) => pages::damaged(ui, &e.to_string()),
        };
    }
    let served = Served {
        app,
        req,
        ui,
        mode,
        origin,
    };
    served.dirent(item, a, &d)
}

fn main_page(item: &ZimItem, a: &Archive, ui: &Ui, mode: Mode) -> Reply {
    match a
        .main_page()
        .and_then(|m| m.map(|i| a.resolve(i)).transpose())
    {
        Ok(Some((_, d))) => Reply::redirect(&ui.link(&route_url(mode, &item.id, &a.user_path(&d)))),
        Ok(None) => pages::not_found(ui),
        Err(e) => pages::damaged(ui, &e.to_string()),
    }
}

/// Who an entry is served to.
struct Served<'a> {
    app: &'a App,
    req: &'a Req,
    ui: &'a Ui,
    mode: Mode,
    origin: Origin,
}

impl Served<'_> {
    fn dirent(&self, item: &ZimItem, a: &Archive, d: &Dirent) -> Reply {
        let ui = self.ui;
        let mime = match a.mime_type(d) {
            Ok(m) => m.to_string(),
            Err(e) => return pages::damaged(ui, &e.to_string()),
        };
        let blob = match a.blob(d) {
            Ok(b) => b,
            Err(e) => return pages::damaged(ui, &e.to_string()),
        };
        let kind = rewrite::kind(&mime);
        if self.mode == Mode::Raw && kind != rewrite::Kind::Other {
            // The stored bytes, but never as a page, a stylesheet or a
            // picture that runs: a browser that ignores CSP (Internet
            // Explorer) would apply or run them unrewritten.
            return Reply::content("text/plain", Body::Source(Arc::new(blob)));
        }
        if self.mode == Mode::Page && kind != rewrite::Kind::Other {
            let bytes = match blob.read_all() {
                Ok(b) => b,
                Err(e) => return pages::damaged(ui, &e.to_string()),
            };
            if kind == rewrite::Kind::Html {
                let html = String::from_utf8_lossy(&bytes);
                return self.page(item, &html);
            }
        }
        let contain = &self.app.contain;
        let scripts = contain.scripts_for_entry(self.origin, self.req, &item.id) == Scripts::Run;
        let policy = match self.origin {
            Origin::Ui => Policy::Archive,
            Origin::Content => Policy::Framed {
                ui: contain.origins.ui,
                scripts,
            },
        };
        if self.mode == Mode::Page && kind != rewrite::Kind::Other {
            // Stylesheets and SVG/XML: nothing in them loads from outside,
            // and their scripts go where the page's would.
            let bytes = match blob.read_all() {
                Ok(b) => b,
                Err(e) => return pages::damaged(ui, &e.to_string()),
            };
            let opts = rewrite::Options::plain(if scripts {
                rewrite::Scripts::Keep
            } else {
                rewrite::Scripts::Strip
            });
            if let Some(text) = rewrite::entry(&mime, &bytes, &opts) {
                let mut reply = Reply::content(
                    &rewrite::content_type(kind, &mime),
                    Body::Bytes(text.into_bytes()),
                );
                reply.policy = policy;
                return reply;
            }
        }
        let mut reply = Reply::content(&mime, Body::Source(Arc::new(blob)));
        reply.policy = policy;
        if let DirentKind::Content { cluster, blob, .. } = d.kind {
            // The archive's UUID changes with every build of it.
            let uuid: String = a.uuid().iter().map(|b| format!("{b:02x}")).collect();
            reply = reply.with_etag(format!("\"{uuid}-{cluster}-{blob}\""));
        }
        reply
    }

    /// An HTML entry: on the interface origin with the toolbar and without
    /// scripts; on the content origin with the helper script when its own
    /// scripts run, and a line saying so when they are off and it needs them.
    fn page(&self, item: &ZimItem, html: &str) -> Reply {
        let contain = &self.app.contain;
        let scripts = contain.scripts(self.origin, self.req, &item.id);
        let needs = scripts == Scripts::Off && self.app.needs_scripts(item, html);
        let notice = if needs {
            contained::scripts_off_notice()
        } else {
            String::new()
        };
        let (head, body, policy) = match self.origin {
            Origin::Ui => (
                format!(
                    "<link rel=\"stylesheet\" href=\"{}toolbar.css\">",
                    assets::PREFIX
                ),
                format!(
                    "{}{notice}",
                    render::toolbar(self.ui, &item.id, &item.info().title, false)
                ),
                Policy::Archive,
            ),
            Origin::Content => (
                if scripts == Scripts::Run {
                    contained::helper_tag(&contain.origins.ui_url())
                } else {
                    String::new()
                },
                notice,
                Policy::Framed {
                    ui: contain.origins.ui,
                    scripts: scripts == Scripts::Run,
                },
            ),
        };
        // Scripts that may not run are removed here, on the server, for
        // browsers that ignore the policy headers (Internet Explorer).
        let page = rewrite::html(
            html,
            &rewrite::Options {
                head: &head,
                body: &body,
                scripts: match scripts {
                    Scripts::Run => rewrite::Scripts::Keep,
                    Scripts::Off => rewrite::Scripts::Strip,
                },
            },
        );
        let page = crate::render::html::with_charset_meta(page);
        let mut reply = Reply::content("text/html; charset=utf-8", Body::Bytes(page.into_bytes()));
        reply.policy = policy;
        reply
    }
}

/// A seed that differs from call to call; nothing here needs to be secret.
fn seed() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let c = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    let mut x = t ^ c;
    // splitmix64 finaliser: spreads nearby seeds apart.
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub fn random(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let chosen = match req.param("zim").filter(|z| !z.is_empty()) {
        Some(id) => match app.catalog.zim(id) {
            Some(item) => match &item.archive {
                Ok(a) => Some((item, a)),
                Err(reason) => return pages::damaged(ui, reason),
            },
            None => return pages::not_found(ui),
        },
        None => {
            let open: Vec<_> = app.catalog.open_zims().collect();
            if open.is_empty() {
                None
            } else {
                open.get((seed() % open.len() as u64) as usize).copied()
            }
        }
    };
    let Some((item, a)) = chosen else {
        return pages::error_page(ui, 404, "not_found_title", ui.s().t("random_none"));
    };
    match a.random_article(seed()) {
        Ok(Some(idx)) => match a.resolve(idx) {
            Ok((_, d)) => {
                Reply::redirect(&ui.link(&app.article_url(req, &item.id, &a.user_path(&d))))
            }
            Err(e) => pages::damaged(ui, &e.to_string()),
        },
        Ok(None) => pages::error_page(ui, 404, "not_found_title", ui.s().t("random_none")),
        Err(e) => pages::damaged(ui, &e.to_string()),
    }
}

pub fn icon(app: &App, _req: &Req, ui: &Ui, rest: &str) -> Reply {
    let (_, a) = match archive_of(app, ui, rest) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match a.illustration_48() {
        Ok(Some(png)) => Reply::new(200, "image/png", Body::Bytes(png)),
        Ok(None) => pages::not_found(ui),
        Err(e) => pages::damaged(ui, &e.to_string()),
    }
}
