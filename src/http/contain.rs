//! Who may run archive scripts, and where: the two origins, the browser
//! test, the drive's list of trusted archives, and the Fetch Metadata gates.
//! The one place that decides which origin serves what (see
//! `../shared/docs/archive-containment.md` for the measurements behind it).
//!
//! - The interface origin (`127.0.0.1:P`) serves the library, search, the
//!   viewer, the close token and the direct no-script archive pages. It never
//!   serves an archive script that runs.
//! - The content origin (`127.0.0.1:P2`) serves only archive entries (framed
//!   by the viewer), the helper script and the browser test. It never sees the
//!   close token or an interface page.

use super::request::Req;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Which listener a request came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Ui,
    Content,
}

/// The two ports, both on 127.0.0.1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pub ui: u16,
    pub content: u16,
}

impl Origins {
    pub fn ui_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ui)
    }
    pub fn content_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.content)
    }
}

/// The first Chromium that enforces `Connection-Allowlist`, the only guard
/// measured to stop WebRTC, `<link rel=preconnect>` and the DNS lookups of
/// blocked frame navigations (research §2).
pub const FIRST_ALLOWLIST_CHROMIUM: u32 = 152;

/// The Chromium major version a request says it comes from: the `Sec-CH-UA`
/// brand list first (`"Chromium";v="156"`), then `Chrome/156.` in the
/// User-Agent. Pages cannot set either header.
pub fn chromium_major(req: &Req) -> Option<u32> {
    if let Some(ch) = req.ch_ua.as_deref() {
        for brand in ch.split(',') {
            let b = brand.trim();
            if let Some(rest) = b.strip_prefix("\"Chromium\"") {
                if let Some(v) = rest.split("v=\"").nth(1) {
                    if let Some(n) = v.split('"').next().and_then(|n| n.parse().ok()) {
                        return Some(n);
                    }
                }
            }
        }
    }
    let ua = req.user_agent.as_deref()?;
    if ua.contains("Firefox/") {
        return None;
    }
    let v = ua.split("Chrome/").nth(1)?;
    v.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// What the browser test found for one browser (by its User-Agent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probed {
    /// A connection outside the allowlist was refused by the browser.
    Holds,
    /// It was let through (or the test did not finish as it should).
    Leaks,
}

/// At most this many browsers (User-Agents) and open tests are remembered.
const MAX_REMEMBERED: usize = 64;

#[derive(Default)]
struct ProbeState {
    /// User-Agent → result.
    results: HashMap<String, Probed>,
    /// Nonce → (User-Agent, whether the forbidden request arrived).
    open: HashMap<String, (String, bool)>,
}

/// Everything that decides who runs scripts. Shared by both origins.
pub struct Containment {
    pub origins: Origins,
    /// `--archive-scripts`: every archive runs its scripts in browsers that
    /// honour CSP and iframe sandboxing.
    pub all_trusted: bool,
    /// Archive ids named in the drive's `archive-scripts.txt`.
    pub trusted: HashSet<String>,
    probe: Mutex<ProbeState>,
}

/// The packer's file at the top of the drive naming archives whose scripts
/// may run in browsers that sandbox but have no `Connection-Allowlist`.
pub const TRUSTED_FILE: &str = "archive-scripts.txt";

/// Reads `archive-scripts.txt`: one archive per line, by its id or file
/// name (`name.zim`, `name.zimaa`), `#` starts a comment, `*` names all.
/// Returns the named ids (lower-cased match happens at lookup) and whether
/// all were named.
pub fn parse_trusted(text: &str) -> (HashSet<String>, bool) {
    let mut ids = HashSet::new();
    let mut all = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let line = line.trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        if line == "*" {
            all = true;
            continue;
        }
        // A path is named by its file: `wiki/phet_ko.zim` → `phet_ko`.
        let file = line.rsplit(['/', '\\']).next().unwrap_or(line);
        let lower = file.to_ascii_lowercase();
        let id = if lower.ends_with(".zim") {
            &file[..file.len() - 4]
        } else if lower.ends_with(".zimaa") {
            &file[..file.len() - 6]
        } else {
            file
        };
        ids.insert(id.to_lowercase());
    }
    (ids, all)
}

/// How an archive's HTML is served for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scripts {
    /// Its scripts run (content origin, in the viewer's frame only).
    Run,
    /// No archive script runs: removed on the server and forbidden by the
    /// page's policy.
    Off,
}

impl Containment {
    pub fn new(origins: Origins, all_trusted: bool, trusted: HashSet<String>) -> Containment {
        Containment {
            origins,
            all_trusted,
            trusted,
            probe: Mutex::new(ProbeState::default()),
        }
    }

    fn is_trusted(&self, zim_id: &str) -> bool {
        self.all_trusted || self.trusted.contains(&zim_id.to_lowercase())
    }

    /// A browser that sends Fetch Metadata (Chromium 80+, Firefox 90+) also
    /// enforces iframe `sandbox`, `frame-src`, `frame-ancestors` and the CSP
    /// `sandbox` directive; one that sends none is treated as able to
    /// contain nothing.
    fn sandboxes(req: &Req) -> bool {
        req.fetch_dest.is_some()
    }

    fn claims_allowlist(req: &Req) -> bool {
        chromium_major(req).is_some_and(|v| v >= FIRST_ALLOWLIST_CHROMIUM)
    }

    pub fn probed(&self, req: &Req) -> Option<Probed> {
        let ua = req.user_agent.as_deref().unwrap_or("");
        self.probe.lock().ok()?.results.get(ua).copied()
    }

    /// Whether links of the interface should lead to the viewer for this
    /// archive: its scripts may run in this browser (or will, once the
    /// browser test passes).
    pub fn viewer_for(&self, req: &Req, zim_id: &str) -> bool {
        if !Self::sandboxes(req) {
            return false;
        }
        self.is_trusted(zim_id)
            || (Self::claims_allowlist(req) && self.probed(req) != Some(Probed::Leaks))
    }

    /// Whether the viewer must run the browser test before the first page.
    pub fn needs_probe(&self, req: &Req, zim_id: &str) -> bool {
        Self::sandboxes(req)
            && !self.is_trusted(zim_id)
            && Self::claims_allowlist(req)
            && self.probed(req).is_none()
    }

    /// How an HTML entry of `zim_id` is served to this request on `origin`.
    /// Scripts run only on the content origin, inside a frame another page
    /// of this machine made, and only for a browser that holds them in.
    pub fn scripts(&self, origin: Origin, req: &Req, zim_id: &str) -> Scripts {
        if origin != Origin::Content {
            return Scripts::Off;
        }
        let framed = matches!(req.fetch_dest.as_deref(), Some("iframe" | "frame"))
            && matches!(req.fetch_site.as_deref(), Some("same-site" | "same-origin"));
        if !framed {
            return Scripts::Off;
        }
        let holds = Self::claims_allowlist(req) && self.probed(req) == Some(Probed::Holds);
        if holds || self.is_trusted(zim_id) {
            Scripts::Run
        } else {
            Scripts::Off
        }
    }

    /// For entries that are not pages (workers, scripts, data): their
    /// policy allows scripts when this browser may run this archive's.
    pub fn scripts_for_entry(&self, origin: Origin, req: &Req, zim_id: &str) -> Scripts {
        if origin != Origin::Content || !Self::sandboxes(req) {
            return Scripts::Off;
        }
        let holds = Self::claims_allowlist(req) && self.probed(req) == Some(Probed::Holds);
        if holds || self.is_trusted(zim_id) {
            Scripts::Run
        } else {
            Scripts::Off
        }
    }

    /// Starts one browser test; returns its nonce.
    pub fn probe_start(&self, req: &Req, nonce: String) {
        let ua = req.user_agent.clone().unwrap_or_default();
        if let Ok(mut p) = self.probe.lock() {
            if p.open.len() >= MAX_REMEMBERED {
                p.open.clear();
            }
            p.open.insert(nonce, (ua, false));
        }
    }

    /// The forbidden request of a test arrived: the browser let it out.
    pub fn probe_hit(&self, nonce: &str) {
        if let Ok(mut p) = self.probe.lock() {
            if let Some(o) = p.open.get_mut(nonce) {
                o.1 = true;
            }
        }
    }

    /// The test page says how its forbidden request ended. The browser
    /// holds only when the page saw it refused and the server never saw it.
    pub fn probe_done(&self, req: &Req, nonce: &str, refused: bool) -> Option<Probed> {
        let ua = req.user_agent.clone().unwrap_or_default();
        let mut p = self.probe.lock().ok()?;
        let (test_ua, hit) = p.open.remove(nonce)?;
        if test_ua != ua {
            return None;
        }
        let result = if refused && !hit {
            Probed::Holds
        } else {
            Probed::Leaks
        };
        if p.results.len() >= MAX_REMEMBERED && !p.results.contains_key(&ua) {
            return Some(result);
        }
        // A browser that leaked once stays marked, whatever a later test says.
        let slot = p.results.entry(ua).or_insert(result);
        if result == Probed::Leaks {
            *slot = Probed::Leaks;
        }
        Some(*slot)
    }
}

/// What the Fetch Metadata gate says about a request, before any route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    Pass,
    /// Refused: another site (or the other origin) asked.
    Refuse,
    /// A service worker's script: never served, so none registers.
    NoWorker,
}

fn top_level_navigation(req: &Req) -> bool {
    req.fetch_mode.as_deref() == Some("navigate") && req.fetch_dest.as_deref() == Some("document")
}

/// Item 5 of the design: requests that other sites' pages make are refused
/// on both origins, except a top-level navigation (a link someone clicks).
/// The interface also refuses what the content origin's pages ask of it;
/// the content origin serves its own subresources and the viewer's frame.
/// Browsers that send no Fetch Metadata pass (the Host and Origin guards
/// still hold).
pub fn gate(origin: Origin, req: &Req) -> Gate {
    if req.service_worker || req.fetch_dest.as_deref() == Some("serviceworker") {
        return Gate::NoWorker;
    }
    let Some(site) = req.fetch_site.as_deref() else {
        return Gate::Pass;
    };
    match (origin, site) {
        (_, "same-origin" | "none") => Gate::Pass,
        (_, _) if top_level_navigation(req) => Gate::Pass,
        // The viewer framing the content origin: same site, another port.
        (Origin::Content, "same-site")
            if matches!(req.fetch_dest.as_deref(), Some("iframe" | "frame")) =>
        {
            Gate::Pass
        }
        _ => Gate::Refuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::Method;

    fn req(site: Option<&str>, dest: Option<&str>, mode: Option<&str>) -> Req {
        let mut r = Req::new(Method::Get, "/");
        r.fetch_site = site.map(str::to_string);
        r.fetch_dest = dest.map(str::to_string);
        r.fetch_mode = mode.map(str::to_string);
        r
    }

    #[test]
    fn chromium_versions() {
        let mut r = req(None, None, None);
        r.user_agent = Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36".into());
        assert_eq!(chromium_major(&r), Some(156));
        r.ch_ua = Some("\"Chromium\";v=\"109\", \"Not_A Brand\";v=\"24\"".into());
        assert_eq!(chromium_major(&r), Some(109));
        r.ch_ua = None;
        r.user_agent =
            Some("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0".into());
        assert_eq!(chromium_major(&r), None);
        r.user_agent = Some("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)".into());
        assert_eq!(chromium_major(&r), None);
    }

    #[test]
    fn trusted_file() {
        let (ids, all) = parse_trusted(
            "\u{feff}# archives whose scripts may run\nphet/phet_ko_all_2024-01.zim\nyoutube_x # the channel\n\nSplit.zimaa\n",
        );
        assert!(!all);
        assert!(ids.contains("phet_ko_all_2024-01"));
        assert!(ids.contains("youtube_x"));
        assert!(ids.contains("split"));
        assert_eq!(ids.len(), 3);
        assert!(parse_trusted("*\n").1);
    }

    #[test]
    fn gates() {
        use Gate::*;
        let g = |o, s, d, m| gate(o, &req(s, d, m));
        assert_eq!(g(Origin::Ui, None, None, None), Pass);
        assert_eq!(
            g(
                Origin::Ui,
                Some("cross-site"),
                Some("document"),
                Some("navigate")
            ),
            Pass
        );
        assert_eq!(
            g(Origin::Ui, Some("cross-site"), Some("empty"), Some("cors")),
            Refuse
        );
        assert_eq!(
            g(
                Origin::Ui,
                Some("cross-site"),
                Some("image"),
                Some("no-cors")
            ),
            Refuse
        );
        assert_eq!(
            g(
                Origin::Ui,
                Some("same-site"),
                Some("empty"),
                Some("no-cors")
            ),
            Refuse
        );
        assert_eq!(
            g(
                Origin::Ui,
                Some("same-site"),
                Some("iframe"),
                Some("navigate")
            ),
            Refuse
        );
        assert_eq!(
            g(
                Origin::Content,
                Some("same-site"),
                Some("iframe"),
                Some("navigate")
            ),
            Pass
        );
        assert_eq!(
            g(
                Origin::Content,
                Some("cross-site"),
                Some("iframe"),
                Some("navigate")
            ),
            Refuse
        );
        assert_eq!(
            g(
                Origin::Content,
                Some("same-site"),
                Some("script"),
                Some("no-cors")
            ),
            Refuse
        );
        assert_eq!(
            g(
                Origin::Content,
                Some("same-origin"),
                Some("script"),
                Some("no-cors")
            ),
            Pass
        );
        let mut sw = req(
            Some("same-origin"),
            Some("serviceworker"),
            Some("same-origin"),
        );
        assert_eq!(gate(Origin::Content, &sw), NoWorker);
        sw.fetch_dest = Some("script".into());
        sw.service_worker = true;
        assert_eq!(gate(Origin::Ui, &sw), NoWorker);
    }

    #[test]
    fn scripts_need_a_frame_a_browser_that_holds_and_a_passed_test() {
        let c = Containment::new(Origins { ui: 1, content: 2 }, false, HashSet::new());
        let mut r = req(Some("same-site"), Some("iframe"), Some("navigate"));
        r.user_agent = Some("Chrome/156.0".into());
        assert!(c.viewer_for(&r, "a"));
        assert!(c.needs_probe(&r, "a"));
        assert_eq!(c.scripts(Origin::Content, &r, "a"), Scripts::Off);
        c.probe_start(&r, "n1".into());
        assert_eq!(c.probe_done(&r, "n1", true), Some(Probed::Holds));
        assert_eq!(c.scripts(Origin::Content, &r, "a"), Scripts::Run);
        assert_eq!(c.scripts(Origin::Ui, &r, "a"), Scripts::Off);
        // Opened as a page of its own: never scripted.
        let mut top = req(Some("none"), Some("document"), Some("navigate"));
        top.user_agent = r.user_agent.clone();
        assert_eq!(c.scripts(Origin::Content, &top, "a"), Scripts::Off);
        // A forbidden request that arrived marks the browser for good.
        c.probe_start(&r, "n2".into());
        c.probe_hit("n2");
        assert_eq!(c.probe_done(&r, "n2", true), Some(Probed::Leaks));
        c.probe_start(&r, "n3".into());
        assert_eq!(c.probe_done(&r, "n3", true), Some(Probed::Leaks));
        assert_eq!(c.scripts(Origin::Content, &r, "a"), Scripts::Off);
        assert!(!c.viewer_for(&r, "a"));
        // Unknown nonces change nothing.
        assert_eq!(c.probe_done(&r, "nope", true), None);
    }

    #[test]
    fn trusted_archives_run_in_sandboxing_browsers_only() {
        let (ids, _) = parse_trusted("phet\n");
        let c = Containment::new(Origins { ui: 1, content: 2 }, false, ids);
        let mut ff = req(Some("same-site"), Some("iframe"), Some("navigate"));
        ff.user_agent = Some("Firefox/115.0".into());
        assert!(c.viewer_for(&ff, "PhET"));
        assert_eq!(c.scripts(Origin::Content, &ff, "phet"), Scripts::Run);
        assert_eq!(c.scripts(Origin::Content, &ff, "other"), Scripts::Off);
        assert!(!c.viewer_for(&ff, "other"));
        let old = req(None, None, None);
        assert!(!c.viewer_for(&old, "phet"));
        assert_eq!(c.scripts(Origin::Content, &old, "phet"), Scripts::Off);
    }
}
