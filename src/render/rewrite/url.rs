//! What a URL written in an archive leads to, read the way browsers read
//! it (old ones included), and the character references of attribute values
//! decoded so that what is checked is exactly what is sent.

/// Where a URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// A path on this server (relative, absolute path, `#part`, `?query`).
    Local,
    /// Another host or another program: `https:`, `//host`, `mailto:`, `file:`…
    External,
    /// Script: `javascript:`, `vbscript:` and their old relatives.
    Script,
    /// `data:` with its MIME type, lowercased.
    Data(String),
    /// `about:` and `blob:`: nothing leaves the page.
    Inert,
}

/// Where a fetched URL is used: a `data:` URL is harmless as a picture
/// (pictures never load anything) but is a whole document in a frame, an
/// object, a stylesheet or an `@import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Image,
    Document,
}

pub fn classify(v: &str) -> Dest {
    // Browsers drop tabs and newlines anywhere and C0 controls and spaces at
    // the ends; some old ones more, and Internet Explorer 8 reads a backtick
    // as a quote. Dropping all of them before reading the scheme can only
    // make more URLs look external. Reads only as far as the scheme, so a
    // long value costs nothing more.
    let mut it = v.chars().filter(|&c| c > ' ' && c != '`');
    let Some(first) = it.next() else {
        return Dest::Local;
    };
    if matches!(first, '/' | '\\') {
        return match it.next() {
            Some('/' | '\\') => Dest::External,
            _ => Dest::Local,
        };
    }
    if !first.is_ascii_alphabetic() {
        return Dest::Local;
    }
    let mut scheme = String::new();
    scheme.push(first.to_ascii_lowercase());
    loop {
        match it.next() {
            Some(':') => break,
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {
                // No scheme a browser fetches from is this long.
                if scheme.len() > 64 {
                    return Dest::Local;
                }
                scheme.push(c.to_ascii_lowercase());
            }
            _ => return Dest::Local,
        }
    }
    match scheme.as_str() {
        "javascript" | "vbscript" | "livescript" | "mocha" | "jscript" | "ecmascript" => {
            Dest::Script
        }
        "data" => {
            let mime: String = it
                .take_while(|c| !matches!(c, ',' | ';'))
                .take(128)
                .collect();
            Dest::Data(mime.to_ascii_lowercase())
        }
        "about" | "blob" => Dest::Inert,
        _ => Dest::External,
    }
}

/// True when following the URL would leave this server.
pub fn is_external(v: &str) -> bool {
    classify(v) == Dest::External
}

/// Whether a fetched URL may stay: never another host, never script, and
/// `data:` only where it can only be a picture, a sound or a font.
pub fn fetch_ok(v: &str, ctx: Ctx) -> bool {
    match classify(v) {
        Dest::Local | Dest::Inert => true,
        Dest::External | Dest::Script => false,
        Dest::Data(_) => ctx == Ctx::Image,
    }
}

/// Splits a value on the characters that can separate URLs in lists
/// (`srcset`, `archive`, SMIL `values`, meta `content`), so that each piece
/// can be judged on its own; too many pieces only means more checks.
pub fn pieces(v: &str) -> impl Iterator<Item = &str> {
    v.split(|c: char| {
        c.is_ascii_whitespace() || matches!(c, ',' | ';' | '\'' | '"' | '(' | ')' | '=')
    })
    .filter(|p| !p.is_empty())
}

/// An attribute value as the browser will read it (`text`) and the markup
/// to send for it (`html`), which decodes to exactly `text` wherever it
/// matters: character references that make ASCII are decoded and sent as
/// characters; named references we do not know (they only ever make
/// non-ASCII characters) are sent as they came.
pub struct AttrValue {
    pub text: String,
    pub html: String,
}

/// Named references whose characters are ASCII: every one the HTML
/// standard lists (the rest make only non-ASCII characters, which cannot
/// spell a scheme, a slash or a colon).
const ASCII_NAMED: [(&str, &str); 56] = [
    ("Tab", "\t"),
    ("NewLine", "\n"),
    ("excl", "!"),
    ("quot", "\""),
    ("QUOT", "\""),
    ("num", "#"),
    ("dollar", "$"),
    ("percnt", "%"),
    ("amp", "&"),
    ("AMP", "&"),
    ("apos", "'"),
    ("lpar", "("),
    ("rpar", ")"),
    ("ast", "*"),
    ("midast", "*"),
    ("plus", "+"),
    ("comma", ","),
    ("period", "."),
    ("sol", "/"),
    ("colon", ":"),
    ("semi", ";"),
    ("lt", "<"),
    ("LT", "<"),
    ("equals", "="),
    ("gt", ">"),
    ("GT", ">"),
    ("quest", "?"),
    ("commat", "@"),
    ("lsqb", "["),
    ("lbrack", "["),
    ("bsol", "\\"),
    ("rsqb", "]"),
    ("rbrack", "]"),
    ("Hat", "^"),
    ("lowbar", "_"),
    ("UnderBar", "_"),
    ("grave", "`"),
    ("DiacriticalGrave", "`"),
    ("lcub", "{"),
    ("lbrace", "{"),
    ("verbar", "|"),
    ("vert", "|"),
    ("VerticalLine", "|"),
    ("rcub", "}"),
    ("rbrace", "}"),
    ("fjlig", "fj"),
    ("nvlt", "<\u{20D2}"),
    ("nvgt", ">\u{20D2}"),
    ("bne", "=\u{20E5}"),
    ("nbsp", "\u{A0}"),
    ("NonBreakingSpace", "\u{A0}"),
    ("ZeroWidthSpace", "\u{200B}"),
    ("NoBreak", "\u{2060}"),
    ("hyphen", "\u{2010}"),
    ("dash", "\u{2010}"),
    ("shy", "\u{AD}"),
];

/// The four references HTML decodes without a `;` that make ASCII.
const LEGACY: [&str; 8] = ["amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT"];

/// Windows-1252 for the C1 range, as HTML maps `&#128;`…`&#159;`.
const C1: [u32; 32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
];

fn numeric(digits: &str, hex: bool) -> char {
    let n = if digits.len() > 8 {
        None
    } else {
        u32::from_str_radix(digits, if hex { 16 } else { 10 }).ok()
    };
    match n {
        Some(0) | None => '\u{FFFD}',
        Some(n @ 0x80..=0x9F) => char::from_u32(C1[(n - 0x80) as usize]).unwrap_or('\u{FFFD}'),
        Some(n) => char::from_u32(n).unwrap_or('\u{FFFD}'),
    }
}

fn push_html_char(html: &mut String, c: char) {
    match c {
        '&' => html.push_str("&amp;"),
        '"' => html.push_str("&quot;"),
        '<' => html.push_str("&lt;"),
        '>' => html.push_str("&gt;"),
        '\0' => html.push('\u{FFFD}'),
        c => html.push(c),
    }
}

/// Markup for a value we built ourselves.
pub fn attr_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_html_char(&mut out, c);
    }
    out
}

pub fn decode_attr(raw: &str) -> AttrValue {
    let mut text = String::with_capacity(raw.len());
    let mut html = String::with_capacity(raw.len() + 8);
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(p) = raw[i..].find(['&', '"', '<', '>', '\0']) else {
            text.push_str(&raw[i..]);
            html.push_str(&raw[i..]);
            break;
        };
        text.push_str(&raw[i..i + p]);
        html.push_str(&raw[i..i + p]);
        i += p;
        if b[i] != b'&' {
            let c = if b[i] == 0 { '\u{FFFD}' } else { b[i] as char };
            text.push(c);
            push_html_char(&mut html, c);
            i += 1;
            continue;
        }
        // A character reference, or a plain `&`.
        if b.get(i + 1) == Some(&b'#') {
            let hex = matches!(b.get(i + 2), Some(b'x' | b'X'));
            let start = if hex { i + 3 } else { i + 2 };
            let mut end = start;
            while end < b.len()
                && (if hex {
                    b[end].is_ascii_hexdigit()
                } else {
                    b[end].is_ascii_digit()
                })
            {
                end += 1;
            }
            if end > start {
                let c = numeric(raw[start..end].trim_start_matches('0'), hex);
                let c = if raw[start..end].bytes().all(|d| d == b'0') {
                    '\u{FFFD}'
                } else {
                    c
                };
                text.push(c);
                push_html_char(&mut html, c);
                i = if b.get(end) == Some(&b';') {
                    end + 1
                } else {
                    end
                };
                continue;
            }
        } else {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_alphanumeric() {
                end += 1;
            }
            let name = &raw[start..end];
            if !name.is_empty() {
                let semi = b.get(end) == Some(&b';');
                if semi {
                    if let Some((_, s)) = ASCII_NAMED.iter().find(|(n, _)| *n == name) {
                        text.push_str(s);
                        for c in s.chars() {
                            push_html_char(&mut html, c);
                        }
                        i = end + 1;
                        continue;
                    }
                    // Unknown to us: only ever non-ASCII. Sent as it came.
                    text.push_str(&raw[i..=end]);
                    html.push_str(&raw[i..=end]);
                    i = end + 1;
                    continue;
                }
                if LEGACY.contains(&name) && b.get(end) != Some(&b'=') {
                    let c = match name.to_ascii_lowercase().as_str() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        _ => '"',
                    };
                    text.push(c);
                    push_html_char(&mut html, c);
                    i = end;
                    continue;
                }
            }
        }
        text.push('&');
        html.push_str("&amp;");
        i += 1;
    }
    AttrValue { text, html }
}

/// The value a browser reads from an attribute (for checks outside this
/// module, e.g. links in Markdown pages).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') && !s.contains('\0') {
        return s.to_string();
    }
    decode_attr(s).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        for u in [
            "http://x",
            "HTTPS://x",
            "//x.org/a",
            "\\\\x.org",
            "/\\x.org",
            " \thttps://x",
            "ht\ntps://x",
            "\u{1}https://x",
            "mailto:a@b",
            "ftp://x",
            "file:///c:/x",
            "C:\\Windows",
            "File:Seoul.jpg",
        ] {
            assert_eq!(classify(u), Dest::External, "{u:?}");
        }
        for u in [
            "javascript:x",
            "JaVaScRiPt:x",
            "java\tscript:x",
            "java\u{0}script:x",
            " vbscript:x",
            "livescript:x",
        ] {
            assert_eq!(classify(u), Dest::Script, "{u:?}");
        }
        for u in [
            "./a",
            "/a",
            "#x",
            "?q",
            "서울_(도시)",
            "a/b:c",
            "",
            "../x.png",
        ] {
            assert_eq!(classify(u), Dest::Local, "{u:?}");
        }
        assert_eq!(
            classify("data:image/png;base64,xx"),
            Dest::Data("image/png".into())
        );
        assert_eq!(
            classify("DATA:Text/HTML,<b>"),
            Dest::Data("text/html".into())
        );
        assert_eq!(classify("about:blank"), Dest::Inert);
        assert!(fetch_ok("data:image/svg+xml,<svg/>", Ctx::Image));
        assert!(!fetch_ok("data:text/html,x", Ctx::Document));
    }

    #[test]
    fn references_decode_as_browsers_do() {
        for (raw, want) in [
            ("&#104;ttps://x", "https://x"),
            ("&#x68;ttp://x", "http://x"),
            ("&#X68ttp://x", "http://x"),
            ("&#0000104;ttp:", "http:"),
            ("https&colon;&sol;&sol;x", "https://x"),
            ("java&Tab;script:", "java\tscript:"),
            ("a&amp;b", "a&b"),
            ("a&ampb", "a&ampb"),
            ("a&amp=b", "a&amp=b"),
            ("a&lt b", "a< b"),
            ("&#0;", "\u{FFFD}"),
            ("&#x110000;", "\u{FFFD}"),
            ("&#128;", "€"),
            ("&#99999999999;", "\u{FFFD}"),
            ("&fjlig;", "fj"),
            ("caf&eacute;", "caf&eacute;"),
            ("&", "&"),
            ("&#", "&#"),
            ("&#x;", "&#x;"),
        ] {
            assert_eq!(decode_attr(raw).text, want, "{raw}");
        }
        // What is sent decodes to exactly what was checked.
        let v = decode_attr("x&#34;y&lt;z&amp;b&eacute;\"");
        assert_eq!(v.text, "x\"y<z&b&eacute;\"");
        assert_eq!(v.html, "x&quot;y&lt;z&amp;b&eacute;&quot;");
        // A plain `&` cannot join with decoded letters into a new reference.
        let v = decode_attr("&am&#112;;");
        assert_eq!(v.text, "&amp;");
        assert_eq!(v.html, "&amp;amp;");
    }
}
