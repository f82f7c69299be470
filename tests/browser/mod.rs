//! A small Chrome DevTools Protocol client for the real-browser tests: it
//! starts Debian's Chromium headless with a fresh profile, talks to it over
//! one websocket (flat sessions), and records what each page asked the
//! network for, what failed, and what the console said.
//!
//! Two walls keep the tests themselves from ever reaching another machine
//! even if the server had a bug: every non-loopback request goes to a local
//! trap proxy that answers 403 and records what was asked, and host names
//! never resolve.
//!
//! Every wait is bounded; dropping the `Browser` closes Chromium (killing it
//! when it does not stop) and removes its profile.

#![allow(dead_code)]

pub mod bidi;
pub mod firefox;
pub mod firefox_old;
pub mod hostile;
pub mod trap;
pub mod zim;

use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

pub type Res<T> = Result<T, String>;

/// How long one protocol command may take. Generous: CI shares 2 cores with
/// compilations.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a page may take to load.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(20);
const START_TIMEOUT: Duration = Duration::from_secs(40);
/// Events nobody waits for are dropped beyond this many.
const MAX_QUEUED_EVENTS: usize = 20_000;

/// Where Chromium is: `DRIVESHELF_CHROMIUM`, else Debian's path.
pub fn chromium_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DRIVESHELF_CHROMIUM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// One browser at a time per test binary (each `Browser` holds this until it
/// is dropped): two Chromiums on 2 shared cores only make both slow.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts Chromium, or prints the skip notice and returns `None` when it is
/// not installed. A Chromium that is there but does not start is a failure.
pub fn launch() -> Option<Browser> {
    launch_with(&[], "")
}

/// [`launch`] with more command-line switches, and host-resolver rules put
/// before the catch-all (`MAP *.trap.test 127.0.0.1`: names that lead to a
/// local trap; those names also skip the trap proxy).
pub fn launch_with(args: &[String], resolver_rules: &str) -> Option<Browser> {
    let Some(exe) = chromium_path() else {
        println!("NOTICE: skipped: chromium not installed");
        return None;
    };
    match Browser::start_with(&exe, args, resolver_rules) {
        Ok(b) => Some(b),
        Err(e) => panic!("chromium at {} did not start: {e}", exe.display()),
    }
}

/// What a page (and the frames and workers inside it) did.
#[derive(Debug, Default, Clone)]
pub struct PageLog {
    /// Every URL the page asked for (`Network.requestWillBeSent`), in order,
    /// including requests that were then blocked.
    pub requests: Vec<String>,
    pub responses: Vec<Response>,
    pub failures: Vec<Failure>,
    /// Console messages, browser log entries and uncaught exceptions.
    pub console: Vec<Console>,
    urls: HashMap<String, String>,
    /// Requests sent and not yet finished or failed.
    in_flight: HashSet<String>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub url: String,
    pub status: u64,
    pub mime: String,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub url: String,
    pub error: String,
    /// `csp`, `mixed-content`, … when the browser refused the request.
    pub blocked: String,
    pub canceled: bool,
}

#[derive(Debug, Clone)]
pub struct Console {
    /// `error`, `warning`, `info`, … (`exception` for uncaught ones).
    pub level: String,
    pub source: String,
    pub text: String,
    pub url: String,
}

impl PageLog {
    pub fn errors(&self) -> Vec<&Console> {
        self.console
            .iter()
            .filter(|c| c.level == "error" || c.level == "exception" || c.level == "assert")
            .collect()
    }

    fn record(&mut self, method: &str, p: &Value) {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        match method {
            "Network.requestWillBeSent" => {
                let url = s(&p["request"]["url"]);
                self.urls.insert(s(&p["requestId"]), url.clone());
                self.in_flight.insert(s(&p["requestId"]));
                self.requests.push(url);
            }
            "Network.loadingFinished" => {
                self.in_flight
                    .remove(p["requestId"].as_str().unwrap_or_default());
            }
            "Network.responseReceived" => self.responses.push(Response {
                url: s(&p["response"]["url"]),
                status: p["response"]["status"].as_u64().unwrap_or(0),
                mime: s(&p["response"]["mimeType"]),
            }),
            "Network.loadingFailed" => {
                self.in_flight
                    .remove(p["requestId"].as_str().unwrap_or_default());
                let url = self
                    .urls
                    .get(p["requestId"].as_str().unwrap_or_default())
                    .cloned()
                    .unwrap_or_default();
                self.failures.push(Failure {
                    url,
                    error: s(&p["errorText"]),
                    blocked: s(&p["blockedReason"]),
                    canceled: p["canceled"].as_bool().unwrap_or(false),
                });
            }
            "Log.entryAdded" => self.console.push(Console {
                level: s(&p["entry"]["level"]),
                source: s(&p["entry"]["source"]),
                text: s(&p["entry"]["text"]),
                url: s(&p["entry"]["url"]),
            }),
            "Runtime.consoleAPICalled" => {
                let text = p["args"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|v| match &v["value"] {
                                Value::String(t) => t.clone(),
                                Value::Null => s(&v["description"]),
                                other => other.to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                self.console.push(Console {
                    level: s(&p["type"]),
                    source: "console-api".into(),
                    text,
                    url: s(&p["stackTrace"]["callFrames"][0]["url"]),
                });
            }
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                let mut text = s(&d["text"]);
                if let Some(desc) = d["exception"]["description"].as_str() {
                    text = format!("{text} {desc}");
                }
                self.console.push(Console {
                    level: "exception".into(),
                    source: "javascript".into(),
                    text,
                    url: s(&d["url"]),
                });
            }
            _ => {}
        }
    }
}

pub struct Browser {
    child: Option<Child>,
    /// Holds the profile and Chromium's own log; removed on drop.
    home: PathBuf,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    replies: HashMap<u64, Value>,
    events: VecDeque<Value>,
    log: PageLog,
    trap: Trap,
    /// Last, so it is released after Chromium has stopped.
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl Browser {
    pub fn start(exe: &Path) -> Res<Browser> {
        Browser::start_with(exe, &[], "")
    }

    pub fn start_with(exe: &Path, extra: &[String], resolver_rules: &str) -> Res<Browser> {
        let serial = serial();
        static N: AtomicUsize = AtomicUsize::new(0);
        let home = std::env::temp_dir().join(format!(
            "driveshelf-chromium-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&home);
        let profile = home.join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| format!("profile dir: {e}"))?;
        let trap = Trap::start()?;
        let log_path = home.join("chromium.log");
        let log_file = std::fs::File::create(&log_path).map_err(|e| format!("log: {e}"))?;
        let child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-breakpad",
                "--mute-audio",
                "--hide-scrollbars",
                "--autoplay-policy=no-user-gesture-required",
                "--remote-debugging-port=0",
            ])
            // Anything not on loopback goes to the trap, and no name resolves:
            // a test can never reach another machine.
            .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
            .arg(format!(
                "--host-resolver-rules={resolver_rules}MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
            ))
            .args(extra)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("spawn: {e}"))?;
        let mut guard = StartGuard {
            child: Some(child),
            home: home.clone(),
        };
        let ws_url = wait_for_port_file(&profile, &log_path, guard.child.as_mut())?;
        let ws = connect(&ws_url)?;
        let child = guard.child.take();
        Ok(Browser {
            child,
            home,
            ws,
            next_id: 0,
            replies: HashMap::new(),
            events: VecDeque::new(),
            log: PageLog::default(),
            trap,
            _serial: serial,
        })
    }

    /// Requests that reached the trap proxy: anything the browser tried to
    /// send off the machine, from any page or from Chromium itself.
    pub fn trapped(&self) -> Vec<String> {
        self.trap.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Opens a new tab and attaches to it with every domain the tests read.
    pub fn new_page(&mut self) -> Res<Page<'_>> {
        let r = self.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let target = r["targetId"].as_str().unwrap_or_default().to_string();
        let r = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )?;
        let session = r["sessionId"]
            .as_str()
            .ok_or("attachToTarget gave no session")?
            .to_string();
        self.enable_domains(&session)?;
        self.call(
            Some(&session),
            "Target.setAutoAttach",
            json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
        )?;
        Ok(Page {
            b: self,
            session,
            target,
        })
    }

    fn enable_domains(&mut self, session: &str) -> Res<()> {
        for m in [
            "Page.enable",
            "Network.enable",
            "Runtime.enable",
            "Log.enable",
        ] {
            // Workers and frames have no Page domain.
            let r = self.call(Some(session), m, json!({}));
            if m != "Page.enable" {
                r?;
            }
        }
        // Every load asks the server again, so a broken asset shows each time.
        let _ = self.call(
            Some(session),
            "Network.setCacheDisabled",
            json!({"cacheDisabled": true}),
        );
        Ok(())
    }

    /// Sends a command and waits for its answer.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Res<Value> {
        let id = self.send(session, method, params)?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            if let Some(r) = self.replies.remove(&id) {
                if let Some(e) = r.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(r.get("result").cloned().unwrap_or(Value::Null));
            }
            if Instant::now() >= deadline {
                return Err(format!("{method}: no answer in {CALL_TIMEOUT:?}"));
            }
            self.pump(deadline)?;
        }
    }

    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Res<u64> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("send {method}: {e}"))?;
        Ok(id)
    }

    /// Reads one message (or none before the deadline) and files it.
    fn pump(&mut self, deadline: Instant) -> Res<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        let wait = left.clamp(Duration::from_millis(1), Duration::from_millis(250));
        let Some(v) = read_json(&mut self.ws, wait, "devtools connection")? else {
            return Ok(());
        };
        if let Some(id) = v.get("id").and_then(Value::as_u64) {
            self.replies.insert(id, v);
            return Ok(());
        }
        let method = v["method"].as_str().unwrap_or_default().to_string();
        self.log.record(&method, &v["params"]);
        if method == "Target.attachedToTarget" {
            // A frame from another process or a worker: watch it too, then
            // let it run. Answers are not awaited (we are inside a read).
            if let Some(child) = v["params"]["sessionId"].as_str() {
                let child = child.to_string();
                for m in ["Network.enable", "Runtime.enable", "Log.enable"] {
                    self.send(Some(&child), m, json!({}))?;
                }
                self.send(
                    Some(&child),
                    "Target.setAutoAttach",
                    json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
                )?;
                self.send(Some(&child), "Runtime.runIfWaitingForDebugger", json!({}))?;
            }
        }
        if self.events.len() >= MAX_QUEUED_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(v);
        Ok(())
    }

    /// Waits for an event `method` of `session` (any session when `None`).
    fn wait_event(&mut self, session: Option<&str>, method: &str, timeout: Duration) -> Res<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let hit = self
                .events
                .iter()
                .position(|e| e["method"] == method && session.is_none_or(|s| e["sessionId"] == s));
            if let Some(i) = hit {
                return self.events.remove(i).ok_or_else(|| "queue".to_string());
            }
            if Instant::now() >= deadline {
                return Err(format!("no {method} within {timeout:?}"));
            }
            self.pump(deadline)?;
        }
    }

    fn forget_events(&mut self, method: &str) {
        self.events.retain(|e| e["method"] != method);
    }

    /// After a load: reads events until no request is in flight (media
    /// streams may stay open, hence the bound), then a moment more for
    /// console lines that follow the last answer.
    fn settle_network(&mut self) -> Res<()> {
        let deadline = Instant::now() + Duration::from_millis(600);
        while !self.log.in_flight.is_empty() && Instant::now() < deadline {
            self.pump(deadline)?;
        }
        self.settle(Duration::from_millis(30))
    }

    /// Reads whatever arrives for `d` (late network events and console lines).
    fn settle(&mut self, d: Duration) -> Res<()> {
        let deadline = Instant::now() + d;
        while Instant::now() < deadline {
            self.pump(deadline)?;
        }
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A clean close lets Chromium end its helper processes itself.
        let _ = self.send(None, "Browser.close", json!({}));
        let _ = self.ws.flush();
        if let Some(child) = self.child.take() {
            stop_child(child);
        }
        remove_dir(&self.home);
    }
}

/// Cleans up when `Browser::start` fails after spawning.
struct StartGuard {
    child: Option<Child>,
    home: PathBuf,
}

impl Drop for StartGuard {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            stop_child(child);
            remove_dir(&self.home);
        }
    }
}

fn stop_child(mut child: Child) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn remove_dir(dir: &Path) {
    // Chromium's last helper may still be writing for a moment.
    for _ in 0..20 {
        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_for_port_file(profile: &Path, log: &Path, mut child: Option<&mut Child>) -> Res<String> {
    let file = profile.join("DevToolsActivePort");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                if let Ok(port) = port.trim().parse::<u16>() {
                    return Ok(format!("ws://127.0.0.1:{port}{}", path.trim()));
                }
            }
        }
        if let Some(c) = child.as_deref_mut() {
            if let Ok(Some(status)) = c.try_wait() {
                return Err(format!("exited with {status}: {}", tail(log)));
            }
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "no DevToolsActivePort in {START_TIMEOUT:?}: {}",
                tail(log)
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Reads one message within `wait`: its JSON if it is text, `None` if
/// nothing came in time or it was not text. `who` names the connection in
/// errors.
fn read_json(ws: &mut WebSocket<TcpStream>, wait: Duration, who: &str) -> Res<Option<Value>> {
    let _ = ws.get_mut().set_read_timeout(Some(wait));
    let msg = match ws.read() {
        Ok(m) => m,
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(format!("{who}: {e}")),
    };
    let Message::Text(text) = msg else {
        return Ok(None);
    };
    serde_json::from_str(text.as_str())
        .map(Some)
        .map_err(|e| format!("json: {e}"))
}

fn connect(url: &str) -> Res<WebSocket<TcpStream>> {
    let addr = url
        .strip_prefix("ws://")
        .and_then(|r| r.split('/').next())
        .ok_or("bad ws url")?;
    let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_write_timeout(Some(CALL_TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(CALL_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let (ws, _) = tungstenite::client(url, stream).map_err(|e| format!("handshake: {e}"))?;
    Ok(ws)
}

/// One tab. Borrows the browser: one page at a time.
pub struct Page<'b> {
    b: &'b mut Browser,
    session: String,
    target: String,
}

impl Page<'_> {
    pub fn call(&mut self, method: &str, params: Value) -> Res<Value> {
        let s = self.session.clone();
        self.b.call(Some(&s), method, params)
    }

    /// A command for the browser itself (`Target.getTargets`, …).
    pub fn browser_call(&mut self, method: &str, params: Value) -> Res<Value> {
        self.b.call(None, method, params)
    }

    /// Open targets of `kind` (`page`, `service_worker`, `worker`, …).
    pub fn targets(&mut self, kind: &str) -> Res<Vec<String>> {
        let r = self.browser_call("Target.getTargets", json!({}))?;
        Ok(r["targetInfos"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|t| t["type"] == kind)
                    .map(|t| t["url"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// What happened since the last `clear_log`.
    pub fn log(&self) -> &PageLog {
        &self.b.log
    }

    pub fn clear_log(&mut self) {
        self.b.log = PageLog::default();
    }

    pub fn trapped(&self) -> Vec<String> {
        self.b.trapped()
    }

    /// Loads `url` and waits for its load event, then a moment more for late
    /// requests (images, media metadata) to show in the log.
    pub fn navigate(&mut self, url: &str) -> Res<()> {
        self.b.forget_events("Page.loadEventFired");
        let r = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            return Err(format!("navigate {url}: {e}"));
        }
        self.wait_load().map_err(|e| {
            let pending: Vec<&String> = self
                .b
                .log
                .in_flight
                .iter()
                .filter_map(|id| self.b.log.urls.get(id))
                .collect();
            format!("{url}: {e}; requests still open: {pending:?}")
        })
    }

    /// Starts loading `url` without waiting for it to finish.
    pub fn start_navigation(&mut self, url: &str) -> Res<()> {
        self.call("Page.navigate", json!({"url": url}))?;
        Ok(())
    }

    /// Lets the page run for `d`, recording what it does.
    pub fn pause(&mut self, d: Duration) -> Res<()> {
        self.b.settle(d)
    }

    /// Waits for the next load event of this tab (after a click).
    pub fn wait_load(&mut self) -> Res<()> {
        let s = self.session.clone();
        self.b
            .wait_event(Some(&s), "Page.loadEventFired", LOAD_TIMEOUT)?;
        self.b.settle_network()
    }

    /// Runs `f`, which makes the page navigate, and waits for the new load.
    pub fn navigating<T>(&mut self, f: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        self.b.forget_events("Page.loadEventFired");
        let out = f(self)?;
        self.wait_load()?;
        Ok(out)
    }

    /// Evaluates `expr` in the page, awaiting a promise; returns its value.
    pub fn eval(&mut self, expr: &str) -> Res<Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({
                "expression": expr,
                "awaitPromise": true,
                "returnByValue": true,
                "timeout": 20000,
            }),
        )?;
        if let Some(d) = r.get("exceptionDetails") {
            let desc = d["exception"]["description"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| d["text"].to_string());
            return Err(format!("evaluate `{expr}`: {desc}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Polls `expr` until it is true, at most `timeout`.
    pub fn wait_true(&mut self, expr: &str, timeout: Duration) -> Res<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(expr)? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("`{expr}` not true within {timeout:?}"));
            }
            self.b.settle(Duration::from_millis(50))?;
        }
    }

    /// JavaScript off (or on) for the next loads.
    pub fn set_javascript(&mut self, on: bool) -> Res<()> {
        self.call(
            "Emulation.setScriptExecutionDisabled",
            json!({"value": !on}),
        )?;
        Ok(())
    }

    /// The viewport size; below 600 px wide it behaves as a phone.
    pub fn set_viewport(&mut self, width: u32, height: u32) -> Res<()> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": width < 600,
            }),
        )?;
        Ok(())
    }

    /// A PNG of the viewport, written to `path`.
    pub fn screenshot(&mut self, path: &Path) -> Res<()> {
        self.capture(path, json!({"format": "png"}))
    }

    /// A PNG of the whole page down to `max_height` CSS pixels.
    pub fn screenshot_full(&mut self, path: &Path, max_height: f64) -> Res<()> {
        let m = self.call("Page.getLayoutMetrics", json!({}))?;
        let width = m["cssLayoutViewport"]["clientWidth"]
            .as_f64()
            .unwrap_or(1024.0);
        let height = m["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(768.0)
            .min(max_height);
        self.capture(
            path,
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            }),
        )
    }

    fn capture(&mut self, path: &Path, params: Value) -> Res<()> {
        let r = self.call("Page.captureScreenshot", params)?;
        let data = r["data"].as_str().ok_or("no screenshot data")?;
        let png = base64_decode(data).ok_or("screenshot is not base64")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Document coordinates of the centre of the first element matching
    /// `selector`, read through the DOM domain (works with JavaScript off).
    pub fn center_of(&mut self, selector: &str) -> Res<(f64, f64)> {
        let doc = self.call("DOM.getDocument", json!({"depth": 0}))?;
        let root = doc["root"]["nodeId"].clone();
        let q = self.call(
            "DOM.querySelector",
            json!({"nodeId": root, "selector": selector}),
        )?;
        let node = q["nodeId"].as_u64().unwrap_or(0);
        if node == 0 {
            return Err(format!("no element matches {selector}"));
        }
        let _ = self.call("DOM.scrollIntoViewIfNeeded", json!({"nodeId": node}));
        let b = self.call("DOM.getBoxModel", json!({"nodeId": node}))?;
        let quad: Vec<f64> = b["model"]["content"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        if quad.len() != 8 {
            return Err(format!("{selector} has no box"));
        }
        let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4.0;
        let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4.0;
        Ok((x, y))
    }

    /// A real mouse click on the element, as a person would; works with
    /// JavaScript off.
    pub fn click(&mut self, selector: &str) -> Res<()> {
        let (x, y) = self.center_of(selector)?;
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )?;
        }
        Ok(())
    }

    pub fn url(&mut self) -> Res<String> {
        let h = self.call("Page.getNavigationHistory", json!({}))?;
        let i = h["currentIndex"].as_u64().unwrap_or(0) as usize;
        Ok(h["entries"][i]["url"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The page's visible text, read through the DOM domain (works with
    /// JavaScript off).
    pub fn text(&mut self) -> Res<String> {
        let doc = self.call("DOM.getDocument", json!({"depth": 0}))?;
        let root = doc["root"]["nodeId"].clone();
        let q = self.call(
            "DOM.querySelector",
            json!({"nodeId": root, "selector": "body"}),
        )?;
        let html = self.call("DOM.getOuterHTML", json!({"nodeId": q["nodeId"]}))?;
        Ok(strip_tags(html["outerHTML"].as_str().unwrap_or_default()))
    }
}

impl Drop for Page<'_> {
    fn drop(&mut self) {
        let t = self.target.clone();
        let _ = self
            .b
            .call(None, "Target.closeTarget", json!({"targetId": t}));
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The host of an absolute URL (`None` for `data:`, `about:`, `blob:`…).
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .or_else(|| url.strip_prefix("ws://"))
        .or_else(|| url.strip_prefix("wss://"))
        .or_else(|| url.strip_prefix("ftp://"))
        .or_else(|| url.strip_prefix("//"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    Some(host.to_ascii_lowercase())
}

/// Every URL in `urls` that would leave this machine: a scheme other than
/// `data:`/`about:`/`blob:` whose host is not 127.0.0.1.
pub fn leaving<'a>(urls: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    urls.into_iter()
        .filter(|u| {
            let local_scheme = ["data:", "about:", "blob:", "chrome-error:"]
                .iter()
                .any(|p| u.starts_with(p));
            !local_scheme && host_of(u).as_deref() != Some("127.0.0.1")
        })
        .cloned()
        .collect()
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A local HTTP proxy that refuses everything and remembers the request
/// lines: Chromium sends every non-loopback request here.
struct Trap {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Trap {
    fn start() -> Res<Trap> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("trap: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                let mut line = String::new();
                let _ = BufReader::new(&conn).read_line(&mut line);
                if let Ok(mut v) = seen2.lock() {
                    v.push(line.trim().to_string());
                }
                let _ = conn.write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Ok(Trap {
            port,
            seen,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Removes a test's folder when the test ends, passed or failed.
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `target/screenshots/<name>` (not committed).
pub fn screenshot_path(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots").join(name)
}

#[cfg(test)]
mod self_tests {
    use super::*;

    #[test]
    fn hosts_and_leaving() {
        assert_eq!(
            host_of("http://127.0.0.1:80/x").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            host_of("https://u:p@Evil.example:8/").as_deref(),
            Some("evil.example")
        );
        assert_eq!(host_of("http://[::1]:8/").as_deref(), Some("::1"));
        assert_eq!(host_of("data:image/png;base64,xx"), None);
        let urls = vec![
            "http://127.0.0.1:1/a".to_string(),
            "data:,x".to_string(),
            "about:blank".to_string(),
            "http://127.0.0.1.evil.example/".to_string(),
            "https://fonts.example/f.woff".to_string(),
            "javascript:alert(1)".to_string(),
        ];
        assert_eq!(
            leaving(&urls),
            vec![
                "http://127.0.0.1.evil.example/".to_string(),
                "https://fonts.example/f.woff".to_string(),
                "javascript:alert(1)".to_string(),
            ]
        );
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode("!"), None);
    }
}
