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
fn nothing_left(page: &mut Page, setup: &Setup, ports: [u16; 2], what: &str) -> Res<()> {
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
