//! The viewer (`/read/<id>/<path>` on the interface origin) and what the
//! content origin serves besides archive entries: the browser test and the
//! outside-link notice.

use super::content::archive_of;
use super::pages;
use crate::http::app::App;
use crate::http::request::{decode_path, Req};
use crate::http::response::{Body, Policy, Reply};
use crate::render::contained::{self, ViewerView};
use crate::render::{urls, Ui};

/// `/read/<id>/<path>`: our toolbar above the entry, framed from the
/// content origin. The page is built on the server, so deep links work and
/// without JavaScript it sends the browser to the direct page.
pub fn read(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    let (id_raw, path_raw) = rest.split_once('/').unwrap_or((rest, ""));
    let (item, a) = match archive_of(app, ui, id_raw) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(path) = decode_path(path_raw) else {
        return pages::bad_request(ui);
    };
    if path.is_empty() {
        return match a
            .main_page()
            .and_then(|m| m.map(|i| a.resolve(i)).transpose())
        {
            Ok(Some((_, d))) => Reply::redirect(&ui.link(&urls::read(&item.id, &a.user_path(&d)))),
            Ok(None) => pages::not_found(ui),
            Err(e) => pages::damaged(ui, &e.to_string()),
        };
    }
    let idx = match a.find_user_path(&path) {
        Ok(Some(i)) => i,
        Ok(None) => return pages::not_found(ui),
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    // A redirect entry: the address bar shows where it leads.
    let d = match a.resolve(idx) {
        Ok((_, d)) => d,
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    let target = a.user_path(&d);
    if target != path {
        return Reply::redirect(&ui.link(&urls::read(&item.id, &target)));
    }
    let contain = &app.contain;
    let content_origin = contain.origins.content_url();
    let entry = urls::content(&item.id, &path);
    let frame_src = if contain.needs_probe(req, &item.id) {
        let nonce = nonce();
        contain.probe_start(req, nonce.clone());
        format!(
            "{content_origin}/_ds/probe?k={nonce}&then={}",
            urls::query_escape(&entry)
        )
    } else {
        format!("{content_origin}{entry}")
    };
    let info = item.info();
    let nonce = u64::from_str_radix(&nonce()[..16], 16).unwrap_or(0x5eed);
    let html = contained::viewer(
        ui,
        &ViewerView {
            archive_title: &info.title,
            page_title: &d.title,
            zim_id: &item.id,
            frame_src: &frame_src,
            content_origin: &content_origin,
            direct: &ui.link(&entry),
            scripts: contain.viewer_for(req, &item.id),
            nonce,
        },
    );
    let mut r = Reply::html(200, html);
    r.policy = Policy::Viewer {
        content: contain.origins.content,
        nonce,
    };
    r
}

/// Sixteen random bytes in hex: a browser test's name.
fn nonce() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        use std::hash::{BuildHasher, RandomState};
        let h = RandomState::new().hash_one(std::time::SystemTime::now());
        b[..8].copy_from_slice(&h.to_le_bytes());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `/_ds/probe?k=…&then=/content/…`: the browser test (see `http::contain`).
pub fn probe(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let k = req.param("k").unwrap_or("");
    let then = req.param("then").unwrap_or("");
    let safe_then = then.starts_with("/content/")
        && !then.contains("//")
        && !then.contains('\\')
        && then.len() < 4096;
    if k.is_empty() || k.len() > 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()) || !safe_then {
        return pages::bad_request(ui);
    }
    let ui_origin = app.contain.origins.ui_url();
    let html = contained::probe_page(
        &format!("{ui_origin}/_ds/probe-hit?k={k}"),
        &format!("/_ds/probe-done?k={k}"),
        then,
    );
    let mut r = Reply::html(200, html);
    r.policy = Policy::Probe {
        ui: app.contain.origins.ui,
    };
    r
}

/// `/_ds/probe-done?k=…&r=refused|leaked`: how the test's forbidden request
/// ended, as the page saw it.
pub fn probe_done(app: &App, req: &Req, _ui: &Ui, _rest: &str) -> Reply {
    if let Some(k) = req.param("k") {
        let refused = req.param("r") == Some("refused");
        app.contain.probe_done(req, k, refused);
    }
    Reply::new(204, "text/plain; charset=utf-8", Body::Empty)
}

/// `/external?url=…` on the content origin: the notice without the
/// interface's header.
pub fn external(app: &App, req: &Req, ui: &Ui, _rest: &str) -> Reply {
    let url = req.param("url").unwrap_or("");
    let mut r = Reply::html(200, contained::external_bare(ui, url));
    r.policy = Policy::Framed {
        ui: app.contain.origins.ui,
        scripts: false,
    };
    r
}
