//! The search box suggests while an input method is still composing the
//! last syllable (서 + composing 우 → 서울 …), and also in browsers that fire
//! no event at all while composing (Firefox 3.5, IE 8): there the box is
//! checked while it has the focus. Headless Chromium; skips without it.

#[path = "browser/mod.rs"]
mod browser;
mod common;

use browser::{Page, Res};
use serde_json::json;
use std::time::Duration;

const LIST: &str = "document.getElementsByClassName('suggest')";

/// The titles in the suggestion list once it shows `want`.
fn wait_for(page: &mut Page, want: &str) -> Res<String> {
    let expr = format!(
        "{LIST}.length > 0 && {LIST}[0].innerText.indexOf({}) >= 0",
        json!(want)
    );
    page.wait_true(&expr, Duration::from_secs(10))?;
    Ok(page
        .eval(&format!("{LIST}[0].innerText"))?
        .as_str()
        .unwrap_or("")
        .to_string())
}

#[test]
fn suggestions_while_a_syllable_is_composed() -> Res<()> {
    let Some(mut b) = browser::launch() else {
        return Ok(());
    };
    let server = common::start(&common::sample_bundle());
    let base = server.base_url();
    let mut page = b.new_page()?;

    // 서 committed, 우 still being composed: 서우 is on its way to 서울.
    page.navigate(&format!("{base}/"))?;
    page.eval("document.getElementById('q').focus(), true")?;
    page.call("Input.insertText", json!({"text": "서"}))?;
    page.call(
        "Input.imeSetComposition",
        json!({"text": "우", "selectionStart": 1, "selectionEnd": 1}),
    )?;
    wait_for(&mut page, "서울 (도시)")?;

    // No event at all (as old browsers while composing): the value changes
    // under a focused box, and the suggestions still follow.
    page.navigate(&format!("{base}/"))?;
    page.eval("document.getElementById('q').focus(), true")?;
    page.eval("document.getElementById('q').value = '서ㅇ', true")?;
    wait_for(&mut page, "서울 (도시)")?;
    page.eval("document.getElementById('q').value = 'ㄷㅎㅁㄱ', true")?;
    let shown = wait_for(&mut page, "대한민국")?;
    assert!(!shown.contains("서울 (도시)"), "{shown}");
    Ok(())
}
