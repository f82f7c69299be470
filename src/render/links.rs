//! Where a link written in a Markdown page of the drive leads: shared by the
//! page renderer (which turns it into a URL of the server) and by
//! `driveshelf check` (which reports links that lead nowhere).

use super::rewrite;
use crate::bundle::Catalog;
use percent_encoding::percent_decode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// `#part` or an empty link: stays on the page.
    Anchor(String),
    /// Off the drive (http:, mailto:, …): the decoded address.
    External(String),
    /// A document, film, recording or page of the bundle, with `#fragment`
    /// (or empty).
    Item { rel: String, fragment: String },
    /// Another file found on the drive (a picture, a text).
    File(String),
    /// A folder that holds items or archives.
    Folder(String),
    /// Nothing on the drive has this path.
    Nowhere(String),
    /// Not a path (bad escapes, NUL) or one that climbs out of the drive.
    Invalid,
}

/// Resolves `url`, written in a page that sits in folder `base` (a path in
/// the bundle, empty at the top).
pub fn resolve(catalog: &Catalog, base: &str, url: &str) -> Resolved {
    let decoded = rewrite::decode_entities(url);
    if rewrite::is_external(&decoded) {
        return Resolved::External(decoded);
    }
    if decoded.starts_with('#') || decoded.is_empty() {
        return Resolved::Anchor(decoded);
    }
    let (path_part, fragment) = match decoded.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (decoded.as_str(), String::new()),
    };
    let path_part = path_part.split('?').next().unwrap_or("");
    let Some(path) = decode_path(path_part) else {
        return Resolved::Invalid;
    };
    let Some(rel) = join_rel(if path.starts_with('/') { "" } else { base }, &path) else {
        return Resolved::Invalid;
    };
    if let Some(item) = catalog.item(&rel) {
        return Resolved::Item {
            rel: item.rel.clone(),
            fragment,
        };
    }
    if catalog.file(&rel).is_some() {
        return Resolved::File(rel);
    }
    let folder = rel.trim_end_matches('/');
    let in_folder = |c: &str| c == folder || c.starts_with(&format!("{folder}/"));
    if catalog.items.iter().any(|i| in_folder(&i.collection))
        || catalog
            .zims
            .iter()
            .any(|z| in_folder(z.rel.rsplit_once('/').map_or("", |x| x.0)))
    {
        return Resolved::Folder(folder.to_string());
    }
    Resolved::Nowhere(rel)
}

/// Percent-decoded UTF-8 without NUL, as request paths are decoded.
fn decode_path(raw: &str) -> Option<String> {
    let bytes: Vec<u8> = percent_decode(raw.as_bytes()).collect();
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// `base/path` with `.` and `..` resolved; `None` when it climbs out of the drive.
pub fn join_rel(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(join_rel("videos", "a.mp4").as_deref(), Some("videos/a.mp4"));
        assert_eq!(
            join_rel("a/b", "../c/./d.pdf").as_deref(),
            Some("a/c/d.pdf")
        );
        assert_eq!(join_rel("", "../etc/passwd"), None);
        assert_eq!(join_rel("a", "..\\..\\x"), None);
        assert_eq!(join_rel("", "/x/y").as_deref(), Some("x/y"));
    }

    #[test]
    fn bad_escapes_are_invalid() {
        assert_eq!(decode_path("a%00b"), None);
        assert_eq!(decode_path("%ff"), None);
        assert_eq!(decode_path("%EC%84%9C").as_deref(), Some("서"));
    }
}
