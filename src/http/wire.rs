//! HTTP/1.1 on the wire: reading a request head with hard limits, and
//! writing a response. Only what a browser on this machine needs: GET, HEAD
//! and the close control's POST, keep-alive, no chunked request bodies.

use std::io::{self, BufRead, Read, Write};

/// A request head as read from the connection.
#[derive(Debug)]
pub struct Head {
    pub method: String,
    pub target: String,
    /// `HTTP/1.0` clients close after one request unless they ask otherwise.
    pub http10: bool,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client keeps the connection open after this request.
    pub fn keep_alive(&self) -> bool {
        let conn = self.header("Connection").unwrap_or("").to_ascii_lowercase();
        if self.http10 {
            conn.contains("keep-alive")
        } else {
            !conn.contains("close")
        }
    }
}

#[derive(Debug)]
pub enum ReadError {
    /// The connection closed (or timed out) between requests: nothing to answer.
    Closed,
    /// The head is larger than allowed: 431 (or 414 for the request line).
    TooLarge {
        line: bool,
    },
    /// Not HTTP we understand: 400.
    Malformed,
    Io(io::Error),
}

/// Reads one request head of at most `max_head` bytes. The request line
/// alone may take `max_line` of them.
pub fn read_head<R: BufRead>(
    r: &mut R,
    max_line: usize,
    max_head: usize,
) -> Result<Head, ReadError> {
    let mut total = 0usize;
    let mut line = Vec::new();
    // Browsers may send an empty line between keep-alive requests.
    loop {
        line.clear();
        let n = read_line(r, &mut line, max_line.saturating_add(2)).map_err(|e| match e {
            LineError::Eof if total == 0 => ReadError::Closed,
            LineError::Eof => ReadError::Malformed,
            LineError::TooLong => ReadError::TooLarge { line: true },
            LineError::Io(e) if total == 0 && is_timeout(&e) => ReadError::Closed,
            LineError::Io(e) => ReadError::Io(e),
        })?;
        total += n;
        if !line.is_empty() {
            break;
        }
        if total > 8 {
            return Err(ReadError::Malformed);
        }
    }
    let request_line = String::from_utf8(line.clone()).map_err(|_| ReadError::Malformed)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed);
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(ReadError::Malformed),
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || target.is_empty() {
        return Err(ReadError::Malformed);
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        let left = max_head.saturating_sub(total);
        let n = read_line(r, &mut line, left).map_err(|e| match e {
            LineError::TooLong => ReadError::TooLarge { line: false },
            LineError::Eof => ReadError::Malformed,
            LineError::Io(e) => ReadError::Io(e),
        })?;
        total += n;
        if line.is_empty() {
            break;
        }
        if headers.len() >= 100 {
            return Err(ReadError::TooLarge { line: false });
        }
        let text = String::from_utf8_lossy(&line);
        let (k, v) = text.split_once(':').ok_or(ReadError::Malformed)?;
        if k.is_empty() || k.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(ReadError::Malformed);
        }
        headers.push((k.to_string(), v.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        http10,
        headers,
    })
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

enum LineError {
    Eof,
    TooLong,
    Io(io::Error),
}

/// Reads a line ending in `\n` (the `\r` before it dropped) into `out`;
/// returns the bytes consumed. Never buffers more than `max`.
fn read_line<R: BufRead>(r: &mut R, out: &mut Vec<u8>, max: usize) -> Result<usize, LineError> {
    let mut consumed = 0;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LineError::Io(e)),
        };
        if buf.is_empty() {
            return Err(LineError::Eof);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if consumed + take > max {
            return Err(LineError::TooLong);
        }
        out.extend_from_slice(buf.get(..take).unwrap_or(&[]));
        r.consume(take);
        consumed += take;
        if done {
            out.pop();
            if out.last() == Some(&b'\r') {
                out.pop();
            }
            return Ok(consumed);
        }
    }
}

/// Reads and drops a request body of `len` bytes (the close control sends
/// none; anything is read past so the connection stays in step).
pub fn skip_body<R: Read>(r: &mut R, len: u64) -> io::Result<()> {
    let copied = io::copy(&mut r.take(len), &mut io::sink())?;
    if copied < len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "body cut short",
        ));
    }
    Ok(())
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Bytes moved per read and write when sending a body.
const COPY_CHUNK: usize = 256 * 1024;

/// Writes a response: status line, headers, `Content-Length`, and the body
/// unless `head_only`.
pub fn write_response<W: Write>(
    w: &mut W,
    status: u16,
    headers: &[(String, String)],
    len: u64,
    body: &mut dyn Read,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    write_head(w, status, headers, len, keep_alive)?;
    if !head_only && len > 0 {
        copy_chunks(body, w, len)?;
    }
    w.flush()
}

/// The status line and headers.
pub fn write_head<W: Write>(
    w: &mut W,
    status: u16,
    headers: &[(String, String)],
    len: u64,
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        // Values are ours; a line break in one would split the response.
        if v.contains(['\r', '\n']) || k.contains(['\r', '\n', ':']) {
            continue;
        }
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {len}\r\n"));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    w.write_all(head.as_bytes())
}

/// Exactly `len` bytes of `body` to `w`; an error if the body ends early.
pub(super) fn copy_chunks<R: Read + ?Sized, W: Write + ?Sized>(
    body: &mut R,
    w: &mut W,
    len: u64,
) -> io::Result<()> {
    // Large reads and writes: `io::copy`'s 8 KiB steps cost a read and a
    // write call per 8 KiB of a film.
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX).min(COPY_CHUNK)];
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = match body.read(chunk) {
            Ok(0) => return Err(body_ended()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(chunk.get(..n).unwrap_or_default())?;
        left -= n as u64;
    }
    Ok(())
}

fn body_ended() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "body ended early")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn parse(s: &[u8]) -> Result<Head, ReadError> {
        read_head(&mut BufReader::new(s), 64, 256)
    }

    #[test]
    fn heads() {
        let h = parse(b"GET /a?b=1 HTTP/1.1\r\nHost: x:1\r\nRange:  bytes=0-1 \r\n\r\n").unwrap();
        assert_eq!(h.method, "GET");
        assert_eq!(h.target, "/a?b=1");
        assert_eq!(h.header("host"), Some("x:1"));
        assert_eq!(h.header("Range"), Some("bytes=0-1"));
        assert!(h.keep_alive());
        let h = parse(b"\r\nHEAD / HTTP/1.0\nConnection: keep-alive\n\n").unwrap();
        assert!(h.http10 && h.keep_alive());
        assert!(!parse(b"GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive());
        assert!(!parse(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap()
            .keep_alive());
    }

    #[test]
    fn bad_heads() {
        assert!(matches!(parse(b""), Err(ReadError::Closed)));
        // Cut off mid-line: nothing to answer.
        assert!(matches!(
            parse(b"GET /"),
            Err(ReadError::Closed | ReadError::Malformed)
        ));
        assert!(matches!(
            parse(b"GARBAGE\r\n\r\n"),
            Err(ReadError::Malformed)
        ));
        assert!(matches!(
            parse(b"GET / HTTP/2\r\n\r\n"),
            Err(ReadError::Malformed)
        ));
        assert!(matches!(
            parse(b"get / HTTP/1.1\r\n\r\n"),
            Err(ReadError::Malformed)
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nNoColon\r\n\r\n"),
            Err(ReadError::Malformed)
        ));
        let long = [b"GET /".as_slice(), &[b'a'; 100], b" HTTP/1.1\r\n\r\n"].concat();
        assert!(matches!(
            parse(&long),
            Err(ReadError::TooLarge { line: true })
        ));
        let many = [
            b"GET / HTTP/1.1\r\n".as_slice(),
            &b"X: yyyyyyyyyyyyyyyyyyyyyyyyyy\r\n".repeat(20),
            b"\r\n",
        ]
        .concat();
        assert!(matches!(
            parse(&many),
            Err(ReadError::TooLarge { line: false })
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            Err(ReadError::Malformed)
        ));
    }

    #[test]
    fn responses() {
        let mut out = Vec::new();
        let hs = vec![
            ("Content-Type".to_string(), "text/plain".to_string()),
            ("Bad".to_string(), "a\r\nb".to_string()),
        ];
        write_response(&mut out, 200, &hs, 5, &mut &b"hello world"[..], false, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello"));
        assert!(!text.contains("Bad"));
        let mut out = Vec::new();
        write_response(&mut out, 404, &[], 5, &mut &b"hello"[..], true, false).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("Connection: close\r\n\r\n"));
    }
}
