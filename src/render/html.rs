//! Escaping for text placed in HTML.

use std::fmt::Write;

/// Escapes text for an HTML element body or a quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// `page` with `<meta charset="utf-8">` in its first 1024 bytes, where
/// browsers look for it (the HTTP header says so too; the meta is for a
/// browser or a tool that reads the page without the header). A page that
/// already declares a charset there is returned as it is; otherwise the
/// meta goes right after `<head>`, else after `<html>` or the doctype, else
/// first.
pub fn with_charset_meta(page: String) -> String {
    const META: &str = "<meta charset=\"utf-8\">";
    let head_end = page.len().min(1024);
    let lower: String = page.as_bytes()[..head_end]
        .iter()
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    if lower.contains("charset") {
        return page;
    }
    // The end of the first `<tag>` or `<tag …>` named `name`.
    let after_tag = |name: &str| {
        let mut from = 0;
        while let Some(i) = lower[from..].find(name).map(|i| i + from) {
            let next = lower.as_bytes().get(i + name.len()).copied();
            if matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
                return lower[i..].find('>').map(|e| i + e + 1);
            }
            from = i + name.len();
        }
        None
    };
    let at = after_tag("<head")
        .or_else(|| after_tag("<html"))
        .or_else(|| after_tag("<!doctype"))
        .filter(|&at| at + META.len() <= 1024)
        .unwrap_or(0);
    let mut out = String::with_capacity(page.len() + META.len());
    out.push_str(&page[..at]);
    out.push_str(META);
    out.push_str(&page[at..]);
    out
}

/// Escapes a string for a JSON string literal inside a `<script>`-free page
/// (used only for small inline data attributes).
pub fn escape_json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Moves every heading of a fragment `by` levels down (an `h1` of a
/// description becomes an `h2` under the page's own `h1`), never past `h6`.
pub fn shift_headings(html: &str, by: u8) -> String {
    if by == 0 {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(p) = rest.find('<') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let b = rest.as_bytes();
        let (slash, at) = if b.get(1) == Some(&b'/') {
            (true, 2)
        } else {
            (false, 1)
        };
        let is_h = matches!(b.get(at), Some(b'h') | Some(b'H'));
        let level = b.get(at + 1).filter(|d| (b'1'..=b'6').contains(*d));
        let ends = matches!(
            b.get(at + 2),
            Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\n')
        );
        match (is_h, level, ends) {
            (true, Some(&d), true) => {
                let n = (d - b'0').saturating_add(by).min(6);
                out.push_str(if slash { "</h" } else { "<h" });
                out.push(char::from(b'0' + n));
                rest = &rest[at + 2..];
            }
            _ => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn charset_meta_goes_where_browsers_look() {
        let kept =
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title>".to_string();
        assert_eq!(with_charset_meta(kept.clone()), kept);
        let http_equiv =
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">"
                .to_string();
        assert_eq!(with_charset_meta(http_equiv.clone()), http_equiv);
        assert_eq!(
            with_charset_meta("<!DOCTYPE html><HTML lang=ko><Head class=x><title>t</title></head>".into()),
            "<!DOCTYPE html><HTML lang=ko><Head class=x><meta charset=\"utf-8\"><title>t</title></head>"
        );
        assert_eq!(
            with_charset_meta("<html><header>x</header>".into()),
            "<html><meta charset=\"utf-8\"><header>x</header>"
        );
        assert_eq!(
            with_charset_meta("<p>bare".into()),
            "<meta charset=\"utf-8\"><p>bare"
        );
        // A declaration only after the first 1024 bytes does not count, and
        // a <head> that far down is not where the meta goes.
        let late = format!(
            "<!-- {} --><head><meta charset=\"utf-8\">",
            "x".repeat(1100)
        );
        let out = with_charset_meta(late);
        assert!(
            out.starts_with("<meta charset=\"utf-8\"><!--"),
            "{}",
            &out[..40]
        );
    }

    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("서울"), "서울");
    }

    #[test]
    fn headings_shift() {
        assert_eq!(
            shift_headings("<h1 id=a>T</h1><p>x</p><h6>z</h6><hr><h2>y</h2>", 1),
            "<h2 id=a>T</h2><p>x</p><h6>z</h6><hr><h3>y</h3>"
        );
        assert_eq!(shift_headings("<", 1), "<");
        assert_eq!(shift_headings("<h1", 1), "<h1");
    }
}
