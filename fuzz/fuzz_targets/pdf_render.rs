//! Any bytes as a PDF on the drive, drawn the way `/pageimg/` and the page
//! view draw it: the renderer's worker thread, budgets and caches, a small
//! width so that each input costs little. Whatever the file, a PNG or a
//! typed error comes back — no abort, no stack overflow, no hang.
#![no_main]

use driveshelf::pdf::Renderer;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

static DIR: OnceLock<PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("driveshelf-fuzz-render-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    });
    let file = dir.join("page.pdf");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    // A renderer of its own each time: its caches key on the path.
    let r = Renderer::new(dir);
    for page in [1, 2] {
        if let Ok(img) = r.page(&file, page, 64) {
            assert!(img.png.starts_with(b"\x89PNG\r\n\x1a\n"));
            assert!(img.width >= 1 && img.height >= 1 && page <= img.pages);
        }
    }
});
