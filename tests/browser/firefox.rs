//! Firefox ESR for the containment tests, driven over WebDriver BiDi (see
//! `bidi.rs`; no geckodriver needed). The profile is walled like Chromium's:
//! every name resolves to 127.0.0.1 (`network.dns.native-is-localhost`, a
//! pref of Firefox's own test suite), a PAC file sends `*.trap.test` to the
//! test's trap and everything else that is not loopback to a refusing local
//! proxy, and background services are off. Nothing can leave the machine.

pub use super::bidi::firefox_path;
use super::bidi::Bidi;
use super::Res;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

pub struct Firefox {
    b: Bidi,
    /// Where everything that is neither loopback nor `*.trap.test` goes.
    _refuse: TcpListener,
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

fn user_js(trap_port: u16, refuse_port: u16, javascript: bool) -> String {
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
    prefs
        .iter()
        .map(|(k, v)| format!("user_pref({}, {v});\n", json!(k)))
        .collect()
}

impl Firefox {
    fn start(exe: &std::path::Path, trap_port: u16, javascript: bool) -> Res<Firefox> {
        // A local proxy that accepts and closes: Firefox's own background
        // requests end here.
        let refuse = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let refuse_port = refuse.local_addr().map_err(|e| e.to_string())?.port();
        let mut b = Bidi::start(exe, &user_js(trap_port, refuse_port, javascript))?;
        b.record_requests()?;
        Ok(Firefox { b, _refuse: refuse })
    }

    /// Evaluates `expr` in the top page's own realm (promises awaited); its
    /// value as a string.
    pub fn eval(&mut self, expr: &str) -> Res<String> {
        let r = self.b.evaluate(expr, false, true)?;
        Ok(match &r["value"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
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
            self.b.pause(Duration::from_millis(100))?;
        }
    }
}

impl Deref for Firefox {
    type Target = Bidi;
    fn deref(&self) -> &Bidi {
        &self.b
    }
}

impl DerefMut for Firefox {
    fn deref_mut(&mut self) -> &mut Bidi {
        &mut self.b
    }
}
