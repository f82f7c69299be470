//! Archive HTML (and SVG/XML, with `xml`) on its way to the browser.
//!
//! The page is re-written, not patched: every tag is read the way HTML
//! reads it and written out again in one plain form — attribute values
//! double-quoted with `"`, `<` and `>` escaped, text with `<` and `>`
//! escaped, comments (Internet Explorer's conditional ones included),
//! processing instructions and CDATA gone. What reaches the browser then
//! parses the same in every browser and every parser state (raw-text
//! elements, inline SVG, `<noscript>` with scripts on or off, IE's own
//! parser), so what was checked here is what the browser sees.

use super::css;
use super::url::{self, attr_escape, decode_attr, Ctx, Dest};
use super::{Options, Scripts};

/// `srcdoc` holds a whole page; pages inside pages inside pages are dropped.
const MAX_DEPTH: u8 = 3;

/// Elements that end inline SVG/MathML when opened inside it (HTML's
/// "breakout" list).
const BREAKOUT: [&str; 44] = [
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// Elements whose content some browsers read as raw text (`noscript` when
/// scripts are on); a kept script inside them must not hold markup.
const RAW_CONTAINERS: [&str; 4] = ["noscript", "iframe", "noembed", "noframes"];

/// Attributes that hold only text, never fetched, kept as they are.
const TEXT_ATTRS: [&str; 52] = [
    "alt",
    "title",
    "class",
    "id",
    "name",
    "lang",
    "xml:lang",
    "dir",
    "role",
    "placeholder",
    "label",
    "summary",
    "abbr",
    "headers",
    "scope",
    "width",
    "height",
    "align",
    "valign",
    "border",
    "cellpadding",
    "cellspacing",
    "colspan",
    "rowspan",
    "span",
    "type",
    "rel",
    "rev",
    "media",
    "sizes",
    "charset",
    "content",
    "value",
    "datetime",
    "accesskey",
    "tabindex",
    "itemprop",
    "itemtype",
    "itemid",
    "itemscope",
    "property",
    "typeof",
    "resource",
    "about",
    "vocab",
    "prefix",
    "datatype",
    "translate",
    "hidden",
    "d",
    "viewbox",
    "xml:space",
];

/// Element names we pass on: anything else (quotes, `<`, non-ASCII) is not
/// worth the doubt.
fn safe_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
}

fn local(lname: &str) -> &str {
    lname.rsplit(':').next().unwrap_or(lname)
}

struct Attr<'a> {
    name: &'a str,
    value: Option<&'a str>,
}

struct Tag<'a> {
    attrs: Vec<Attr<'a>>,
    self_closing: bool,
    /// Where the tag ends in the text it was read from (just after `>`).
    len: usize,
}

impl Tag<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| decode_attr(a.value.unwrap_or("")).text)
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

/// End of a tag name starting at `from`.
fn name_end(s: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < s.len() && !is_ws(s[i]) && s[i] != b'/' && s[i] != b'>' {
        i += 1;
    }
    i
}

/// Reads attributes from `from` (after the tag name) as HTML's tokenizer
/// does. `None` when the document ends inside the tag.
fn parse_tag(s: &str, from: usize) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let mut i = from;
    let mut attrs = Vec::new();
    loop {
        let mut slash = false;
        while i < b.len() && (is_ws(b[i]) || b[i] == b'/') {
            slash = b[i] == b'/';
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => {
                return Some(Tag {
                    attrs,
                    self_closing: slash,
                    len: i + 1,
                })
            }
            _ => {}
        }
        // A name may start with `=`; it ends at a space, `/`, `>` or `=`.
        let start = i;
        i += 1;
        while i < b.len() && !is_ws(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &s[start..i];
        let mut j = i;
        while j < b.len() && is_ws(b[j]) {
            j += 1;
        }
        if b.get(j) != Some(&b'=') {
            attrs.push(Attr { name, value: None });
            continue;
        }
        j += 1;
        while j < b.len() && is_ws(b[j]) {
            j += 1;
        }
        match b.get(j) {
            None => return None,
            Some(&q @ (b'"' | b'\'')) => {
                let end = s[j + 1..].find(q as char)? + j + 1;
                attrs.push(Attr {
                    name,
                    value: Some(&s[j + 1..end]),
                });
                i = end + 1;
            }
            Some(b'>') => {
                attrs.push(Attr {
                    name,
                    value: Some(""),
                });
                i = j;
            }
            Some(_) => {
                let vstart = j;
                while j < b.len() && !is_ws(b[j]) && b[j] != b'>' {
                    j += 1;
                }
                attrs.push(Attr {
                    name,
                    value: Some(&s[vstart..j]),
                });
                i = j;
            }
        }
    }
}

/// Where the raw text of element `name` ends in `s`: the start of the end
/// tag and the end of it. Scans forward only (linear over the document).
fn find_end_tag(s: &str, name: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(p) = s[from..].find("</") {
        let at = from + p;
        let n_end = name_end(b, at + 2);
        let tag_name = &s[at + 2..n_end];
        if local(tag_name).eq_ignore_ascii_case(name) {
            let end = parse_tag(s, n_end).map_or(s.len(), |t| t.len);
            return Some((at, end));
        }
        from = at + 2;
    }
    None
}

/// What to do with one attribute.
enum Verdict {
    Keep,
    Drop,
    Set(String),
}

struct Doc<'a> {
    src: &'a str,
    i: usize,
    out: String,
    strip: bool,
    xml: bool,
    depth: u8,
    head: &'a str,
    body: &'a str,
    head_done: bool,
    body_done: bool,
    /// Open `<svg>`/`<math>` (HTML only; XML is always foreign).
    foreign: u32,
    /// Open raw-text containers (`noscript`, `iframe`, …).
    raw_containers: u32,
    /// Entities declared in an XML document's internal subset.
    entities: Vec<(String, String)>,
    /// Bytes entity expansion may still add (against billion-laughs files).
    budget: usize,
}

pub(super) fn rewrite(src: &str, opts: &Options, xml: bool, depth: u8) -> String {
    let mut d = Doc {
        src,
        i: 0,
        out: String::with_capacity(src.len() + opts.head.len() + opts.body.len() + 256),
        strip: opts.scripts == Scripts::Strip,
        xml,
        depth,
        head: opts.head,
        body: opts.body,
        head_done: opts.head.is_empty(),
        body_done: opts.body.is_empty(),
        foreign: 0,
        raw_containers: 0,
        entities: Vec::new(),
        budget: (1 << 20) + src.len().saturating_mul(4),
    };
    d.run();
    if !d.head_done || !d.body_done {
        // A fragment without <head>/<body>: the additions go first.
        let mut prefix = String::new();
        if !d.head_done {
            prefix.push_str(d.head);
        }
        if !d.body_done {
            prefix.push_str(d.body);
        }
        d.out.insert_str(0, &prefix);
    }
    d.out
}

impl<'a> Doc<'a> {
    fn run(&mut self) {
        while self.i < self.src.len() {
            let rest = &self.src[self.i..];
            let Some(p) = rest.find('<') else {
                self.text(rest);
                self.i = self.src.len();
                break;
            };
            self.text(&rest[..p]);
            self.i += p;
            self.markup();
        }
    }

    fn in_foreign(&self) -> bool {
        self.xml || self.foreign > 0
    }

    /// Text between tags: `<` cannot be in it; `>` is escaped so that no
    /// comment or CDATA end can be made of it.
    fn text(&mut self, s: &str) {
        let expanded;
        let s = if self.xml && !self.entities.is_empty() && s.contains('&') {
            expanded = self.expand(s, true);
            expanded.as_str()
        } else {
            s
        };
        for (k, part) in s.split('>').enumerate() {
            if k > 0 {
                self.out.push_str("&gt;");
            }
            if part.contains('\0') {
                self.out.push_str(&part.replace('\0', "\u{FFFD}"));
            } else {
                self.out.push_str(part);
            }
        }
    }

    /// Text written out as characters, every markup character escaped.
    fn literal_text(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '&' => self.out.push_str("&amp;"),
                '\0' => self.out.push('\u{FFFD}'),
                c => self.out.push(c),
            }
        }
    }

    /// Replaces references to entities of the internal subset by their
    /// text (escaped when `escape`), within the expansion budget.
    fn expand(&mut self, s: &str, escape: bool) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(p) = rest.find('&') {
            out.push_str(&rest[..p]);
            rest = &rest[p..];
            let end = rest.find(';').unwrap_or(0);
            let name = rest.get(1..end).unwrap_or("");
            let found = self.entities.iter().find(|(n, _)| n == name);
            match found {
                Some((_, v)) if end > 1 && v.len() <= self.budget => {
                    self.budget -= v.len();
                    if escape {
                        out.push_str(&attr_escape(v));
                    } else {
                        out.push_str(v);
                    }
                    rest = &rest[end + 1..];
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

    fn markup(&mut self) {
        let rest = &self.src[self.i..];
        let b = rest.as_bytes();
        if rest.starts_with("<!--") {
            self.i += comment_len(rest, self.xml);
            return;
        }
        if rest.starts_with("<![CDATA[") && self.in_foreign() {
            let body = &rest[9..];
            let (content, len) = match body.find("]]>") {
                Some(e) => (&body[..e], 9 + e + 3),
                None => (body, rest.len()),
            };
            self.literal_text(content);
            self.i += len;
            return;
        }
        if rest.starts_with("<!") {
            let is_doctype = rest
                .get(2..9)
                .is_some_and(|d| d.eq_ignore_ascii_case("doctype"));
            if is_doctype && self.xml {
                self.xml_doctype();
                return;
            }
            let len = rest.find('>').map_or(rest.len(), |e| e + 1);
            let decl = &rest[..len];
            // The doctype chooses standards or quirks mode: kept when plain.
            if is_doctype && decl.ends_with('>') && !decl[1..].contains('<') && self.depth == 0 {
                self.out.push_str(decl);
            }
            self.i += len;
            return;
        }
        if rest.starts_with("<?") {
            let len = if self.xml {
                rest.find("?>").map_or(rest.len(), |e| e + 2)
            } else {
                rest.find('>').map_or(rest.len(), |e| e + 1)
            };
            // Only the XML declaration stays (`<?xml-stylesheet?>` would load).
            let decl = &rest[..len];
            let is_decl = decl.starts_with("<?xml")
                && decl
                    .as_bytes()
                    .get(5)
                    .is_some_and(|&c| is_ws(c) || c == b'?');
            if self.xml && is_decl && self.out.is_empty() && !decl[1..].contains('<') {
                self.out.push_str(decl);
            }
            self.i += len;
            return;
        }
        if rest.starts_with("</") {
            match b.get(2) {
                Some(c) if c.is_ascii_alphabetic() || (self.xml && (*c >= 0x80 || *c == b'_')) => {
                    let n_end = name_end(b, 2);
                    let name = &rest[2..n_end];
                    match parse_tag(rest, n_end) {
                        Some(t) => {
                            self.i += t.len;
                            self.end_tag(name);
                        }
                        None => self.i = self.src.len(),
                    }
                }
                // `</>` is nothing; `</ …>` a comment.
                _ => {
                    self.i += rest.find('>').map_or(rest.len(), |e| e + 1);
                }
            }
            return;
        }
        let starts_tag = b
            .get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || (self.xml && (*c >= 0x80 || *c == b'_')));
        if !starts_tag {
            self.out.push_str("&lt;");
            self.i += 1;
            return;
        }
        let n_end = name_end(b, 1);
        let name = &rest[1..n_end];
        let Some(tag) = parse_tag(rest, n_end) else {
            // A tag still open at the end: browsers drop it, and so do we.
            self.i = self.src.len();
            return;
        };
        self.i += tag.len;
        if safe_name(name) {
            self.start_tag(name, &tag);
        }
    }

    fn end_tag(&mut self, name: &str) {
        if !safe_name(name) {
            return;
        }
        let lname = name.to_ascii_lowercase();
        let local = local(&lname);
        if !self.xml {
            if self.strip && matches!(local, "noscript" | "object" | "embed" | "applet" | "param") {
                return;
            }
            if local == "head" && !self.head_done {
                self.out.push_str(self.head);
                self.head_done = true;
            }
            if local == "svg" || local == "math" {
                self.foreign = self.foreign.saturating_sub(1);
            }
        }
        if RAW_CONTAINERS.contains(&local) {
            self.raw_containers = self.raw_containers.saturating_sub(1);
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn start_tag(&mut self, name: &str, tag: &Tag) {
        let lname = name.to_ascii_lowercase();
        let local = local(&lname).to_string();
        let local = local.as_str();
        if !self.xml {
            if local == "body" && !self.head_done {
                self.out.push_str(self.head);
                self.head_done = true;
            }
            if self.foreign > 0 {
                let font_breaks = local == "font"
                    && ["color", "face", "size"]
                        .iter()
                        .any(|a| tag.attrs.iter().any(|x| x.name.eq_ignore_ascii_case(a)));
                if BREAKOUT.contains(&local) || font_breaks {
                    self.foreign = 0;
                }
            }
        }
        // Self-closing counts in XML and in inline SVG/MathML only.
        let closed = tag.self_closing && self.in_foreign();
        match local {
            "script" => return self.script(name, tag, closed),
            "style" => return self.style(name, tag, closed),
            "title" | "textarea" if !self.xml && !closed => {
                let content = self.raw_content(local);
                self.write_tag(name, local, tag);
                // RCDATA: references are decoded there, so `&` stays.
                self.text(&content.replace('<', "&lt;"));
                self.out.push_str("</");
                self.out.push_str(name);
                self.out.push('>');
                return;
            }
            // Raw text to the end (`plaintext`) or to the end tag (`xmp`):
            // sent as preformatted text.
            "plaintext" | "xmp" if !self.xml => {
                let content = if local == "plaintext" {
                    let src: &'a str = self.src;
                    let c = &src[self.i..];
                    self.i = self.src.len();
                    c
                } else {
                    self.raw_content(local)
                };
                self.out.push_str("<pre>");
                self.literal_text(content);
                self.out.push_str("</pre>");
                return;
            }
            _ => {}
        }
        if !self.xml {
            if self.strip && matches!(local, "noscript" | "object" | "embed" | "applet" | "param") {
                // Without scripts the fallback content of `noscript` and of
                // plugins is what should show; plugins run code of their own.
                return;
            }
            match local {
                "meta" if !meta_ok(tag, self.strip) => return,
                "link" if !link_ok(tag, self.strip) => return,
                "base" if !base_ok(tag) => return,
                _ => {}
            }
        }
        self.write_tag(name, local, tag);
        if !self.xml {
            if local == "body" && !self.body_done {
                self.out.push_str(self.body);
                self.body_done = true;
            }
            if (local == "svg" || local == "math") && !closed {
                self.foreign += 1;
            }
        }
        if RAW_CONTAINERS.contains(&local) && !closed {
            self.raw_containers += 1;
        }
    }

    /// The raw text of the element just opened, up to its end tag, which is
    /// consumed too.
    fn raw_content(&mut self, local: &str) -> &'a str {
        let src: &'a str = self.src;
        let rest = &src[self.i..];
        match find_end_tag(rest, local) {
            Some((at, end)) => {
                self.i += end;
                &rest[..at]
            }
            None => {
                self.i = self.src.len();
                rest
            }
        }
    }

    fn script(&mut self, name: &str, tag: &Tag, closed: bool) {
        let content = if closed {
            ""
        } else {
            self.raw_content("script")
        };
        if self.strip {
            return;
        }
        let src_ok = ["src", "href", "xlink:href"]
            .iter()
            .all(|a| tag.get(a).is_none_or(|v| url::fetch_ok(&v, Ctx::Document)));
        let speculation = tag
            .get("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("speculationrules"));
        // Where the script's text would be read as markup (XML, inline SVG,
        // raw-text containers), it may not hold any.
        let markup_inside = (self.in_foreign() || self.raw_containers > 0) && {
            let without_cdata = strip_cdata(content);
            let b = without_cdata.as_bytes();
            b.windows(2).any(|w| {
                w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?'))
            })
        };
        if !src_ok || speculation || markup_inside {
            return;
        }
        self.write_tag(name, "script", tag);
        if !closed {
            self.out.push_str(content);
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    fn style(&mut self, name: &str, tag: &Tag, closed: bool) {
        let raw = if closed {
            ""
        } else {
            self.raw_content("style")
        };
        // In XML (and inline SVG) the text is markup: references decoded,
        // CDATA unwrapped.
        let source = if self.in_foreign() {
            let expanded = if self.xml && !self.entities.is_empty() {
                self.expand(raw, false)
            } else {
                raw.to_string()
            };
            decode_attr(&strip_cdata(&expanded)).text
        } else {
            raw.to_string()
        };
        let css = css::embed(&css::sheet(&source, self.strip), self.xml);
        self.write_tag(name, "style", tag);
        if !closed {
            self.out.push_str(&css);
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    fn write_tag(&mut self, name: &str, local: &str, tag: &Tag) {
        let mut out = String::with_capacity(name.len() + 2 + tag.attrs.len() * 16);
        out.push('<');
        out.push_str(name);
        for a in &tag.attrs {
            if !safe_name(a.name) {
                continue;
            }
            let raw = a.value.unwrap_or("");
            let expanded;
            let raw = if self.xml && !self.entities.is_empty() && raw.contains('&') {
                expanded = self.expand(raw, false);
                expanded.as_str()
            } else {
                raw
            };
            let v = decode_attr(raw);
            let verdict = if a.value.is_none() {
                Verdict::Keep
            } else {
                self.attr(local, a.name, &v.text)
            };
            match verdict {
                Verdict::Drop => continue,
                Verdict::Keep if a.value.is_none() && !self.xml => {
                    out.push(' ');
                    out.push_str(a.name);
                }
                Verdict::Keep => {
                    out.push(' ');
                    out.push_str(a.name);
                    out.push_str("=\"");
                    out.push_str(&v.html);
                    out.push('"');
                }
                Verdict::Set(s) => {
                    out.push(' ');
                    out.push_str(a.name);
                    out.push_str("=\"");
                    out.push_str(&attr_escape(&s));
                    out.push('"');
                }
            }
        }
        if tag.self_closing {
            out.push_str(" /");
        }
        out.push('>');
        self.out.push_str(&out);
    }

    /// The verdict on attribute `name` of element `el` (local, lowercase),
    /// whose value reads as `v`.
    fn attr(&self, el: &str, name: &str, v: &str) -> Verdict {
        let lname = name.to_ascii_lowercase();
        let an = local(&lname);
        let strip = self.strip;
        if an.starts_with("on") || lname.starts_with("on") {
            return if strip { Verdict::Drop } else { Verdict::Keep };
        }
        let fetch = |ctx: Ctx| {
            if url::fetch_ok(v, ctx) {
                Verdict::Keep
            } else {
                Verdict::Drop
            }
        };
        let image_el = matches!(
            el,
            "img" | "image" | "picture" | "source" | "input" | "video" | "audio" | "track"
        );
        let ctx = if image_el { Ctx::Image } else { Ctx::Document };
        match an {
            "style" => {
                let css = css::declarations(v, strip);
                if css.trim().is_empty() && !v.trim().is_empty() {
                    Verdict::Drop
                } else {
                    Verdict::Set(css)
                }
            }
            "srcdoc" => {
                if self.depth + 1 >= MAX_DEPTH {
                    return Verdict::Drop;
                }
                let opts = Options {
                    head: "",
                    body: "",
                    scripts: if strip { Scripts::Strip } else { Scripts::Keep },
                };
                Verdict::Set(rewrite(v, &opts, false, self.depth + 1))
            }
            // Sends the address of every click away; an offline cache; IE
            // data binding (inserts markup from XML islands).
            "ping" | "manifest" | "datasrc" | "datafld" | "dataformatas" | "datapagesize" => {
                Verdict::Drop
            }
            "href" if matches!(el, "a" | "area") || (el == "a" && self.in_foreign()) => {
                match url::classify(v) {
                    Dest::External => Verdict::Set(format!(
                        "/external?url={}",
                        crate::render::urls::query_escape(v.trim())
                    )),
                    Dest::Script if !strip => Verdict::Keep,
                    Dest::Script | Dest::Data(_) => Verdict::Drop,
                    Dest::Local | Dest::Inert => Verdict::Keep,
                }
            }
            "href" | "src" | "lowsrc" | "dynsrc" | "poster" | "background" | "data" | "code"
            | "codebase" | "classid" | "object" | "profile" | "icon" | "longdesc" | "usemap"
            | "cite" | "action" | "formaction" | "base" => fetch(ctx),
            "srcset" | "imagesrcset" | "archive" => {
                if url::pieces(v).all(|p| url::fetch_ok(p, ctx)) {
                    Verdict::Keep
                } else {
                    Verdict::Drop
                }
            }
            _ if TEXT_ATTRS.contains(&lname.as_str())
                || lname.starts_with("data-")
                || lname.starts_with("aria-")
                || lname == "xmlns"
                || lname.starts_with("xmlns:") =>
            {
                if el == "param" && an == "value" && !url::pieces(v).all(|p| url::fetch_ok(p, ctx))
                {
                    Verdict::Drop
                } else {
                    Verdict::Keep
                }
            }
            // Anything else (SVG presentation and animation attributes,
            // names we do not know): no outside URL and no script in any
            // piece, and no outside `url()` when read as CSS.
            _ => {
                let piece_bad = url::pieces(v).any(|p| match url::classify(p) {
                    Dest::External => true,
                    Dest::Script => strip,
                    _ => false,
                });
                let css_bad = (v.contains('(') || v.contains('\\')) && !css::value_ok(v, strip);
                if piece_bad || css_bad {
                    Verdict::Drop
                } else {
                    Verdict::Keep
                }
            }
        }
    }

    /// An XML DOCTYPE: kept when plain; with an internal subset, its general
    /// entities are kept for expansion here and the subset is dropped (it
    /// could declare entities that spell markup or outside addresses).
    fn xml_doctype(&mut self) {
        let rest = &self.src[self.i..];
        let b = rest.as_bytes();
        let mut j = 9;
        let mut quote = None;
        let mut subset = None;
        while j < b.len() {
            match (quote, b[j]) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, c @ (b'"' | b'\'')) => quote = Some(c),
                (None, b'[') => {
                    subset = Some(j + 1);
                    break;
                }
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let Some(start) = subset else {
            let len = (j + 1).min(rest.len());
            let decl = &rest[..len];
            if decl.ends_with('>') && !decl[1..].contains('<') {
                self.out.push_str(decl);
            }
            self.i += len;
            return;
        };
        // The subset ends at `]` outside quotes and comments, then `>`.
        let mut k = start;
        let mut q = None;
        while k < b.len() {
            match (q, b[k]) {
                (Some(c), x) if x == c => q = None,
                (Some(_), _) => {}
                (None, c @ (b'"' | b'\'')) => q = Some(c),
                (None, b'<') if rest[k..].starts_with("<!--") => {
                    k += rest[k..].find("-->").map_or(rest.len() - k, |e| e + 2);
                }
                (None, b']') => break,
                _ => {}
            }
            k += 1;
        }
        let subset_text = &rest[start..k.min(rest.len())];
        let end = rest[k.min(rest.len())..]
            .find('>')
            .map_or(rest.len(), |e| k + e + 1);
        self.entities = parse_entities(subset_text);
        self.i += end;
    }
}

/// `<!ENTITY name "value">` declarations (general, internal ones only).
fn parse_entities(subset: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = subset;
    while let Some(p) = rest.find("<!ENTITY") {
        rest = &rest[p + 8..];
        let t = rest.trim_start();
        if t.starts_with('%') {
            continue;
        }
        let name_len = t
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(t.len());
        let name = &t[..name_len];
        let after = t[name_len..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(e) = after[1..].find(q) else {
            break;
        };
        if out.len() < 256 && !name.is_empty() {
            out.push((name.to_string(), after[1..1 + e].to_string()));
        }
    }
    out
}

/// Text with `<![CDATA[` and `]]>` markers taken out.
fn strip_cdata(s: &str) -> String {
    s.replace("<![CDATA[", "").replace("]]>", "")
}

/// Length of the comment at the start of `s` (HTML's rules: `<!-->` and
/// `<!--->` end at once; `--!>` ends one too).
fn comment_len(s: &str, xml: bool) -> usize {
    if !xml {
        if s[4..].starts_with('>') {
            return 5;
        }
        if s[4..].starts_with("->") {
            return 6;
        }
    }
    let body = &s[4..];
    let a = body.find("-->").map(|e| e + 3);
    let b = if xml {
        None
    } else {
        body.find("--!>").map(|e| e + 4)
    };
    let end = match (a, b) {
        (Some(x), Some(y)) => x.min(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => body.len(),
    };
    4 + end
}

/// A `<meta>` may stay: no `http-equiv` but the harmless ones, no refresh
/// that leaves, no outside address in its content.
fn meta_ok(tag: &Tag, strip: bool) -> bool {
    let content = tag.get("content").unwrap_or_default();
    let pieces_ok = |allow_data: bool| {
        url::pieces(&content).all(|p| match url::classify(p) {
            Dest::External => false,
            Dest::Script => false,
            Dest::Data(_) => allow_data,
            _ => true,
        })
    };
    if let Some(he) = tag.get("http-equiv") {
        let he = he.trim().to_ascii_lowercase();
        return match he.as_str() {
            "content-type" | "content-language" | "x-ua-compatible" | "default-style" => true,
            "refresh" | "content-security-policy" => pieces_ok(false),
            // set-cookie, link, x-dns-prefetch-control, page-enter, …
            _ => false,
        };
    }
    let _ = strip;
    pieces_ok(true)
}

/// A `<link>` may stay when everything it names is on this server.
fn link_ok(tag: &Tag, strip: bool) -> bool {
    let rel = tag.get("rel").unwrap_or_default().to_ascii_lowercase();
    if strip && rel.split_ascii_whitespace().any(|r| r == "import") {
        return false;
    }
    ["href", "src", "imagesrcset"].iter().all(|a| {
        tag.get(a)
            .is_none_or(|v| url::pieces(&v).all(|p| url::fetch_ok(p, Ctx::Document)))
    }) && tag
        .get("href")
        .is_none_or(|v| url::fetch_ok(&v, Ctx::Document))
}

fn base_ok(tag: &Tag) -> bool {
    tag.get("href")
        .is_none_or(|v| url::fetch_ok(&v, Ctx::Document))
}
