//! A request as the handlers see it: method, decoded path, query, the few
//! headers that matter. Decoding is strict: bytes that are not UTF-8, NUL,
//! or a broken escape make the request a 400 before any handler runs.

use percent_encoding::percent_decode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    /// Only the close control posts; every other POST is refused.
    Post,
    Other,
}

#[derive(Debug)]
pub struct Req {
    pub method: Method,
    /// The path as sent (still percent-encoded), without the query.
    pub raw_path: String,
    pub query: Vec<(String, String)>,
    pub host: Option<String>,
    pub range: Option<String>,
    pub if_range: Option<String>,
    pub origin: Option<String>,
    pub accept_language: Option<String>,
    /// Fetch Metadata (`Sec-Fetch-Site`, `-Dest`, `-Mode`), lower-cased;
    /// old browsers send none.
    pub fetch_site: Option<String>,
    pub fetch_dest: Option<String>,
    pub fetch_mode: Option<String>,
    /// A `Service-Worker: script` header: a registration's fetch.
    pub service_worker: bool,
    pub user_agent: Option<String>,
    /// `Sec-CH-UA`: Chromium's brand list.
    pub ch_ua: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    NotUtf8,
    Nul,
}

impl Req {
    pub fn new(method: Method, url: &str) -> Req {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, q),
            None => (url, ""),
        };
        Req {
            method,
            raw_path: path.to_string(),
            query: parse_query(query),
            host: None,
            range: None,
            if_range: None,
            origin: None,
            accept_language: None,
            fetch_site: None,
            fetch_dest: None,
            fetch_mode: None,
            service_worker: false,
            user_agent: None,
            ch_ua: None,
        }
    }

    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn param_usize(&self, name: &str) -> Option<usize> {
        self.param(name).and_then(|v| v.trim().parse().ok())
    }
}

/// Percent-decodes a path part into UTF-8, refusing NUL and invalid bytes
/// (overlong encodings are invalid UTF-8 and so refused too).
pub fn decode_path(raw: &str) -> Result<String, DecodeError> {
    let bytes: Vec<u8> = percent_decode(raw.as_bytes()).collect();
    if bytes.contains(&0) {
        return Err(DecodeError::Nul);
    }
    String::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8)
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_query_part(k), decode_query_part(v))
        })
        .collect()
}

fn decode_query_part(s: &str) -> String {
    let plus = s.replace('+', " ");
    let bytes: Vec<u8> = percent_decode(plus.as_bytes()).collect();
    String::from_utf8_lossy(&bytes).replace('\0', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let r = Req::new(
            Method::Get,
            "/search?q=%EC%84%9C%EC%9A%B8+x&zim=a%26b&empty&q=2",
        );
        assert_eq!(r.param("q"), Some("서울 x"));
        assert_eq!(r.param("zim"), Some("a&b"));
        assert_eq!(r.param("empty"), Some(""));
        assert_eq!(r.raw_path, "/search");
    }

    #[test]
    fn path_decoding_is_strict() {
        assert_eq!(decode_path("%EC%84%9C").unwrap(), "서");
        assert_eq!(decode_path("a%00b"), Err(DecodeError::Nul));
        assert_eq!(decode_path("%C0%AE%C0%AE"), Err(DecodeError::NotUtf8));
        assert_eq!(decode_path("%ff"), Err(DecodeError::NotUtf8));
        assert_eq!(decode_path("%zz").unwrap(), "%zz");
    }
}
