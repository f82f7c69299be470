//! The markup of every page kind we build, checked for what screen readers
//! and keyboards need: a language, one `h1` and no skipped heading levels,
//! text for every image, a label for every field, a name for every button.

mod common;

use common::*;
use std::sync::OnceLock;

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&sample_bundle()))
}

/// Every page kind of the UI, in both languages.
fn pages() -> Vec<String> {
    let s = server();
    let cat = s.get("/api/catalog").json();
    let mut urls = vec![
        "/".to_string(),
        "/search?q=%EC%88%98%EB%8B%AC".to_string(),
        "/search?q=".to_string(),
        "/list/videos".to_string(),
        "/list/documents?sort=title".to_string(),
        "/external?url=https%3A%2F%2Fexample.org".to_string(),
        "/no/such/page".to_string(),
    ];
    for kind in ["documents", "videos", "audio", "pages"] {
        for it in cat[kind].as_array().unwrap() {
            urls.push(it["page"].as_str().unwrap().to_string());
        }
    }
    let mut all = Vec::new();
    for u in urls {
        let sep = if u.contains('?') { '&' } else { '?' };
        all.push(format!("{u}{sep}lang=ko"));
        all.push(format!("{u}{sep}lang=en"));
    }
    all
}

/// Start tags named `name` with their attribute text.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    html.match_indices(&open)
        .filter_map(|(i, _)| {
            let rest = &html[i + open.len()..];
            let next = rest.chars().next()?;
            if !(next == ' ' || next == '>' || next == '/') {
                return None;
            }
            Some(&rest[..rest.find('>')?])
        })
        .collect()
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

#[test]
fn every_page_is_accessible() {
    for url in pages() {
        let r = server().get(&url);
        let html = r.text();
        assert!(html.starts_with("<!DOCTYPE html>"), "{url}");
        assert!(
            html.contains("<html lang=\"ko\">") || html.contains("<html lang=\"en\">"),
            "{url}: lang"
        );
        assert!(
            html.contains("<title>") && !html.contains("<title></title>"),
            "{url}: title"
        );
        // Headings: one h1, first; no level skipped on the way down.
        let mut levels = Vec::new();
        for (i, _) in html.match_indices("<h") {
            if let Some(d) = html[i + 2..].chars().next().and_then(|c| c.to_digit(10)) {
                levels.push(d);
            }
        }
        assert_eq!(
            levels.iter().filter(|&&l| l == 1).count(),
            1,
            "{url}: h1 count in {levels:?}"
        );
        assert_eq!(levels.first(), Some(&1), "{url}: first heading {levels:?}");
        for w in levels.windows(2) {
            assert!(
                w[1] <= w[0] + 1,
                "{url}: heading skips from h{} to h{}",
                w[0],
                w[1]
            );
        }
        for img in tags(&html, "img") {
            assert!(attr(img, "alt").is_some(), "{url}: img without alt: {img}");
        }
        for input in tags(&html, "input") {
            if attr(input, "type") == Some("hidden") {
                continue;
            }
            // A submit button is named by its value (buttons are inputs so
            // that Dillo and IE 6 draw them inline).
            if attr(input, "type") == Some("submit") {
                assert!(
                    attr(input, "value").is_some_and(|v| !v.trim().is_empty()),
                    "{url}: button without text: {input}"
                );
                continue;
            }
            let labelled = attr(input, "aria-label").is_some()
                || attr(input, "id")
                    .is_some_and(|id| html.contains(&format!("<label for=\"{id}\"")));
            assert!(labelled, "{url}: input without label: {input}");
        }
        for (i, _) in html.match_indices("<button") {
            let end = html[i..].find("</button>").map(|e| i + e).unwrap_or(i);
            let inner = &html[i..end];
            let text = inner.split_once('>').map(|(_, t)| t.trim()).unwrap_or("");
            assert!(!text.is_empty(), "{url}: button without text");
        }
        for a in tags(&html, "a") {
            assert!(attr(a, "href").is_some(), "{url}: link without href: {a}");
        }
        assert!(
            html.contains("class=\"skip\" href=\"#main\""),
            "{url}: skip link"
        );
    }
}
