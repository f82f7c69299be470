//! Building URLs of our own routes, with every part percent-encoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters escaped inside one path segment: everything but unreserved
/// characters and a few sub-delimiters that are safe and common in article
/// names (keeps `서울_(도시)` links readable once decoded by the browser).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
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
    .add(b'\'');

/// Query values: also `&`, `=`, `+` and `;`.
const QUERY: &AsciiSet = &SEGMENT.add(b'&').add(b'=').add(b'+').add(b';');

pub fn segment_escape(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

pub fn query_escape(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

/// A path of several segments (`한국어/문법/조사`): each escaped, `/` kept so
/// the archive's own relative links resolve as they were written.
pub fn path_escape(path: &str) -> String {
    path.split('/')
        .map(segment_escape)
        .collect::<Vec<_>>()
        .join("/")
}

/// `/content/<id>/<path>`.
pub fn content(id: &str, user_path: &str) -> String {
    format!("/content/{}/{}", segment_escape(id), path_escape(user_path))
}

/// `/read/<id>/<path>`: the viewer, which frames the entry from the
/// content origin.
pub fn read(id: &str, user_path: &str) -> String {
    format!("/read/{}/{}", segment_escape(id), path_escape(user_path))
}

/// `/raw/<id>/<path>`.
pub fn raw(id: &str, user_path: &str) -> String {
    format!("/raw/{}/{}", segment_escape(id), path_escape(user_path))
}

/// `/file/<rel>`: a file of the drive, as stored.
pub fn file(rel: &str) -> String {
    format!("/file/{}", path_escape(rel))
}

/// `/save/<rel>`: the page that says a copy of the file is about to land on
/// this computer, before offering it as an attachment.
pub fn save(rel: &str) -> String {
    format!("/save/{}", path_escape(rel))
}

/// The save page of a `/file/` URL (the two take the same path).
pub fn save_of_file(file_url: &str) -> String {
    match file_url.strip_prefix("/file/") {
        Some(rest) => format!("/save/{rest}"),
        None => file_url.to_string(),
    }
}

/// `/view/<rel>`: the page of a document, film, recording or Markdown page.
pub fn view(rel: &str) -> String {
    format!("/view/{}", path_escape(rel))
}

/// `/vtt/<rel>`: a subtitle file as WebVTT.
pub fn vtt(rel: &str) -> String {
    format!("/vtt/{}", path_escape(rel))
}

/// `/list/<kind>[?collection=…]`.
pub fn list(kind: &str, collection: Option<&str>) -> String {
    match collection {
        Some(c) => format!("/list/{kind}?collection={}", query_escape(c)),
        None => format!("/list/{kind}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_paths_and_queries() {
        assert_eq!(content("wiki ko", "A/AC/DC"), "/content/wiki%20ko/A/AC/DC");
        assert_eq!(content("w", "Q&A?#%"), "/content/w/Q&A%3F%23%25");
        assert_eq!(query_escape("a&b=c+d 서"), "a%26b%3Dc%2Bd%20%EC%84%9C");
        assert_eq!(
            segment_escape("서울_(도시)"),
            "%EC%84%9C%EC%9A%B8_(%EB%8F%84%EC%8B%9C)"
        );
    }
}
