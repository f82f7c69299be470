//! Load: 200 keep-alive connections asking for pages, 20 clients streaming
//! films with seeks (Range requests at random places) and 50 slowloris
//! connections that never finish their request, together for 60 s. Counts
//! errors, open file descriptors before and after, and memory.
//!
//! Too long for every `cargo test`; run it on purpose:
//!
//! ```sh
//! cargo test --release --test load -- --ignored --nocapture
//! LOAD_SECS=10 cargo test --release --test load -- --ignored --nocapture
//! ```

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const PAGES: [&str; 5] = [
    "/",
    "/api/catalog",
    "/api/suggest?q=%EC%84%9C",
    "/search?q=%EC%84%9C",
    "/list/videos",
];
/// A film of 1 GiB (sparse: the holes cost no disk) in a copy of the sample.
const BIG_FILM: &str = "/file/videos/big.mp4";
const BIG_LEN: u64 = 1 << 30;
/// Each seek asks for this much, as a browser's media element does.
const CHUNK: u64 = 4 << 20;

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    errors: AtomicU64,
    bytes: AtomicU64,
    /// The first few failures, to tell what went wrong.
    seen: std::sync::Mutex<Vec<String>>,
}

impl Counts {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() < 5 {
            seen.push(what);
        }
    }
}

/// One response on a keep-alive connection: (status, body length).
fn exchange(
    w: &mut TcpStream,
    r: &mut BufReader<TcpStream>,
    path: &str,
    extra: &str,
) -> std::io::Result<(u16, u64)> {
    let port = w.peer_addr()?.port();
    write!(
        w,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n"
    )?;
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut len = 0u64;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    std::io::copy(&mut r.by_ref().take(len), &mut std::io::sink())?;
    Ok((status, len))
}

fn connect(port: u16) -> (TcpStream, BufReader<TcpStream>) {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let r = BufReader::new(s.try_clone().expect("clone"));
    (s, r)
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
#[ignore = "60 s load test; run with --ignored"]
fn load_keep_alive_streams_and_slowloris() {
    let secs: u64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = temp_dir("load");
    copy_tree(&sample_bundle(), &dir);
    let film = dir.join("videos/big.mp4");
    std::fs::copy(
        sample_bundle().join("videos/walking-baekdudaegan-2005.mp4"),
        &film,
    )
    .unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&film)
        .unwrap()
        .set_len(BIG_LEN)
        .unwrap();
    let s = start(&dir);
    let port = s.port;
    // The archive's main page, where its start URL redirects.
    let main = s.get("/content/wikipedia_ko_sample_2024-02/");
    let main = main
        .header("Location")
        .expect("main page redirect")
        .to_string();
    let mut list: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    list.push(main);
    let list = Arc::new(list);
    // Warm up, then measure the server at rest.
    for p in list.iter() {
        assert_eq!(s.get(p).status, 200, "{p}");
    }
    let fds_before = fds();
    let rss_before = rss_kib();
    let stop = Arc::new(AtomicBool::new(false));
    let pages = Arc::new(Counts::default());
    let streams = Arc::new(Counts::default());
    let mut handles = Vec::new();
    for i in 0..200usize {
        let (stop, c, list) = (stop.clone(), pages.clone(), list.clone());
        handles.push(thread::spawn(move || {
            let (mut w, mut r) = connect(port);
            let mut n = i;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let path = &list[n % list.len()];
                match exchange(&mut w, &mut r, path, "") {
                    Ok((200, len)) => {
                        c.ok.fetch_add(1, Ordering::Relaxed);
                        c.bytes.fetch_add(len, Ordering::Relaxed);
                    }
                    other => {
                        c.error(format!("{path}: {other:?}"));
                        (w, r) = connect(port);
                    }
                }
            }
        }));
    }
    for i in 0..20usize {
        let (stop, c) = (stop.clone(), streams.clone());
        handles.push(thread::spawn(move || {
            let (mut w, mut r) = connect(port);
            let mut seed = i as u64 * 7919 + 1;
            while !stop.load(Ordering::Relaxed) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let start = (seed >> 20) % (BIG_LEN - CHUNK);
                let range = format!("Range: bytes={start}-{}\r\n", start + CHUNK - 1);
                match exchange(&mut w, &mut r, BIG_FILM, &range) {
                    Ok((206, len)) if len == CHUNK => {
                        c.ok.fetch_add(1, Ordering::Relaxed);
                        c.bytes.fetch_add(len, Ordering::Relaxed);
                    }
                    other => {
                        c.error(format!("{range}: {other:?}"));
                        (w, r) = connect(port);
                    }
                }
            }
        }));
    }
    // Slowloris: a request head that never ends, one byte now and then.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut t = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let _ = t.write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").as_bytes());
        slow.push(t);
    }
    let t0 = Instant::now();
    let mut peak_rss = 0;
    while t0.elapsed() < Duration::from_secs(secs) {
        thread::sleep(Duration::from_secs(1));
        for t in &mut slow {
            let _ = t.write_all(b"X-a: b\r\n");
        }
        peak_rss = peak_rss.max(rss_kib());
    }
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        let _ = h.join();
    }
    drop(slow);
    // Give the server's connection threads a moment to see the closes.
    thread::sleep(Duration::from_secs(2));
    assert_eq!(s.get("/").status, 200);
    let fds_after = fds();
    let rss_after = rss_kib();
    let el = t0.elapsed().as_secs_f64();
    let p_ok = pages.ok.load(Ordering::Relaxed);
    let s_ok = streams.ok.load(Ordering::Relaxed);
    println!(
        "LOAD {secs}s: pages {p_ok} ok ({:.0}/s) {} errors; streams {s_ok} ok ({:.0}/s, {} MiB) {} errors; \
         fds before {fds_before} after {fds_after}; RSS KiB before {rss_before} peak {peak_rss} after {rss_after}",
        p_ok as f64 / el,
        pages.errors.load(Ordering::Relaxed),
        s_ok as f64 / el,
        streams.bytes.load(Ordering::Relaxed) >> 20,
        streams.errors.load(Ordering::Relaxed),
    );
    println!("page errors: {:?}", pages.seen.lock().unwrap());
    println!("stream errors: {:?}", streams.seen.lock().unwrap());
    assert_eq!(pages.errors.load(Ordering::Relaxed), 0);
    assert_eq!(streams.errors.load(Ordering::Relaxed), 0);
    assert!(p_ok > 0 && s_ok > 0);
    assert!(
        fds_after <= fds_before + 4,
        "file descriptors grew: {fds_before} → {fds_after}"
    );
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}
