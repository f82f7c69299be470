//! Issue 13 in headless Chromium: archive scripts run in the viewer's
//! sandboxed frame on the content origin only where the browser holds them
//! in, and nothing they try leaves. "Outside" is a TCP + UDP trap on another
//! loopback port (connections and datagrams counted), reached by name
//! (`*.trap.test`, mapped to 127.0.0.1) and by address; the browser's own
//! record of requests (CDP Network) is the second oracle.
//!
//! Two browser runs: Chromium as it ships (it enforces
//! `Connection-Allowlist`; the browser test passes, scripts run), and
//! Chromium with that feature switched off (the test fails, scripts must
//! then be off). Each run also loads the pages with JavaScript off.

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::hostile::{self, NAV_PAGES};
use browser::trap::NetTrap;
use browser::{Page, Res};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

struct Setup {
    dir: PathBuf,
    trap: NetTrap,
    /// Tabs open before the tests (Chromium's first blank one and ours).
    tabs: usize,
}

fn setup(name: &str) -> Setup {
    let trap = NetTrap::start();
    let dir = common::temp_dir(name);
    hostile::write_hostile(&dir.join("hostile.zim"), trap.port);
    hostile::write_app(&dir.join("app.zim"));
    hostile::write_crawl(&dir.join("crawl.zim"));
    Setup { dir, trap, tabs: 0 }
}

fn chromium(trap: &NetTrap, allowlist: bool) -> Option<browser::Browser> {
    let mut args = vec!["--proxy-bypass-list=*.trap.test".to_string()];
    if !allowlist {
        args.push("--disable-features=ConnectionAllowlists".to_string());
    }
    let _ = trap;
    browser::launch_with(&args, "MAP *.trap.test 127.0.0.1, ")
}

/// Every request the page made either stayed on this machine's two
/// origins (or `data:`/`blob:`/`about:`) or was refused inside the browser;
/// none was answered from elsewhere; the trap saw nothing.
fn nothing_left(page: &mut Page, setup: &Setup, ports: impl AsRef<[u16]>, what: &str) -> Res<()> {
    let ports = ports.as_ref();
    let log = page.log().clone();
    let ours = |u: &str| {
        ports
            .iter()
            .any(|p| u.starts_with(&format!("http://127.0.0.1:{p}/")))
            || ["data:", "blob:", "about:", "chrome-error:"]
                .iter()
                .any(|s| u.starts_with(s))
    };
    for u in log.requests.iter().filter(|u| !ours(u)) {
        let refused = log.failures.iter().any(|f| &f.url == u);
        assert!(refused, "{what}: {u} was asked for and not refused");
        assert!(
            !log.responses.iter().any(|r| &r.url == u),
            "{what}: {u} was answered"
        );
    }
    let (tcp, udp) = setup.trap.counts();
    assert_eq!(
        (tcp, udp),
        (0, 0),
        "{what}: the trap saw {tcp} connections and {udp} datagrams: {:?}",
        setup.trap.lines()
    );
    let proxied: Vec<String> = page
        .trapped()
        .into_iter()
        .filter(|l| l.contains("trap.test") || l.contains(&setup.trap.port.to_string()))
        .collect();
    assert!(
        proxied.is_empty(),
        "{what}: reached the trap proxy: {proxied:?}"
    );
    let pages = page.targets("page")?;
    assert_eq!(
        pages.len(),
        setup.tabs,
        "{what}: a window opened: {pages:?}"
    );
    let workers = page.targets("service_worker")?;
    assert!(workers.is_empty(), "{what}: a service worker: {workers:?}");
    Ok(())
}

/// Another local site: answers every request with `html`, until dropped.
struct ThirdParty(u16, std::sync::Arc<std::sync::atomic::AtomicBool>);

fn third_party(html: &str) -> ThirdParty {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("third party");
    let port = l.local_addr().expect("addr").port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (stop2, body) = (stop.clone(), html.to_string());
    std::thread::spawn(move || {
        for c in l.incoming() {
            if stop2.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let Ok(mut c) = c else { continue };
            let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    ThirdParty(port, stop)
}

impl Drop for ThirdParty {
    fn drop(&mut self) {
        self.1.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.0));
    }
}

fn title(page: &mut Page) -> Res<String> {
    Ok(page
        .eval("document.title")?
        .as_str()
        .unwrap_or("")
        .to_string())
}

fn wait_title(page: &mut Page, has: &str) -> Res<String> {
    page.wait_true(
        &format!("document.title.indexOf({}) >= 0", json!(has)),
        Duration::from_secs(15),
    )
    .map_err(|e| {
        let log = page.log().clone();
        format!(
            "{e}; title {:?}; at {:?}; requests {:?}; responses {:?}; failures {:?}; console {:?}",
            page.eval("document.title"),
            page.url(),
            log.requests
                .iter()
                .map(|u| u.chars().take(100).collect::<String>())
                .collect::<Vec<_>>(),
            log.responses
                .iter()
                .map(|r| (r.url.chars().take(100).collect::<String>(), r.status))
                .collect::<Vec<_>>(),
            log.failures,
            log.console
        )
    })?;
    title(page)
}

fn location(page: &mut Page) -> Res<String> {
    Ok(page
        .eval("location.pathname + location.search + location.hash")?
        .as_str()
        .unwrap_or("")
        .to_string())
}

#[test]
fn scripts_run_contained_where_the_browser_holds_them() -> Res<()> {
    let mut setup = setup("contain-ca");
    let _cleanup = browser::RemoveOnDrop(setup.dir.clone());
    let Some(mut b) = chromium(&setup.trap, true) else {
        return Ok(());
    };
    let server = common::start(&setup.dir);
    let (ui, content) = (server.port, server.content_port);
    let base = server.base_url();
    let mut page = b.new_page()?;
    setup.tabs = page.targets("page")?.len();

    // The home page links to the viewer for a browser that may run scripts.
    page.navigate(&format!("{base}/"))?;
    let links = page.eval("Array.prototype.map.call(document.querySelectorAll('.cards a'), function (a) { return a.getAttribute('href'); }).join(' ')")?;
    assert!(
        links.as_str().unwrap_or("").contains("/read/app/"),
        "home links: {links}"
    );

    // The app that needs its scripts works, in the frame (the first load
    // runs the browser test first).
    page.clear_log();
    page.navigate(&format!("{base}/read/app/index#/lesson/3"))?;
    let t = wait_title(&mut page, "route=")?;
    for part in [
        "blobworker=ok",
        "eval=ok",
        "fetch=ok",
        "fullscreen=ok",
        "inline=ok",
        "module=ok",
        "storage=ok",
        "worker=ok",
        "route=/lesson/3",
    ] {
        assert!(t.contains(part), "app title lacks {part}: {t}");
    }
    assert_eq!(location(&mut page)?, "/read/app/index#/lesson/3");
    nothing_left(&mut page, &setup, [ui, content], "app")?;
    // Its requests went to the content origin; the viewer's to the interface.
    let reqs = page.log().requests.clone();
    assert!(
        reqs.iter()
            .any(|u| u.starts_with(&format!("http://127.0.0.1:{content}/content/app/data.json"))),
        "{reqs:?}"
    );

    // A page that moves on by itself: the address bar and title follow.
    page.navigate(&format!("{base}/read/app/hop"))?;
    wait_title(&mut page, "Second page")?;
    page.wait_true(
        "location.pathname === '/read/app/second' && location.hash === '#from-hop'",
        Duration::from_secs(10),
    )?;

    // A crawl-style archive whose replay script rewrites URLs and wraps a
    // worker and a frame in blob: URLs.
    page.clear_log();
    page.navigate(&format!("{base}/read/crawl/"))?;
    let t = wait_title(&mut page, "fetch=")?;
    for part in ["blobframe=ok", "blobworker=ok", "fetch=ok"] {
        assert!(t.contains(part), "crawl title lacks {part}: {t}");
    }
    nothing_left(&mut page, &setup, [ui, content], "crawl")?;

    // Esc twice inside the frame hides the whole tab (the keys reach the
    // frame, whose helper tells the viewer).
    page.navigate(&format!("{base}/read/app/second"))?;
    wait_title(&mut page, "Second page")?;
    page.click("#ds-frame")?;
    // The keys go to the frame, not to the viewer's own Esc-Esc handler.
    page.wait_true(
        "document.activeElement !== null && document.activeElement.id === 'ds-frame'",
        Duration::from_secs(5),
    )?;
    for _ in 0..2 {
        for kind in ["rawKeyDown", "keyUp"] {
            page.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27, "nativeVirtualKeyCode": 27}),
            )?;
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !page.url()?.ends_with("/hide") {
        assert!(
            std::time::Instant::now() < deadline,
            "Esc-Esc in the frame did not hide: {}",
            page.url()?
        );
        page.pause(Duration::from_millis(100))?;
    }

    // A link the archive opens in a new window opens in the frame.
    page.navigate(&format!("{base}/read/app/blank-link"))?;
    wait_title(&mut page, "Second page")?;
    assert_eq!(page.targets("page")?.len(), setup.tabs);

    // The hostile archive: everything that does not navigate, then each
    // navigation on its own page. Its scripts run (the title says so) and
    // nothing reaches the trap.
    page.clear_log();
    page.navigate(&format!("{base}/read/hostile/sub"))?;
    let t = wait_title(&mut page, "sub-done")?;
    assert!(!t.contains("FORGED"), "{t}");
    page.pause(Duration::from_millis(1500))?;
    assert!(location(&mut page)?.starts_with("/read/hostile/sub"));
    nothing_left(&mut page, &setup, [ui, content], "sub")?;
    // The server is still up: no forged close got through.
    assert_eq!(server.get("/").status, 200);

    for p in NAV_PAGES {
        page.clear_log();
        page.navigate(&format!("{base}/read/hostile/{p}"))?;
        wait_title(&mut page, &format!("{p}-done"))?;
        page.pause(Duration::from_millis(1200))?;
        let at = page.url()?;
        assert!(
            at.starts_with(&format!("{base}/read/hostile/")),
            "{p}: the tab went to {at}"
        );
        nothing_left(&mut page, &setup, [ui, content], p)?;
    }

    // Another local page framing the content origin: `frame-ancestors`
    // names only the interface, so the hostile page never runs there.
    let third = third_party(&format!(
        "<!DOCTYPE html><title>third</title><script>addEventListener('message', function (e) {{ document.title += ' got:' + JSON.stringify(e.data); }});</script><iframe src=\"http://127.0.0.1:{content}/content/hostile/sub\"></iframe><iframe sandbox=\"allow-scripts allow-same-origin\" src=\"http://127.0.0.1:{content}/content/hostile/sub\"></iframe>"
    ));
    page.clear_log();
    page.navigate(&format!("http://127.0.0.1:{}/", third.0))?;
    page.pause(Duration::from_millis(1500))?;
    let t = title(&mut page)?;
    assert!(!t.contains("hostile-ran"), "framed by another page: {t}");
    nothing_left(
        &mut page,
        &setup,
        [ui, content, third.0],
        "third-party frame",
    )?;
    drop(third);

    // A content page opened as a page of its own goes to its viewer.
    page.navigate(&format!("http://127.0.0.1:{content}/content/hostile/sub"))?;
    let at = page.url()?;
    assert!(at.starts_with(&format!("{base}/read/hostile/sub")), "{at}");
    wait_title(&mut page, "sub-done")?;

    // JavaScript off: the viewer hands over to the direct page.
    page.set_javascript(false)?;
    page.clear_log();
    page.navigate(&format!("{base}/read/hostile/sub"))?;
    page.pause(Duration::from_millis(800))?;
    let at = page.url()?;
    assert!(
        at.starts_with(&format!("{base}/content/hostile/sub")),
        "{at}"
    );
    nothing_left(&mut page, &setup, [ui, content], "sub, JS off")?;
    page.set_javascript(true)?;

    // WebRTC last: with Connection-Allowlist Chromium ends the page's
    // process rather than let a packet out.
    page.clear_log();
    page.start_navigation(&format!("{base}/read/hostile/rtc"))?;
    page.pause(Duration::from_secs(3))?;
    let (tcp, udp) = setup.trap.counts();
    assert_eq!(
        (tcp, udp),
        (0, 0),
        "rtc: trap saw {tcp} connections, {udp} datagrams"
    );
    drop(page);
    assert_eq!(server.get("/").status, 200);
    Ok(())
}

/// Chromium without `Connection-Allowlist`: the browser test fails, so
/// archive scripts are off (links go to the direct pages, framed pages carry
/// no script), except for the archives the drive trusts. A trusted archive
/// that preconnects shows what the allowlist is for: the trap sees it, which
/// also proves the trap is not blind.
#[test]
fn without_the_allowlist_scripts_are_off_unless_trusted() -> Res<()> {
    let mut setup = setup("contain-noca");
    let _cleanup = browser::RemoveOnDrop(setup.dir.clone());
    std::fs::write(
        setup.dir.join("archive-scripts.txt"),
        "# the packer trusts these\napp.zim\nleaky\n",
    )
    .map_err(|e| e.to_string())?;
    hostile::write_leaky(&setup.dir.join("leaky.zim"), setup.trap.port);
    let Some(mut b) = chromium(&setup.trap, false) else {
        return Ok(());
    };
    let server = common::start(&setup.dir);
    let (ui, content) = (server.port, server.content_port);
    let base = server.base_url();
    let mut page = b.new_page()?;
    setup.tabs = page.targets("page")?.len();

    // The first viewer runs the browser test, which fails here.
    page.navigate(&format!("{base}/read/hostile/sub"))?;
    page.pause(Duration::from_millis(1500))?;
    let t = title(&mut page)?;
    assert!(!t.contains("sub-done"), "the hostile script ran: {t}");
    nothing_left(&mut page, &setup, [ui, content], "sub, no allowlist")?;
    // From now on links lead to the direct pages, except for trusted archives.
    page.navigate(&format!("{base}/"))?;
    let links = page.eval("Array.prototype.map.call(document.querySelectorAll('.cards a'), function (a) { return a.getAttribute('href'); }).join(' ')")?;
    let links = links.as_str().unwrap_or("");
    assert!(links.contains("/content/hostile/"), "{links}");
    assert!(links.contains("/read/app/"), "{links}");
    // Framed again, the hostile page stays scriptless.
    page.clear_log();
    page.navigate(&format!("{base}/read/hostile/nav-location"))?;
    page.pause(Duration::from_millis(1500))?;
    assert!(!title(&mut page)?.contains("-done"));
    nothing_left(&mut page, &setup, [ui, content], "nav, no allowlist")?;

    // The trusted app runs.
    page.navigate(&format!("{base}/read/app/index"))?;
    let t = wait_title(&mut page, "route=")?;
    assert!(t.contains("fetch=ok") && t.contains("worker=ok"), "{t}");

    // An archive made to run scripts, with its scripts off: one plain line
    // says so, in both languages (the direct page shows the same).
    let direct = server.get("/content/app/index").text();
    assert!(direct.contains("ds-noscript-note"), "{direct}");
    let before = setup.trap.counts();
    assert_eq!(before, (0, 0));
    page.navigate(&format!("{base}/read/leaky/index"))?;
    wait_title(&mut page, "leaky-done")?;
    page.pause(Duration::from_millis(1500))?;
    let (tcp, _) = setup.trap.counts();
    assert!(
        tcp > 0,
        "the trusted archive's preconnect did not reach the trap: is the trap blind?"
    );
    Ok(())
}

/// Firefox ESR enforces CSP and iframe sandboxing but not
/// `Connection-Allowlist`: archive scripts are off, except for the
/// archives the drive trusts, which run in the sandboxed frame. With
/// JavaScript off the viewer hands over to the direct page.
#[test]
fn firefox_esr_gets_what_item_2_says() -> Res<()> {
    use browser::firefox;
    let setup = setup("contain-firefox");
    let _cleanup = browser::RemoveOnDrop(setup.dir.clone());
    std::fs::write(setup.dir.join("archive-scripts.txt"), "app\n").map_err(|e| e.to_string())?;
    let Some(mut ff) = firefox::launch(setup.trap.port, true) else {
        return Ok(());
    };
    let server = common::start(&setup.dir);
    let (ui, content) = (server.port, server.content_port);
    let base = server.base_url();
    let local = |u: &str| {
        [ui, content]
            .iter()
            .any(|p| u.starts_with(&format!("http://127.0.0.1:{p}/")))
            || ["data:", "blob:", "about:"]
                .iter()
                .any(|s| u.starts_with(s))
    };
    let check = |ff: &mut firefox::Firefox, what: &str| {
        let out: Vec<String> = ff.requests.iter().filter(|u| !local(u)).cloned().collect();
        assert!(out.is_empty(), "{what}: asked for {out:?}");
        assert_eq!(
            setup.trap.counts(),
            (0, 0),
            "{what}: trap {:?}",
            setup.trap.lines()
        );
    };

    ff.navigate(&format!("{base}/"))?;
    let links = ff.eval("Array.prototype.map.call(document.querySelectorAll('.cards a'), function (a) { return a.getAttribute('href'); }).join(' ')")?;
    assert!(
        links.contains("/content/hostile/") && links.contains("/read/app/"),
        "{links}"
    );

    // The hostile archive, framed and direct: its scripts never run.
    for url in [
        format!("{base}/read/hostile/sub"),
        format!("{base}/content/hostile/sub"),
        format!("{base}/content/hostile/nav-location"),
        format!("{base}/read/hostile/nav-top"),
    ] {
        ff.requests.clear();
        ff.navigate(&url)?;
        ff.pause(Duration::from_millis(1200))?;
        let t = ff.eval("document.title")?;
        assert!(!t.contains("-done"), "{url}: the hostile script ran: {t}");
        assert!(ff.url()?.starts_with(&url), "{url}: went to {}", ff.url()?);
        check(&mut ff, &url);
    }

    // The trusted app runs in the frame; the viewer follows its title.
    ff.requests.clear();
    ff.navigate(&format!("{base}/read/app/index#/lesson/3"))?;
    ff.wait_true(
        "document.title.indexOf('route=') >= 0",
        Duration::from_secs(15),
    )
    .map_err(|e| format!("{e}: {:?}", ff.eval("document.title")))?;
    let t = ff.eval("document.title")?;
    for part in [
        "eval=ok",
        "fetch=ok",
        "inline=ok",
        "module=ok",
        "storage=ok",
        "worker=ok",
        "blobworker=ok",
        "route=/lesson/3",
    ] {
        assert!(t.contains(part), "firefox app title lacks {part}: {t}");
    }
    check(&mut ff, "app");
    // Its direct page (scripts off) says the archive needs them.
    ff.navigate(&format!("{base}/content/app/index"))?;
    assert_eq!(
        ff.eval("String(document.getElementById('ds-noscript-note') !== null)")?,
        "true"
    );
    drop(ff);

    // JavaScript off (a new profile: Firefox 153's BiDi cannot switch it):
    // the viewer sends the browser to the direct page.
    let Some(mut ff) = firefox::launch(setup.trap.port, false) else {
        return Ok(());
    };
    ff.navigate(&format!("{base}/read/hostile/sub"))?;
    ff.pause(Duration::from_millis(1500))?;
    let at = ff.url()?;
    assert!(
        at.starts_with(&format!("{base}/content/hostile/sub")),
        "JS off: at {at}"
    );
    check(&mut ff, "JS off");
    Ok(())
}
