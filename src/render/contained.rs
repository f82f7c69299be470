//! Pages of archive containment: the viewer (our toolbar above a sandboxed
//! frame of the content origin), the browser-test page, the helper script's
//! tag, the line shown when an archive's scripts are off here, and the bare
//! pages of the content origin.

use super::html::escape;
use super::i18n::Strings;
use super::template::{render, Vars};
use super::Ui;
use crate::assets;
use crate::lang::Lang;

/// The frame's sandbox: scripts and their own origin (storage, module
/// scripts, fetch of their own files), forms, dialogs, downloads. Never
/// `allow-popups*` or `allow-top-navigation*`: each reopens a way out that
/// nothing else checks.
pub const FRAME_SANDBOX: &str =
    "allow-scripts allow-same-origin allow-forms allow-modals allow-downloads";
/// The same without scripts, for archives whose scripts are off here.
pub const FRAME_SANDBOX_NO_SCRIPTS: &str = "allow-same-origin allow-forms allow-downloads";

pub struct ViewerView<'a> {
    /// The archive's title, and the page's when known.
    pub archive_title: &'a str,
    pub page_title: &'a str,
    /// The archive's id (the toolbar's search scope, its random article).
    pub zim_id: &'a str,
    /// The frame's address on the content origin (absolute).
    pub frame_src: &'a str,
    /// `http://127.0.0.1:P2`: the only origin whose messages are read.
    pub content_origin: &'a str,
    /// The same page without scripts, on the interface origin.
    pub direct: &'a str,
    pub scripts: bool,
    /// The page's CSP nonce for its inline script and style.
    pub nonce: u64,
}

/// Our static files, inlined into the viewer so that a page view costs one
/// request more than the direct page, not four (nothing is cached: every
/// response says `no-store`).
fn inline_assets(nonce: u64) -> (String, String) {
    let css = assets::text("assets/toolbar.css").unwrap_or_default();
    let js = format!(
        "{}\n{}",
        assets::text("assets/app.js").unwrap_or_default(),
        assets::text("assets/viewer.js").unwrap_or_default()
    );
    (
        format!("<style nonce=\"{nonce:016x}\">{css}</style>"),
        format!("<script nonce=\"{nonce:016x}\">{js}</script>"),
    )
}

pub fn viewer(ui: &Ui, v: &ViewerView) -> String {
    let (style, script) = inline_assets(v.nonce);
    let base = format!("{} – {}", v.archive_title, ui.brand());
    let title = if v.page_title.is_empty() {
        base.clone()
    } else {
        format!("{} – {base}", v.page_title)
    };
    let vars = Vars::new()
        .text("lang", ui.lang.code())
        .text("title", title)
        .text("title_base", base)
        .html("style", style)
        .html("script", script)
        .text("direct", v.direct)
        .text("frame_src", v.frame_src)
        .text("content_origin", v.content_origin)
        .text(
            "sandbox",
            if v.scripts {
                FRAME_SANDBOX
            } else {
                FRAME_SANDBOX_NO_SCRIPTS
            },
        )
        .html(
            "toolbar",
            super::toolbar(ui, v.zim_id, v.archive_title, true),
        );
    render("viewer", &vars, ui.s())
}

/// The helper, inline in a framed page that runs scripts (no request of
/// its own); it holds nothing the page may not read.
pub fn helper_tag(ui_origin: &str) -> String {
    format!("<script>{}</script>", helper_js(ui_origin))
}

/// The helper script for frames of the viewer at `ui_origin`.
pub fn helper_js(ui_origin: &str) -> String {
    let js = assets::text("assets/helper.js").unwrap_or_default();
    js.replace("__UI_ORIGIN__", ui_origin)
}

/// A JavaScript string literal that is safe inside `<script>`.
fn js_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The browser test: it asks for `hit` (another origin of this machine,
/// which the page's `Connection-Allowlist` forbids and its CSP allows), says
/// how that ended, then goes on to `then` (a path of the content origin).
pub fn probe_page(hit: &str, done: &str, then: &str) -> String {
    format!(
        concat!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title></title></head><body><script>",
            "(function(){{var hit={hit},done={done},then={then};",
            "function go(){{location.replace(then+location.hash);}}",
            "function report(r){{fetch(done+'&r='+r,{{cache:'no-store'}}).then(go,go);}}",
            "try{{fetch(hit,{{mode:'no-cors',cache:'no-store',credentials:'omit'}})",
            ".then(function(){{report('leaked');}},function(){{report('refused');}});}}",
            "catch(e){{report('leaked');}}}})();",
            "</script></body></html>"
        ),
        hit = js_string(hit),
        done = js_string(done),
        then = js_string(then),
    )
}

/// The one plain line, in both languages, on a page whose archive is made
/// to run scripts that are off here.
pub fn scripts_off_notice() -> String {
    let ko = Strings::get(Lang::Ko).t("scripts_off_notice");
    let en = Strings::get(Lang::En).t("scripts_off_notice");
    format!(
        "<p id=\"ds-noscript-note\" role=\"note\" style=\"all:initial;display:block;margin:0;padding:4px 8px;background:#fff3cd;color:#1f2328;font:14px/1.5 sans-serif;border-bottom:1px solid #d6c37a\"><span lang=\"ko\">{}</span> <span lang=\"en\">{}</span></p>",
        escape(ko),
        escape(en)
    )
}

/// Scrapers whose archives are script applications: Zimit/warc2zim crawls
/// replay through a script, YouTube channels and PhET are script apps, and
/// the others build their pages in the browser.
const SCRIPTED_SCRAPERS: [&str; 8] = [
    "warc2zim",
    "zimit",
    "youtube",
    "phet",
    "ted2zim",
    "kolibri2zim",
    "openedx2zim",
    "gutenberg",
];

/// Whether an archive's `Scraper` or `Tags` metadata says it is made to run
/// scripts.
pub fn scripted_archive(scraper: &str, tags: &str) -> bool {
    let scraper = scraper.to_ascii_lowercase();
    let tags = tags.to_ascii_lowercase();
    SCRIPTED_SCRAPERS.iter().any(|s| scraper.contains(s))
        || tags.contains("youtube")
        || tags.contains("phet")
}

/// Whether a page is a script application: next to no text of its own
/// outside its scripts, and a script. Cheap for ordinary pages: the text
/// count stops at the first words of the body.
pub fn scripted_page(html: &str) -> bool {
    let body = find_tag(html, "body").unwrap_or(0);
    visible_chars(&html[body..], 40) < 40 && find_tag(html, "script").is_some()
}

/// Where `<name` first starts (any case), jumping from `<` to `<`.
fn find_tag(html: &str, name: &str) -> Option<usize> {
    let b = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html.get(from..).and_then(|r| r.find('<')) {
        let at = from + i;
        if b.get(at + 1..at + 1 + name.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Counts non-space characters outside tags, `<script>`, `<style>`,
/// `<noscript>` and `<template>`, stopping at `enough`.
fn visible_chars(html: &str, enough: usize) -> usize {
    let b = html.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() && n < enough {
        if b[i] == b'<' {
            let after = &b[i + 1..];
            let raw = ["script", "style", "noscript", "template"]
                .iter()
                .find(|t| {
                    after
                        .get(..t.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(t.as_bytes()))
                });
            let skip = match raw {
                Some(t) => find_ci(&html[i..], &format!("</{t}")).map(|e| e + 2),
                None => None,
            };
            i += skip.unwrap_or_else(|| html[i..].find('>').map(|e| e + 1).unwrap_or(b.len() - i));
            continue;
        }
        if !b[i].is_ascii_whitespace() && (b[i] & 0xC0) != 0x80 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// A page of the content origin for an error: no header, no controls.
pub fn bare_message(ui: &Ui, status: u16) -> String {
    let s = ui.s();
    let title = if status == 404 {
        s.t("not_found_title")
    } else {
        s.t("error_title")
    };
    format!(
        "<!DOCTYPE html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body><p>{t} ({status})</p></body></html>",
        l = ui.lang.code(),
        t = escape(title),
    )
}

/// The outside-link notice on the content origin: the address as text, and
/// a way back, without the interface's header.
pub fn external_bare(ui: &Ui, address: &str) -> String {
    let s = ui.s();
    format!(
        "<!DOCTYPE html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{h}</title></head><body style=\"font:16px/1.5 sans-serif;margin:1em\"><h1>{h}</h1><p>{b}</p><p><code>{a}</code></p><p>{n}</p></body></html>",
        l = ui.lang.code(),
        h = escape(s.t("external_heading")),
        b = escape(s.t("external_explain")),
        n = escape(s.t("external_no_network")),
        a = escape(address),
    )
}

/// The page that `GET /close` shows: one button that posts the token.
pub fn close_confirm(ui: &Ui) -> String {
    let s = ui.s();
    let body = format!(
        "<p>{}</p><form method=\"post\" action=\"/close?token={}\"><button type=\"submit\">{}</button></form>",
        escape(s.t("close_confirm_body")),
        crate::session::close_token(),
        escape(s.t("close")),
    );
    let content = render(
        "message",
        &Vars::new()
            .text("title", s.t("close_confirm_title"))
            .html("body", body)
            .text("home", ui.link("/")),
        s,
    );
    super::page(ui, s.t("close_confirm_title"), "", None, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_pages_and_archives() {
        assert!(scripted_page(
            "<html><head><script src=a.js></script></head><body><div id=app></div><noscript>needs JavaScript, really needs it a lot</noscript></body></html>"
        ));
        assert!(!scripted_page(
            "<html><head><script src=a.js></script></head><body><h1>Seoul</h1><p>Seoul is the capital and largest city of South Korea.</p></body></html>"
        ));
        assert!(!scripted_page("<body><div id=app></div></body>"));
        // Anything at all: never a panic, whatever follows a `<`.
        for odd in [
            "<서울<script",
            "<",
            "<scr",
            "<script",
            "<body<",
            "<body><script>",
            "a<é<style",
        ] {
            let _ = scripted_page(odd);
        }
        assert!(scripted_page("<body><서울><script>x</script></body>"));
        assert!(scripted_archive("warc2zim 2.0.3", ""));
        assert!(scripted_archive("", "_category:youtube;_videos:yes"));
        assert!(!scripted_archive(
            "mwoffliner 1.13.0",
            "wikipedia;_pictures:no"
        ));
    }

    #[test]
    fn probe_strings_cannot_close_the_script() {
        let p = probe_page(
            "http://127.0.0.1:1/_ds/probe-hit?k=a",
            "/_ds/probe-done?k=a",
            "/content/x/</script><b>",
        );
        assert!(!p.contains("</script><b>"));
    }
}
