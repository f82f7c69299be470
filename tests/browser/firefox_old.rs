//! Debian's Firefox ESR, headless, driven over WebDriver BiDi (the protocol
//! Firefox serves on `--remote-debugging-port`), with a fresh profile whose
//! `user.js` sets what a test asks for — JavaScript off, MP4 or WebM off, no
//! PDF viewer, a Korean browser — to stand in for the recipients' older
//! browsers. (`firefox.rs` is the containment tests' driver, with its PAC
//! wall; the two were written at the same time and could become one.)
//!
//! Every non-loopback request goes to the trap proxy of `super` (answers 403,
//! records the address), Firefox's own background services are switched off,
//! and every wait is bounded; dropping the browser stops Firefox and removes
//! the profile.

use super::{connect, serial, Res, Trap};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

const START_TIMEOUT: Duration = Duration::from_secs(60);
const CALL_TIMEOUT: Duration = Duration::from_secs(40);

/// Where Firefox ESR is: `DRIVESHELF_FIREFOX`, else Debian's path.
pub fn firefox_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DRIVESHELF_FIREFOX") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    ["/usr/bin/firefox-esr", "/usr/bin/firefox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// The old-browser settings a test runs with.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub javascript: bool,
    pub mp4: bool,
    pub webm: bool,
    /// Firefox's built-in PDF viewer (pdf.js).
    pub pdf_viewer: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            javascript: true,
            mp4: true,
            webm: true,
            pdf_viewer: true,
        }
    }
}

/// Starts Firefox ESR, or prints the skip notice and returns `None` when it
/// is not installed. One that is there but does not start is a failure.
pub fn launch(settings: Settings) -> Option<Firefox> {
    let Some(exe) = firefox_path() else {
        println!("NOTICE: skipped: firefox-esr not installed");
        return None;
    };
    match Firefox::start(&exe, settings) {
        Ok(b) => Some(b),
        Err(e) => panic!("firefox at {} did not start: {e}", exe.display()),
    }
}

pub struct Firefox {
    child: Option<Child>,
    home: PathBuf,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    context: String,
    trap: Trap,
    _serial: std::sync::MutexGuard<'static, ()>,
}

fn user_js(s: Settings, trap_port: u16) -> String {
    let prefs: Vec<(&str, String)> = vec![
        ("javascript.enabled", s.javascript.to_string()),
        ("media.mp4.enabled", s.mp4.to_string()),
        ("media.webm.enabled", s.webm.to_string()),
        ("media.av1.enabled", s.webm.to_string()),
        ("pdfjs.disabled", (!s.pdf_viewer).to_string()),
        // A Korean browser, as the recipients have.
        ("intl.accept_languages", "\"ko-KR, ko\"".into()),
        // Everything that is not loopback goes to the trap.
        ("network.proxy.type", "1".into()),
        ("network.proxy.http", "\"127.0.0.1\"".into()),
        ("network.proxy.http_port", trap_port.to_string()),
        ("network.proxy.ssl", "\"127.0.0.1\"".into()),
        ("network.proxy.ssl_port", trap_port.to_string()),
        ("network.proxy.allow_hijacking_localhost", "false".into()),
        (
            "network.proxy.no_proxies_on",
            "\"127.0.0.1, localhost\"".into(),
        ),
        ("network.dns.disablePrefetch", "true".into()),
        ("network.prefetch-next", "false".into()),
        ("network.http.speculative-parallel-limit", "0".into()),
        // Firefox's own services, which would only knock on the trap.
        ("app.update.enabled", "false".into()),
        ("app.normandy.enabled", "false".into()),
        ("browser.safebrowsing.malware.enabled", "false".into()),
        ("browser.safebrowsing.phishing.enabled", "false".into()),
        ("browser.safebrowsing.downloads.enabled", "false".into()),
        ("datareporting.healthreport.uploadEnabled", "false".into()),
        ("datareporting.policy.dataSubmissionEnabled", "false".into()),
        ("toolkit.telemetry.enabled", "false".into()),
        ("extensions.update.enabled", "false".into()),
        ("extensions.getAddons.cache.enabled", "false".into()),
        ("browser.shell.checkDefaultBrowser", "false".into()),
        (
            "browser.startup.homepage_override.mstone",
            "\"ignore\"".into(),
        ),
        ("network.captive-portal-service.enabled", "false".into()),
        ("network.connectivity-service.enabled", "false".into()),
        ("services.settings.server", "\"http://127.0.0.1:9/\"".into()),
        ("media.autoplay.default", "0".into()),
        ("media.volume_scale", "\"0.0\"".into()),
    ];
    prefs
        .iter()
        .map(|(k, v)| format!("user_pref(\"{k}\", {v});\n"))
        .collect()
}

impl Firefox {
    pub fn start(exe: &Path, settings: Settings) -> Res<Firefox> {
        let serial = serial();
        static N: AtomicUsize = AtomicUsize::new(0);
        let home = std::env::temp_dir().join(format!(
            "driveshelf-firefox-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&home);
        let profile = home.join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| format!("profile dir: {e}"))?;
        let trap = Trap::start()?;
        std::fs::write(profile.join("user.js"), user_js(settings, trap.port))
            .map_err(|e| format!("user.js: {e}"))?;
        let mut child = Command::new(exe)
            .args(["--headless", "--no-remote", "--profile"])
            .arg(&profile)
            .args(["--remote-debugging-port", "0", "about:blank"])
            .env("HOME", &home)
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn: {e}"))?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Keeps reading (and dropping) so Firefox never blocks on a full pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = match rx.recv_timeout(START_TIMEOUT) {
            Ok(u) => u,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_dir_all(&home);
                return Err("no WebDriver BiDi address on stderr".into());
            }
        };
        let ws = match connect(&format!("{url}/session")) {
            Ok(ws) => ws,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_dir_all(&home);
                return Err(e);
            }
        };
        let mut ff = Firefox {
            child: Some(child),
            home,
            ws,
            next_id: 0,
            context: String::new(),
            trap,
            _serial: serial,
        };
        ff.call("session.new", json!({"capabilities": {}}))?;
        let tree = ff.call("browsingContext.getTree", json!({}))?;
        ff.context = tree["contexts"][0]["context"]
            .as_str()
            .ok_or("no browsing context")?
            .to_string();
        Ok(ff)
    }

    /// Sends a command and waits for its answer; events in between are dropped.
    pub fn call(&mut self, method: &str, params: Value) -> Res<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.ws
            .send(Message::text(msg))
            .map_err(|e| format!("{method}: send: {e}"))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        while Instant::now() < deadline {
            let m = self.ws.read().map_err(|e| format!("{method}: read: {e}"))?;
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).map_err(|e| e.to_string())?;
            if v["id"].as_u64() != Some(id) {
                continue;
            }
            if v["type"] == "error" {
                return Err(format!("{method}: {} {}", v["error"], v["message"]));
            }
            return Ok(v["result"].clone());
        }
        Err(format!("{method}: no answer in {CALL_TIMEOUT:?}"))
    }

    /// Loads `url` and waits until the page and its subresources are loaded.
    pub fn navigate(&mut self, url: &str) -> Res<()> {
        let ctx = self.context.clone();
        self.call(
            "browsingContext.navigate",
            json!({"context": ctx, "url": url, "wait": "complete"}),
        )
        .map(|_| ())
    }

    /// Evaluates `expr` in the page (in a sandbox, so it works with the
    /// page's JavaScript off) and returns its value as JSON: strings,
    /// numbers and booleans as themselves.
    pub fn eval(&mut self, expr: &str) -> Res<Value> {
        let ctx = self.context.clone();
        let r = self.call(
            "script.evaluate",
            json!({
                "expression": expr,
                "target": {"context": ctx, "sandbox": "driveshelf-test"},
                "awaitPromise": false,
            }),
        )?;
        if r["type"] == "exception" {
            return Err(format!("{expr}: {}", r["exceptionDetails"]));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Evaluates `expr` until it is `true`, for up to `timeout`.
    pub fn wait_true(&mut self, expr: &str, timeout: Duration) -> Res<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(expr)? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not true within {timeout:?}: {expr}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The visible text of the page.
    pub fn text(&mut self) -> Res<String> {
        Ok(self
            .eval("document.body ? document.body.innerText : ''")?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self, path: &Path) -> Res<()> {
        let ctx = self.context.clone();
        let r = self.call(
            "browsingContext.captureScreenshot",
            json!({"context": ctx, "origin": "document"}),
        )?;
        let png = r["data"]
            .as_str()
            .and_then(super::base64_decode)
            .ok_or("no screenshot data")?;
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, png).map_err(|e| e.to_string())
    }

    /// Addresses off this machine that Firefox tried to reach, except its
    /// own services (remote settings, which no pref of ESR 153 fully stops;
    /// the trap answered them, nothing left the machine).
    pub fn trapped(&self) -> Vec<String> {
        let own = |line: &String| {
            let host = line.split_whitespace().nth(1).unwrap_or_default();
            let host = host
                .trim_start_matches("http://")
                .trim_start_matches("https://");
            let host = host.split([':', '/']).next().unwrap_or_default();
            [
                ".mozilla.com",
                ".mozilla.net",
                ".mozilla.org",
                ".firefox.com",
            ]
            .iter()
            .any(|d| host.ends_with(d))
        };
        self.trap
            .seen
            .lock()
            .map(|v| v.iter().filter(|l| !own(l)).cloned().collect())
            .unwrap_or_default()
    }
}

impl Drop for Firefox {
    fn drop(&mut self) {
        let _ = self.call("browser.close", json!({}));
        if let Some(mut c) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match c.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    _ => {
                        let _ = c.kill();
                        let _ = c.wait();
                        break;
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}
