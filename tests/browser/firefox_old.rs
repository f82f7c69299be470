//! Debian's Firefox ESR standing in for the recipients' older browsers,
//! driven over WebDriver BiDi (see `bidi.rs`), with a fresh profile whose
//! `user.js` sets what a test asks for — JavaScript off, MP4 or WebM off, no
//! PDF viewer, a Korean browser. (`firefox.rs` is the containment tests'
//! driver, with its PAC wall; both share `bidi.rs`.)
//!
//! Every non-loopback request goes to the trap proxy of `super` (answers 403,
//! records the address), Firefox's own background services are switched off,
//! and every wait is bounded; dropping the browser stops Firefox and removes
//! the profile.

pub use super::bidi::firefox_path;
use super::bidi::Bidi;
use super::{Res, Trap};
use serde_json::Value;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::{Duration, Instant};

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
    b: Bidi,
    trap: Trap,
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
        let trap = Trap::start()?;
        let b = Bidi::start(exe, &user_js(settings, trap.port))?;
        Ok(Firefox { b, trap })
    }

    /// Evaluates `expr` in the page (in a sandbox, so it works with the
    /// page's JavaScript off) and returns its value as JSON: strings,
    /// numbers and booleans as themselves.
    pub fn eval(&mut self, expr: &str) -> Res<Value> {
        Ok(self.b.evaluate(expr, true, false)?["value"].clone())
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
