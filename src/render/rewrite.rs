//! Rewrites an archive's HTML on its way to the browser: links that leave
//! the drive go to a local notice page instead, external resources and
//! refreshes are dropped, and the toolbar is put in. It runs on the server so
//! it works with JavaScript off; the Content-Security-Policy is the second
//! wall behind it.

use super::html::escape;
use super::urls::query_escape;

/// What to put into an archive page.
pub struct Inject<'a> {
    /// Markup placed at the end of `<head>` (the toolbar's stylesheet).
    pub head: &'a str,
    /// Markup placed right after `<body>` (the toolbar).
    pub body: &'a str,
}

/// Elements whose content is raw text: copied untouched up to their end tag.
const RAW_TEXT: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// Attributes holding URLs that the browser fetches by itself.
const FETCH_ATTRS: [&str; 9] = [
    "src",
    "srcset",
    "poster",
    "background",
    "data",
    "manifest",
    "longdesc",
    "lowsrc",
    "dynsrc",
];

pub fn rewrite(html: &str, inject: &Inject) -> String {
    let mut out = String::with_capacity(html.len() + inject.head.len() + inject.body.len() + 256);
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut head_done = inject.head.is_empty();
    let mut body_done = inject.body.is_empty();
    while i < bytes.len() {
        let Some(rel) = html[i..].find('<') else {
            out.push_str(&html[i..]);
            break;
        };
        out.push_str(&html[i..i + rel]);
        i += rel;
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map(|e| e + 3).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            i += end;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            i += end;
            continue;
        }
        if let Some(after) = rest.strip_prefix("</") {
            let name_len = tag_name_len(after);
            let name = after[..name_len].to_ascii_lowercase();
            let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
            if name == "head" && !head_done {
                out.push_str(inject.head);
                head_done = true;
            }
            out.push_str(&rest[..end]);
            i += end;
            continue;
        }
        let name_len = tag_name_len(&rest[1..]);
        if name_len == 0 {
            out.push('<');
            i += 1;
            continue;
        }
        let name = rest[1..1 + name_len].to_ascii_lowercase();
        let Some(tag) = parse_tag(&rest[1 + name_len..]) else {
            // A tag still open at the end of the document: browsers drop it,
            // and so do we rather than pass on a link we could not read.
            break;
        };
        if name == "body" && !head_done {
            out.push_str(inject.head);
            head_done = true;
        }
        write_tag(&mut out, &name, &tag.attrs, tag.self_closing);
        i += 1 + name_len + tag.len;
        if name == "body" && !body_done {
            out.push_str(inject.body);
            body_done = true;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            let end = find_end_tag(&html[i..], &name).unwrap_or(html.len() - i);
            out.push_str(&html[i..i + end]);
            i += end;
        }
    }
    if !head_done || !body_done {
        // A fragment without <head>/<body>: the toolbar goes first.
        let mut prefix = String::new();
        if !head_done {
            prefix.push_str(inject.head);
        }
        if !body_done {
            prefix.push_str(inject.body);
        }
        out.insert_str(0, &prefix);
    }
    out
}

fn tag_name_len(s: &str) -> usize {
    s.bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'_'))
        .unwrap_or(s.len())
}

fn find_end_tag(s: &str, name: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let pat = format!("</{name}");
    let mut from = 0;
    while let Some(p) = lower[from..].find(&pat) {
        let at = from + p;
        let next = lower.as_bytes().get(at + pat.len()).copied();
        if matches!(next, None | Some(b'>') | Some(b'/'))
            || next.is_some_and(|b| b.is_ascii_whitespace())
        {
            return Some(at);
        }
        from = at + pat.len();
    }
    None
}

struct Attr<'a> {
    name: &'a str,
    value: Option<&'a str>,
}

struct Tag<'a> {
    attrs: Vec<Attr<'a>>,
    self_closing: bool,
    /// Bytes consumed after the tag name, `>` included.
    len: usize,
}

fn parse_tag(s: &str) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => {
                return Some(Tag {
                    attrs,
                    self_closing,
                    len: i + 1,
                })
            }
            _ => {}
        }
        self_closing = false;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == start {
            // A lone `=` or similar: skip it as browsers do.
            i += 1;
            continue;
        }
        let name = &s[start..i];
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let end = s[j + 1..].find(q as char)? + j + 1;
                    attrs.push(Attr {
                        name,
                        value: Some(&s[j + 1..end]),
                    });
                    i = end + 1;
                }
                Some(_) => {
                    let vstart = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    attrs.push(Attr {
                        name,
                        value: Some(&s[vstart..j]),
                    });
                    i = j;
                }
                None => return None,
            }
        } else {
            attrs.push(Attr { name, value: None });
        }
    }
}

fn write_tag(out: &mut String, name: &str, attrs: &[Attr], self_closing: bool) {
    // A meta refresh to another site would navigate away without a click.
    if name == "meta" {
        let refresh = attrs.iter().any(|a| {
            a.name.eq_ignore_ascii_case("http-equiv")
                && a.value
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
        });
        if refresh {
            let content = attrs
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case("content"))
                .and_then(|a| a.value)
                .map(decode_entities)
                .unwrap_or_default();
            if is_external(after_url_eq(&content)) {
                return;
            }
        }
    }
    out.push('<');
    out.push_str(name);
    for a in attrs {
        let lname = a.name.to_ascii_lowercase();
        if lname == "ping" {
            continue;
        }
        let Some(raw) = a.value else {
            out.push(' ');
            out.push_str(a.name);
            continue;
        };
        let decoded = decode_entities(raw);
        if lname == "href"
            || lname == "xlink:href"
            || lname == "action"
            || lname == "formaction"
            || lname == "cite"
        {
            if is_script_url(&decoded) {
                continue;
            }
            if is_external(&decoded) {
                if (name == "a" || name == "area") && lname != "cite" {
                    push_attr(
                        out,
                        a.name,
                        &format!("/external?url={}", query_escape(decoded.trim())),
                    );
                }
                // Anything else pointing out (stylesheets, <base>, form targets) is dropped.
                continue;
            }
        } else if FETCH_ATTRS.contains(&lname.as_str()) {
            let external = if lname == "srcset" {
                decoded.split(',').any(|c| is_external(c.trim()))
            } else {
                is_external(&decoded) || is_script_url(&decoded)
            };
            if external {
                continue;
            }
        }
        out.push(' ');
        out.push_str(a.name);
        out.push_str("=\"");
        out.push_str(&raw.replace('"', "&quot;"));
        out.push('"');
    }
    if self_closing {
        out.push_str(" /");
    }
    out.push('>');
}

fn after_url_eq(s: &str) -> &str {
    let lower = s.to_ascii_lowercase();
    match lower.find("url=") {
        Some(p) => s[p + 4..].trim().trim_matches(|c| c == '\'' || c == '"'),
        None => "",
    }
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(&escape(value));
    out.push('"');
}

/// Browsers strip these before reading a URL's scheme.
fn normalize_url(v: &str) -> String {
    v.chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_matches(|c: char| c <= ' ')
        .to_string()
}

fn scheme(v: &str) -> Option<String> {
    let colon = v.find(':')?;
    let s = &v[..colon];
    let mut chars = s.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some(s.to_ascii_lowercase())
}

/// True when following the URL would leave this server.
pub fn is_external(v: &str) -> bool {
    let v = normalize_url(v);
    let b = v.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'/' | b'\\') && matches!(b[1], b'/' | b'\\') {
        return true;
    }
    match scheme(&v) {
        Some(s) => !matches!(
            s.as_str(),
            "data" | "about" | "blob" | "javascript" | "vbscript"
        ),
        None => false,
    }
}

fn is_script_url(v: &str) -> bool {
    matches!(
        scheme(&normalize_url(v)).as_deref(),
        Some("javascript" | "vbscript")
    )
}

/// Decodes the character references a browser would decode in an attribute
/// value, so `&#104;ttps:` is seen for what it is.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|e| e + 1)
            .unwrap_or(rest.len());
        let name = &rest[1..end];
        let decoded = if let Some(num) = name.strip_prefix('#') {
            let n = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()
            } else {
                num.parse::<u32>().ok()
            };
            n.and_then(char::from_u32)
        } else {
            match name {
                "amp" | "AMP" => Some('&'),
                "colon" => Some(':'),
                "sol" => Some('/'),
                "bsol" => Some('\\'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "quot" | "QUOT" => Some('"'),
                "apos" => Some('\''),
                "lt" | "LT" => Some('<'),
                "gt" | "GT" => Some('>'),
                "period" => Some('.'),
                _ => None,
            }
        };
        match decoded {
            Some(c) if end > 1 => {
                out.push(c);
                let skip = if rest.as_bytes().get(end) == Some(&b';') {
                    end + 1
                } else {
                    end
                };
                rest = &rest[skip..];
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

#[cfg(test)]
mod tests {
    use super::*;

    const NO: Inject = Inject { head: "", body: "" };

    #[test]
    fn external_links_go_to_notice_page() {
        let out = rewrite(
            r#"<p><a href="https://ko.wikipedia.org/wiki/서울">x</a></p>"#,
            &NO,
        );
        assert!(
            out.contains(r#"href="/external?url=https:%2F%2Fko.wikipedia.org"#)
                || out.contains("/external?url=https"),
            "{out}"
        );
        assert!(!out.contains("href=\"https:"));
    }

    #[test]
    fn relative_links_untouched() {
        let html =
            r#"<a href="./Seoul">a</a><a href="../Q%26A#x">b</a><img src="_assets_/img/1.png">"#;
        let out = rewrite(html, &NO);
        assert!(out.contains(r#"href="./Seoul""#));
        assert!(out.contains(r#"href="../Q%26A#x""#));
        assert!(out.contains(r#"src="_assets_/img/1.png""#));
    }

    #[test]
    fn spellings_of_external() {
        for u in [
            "http://x",
            "HTTPS://x",
            "//x.org/a",
            "\\\\x.org",
            " \thttps://x",
            "ht\ntps://x",
            "mailto:a@b",
            "ftp://x",
            "&#104;ttps://x",
            "https&colon;//x",
            "&#x68;ttp://x",
        ] {
            assert!(is_external(&decode_entities(u)), "{u}");
        }
        for u in [
            "./a",
            "a:b/c",
            "/a",
            "#x",
            "?q",
            "data:image/png;base64,xx",
            "서울_(도시)",
        ] {
            // "a:b/c" is a scheme "a"; it cannot resolve locally either, so it counts as external.
            if u == "a:b/c" {
                assert!(is_external(u));
            } else {
                assert!(!is_external(u), "{u}");
            }
        }
    }

    #[test]
    fn external_resources_are_dropped() {
        let html = r#"<img src="https://x/a.png" alt="a"><script src="//x/s.js"></script><link rel="stylesheet" href="https://x/s.css"><iframe src="http://x"></iframe><img srcset="a.png 1x, https://x/b.png 2x">"#;
        let out = rewrite(html, &NO);
        assert!(!out.contains("x/a.png"), "{out}");
        assert!(!out.contains("s.js"));
        assert!(!out.contains("s.css"));
        assert!(!out.contains("http://x"));
        assert!(!out.contains("b.png"));
        assert!(out.contains(r#"alt="a""#));
    }

    #[test]
    fn meta_refresh_out_is_dropped() {
        let out = rewrite(
            r#"<head><meta http-equiv="refresh" content="0; url=https://x.org/"></head>"#,
            &NO,
        );
        assert!(!out.contains("x.org"), "{out}");
        let out = rewrite(
            r#"<meta http-equiv="Refresh" content="0;URL='./local'">"#,
            &NO,
        );
        assert!(out.contains("./local"));
    }

    #[test]
    fn script_content_is_not_parsed() {
        let html = r#"<script>var s = "<a href='https://x'>";</script><a href="https://y">y</a>"#;
        let out = rewrite(html, &NO);
        assert!(out.contains(r#"<a href='https://x'>"#));
        assert!(!out.contains("href=\"https://y"));
    }

    #[test]
    fn toolbar_injected_once() {
        let inj = Inject {
            head: "<link id=H>",
            body: "<div id=B></div>",
        };
        let out = rewrite(
            "<html><head><title>t</title></head><body class=\"x\"><p>hi</p></body></html>",
            &inj,
        );
        assert_eq!(out.matches("id=H").count(), 1);
        assert_eq!(out.matches("id=B").count(), 1);
        assert!(out.find("id=H").unwrap() < out.find("</head>").unwrap());
        assert!(out.find("id=B").unwrap() > out.find("<body").unwrap());
        let frag = rewrite("<p>fragment</p>", &inj);
        assert!(frag.starts_with("<link id=H><div id=B></div>"));
    }

    #[test]
    fn javascript_urls_dropped() {
        let out = rewrite(r#"<a href="javascript:location='https://x'">j</a>"#, &NO);
        assert!(!out.contains("javascript"), "{out}");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for s in [
            "<",
            "<a",
            "<a href=\"x",
            "<a href=",
            "</",
            "<!--",
            "<script>",
            "<a =x>",
            "<<<>>>",
            "<a\u{00e9}=1>",
            "&#xFFFFFFFF;",
        ] {
            let _ = rewrite(
                s,
                &Inject {
                    head: "h",
                    body: "b",
                },
            );
            let _ = decode_entities(s);
        }
    }

    /// Random markup built from tricky pieces: the rewriter never panics and
    /// never lets an absolute link through as a link.
    #[test]
    fn fuzz_rewrite_never_leaks_links() {
        const PIECES: [&str; 24] = [
            "<a href=\"",
            "<a href='",
            "<a href=",
            "https://x.org/",
            "//x.org",
            "\"",
            "'",
            ">",
            "<",
            " ",
            "=",
            "&#104;",
            "ttps:",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<img src=",
            "\t",
            "<meta http-equiv=refresh content=\"0;url=",
            "서울",
            "</a>",
            "&colon;",
            "/",
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 12) as usize + 1;
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(PIECES[(x % PIECES.len() as u64) as usize]);
            }
            let out = rewrite(&s, &NO);
            let lower = out.to_ascii_lowercase();
            for bad in ["href=\"https://", "href=\"//", "href='https://"] {
                if lower.contains(bad) {
                    // Only allowed inside raw text (a script), a comment or an
                    // end tag, which browsers never read as links.
                    assert!(
                        s.contains("<script>") || s.contains("<!--") || s.contains("</"),
                        "{s:?} -> {out:?}"
                    );
                }
            }
        }
    }
}
