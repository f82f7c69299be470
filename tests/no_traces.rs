//! The recipient's computer keeps no trace and sends nothing: the server runs
//! under `strace -f` through a session of every page kind, media ranges and
//! searches, and must open nothing for writing, create, rename or delete
//! nothing, and make no socket but its loopback listener (no connect(), no
//! DNS, no UDP). Run once more with the bundle on a read-only bind mount and
//! HOME/TMPDIR pointing nowhere writable.

#![cfg(target_os = "linux")]

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TRACED: &str = "open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,link,linkat,symlink,symlinkat,truncate,chmod,fchmodat,utimensat,socket,connect,bind,sendto,sendmsg,listen";

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs the binary under strace (optionally in a private mount namespace
/// where `bundle` is mounted read-only at `mount_at`), drives a session,
/// stops it, and returns strace's log.
fn traced_session(bundle: &Path, read_only: bool) -> String {
    let log = temp_dir(if read_only { "strace-ro" } else { "strace" }).join("trace.log");
    let bin = env!("CARGO_BIN_EXE_driveshelf");
    let serve_dir: PathBuf;
    let mut cmd;
    if read_only {
        serve_dir = temp_dir("ro-mount");
        let script = format!(
            "mount --bind -o ro '{}' '{}' && exec strace -f -qq -o '{}' -e trace={TRACED} '{bin}' serve '{}' --no-browser --port 0",
            bundle.display(),
            serve_dir.display(),
            log.display(),
            serve_dir.display()
        );
        cmd = Command::new("unshare");
        cmd.args(["-m", "sh", "-c", &script]);
    } else {
        serve_dir = bundle.to_path_buf();
        cmd = Command::new("strace");
        cmd.args(["-f", "-qq", "-o"])
            .arg(&log)
            .arg("-e")
            .arg(format!("trace={TRACED}"));
        cmd.arg(bin)
            .args(["serve"])
            .arg(&serve_dir)
            .args(["--no-browser", "--port", "0"]);
    }
    let mut child = cmd
        .env("HOME", "/nonexistent/home")
        .env("TMPDIR", "/nonexistent/tmp")
        .env_remove("XDG_CACHE_HOME")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("strace starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let at = line
        .find("127.0.0.1:")
        .unwrap_or_else(|| panic!("no URL line: {line:?}"));
    let port: u16 = line[at + 10..]
        .trim()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    session(&Server::attach(port));
    // The server is the first process strace names in its log; stopping it
    // (not strace) ends the trace cleanly.
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let server_pid = text
        .split_whitespace()
        .next()
        .and_then(|p| p.parse::<u32>().ok())
        .expect("server pid in strace log");
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(server_pid.to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&log).expect("strace log")
}

/// Every page kind, ranges on media, searches.
fn session(s: &Server) {
    let mut urls: Vec<String> = vec![
        "/".into(),
        "/?lang=en".into(),
        "/api/catalog".into(),
        "/search?q=%EC%84%9C%EC%9A%B8".into(),
        "/api/search?q=%EC%88%98%EB%8B%AC".into(),
        "/api/suggest?q=k".into(),
        "/random".into(),
        "/list/videos".into(),
        "/list/documents?sort=title".into(),
        "/list/all?collection=videos".into(),
        "/external?url=https%3A%2F%2Fexample.org".into(),
        "/hide".into(),
        "/no/such/page".into(),
        format!("{}style.css", driveshelf::assets::PREFIX),
    ];
    let cat = s.get("/api/catalog").json();
    for z in cat["zims"].as_array().unwrap() {
        let id = z["id"].as_str().unwrap();
        urls.push(format!("/content/{id}/"));
        urls.push(format!("/icon/{id}"));
        if let Some(m) = z["main_page"].as_str() {
            urls.push(m.to_string());
            urls.push(m.replacen("/content/", "/raw/", 1));
            // The viewer, and its frame from the content origin.
            let viewer = s.get(&m.replacen("/content/", "/read/", 1)).text();
            let frame = viewer
                .split("src=\"http://127.0.0.1:")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .expect("the viewer's frame");
            let (port, path) = frame.split_once('/').expect("port/path");
            let content = Server::attach(port.parse().expect("content port"));
            let r = content.request(
                "GET",
                &format!("/{path}"),
                &[
                    ("Sec-Fetch-Dest", "iframe"),
                    ("Sec-Fetch-Site", "same-site"),
                ],
            );
            assert_eq!(r.status, 200, "{frame}");
        }
    }
    for kind in ["documents", "videos", "audio", "pages"] {
        for it in cat[kind].as_array().unwrap() {
            urls.push(it["page"].as_str().unwrap().to_string());
            for sub in it["subtitles"].as_array().into_iter().flatten() {
                urls.push(sub["url"].as_str().unwrap().to_string());
            }
            let file = it["url"].as_str().unwrap();
            for range in ["bytes=0-99", "bytes=1000-", "bytes=-64"] {
                let r = s.request("GET", file, &[("Range", range)]);
                assert!(matches!(r.status, 206 | 416), "{file} {range}");
            }
        }
    }
    for u in &urls {
        let r = s.get(u);
        assert!(r.status > 0 && r.status < 500, "{u}: {}", r.status);
    }
}

fn violations(log: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let mut sockets = 0;
    for line in log.lines() {
        // Lines look like: `1234  openat(AT_FDCWD, "x", O_RDONLY|O_CLOEXEC) = 3`.
        let call = line.split_whitespace().nth(1).unwrap_or("");
        let name = call.split('(').next().unwrap_or("");
        let failed = line.contains(" = -1 ");
        match name {
            "open" | "openat" | "openat2" => {
                let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"]
                    .iter()
                    .any(|f| line.contains(f));
                if writes {
                    bad.push(line.to_string());
                }
            }
            "creat" | "mkdir" | "mkdirat" | "rename" | "renameat" | "renameat2" | "unlink"
            | "unlinkat" | "rmdir" | "link" | "linkat" | "symlink" | "symlinkat" | "truncate"
            | "chmod" | "fchmodat" | "utimensat" => bad.push(line.to_string()),
            "socket" if !failed => {
                // The two loopback listeners: the interface and the
                // archive-content origin.
                sockets += 1;
                if !(line.contains("AF_INET") && line.contains("SOCK_STREAM")) || sockets > 2 {
                    bad.push(line.to_string());
                }
            }
            "connect" => bad.push(line.to_string()),
            "bind" if !line.contains("127.0.0.1") => bad.push(line.to_string()),
            // Writes on accepted connections carry no address.
            // strace splits a call another thread interrupts: `… NULL, 0
            // <unfinished ...>`.
            "sendto" if !line.contains("NULL, 0)") && !line.contains("NULL, 0 <unfinished") => {
                bad.push(line.to_string())
            }
            "sendmsg" if line.contains("msg_name=") => bad.push(line.to_string()),
            _ => {}
        }
    }
    bad
}

#[test]
fn a_whole_session_writes_nothing_and_sends_nothing() {
    if !have("strace") {
        eprintln!("NOTICE: skipped: strace not installed (.ci/run installs it)");
        return;
    }
    let log = traced_session(&sample_bundle(), false);
    assert!(log.contains("openat("), "strace saw nothing: {log}");
    let bad = violations(&log);
    assert!(
        bad.is_empty(),
        "traces left or network used:\n{}",
        bad.join("\n")
    );
}

#[test]
fn works_from_a_read_only_drive_with_no_home() {
    if !have("strace") || !have("unshare") {
        eprintln!("NOTICE: skipped: strace or unshare not installed");
        return;
    }
    // Mounting needs privileges; CI runs as root, elsewhere this is skipped.
    let a = temp_dir("mount-probe-a");
    let b = temp_dir("mount-probe-b");
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "mount --bind -o ro '{}' '{}'",
            a.display(),
            b.display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("NOTICE: skipped: no permission for a read-only bind mount here");
        return;
    }
    let log = traced_session(&sample_bundle(), true);
    let bad = violations(&log);
    assert!(
        bad.is_empty(),
        "traces left or network used:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checker_catches_what_it_should() {
    let log = "1 openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT, 0644) = 3\n\
               1 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3\n\
               1 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 4\n\
               1 connect(4, {sa_family=AF_INET, sin_port=htons(53)}, 16) = 0\n\
               1 unlink(\"/tmp/x\") = 0\n\
               1 openat(AT_FDCWD, \"/b/x.zim\", O_RDONLY|O_CLOEXEC) = 5\n\
               1 sendto(6, \"HTTP/1.1\"..., 100, MSG_NOSIGNAL, NULL, 0) = 100\n";
    let bad = violations(log);
    assert_eq!(bad.len(), 4, "{bad:#?}");
}
