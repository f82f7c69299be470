//! A very small template language for `web/templates/*.html`.
//!
//! `{{name}}` inserts an escaped value, `{{{name}}}` inserts trusted HTML
//! built by `render`, `{{t:key}}` inserts a UI string (escaped). Keeping it
//! this small keeps every page's markup readable in one file and costs no
//! build time.

use super::html::escape_into;
use super::i18n::Strings;
use crate::assets;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Values for one rendering.
#[derive(Default)]
pub struct Vars<'a> {
    text: HashMap<&'a str, String>,
    html: HashMap<&'a str, String>,
}

impl<'a> Vars<'a> {
    pub fn new() -> Self {
        Self::default()
    }
    /// Plain text, escaped when inserted.
    pub fn text(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.text.insert(name, value.into());
        self
    }
    /// Markup built by our own code from escaped parts.
    pub fn html(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.html.insert(name, value.into());
        self
    }
}

fn source(name: &str) -> &'static str {
    static CACHE: OnceLock<HashMap<String, String>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        names()
            .into_iter()
            .filter_map(|n| assets::text(&n).map(|t| (n, t)))
            .collect()
    });
    all.get(&format!("templates/{name}.html"))
        .map(String::as_str)
        .unwrap_or("")
}

/// Paths (inside `web/`) of every template.
pub fn names() -> Vec<String> {
    let mut v: Vec<String> = ["layout", "home", "search", "message", "external", "viewer"]
        .iter()
        .map(|n| format!("templates/{n}.html"))
        .collect();
    v.sort();
    v
}

/// Renders template `name` with `vars`, UI strings from `strings`.
pub fn render(name: &str, vars: &Vars, strings: &Strings) -> String {
    let src = source(name);
    let mut out = String::with_capacity(src.len() + 1024);
    let mut rest = src;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let (raw, open, close) = if after.starts_with("{{{") {
            (true, 3, "}}}")
        } else {
            (false, 2, "}}")
        };
        let Some(end) = after[open..].find(close) else {
            out.push_str(after);
            return out;
        };
        let key = after[open..open + end].trim();
        if raw {
            if let Some(v) = vars.html.get(key) {
                out.push_str(v);
            }
        } else if let Some(k) = key.strip_prefix("t:") {
            escape_into(&mut out, strings.t(k));
        } else if let Some(v) = vars.text.get(key) {
            escape_into(&mut out, v);
        }
        rest = &after[open + end + close.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn every_template_exists() {
        for n in names() {
            assert!(assets::text(&n).is_some(), "{n} missing");
        }
    }

    #[test]
    fn escapes_text_not_html() {
        let s = Strings::get(Lang::En);
        let v = Vars::new().text("title", "<b>").html("body", "<i>x</i>");
        let out = render("message", &v, s);
        assert!(out.contains("&lt;b&gt;"));
        assert!(out.contains("<i>x</i>"));
    }
}
