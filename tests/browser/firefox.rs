//! Firefox ESR, headless, driven over WebDriver BiDi (its own websocket
//! protocol; no geckodriver needed). The profile is walled like Chromium's:
//! every name resolves to 127.0.0.1 (`network.dns.native-is-localhost`, a
//! pref of Firefox's own test suite), a PAC file sends `*.trap.test` to the
//! test's trap and everything else that is not loopback to a refusing local
//! proxy, and background services are off. Nothing can leave the machine.

use super::Res;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

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

pub struct Firefox {
    child: Option<Child>,
    home: PathBuf,
    ws: WebSocket<TcpStream>,
    next_id: u64,
    replies: HashMap<u64, Value>,
    /// URLs of every request any page made (`network.beforeRequestSent`).
    pub requests: Vec<String>,
    pub context: String,
    /// Where everything that is neither loopback nor `*.trap.test` goes.
    _refuse: TcpListener,
    /// One browser at a time in a test binary (shared with Chromium's).
    _serial: std::sync::MutexGuard<'static, ()>,
}

/// Starts Firefox with `trap_port` as "outside", scripts on or off; `None`
/// (with a notice) when Firefox is not installed.
pub fn launch(trap_port: u16, javascript: bool) -> Option<Firefox> {
    let Some(exe) = firefox_path() else {
        println!("NOTICE: skipped: firefox-esr not installed");
        return None;
    };
    match Firefox::start(&exe, trap_port, javascript) {
        Ok(f) => Some(f),
        Err(e) => panic!("firefox at {} did not start: {e}", exe.display()),
    }
}

impl Firefox {
    fn start(exe: &std::path::Path, trap_port: u16, javascript: bool) -> Res<Firefox> {
        let serial = super::serial();
        let home = std::env::temp_dir().join(format!(
            "driveshelf-firefox-{}-{}",
            std::process::id(),
            trap_port
        ));
        let _ = std::fs::remove_dir_all(&home);
        let profile = home.join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        // A local proxy that accepts and closes: Firefox's own background
        // requests end here.
        let refuse = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let refuse_port = refuse.local_addr().map_err(|e| e.to_string())?.port();
        let pac = format!(
            "function FindProxyForURL(u, h) {{ if (h == '127.0.0.1' || h == 'localhost') return 'DIRECT'; if (dnsDomainIs(h, '.trap.test')) return 'PROXY 127.0.0.1:{trap_port}'; return 'PROXY 127.0.0.1:{refuse_port}'; }}"
        );
        let prefs = [
            ("network.proxy.type", json!(2)),
            (
                "network.proxy.autoconfig_url",
                json!(format!("data:text/plain,{}", pac.replace(' ', "%20"))),
            ),
            ("network.proxy.allow_hijacking_localhost", json!(false)),
            ("network.dns.native-is-localhost", json!(true)),
            ("network.dns.disablePrefetch", json!(true)),
            ("network.trr.mode", json!(5)),
            ("network.captive-portal-service.enabled", json!(false)),
            ("network.connectivity-service.enabled", json!(false)),
            ("browser.safebrowsing.malware.enabled", json!(false)),
            ("browser.safebrowsing.phishing.enabled", json!(false)),
            ("browser.safebrowsing.downloads.enabled", json!(false)),
            ("datareporting.policy.dataSubmissionEnabled", json!(false)),
            ("toolkit.telemetry.enabled", json!(false)),
            ("app.update.enabled", json!(false)),
            ("extensions.update.enabled", json!(false)),
            ("browser.shell.checkDefaultBrowser", json!(false)),
            ("browser.startup.homepage_override.mstone", json!("ignore")),
            ("browser.newtabpage.enabled", json!(false)),
            ("media.autoplay.default", json!(0)),
            ("javascript.enabled", json!(javascript)),
        ];
        let user_js: String = prefs
            .iter()
            .map(|(k, v)| format!("user_pref({}, {v});\n", json!(k)))
            .collect();
        std::fs::write(profile.join("user.js"), user_js).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(home.join("firefox.log")).map_err(|e| e.to_string())?;
        let child = Command::new(exe)
            .args(["--headless", "--no-remote", "--remote-debugging-port=0"])
            .arg("--profile")
            .arg(&profile)
            .arg("about:blank")
            .env("MOZ_CRASHREPORTER_DISABLE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut ff = Firefox::connect(child, home.clone(), &profile, refuse, serial)?;
        ff.session()?;
        Ok(ff)
    }

    fn connect(
        mut child: Child,
        home: PathBuf,
        profile: &std::path::Path,
        refuse: TcpListener,
        serial: std::sync::MutexGuard<'static, ()>,
    ) -> Res<Firefox> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            let text = std::fs::read_to_string(profile.join("WebDriverBiDiServer.json"))
                .unwrap_or_default();
            if let Some(p) = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["ws_port"].as_u64())
            {
                break p;
            }
            let log = std::fs::read_to_string(home.join("firefox.log")).unwrap_or_default();
            if let Some(p) = log
                .split("ws://127.0.0.1:")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|p| p.parse::<u64>().ok())
            {
                break p;
            }
            if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no BiDi port: {log}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let url = format!("ws://127.0.0.1:{port}/session");
        let stream = TcpStream::connect(("127.0.0.1", port as u16)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let (ws, _) = tungstenite::client(url.as_str(), stream).map_err(|e| e.to_string())?;
        Ok(Firefox {
            child: Some(child),
            home,
            ws,
            next_id: 0,
            replies: HashMap::new(),
            requests: Vec::new(),
            context: String::new(),
            _refuse: refuse,
            _serial: serial,
        })
    }

    fn session(&mut self) -> Res<()> {
        self.call("session.new", json!({"capabilities": {}}))?;
        let tree = self.call("browsingContext.getTree", json!({}))?;
        self.context = tree["contexts"][0]["context"]
            .as_str()
            .ok_or("no browsing context")?
            .to_string();
        self.call(
            "session.subscribe",
            json!({"events": ["network.beforeRequestSent"]}),
        )?;
        Ok(())
    }

    pub fn call(&mut self, method: &str, params: Value) -> Res<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params});
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("{method}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(r) = self.replies.remove(&id) {
                if r["type"] == "error" {
                    return Err(format!("{method}: {} {}", r["error"], r["message"]));
                }
                return Ok(r["result"].clone());
            }
            if Instant::now() > deadline {
                return Err(format!("{method}: no answer"));
            }
            self.pump()?;
        }
    }

    fn pump(&mut self) -> Res<()> {
        let _ = self
            .ws
            .get_mut()
            .set_read_timeout(Some(Duration::from_millis(250)));
        let msg = match self.ws.read() {
            Ok(m) => m,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(())
            }
            Err(e) => return Err(format!("bidi: {e}")),
        };
        let Message::Text(t) = msg else {
            return Ok(());
        };
        let v: Value = serde_json::from_str(t.as_str()).map_err(|e| e.to_string())?;
        if let Some(id) = v["id"].as_u64() {
            self.replies.insert(id, v);
        } else if v["method"] == "network.beforeRequestSent" {
            if let Some(u) = v["params"]["request"]["url"].as_str() {
                self.requests.push(u.to_string());
            }
        }
        Ok(())
    }

    /// Loads `url` and waits for its load (frames included).
    pub fn navigate(&mut self, url: &str) -> Res<()> {
        let ctx = self.context.clone();
        self.call(
            "browsingContext.navigate",
            json!({"context": ctx, "url": url, "wait": "complete"}),
        )?;
        Ok(())
    }

    /// Lets pages run for `d`, recording their requests.
    pub fn pause(&mut self, d: Duration) -> Res<()> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.pump()?;
        }
        Ok(())
    }

    /// Evaluates `expr` in the top page; its value as a string.
    pub fn eval(&mut self, expr: &str) -> Res<String> {
        let ctx = self.context.clone();
        let r = self.call(
            "script.evaluate",
            json!({"expression": expr, "target": {"context": ctx}, "awaitPromise": true}),
        )?;
        if r["type"] != "success" {
            return Err(format!("{expr}: {r}"));
        }
        Ok(match &r["result"]["value"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// The top page's address, read from the browser (works with JS off).
    pub fn url(&mut self) -> Res<String> {
        let tree = self.call("browsingContext.getTree", json!({"maxDepth": 0}))?;
        Ok(tree["contexts"][0]["url"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Polls `expr` until it is `"true"`.
    pub fn wait_true(&mut self, expr: &str, timeout: Duration) -> Res<()> {
        let end = Instant::now() + timeout;
        loop {
            if self.eval(expr)? == "true" {
                return Ok(());
            }
            if Instant::now() > end {
                return Err(format!("`{expr}` not true within {timeout:?}"));
            }
            self.pause(Duration::from_millis(100))?;
        }
    }
}

impl Drop for Firefox {
    fn drop(&mut self) {
        let _ = self.ws.send(Message::text(
            json!({"id": 0, "method": "browser.close", "params": {}}).to_string(),
        ));
        if let Some(mut c) = self.child.take() {
            let end = Instant::now() + Duration::from_secs(5);
            while Instant::now() < end {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}
