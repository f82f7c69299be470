//! Issue 13: "As Internet Explorer 8 (its User-Agent): every HTML, CSS and
//! SVG entry of every corpus and test archive fetched through the server
//! holds no outside reference and no archive script." IE 8 enforces no
//! Content-Security-Policy, so only what the server sends counts. The
//! scanner below is written apart from the rewriter, and stricter.

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::zim::ZimWriter;
use common::{enc, start, temp_dir};
use driveshelf::archive::{Archive, ClusterCache};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const IE8: &str = "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)";

const HOSTILE_HTML: &str = r##"<!DOCTYPE html><html><head>
<!--[if lt IE 9]><script src="https://oss.maxcdn.example/html5shiv.js"></script><![endif]-->
<!--[if IE]><link rel="stylesheet" href="//bits.example/ie.css"><![endif]-->
<meta http-equiv="refresh" content="5; URL=https://out.example/">
<meta http-equiv="Link" content="<https://out.example/l.css>; rel=stylesheet">
<base href="https://out.example/">
<link rel="stylesheet" href="style.css"><link rel="preconnect" href="https://out.example">
<style>@import url(//bits.example/a.css); body{background:u\72l(//out.example/b.png)} a{width:expression(alert(1));behavior:url(x.htc)}</style>
<script>location='https://out.example/'</script><SCRIPT SRC=//out.example/x.js></SCRIPT>
</head><body onload="alert(1)" background="https://out.example/bg.png">
<a href="https://ko.wikipedia.org/wiki/서울">outside</a><a href="java&#x09;script:alert(1)">j</a>
<img src="&#104;ttps://out.example/a.png" srcset="a.png 1x, //out.example/b.png 2x" onerror="x()">
<iframe src="//out.example/"></iframe><iframe srcdoc="&lt;img src=https://out.example/s.png&gt;"></iframe>
<object data="https://out.example/x.swf"><param name="movie" value="https://out.example/x.swf"></object>
<svg><image xlink:href="https://out.example/i.png"/><style><img src=//out.example/x></style><script>alert(1)</script></svg>
<div style="background:url('//out.example/d.png')">d</div><form action="https://out.example/f"></form>
<noscript><img src="local.png"></noscript><p>text about javascript: and http://example.org stays text</p>
</body></html>"##;

const HOSTILE_CSS: &str = "@import 'https://out.example/i.css';\n@font-face{font-family:f;src:url(//out.example/f.woff)}\nbody{background:url(bg.png)}\n.x{background-image:image-set('//out.example/1.png' 1x)}\n.y{filter:progid:DXImageTransform.Microsoft.AlphaImageLoader(src='https://out.example/a.png')}\n.z{-moz-binding:url(x.xml#b);behavior:url(x.htc);width:expression(alert(1))}\n";

const HOSTILE_SVG: &str = r##"<?xml version="1.0"?><?xml-stylesheet href="https://out.example/s.css"?>
<!DOCTYPE svg [<!ENTITY out "https://out.example/e.png">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
<script>alert(1)</script><style>@import url(//out.example/a.css);</style>
<image xlink:href="&out;"/><image href="local.png"/><use href="//out.example/u.svg#a"/>
<rect fill="url(https://out.example/p.svg#p)" style="fill:url(//out.example/q.svg#q)"/>
<a xlink:href="javascript:alert(1)"><text>t</text></a></svg>"##;

fn hostile_archive(dir: &Path) {
    let mut z = ZimWriter::new();
    z.add("hostile.html", "Hostile", "text/html", HOSTILE_HTML);
    z.add("style.css", "", "text/css", HOSTILE_CSS);
    z.add("pic.svg", "", "image/svg+xml", HOSTILE_SVG);
    z.add("page.xhtml", "X", "application/xhtml+xml", HOSTILE_HTML);
    z.metadata("Title", "Hostile");
    z.main_page("hostile.html");
    z.write(&dir.join("hostile.zim"))
        .expect("write test archive");
}

/// Every valid archive of the corpus and the sample bundle.
fn archives() -> Option<Vec<PathBuf>> {
    let shared = common::shared()?;
    let mut out = Vec::new();
    for sub in [
        "corpus/zim/libkiwix",
        "corpus/zim/openzim-testing-suite/nons",
        "corpus/zim/openzim-testing-suite/withns",
        "sample-bundle/wikipedia",
    ] {
        let Ok(rd) = std::fs::read_dir(shared.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = p.file_name()?.to_string_lossy().to_string();
            if name.ends_with(".zim") && !name.starts_with("invalid.") {
                out.push(p);
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(common::sample_bundle().join("wikipedia")) {
        out.extend(rd.flatten().map(|e| e.path()));
    }
    Some(out)
}

fn squeeze(v: &str) -> String {
    v.chars()
        .filter(|c| *c > ' ' && *c != '`')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A stricter reading than the rewriter's: any `scheme:` but data/about/
/// blob, and any `//` or `\\` start.
fn outside(v: &str) -> bool {
    let s = squeeze(v);
    if s.starts_with("//") || s.starts_with("\\\\") || s.starts_with("/\\") || s.starts_with("\\/")
    {
        return true;
    }
    match s.find(':') {
        Some(c) => {
            let scheme = &s[..c];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "+-.".contains(ch))
                && !matches!(scheme, "data" | "about" | "blob")
        }
        None => false,
    }
}

fn decode(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest.find(';').filter(|e| *e < 12);
        let ent = end.map(|e| &rest[1..e]);
        let c = match ent {
            Some(e) if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            Some(e) if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            Some("amp") => Some('&'),
            Some("quot") => Some('"'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("apos") => Some('\''),
            Some("colon") => Some(':'),
            Some("sol") => Some('/'),
            Some("Tab") => Some('\t'),
            _ => None,
        };
        match (c, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Problems in CSS text: outside `url()`/`@import`, script in CSS.
fn css_problems(css: &str, what: &str, found: &mut Vec<String>) {
    // Comments out, simple escapes decoded, lowercased.
    let mut s = String::new();
    let mut rest = css;
    while let Some(p) = rest.find("/*") {
        s.push_str(&rest[..p]);
        rest = rest[p + 2..].split_once("*/").map_or("", |x| x.1);
    }
    s.push_str(rest);
    let mut plain = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let mut hex = String::new();
            while hex.len() < 6 && chars.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
                hex.push(chars.next().unwrap_or('0'));
            }
            if hex.is_empty() {
                if let Some(n) = chars.next() {
                    plain.push(n);
                }
            } else {
                if chars.peek() == Some(&' ') {
                    chars.next();
                }
                plain.push(
                    u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('?'),
                );
            }
        } else {
            plain.push(c);
        }
    }
    let l = plain.to_ascii_lowercase();
    for bad in [
        "expression(",
        "behavior",
        "-moz-binding",
        "javascript:",
        "vbscript:",
    ] {
        if l.contains(bad) {
            found.push(format!("{what}: CSS {bad}"));
        }
    }
    let mut from = 0;
    while let Some(p) = l[from..].find("url(") {
        let start = from + p + 4;
        let end = l[start..].find(')').map_or(l.len(), |e| start + e);
        let v = l[start..end].trim().trim_matches(|c| c == '"' || c == '\'');
        // `@namespace url(…)` names a namespace; nothing is fetched.
        let before = &l[..from + p];
        let ns = before
            .rfind("@namespace")
            .is_some_and(|n| !before[n..].contains(';'));
        if outside(v) && !ns {
            found.push(format!("{what}: CSS url({v})"));
        }
        from = start;
    }
    let mut from = 0;
    while let Some(p) = l[from..].find("@import") {
        let start = from + p + 7;
        let v = l[start..].trim_start();
        let v = v.trim_start_matches(['"', '\'']);
        if outside(v.split(['"', '\'', ';', ' ']).next().unwrap_or("")) {
            found.push(format!("{what}: CSS @import {}", &v[..v.len().min(40)]));
        }
        from = start;
    }
}

const LOADING: [&str; 17] = [
    "src",
    "srcset",
    "imagesrcset",
    "poster",
    "data",
    "background",
    "action",
    "formaction",
    "codebase",
    "archive",
    "lowsrc",
    "dynsrc",
    "manifest",
    "ping",
    "href",
    "xlink:href",
    "classid",
];

/// Problems in HTML or SVG as sent.
fn markup_problems(text: &str, what: &str, found: &mut Vec<String>) {
    let lower = text.to_ascii_lowercase();
    for bad in [
        "<script",
        "<!--[if",
        "<![if",
        "<?xml-stylesheet",
        "<object",
        "<embed",
        "<applet",
    ] {
        if lower.contains(bad) {
            found.push(format!("{what}: {bad}"));
        }
    }
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = text[i..].find('<') {
        let at = i + p;
        i = at + 1;
        if !b.get(at + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let mut j = at + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let tag = lower[at + 1..j].to_string();
        // Attributes up to `>`, with quotes honoured.
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let ns = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let name = lower[ns..j].to_string();
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                match b.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = text[j + 1..].find(q as char).map_or(b.len(), |e| j + 1 + e);
                        value = text[j + 1..end].to_string();
                        j = end + 1;
                    }
                    _ => {
                        let vs = j;
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        value = text[vs..j].to_string();
                    }
                }
            }
            attrs.push((name, decode(&value)));
        }
        i = j.max(i);
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        for (name, value) in &attrs {
            let local = name.rsplit(':').next().unwrap_or(name);
            if local.starts_with("on") {
                found.push(format!("{what}: <{tag} {name}=…>"));
            }
            let sq = squeeze(value);
            if sq.starts_with("javascript:") || sq.starts_with("vbscript:") {
                found.push(format!("{what}: <{tag} {name}=\"{value}\">"));
            }
            if name == "style" {
                css_problems(value, what, found);
            }
            if name == "srcdoc" {
                markup_problems(value, what, found);
            }
            let link = (tag == "a" || tag == "area") && local == "href";
            if link {
                if outside(value) && !value.starts_with("/external?url=") {
                    found.push(format!("{what}: link out <{tag} href=\"{value}\">"));
                }
                continue;
            }
            if (LOADING.contains(&name.as_str()) || LOADING.contains(&local))
                && value.split([' ', ',', '\t', '\n']).any(outside)
            {
                found.push(format!("{what}: <{tag} {name}=\"{value}\">"));
            }
        }
        if tag == "meta" {
            let content = get("content").unwrap_or_default();
            if get("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
                && content.split([';', ',', '=', ' ', '\'', '"']).any(outside)
            {
                found.push(format!("{what}: meta refresh {content}"));
            }
        }
        if tag == "style" {
            let end = lower[i..].find("</style").map_or(lower.len(), |e| i + e);
            css_problems(&text[i..end], what, found);
            i = end;
        }
    }
}

#[test]
fn every_page_stylesheet_and_picture_as_ie8_holds_nothing_from_outside() {
    let Some(list) = archives() else {
        eprintln!("NOTICE: skipped: ../shared not found");
        return;
    };
    let dir = temp_dir("ie8-walk");
    hostile_archive(&dir);
    for (k, p) in list.iter().enumerate() {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        std::fs::copy(p, dir.join(format!("a{k}_{name}"))).expect("copy archive");
    }
    let server = start(&dir);
    let cat = server.get("/api/catalog").json();
    let mut scanned = 0;
    let mut found = Vec::new();
    let cache = Arc::new(ClusterCache::new(8 << 20));
    for z in cat["zims"].as_array().unwrap() {
        if z["damaged"] == true {
            continue;
        }
        let id = z["id"].as_str().unwrap();
        let file = z["file"].as_str().unwrap();
        let a = Archive::open(&dir.join(file), cache.clone()).expect("open");
        for idx in 0..a.entry_count() {
            let d = a.dirent(idx).unwrap();
            if d.is_redirect() || (a.has_new_namespace_scheme() && d.namespace != b'C') {
                continue;
            }
            let mime = a.mime_type(&d).unwrap_or_default().to_string();
            let m = mime.to_ascii_lowercase();
            let markup = m.contains("html") || m.contains("xml");
            if !markup && !m.starts_with("text/css") {
                continue;
            }
            let url = format!("/content/{}/{}", enc(id), enc(&a.user_path(&d)));
            let r = server.request("GET", &url, &[("User-Agent", IE8)]);
            assert_eq!(r.status, 200, "{url}");
            let text = r.text();
            let what = format!("{file} {}", a.user_path(&d));
            if markup {
                markup_problems(&text, &what, &mut found);
            } else {
                css_problems(&text, &what, &mut found);
            }
            scanned += 1;
        }
    }
    assert!(
        found.is_empty(),
        "{} problems:\n{}",
        found.len(),
        found.join("\n")
    );
    assert!(scanned > 300, "only {scanned} entries scanned");
    eprintln!(
        "ie8 walk: {scanned} HTML/CSS/SVG entries of {} archives clean",
        cat["zims"].as_array().unwrap().len()
    );

    // The scanner itself finds what it must (else the walk proves nothing).
    let mut f = Vec::new();
    markup_problems(HOSTILE_HTML, "raw", &mut f);
    assert!(f.len() > 15, "{f:?}");
    let mut f = Vec::new();
    css_problems(HOSTILE_CSS, "raw", &mut f);
    assert!(f.len() >= 5, "{f:?}");
}
