//! What a handler returns, and how it goes out: the safety headers on every
//! response, ranges, HEAD.

use super::range::{self, RangeReq};
use crate::readat::{FileAt, ReadAt};
use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    Static(Cow<'static, [u8]>),
    /// Read on demand (entries of uncompressed clusters).
    Source(Arc<dyn ReadAt>),
    /// A file on the drive, sent from the file to the socket by the kernel
    /// where it can (films are most of the bytes served).
    File(FileAt),
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Static(b) => b.len() as u64,
            Body::Source(s) => s.len(),
            Body::File(f) => f.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which Content-Security-Policy (and companions) a response carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Our own pages: no inline script or style at all.
    Ui,
    /// The viewer: our page, whose one frame may only come from the
    /// content origin on port `content`; its own script and style are
    /// inline, allowed by `nonce` (one page view, one request).
    Viewer { content: u16, nonce: u64 },
    /// Archive content on the interface origin (the direct page): sandboxed,
    /// no script of the archive runs.
    Archive,
    /// Archive content on the content origin, framed by the viewer of the
    /// interface origin on port `ui`; its own scripts run when `scripts`.
    Framed { ui: u16, scripts: bool },
    /// The browser test page: it may try to reach port `ui`, and the
    /// browser must refuse it.
    Probe { ui: u16 },
    /// Files of the drive served as they are: nothing in them may run.
    File,
}
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
    pub policy: Policy,
    /// Whether `Range` requests are honoured (content, not pages we build).
    pub ranges: bool,
    /// A strong validator of the bytes, so `If-Range` can be answered.
    pub etag: Option<String>,
    /// Run once the reply has been written (stopping the server after the
    /// "closed" page is out).
    pub after: Option<Box<dyn FnOnce() + Send>>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: Body) -> Reply {
        Reply {
            status,
            content_type: Some(content_type.to_string()),
            headers: Vec::new(),
            body,
            policy: Policy::Ui,
            ranges: false,
            etag: None,
            after: None,
        }
    }

    pub fn html(status: u16, html: String) -> Reply {
        Reply::new(
            status,
            "text/html; charset=utf-8",
            Body::Bytes(html.into_bytes()),
        )
    }

    pub fn json(value: &serde_json::Value) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
        Reply::new(200, "application/json; charset=utf-8", Body::Bytes(body))
    }

    pub fn redirect(location: &str) -> Reply {
        let mut r = Reply::new(302, "text/plain; charset=utf-8", Body::Empty);
        r.headers.push(("Location", location.to_string()));
        r
    }

    pub fn content(content_type: &str, body: Body) -> Reply {
        let mut r = Reply::new(200, content_type, body);
        r.policy = Policy::Archive;
        r.ranges = true;
        r
    }

    pub fn with_etag(mut self, etag: String) -> Reply {
        self.etag = Some(etag);
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

const CSP_UI: &str = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'";
const CSP_FILE: &str = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'self'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'";
/// Archive content on the interface origin: sandboxed with scripts off. A
/// script of an archive could otherwise send the whole tab to another site
/// (no CSP directive stops a navigation) or reach the close control; links
/// still work, and they are rewritten on the server.
const CSP_ARCHIVE: &str = "sandbox allow-same-origin allow-forms allow-downloads; default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'none'; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; object-src 'none'";
/// Archive content on the content origin with its scripts: what archives
/// need (inline scripts, eval, `blob:` workers and frames, as Zimit's
/// replay does), from this origin only. `form-action` has no fallback.
const CSP_FRAMED_SCRIPTS: &str = "sandbox allow-scripts allow-same-origin allow-forms allow-modals allow-downloads; default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline' blob:; img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data: blob:; connect-src 'self' data: blob:; worker-src 'self' blob:; frame-src 'self' blob:; child-src 'self' blob:; manifest-src 'none'; object-src 'none'; form-action 'self'; base-uri 'self'";
/// The same without scripts.
const CSP_FRAMED: &str = "sandbox allow-same-origin allow-forms allow-downloads; default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'none'; frame-src 'self'; child-src 'self'; manifest-src 'none'; object-src 'none'; form-action 'self'; base-uri 'self'";
/// Powerful features no archive page needs; the browser's location lookup
/// is itself traffic.
const PERMISSIONS: &str = "geolocation=(), camera=(), microphone=(), display-capture=(), payment=(), usb=(), serial=(), hid=(), browsing-topics=()";

/// Headers every response carries, whatever route produced it.
pub fn safety_headers(policy: Policy) -> Vec<(&'static str, Cow<'static, str>)> {
    let mut h: Vec<(&'static str, Cow<'static, str>)> = vec![
        ("Cache-Control", "no-store".into()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
    ];
    match policy {
        Policy::Ui => h.push(("Content-Security-Policy", CSP_UI.into())),
        Policy::Archive => h.push(("Content-Security-Policy", CSP_ARCHIVE.into())),
        Policy::File => h.push(("Content-Security-Policy", CSP_FILE.into())),
        Policy::Viewer { content, nonce } => {
            let c = format!("http://127.0.0.1:{content}");
            h.push((
                "Content-Security-Policy",
                format!("default-src 'none'; script-src 'nonce-{nonce:016x}'; style-src 'nonce-{nonce:016x}'; img-src 'self' data:; connect-src 'self'; frame-src {c}; child-src {c}; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'").into(),
            ));
            h.push((
                "Permissions-Policy",
                format!("{PERMISSIONS}, fullscreen=(self \"{c}\")").into(),
            ));
            h.push(("Cross-Origin-Opener-Policy", "same-origin".into()));
        }
        Policy::Framed { ui, scripts } => {
            let csp = if scripts {
                CSP_FRAMED_SCRIPTS
            } else {
                CSP_FRAMED
            };
            h.push((
                "Content-Security-Policy",
                format!("{csp}; frame-ancestors http://127.0.0.1:{ui} 'self'").into(),
            ));
            h.push(("Connection-Allowlist", "(response-origin)".into()));
            h.push(("Permissions-Policy", PERMISSIONS.into()));
            h.push(("Vary", "Sec-Fetch-Dest, Sec-Fetch-Site".into()));
        }
        Policy::Probe { ui } => {
            h.push((
                "Content-Security-Policy",
                format!("sandbox allow-scripts allow-same-origin; default-src 'none'; script-src 'unsafe-inline'; connect-src 'self' http://127.0.0.1:{ui}; frame-ancestors http://127.0.0.1:{ui}").into(),
            ));
            h.push(("Connection-Allowlist", "(response-origin)".into()));
        }
    }
    if matches!(
        policy,
        Policy::Archive | Policy::Framed { scripts: false, .. }
    ) {
        // Internet Explorer 10/11 ignore `Content-Security-Policy` but
        // honour this one's sandbox: scripts off there too.
        h.push((
            "X-Content-Security-Policy",
            "sandbox allow-same-origin allow-forms".into(),
        ));
    }
    h.push(("X-DNS-Prefetch-Control", "off".into()));
    h.push(("Cross-Origin-Resource-Policy", "same-origin".into()));
    match policy {
        // Framed by the other origin: `frame-ancestors` says by whom.
        Policy::Framed { .. } | Policy::Probe { .. } => {}
        Policy::Viewer { .. } => h.push(("X-Frame-Options", "DENY".into())),
        _ => h.push(("X-Frame-Options", "SAMEORIGIN".into())),
    }
    h
}

/// A reply ready to write: final status, headers, and a reader of the bytes.
pub struct Outgoing {
    pub after: Option<Box<dyn FnOnce() + Send>>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub len: u64,
    pub reader: Box<dyn Read + Send>,
    /// Instead of `reader`: the body is this part of a file.
    pub file: Option<FilePart>,
}

pub struct FilePart {
    pub file: File,
    pub offset: u64,
    pub len: u64,
}

/// Applies the request's `Range` (and `If-Range`) and the safety headers.
pub fn finish(mut reply: Reply, range_header: Option<&str>, if_range: Option<&str>) -> Outgoing {
    let after = reply.after.take();
    // A range is only for the same bytes the client already has part of;
    // without a validator to compare, the whole body is sent (RFC 9110 13.1.5).
    let range_header = match if_range {
        Some(v) if reply.etag.as_deref() != Some(v.trim()) => None,
        _ => range_header,
    };
    let mut headers: Vec<(String, String)> = safety_headers(reply.policy)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_owned()))
        .collect();
    if let Some(ct) = &reply.content_type {
        headers.push(("Content-Type".into(), ct.clone()));
    }
    if let Some(e) = &reply.etag {
        headers.push(("ETag".into(), e.clone()));
    }
    for (k, v) in &reply.headers {
        headers.push((k.to_string(), v.clone()));
    }
    let total = reply.body.len();
    let mut status = reply.status;
    let (start, len) = if reply.ranges && status == 200 {
        headers.push(("Accept-Ranges".into(), "bytes".into()));
        match range::parse(range_header, total) {
            RangeReq::Full => (0, total),
            RangeReq::Part { start, end } => {
                status = 206;
                headers.push((
                    "Content-Range".into(),
                    format!("bytes {start}-{end}/{total}"),
                ));
                (start, end - start + 1)
            }
            RangeReq::Unsatisfiable => {
                headers.retain(|(k, _)| k != "Content-Type");
                headers.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
                headers.push(("Content-Range".into(), format!("bytes */{total}")));
                return Outgoing {
                    after,
                    status: 416,
                    headers,
                    len: 0,
                    reader: Box::new(io::empty()),
                    file: None,
                };
            }
        }
    } else {
        (0, total)
    };
    let mut file = None;
    let reader: Box<dyn Read + Send> = match reply.body {
        Body::File(f) => {
            file = Some(FilePart {
                file: f.into_file(),
                offset: start,
                len,
            });
            Box::new(io::empty())
        }
        Body::Empty => Box::new(io::empty()),
        Body::Bytes(b) => Box::new(io::Cursor::new(slice_vec(b, start, len))),
        Body::Static(b) => Box::new(io::Cursor::new(slice_vec(b.into_owned(), start, len))),
        Body::Source(src) => Box::new(SourceReader {
            src,
            pos: start,
            end: start + len,
        }),
    };
    Outgoing {
        after,
        status,
        headers,
        len,
        reader,
        file,
    }
}

fn slice_vec(mut v: Vec<u8>, start: u64, len: u64) -> Vec<u8> {
    if start == 0 && len == v.len() as u64 {
        return v;
    }
    let s = usize::try_from(start).unwrap_or(usize::MAX).min(v.len());
    let e = s
        .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
        .min(v.len());
    v.truncate(e);
    v.drain(..s);
    v
}

/// Streams `[pos, end)` of a source in bounded chunks: a 2 GB film is never
/// held in memory.
struct SourceReader {
    src: Arc<dyn ReadAt>,
    pos: u64,
    end: u64,
}

impl Read for SourceReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let n = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(buf.len())
            .min(256 * 1024);
        let chunk = buf.get_mut(..n).ok_or_else(|| io::Error::other("buffer"))?;
        self.src.read_exact_at(chunk, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(o: Outgoing) -> Vec<u8> {
        let mut v = Vec::new();
        let mut r = o.reader;
        r.read_to_end(&mut v).unwrap();
        v
    }

    fn header<'a>(o: &'a Outgoing, name: &str) -> Option<&'a str> {
        o.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn range_from_source() {
        let src: Arc<dyn ReadAt> = Arc::new((0u8..100).collect::<Vec<u8>>());
        let o = finish(
            Reply::content("video/mp4", Body::Source(src.clone())),
            Some("bytes=10-19"),
            None,
        );
        assert_eq!(o.status, 206);
        assert_eq!(header(&o, "Content-Range"), Some("bytes 10-19/100"));
        assert_eq!(o.len, 10);
        assert_eq!(body_of(o), (10u8..20).collect::<Vec<u8>>());
        let tagged =
            || Reply::content("video/mp4", Body::Source(src.clone())).with_etag("\"v1\"".into());
        assert_eq!(
            finish(tagged(), Some("bytes=10-19"), Some("\"v1\"")).status,
            206
        );
        assert_eq!(
            finish(tagged(), Some("bytes=10-19"), Some("\"v0\"")).status,
            200
        );
        assert_eq!(
            finish(
                tagged(),
                Some("bytes=10-19"),
                Some("Tue, 01 Jan 2030 00:00:00 GMT")
            )
            .status,
            200
        );
    }

    #[test]
    fn unsatisfiable() {
        let o = finish(
            Reply::content("text/plain", Body::Bytes(vec![1, 2, 3])),
            Some("bytes=3-"),
            None,
        );
        assert_eq!(o.status, 416);
        assert_eq!(header(&o, "Content-Range"), Some("bytes */3"));
    }

    #[test]
    fn pages_ignore_ranges_and_carry_safety_headers() {
        let o = finish(Reply::html(200, "<p>x</p>".into()), Some("bytes=0-1"), None);
        assert_eq!(o.status, 200);
        assert_eq!(header(&o, "Cache-Control"), Some("no-store"));
        assert_eq!(header(&o, "X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(header(&o, "Referrer-Policy"), Some("no-referrer"));
        assert!(header(&o, "Content-Security-Policy")
            .unwrap()
            .contains("default-src 'none'"));
        assert_eq!(body_of(o), b"<p>x</p>");
    }
}
