//! Any bytes as an archive's HTML, CSS or SVG: the rewriter never panics,
//! and with scripts stripped its HTML holds no script element and no
//! comment (IE's conditional comments run markup).
#![no_main]

use driveshelf::render::rewrite::{self, Options, Scripts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for scripts in [Scripts::Strip, Scripts::Keep] {
        let opts = Options {
            head: "<link id=h>",
            body: "<div id=b></div>",
            scripts,
        };
        let html = rewrite::html(&text, &opts);
        if scripts == Scripts::Strip {
            let lower = html.to_ascii_lowercase();
            assert!(!opens(&lower, "script"), "{text:?} -> {html:?}");
            assert!(!lower.contains("<!--"), "{text:?} -> {html:?}");
        }
        let _ = rewrite::css(&text, scripts);
        let _ = rewrite::xml(&text, scripts);
    }
});

/// Whether `html` opens an element named `name`: `<name` followed by what
/// ends a tag name (an element `<scriptwiki>` is not a script).
fn opens(html: &str, name: &str) -> bool {
    let tag = format!("<{name}");
    html.match_indices(&tag).any(|(i, _)| {
        match html[i + tag.len()..].chars().next() {
            None => true,
            Some(c) => c.is_ascii_whitespace() || c == '/' || c == '>',
        }
    })
}
