//! Any text as a Markdown page: front matter and rendering, links mapped.
#![no_main]

use driveshelf::markdown::{self, LinkTarget};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (_, body) = markdown::split_front_matter(&text);
    let html = markdown::render(body, &|url: &str| {
        if url.len() % 3 == 0 {
            LinkTarget::Drop
        } else if url.len() % 3 == 1 {
            LinkTarget::Replace(format!("/external?u={}", url.len()))
        } else {
            LinkTarget::Keep(url.to_string())
        }
    });
    assert!(!html.contains("<script"));
});
