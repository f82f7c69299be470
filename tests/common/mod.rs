//! Test support: start the real server in-process on port 0 and speak raw
//! HTTP/1.1 to it, so tests can send any method, Host or path bytes.

#![allow(dead_code)]

pub mod drive;
pub mod made;
pub mod pdfs;

use driveshelf::archive::{Archive, ClusterCache};
use driveshelf::args::ServeOptions;
use driveshelf::http::server::Running;
use driveshelf::readat::ReadAt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub struct Server {
    pub port: u16,
    /// The content origin's port (archive pages for the viewer's frame).
    pub content_port: u16,
    running: Option<Running>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown();
        }
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_bundle() -> PathBuf {
    repo().join("sample-bundle")
}

/// `../shared`, when the test material is there.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("..").join("shared");
    p.is_dir().then_some(p)
}

pub fn start(dir: &Path) -> Server {
    let opts = ServeOptions {
        dir: Some(dir.to_path_buf()),
        port: 0,
        open_browser: false,
        ..ServeOptions::default()
    };
    let running = driveshelf::serve::start(&opts, dir).expect("server starts");
    Server {
        port: running.port(),
        content_port: running.content_port().unwrap_or(0),
        running: Some(running),
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

impl Server {
    /// `http://127.0.0.1:PORT`, for clients that need whole URLs.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client for a server started elsewhere (another process).
    pub fn attach(port: u16) -> Server {
        Server {
            port,
            content_port: 0,
            running: None,
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[])
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
        let host = format!("127.0.0.1:{}", self.port);
        let mut all = vec![("Host", host.as_str())];
        all.extend_from_slice(headers);
        // A header given as ("Host", "") removes the default Host.
        if let Some(pos) = headers
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case("host"))
        {
            all.remove(0);
            if headers[pos].1.is_empty() {
                all.retain(|(k, _)| !k.eq_ignore_ascii_case("host"));
            }
        }
        let mut raw = format!("{method} {path} HTTP/1.1\r\n").into_bytes();
        for (k, v) in all {
            raw.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        raw.extend_from_slice(b"Connection: close\r\n\r\n");
        self.raw(&raw)
    }

    pub fn raw(&self, bytes: &[u8]) -> Resp {
        let buf = self.raw_bytes(bytes);
        parse(&buf)
    }

    /// What the server sends back, possibly nothing (a dropped connection).
    pub fn raw_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).ok();
        let _ = s.write_all(bytes);
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        buf
    }
}

fn parse(buf: &[u8]) -> Resp {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: buf[end + 4..].to_vec(),
    }
}

/// Percent-encodes a path for a request line, keeping `/`.
pub fn enc(path: &str) -> String {
    driveshelf::render::urls::path_escape(path)
}

/// A fresh empty folder under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    sweep_stale_temp_dirs();
    let d = std::env::temp_dir().join(format!("driveshelf-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Removes the folders earlier test runs left (their process is gone), once
/// per test process: a test's folders are kept while it runs, for looking
/// into a failure, and no longer pile up in /tmp. Where there is no /proc
/// to ask, nothing is removed; mount points (the read-only bind mounts of
/// `no_traces`) are never entered.
fn sweep_stale_temp_dirs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            let tmp = std::env::temp_dir();
            let Ok(tmp_meta) = std::fs::metadata(&tmp) else {
                return;
            };
            let Ok(entries) = std::fs::read_dir(&tmp) else {
                return;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Some(pid) = name
                    .strip_prefix("driveshelf-test-")
                    .and_then(|rest| rest.split('-').next())
                    .and_then(|p| p.parse::<u32>().ok())
                else {
                    continue;
                };
                let alive = Path::new(&format!("/proc/{pid}")).exists();
                let mounted = std::fs::symlink_metadata(e.path())
                    .map_or(true, |m| !m.is_dir() || m.dev() != tmp_meta.dev());
                if pid != std::process::id() && !alive && !mounted {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    });
}

pub struct Opened {
    pub index: Arc<dyn ReadAt>,
    pub language: String,
    pub new_namespace_scheme: bool,
}

/// The full-text database window of `zim` and what the index needs to know
/// about the archive, opened through the archive reader as the server does.
pub fn open_fulltext(zim: &Path) -> Option<Opened> {
    let archive = Archive::open(zim, Arc::new(ClusterCache::new(1 << 20))).ok()?;
    let index: Arc<dyn ReadAt> = Arc::new(archive.fulltext_index()?);
    Some(Opened {
        index,
        language: archive.metadata_text("Language").unwrap_or_default(),
        new_namespace_scheme: archive.has_new_namespace_scheme(),
    })
}

pub fn fulltext_window(zim: &Path) -> Option<Arc<dyn ReadAt>> {
    open_fulltext(zim).map(|o| o.index)
}
