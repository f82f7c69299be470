//! The program as a recipient or tester starts it: the binary, its output,
//! an empty folder, and a clean stop on SIGTERM.

mod common;

use common::*;
#[cfg(unix)]
use std::io::{BufRead, BufReader};
use std::process::Command;
#[cfg(unix)]
use std::process::Stdio;
#[cfg(unix)]
use std::time::{Duration, Instant};

/// Starts `cmd` (a `serve` with `--no-browser`) and reads the port from the
/// line it prints once listening.
fn spawn_serving(mut cmd: Command) -> (std::process::Child, u16) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let start = line.find("http://127.0.0.1:").expect("URL line");
    let port = line[start + "http://127.0.0.1:".len()..]
        .trim()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    (child, port)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_driveshelf"))
}

/// `driveshelf serve <sample bundle> --no-browser --port PORT`.
fn serve_sample(port: &str) -> Command {
    let mut cmd = bin();
    cmd.arg("serve")
        .arg(sample_bundle())
        .args(["--no-browser", "--port", port]);
    cmd
}

#[test]
fn help_and_version() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--port",
        "--no-browser",
        "--lang",
        "--cache-mib",
        "--version",
        "serve",
    ] {
        assert!(text.contains(opt), "--help does not mention {opt}");
    }
    let out = bin().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let bad = bin().arg("--lang").arg("fr").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn missing_folder_is_a_clear_error() {
    let out = bin()
        .args([
            "serve",
            "/no/such/folder/here",
            "--no-browser",
            "--port",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/folder/here"));
}

#[test]
fn empty_folder_says_what_to_put_there() {
    let dir = temp_dir("empty");
    let s = start(&dir);
    let r = s.get("/");
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("아직 아무것도 없습니다"));
    assert!(t.contains("Nothing here yet") || t.contains("Put content"));
    assert!(t.contains(".zim"));
    let cat = s.get("/api/catalog").json();
    assert_eq!(cat["zims"].as_array().unwrap().len(), 0);
    assert_eq!(s.get("/search?q=x").status, 200);
    assert_eq!(s.get("/random").status, 404);
}

#[cfg(unix)]
#[test]
fn binary_prints_url_serves_and_stops_cleanly_on_sigterm() {
    let mut cmd = serve_sample("0");
    cmd.env_remove("HOME").stderr(Stdio::piped());
    let (mut child, port) = spawn_serving(cmd);
    let client = Server::attach(port);
    assert_eq!(client.get("/").status, 200);

    unsafe_kill(child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0), "exit code after SIGTERM");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn unsafe_kill(pid: u32) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}

#[test]
fn default_port_moves_on_when_taken() {
    use driveshelf::http::server::bind;
    let first = bind(0, 1).unwrap();
    let taken = first.local_addr().unwrap().port();
    let next = bind(taken, 5).unwrap();
    let got = next.local_addr().unwrap().port();
    assert!(got > taken && got < taken + 5);
    assert!(next.local_addr().unwrap().ip().is_loopback());
}

#[test]
fn close_control_needs_the_token_and_stops_the_program() {
    let mut cmd = serve_sample("0");
    cmd.stderr(Stdio::piped());
    let (mut child, port) = spawn_serving(cmd);
    let client = Server::attach(port);
    let home = client.get("/").text();
    let action = home
        .split("action=\"")
        .find(|s| s.starts_with("/close?token="))
        .and_then(|s| s.split('"').next())
        .expect("close control on the page")
        .to_string();
    assert!(action.len() > "/close?token=".len() + 16);
    // Without the token, with a wrong one, by GET, or from another origin: refused.
    for (m, url, origin) in [
        ("POST", "/close".to_string(), None),
        ("POST", "/close?token=0000".to_string(), None),
        ("GET", action.clone(), None),
        ("POST", action.clone(), Some("http://evil.example")),
    ] {
        let mut h = vec![("Content-Length", "0")];
        if let Some(o) = origin {
            h.push(("Origin", o));
        }
        let r = client.request(m, &url, &h);
        if m == "GET" {
            // A GET only shows the close page (its one button posts).
            assert!(r.status == 200 && r.text().contains("method=\"post\""));
            continue;
        }
        assert!(
            matches!(r.status, 403 | 405),
            "{m} {url} {origin:?}: {}",
            r.status
        );
    }
    assert_eq!(
        client
            .request("POST", "/search", &[("Content-Length", "0")])
            .status,
        405
    );
    assert!(child.try_wait().unwrap().is_none(), "still running");
    let origin = format!("http://127.0.0.1:{port}");
    let r = client.request(
        "POST",
        &action,
        &[("Content-Length", "0"), ("Origin", &origin)],
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("닫혔습니다") || r.text().contains("Closed"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(Instant::now() < deadline, "did not stop after close");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn a_second_copy_points_at_the_first() {
    let free = driveshelf::http::server::bind(0, 1).unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let (mut first, first_port) = spawn_serving(serve_sample(&port.to_string()));
    let first_url = format!("http://127.0.0.1:{first_port}/");
    let second = serve_sample(&port.to_string()).output().unwrap();
    unsafe_kill(first.id());
    let _ = first.wait();
    assert_eq!(second.status.code(), Some(0));
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        out.contains(&first_url),
        "second copy should name {first_url}: {out}"
    );
    assert!(out.contains("Already open"));
}
