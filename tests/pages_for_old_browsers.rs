//! Issue 16, item 1, what can be checked without a browser:
//! - every HTML page declares UTF-8 twice, in `Content-Type` and in a
//!   `<meta charset>` within its first 1024 bytes (where browsers look);
//! - our pages use no `header`/`nav`/`main`/`section`/`article`/`aside`/
//!   `footer` element, which IE ≤ 8 cannot style, and our CSS styles none;
//! - every declaration of our CSS that goes beyond CSS 2.1 (`rem`, `vh`,
//!   `vw`, `calc()`, `var()`, flex and grid display) follows a CSS 2.1
//!   declaration of the same property in the same rule;
//! - without styles (w3m) a page reads skip link, search, heading, footer.

mod common;
mod kinds;

const HTML5_ELEMENTS: &[&str] = &[
    "header", "nav", "main", "section", "article", "aside", "footer", "figure",
];

#[test]
fn every_html_page_declares_utf8_in_the_header_and_the_first_1024_bytes() {
    let server = common::start(&common::sample_bundle());
    let empty_dir = kinds::empty_drive();
    let empty = common::start(&empty_dir);
    let catalog = server.get("/api/catalog").json();
    let mut pages: Vec<(String, u16, &common::Server)> = kinds::all(&catalog)
        .into_iter()
        .map(|k| (k.path, k.status, &server))
        .collect();
    for (path, status) in [
        ("/hide", 200),
        ("/close", 200),
        ("/search?q=", 200),
        ("/list/nothing", 404),
        ("/view/%FF", 400),
    ] {
        pages.push((path.to_string(), status, &server));
    }
    pages.push(("/".into(), 200, &empty));
    for (path, status, s) in pages {
        let r = s.get(&path);
        assert_eq!(r.status, status, "{path}");
        let ct = r
            .header("Content-Type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(
            ct.starts_with("text/html") && ct.replace(' ', "").contains(";charset=utf-8"),
            "{path}: Content-Type {ct}"
        );
        let head: String = r.body[..r.body.len().min(1024)]
            .iter()
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        assert!(
            head.contains("<meta charset=\"utf-8\">"),
            "{path}: no <meta charset=\"utf-8\"> in the first 1024 bytes:\n{head}"
        );
    }
    drop(empty);
    let _ = std::fs::remove_dir_all(&empty_dir);
}

#[test]
fn our_pages_use_no_element_that_ie8_cannot_style() {
    let server = common::start(&common::sample_bundle());
    let catalog = server.get("/api/catalog").json();
    for kind in kinds::all(&catalog).into_iter().filter(|k| !k.archive) {
        let html = server.get(&kind.path).text().to_ascii_lowercase();
        for el in HTML5_ELEMENTS {
            for tag in [format!("<{el}>"), format!("<{el} ")] {
                assert!(
                    !html.contains(&tag),
                    "{}: <{el}> (IE 8 cannot style it; use a div with a class and a role)",
                    kind.path
                );
            }
        }
    }
}

/// `(selector, declarations)` of every rule of a stylesheet, `@media`
/// blocks flattened.
fn rules(css: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut text = String::new();
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        text.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |e| &rest[i + e + 2..]);
    }
    text.push_str(rest);
    text.split('}')
        .filter_map(|block| {
            let (sel, body) = block.rsplit_once('{')?;
            let sel = sel.rsplit('{').next().unwrap_or(sel).trim().to_string();
            let decls = body
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(p, v)| (p.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
                .collect();
            Some((sel, decls))
        })
        .collect()
}

/// What in `value` of `property` is beyond CSS 2.1 (and would leave IE 8 or
/// Firefox 3.5 without the declaration), if anything.
fn beyond_css21(property: &str, value: &str) -> Option<&'static str> {
    let unit = |u: &str| {
        value.match_indices(u).any(|(i, _)| {
            i > 0
                && value.as_bytes()[i - 1].is_ascii_digit()
                && !value
                    .as_bytes()
                    .get(i + u.len())
                    .is_some_and(|b| b.is_ascii_alphabetic())
        })
    };
    for u in ["rem", "vh", "vw", "vmin", "vmax", "ch"] {
        if unit(u) {
            return Some(match u {
                "rem" => "rem",
                "vh" => "vh",
                "vw" => "vw",
                "vmin" => "vmin",
                "vmax" => "vmax",
                _ => "ch",
            });
        }
    }
    if value.contains("calc(") {
        return Some("calc()");
    }
    if value.contains("var(") {
        return Some("var()");
    }
    if property == "display"
        && [
            "flex",
            "grid",
            "-webkit-box",
            "-ms-flexbox",
            "-webkit-flex",
            "-moz-box",
        ]
        .iter()
        .any(|d| value.trim_start_matches("inline-") == *d)
    {
        return Some("flex or grid display");
    }
    None
}

#[test]
fn css_beyond_2_1_always_has_a_fallback_before_it() {
    let mut problems = Vec::new();
    let mut checked = 0;
    let dir = common::repo().join("web/assets");
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "css") {
            continue;
        }
        let css = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (sel, decls) in rules(&css) {
            checked += 1;
            for word in sel
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '#'))
            {
                if HTML5_ELEMENTS.contains(&word) {
                    problems.push(format!(
                        "{name}: `{sel}` styles <{word}>, which IE 8 cannot"
                    ));
                }
            }
            for (i, (prop, value)) in decls.iter().enumerate() {
                let Some(what) = beyond_css21(prop, value) else {
                    continue;
                };
                let fallback = decls[..i]
                    .iter()
                    .any(|(p, v)| p == prop && beyond_css21(p, v).is_none());
                if !fallback {
                    problems.push(format!(
                        "{name}: `{sel} {{ {prop}: {value} }}` uses {what} with no CSS 2.1 {prop} before it"
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} rules found in {}",
        dir.display()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_css_check_sees_what_it_must() {
    let r = rules("/* x { a: 1 } */ a { width: 10rem } @media (max-width: 600px) { b { width: 10px; width: 2vw } }");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[1].0, "b");
    assert_eq!(beyond_css21("width", "10rem"), Some("rem"));
    assert_eq!(beyond_css21("width", "2vw"), Some("vw"));
    assert_eq!(
        beyond_css21("min-height", "calc(100% - 2em)"),
        Some("calc()")
    );
    assert_eq!(
        beyond_css21("display", "inline-flex"),
        Some("flex or grid display")
    );
    assert_eq!(beyond_css21("display", "inline-block"), None);
    assert_eq!(beyond_css21("font-family", "\"chrome\", sans-serif"), None);
    assert_eq!(beyond_css21("margin", "0 1em"), None);
}

fn ui_string(lang: &str, key: &str) -> String {
    let file = common::repo().join("web/i18n").join(format!("{lang}.txt"));
    let text = std::fs::read_to_string(&file).expect("i18n file");
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {key} in {}", file.display()))
}

/// The text of the first `<h1>`, tags and entities of the common kind out.
fn h1_text(html: &str) -> Option<String> {
    let start = html.find("<h1")?;
    let open_end = start + html[start..].find('>')? + 1;
    let end = open_end + html[open_end..].find("</h1>")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[open_end..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(
        text.replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

/// Reading order without CSS (what a text browser, a screen reader or an
/// engine that ignores the styles shows): the skip link, the search form,
/// the page's heading, then the footer; every page kind, in w3m.
#[test]
fn reading_order_without_styles_is_header_content_footer() {
    let w3m_ok = std::process::Command::new("w3m")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !w3m_ok {
        println!("NOTICE: skipped: w3m not installed");
        return;
    }
    let server = common::start(&common::sample_bundle());
    let catalog = server.get("/api/catalog").json();
    let home = common::temp_dir("w3m-order");
    let skip = ui_string("ko", "skip_to_content");
    let button = ui_string("ko", "search_button");
    let footer = ui_string("ko", "footer_note");
    for kind in kinds::all(&catalog).into_iter().filter(|k| !k.archive) {
        let sep = if kind.path.contains('?') { '&' } else { '?' };
        let path = format!("{}{sep}lang=ko", kind.path);
        let url = format!("{}{path}", server.base_url());
        let html = server.get(&path).text();
        let out = std::process::Command::new("w3m")
            .args(["-dump", "-cols", "200", "-O", "UTF-8", &url])
            .env("HOME", &home)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("w3m runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let heading = h1_text(&html).unwrap_or_else(|| panic!("{}: no h1", kind.path));
        let heading: String = heading.split_whitespace().collect::<Vec<_>>().join(" ");
        let at = |what: &str| {
            flat.find(what)
                .unwrap_or_else(|| panic!("{}: {what:?} not in the text:\n{text}", kind.path))
        };
        let search = at(&format!("[{button}]"));
        // The heading after the header (the start page's is the library's
        // name, which the header shows too).
        let heading_at = flat[search..].find(&heading).map_or(0, |i| i + search);
        let order = [
            ("skip link", at(&skip)),
            ("search button", search),
            ("heading", heading_at),
            ("footer", flat.rfind(footer.as_str()).unwrap_or(0)),
        ];
        for w in order.windows(2) {
            assert!(
                w[0].1 < w[1].1,
                "{}: the {} comes after the {}:\n{text}",
                kind.path,
                w[0].0,
                w[1].0
            );
        }
    }
    let _ = std::fs::remove_dir_all(&home);
}
