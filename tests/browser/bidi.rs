//! What the two Firefox drivers share (`firefox.rs`, the containment tests'
//! with its PAC wall; `firefox_old.rs`, the old-browser stand-in with its
//! trap proxy): Firefox ESR started headless on a fresh profile with the
//! driver's `user.js`, its WebDriver BiDi address read from its stderr, one
//! websocket session (commands and, when asked, every request any page
//! made), navigation, evaluation, screenshots, and stopping it. Every wait is
//! bounded; dropping it stops Firefox (killing it when it does not stop) and
//! removes the profile. One browser at a time per test binary.

use super::{connect, read_json, serial, Res};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
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

pub struct Bidi {
    child: Option<Child>,
    home: PathBuf,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    replies: HashMap<u64, Value>,
    /// URLs of every request any page made, once `record_requests` ran.
    pub requests: Vec<String>,
    /// The top browsing context (the one tab).
    pub context: String,
    /// Firefox's last lines on stderr, for failures.
    stderr: Arc<Mutex<VecDeque<String>>>,
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl Bidi {
    /// Starts Firefox at `exe` on a fresh profile holding `user_js`, and
    /// opens a session on its one tab.
    pub fn start(exe: &Path, user_js: &str) -> Res<Bidi> {
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
        std::fs::write(profile.join("user.js"), user_js).map_err(|e| format!("user.js: {e}"))?;
        let mut child = Command::new(exe)
            .args(["--headless", "--no-remote", "--profile"])
            .arg(&profile)
            .args(["--remote-debugging-port", "0", "about:blank"])
            // Whatever Firefox writes beside its profile stays in `home`.
            .env("HOME", &home)
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn: {e}"))?;
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let pipe = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = mpsc::channel();
        let last = stderr.clone();
        std::thread::spawn(move || {
            // Keeps reading so Firefox never blocks on a full pipe.
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
                if let Ok(mut l) = last.lock() {
                    if l.len() >= 30 {
                        l.pop_front();
                    }
                    l.push_back(line);
                }
            }
        });
        let fail = |mut child: Child, why: String| {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&home);
            let tail = stderr
                .lock()
                .map(|l| l.iter().cloned().collect::<Vec<_>>().join("\n"))
                .unwrap_or_default();
            Err(format!("{why}; Firefox said:\n{tail}"))
        };
        let Ok(url) = rx.recv_timeout(START_TIMEOUT) else {
            return fail(child, "no WebDriver BiDi address on stderr".into());
        };
        let ws = match connect(&format!("{url}/session")) {
            Ok(ws) => ws,
            Err(e) => return fail(child, e),
        };
        let mut b = Bidi {
            child: Some(child),
            home: home.clone(),
            ws,
            next_id: 0,
            replies: HashMap::new(),
            requests: Vec::new(),
            context: String::new(),
            stderr,
            _serial: serial,
        };
        b.call("session.new", json!({"capabilities": {}}))?;
        let tree = b.call("browsingContext.getTree", json!({}))?;
        b.context = tree["contexts"][0]["context"]
            .as_str()
            .ok_or("no browsing context")?
            .to_string();
        Ok(b)
    }

    /// From now on every request any page makes is added to `requests`.
    pub fn record_requests(&mut self) -> Res<()> {
        self.call(
            "session.subscribe",
            json!({"events": ["network.beforeRequestSent"]}),
        )
        .map(|_| ())
    }

    /// Sends a command and waits for its answer, recording events meanwhile.
    pub fn call(&mut self, method: &str, params: Value) -> Res<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params});
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("{method}: send: {e}"))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            if let Some(r) = self.replies.remove(&id) {
                if r["type"] == "error" {
                    return Err(format!("{method}: {} {}", r["error"], r["message"]));
                }
                return Ok(r["result"].clone());
            }
            if Instant::now() > deadline {
                return Err(format!("{method}: no answer in {CALL_TIMEOUT:?}"));
            }
            self.pump()?;
        }
    }

    /// Reads what Firefox sent within a quarter of a second, if anything.
    fn pump(&mut self) -> Res<()> {
        let Some(v) = read_json(&mut self.ws, Duration::from_millis(250), "bidi")? else {
            return Ok(());
        };
        if let Some(id) = v["id"].as_u64() {
            self.replies.insert(id, v);
        } else if v["method"] == "network.beforeRequestSent" {
            if let Some(u) = v["params"]["request"]["url"].as_str() {
                self.requests.push(u.to_string());
            }
        }
        Ok(())
    }

    /// Loads `url` and waits until the page and its subresources (frames
    /// included) are loaded.
    pub fn navigate(&mut self, url: &str) -> Res<()> {
        let ctx = self.context.clone();
        self.call(
            "browsingContext.navigate",
            json!({"context": ctx, "url": url, "wait": "complete"}),
        )
        .map(|_| ())
    }

    /// Lets pages run for `d`, recording their requests.
    pub fn pause(&mut self, d: Duration) -> Res<()> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.pump()?;
        }
        Ok(())
    }

    /// Evaluates `expr` in the top page — in the page's own realm, or in a
    /// sandbox of ours (which works with the page's JavaScript off) — and
    /// returns its remote value (`{"type", "value"}`); an exception is an
    /// error.
    pub fn evaluate(&mut self, expr: &str, sandbox: bool, await_promise: bool) -> Res<Value> {
        let mut target = json!({"context": self.context.clone()});
        if sandbox {
            target["sandbox"] = json!("driveshelf-test");
        }
        let r = self.call(
            "script.evaluate",
            json!({"expression": expr, "target": target, "awaitPromise": await_promise}),
        )?;
        if r["type"] != "success" {
            return Err(format!("{expr}: {r}"));
        }
        Ok(r["result"].clone())
    }

    /// The top page's address, read from the browser (works with JS off).
    pub fn url(&mut self) -> Res<String> {
        let tree = self.call("browsingContext.getTree", json!({"maxDepth": 0}))?;
        Ok(tree["contexts"][0]["url"]
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
}

impl Drop for Bidi {
    fn drop(&mut self) {
        let _ = self.ws.send(Message::text(
            json!({"id": 0, "method": "browser.close", "params": {}}).to_string(),
        ));
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
