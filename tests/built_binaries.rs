//! Smoke tests of the release binaries from `scripts/release`, run as the
//! recipient would run them, in another process:
//!
//! - `DRIVESHELF_WINE_EXE=dist/driveshelf-win7-x64.exe`: the Windows program
//!   under Wine, copied to the top of a copy of the sample bundle and started
//!   without a folder argument, as a double-click does.
//! - `DRIVESHELF_STATIC_EXE=dist/driveshelf-linux-x86_64`: the static Linux
//!   program in an empty root (`chroot`): no libc, no /etc, no /proc, no HOME.
//! - `DRIVESHELF_STATIC_X86_EXE=dist/driveshelf-linux-x86`: the static 32-bit
//!   Linux program under a seccomp filter that answers as Linux 2.6.38 (Red
//!   Star OS 3) would (`built_binaries/linux_2_6_38.rs`), for a whole session.
//!
//! Without the variable a test prints a notice and passes, so `cargo test`
//! stays fast; `scripts/check-builds` sets them (and `.ci/run` calls it).
//! Each run starts the server, fetches the home page, the catalog, an
//! article, a byte range of a film and a subtitle, pages whose names Windows
//! reserves or whose path is over 260 characters, then stops it with Ctrl-C.

mod common;
#[cfg(target_os = "linux")]
#[path = "built_binaries/linux_2_6_38.rs"]
mod linux_2_6_38;

use common::{sample_bundle, temp_dir, Server};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The server in another process; killed when dropped, so a failed
/// assertion never leaves it running.
struct Running {
    child: Child,
    server: Server,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` and reads its output up to the line with the address.
fn spawn(mut cmd: Command) -> Running {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let out = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(out).lines();
    let mut seen = Vec::new();
    let port = loop {
        let Some(Ok(line)) = lines.next() else {
            let status = child.wait();
            panic!("{cmd:?} ended ({status:?}) before listening; it printed {seen:?}");
        };
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            let port: u16 = rest.trim_end_matches('/').parse().expect("port");
            break port;
        }
        seen.push(line);
    };
    // Keep draining stdout so the program never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Running {
        child,
        server: Server::attach(port),
    }
}

/// Stops it as Ctrl-C in its window does (SIGINT; Wine turns it into the
/// console's Ctrl-C event) and checks it ended on its own, with status 0.
fn stop(mut run: Running) {
    let pid = run.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
    let status = run.child.wait().expect("wait");
    assert!(status.success(), "stopped with {status:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Folder names that make the deep page's path from the drive's top about
/// 300 characters long, under the 8 levels the walk looks into.
fn deep_dirs() -> PathBuf {
    (0..5)
        .map(|i| format!("{i}-{}", "긴-폴더-이름-long-folder-name-".repeat(2)))
        .collect()
}

/// A copy of the sample bundle with pages that trip Windows up.
fn bundle(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    copy_dir(&sample_bundle(), &dir);
    let pages = dir.join("pages");
    fs::create_dir_all(&pages).unwrap();
    // Device names on Windows unless opened by their full verbatim path.
    fs::write(pages.join("CON.md"), "# Reserved CON\n").unwrap();
    fs::write(pages.join("nul.md"), "# Reserved NUL\n").unwrap();
    let deep = pages.join(deep_dirs());
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("deep.md"), "# Deep page\n").unwrap();
    dir
}

/// What a recipient does first, over loopback.
fn exercise(s: &Server) {
    let home = s.get("/");
    assert_eq!(home.status, 200, "{}", home.text());
    assert!(home.text().contains("<html"));

    let cat = s.get("/api/catalog").json();
    let zims = cat["zims"].as_array().expect("zims");
    assert!(!zims.is_empty(), "{cat}");
    for z in zims {
        assert_eq!(z["damaged"], false, "{z}");
        let main = z["main_page"].as_str().expect("main page");
        let article = s.get(main);
        assert_eq!(article.status, 200, "{main}");
        assert!(article.text().contains("<"), "{main}");
    }

    let film = cat["videos"]
        .as_array()
        .expect("videos")
        .iter()
        .find(|v| v["subtitles"].as_array().is_some_and(|a| !a.is_empty()))
        .expect("a film with subtitles");
    let url = film["url"].as_str().unwrap();
    let part = s.request("GET", url, &[("Range", "bytes=100-1123")]);
    assert_eq!(part.status, 206, "{url}");
    assert_eq!(part.body.len(), 1024);
    assert!(part
        .header("Content-Range")
        .is_some_and(|r| r.starts_with("bytes 100-1123/")));
    let vtt = film["subtitles"][0]["url"].as_str().unwrap();
    let sub = s.get(vtt);
    assert_eq!(sub.status, 200, "{vtt}");
    assert!(sub.text().starts_with("WEBVTT"), "{vtt}");

    let pages = cat["pages"].as_array().expect("pages");
    for (file, heading) in [
        ("pages/CON.md", "Reserved CON"),
        ("pages/nul.md", "Reserved NUL"),
        ("deep.md", "Deep page"),
    ] {
        let page = pages
            .iter()
            .find(|p| p["file"].as_str().is_some_and(|f| f.ends_with(file)))
            .unwrap_or_else(|| panic!("{file} not listed: {cat}"));
        let view = s.get(page["page"].as_str().unwrap());
        assert_eq!(view.status, 200, "{file}");
        assert!(view.text().contains(heading), "{file}");
    }
}

/// The thread that reads the drive's own files for search runs at the
/// lowest priority the system grants (`/api/whoami` says which: Windows'
/// background mode, or the lowest thread priority where that is refused,
/// as Wine and XP do).
fn reading_thread_yields(s: &Server, allowed: &[&str]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let who = s.get("/api/whoami").json();
        if let Some(p) = who["drive_index"]["priority"].as_str() {
            assert!(allowed.contains(&p), "{who}");
            eprintln!("drive_index.priority: {p}");
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{who}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn which(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|f| f.is_file())
        })
        .unwrap_or_else(|| panic!("{name} not found in PATH"))
}

fn env_path(var: &str) -> Option<PathBuf> {
    let Some(p) = std::env::var_os(var) else {
        eprintln!("NOTICE: skipped: {var} is not set (scripts/check-builds sets it)");
        return None;
    };
    let p = fs::canonicalize(&p).unwrap_or_else(|e| panic!("{var}={p:?}: {e}"));
    Some(p)
}

#[test]
fn windows_program_under_wine() {
    let Some(exe) = env_path("DRIVESHELF_WINE_EXE") else {
        return;
    };
    let dir = bundle("wine");
    fs::copy(&exe, dir.join("driveshelf.exe")).unwrap();
    // A prefix of our own under target/, made on first use, so nothing of
    // the user's Wine setup is touched; no Mono/Gecko install prompts.
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix");
    let mut cmd = Command::new("wine");
    cmd.arg(dir.join("driveshelf.exe"))
        .args(["--no-browser", "--port", "0"])
        .env("WINEPREFIX", &prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY");
    let run = spawn(cmd);
    exercise(&run.server);
    reading_thread_yields(&run.server, &["background", "lowest"]);
    stop(run);
    let _ = Command::new("wineserver")
        .arg("-k")
        .env("WINEPREFIX", &prefix)
        .status();
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn static_linux_program_in_an_empty_root() {
    let Some(exe) = env_path("DRIVESHELF_STATIC_EXE") else {
        return;
    };
    let root = temp_dir("empty-root");
    fs::copy(&exe, root.join("driveshelf")).unwrap();
    let bundle = bundle("empty-root-bundle");
    fs::rename(&bundle, root.join("bundle")).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    // Without root, a user namespace gives the right to chroot.
    // Looked up now: the program's environment is emptied below.
    let mut cmd = if is_root {
        Command::new(which("chroot"))
    } else {
        let mut c = Command::new(which("unshare"));
        c.args(["--user", "--map-root-user"]).arg(which("chroot"));
        c
    };
    cmd.arg(&root)
        .args(["/driveshelf", "/bundle", "--no-browser", "--port", "0"])
        .env_clear();
    let run = spawn(cmd);
    exercise(&run.server);
    stop(run);
    let _ = fs::remove_dir_all(&root);
}

/// Everything a recipient does in a session, beyond `exercise`: every page
/// kind, listings, searches, ranges, HEAD, the small pages, errors.
fn exercise_every_page_kind(s: &Server) {
    exercise(s);
    let cat = s.get("/api/catalog").json();
    let ok = |path: &str| {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r
    };
    for kind in ["documents", "videos", "audio", "pages", "all"] {
        assert!(ok(&format!("/list/{kind}")).text().contains("<html"));
    }
    ok("/list/all?sort=title");
    for kind in ["documents", "videos", "audio", "pages"] {
        let items = cat[kind].as_array().expect(kind);
        assert!(!items.is_empty(), "{kind}: {cat}");
        for item in items {
            let page = item["page"].as_str().expect("page");
            assert!(ok(page).text().contains("<html"), "{page}");
            if let Some(poster) = item["poster"].as_str() {
                ok(poster);
            }
        }
    }
    // A whole drive file (sendfile or the chunked copy), then ranges.
    let doc = cat["documents"][0]["url"].as_str().expect("document url");
    let whole = ok(doc);
    assert!(whole.body.starts_with(b"%PDF"), "{doc}");
    let len = whole.body.len();
    let head = s.request("HEAD", doc, &[]);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Length"),
        Some(len.to_string().as_str())
    );
    let tail = s.request("GET", doc, &[("Range", "bytes=-10")]);
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, whole.body[len - 10..]);
    let past = s.request("GET", doc, &[("Range", &format!("bytes={len}-"))]);
    assert_eq!(past.status, 416);
    let etag = whole.header("ETag").expect("etag").to_string();
    let again = s.request("GET", doc, &[("Range", "bytes=0-3"), ("If-Range", &etag)]);
    assert_eq!(again.status, 206);
    assert_eq!(again.body, b"%PDF");
    let download = s.get(&format!("{doc}?download=1"));
    assert!(download
        .header("Content-Disposition")
        .is_some_and(|d| d.starts_with("attachment")));

    // Archives: main page, random article, raw bytes, a missing entry.
    for z in cat["zims"].as_array().expect("zims") {
        let id = z["id"].as_str().expect("id");
        let r = s.get(&format!("/random?zim={id}"));
        assert_eq!(r.status, 302, "random {id}");
        let loc = r.header("Location").expect("location").to_string();
        ok(&loc);
        ok(&loc.replacen("/content/", "/raw/", 1));
        assert_eq!(s.get(&format!("/content/{id}/no/such/entry")).status, 404);
    }
    // Searches: the drive's items, full text with snippets, suggestions.
    for q in [
        "%EC%84%9C%EC%9A%B8",
        "%EB%8C%80%ED%95%9C",
        "seoul",
        "zzzzqqq",
    ] {
        assert!(ok(&format!("/search?q={q}")).text().contains("<html"));
        ok(&format!("/api/suggest?q={q}")).json();
        ok(&format!("/api/search?q={q}&limit=5")).json();
    }
    let found = ok("/api/search?q=%EB%8C%80%ED%95%9C&limit=5").json();
    assert!(found["total"].as_u64().is_some_and(|n| n > 0), "{found}");
    ok("/hide");
    ok("/external?url=https%3A%2F%2Fexample.org%2F");
    assert_eq!(s.get("/no-such-page").status, 404);
    assert_eq!(s.request("DELETE", "/", &[]).status, 405);
    // Several clients at once: one thread each on the server.
    let port = s.port;
    let clients: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                let s = Server::attach(port);
                (0..10).all(|_| s.get("/api/catalog").status == 200)
            })
        })
        .collect();
    for c in clients {
        assert!(c.join().expect("client thread"), "a request failed");
    }
}

/// The 32-bit program as Red Star OS 3 (i386, Linux 2.6.38) would run it:
/// under a seccomp filter that fails every system call 2.6.38 lacked with
/// ENOSYS (`built_binaries/linux_2_6_38.rs`), for a whole session.
#[cfg(target_os = "linux")]
#[test]
fn static_x86_program_under_linux_2_6_38() {
    let Some(exe) = env_path("DRIVESHELF_STATIC_X86_EXE") else {
        return;
    };
    let dir = bundle("linux-2.6.38");
    let mut cmd = Command::new(&exe);
    cmd.arg(&dir).args(["--no-browser", "--port", "0"]);
    linux_2_6_38::apply(&mut cmd);
    let run = spawn(cmd);
    // The filter is in force on the running program.
    let status = fs::read_to_string(format!("/proc/{}/status", run.child.id())).unwrap();
    assert!(
        status
            .lines()
            .any(|l| l.split_whitespace().eq(["Seccomp:", "2"])),
        "{status}"
    );
    exercise_every_page_kind(&run.server);
    stop(run);
    let _ = fs::remove_dir_all(&dir);
}
