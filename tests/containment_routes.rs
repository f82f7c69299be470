//! Issue 13 over HTTP: which origin serves what, the Fetch Metadata gates,
//! the headers of the viewer and of framed content, the browser test, the
//! drive's trusted-archives file, and where links lead. The real-browser
//! proof is in `browser_containment.rs`.

mod common;

use common::{sample_bundle, start, Resp, Server};
use std::sync::OnceLock;

const WIKI: &str = "wikipedia_ko_sample_2024-02";
const LAW: &str = "wikisource_ko_constitution_2024-02";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const CHROME_109: &str = "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36";
const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0";

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&sample_bundle()))
}

fn content(s: &Server) -> Server {
    Server::attach(s.content_port)
}

const NAV: [(&str, &str); 3] = [
    ("Sec-Fetch-Dest", "document"),
    ("Sec-Fetch-Site", "none"),
    ("Sec-Fetch-Mode", "navigate"),
];
const FRAME: [(&str, &str); 3] = [
    ("Sec-Fetch-Dest", "iframe"),
    ("Sec-Fetch-Site", "same-site"),
    ("Sec-Fetch-Mode", "navigate"),
];

fn with_ua<'a>(h: &[(&'a str, &'a str)], ua: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut v = h.to_vec();
    v.push(("User-Agent", ua));
    v
}

fn main_path(s: &Server, id: &str) -> String {
    let r = s.get(&format!("/content/{id}/"));
    assert_eq!(r.status, 302);
    r.header("Location").unwrap().to_string()
}

#[test]
fn the_content_origin_serves_archive_entries_only() {
    let s = server();
    let c = content(s);
    assert_ne!(s.content_port, 0);
    assert_ne!(s.content_port, s.port);
    for path in [
        "/",
        "/search?q=a",
        "/api/catalog",
        "/api/suggest?q=a",
        "/hide",
        "/close",
        "/list/all",
        "/raw/x/y",
        "/view/about.md",
        "/random",
        &format!("{}style.css", driveshelf::assets::PREFIX),
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.text().contains("token="), "{path}");
    }
    let r = c.request("POST", "/close", &[("Content-Length", "0")]);
    assert_eq!(r.status, 405);
    // An archive page for the viewer's frame: no toolbar, no token.
    let page = main_path(s, WIKI);
    let r = c.request("GET", &page, &FRAME);
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(!t.contains("token=") && !t.contains("ds-bar"), "{t}");
    // Its error pages are bare too.
    let r = c.request("GET", &format!("/content/{WIKI}/No_such_page"), &FRAME);
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("token=") && !r.text().contains("/close"));
    // Another origin's Host is refused.
    let r = c.request("GET", &page, &[("Host", &format!("127.0.0.1:{}", s.port))]);
    assert_eq!(r.status, 421);
}

#[test]
fn framed_content_headers() {
    let s = server();
    let c = content(s);
    let page = main_path(s, WIKI);
    let r = c.request("GET", &page, &FRAME);
    let csp = r.header("Content-Security-Policy").unwrap();
    // Without a browser that passed the test: sandboxed, no scripts.
    assert!(
        csp.starts_with("sandbox ") && !csp.contains("allow-scripts"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert!(
        csp.contains(&format!(
            "frame-ancestors http://127.0.0.1:{} 'self'",
            s.port
        )),
        "{csp}"
    );
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert_eq!(r.header("Connection-Allowlist"), Some("(response-origin)"));
    assert!(r
        .header("Permissions-Policy")
        .unwrap()
        .contains("geolocation=()"));
    assert!(r.header("Vary").unwrap().contains("Sec-Fetch-Dest"));
    assert_eq!(r.header("X-Frame-Options"), None);
    assert!(!r.text().contains("var UI = "));
    // Opened as a page of its own: to the viewer.
    let r = c.request("GET", &page, &NAV);
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("Location").unwrap(),
        format!(
            "http://127.0.0.1:{}{}",
            s.port,
            page.replacen("/content/", "/read/", 1)
        )
    );
}

/// A server, a path, the Fetch Metadata headers, the status expected.
type Case<'a> = (&'a Server, &'a str, [(&'a str, &'a str); 3], u16);

#[test]
fn fetch_metadata_gates_on_both_origins() {
    let s = server();
    let c = &content(s);
    let page = main_path(s, WIKI);
    let cases: [Case; 9] = [
        // Another site's page: only a top-level navigation passes.
        (
            s,
            "/",
            [
                ("Sec-Fetch-Site", "cross-site"),
                ("Sec-Fetch-Dest", "document"),
                ("Sec-Fetch-Mode", "navigate"),
            ],
            200,
        ),
        (
            s,
            "/api/catalog",
            [
                ("Sec-Fetch-Site", "cross-site"),
                ("Sec-Fetch-Dest", "empty"),
                ("Sec-Fetch-Mode", "cors"),
            ],
            403,
        ),
        (
            s,
            "/icon/x",
            [
                ("Sec-Fetch-Site", "cross-site"),
                ("Sec-Fetch-Dest", "image"),
                ("Sec-Fetch-Mode", "no-cors"),
            ],
            403,
        ),
        (
            s,
            "/",
            [
                ("Sec-Fetch-Site", "cross-site"),
                ("Sec-Fetch-Dest", "iframe"),
                ("Sec-Fetch-Mode", "navigate"),
            ],
            403,
        ),
        // The content origin asking the interface (same site, other port).
        (
            s,
            "/api/catalog",
            [
                ("Sec-Fetch-Site", "same-site"),
                ("Sec-Fetch-Dest", "empty"),
                ("Sec-Fetch-Mode", "no-cors"),
            ],
            403,
        ),
        (
            s,
            "/",
            [
                ("Sec-Fetch-Site", "same-site"),
                ("Sec-Fetch-Dest", "iframe"),
                ("Sec-Fetch-Mode", "navigate"),
            ],
            403,
        ),
        // The content origin: its own subresources and the viewer's frame.
        (
            c,
            &page,
            [
                ("Sec-Fetch-Site", "same-site"),
                ("Sec-Fetch-Dest", "script"),
                ("Sec-Fetch-Mode", "no-cors"),
            ],
            403,
        ),
        (
            c,
            &page,
            [
                ("Sec-Fetch-Site", "cross-site"),
                ("Sec-Fetch-Dest", "iframe"),
                ("Sec-Fetch-Mode", "navigate"),
            ],
            403,
        ),
        (
            c,
            &page,
            [
                ("Sec-Fetch-Site", "same-origin"),
                ("Sec-Fetch-Dest", "image"),
                ("Sec-Fetch-Mode", "no-cors"),
            ],
            200,
        ),
    ];
    for (srv, path, h, want) in cases {
        let r = srv.request("GET", path, &h);
        assert_eq!(r.status, want, "{}{path} {h:?}", srv.port);
        if r.status == 403 {
            assert!(!r.text().contains("token="), "{path}");
        }
    }
    // A page of the content origin asking the interface names itself.
    let foreign = format!("http://127.0.0.1:{}", s.content_port);
    let r = s.request("GET", "/api/catalog", &[("Origin", &foreign)]);
    assert_eq!(r.status, 403);
    // Service workers never register: their script is never served.
    for srv in [s, c] {
        let r = srv.request("GET", &page, &[("Service-Worker", "script")]);
        assert_eq!(r.status, 404);
        let r = srv.request(
            "GET",
            &page,
            &[
                ("Sec-Fetch-Dest", "serviceworker"),
                ("Sec-Fetch-Site", "same-origin"),
            ],
        );
        assert_eq!(r.status, 404);
    }
}

fn frame_src(viewer: &Resp) -> String {
    let t = viewer.text();
    t.split("id=\"ds-frame\"")
        .nth(1)
        .and_then(|r| r.split("src=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .expect("the frame")
        .replace("&amp;", "&")
}

#[test]
fn the_viewer() {
    let s = server();
    let page = main_path(s, WIKI);
    let read = page.replacen("/content/", "/read/", 1);
    let r = s.request("GET", &read, &NAV);
    assert_eq!(r.status, 200);
    let csp = r.header("Content-Security-Policy").unwrap();
    let co = format!("http://127.0.0.1:{}", s.content_port);
    assert!(csp.contains(&format!("frame-src {co};")), "{csp}");
    assert!(!csp.contains("frame-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.header("X-Frame-Options"), Some("DENY"));
    assert_eq!(r.header("Cross-Origin-Opener-Policy"), Some("same-origin"));
    let t = r.text();
    // No browser known to hold scripts in: the frame's sandbox has none.
    assert!(
        t.contains("sandbox=\"allow-same-origin allow-forms allow-downloads\""),
        "{t}"
    );
    assert!(!t.contains("allow-popups") && !t.contains("allow-top-navigation"));
    assert!(
        t.contains(&format!(
            "<noscript><meta http-equiv=\"refresh\" content=\"0;url={page}\"></noscript>"
        )),
        "{t}"
    );
    assert!(
        t.contains("action=\"/close?token="),
        "the viewer holds the close control"
    );
    assert_eq!(frame_src(&r), format!("{co}{page}"));
    // The main page and redirects resolve to the viewer of their target.
    let r = s.get(&format!("/read/{WIKI}/"));
    assert_eq!(r.status, 302);
    assert_eq!(r.header("Location"), Some(read.as_str()));
    assert_eq!(s.get(&format!("/read/{WIKI}/No_such_page")).status, 404);
    assert_eq!(s.get("/read/no_such_archive/x").status, 404);
}

/// A fresh server: the browser test's result is kept per server.
fn fresh() -> Server {
    start(&sample_bundle())
}

#[test]
fn scripts_follow_the_browser_test() {
    let s = fresh();
    let c = content(&s);
    let page = main_path(&s, WIKI);
    let read = page.replacen("/content/", "/read/", 1);
    // Chromium 152+: links lead to the viewer, whose frame runs the test.
    let home = s.request("GET", "/", &with_ua(&NAV, CHROME)).text();
    assert!(home.contains(&format!("href=\"/read/{WIKI}/\"")), "{home}");
    let sugg = s
        .request(
            "GET",
            "/api/suggest?q=%EC%84%9C",
            &with_ua(
                &[
                    ("Sec-Fetch-Dest", "empty"),
                    ("Sec-Fetch-Site", "same-origin"),
                ],
                CHROME,
            ),
        )
        .json();
    assert!(
        sugg.as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "article")
            .all(|x| x["url"].as_str().unwrap().starts_with("/read/")),
        "{sugg}"
    );
    assert!(
        sugg.as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "article"),
        "{sugg}"
    );
    let viewer = s.request("GET", &read, &with_ua(&NAV, CHROME));
    let src = frame_src(&viewer);
    assert!(viewer.text().contains(
        "sandbox=\"allow-scripts allow-same-origin allow-forms allow-modals allow-downloads\""
    ));
    let probe = src
        .strip_prefix(&format!("http://127.0.0.1:{}", s.content_port))
        .unwrap()
        .to_string();
    assert!(probe.starts_with("/_ds/probe?k="), "{probe}");
    let k = probe
        .split("k=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let p = c.request("GET", &probe, &with_ua(&FRAME, CHROME));
    assert_eq!(p.status, 200);
    let csp = p.header("Content-Security-Policy").unwrap();
    assert!(
        csp.contains(&format!("connect-src 'self' http://127.0.0.1:{}", s.port)),
        "{csp}"
    );
    assert_eq!(p.header("Connection-Allowlist"), Some("(response-origin)"));
    // Before the test passes, framed pages carry no script.
    let framed = c.request("GET", &page, &with_ua(&FRAME, CHROME));
    assert!(!framed
        .header("Content-Security-Policy")
        .unwrap()
        .contains("allow-scripts"));
    // The browser refused the forbidden request: scripts run, framed only.
    let same = [
        ("Sec-Fetch-Dest", "empty"),
        ("Sec-Fetch-Site", "same-origin"),
        ("Sec-Fetch-Mode", "cors"),
    ];
    let done = c.request(
        "GET",
        &format!("/_ds/probe-done?k={k}&r=refused"),
        &with_ua(&same, CHROME),
    );
    assert_eq!(done.status, 204);
    let framed = c.request("GET", &page, &with_ua(&FRAME, CHROME));
    let csp = framed.header("Content-Security-Policy").unwrap();
    assert!(
        csp.contains("allow-scripts") && csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    let t = framed.text();
    // The helper, inline, knows only the interface's origin.
    assert!(
        t.contains(&format!("var UI = 'http://127.0.0.1:{}'", s.port)),
        "{t}"
    );
    let direct = s.request("GET", &page, &with_ua(&NAV, CHROME));
    assert!(direct
        .header("Content-Security-Policy")
        .unwrap()
        .contains("script-src 'none'"));
    // Another browser (another User-Agent) has its own result.
    let framed = c.request("GET", &page, &with_ua(&FRAME, CHROME_109));
    assert!(!framed
        .header("Content-Security-Policy")
        .unwrap()
        .contains("allow-scripts"));
    let home = s.request("GET", "/", &with_ua(&NAV, CHROME_109)).text();
    assert!(
        home.contains(&format!("href=\"/content/{WIKI}/\"")),
        "{home}"
    );

    // A browser whose forbidden request arrived: scripts off for good.
    let s = fresh();
    let c = content(&s);
    let viewer = s.request("GET", &read, &with_ua(&NAV, CHROME));
    let src = frame_src(&viewer);
    let k = src
        .split("k=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let hit = s.request(
        "GET",
        &format!("/_ds/probe-hit?k={k}"),
        &with_ua(
            &[
                ("Sec-Fetch-Site", "same-site"),
                ("Sec-Fetch-Dest", "empty"),
                ("Sec-Fetch-Mode", "no-cors"),
            ],
            CHROME,
        ),
    );
    assert_eq!(hit.status, 403);
    c.request(
        "GET",
        &format!("/_ds/probe-done?k={k}&r=refused"),
        &with_ua(&same, CHROME),
    );
    let framed = c.request("GET", &page, &with_ua(&FRAME, CHROME));
    assert!(!framed
        .header("Content-Security-Policy")
        .unwrap()
        .contains("allow-scripts"));
    let home = s.request("GET", "/", &with_ua(&NAV, CHROME)).text();
    assert!(
        home.contains(&format!("href=\"/content/{WIKI}/\"")),
        "{home}"
    );
}

#[test]
fn the_drive_names_trusted_archives() {
    let dir = common::temp_dir("trusted");
    let _ = std::fs::create_dir_all(dir.join("wiki"));
    for id in [WIKI, LAW] {
        std::fs::copy(
            sample_bundle().join("wikipedia").join(format!("{id}.zim")),
            dir.join("wiki").join(format!("{id}.zim")),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("archive-scripts.txt"),
        format!("# made by the packer\nwiki/{LAW}.zim\n"),
    )
    .unwrap();
    let s = start(&dir);
    let c = content(&s);
    // Firefox 115 sandboxes but has no Connection-Allowlist: only the
    // trusted archive runs its scripts, and only framed.
    let home = s.request("GET", "/", &with_ua(&NAV, FIREFOX)).text();
    assert!(home.contains(&format!("href=\"/read/{LAW}/\"")), "{home}");
    assert!(
        home.contains(&format!("href=\"/content/{WIKI}/\"")),
        "{home}"
    );
    let law = main_path(&s, LAW);
    let framed = c.request("GET", &law, &with_ua(&FRAME, FIREFOX));
    assert!(framed
        .header("Content-Security-Policy")
        .unwrap()
        .contains("allow-scripts"));
    let wiki = main_path(&s, WIKI);
    let framed = c.request("GET", &wiki, &with_ua(&FRAME, FIREFOX));
    assert!(!framed
        .header("Content-Security-Policy")
        .unwrap()
        .contains("allow-scripts"));
    // A browser without Fetch Metadata (Internet Explorer) never: the
    // direct page, scripts off.
    let ie = [(
        "User-Agent",
        "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)",
    )];
    let home = s.request("GET", "/", &ie).text();
    assert!(
        home.contains(&format!("href=\"/content/{LAW}/\"")),
        "{home}"
    );
    let framed = c.request("GET", &law, &ie);
    assert!(!framed
        .header("Content-Security-Policy")
        .unwrap()
        .contains("allow-scripts"));
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every article of the sample archives, as the direct page and framed,
/// with scripts off and on: always the page, never an error.
#[test]
fn every_sample_article_is_served_on_both_origins() {
    let s = fresh();
    let c = content(&s);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/fixtures/sample-bundle.manifest.json"))
            .unwrap(),
    )
    .unwrap();
    let mut n = 0;
    for z in manifest["zims"].as_array().unwrap() {
        let id = z["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".zim")
            .to_string();
        for a in z["articles_list"].as_array().into_iter().flatten() {
            let path = format!("/content/{id}/{}", common::enc(a["path"].as_str().unwrap()));
            assert_eq!(s.get(&path).status, 200, "{path}");
            assert_eq!(c.request("GET", &path, &FRAME).status, 200, "{path}");
            n += 1;
        }
    }
    assert!(n >= 50, "{n}");
}
