//! Page count, title and date of a PDF, from its cross-reference data and a
//! few objects.
//!
//! A full PDF crate would add over a megabyte to a binary of a few; listing a
//! newspaper needs three values. This reads the last 64 KB (trailer and
//! `startxref`), the cross-reference sections (classic tables entry by entry,
//! or compressed cross-reference streams), then the catalog, the page tree
//! root and the Info dictionary. A PDF whose cross-references are broken gets
//! a bounded scan of its first and last megabyte instead.

use crate::readat::ReadAt;
use std::fmt;
use std::io;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfInfo {
    pub pages: Option<u32>,
    pub title: Option<String>,
    /// `YYYY-MM-DD` from `/CreationDate` (or `/ModDate`); `YYYY` when the
    /// date gives only a year.
    pub date: Option<String>,
    /// Encrypted files keep their Info strings encrypted: title and date are
    /// then not read.
    pub encrypted: bool,
}

#[derive(Debug)]
pub enum PdfError {
    Io(io::Error),
    /// No `%PDF-` signature near the start.
    NotPdf,
    /// Neither the cross-references nor a scan gave anything.
    Malformed(&'static str),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Io(e) => write!(f, "could not read the PDF file: {e}"),
            PdfError::NotPdf => write!(f, "not a PDF file"),
            PdfError::Malformed(what) => write!(f, "the PDF file is damaged: {what}"),
        }
    }
}

impl std::error::Error for PdfError {}

impl From<io::Error> for PdfError {
    fn from(e: io::Error) -> Self {
        PdfError::Io(e)
    }
}

type Result<T> = std::result::Result<T, PdfError>;

const TAIL: usize = 64 * 1024;
const MAX_SECTIONS: usize = 32;
const MAX_STREAM_READ: usize = 1024 * 1024;
const MAX_INFLATED: usize = 8 * 1024 * 1024;
const SCAN: usize = 1024 * 1024;

pub fn pdf_info(src: &dyn ReadAt) -> Result<PdfInfo> {
    let head = read_upto(src, 0, 1024)?;
    if find(&head, b"%PDF-").is_none() {
        return Err(PdfError::NotPdf);
    }
    let from_xref = Doc::open(src).and_then(|doc| doc.info());
    match from_xref {
        Ok(info) if info.pages.is_some() => Ok(info),
        other => {
            let mut scanned = scan(src)?;
            if let Ok(info) = other {
                scanned.title = info.title.or(scanned.title);
                scanned.date = info.date.or(scanned.date);
                scanned.encrypted |= info.encrypted;
            }
            if scanned == PdfInfo::default() {
                Err(PdfError::Malformed(
                    "no cross-reference table and no page tree found",
                ))
            } else {
                Ok(scanned)
            }
        }
    }
}

// ---------------------------------------------------------------- objects

#[derive(Clone, Debug, PartialEq)]
enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Str(Vec<u8>),
    Name(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Vec<(Vec<u8>, Obj)>),
    Ref(u32, u16),
}

impl Obj {
    fn get(&self, key: &[u8]) -> Option<&Obj> {
        match self {
            Obj::Dict(d) => d.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            Obj::Int(i) => Some(*i),
            _ => None,
        }
    }
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

/// Parse failures: `Eof` means a bigger read may succeed.
#[derive(Debug, PartialEq)]
enum Fail {
    Eof,
    Bad,
}

fn is_white(c: u8) -> bool {
    matches!(c, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], pos: usize) -> Self {
        Lexer { b, pos }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_white(&mut self) {
        while let Some(c) = self.peek() {
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A bare word (keyword or number) at the current position.
    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_white(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        self.b.get(start..self.pos).unwrap_or(&[])
    }

    fn keyword(&mut self, kw: &[u8]) -> bool {
        self.skip_white();
        let save = self.pos;
        if self.word() == kw {
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn uint(&mut self) -> Option<u64> {
        self.skip_white();
        let save = self.pos;
        let w = self.word();
        let v = std::str::from_utf8(w).ok().and_then(|s| s.parse().ok());
        if v.is_none() {
            self.pos = save;
        }
        v
    }

    fn object(&mut self, depth: u32) -> std::result::Result<Obj, Fail> {
        if depth > 64 {
            return Err(Fail::Bad);
        }
        self.skip_white();
        let c = self.peek().ok_or(Fail::Eof)?;
        match c {
            b'/' => {
                self.pos += 1;
                Ok(Obj::Name(self.name()))
            }
            b'(' => self.literal().map(Obj::Str),
            b'<' if self.b.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut entries = Vec::new();
                loop {
                    self.skip_white();
                    match self.peek().ok_or(Fail::Eof)? {
                        b'>' => {
                            self.pos += 1;
                            if self.peek().ok_or(Fail::Eof)? != b'>' {
                                return Err(Fail::Bad);
                            }
                            self.pos += 1;
                            return Ok(Obj::Dict(entries));
                        }
                        b'/' => {
                            self.pos += 1;
                            let key = self.name();
                            let value = self.object(depth + 1)?;
                            entries.push((key, value));
                        }
                        _ => return Err(Fail::Bad),
                    }
                }
            }
            b'<' => self.hex().map(Obj::Str),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_white();
                    if self.peek().ok_or(Fail::Eof)? == b']' {
                        self.pos += 1;
                        return Ok(Obj::Array(items));
                    }
                    items.push(self.object(depth + 1)?);
                }
            }
            _ => {
                let start = self.pos;
                let w = self.word();
                if w.is_empty() {
                    return Err(Fail::Bad);
                }
                let at_end = self.pos >= self.b.len();
                match w {
                    b"true" => return Ok(Obj::Bool(true)),
                    b"false" => return Ok(Obj::Bool(false)),
                    b"null" => return Ok(Obj::Null),
                    _ => {}
                }
                let s = std::str::from_utf8(w).map_err(|_| Fail::Bad)?;
                if let Ok(i) = s.parse::<i64>() {
                    // `N G R` is a reference; look ahead without consuming.
                    let save = self.pos;
                    if let (Ok(n), Some(g)) = (u32::try_from(i), self.uint()) {
                        if self.keyword(b"R") {
                            return Ok(Obj::Ref(n, u16::try_from(g).unwrap_or(0)));
                        }
                    }
                    if self.pos >= self.b.len() {
                        return Err(Fail::Eof);
                    }
                    self.pos = save;
                    if at_end {
                        return Err(Fail::Eof);
                    }
                    return Ok(Obj::Int(i));
                }
                if let Ok(r) = s.parse::<f64>() {
                    return Ok(Obj::Real(r));
                }
                self.pos = start;
                Err(if at_end { Fail::Eof } else { Fail::Bad })
            }
        }
    }

    fn name(&mut self) -> Vec<u8> {
        let raw = self.word();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while let Some(&c) = raw.get(i) {
            if c == b'#' {
                if let Some(v) = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(c);
            i += 1;
        }
        out
    }

    fn literal(&mut self) -> std::result::Result<Vec<u8>, Fail> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1u32;
        loop {
            let c = self.peek().ok_or(Fail::Eof)?;
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(c);
                }
                b'\\' => {
                    let e = self.peek().ok_or(Fail::Eof)?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
    }

    fn hex(&mut self) -> std::result::Result<Vec<u8>, Fail> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let c = self.peek().ok_or(Fail::Eof)?;
            self.pos += 1;
            if c == b'>' {
                if let Some(h) = high {
                    out.push(h << 4);
                }
                return Ok(out);
            }
            if is_white(c) {
                continue;
            }
            let v = (c as char).to_digit(16).ok_or(Fail::Bad)? as u8;
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
    }
}

// ---------------------------------------------------------------- document

#[derive(Clone, Copy, Debug)]
enum Loc {
    Offset(u64),
    InStream { stream: u32 },
    Free,
}

enum Section {
    /// Classic table: subsections as (first number, count, offset of the
    /// first entry, bytes per entry).
    Table(Vec<(u32, u32, u64, u64)>),
    /// Decoded cross-reference stream: `(first, count)` ranges and rows.
    Stream {
        ranges: Vec<(u32, u32)>,
        widths: [usize; 3],
        rows: Vec<u8>,
    },
}

struct Doc<'a> {
    src: &'a dyn ReadAt,
    sections: Vec<Section>,
    root: Option<Obj>,
    info: Option<Obj>,
    encrypted: bool,
}

impl<'a> Doc<'a> {
    fn open(src: &'a dyn ReadAt) -> Result<Doc<'a>> {
        let tail_start = src.len().saturating_sub(TAIL as u64);
        let tail = read_upto(src, tail_start, TAIL)?;
        let p = rfind(&tail, b"startxref").ok_or(PdfError::Malformed("no startxref"))?;
        let mut lx = Lexer::new(&tail, p + 9);
        let mut next = lx.uint();
        let mut doc = Doc {
            src,
            sections: Vec::new(),
            root: None,
            info: None,
            encrypted: false,
        };
        let mut seen = Vec::new();
        while let Some(off) = next.take() {
            if seen.contains(&off) || seen.len() >= MAX_SECTIONS || off >= src.len() {
                break;
            }
            seen.push(off);
            let trailer = match doc.load_section(off) {
                Ok(t) => t,
                Err(e) if doc.sections.is_empty() => return Err(e),
                // An older update being unreadable still leaves the newest.
                Err(_) => break,
            };
            if doc.root.is_none() {
                doc.root = trailer.get(b"Root").cloned();
            }
            if doc.info.is_none() {
                doc.info = trailer.get(b"Info").cloned();
            }
            doc.encrypted |= trailer.get(b"Encrypt").is_some();
            // A hybrid file's classic trailer points at a stream section too.
            if let Some(stm) = trailer
                .get(b"XRefStm")
                .and_then(Obj::int)
                .and_then(|o| u64::try_from(o).ok())
            {
                if !seen.contains(&stm) && stm < src.len() {
                    seen.push(stm);
                    let _ = doc.load_section(stm);
                }
            }
            next = trailer
                .get(b"Prev")
                .and_then(Obj::int)
                .and_then(|o| u64::try_from(o).ok());
        }
        if doc.sections.is_empty() {
            return Err(PdfError::Malformed("no cross-reference section"));
        }
        Ok(doc)
    }

    /// Loads the section at `off`, returns its trailer dictionary.
    fn load_section(&mut self, off: u64) -> Result<Obj> {
        let buf = read_upto(self.src, off, 4096)?;
        let mut lx = Lexer::new(&buf, 0);
        if lx.keyword(b"xref") {
            return self.load_table(off, lx.pos as u64);
        }
        let (dict, data) = self.read_stream_object(off)?;
        if dict.get(b"Type") != Some(&Obj::Name(b"XRef".to_vec())) {
            return Err(PdfError::Malformed(
                "startxref does not point at cross-references",
            ));
        }
        let widths = match dict.get(b"W") {
            Some(Obj::Array(w)) if w.len() == 3 => {
                let mut out = [0usize; 3];
                for (o, v) in out.iter_mut().zip(w) {
                    *o = v
                        .int()
                        .and_then(|i| usize::try_from(i).ok())
                        .filter(|&i| i <= 8)
                        .unwrap_or(0);
                }
                out
            }
            _ => return Err(PdfError::Malformed("cross-reference stream without /W")),
        };
        let size = dict
            .get(b"Size")
            .and_then(Obj::int)
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0);
        let ranges = match dict.get(b"Index") {
            Some(Obj::Array(a)) => a
                .chunks_exact(2)
                .filter_map(|p| {
                    let first = u32::try_from(p.first()?.int()?).ok()?;
                    let count = u32::try_from(p.get(1)?.int()?).ok()?;
                    Some((first, count))
                })
                .collect(),
            _ => vec![(0, size)],
        };
        self.sections.push(Section::Stream {
            ranges,
            widths,
            rows: data,
        });
        Ok(dict)
    }

    fn load_table(&mut self, off: u64, mut pos: u64) -> Result<Obj> {
        let mut subs = Vec::new();
        for _ in 0..10_000 {
            let chunk = read_upto(self.src, off + pos, 256)?;
            let mut lx = Lexer::new(&chunk, 0);
            if lx.keyword(b"trailer") {
                let at = off + pos + lx.pos as u64;
                let trailer = self.parse_at(at, false)?;
                self.sections.push(Section::Table(subs));
                return Ok(trailer);
            }
            let (Some(first), Some(count)) = (lx.uint(), lx.uint()) else {
                break;
            };
            lx.skip_white();
            let entries = off + pos + lx.pos as u64;
            // Entries should be 20 bytes; some writers use 19 or 21. Measure
            // the first one: 18 bytes of fields, then its line end.
            let first_entry = read_upto(self.src, entries, 24)?;
            let mut stride = 18u64;
            while first_entry
                .get(stride as usize)
                .is_some_and(|&c| c == b' ' || c == b'\r' || c == b'\n')
            {
                stride += 1;
            }
            let (Ok(first), Ok(count)) = (u32::try_from(first), u32::try_from(count)) else {
                break;
            };
            subs.push((first, count, entries, stride));
            pos = (entries - off).saturating_add(u64::from(count).saturating_mul(stride));
            if off.saturating_add(pos) >= self.src.len() {
                break;
            }
        }
        Err(PdfError::Malformed("cross-reference table without trailer"))
    }

    fn locate(&self, num: u32) -> Option<Loc> {
        for s in &self.sections {
            match s {
                Section::Table(subs) => {
                    for &(first, count, entries, stride) in subs {
                        if num < first || num - first >= count {
                            continue;
                        }
                        let at = entries + u64::from(num - first) * stride;
                        let e = read_upto(self.src, at, 18).ok()?;
                        let offset: u64 = std::str::from_utf8(e.get(..10)?)
                            .ok()?
                            .trim()
                            .parse()
                            .ok()?;
                        return Some(if e.get(17) == Some(&b'n') {
                            Loc::Offset(offset)
                        } else {
                            Loc::Free
                        });
                    }
                }
                Section::Stream {
                    ranges,
                    widths,
                    rows,
                } => {
                    let row_len: usize = widths.iter().sum();
                    let mut index = 0usize;
                    for &(first, count) in ranges {
                        if num >= first && num - first < count {
                            let i = index.checked_add((num - first) as usize)?;
                            let row =
                                rows.get(i.checked_mul(row_len)?..(i + 1).checked_mul(row_len)?)?;
                            let (a, rest) = row.split_at(widths[0]);
                            let (b, _) = rest.split_at(widths[1]);
                            let field =
                                |f: &[u8]| f.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x));
                            // A missing type field means type 1.
                            let kind = if widths[0] == 0 { 1 } else { field(a) };
                            return Some(match kind {
                                1 => Loc::Offset(field(b)),
                                2 => Loc::InStream {
                                    stream: u32::try_from(field(b)).ok()?,
                                },
                                _ => Loc::Free,
                            });
                        }
                        index = index.checked_add(count as usize)?;
                    }
                }
            }
        }
        None
    }

    /// The object `num`, following at most one object stream.
    fn object(&self, num: u32) -> Option<Obj> {
        match self.locate(num)? {
            Loc::Offset(off) => self.parse_at(off, true).ok(),
            Loc::InStream { stream } => {
                let Loc::Offset(off) = self.locate(stream)? else {
                    return None;
                };
                let (dict, data) = self.read_stream_object(off).ok()?;
                let n = dict.get(b"N").and_then(Obj::int)?;
                let first = usize::try_from(dict.get(b"First").and_then(Obj::int)?).ok()?;
                let mut lx = Lexer::new(&data, 0);
                let mut found = None;
                for _ in 0..n.min(100_000) {
                    let (Some(obj_num), Some(rel)) = (lx.uint(), lx.uint()) else {
                        break;
                    };
                    if obj_num == u64::from(num) {
                        found = Some(rel);
                        break;
                    }
                }
                let at = first.checked_add(usize::try_from(found?).ok()?)?;
                Lexer::new(&data, at).object(0).ok()
            }
            Loc::Free => None,
        }
    }

    fn resolve(&self, obj: &Obj) -> Option<Obj> {
        match obj {
            Obj::Ref(n, _) => self.object(*n),
            other => Some(other.clone()),
        }
    }

    /// Parses the object at `off`; with `header`, after its `N G obj`.
    /// Reads 16 KB first and 256 KB if the object is longer (a page tree
    /// root listing thousands of kids).
    fn parse_at(&self, off: u64, header: bool) -> Result<Obj> {
        for size in [16 * 1024, 256 * 1024] {
            let buf = read_upto(self.src, off, size)?;
            let mut lx = Lexer::new(&buf, 0);
            if header && !(lx.uint().is_some() && lx.uint().is_some() && lx.keyword(b"obj")) {
                return Err(PdfError::Malformed(
                    "object offset does not point at an object",
                ));
            }
            match lx.object(0) {
                Ok(o) => return Ok(o),
                Err(Fail::Eof) if buf.len() == size => continue,
                Err(_) => return Err(PdfError::Malformed("unreadable object")),
            }
        }
        Err(PdfError::Malformed("object too large"))
    }

    /// A stream object at `off`: its dictionary and its decoded data.
    fn read_stream_object(&self, off: u64) -> Result<(Obj, Vec<u8>)> {
        let buf = read_upto(self.src, off, 16 * 1024)?;
        let mut lx = Lexer::new(&buf, 0);
        if !(lx.uint().is_some() && lx.uint().is_some() && lx.keyword(b"obj")) {
            return Err(PdfError::Malformed(
                "stream offset does not point at an object",
            ));
        }
        let dict = lx
            .object(0)
            .map_err(|_| PdfError::Malformed("unreadable stream dictionary"))?;
        if !lx.keyword(b"stream") {
            return Err(PdfError::Malformed("object is not a stream"));
        }
        if lx.peek() == Some(b'\r') {
            lx.pos += 1;
        }
        if lx.peek() == Some(b'\n') {
            lx.pos += 1;
        }
        let data_at = off + lx.pos as u64;
        let len = match dict.get(b"Length") {
            Some(Obj::Int(n)) => {
                usize::try_from(*n).map_err(|_| PdfError::Malformed("stream length"))?
            }
            Some(r @ Obj::Ref(..)) => self
                .resolve(r)
                .and_then(|o| o.int())
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(PdfError::Malformed("stream length"))?,
            _ => return Err(PdfError::Malformed("stream without length")),
        };
        if len > MAX_STREAM_READ {
            return Err(PdfError::Malformed("stream too large to read"));
        }
        let raw = read_upto(self.src, data_at, len)?;
        let data = decode_stream(&dict, raw)?;
        Ok((dict, data))
    }

    fn info(&self) -> Result<PdfInfo> {
        let mut out = PdfInfo {
            encrypted: self.encrypted,
            ..PdfInfo::default()
        };
        let root = self.root.as_ref().and_then(|r| self.resolve(r));
        if let Some(pages) = root
            .as_ref()
            .and_then(|r| r.get(b"Pages"))
            .and_then(|p| self.resolve(p))
        {
            out.pages = pages
                .get(b"Count")
                .and_then(|c| self.resolve(c))
                .and_then(|c| c.int())
                .and_then(|c| u32::try_from(c).ok());
        }
        if !self.encrypted {
            if let Some(info) = self.info.as_ref().and_then(|i| self.resolve(i)) {
                out.title =
                    info.get(b"Title")
                        .and_then(|t| self.resolve(t))
                        .and_then(|t| match t {
                            Obj::Str(s) => text_string(&s),
                            _ => None,
                        });
                out.date = [b"CreationDate".as_slice(), b"ModDate"]
                    .iter()
                    .filter_map(|k| match info.get(k)? {
                        Obj::Str(s) => pdf_date(s),
                        _ => None,
                    })
                    .next();
            }
        }
        Ok(out)
    }
}

fn decode_stream(dict: &Obj, raw: Vec<u8>) -> Result<Vec<u8>> {
    let filters: Vec<&[u8]> = match dict.get(b"Filter") {
        None => Vec::new(),
        Some(Obj::Name(n)) => vec![n.as_slice()],
        Some(Obj::Array(a)) => a
            .iter()
            .filter_map(|f| match f {
                Obj::Name(n) => Some(n.as_slice()),
                _ => None,
            })
            .collect(),
        _ => return Err(PdfError::Malformed("stream filter")),
    };
    let mut data = raw;
    for f in &filters {
        if *f != b"FlateDecode" {
            return Err(PdfError::Malformed("stream filter not supported"));
        }
        data = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&data, MAX_INFLATED)
            .map_err(|_| PdfError::Malformed("stream does not inflate"))?;
    }
    let parms = match dict.get(b"DecodeParms") {
        Some(Obj::Array(a)) => a.first(),
        other => other,
    };
    if let Some(p) = parms {
        let predictor = p.get(b"Predictor").and_then(Obj::int).unwrap_or(1);
        if predictor >= 10 {
            let columns = p.get(b"Columns").and_then(Obj::int).unwrap_or(1);
            let columns =
                usize::try_from(columns).map_err(|_| PdfError::Malformed("predictor columns"))?;
            data = png_unpredict(&data, columns).ok_or(PdfError::Malformed("predictor"))?;
        }
    }
    Ok(data)
}

/// Undoes the PNG row filters that cross-reference streams use (one byte
/// per sample, `columns` bytes per row plus the filter byte).
fn png_unpredict(data: &[u8], columns: usize) -> Option<Vec<u8>> {
    if columns == 0 || columns > 1024 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; columns];
    for row in data.chunks(columns + 1) {
        let (&filter, bytes) = row.split_first()?;
        let mut cur = vec![0u8; columns];
        for (i, &x) in bytes.iter().enumerate() {
            let left = if i > 0 {
                cur.get(i - 1).copied().unwrap_or(0)
            } else {
                0
            };
            let up = prev.get(i).copied().unwrap_or(0);
            let up_left = if i > 0 {
                prev.get(i - 1).copied().unwrap_or(0)
            } else {
                0
            };
            let v = match filter {
                0 => x,
                1 => x.wrapping_add(left),
                2 => x.wrapping_add(up),
                3 => x.wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => {
                    let p = i16::from(left) + i16::from(up) - i16::from(up_left);
                    let (pa, pb, pc) = (
                        (p - i16::from(left)).abs(),
                        (p - i16::from(up)).abs(),
                        (p - i16::from(up_left)).abs(),
                    );
                    let pred = if pa <= pb && pa <= pc {
                        left
                    } else if pb <= pc {
                        up
                    } else {
                        up_left
                    };
                    x.wrapping_add(pred)
                }
                _ => return None,
            };
            if let Some(slot) = cur.get_mut(i) {
                *slot = v;
            }
        }
        out.extend_from_slice(cur.get(..bytes.len()).unwrap_or(&[]));
        prev = cur;
    }
    Some(out)
}

// ---------------------------------------------------------------- strings

/// A PDF text string: UTF-16BE or UTF-8 with a BOM, else PDFDocEncoding.
/// Korean producers sometimes write CP949 or bare UTF-8 without a BOM, which
/// PDFDocEncoding would turn into accented nonsense; those are recognised.
fn text_string(s: &[u8]) -> Option<String> {
    let text = if let Some(rest) = s.strip_prefix(b"\xFE\xFF") {
        let units = rest
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]));
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect()
    } else if let Some(rest) = s.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest).into_owned()
    } else if s.is_ascii() {
        String::from_utf8_lossy(s).into_owned()
    } else if let Ok(u) = std::str::from_utf8(s) {
        u.to_owned()
    } else {
        let (korean, errors) = encoding_rs::EUC_KR.decode_without_bom_handling(s);
        if crate::media::subtitles::looks_korean(&korean, errors) {
            korean.into_owned()
        } else {
            s.iter().map(|&b| pdfdoc_char(b)).collect()
        }
    };
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn pdfdoc_char(b: u8) -> char {
    const HIGH: [u16; 33] = [
        0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039, 0x203A, 0x2212,
        0x2030, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141,
        0x0152, 0x0160, 0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0xFFFD, 0x20AC,
    ];
    const LOW: [u16; 8] = [
        0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC,
    ];
    let code = match b {
        0x18..=0x1F => LOW.get(usize::from(b - 0x18)).copied().unwrap_or(0xFFFD),
        0x80..=0xA0 => HIGH.get(usize::from(b - 0x80)).copied().unwrap_or(0xFFFD),
        _ => u16::from(b),
    };
    char::from_u32(u32::from(code)).unwrap_or('\u{FFFD}')
}

/// `D:YYYYMMDDHHmmSS…` → `YYYY-MM-DD` (or `YYYY` when that is all).
fn pdf_date(s: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(s).ok()?.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits = |a: usize, b: usize| -> Option<u32> {
        let part = s.get(a..b)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = digits(0, 4).filter(|y| (1000..=9999).contains(y))?;
    match (digits(4, 6), digits(6, 8)) {
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            Some(format!("{year:04}-{m:02}-{d:02}"))
        }
        _ => Some(format!("{year:04}")),
    }
}

// ---------------------------------------------------------------- fallback

/// Without usable cross-references: the page tree root is the `/Type /Pages`
/// dictionary with the largest `/Count`; look in the first and last megabyte.
fn scan(src: &dyn ReadAt) -> Result<PdfInfo> {
    let mut out = PdfInfo::default();
    let len = src.len();
    let mut windows = vec![(0u64, SCAN)];
    if len > SCAN as u64 {
        windows.push((len.saturating_sub(SCAN as u64).max(SCAN as u64), SCAN));
    }
    for (start, size) in windows {
        let buf = read_upto(src, start, size)?;
        let mut from = 0usize;
        while let Some(p) = buf
            .get(from..)
            .and_then(|b| find(b, b"/Count"))
            .map(|p| p + from)
        {
            from = p + 6;
            let lo = p.saturating_sub(1024);
            let hi = (p + 1024).min(buf.len());
            let around = buf.get(lo..hi).unwrap_or(&[]);
            if !has_pages_type(around) {
                continue;
            }
            let mut lx = Lexer::new(&buf, p + 6);
            if let Some(n) = lx.uint().and_then(|n| u32::try_from(n).ok()) {
                out.pages = Some(out.pages.map_or(n, |m| m.max(n)));
            }
        }
        if find(&buf, b"/Encrypt").is_some() && rfind(&buf, b"trailer").is_some() {
            out.encrypted = true;
        }
        if out.title.is_none() && !out.encrypted {
            if let Some(p) = find(&buf, b"/Title") {
                let mut lx = Lexer::new(&buf, p + 6);
                if let Ok(Obj::Str(s)) = lx.object(0) {
                    out.title = text_string(&s);
                }
            }
        }
    }
    Ok(out)
}

fn has_pages_type(b: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = b
        .get(from..)
        .and_then(|x| find(x, b"/Type"))
        .map(|p| p + from)
    {
        from = p + 5;
        let mut lx = Lexer::new(b, p + 5);
        if let Ok(Obj::Name(n)) = lx.object(0) {
            if n == b"Pages" {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------- helpers

fn read_upto(src: &dyn ReadAt, offset: u64, max: usize) -> io::Result<Vec<u8>> {
    let avail = src.len().saturating_sub(offset);
    let n = usize::try_from(avail).map_or(max, |a| a.min(max));
    let mut buf = vec![0u8; n];
    if n > 0 {
        src.read_exact_at(&mut buf, offset)?;
    }
    Ok(buf)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testutil::{mutate, sample_bundle, Counting, Rng};

    /// A PDF with a classic table, Info strings in UTF-16BE and
    /// PDFDocEncoding, built with correct offsets.
    fn classic_pdf(title: &[u8]) -> Vec<u8> {
        let objs: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Count 3 /Kids [3 0 R] >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R >>".to_vec(),
            [
                b"<< /Title ".as_slice(),
                title,
                b" /CreationDate (D:20240208093000+09'00') >>",
            ]
            .concat(),
        ];
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(o);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size 5 /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                .as_bytes(),
        );
        out
    }

    /// The same objects, with the catalog and pages in a compressed object
    /// stream and the cross-references in a PNG-predicted xref stream.
    fn stream_pdf() -> Vec<u8> {
        let mut out = b"%PDF-1.5\n".to_vec();
        let info_off = out.len();
        out.extend_from_slice(
            b"4 0 obj\n<< /Title <FEFFD55CBE5BC77CBCF4> /CreationDate (D:2024) >>\nendobj\n",
        );
        let catalog = "<< /Type /Catalog /Pages 2 0 R >> ";
        let header = format!("1 0 2 {} ", catalog.len());
        let first = header.len();
        let objs = format!("{header}{catalog}<< /Type /Pages /Count 12 /Kids [] >>");
        let objs = objs.as_bytes();
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(objs, 6);
        let objstm_off = out.len();
        out.extend_from_slice(
            format!("5 0 obj\n<< /Type /ObjStm /N 2 /First {first} /Filter /FlateDecode /Length {} >>\nstream\n", packed.len())
                .as_bytes(),
        );
        out.extend_from_slice(&packed);
        out.extend_from_slice(b"\nendstream\nendobj\n");
        let xref_off = out.len();
        // Rows: type (1), field 2 (2 bytes), field 3 (1), objects 0..=6.
        let rows: Vec<[u8; 4]> = vec![
            [0, 0, 0, 255],
            [2, 0, 5, 0],
            [2, 0, 5, 1],
            [0, 0, 0, 0],
            [1, (info_off >> 8) as u8, info_off as u8, 0],
            [1, (objstm_off >> 8) as u8, objstm_off as u8, 0],
            [1, (xref_off >> 8) as u8, xref_off as u8, 0],
        ];
        let mut predicted = Vec::new();
        let mut prev = [0u8; 4];
        for r in &rows {
            predicted.push(2u8);
            for i in 0..4 {
                predicted.push(r[i].wrapping_sub(prev[i]));
            }
            prev = *r;
        }
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&predicted, 6);
        out.extend_from_slice(
            format!(
                "6 0 obj\n<< /Type /XRef /Size 7 /W [1 2 1] /Root 1 0 R /Info 4 0 R /Filter /FlateDecode /DecodeParms << /Columns 4 /Predictor 12 >> /Length {} >>\nstream\n",
                packed.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&packed);
        out.extend_from_slice(
            format!("\nendstream\nendobj\nstartxref\n{xref_off}\n%%EOF\n").as_bytes(),
        );
        out
    }

    #[test]
    fn classic_table() {
        let pdf = classic_pdf(b"(Caf\xe9 \\(1\\) \x93quoted\x94)");
        let info = pdf_info(&pdf).unwrap();
        assert_eq!(info.pages, Some(3));
        assert_eq!(info.title.as_deref(), Some("Café (1) ﬁquotedﬂ"));
        assert_eq!(info.date.as_deref(), Some("2024-02-08"));
        assert!(!info.encrypted);
    }

    #[test]
    fn xref_stream_and_object_stream() {
        let info = pdf_info(&stream_pdf()).unwrap();
        assert_eq!(info.pages, Some(12));
        assert_eq!(info.title.as_deref(), Some("한빛일보"));
        assert_eq!(info.date.as_deref(), Some("2024"));
    }

    #[test]
    fn broken_xref_falls_back_to_scan() {
        let mut pdf = classic_pdf(b"<FEFF00410042>");
        let p = rfind(&pdf, b"startxref").unwrap();
        pdf.truncate(p);
        pdf.extend_from_slice(b"startxref\n99999999\n%%EOF");
        let info = pdf_info(&pdf).unwrap();
        assert_eq!(info.pages, Some(3));
        assert_eq!(info.title.as_deref(), Some("AB"));
        assert!(matches!(
            pdf_info(&b"hello".to_vec()),
            Err(PdfError::NotPdf)
        ));
    }

    #[test]
    fn sample_bundle_newspapers() {
        let Some(dir) = sample_bundle() else { return };
        let manifest = dir.with_file_name("sample-bundle.manifest.json");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            eprintln!("SKIP: no {}", manifest.display());
            return;
        };
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        for item in m["pdfs"].as_array().unwrap() {
            let file = item["file"].as_str().unwrap();
            let f = crate::readat::FileAt::open(&dir.join(file)).unwrap();
            let counting = Counting {
                inner: &f,
                read: Default::default(),
            };
            let info = pdf_info(&counting).unwrap();
            let read = counting.read.into_inner();
            assert!(read < 128 * 1024, "{file}: read {read} bytes");
            assert_eq!(
                u64::from(info.pages.unwrap()),
                item["pages"].as_u64().unwrap(),
                "{file}"
            );
            let title = info.title.unwrap();
            assert!(
                title.starts_with(item["paper"].as_str().unwrap()),
                "{file}: {title}"
            );
            assert!(info.date.is_some());
            assert!(!info.encrypted);
        }
    }

    #[test]
    fn fuzz_never_panics() {
        let mut seeds = vec![classic_pdf(b"(T)"), stream_pdf()];
        if let Some(dir) = sample_bundle() {
            if let Ok(b) = std::fs::read(dir.join("newspapers/hanbit-ilbo_2024-02-07.pdf")) {
                seeds.push(b);
            }
        }
        let mut rng = Rng::new(5);
        let start = std::time::Instant::now();
        for round in 0..1500 {
            let mut data = seeds[round % seeds.len()].clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut data);
            }
            let _ = pdf_info(&data);
        }
        assert!(start.elapsed().as_secs() < 120);
    }
}
