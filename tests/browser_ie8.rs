//! Issue 16, item 2: our script never throws on IE 8 and its Esc-Esc quick
//! hide and suggestions work there. No IE 8 runs here, so Chromium is made
//! to look like one to page scripts before they run: no `addEventListener`
//! (IE 8 has `attachEvent`, whose handlers get no argument and read
//! `window.event`), no `textContent`, no `querySelector(All)`, no `oninput`.
//! Then the same page in plain Chromium. Skips when Chromium is missing.

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::{Page, Res};
use serde_json::json;
use std::time::Duration;

/// IE 8's event model and missing DOM pieces, put in place before any
/// script of the page runs.
const AS_IE8: &str = r#"(function () {
  var P = EventTarget.prototype, add = P.addEventListener, current;
  Object.defineProperty(window, 'event', { get: function () { return current; }, configurable: true });
  P.attachEvent = function (type, fn) {
    var self = this;
    add.call(this, type.replace(/^on/, ''), function (ev) {
      current = ev;
      try { fn.call(self); } finally { current = undefined; }
    }, false);
    return true;
  };
  P.addEventListener = undefined;
  P.removeEventListener = undefined;
  Object.defineProperty(Node.prototype, 'textContent', { get: function () { return undefined; }, set: function () { throw new Error('IE 8 has no textContent'); }, configurable: true });
  Document.prototype.querySelector = undefined;
  Document.prototype.querySelectorAll = undefined;
  Element.prototype.querySelector = undefined;
  Element.prototype.querySelectorAll = undefined;
  window.__ie8 = true;
})();"#;

fn key(page: &mut Page, kind: &str, code: u32, name: &str) -> Res<()> {
    page.call(
        "Input.dispatchKeyEvent",
        json!({"type": kind, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code, "key": name, "code": name}),
    )?;
    Ok(())
}

fn escape_twice(page: &mut Page) -> Res<()> {
    for _ in 0..2 {
        key(page, "rawKeyDown", 27, "Escape")?;
        key(page, "keyUp", 27, "Escape")?;
    }
    Ok(())
}

/// Types `text` into the header's search box and waits for suggestions.
fn suggestions(page: &mut Page, text: &str) -> Res<u64> {
    page.eval("document.getElementById('q').focus(), true")?;
    page.call("Input.insertText", json!({"text": text}))?;
    // IE 8 has no input event: the script listens to keyup there.
    key(page, "keyUp", 65, "KeyA")?;
    page.wait_true(
        "document.getElementsByClassName('suggest').length > 0 && document.getElementsByClassName('suggest')[0].getElementsByTagName('a').length > 0",
        Duration::from_secs(10),
    )?;
    Ok(page
        .eval("document.getElementsByClassName('suggest')[0].getElementsByTagName('a').length")?
        .as_u64()
        .unwrap_or(0))
}

fn errors(page: &Page) -> Vec<String> {
    page.log()
        .errors()
        .iter()
        .map(|c| format!("{}: {} ({})", c.level, c.text, c.url))
        .collect()
}

#[test]
fn script_works_with_ie8_events_and_without() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let server = common::start(&common::sample_bundle());
    let base = server.base_url();
    let catalog = server.get("/api/catalog").json();
    let audio = catalog["audio"][0]["page"]
        .as_str()
        .ok_or("no recording")?
        .to_string();
    let mut page = b.new_page()?;
    for ie8 in [true, false] {
        let what = if ie8 { "as IE 8" } else { "Chromium" };
        let shim = if ie8 {
            let r = page.call(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({"source": AS_IE8}),
            )?;
            r["identifier"].as_str().map(str::to_string)
        } else {
            None
        };
        for path in ["/", "/search?q=x", "/view/about.md", audio.as_str()] {
            page.clear_log();
            page.navigate(&format!("{base}{path}"))
                .map_err(|e| format!("{what} {path}: {e}"))?;
            assert_eq!(
                page.eval("window.__ie8 === true")?,
                json!(ie8),
                "{what} {path}: the IE 8 stand-in is not in place"
            );
            let errs = errors(&page);
            assert!(errs.is_empty(), "{what} {path}: {errs:?}");
        }

        page.navigate(&format!("{base}/"))?;
        let n = suggestions(&mut page, "서울")?;
        assert!(n > 0, "{what}: no suggestions");
        // Arrow down marks the first suggestion (keydown through window.event).
        key(&mut page, "rawKeyDown", 40, "ArrowDown")?;
        page.wait_true(
            "document.getElementsByClassName('suggest')[0].getElementsByTagName('a')[0].className === 'active'",
            Duration::from_secs(5),
        )?;

        // Esc twice leaves for the blank page, as the hide link does.
        page.navigate(&format!("{base}/view/about.md"))?;
        page.eval("document.body.focus(), true")?;
        escape_twice(&mut page)?;
        let mut url = String::new();
        for _ in 0..100 {
            page.pause(Duration::from_millis(100))?;
            url = page.url()?;
            if url.ends_with("/hide") {
                break;
            }
        }
        assert!(
            url.ends_with("/hide"),
            "{what}: Esc Esc left the page at {url}"
        );
        let errs = errors(&page);
        assert!(errs.is_empty(), "{what}: {errs:?}");

        if let Some(id) = shim {
            page.call(
                "Page.removeScriptToEvaluateOnNewDocument",
                json!({"identifier": id}),
            )?;
        }
    }
    Ok(())
}
