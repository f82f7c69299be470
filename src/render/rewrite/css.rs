//! CSS of archives (files, `<style>` blocks, `style` attributes, SVG
//! presentation attributes): every statement that would make the browser
//! fetch from another host — `url()`, `@import`, `image-set()`, `src()` — is
//! dropped whole, and where scripts are removed, so is every way CSS had to
//! run script in old browsers (`expression()`, `behavior`, `-moz-binding`,
//! `javascript:`). One pass over the text, after the CSS Syntax tokenizer;
//! a second look at each statement with comments, escapes and spaces taken
//! out catches what older parsers (Internet Explorer) read differently.

use super::url::{self, Ctx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ws,
    Comment,
    Str,
    Url,
    BadUrl,
    Func,
    Ident,
    AtKeyword,
    Other,
    Semi,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Cdo,
    Cdc,
}

struct Token {
    kind: Kind,
    end: usize,
    /// Decoded name (idents, functions, at-keywords: lowercased), string or URL.
    value: String,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
}

fn is_newline(b: u8) -> bool {
    matches!(b, b'\n' | b'\r' | 0x0C)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 || b == 0
}

fn is_name(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || b == b'-'
}

struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
}

impl<'a> Lexer<'a> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn valid_escape(&self, i: usize) -> bool {
        self.at(i) == Some(b'\\') && self.at(i + 1).is_some_and(|b| !is_newline(b))
    }

    fn ident_start(&self, i: usize) -> bool {
        match self.at(i) {
            Some(b'-') => {
                self.at(i + 1)
                    .is_some_and(|b| is_name_start(b) || b == b'-')
                    || self.valid_escape(i + 1)
            }
            Some(b'\\') => self.valid_escape(i),
            Some(b) => is_name_start(b),
            None => false,
        }
    }

    fn number_start(&self, i: usize) -> bool {
        match self.at(i) {
            Some(b'+' | b'-') => {
                self.at(i + 1).is_some_and(|b| b.is_ascii_digit())
                    || (self.at(i + 1) == Some(b'.')
                        && self.at(i + 2).is_some_and(|b| b.is_ascii_digit()))
            }
            Some(b'.') => self.at(i + 1).is_some_and(|b| b.is_ascii_digit()),
            Some(b) => b.is_ascii_digit(),
            None => false,
        }
    }

    /// Decodes the escape at `i` (a backslash); returns the char and the end.
    fn escape(&self, i: usize) -> (char, usize) {
        let mut j = i + 1;
        let start = j;
        while j < self.b.len() && j - start < 6 && self.b[j].is_ascii_hexdigit() {
            j += 1;
        }
        if j > start {
            let n = u32::from_str_radix(&self.s[start..j], 16).unwrap_or(0xFFFD);
            if self.at(j) == Some(b'\r') && self.at(j + 1) == Some(b'\n') {
                j += 2;
            } else if self.at(j).is_some_and(is_ws) {
                j += 1;
            }
            let c = match n {
                0 => '\u{FFFD}',
                n => char::from_u32(n).unwrap_or('\u{FFFD}'),
            };
            return (c, j);
        }
        match self.s.get(start..).and_then(|r| r.chars().next()) {
            Some(c) => (c, start + c.len_utf8()),
            None => ('\u{FFFD}', start),
        }
    }

    /// The next char at `i` (whole UTF-8 sequence) and its end.
    fn char_at(&self, i: usize) -> (char, usize) {
        match self.s.get(i..).and_then(|r| r.chars().next()) {
            Some(c) => (c, i + c.len_utf8()),
            // Not on a char boundary cannot happen (we only stop on ASCII).
            None => ('\u{FFFD}', i + 1),
        }
    }

    fn name(&self, mut i: usize, out: &mut String) -> usize {
        loop {
            match self.at(i) {
                Some(b) if is_name(b) => {
                    let (c, e) = self.char_at(i);
                    out.push(if c == '\0' { '\u{FFFD}' } else { c });
                    i = e;
                }
                Some(b'\\') if self.valid_escape(i) => {
                    let (c, e) = self.escape(i);
                    out.push(c);
                    i = e;
                }
                _ => return i,
            }
        }
    }

    fn string(&self, q: u8, mut i: usize) -> Token {
        let mut v = String::new();
        loop {
            match self.at(i) {
                None => break,
                Some(b) if b == q => {
                    i += 1;
                    break;
                }
                Some(b) if is_newline(b) => break,
                Some(b'\\') => match self.at(i + 1) {
                    None => i += 1,
                    Some(b'\r') if self.at(i + 2) == Some(b'\n') => i += 3,
                    Some(n) if is_newline(n) => i += 2,
                    _ => {
                        let (c, e) = self.escape(i);
                        v.push(c);
                        i = e;
                    }
                },
                Some(_) => {
                    let (c, e) = self.char_at(i);
                    v.push(c);
                    i = e;
                }
            }
        }
        Token {
            kind: Kind::Str,
            end: i,
            value: v,
        }
    }

    fn url(&self, mut i: usize) -> Token {
        let mut v = String::new();
        while self.at(i).is_some_and(is_ws) {
            i += 1;
        }
        loop {
            match self.at(i) {
                None => break,
                Some(b')') => {
                    i += 1;
                    break;
                }
                Some(b) if is_ws(b) => {
                    while self.at(i).is_some_and(is_ws) {
                        i += 1;
                    }
                    match self.at(i) {
                        None => break,
                        Some(b')') => {
                            i += 1;
                            break;
                        }
                        _ => return self.bad_url(i, v),
                    }
                }
                Some(b'"' | b'\'' | b'(' | 0..=8 | 0x0B | 0x0E..=0x1F | 0x7F) => {
                    return self.bad_url(i, v)
                }
                Some(b'\\') => {
                    if !self.valid_escape(i) {
                        return self.bad_url(i, v);
                    }
                    let (c, e) = self.escape(i);
                    v.push(c);
                    i = e;
                }
                Some(_) => {
                    let (c, e) = self.char_at(i);
                    v.push(c);
                    i = e;
                }
            }
        }
        Token {
            kind: Kind::Url,
            end: i,
            value: v,
        }
    }

    fn bad_url(&self, mut i: usize, mut v: String) -> Token {
        loop {
            match self.at(i) {
                None => break,
                Some(b')') => {
                    i += 1;
                    break;
                }
                Some(b'\\') if self.valid_escape(i) => {
                    let (c, e) = self.escape(i);
                    v.push(c);
                    i = e;
                }
                Some(_) => {
                    let (c, e) = self.char_at(i);
                    v.push(c);
                    i = e;
                }
            }
        }
        Token {
            kind: Kind::BadUrl,
            end: i,
            value: v,
        }
    }

    fn ident_like(&self, i: usize) -> Token {
        let mut name = String::new();
        let mut j = self.name(i, &mut name);
        let lower = name.to_ascii_lowercase();
        if self.at(j) == Some(b'(') {
            j += 1;
            if lower == "url" {
                let mut k = j;
                while self.at(k).is_some_and(is_ws) {
                    k += 1;
                }
                if !matches!(self.at(k), Some(b'"' | b'\'')) {
                    return self.url(j);
                }
            }
            return Token {
                kind: Kind::Func,
                end: j,
                value: lower,
            };
        }
        Token {
            kind: Kind::Ident,
            end: j,
            value: lower,
        }
    }

    fn number(&self, mut i: usize) -> Token {
        if matches!(self.at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        while self.at(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
        if self.at(i) == Some(b'.') && self.at(i + 1).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
            while self.at(i).is_some_and(|b| b.is_ascii_digit()) {
                i += 1;
            }
        }
        if matches!(self.at(i), Some(b'e' | b'E')) {
            let j = if matches!(self.at(i + 1), Some(b'+' | b'-')) {
                i + 2
            } else {
                i + 1
            };
            if self.at(j).is_some_and(|b| b.is_ascii_digit()) {
                i = j;
                while self.at(i).is_some_and(|b| b.is_ascii_digit()) {
                    i += 1;
                }
            }
        }
        let mut unit = String::new();
        if self.ident_start(i) {
            i = self.name(i, &mut unit);
        } else if self.at(i) == Some(b'%') {
            i += 1;
        }
        Token {
            kind: Kind::Other,
            end: i,
            value: unit.to_ascii_lowercase(),
        }
    }

    fn next(&self, i: usize) -> Token {
        let simple = |kind, len| Token {
            kind,
            end: i + len,
            value: String::new(),
        };
        let Some(b) = self.at(i) else {
            return simple(Kind::Other, 0);
        };
        match b {
            b if is_ws(b) => {
                let mut j = i;
                while self.at(j).is_some_and(is_ws) {
                    j += 1;
                }
                Token {
                    kind: Kind::Ws,
                    end: j,
                    value: String::new(),
                }
            }
            b'/' if self.at(i + 1) == Some(b'*') => {
                let end = self.s[i + 2..]
                    .find("*/")
                    .map(|p| i + 2 + p + 2)
                    .unwrap_or(self.b.len());
                Token {
                    kind: Kind::Comment,
                    end,
                    value: String::new(),
                }
            }
            b'"' | b'\'' => self.string(b, i + 1),
            b'#' if self.at(i + 1).is_some_and(is_name) || self.valid_escape(i + 1) => {
                let mut v = String::from("#");
                let end = self.name(i + 1, &mut v);
                Token {
                    kind: Kind::Other,
                    end,
                    value: v,
                }
            }
            b'(' => simple(Kind::LParen, 1),
            b')' => simple(Kind::RParen, 1),
            b'[' => simple(Kind::LBracket, 1),
            b']' => simple(Kind::RBracket, 1),
            b'{' => simple(Kind::LBrace, 1),
            b'}' => simple(Kind::RBrace, 1),
            b';' => simple(Kind::Semi, 1),
            b'<' if self.s[i..].starts_with("<!--") => simple(Kind::Cdo, 4),
            b'-' if self.number_start(i) => self.number(i),
            b'-' if self.s[i..].starts_with("-->") => simple(Kind::Cdc, 3),
            b'+' | b'.' if self.number_start(i) => self.number(i),
            b'@' if self.ident_start(i + 1) => {
                let mut v = String::new();
                let end = self.name(i + 1, &mut v);
                Token {
                    kind: Kind::AtKeyword,
                    end,
                    value: v.to_ascii_lowercase(),
                }
            }
            b if b.is_ascii_digit() => self.number(i),
            _ if self.ident_start(i) => self.ident_like(i),
            _ => {
                let (c, end) = self.char_at(i);
                Token {
                    kind: Kind::Other,
                    end,
                    value: c.to_string(),
                }
            }
        }
    }
}

/// Functions whose string arguments are URLs the browser fetches.
const URL_FUNCS: [&str; 9] = [
    "url",
    "src",
    "image",
    "image-set",
    "-webkit-image-set",
    "-moz-image-set",
    "-o-image-set",
    "cross-fade",
    "-webkit-cross-fade",
];

/// One statement being read: a declaration, an at-rule, or a rule's prelude.
struct Stmt {
    /// Where it starts in the output, for dropping it whole.
    out_start: usize,
    bad: bool,
    /// The statement as old parsers see it: no comments, no spaces,
    /// escapes decoded, lowercase.
    norm: String,
    /// The first token that is not a space or comment, once seen.
    first: Option<String>,
    /// Open `(`, `[`, functions and inner `{`: closer and function name.
    nesting: Vec<(Kind, String)>,
}

impl Stmt {
    fn new(out_start: usize) -> Stmt {
        Stmt {
            out_start,
            bad: false,
            norm: String::new(),
            first: None,
            nesting: Vec::new(),
        }
    }

    fn is(&self, at_rule: &str) -> bool {
        self.first.as_deref() == Some(at_rule)
    }
}

fn url_ok(st: &Stmt, v: &str) -> bool {
    if st.is("@namespace") {
        // A namespace name, never fetched.
        return true;
    }
    let ctx = if st.is("@import") {
        Ctx::Document
    } else {
        Ctx::Image
    };
    url::fetch_ok(v, ctx)
}

/// Looks at one token inside statement `st`.
fn check(st: &mut Stmt, t: &Token, text: &str) {
    if matches!(t.kind, Kind::Ws | Kind::Comment) {
        return;
    }
    if st.first.is_none() {
        st.first = Some(match t.kind {
            Kind::AtKeyword => format!("@{}", t.value),
            _ => t.value.clone(),
        });
    }
    match t.kind {
        Kind::Url => {
            if !url_ok(st, &t.value) {
                st.bad = true;
            }
            st.norm.push_str("url(");
            st.norm.push_str(&t.value.to_lowercase());
            st.norm.push(')');
        }
        // Other parsers may read what CSS calls a broken URL as a URL.
        Kind::BadUrl => st.bad = true,
        Kind::Str => {
            let in_url_func = st
                .nesting
                .last()
                .is_some_and(|(_, f)| URL_FUNCS.contains(&f.as_str()));
            if (in_url_func || st.is("@import")) && !url_ok(st, &t.value) {
                st.bad = true;
            }
            st.norm.push('"');
            st.norm.push_str(&t.value.to_lowercase());
            st.norm.push('"');
        }
        Kind::Func => {
            st.norm.push_str(&t.value);
            st.norm.push('(');
        }
        Kind::AtKeyword => {
            st.norm.push('@');
            st.norm.push_str(&t.value);
        }
        Kind::Ident => st.norm.push_str(&t.value),
        Kind::Other if !t.value.is_empty() => st.norm.push_str(&t.value.to_lowercase()),
        _ => st.norm.push_str(&text.to_ascii_lowercase()),
    }
}

/// The second look, once a statement is complete.
fn finish_check(st: &mut Stmt, strip: bool) {
    if st.bad || st.is("@namespace") {
        return;
    }
    let n = &st.norm;
    if ["javascript:", "vbscript:", "livescript:"]
        .iter()
        .any(|w| n.contains(w))
    {
        st.bad = true;
        return;
    }
    // Internet Explorer's filters load pictures named by `src=`.
    let ie_filter_src = (n.contains("progid:") || n.contains("filter:")) && n.contains("src=");
    if ie_filter_src && (strip || n.contains("//") || n.contains(":\\")) {
        st.bad = true;
        return;
    }
    if strip && (n.contains("expression(") || n.contains("behavior:") || n.contains("binding:")) {
        st.bad = true;
        return;
    }
    // `url(` as a parser that drops comments before reading sees it.
    let mut from = 0;
    // The next `)` found so far: searched again only once passed, so the
    // whole look stays linear.
    let mut close = 0;
    while let Some(p) = n[from..].find("url(") {
        let start = from + p + 4;
        if close < start {
            close = n[start..].find(')').map_or(n.len(), |e| start + e);
        }
        let end = close;
        let v = n[start..end].trim_matches(|c| c == '"' || c == '\'');
        if !url_ok(st, v) {
            st.bad = true;
            return;
        }
        from = start;
    }
}

/// Rewrites CSS. `in_block`: a declaration list (a `style` attribute).
fn rewrite(src: &str, strip: bool, in_block: bool) -> String {
    let lx = Lexer {
        s: src,
        b: src.as_bytes(),
    };
    let mut out = String::with_capacity(src.len());
    // Closes a statement: dropped from the output when bad.
    let close = |out: &mut String, mut st: Stmt| -> bool {
        finish_check(&mut st, strip);
        if st.bad {
            out.truncate(st.out_start);
        }
        st.bad
    };
    // One statement per open brace level.
    let mut stack: Vec<Stmt> = vec![Stmt::new(0)];
    // Inside a block whose prelude was dropped: its brace depth.
    let mut skip = 0usize;
    let mut i = 0;
    while i < src.len() {
        let t = lx.next(i);
        if t.end <= i {
            break;
        }
        let text = &src[i..t.end];
        i = t.end;
        if skip > 0 {
            match t.kind {
                Kind::LBrace => skip += 1,
                Kind::RBrace => skip -= 1,
                _ => {}
            }
            continue;
        }
        let Some(st) = stack.last_mut() else { break };
        if !st.nesting.is_empty() {
            check(st, &t, text);
            match t.kind {
                Kind::LParen => st.nesting.push((Kind::RParen, String::new())),
                Kind::Func => st.nesting.push((Kind::RParen, t.value.clone())),
                Kind::LBracket => st.nesting.push((Kind::RBracket, String::new())),
                Kind::LBrace => st.nesting.push((Kind::RBrace, String::new())),
                Kind::RParen | Kind::RBracket | Kind::RBrace
                    if st.nesting.last().is_some_and(|(k, _)| *k == t.kind) =>
                {
                    st.nesting.pop();
                }
                _ => {}
            }
            out.push_str(text);
            continue;
        }
        match t.kind {
            Kind::Semi => {
                let st = stack.pop().unwrap_or_else(|| Stmt::new(0));
                if !close(&mut out, st) {
                    out.push(';');
                }
                stack.push(Stmt::new(out.len()));
            }
            Kind::LBrace => {
                let st = stack.pop().unwrap_or_else(|| Stmt::new(0));
                if close(&mut out, st) {
                    skip = 1;
                } else {
                    out.push('{');
                    // The outer level's next statement: its start is set
                    // again when the block closes.
                    stack.push(Stmt::new(out.len()));
                }
                stack.push(Stmt::new(out.len()));
            }
            Kind::RBrace => {
                let st = stack.pop().unwrap_or_else(|| Stmt::new(0));
                close(&mut out, st);
                if stack.pop().is_some() || !in_block {
                    out.push('}');
                }
                stack.push(Stmt::new(out.len()));
            }
            // Only meant to hide a stylesheet from pre-CSS browsers; a
            // space keeps the tokens on either side apart.
            Kind::Cdo | Kind::Cdc => out.push(' '),
            Kind::LParen | Kind::Func | Kind::LBracket => {
                check(st, &t, text);
                let closer = if t.kind == Kind::LBracket {
                    Kind::RBracket
                } else {
                    Kind::RParen
                };
                let name = if t.kind == Kind::Func {
                    t.value
                } else {
                    String::new()
                };
                st.nesting.push((closer, name));
                out.push_str(text);
            }
            _ => {
                check(st, &t, text);
                out.push_str(text);
            }
        }
    }
    while let Some(st) = stack.pop() {
        close(&mut out, st);
    }
    out
}

/// A stylesheet: a CSS file or a `<style>` block.
pub fn sheet(src: &str, strip: bool) -> String {
    rewrite(src, strip, false)
}

/// A declaration list: a `style` attribute.
pub fn declarations(src: &str, strip: bool) -> String {
    rewrite(src, strip, true)
}

/// Whether an attribute value read as a CSS value (SVG presentation
/// attributes such as `fill="url(…)"`) fetches nothing from outside.
pub fn value_ok(v: &str, strip: bool) -> bool {
    let decl = format!("x:{v}");
    declarations(&decl, strip) == decl
}

/// CSS made safe to sit inside `<style>` in HTML, in inline SVG and in XML
/// alike: no `<` (nothing can close the element or open a tag) and no `&`
/// that could start a character reference where one is decoded. Both are
/// written as CSS escapes, which mean the same character.
pub fn embed(css: &str, xml: bool) -> String {
    let mut out = String::with_capacity(css.len() + 16);
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('<') => {
                    chars.next();
                    out.push_str("\\3c ");
                }
                Some('&') => {
                    chars.next();
                    out.push_str("\\26 ");
                }
                Some(&n) => {
                    chars.next();
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '<' => out.push_str("\\3c "),
            '&' if xml
                || chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') =>
            {
                out.push_str("\\26 ")
            }
            '>' if xml && out.ends_with("]]") => out.push_str("\\3e "),
            c => out.push(c),
        }
    }
    out
}
