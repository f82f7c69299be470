//! Rewrites what an archive serves (HTML, CSS, SVG and other XML) on its way
//! to the browser, on the server, so that it holds in every browser — with
//! JavaScript off, and in browsers that enforce no Content-Security-Policy
//! at all (Internet Explorer, old Firefox):
//!
//! - nothing in it makes the browser fetch from another host without a
//!   click: no `src`, `srcset`, `poster`, `data`, `background`, `<link>`,
//!   `<base>`, `<meta refresh>`, SVG `href`, CSS `url()`/`@import`/
//!   `image-set()` to another host, not inside IE conditional comments
//!   either (comments are dropped);
//! - links to other sites lead to the local `/external` notice;
//! - with [`Scripts::Strip`] no script of the archive is left: no script
//!   elements, no `on…` attributes, no `javascript:` URLs, no plugins, no
//!   CSS that runs script in old IE or Firefox.
//!
//! The CSP headers are a second wall behind this one, not the only one.

mod css;
mod html;
mod url;

pub use url::{decode_entities, is_external};

/// Whether the archive's own scripts are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    /// Kept (for browsers that contain them, or a trusted archive).
    Keep,
    /// Removed on the server: for browsers that cannot contain them, and
    /// for every response served with scripts off.
    Strip,
}

/// How to rewrite one response.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Markup placed at the end of `<head>` (HTML only).
    pub head: &'a str,
    /// Markup placed right after `<body>` (HTML only).
    pub body: &'a str,
    pub scripts: Scripts,
}

impl Options<'_> {
    /// No additions: the rewrite alone.
    pub fn plain(scripts: Scripts) -> Options<'static> {
        Options {
            head: "",
            body: "",
            scripts,
        }
    }
}

/// Which rewrite a MIME type needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Html,
    Css,
    /// SVG and other XML, which browsers render as documents (and which may
    /// hold XHTML, scripts and stylesheets).
    Xml,
    /// Pictures, fonts, media, scripts, JSON…: sent as stored.
    Other,
}

pub fn kind(mime: &str) -> Kind {
    let m = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match m.as_str() {
        "text/html" | "application/xhtml+xml" => Kind::Html,
        "text/css" => Kind::Css,
        "image/svg+xml" | "application/xml" | "text/xml" | "text/xsl" | "application/xslt+xml" => {
            Kind::Xml
        }
        m if m.ends_with("+xml") => Kind::Xml,
        _ => Kind::Other,
    }
}

/// The Content-Type to send with what [`entry`] made of a `kind` entry.
pub fn content_type(kind: Kind, stored: &str) -> String {
    match kind {
        Kind::Html => "text/html; charset=utf-8".to_string(),
        Kind::Css => "text/css; charset=utf-8".to_string(),
        Kind::Xml => {
            let base = stored.split(';').next().unwrap_or(stored).trim();
            format!("{base}; charset=utf-8")
        }
        Kind::Other => stored.to_string(),
    }
}

/// Rewrites an archive entry of type `mime`. `None` when the type is sent
/// as stored. Bytes that are not UTF-8 are read with replacement
/// characters, and the result is labelled UTF-8, so the browser reads
/// exactly what was checked.
pub fn entry(mime: &str, bytes: &[u8], opts: &Options) -> Option<String> {
    let k = kind(mime);
    if k == Kind::Other {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    Some(match k {
        Kind::Html => html(&text, opts),
        Kind::Css => css(&text, opts.scripts),
        _ => xml(&text, opts.scripts),
    })
}

/// An HTML page.
pub fn html(src: &str, opts: &Options) -> String {
    html::rewrite(src, opts, false, 0)
}

/// A stylesheet.
pub fn css(src: &str, scripts: Scripts) -> String {
    css::sheet(src, scripts == Scripts::Strip)
}

/// An SVG picture or another XML document.
pub fn xml(src: &str, scripts: Scripts) -> String {
    html::rewrite(src, &Options::plain(scripts), true, 0)
}

/// What to put into an archive page (kept for callers of [`rewrite`]).
pub struct Inject<'a> {
    pub head: &'a str,
    pub body: &'a str,
}

/// An HTML page with its scripts kept.
pub fn rewrite(src: &str, inject: &Inject) -> String {
    html(
        src,
        &Options {
            head: inject.head,
            body: inject.body,
            scripts: Scripts::Keep,
        },
    )
}

#[cfg(test)]
mod tests;
