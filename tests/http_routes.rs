//! Every route of the server, spoken to over HTTP on a real socket, against
//! the sample bundle in the repository.

mod common;

use common::*;
use serde_json::Value;
use std::sync::OnceLock;

const WIKI: &str = "wikipedia_ko_sample_2024-02";
const LAW: &str = "wikisource_ko_constitution_2024-02";

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&sample_bundle()))
}

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(repo().join("tests/fixtures/sample-bundle.manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn wiki_manifest() -> Value {
    manifest()["zims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["file"].as_str().unwrap().contains("wikipedia_ko_sample"))
        .unwrap()
        .clone()
}

fn assert_safety_headers(r: &Resp) {
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(r.header("Referrer-Policy"), Some("no-referrer"));
    let csp = r.header("Content-Security-Policy").expect("CSP");
    assert!(
        csp.contains("default-src 'self'") || csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(
        !csp.contains("http:") && !csp.contains("https:") && !csp.contains('*'),
        "{csp}"
    );
    assert!(r.header("Access-Control-Allow-Origin").is_none());
}

#[test]
fn home_lists_the_archives() {
    let r = server().get("/");
    assert_eq!(r.status, 200);
    assert_safety_headers(&r);
    let t = r.text();
    assert!(t.contains("위키백과 샘플"), "{t}");
    assert!(t.contains(&format!("/content/{WIKI}/")));
    assert!(t.contains(&format!("/content/{LAW}/")));
    assert!(t.contains("lang=\"ko\""));
    assert!(t.contains(&format!("/icon/{WIKI}")));
    let icon = server().get(&format!("/icon/{WIKI}"));
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("Content-Type"), Some("image/png"));
    assert!(icon.body.starts_with(b"\x89PNG"));
}

#[test]
fn language_switch_and_negotiation() {
    let en = server().get("/?lang=en");
    assert!(en.text().contains("lang=\"en\""));
    assert!(en.text().contains("Encyclopedias"));
    // Links keep the language chosen in the URL.
    assert!(en.text().contains(&format!("/content/{WIKI}/?lang=en")));
    let accept = server().request("GET", "/", &[("Accept-Language", "en-US,en;q=0.9")]);
    assert!(accept.text().contains("<html lang=\"en\">"));
    let ko = server().get("/");
    assert!(ko.text().contains("<html lang=\"ko\">"));
}

#[test]
fn main_page_redirect_and_article() {
    let m = wiki_manifest();
    let main = m["main_path"].as_str().unwrap();
    let r = server().get(&format!("/content/{WIKI}/"));
    assert_eq!(r.status, 302);
    let loc = r.header("Location").unwrap().to_string();
    assert_eq!(loc, format!("/content/{WIKI}/{}", enc(main)));
    let page = server().get(&loc);
    assert_eq!(page.status, 200);
    assert_safety_headers(&page);
    assert!(page
        .header("Content-Type")
        .unwrap()
        .starts_with("text/html"));
    let t = page.text();
    assert!(t.contains("id=\"ds-bar\""), "toolbar missing");
    assert!(t.contains(&format!("/random?zim={WIKI}")));
    assert!(t.contains(&format!("name=\"zim\" value=\"{WIKI}\"")));
    // Without the trailing slash the archive root still leads to the main page.
    let r = server().get(&format!("/content/{WIKI}"));
    assert_eq!(r.status, 302);
}

#[test]
fn every_article_of_the_manifest_is_served() {
    let m = wiki_manifest();
    for a in m["articles_list"].as_array().unwrap() {
        let path = a["path"].as_str().unwrap();
        let r = server().get(&format!("/content/{WIKI}/{}", enc(path)));
        assert_eq!(r.status, 200, "{path}");
        let title = a["title"].as_str().unwrap();
        let escaped = driveshelf::render::html::escape(title);
        let t = r.text();
        assert!(
            t.contains(title) || t.contains(&escaped),
            "{path}: title {title} not in page"
        );
    }
}

#[test]
fn redirects_answer_302_to_their_target() {
    let m = wiki_manifest();
    for red in m["redirects"].as_array().unwrap() {
        let from = red["path"].as_str().unwrap();
        let to = red["target"].as_str().unwrap();
        let r = server().get(&format!("/content/{WIKI}/{}", enc(from)));
        assert_eq!(r.status, 302, "{from}");
        assert_eq!(
            r.header("Location").unwrap(),
            format!("/content/{WIKI}/{}", enc(to))
        );
        let raw = server().get(&format!("/raw/{WIKI}/{}", enc(from)));
        assert_eq!(raw.status, 302);
        assert_eq!(
            raw.header("Location").unwrap(),
            format!("/raw/{WIKI}/{}", enc(to))
        );
    }
}

#[test]
fn external_links_are_rewritten_on_the_server() {
    let m = wiki_manifest();
    let mut seen_external = 0;
    for a in m["articles_list"].as_array().unwrap() {
        let path = a["path"].as_str().unwrap();
        let page = server()
            .get(&format!("/content/{WIKI}/{}", enc(path)))
            .text();
        let raw = server().get(&format!("/raw/{WIKI}/{}", enc(path))).text();
        for needle in [
            "href=\"https://",
            "href=\"http://",
            "href='https://",
            "href=\"//",
        ] {
            assert!(!page.contains(needle), "{path} still links out: {needle}");
        }
        if raw.contains("href=\"https://") || raw.contains("href=\"http://") {
            seen_external += 1;
            assert!(page.contains("/external?url=http"), "{path}");
        }
    }
    assert!(
        seen_external > 0,
        "the sample has external links; none seen"
    );
    let notice =
        server().get("/external?url=https%3A%2F%2Fko.wikipedia.org%2Fwiki%2F%EC%84%9C%EC%9A%B8");
    assert_eq!(notice.status, 200);
    let t = notice.text();
    assert!(t.contains("https://ko.wikipedia.org/wiki/서울"));
    assert!(
        !t.contains("href=\"https://ko.wikipedia.org"),
        "the address must not be a link"
    );
}

#[test]
fn raw_is_exact_bytes() {
    let m = wiki_manifest();
    let first = m["articles_list"][0]["path"].as_str().unwrap();
    let raw = server().get(&format!("/raw/{WIKI}/{}", enc(first)));
    assert_eq!(raw.status, 200);
    assert!(!raw.text().contains("ds-bar"));
    let css = m["css"].as_str().unwrap();
    let r = server().get(&format!("/raw/{WIKI}/{}", enc(css)));
    assert_eq!(r.status, 200);
    // Stored bytes, but stylesheets, pages and SVG go out as plain text: a
    // browser without CSP would otherwise apply or run them unrewritten.
    assert_eq!(r.header("Content-Type").unwrap(), "text/plain");
    assert_eq!(raw.header("Content-Type").unwrap(), "text/plain");
}

#[test]
fn ranges_and_head() {
    let m = wiki_manifest();
    let img = m["images"][0]["path"].as_str().unwrap();
    let url = format!("/content/{WIKI}/{}", enc(img));
    let full = server().get(&url);
    assert_eq!(full.status, 200);
    assert_eq!(full.header("Accept-Ranges"), Some("bytes"));
    let len = full.body.len();
    assert!(len > 10);
    assert_eq!(full.header("Content-Length").unwrap(), len.to_string());

    let part = server().request("GET", &url, &[("Range", "bytes=2-5")]);
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("Content-Range").unwrap(),
        format!("bytes 2-5/{len}")
    );
    assert_eq!(part.body, full.body[2..6]);

    let tail = server().request("GET", &url, &[("Range", "bytes=-4")]);
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, full.body[len - 4..]);

    let bad = server().request("GET", &url, &[("Range", &format!("bytes={len}-"))]);
    assert_eq!(bad.status, 416);
    assert_eq!(
        bad.header("Content-Range").unwrap(),
        format!("bytes */{len}")
    );

    let head = server().request("HEAD", &url, &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length").unwrap(), len.to_string());
    assert_safety_headers(&head);
}

#[test]
fn random_goes_to_an_article() {
    for _ in 0..10 {
        let r = server().get(&format!("/random?zim={WIKI}"));
        assert_eq!(r.status, 302);
        let loc = r.header("Location").unwrap().to_string();
        assert!(loc.starts_with(&format!("/content/{WIKI}/")), "{loc}");
        let page = server().get(&loc);
        assert_eq!(page.status, 200, "{loc}");
        assert!(
            page.header("Content-Type")
                .unwrap()
                .starts_with("text/html"),
            "{loc}"
        );
    }
    let any = server().get("/random");
    assert_eq!(any.status, 302);
    assert_eq!(server().get("/random?zim=nope").status, 404);
}

#[test]
fn title_search_and_suggestions() {
    // Case-insensitive prefix, across archives.
    let r = server().get("/api/suggest?q=seoul");
    assert_eq!(r.status, 200);
    assert!(r
        .header("Content-Type")
        .unwrap()
        .starts_with("application/json"));
    let v = r.json();
    let titles: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Seoul") && titles.contains(&"SEOUL"),
        "{titles:?}"
    );
    for h in v
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "article")
    {
        assert_eq!(h["zim"], WIKI);
        let page = server().get(h["url"].as_str().unwrap());
        assert!(matches!(page.status, 200 | 302));
    }
    let korean = server()
        .get(&format!("/api/suggest?q={}&zim={WIKI}", enc("서울")))
        .json();
    assert!(
        korean
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["title"] == "서울 (도시)"),
        "{korean}"
    );
    let limited = server().get("/api/suggest?q=k&limit=2").json();
    assert!(limited.as_array().unwrap().len() <= 2);

    let s = server().get("/api/search?q=kimchi&limit=2").json();
    assert!(s["total"].as_u64().unwrap() >= 3, "{s}");
    assert_eq!(s["results"].as_array().unwrap().len(), 2);
    let page2 = server().get("/api/search?q=kimchi&limit=2&offset=2").json();
    assert_ne!(s["results"][0]["url"], page2["results"][0]["url"]);

    let html = server().get("/search?q=kimchi");
    assert_eq!(html.status, 200);
    assert_safety_headers(&html);
    let t = html.text();
    assert!(t.contains("Kimchi") && t.contains("KIMCHI"), "{t}");

    let none = server().get("/search?q=zzzzqqq").text();
    assert!(none.contains("찾는 것이 없습니다"));
    let scoped = server()
        .get(&format!("/search?q=%EB%8C%80%ED%95%9C&zim={LAW}"))
        .text();
    assert!(scoped.contains(&format!("/content/{LAW}/")));
    assert!(!scoped.contains(&format!("/content/{WIKI}/")));
}

#[test]
fn search_pages_through_results() {
    let all = server().get("/api/search?q=%EB%8C%80&limit=100").json();
    let total = all["total"].as_u64().unwrap();
    if total > 20 {
        let t = server().get("/search?q=%EB%8C%80").text();
        assert!(t.contains("offset=20"), "pager link missing");
    }
}

#[test]
fn catalog_json() {
    let v = server().get("/api/catalog").json();
    let zims = v["zims"].as_array().unwrap();
    assert_eq!(zims.len(), 2);
    let wiki = zims.iter().find(|z| z["id"] == WIKI).unwrap();
    assert_eq!(wiki["title"], "위키백과 샘플");
    assert_eq!(wiki["language"], "kor");
    assert_eq!(wiki["damaged"], false);
    assert_eq!(wiki["error"], Value::Null);
    assert_eq!(wiki["file"], "wikipedia/wikipedia_ko_sample_2024-02.zim");
    assert_eq!(wiki["url"], format!("/content/{WIKI}/"));
    assert!(wiki["articles"].as_u64().unwrap() >= 50);
    let main = wiki["main_page"].as_str().unwrap();
    assert_eq!(server().get(main).status, 200);
}

#[test]
fn assets_are_served_under_a_versioned_path() {
    let prefix = driveshelf::assets::PREFIX;
    let home = server().get("/").text();
    assert!(home.contains(&format!("{prefix}style.css")));
    let css = server().get(&format!("{prefix}style.css"));
    assert_eq!(css.status, 200);
    assert!(css.header("Content-Type").unwrap().starts_with("text/css"));
    assert_eq!(server().get(&format!("{prefix}app.js")).status, 200);
    assert_eq!(server().get(&format!("{prefix}nope.css")).status, 404);
    assert_eq!(server().get("/_/0.0.0/style.css").status, 404);
}

#[test]
fn unknown_urls_get_a_404_page_in_the_ui_language() {
    let r = server().get("/no/such/page");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("찾을 수 없습니다"));
    let en = server().get("/no/such/page?lang=en");
    assert!(en.text().contains("Not found"));
    assert_eq!(
        server()
            .get(&format!("/content/{WIKI}/No_such_article"))
            .status,
        404
    );
    assert_eq!(server().get("/content/no_such_archive/x").status, 404);
}

#[test]
fn only_get_and_head() {
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let r = server().request(m, "/", &[("Content-Length", "0")]);
        assert_eq!(r.status, 405, "{m}");
        assert_eq!(r.header("Allow"), Some("GET, HEAD"));
        assert_safety_headers(&r);
    }
}

#[test]
fn host_header_must_name_this_server() {
    let port = server().port;
    for host in [
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        assert_eq!(
            server().request("GET", "/", &[("Host", &host)]).status,
            200,
            "{host}"
        );
    }
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        "127.0.0.1".to_string(),
        format!("localhost:{}", port.wrapping_add(1)),
    ] {
        let r = server().request("GET", "/api/catalog", &[("Host", &host)]);
        assert_eq!(r.status, 421, "{host}");
        assert!(!r.text().contains("zims"));
        assert_safety_headers(&r);
    }
    let no_host = server().raw(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(no_host.status, 421);
}

#[test]
fn traversal_never_reaches_the_filesystem() {
    let secret = "wikipedia/wikipedia_ko_sample_2024-02.zim";
    let paths = [
        "/../../../../etc/passwd",
        "/content/../../etc/passwd",
        "/content/%2e%2e/%2e%2e/etc/passwd",
        "/content/..%2f..%2fetc%2fpasswd",
        "/_/0.1.0/..%2f..%2fCargo.toml",
        "/_/0.1.0/../../Cargo.toml",
        "/_/0.1.0/..\\..\\Cargo.toml",
        "/raw/%2e%2e%2f%2e%2e%2fCargo.toml/x",
        "/content/wikipedia_ko_sample_2024-02/..%2F..%2F..%2Fetc%2Fpasswd",
        "/content/wikipedia_ko_sample_2024-02/%00",
        "/content/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "/content//etc/passwd",
        "/content/C:%5Cwindows%5Cwin.ini/x",
        "/icon/..%2f..%2fCargo.toml",
        "//etc/passwd",
        "/sample-bundle/wikipedia/wikipedia_ko_sample_2024-02.zim",
    ];
    for p in paths {
        let r = server().get(p);
        assert!(matches!(r.status, 400 | 404), "{p}: {}", r.status);
        let t = r.text();
        assert!(!t.contains("root:x:0:0"), "{p}");
        assert!(!t.contains("[package]"), "{p}");
        assert!(!r.body.starts_with(b"ZIM\x04"), "{p}");
        let _ = secret;
    }
}

#[test]
fn hostile_requests_do_not_hurt_the_server() {
    // Over the URL limit (issue 4): refused, not searched.
    let long = format!("/search?q={}", "a".repeat(20_000));
    assert_eq!(server().get(&long).status, 414);
    // Garbage may get a 400 or a closed connection; either way the server stays.
    let _ = server().raw_bytes(b"GARBAGE\r\n\r\n");
    let _ = server().raw_bytes(b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n");
    let _ = server().raw_bytes(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=\xff\r\n\r\n");
    assert_eq!(server().get("/").status, 200);
}

#[test]
fn hide_page_is_neutral_and_every_page_can_hide_and_close() {
    let r = server().get("/hide");
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains("<title>새 탭</title>"), "{t}");
    assert!(!t.contains("위키"));
    for url in ["/", "/search?q=a", &format!("/content/{WIKI}/")] {
        let mut r = server().get(url);
        if r.status == 302 {
            r = server().get(r.header("Location").unwrap());
        }
        let t = r.text();
        assert!(t.contains("href=\"/hide\""), "{url}");
        if url.starts_with("/content/") {
            // An archive page never holds the close token: it links to
            // the close page, which does.
            assert!(t.contains("href=\"/close\""), "{url}");
            assert!(!t.contains("token="), "{url}");
            let close = server().get("/close").text();
            assert!(close.contains("action=\"/close?token="), "{close}");
        } else {
            assert!(t.contains("action=\"/close?token="), "{url}");
        }
    }
}

#[test]
fn no_server_product_name() {
    let r = server().get("/");
    let server_header = r.header("Server").unwrap_or("");
    assert!(
        !server_header.to_lowercase().contains("tiny") && !server_header.contains('/'),
        "{server_header}"
    );
}

#[test]
fn other_origins_and_other_addresses_get_nothing() {
    let port = server().port;
    let r = server().request("GET", "/api/catalog", &[("Origin", "http://evil.example")]);
    assert_eq!(r.status, 403);
    assert!(!r.text().contains("zims"));
    let r = server().request("GET", "/api/catalog", &[("Origin", "null")]);
    assert_eq!(r.status, 403);
    let ok = server().request(
        "GET",
        "/api/catalog",
        &[("Origin", &format!("http://127.0.0.1:{port}"))],
    );
    assert_eq!(ok.status, 200);
    assert!(ok.header("Access-Control-Allow-Origin").is_none());
    // Listening on 127.0.0.1 only: another loopback address is not served.
    let other = std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 2], port)),
        std::time::Duration::from_secs(2),
    );
    assert!(other.is_err(), "127.0.0.2 must not reach the server");
    // Nor the machine's own non-loopback addresses.
    let out = std::process::Command::new("hostname").arg("-I").output();
    for addr in out.iter().flat_map(|o| {
        String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    }) {
        if let Ok(ip) = addr.parse::<std::net::IpAddr>() {
            let c = std::net::TcpStream::connect_timeout(
                &std::net::SocketAddr::new(ip, port),
                std::time::Duration::from_secs(2),
            );
            assert!(c.is_err(), "{ip} must not reach the server");
        }
    }
}

#[test]
fn archive_pages_are_sandboxed_without_scripts_by_default() {
    let r = server().get(&format!("/content/{WIKI}/Seoul"));
    assert_eq!(r.status, 200);
    let csp = r.header("Content-Security-Policy").unwrap();
    assert!(
        csp.starts_with("sandbox ") && !csp.contains("allow-scripts"),
        "{csp}"
    );
    assert!(!csp.contains("allow-top-navigation"), "{csp}");
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert!(
        !r.text().contains("app.js"),
        "no script of ours in a sandboxed page"
    );

    // --archive-scripts: the interface origin still never runs them; the
    // content origin does, for the viewer's frame only.
    let dir = sample_bundle();
    let opts = driveshelf::args::ServeOptions {
        port: 0,
        open_browser: false,
        archive_scripts: true,
        ..Default::default()
    };
    let running = driveshelf::serve::start(&opts, &dir).unwrap();
    let s = Server::attach(running.port());
    let r = s.get(&format!("/content/{WIKI}/Seoul"));
    let csp = r.header("Content-Security-Policy").unwrap();
    assert!(csp.contains("script-src 'none'"), "{csp}");
    let c = Server::attach(running.content_port().unwrap());
    let framed = [
        ("Sec-Fetch-Dest", "iframe"),
        ("Sec-Fetch-Site", "same-site"),
        ("Sec-Fetch-Mode", "navigate"),
    ];
    let r = c.request("GET", &format!("/content/{WIKI}/Seoul"), &framed);
    assert_eq!(r.status, 200);
    let csp = r.header("Content-Security-Policy").unwrap();
    assert!(
        csp.contains("allow-scripts") && csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    assert!(
        !csp.contains("allow-top-navigation") && !csp.contains("allow-popups"),
        "{csp}"
    );
    assert_eq!(r.header("Connection-Allowlist"), Some("(response-origin)"));
    let t = r.text();
    assert!(t.contains("var UI = ") && !t.contains("token="));
    running.shutdown();
}
