//! The UI's own CSS, JavaScript and images, built into the binary.

use super::pages;
use crate::assets;
use crate::http::app::App;
use crate::http::request::Req;
use crate::http::response::{Body, Reply};
use crate::render::Ui;

/// `/_/<version>/<name>`: only names of embedded files answer; nothing here
/// ever reaches the filesystem.
pub fn asset(_app: &App, _req: &Req, ui: &Ui, rest: &str) -> Reply {
    let Some(name) = assets::PREFIX
        .strip_prefix("/_/")
        .and_then(|v| rest.strip_prefix(v))
    else {
        return pages::not_found(ui);
    };
    if name.is_empty() || name.contains("..") || name.contains('\\') || name.contains('%') {
        return pages::not_found(ui);
    }
    match assets::get(&format!("assets/{name}")) {
        Some(data) => {
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let ct = if mime.type_() == "text" || mime.subtype() == "javascript" {
                format!("{mime}; charset=utf-8")
            } else {
                mime.to_string()
            };
            Reply::new(200, &ct, Body::Static(data))
        }
        None => pages::not_found(ui),
    }
}

pub fn favicon(_app: &App, _req: &Req, ui: &Ui, _rest: &str) -> Reply {
    match assets::get("assets/favicon.png") {
        Some(data) => Reply::new(200, "image/png", Body::Static(data)),
        None => pages::not_found(ui),
    }
}
