//! `index.html` at the top of the drive: the way in with no program (Windows
//! XP, a locked-down computer, Red Star OS without the 32-bit program). It
//! lists the films with their posters, the newspapers, the recordings and
//! the pages with their descriptions, Korean first, and links each file
//! relative to the page, so a double-click opens it in the browser or in the
//! computer's own player.
//!
//! Links: ASCII characters that mean something in a URL or are not allowed
//! in one (space `#` `%` `?` `:` quotes …) are percent-encoded; letters
//! beyond ASCII (Hangul) are written as they are. Internet Explorer turns
//! `%XX` in a `file:` URL into bytes of the system's ANSI code page (CP949
//! on Korean Windows, CP936 on Chinese), so Hangul written as percent-encoded
//! UTF-8 would name a file that does not exist; written as characters in a
//! page declared UTF-8, every browser reads the right name (the others encode
//! it as UTF-8 themselves).
//!
//! Ownership: the file carries a marker line with the MD5 of everything
//! after it. `prepare` rewrites `index.html` only when that line is there
//! and the digest still matches — so a file of someone else's, or ours
//! edited by hand, is never changed — and writes nothing when the page
//! would come out the same.

use crate::bundle::{Catalog, Item, Kind};
use crate::lang::Lang;
use crate::markdown::{self, LinkTarget};
use crate::render::html::shift_headings;
use crate::render::links::{self, Resolved};
use crate::render::static_index::{self, Entry, PageEntry, StaticIndex, MARKER};
use md5::{Digest, Md5};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path};

pub const FILE_NAME: &str = "index.html";
/// Where the new page is written before it replaces the old one.
const TEMP_NAME: &str = "index.html.driveshelf-new";
/// A page of the drive longer than this is linked, not shown in full.
const MAX_PAGE_SHOWN: usize = 64 * 1024;
/// All pages shown in full together stay under this.
const MAX_PAGES_SHOWN: usize = 512 * 1024;
/// An `index.html` larger than this is not read to see whether it is ours.
const MAX_OURS: u64 = 64 << 20;

/// ASCII that is escaped in one segment of a relative link. Beyond the
/// characters a URL cannot hold: `:` (a first segment `a:b` would read as a
/// scheme), `;` `=` `&` `+` `,` `!` `$` `(` `)` `*` `@` are left alone.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'\'')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'&');

/// One segment of a link: ASCII escaped, other characters kept (see the
/// module's note on Internet Explorer).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            let mut b = [0u8; 1];
            out.extend(utf8_percent_encode(c.encode_utf8(&mut b), SEGMENT));
        } else if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{feff}' {
            // Invisible characters that some parsers drop: as UTF-8 bytes.
            let mut b = [0u8; 4];
            out.extend(utf8_percent_encode(
                c.encode_utf8(&mut b),
                percent_encoding::NON_ALPHANUMERIC,
            ));
        } else {
            out.push(c);
        }
    }
    out
}

/// The link from the top of the drive to `path`; `None` when a part of its
/// name is not valid Unicode (it could not be written into the page).
pub fn relative_href(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => parts.push(segment(n.to_str()?)),
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The link to a file of the bundle named by its path in the bundle.
fn href_of_rel(catalog: &Catalog, rel: &str) -> Option<String> {
    relative_href(&catalog.root, catalog.file(rel)?)
}

/// Markdown of the drive rendered for this page: links to files of the
/// drive become relative links, everything else (other sites, folders,
/// nowhere) stays as text.
fn render_md(catalog: &Catalog, base: &str, md: &str, shift: u8) -> String {
    let link = |url: &str| match links::resolve(catalog, base, url) {
        Resolved::Item { rel, fragment: _ } | Resolved::File(rel) => href_of_rel(catalog, &rel)
            .map(LinkTarget::Keep)
            .unwrap_or(LinkTarget::Drop),
        _ => LinkTarget::Drop,
    };
    unescape_urls(&shift_headings(&markdown::render(md, &link), shift))
}

/// The Markdown renderer writes letters beyond ASCII in `href`/`src` as
/// percent-encoded UTF-8; put them back as characters, as [`segment`]
/// writes them (see the module's note on Internet Explorer).
fn unescape_urls(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = [" href=\"", " src=\""]
            .iter()
            .filter_map(|a| rest.find(a).map(|p| p + a.len()))
            .min();
        let Some(start) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push_str(&letters_back(&rest[..end]));
        rest = &rest[end..];
    }
}

/// `%EC%84%9C%20` → `서%20`: runs of escaped bytes at or above 0x80 that
/// spell visible characters are decoded; ASCII escapes stay.
fn letters_back(url: &str) -> String {
    let b = url.as_bytes();
    let hex = |i: usize| -> Option<u8> {
        let s = url.get(i + 1..i + 3)?;
        u8::from_str_radix(s, 16).ok()
    };
    let mut out = String::with_capacity(url.len());
    let mut i = 0;
    while i < b.len() {
        let mut run = Vec::new();
        let mut j = i;
        while b.get(j) == Some(&b'%') {
            match hex(j) {
                Some(v) if v >= 0x80 => {
                    run.push(v);
                    j += 3;
                }
                _ => break,
            }
        }
        if run.is_empty() {
            let c = url[i..].chars().next().unwrap_or('%');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        match String::from_utf8(run) {
            Ok(s)
                if s.chars().all(|c| {
                    !c.is_control() && c != '\u{feff}' && c != '\u{2028}' && c != '\u{2029}'
                }) =>
            {
                out.push_str(&s)
            }
            _ => out.push_str(&url[i..j]),
        }
        i = j;
    }
    out
}

fn folder_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `1:02:03` / `4:05`: the same in both languages.
fn clock(secs: f64) -> Option<String> {
    if !secs.is_finite() || secs < 0.5 {
        return None;
    }
    let t = secs.round() as u64;
    let (h, m, s) = (t / 3600, (t % 3600) / 60, t % 60);
    Some(if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    })
}

fn is_korean(item: &Item) -> bool {
    let d = item.details();
    match d.language.as_deref().and_then(Lang::parse) {
        Some(l) => l == Lang::Ko,
        None => d.title.chars().any(|c| {
            ('\u{ac00}'..='\u{d7a3}').contains(&c) || ('\u{1100}'..='\u{11ff}').contains(&c)
        }),
    }
}

/// Korean first, then newest, then by title; the path breaks ties so the
/// page is the same on every run.
fn ordered(catalog: &Catalog, kind: Kind) -> Vec<&Item> {
    let mut v: Vec<&Item> = catalog.items_of(kind).collect();
    v.sort_by(|a, b| {
        let (da, db) = (a.details(), b.details());
        is_korean(b)
            .cmp(&is_korean(a))
            .then_with(|| db.date.cmp(&da.date))
            .then_with(|| da.title.cmp(&db.title))
            .then_with(|| a.rel.cmp(&b.rel))
    });
    v
}

fn entry(catalog: &Catalog, item: &Item) -> Entry {
    let d = item.details();
    let facts = item.facts();
    let (_, ext) = crate::media::names::stem_and_ext(&item.file_name);
    let description_html = if item.kind == Kind::Page || d.body_md.trim().is_empty() {
        String::new()
    } else {
        render_md(catalog, folder_of(&item.rel), &d.body_md, 3)
    };
    let mut subtitles: Vec<(String, String)> = item
        .subtitles
        .iter()
        .filter_map(|s| {
            let href = href_of_rel(catalog, &s.rel)?;
            let name = s.rel.rsplit('/').next().unwrap_or(&s.rel).to_string();
            Some((name, href))
        })
        .collect();
    subtitles.sort();
    Entry {
        title: d.title.clone(),
        date: d.date.clone(),
        duration: facts.duration_secs.and_then(clock),
        pages: facts.pages,
        format: ext.to_ascii_uppercase(),
        size: crate::render::format::size(d.size),
        href: relative_href(&catalog.root, &item.path),
        picture: item.poster.as_deref().and_then(|p| href_of_rel(catalog, p)),
        description_html,
        subtitles,
    }
}

/// What the page shows, from the catalog.
pub fn view(catalog: &Catalog) -> StaticIndex {
    let welcome = catalog.welcome();
    let welcome_html = welcome.map(|w| render_md(catalog, "", &w.details().body_md, 1));
    let mut shown = 0usize;
    let pages = ordered(catalog, Kind::Page)
        .into_iter()
        .filter(|p| welcome.is_none_or(|w| w.rel != p.rel))
        .map(|p| {
            let d = p.details();
            let fits = d.body_md.len() <= MAX_PAGE_SHOWN
                && shown.saturating_add(d.body_md.len()) <= MAX_PAGES_SHOWN;
            let body_html = if fits {
                shown += d.body_md.len();
                render_md(catalog, folder_of(&p.rel), &d.body_md, 2)
            } else {
                String::new()
            };
            PageEntry {
                title: d.title.clone(),
                href: relative_href(&catalog.root, &p.path),
                body_html,
            }
        })
        .collect();
    let mut archives: Vec<String> = catalog
        .zims
        .iter()
        .map(|z| {
            let t = z.info().title.trim();
            if t.is_empty() {
                z.id.clone()
            } else {
                t.to_string()
            }
        })
        .collect();
    archives.sort();
    let list = |k| {
        ordered(catalog, k)
            .into_iter()
            .map(|i| entry(catalog, i))
            .collect()
    };
    StaticIndex {
        library: catalog.library_name().map(|n| n.to_string()),
        welcome_html,
        archives,
        films: list(Kind::Video),
        documents: list(Kind::Document),
        recordings: list(Kind::Audio),
        pages,
    }
}

fn hex_md5(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file's bytes for this catalog.
pub fn render(catalog: &Catalog) -> String {
    let body = static_index::body(&view(catalog));
    static_index::document(&body, &hex_md5(body.as_bytes()))
}

/// Whether `bytes` are a page we wrote and nobody changed since: the marker
/// on the second line, and the digest in it matching what follows it.
pub fn is_ours(bytes: &[u8]) -> bool {
    let Some(first_end) = bytes.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let rest = &bytes[first_end + 1..];
    let Some(line_end) = rest.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let (line, body) = (&rest[..line_end], &rest[line_end + 1..]);
    let Some(after) = line.strip_prefix(MARKER.as_bytes()) else {
        return false;
    };
    let Some(digest) = after.strip_prefix(b" ").and_then(|a| a.get(..32)) else {
        return false;
    };
    digest == hex_md5(body).as_bytes()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// There was none: written.
    Created,
    /// Ours, and the drive changed: written again.
    Updated,
    /// Ours, and it would come out the same: not touched.
    Unchanged,
    /// There is an `index.html` we did not write (or one of ours changed
    /// by hand, or not a plain file): left alone.
    NotOurs,
}

impl Outcome {
    /// The summary line, Korean then English.
    pub fn describe(self) -> String {
        match self {
            Outcome::Created => "index.html: 만들었습니다 / written".to_string(),
            Outcome::Updated => "index.html: 새로 썼습니다 / updated".to_string(),
            Outcome::Unchanged => "index.html: 바뀐 것이 없습니다 / unchanged".to_string(),
            Outcome::NotOurs => "index.html: 건너뜀 — driveshelf가 쓴 파일이 아니거나 손으로 고친 파일이라 그대로 둡니다 \
                 / skipped — it was not written by driveshelf (or was edited by hand), so it is left as it is"
                .to_string(),
        }
    }
}

#[derive(Debug)]
pub enum Error {
    Io(io::Error),
    /// The temporary file's name is taken by a file that is not ours.
    TempTaken,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::TempTaken => write!(f, "{TEMP_NAME} exists and is not ours"),
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// What is at `path` now: nothing, ours (with its bytes), or something else.
enum Existing {
    None,
    Ours(Vec<u8>),
    Other,
}

fn existing(path: &Path) -> io::Result<Existing> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::None),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_file() || meta.len() > MAX_OURS {
        return Ok(Existing::Other);
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_OURS)
        .read_to_end(&mut bytes)?;
    Ok(if is_ours(&bytes) {
        Existing::Ours(bytes)
    } else {
        Existing::Other
    })
}

/// Writes `index.html` at the top of the catalog's drive, unless a file
/// there is not ours.
pub fn write(catalog: &Catalog) -> Result<Outcome, Error> {
    let target = catalog.root.join(FILE_NAME);
    let was = match existing(&target)? {
        Existing::Other => return Ok(Outcome::NotOurs),
        e => e,
    };
    let page = render(catalog);
    if let Existing::Ours(old) = &was {
        if old == page.as_bytes() {
            return Ok(Outcome::Unchanged);
        }
    }
    let temp = catalog.root.join(TEMP_NAME);
    // A leftover of an interrupted run is ours to remove; anything else of
    // that name is not.
    match existing(&temp)? {
        Existing::None => {}
        Existing::Ours(_) => fs::remove_file(&temp)?,
        Existing::Other => return Err(Error::TempTaken),
    }
    let written = (|| -> io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(page.as_bytes())?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e.into());
    }
    // Checked again just before replacing it: a file put there meanwhile
    // is not ours either.
    let still = existing(&target);
    let replace_ok = match (&was, &still) {
        (Existing::None, Ok(Existing::None)) => true,
        (Existing::Ours(a), Ok(Existing::Ours(b))) => a == b,
        _ => false,
    };
    if !replace_ok {
        let _ = fs::remove_file(&temp);
        return match still {
            Err(e) => Err(e.into()),
            Ok(_) => Ok(Outcome::NotOurs),
        };
    }
    if let Err(e) = fs::rename(&temp, &target) {
        let _ = fs::remove_file(&temp);
        return Err(e.into());
    }
    Ok(match was {
        Existing::None => Outcome::Created,
        _ => Outcome::Updated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_escape_ascii_and_keep_hangul() {
        assert_eq!(
            segment("서울의 겨울 (1987).mp4"),
            "서울의%20겨울%20(1987).mp4"
        );
        assert_eq!(segment("#1 100%?.mp4"), "%231%20100%25%3F.mp4");
        assert_eq!(segment("a:b&c'd\"e.pdf"), "a%3Ab%26c%27d%22e.pdf");
        assert_eq!(segment("x\u{feff}y"), "x%EF%BB%BFy");
    }

    #[test]
    fn relative_links_from_the_top() {
        let root = Path::new("/drive");
        assert_eq!(
            relative_href(root, Path::new("/drive/영화 폴더/a b.mp4")).as_deref(),
            Some("영화%20폴더/a%20b.mp4")
        );
        assert_eq!(relative_href(root, Path::new("/elsewhere/x")), None);
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_unicode_get_no_link() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new("/drive").join(std::ffi::OsStr::from_bytes(b"\xffbad.mp4"));
        assert_eq!(relative_href(Path::new("/drive"), &p), None);
    }

    #[test]
    fn ownership_needs_the_marker_and_a_matching_digest() {
        let body = "<html><body>x</body></html>\n";
        let doc = static_index::document(body, &hex_md5(body.as_bytes()));
        assert!(is_ours(doc.as_bytes()));
        assert!(!is_ours(doc.replace("x</body>", "y</body>").as_bytes()));
        assert!(!is_ours(b"<!DOCTYPE html>\n<html>mine</html>\n"));
        assert!(!is_ours(b""));
        let other = static_index::document(body, "0123456789abcdef0123456789abcdef");
        assert!(!is_ours(other.as_bytes()));
    }

    #[test]
    fn rendered_links_get_their_letters_back() {
        assert_eq!(
            unescape_urls(
                "<a href=\"a/%EC%84%9C%20b%25.pdf\">%EC%84%9C</a><img src=\"%EF%BB%BFx\" />"
            ),
            "<a href=\"a/서%20b%25.pdf\">%EC%84%9C</a><img src=\"%EF%BB%BFx\" />"
        );
        assert_eq!(letters_back("%ff%EC"), "%ff%EC");
        assert_eq!(letters_back("100%"), "100%");
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock(245.3).as_deref(), Some("4:05"));
        assert_eq!(clock(3723.0).as_deref(), Some("1:02:03"));
        assert_eq!(clock(f64::NAN), None);
    }
}
